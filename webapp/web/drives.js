// My drives (the console's first screen) and a drive's home screen.
"use strict";

(() => {
  const { el, t } = console_;
  // The filters stay as chosen while the organizer opens a drive and comes back.
  const filters = { campaign: "", wave: "", unit: "", status: "all" };

  // bar draws registrations against the target as a small bar.
  function bar(value, target) {
    const pct = target > 0 ? Math.min(100, Math.round(value * 100 / target)) : 0;
    return el("div", { class: "bar-track", role: "progressbar", "aria-valuenow": value, "aria-valuemax": target },
      el("div", { class: "bar-fill", style: "width:" + pct + "%" }));
  }

  function select(name, value, options) {
    const s = el("select", { name },
      options.map(([v, label]) => el("option", { value: String(v), selected: String(v) === value }, label)));
    s.addEventListener("change", () => { filters[name] = s.value; console_.show(); });
    return s;
  }

  function filterBar(f) {
    return el("div", { class: "row filters" },
      select("campaign", filters.campaign, [["", t("console_drives_all_campaigns")], ...f.campaigns.map((c) => [c.id, c.name])]),
      select("wave", filters.wave, [["", t("console_drives_all_waves")], ...f.waves.map((w) => [w, w])]),
      select("unit", filters.unit, [["", t("console_drives_all_units")], ...f.units.map((u) => [u.id, u.name])]),
      select("status", filters.status, ["all", "upcoming", "past"].map((w) => [w, t("console_drives_when_" + w)])));
  }

  function card(d) {
    return el("div", { class: "card drive-card", "data-drive": d.id, "data-status": d.status, role: "link", tabindex: "0",
      onclick: () => console_.go("/drive/" + d.id) },
    el("h2", {}, d.title),
    el("div", { class: "row hint" }, el("span", { class: "status status-" + d.status }, d.status_text),
      el("span", {}, d.day + " · " + d.time)),
    el("div", { class: "hint" }, t("console_drive_seats", { Left: d.seats_left, Seats: d.seats })),
    el("div", {}, t("console_drive_registered", { Registered: d.registered, Target: d.target })),
    bar(d.registered, d.target));
  }

  function query(page) {
    const q = new URLSearchParams({ status: filters.status, page: String(page) });
    for (const k of ["campaign", "wave", "unit"]) if (filters[k]) q.set(k, filters[k]);
    return "/drives?" + q.toString();
  }

  console_.view("/drives", async (main) => {
    console_.setTitle(t("console_my_drives"));
    let page = 1;
    const data = await console_.api("GET", query(page));
    const list = el("div", { id: "drive-list" }, data.drives.map(card));
    const more = el("button", { class: "secondary", id: "more-drives", hidden: data.page * data.per >= data.total });
    more.append(t("console_drives_more"));
    more.addEventListener("click", async () => {
      more.disabled = true;
      page++;
      const next = await console_.api("GET", query(page));
      list.append(...next.drives.map(card));
      more.hidden = next.page * next.per >= next.total;
      more.disabled = false;
    });
    main.replaceChildren(
      el("p", { class: "hint", id: "hello" }, t("console_hello", { Name: console_.me().name })),
      el("div", { class: "row" }, el("button", { class: "primary", id: "new-drive", onclick: () => console_.go("/drives/new") },
        t("console_drives_new")),
      el("button", { class: "secondary", id: "campaigns", onclick: () => console_.go("/campaigns") },
        t("console_progress_campaigns"))),
      filterBar(data.filters),
      data.drives.length ? list : el("p", { class: "hint" }, t("console_drives_none")),
      more);
  });

  console_.view("/drive/:id", async (main, { id }) => {
    const d = await console_.api("GET", "/drives/" + encodeURIComponent(id));
    console_.setTitle(d.title);
    const nav = (what, path) => el("button", { class: what === "gate" && d.checkin_open ? "primary" : "secondary",
      "data-nav": what, onclick: () => console_.go(path) }, t("console_nav_" + what));
    const buttons = [nav("registrations", "/drive/" + d.id + "/registrations"), nav("gate", "/drive/" + d.id + "/gate"),
      nav("progress", "/drive/" + d.id + "/progress")];
    buttons.push(nav("autofill", "/drive/" + d.id + "/autofill"));
    if (d.can_edit) buttons.push(nav("edit", "/drive/" + d.id + "/edit"));
    buttons.push(nav("copy", "/drives/new?copy=" + d.id));
    main.replaceChildren(
      el("div", { class: "card", id: "drive-summary", "data-drive": d.id, "data-status": d.status },
        el("h2", {}, d.title),
        el("div", { class: "row hint" }, el("span", { class: "status status-" + d.status }, d.status_text),
          el("span", {}, d.day + " · " + d.time)),
        el("div", {}, t("console_drive_venue") + ": " + d.venue),
        d.hospital ? el("div", {}, t("console_drive_hospital") + ": " + d.hospital) : null,
        el("div", { class: "hint" }, t("console_drive_code", { Code: d.code })),
        el("div", {}, t("console_drive_registered", { Registered: d.registered, Target: d.target })),
        bar(d.registered, d.target),
        el("div", { class: "hint" }, t("console_drive_arrived", { Arrived: d.arrived, Donated: d.donated }))),
      el("div", { class: "row", id: "drive-nav" }, buttons),
      ...(d.checkin_open ? [] : [el("p", { class: "hint" }, t("console_drive_checkin_shut"))]),
      el("h3", {}, t("console_drive_slots")),
      el("table", { id: "slots" }, el("tbody", {}, d.slots.map((s) => el("tr", { "data-slot": s.id },
        el("td", {}, s.label),
        el("td", {}, t("console_drive_slot_taken", { Taken: s.taken, Capacity: s.capacity })),
        el("td", { style: "width:40%" }, bar(s.taken, s.capacity)))))));
  });
})();
