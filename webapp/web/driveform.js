// The drive form: create (#/drives/new, or #/drives/new?copy=ID for a copy
// of an earlier drive) and edit (#/drive/:id/edit) in one form.
"use strict";

(() => {
  const { el, t } = console_;

  // minutes reads "07:30" as minutes after midnight, or NaN.
  function minutes(hhmm) {
    const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || "");
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  }

  // slotPlan mirrors drive.SlotPlan.Generate: whole slots of `every`
  // minutes from `from` to `to`; a last partial slot is refused, so the
  // preview is exactly what donors will book.
  function slotPlan(from, to, every, seats) {
    const start = minutes(from), end = minutes(to);
    if (!(end > start) || !(every >= 10) || !(seats >= 1) || every > end - start) return null;
    if ((end - start) % every !== 0) return { partial: true };
    const count = (end - start) / every;
    return { count, every, seats: count * seats };
  }

  function field(name, label, input, extra) {
    return el("div", { class: "field", "data-field": name },
      el("label", { for: "f-" + name }, label), input, extra || null,
      el("p", { class: "error", "data-error-for": name, hidden: true }));
  }

  function option(value, text, selected) {
    return el("option", { value: String(value), selected: selected ? true : undefined }, text);
  }

  async function render(main, driveID, copyID) {
    const choices = await console_.api("GET", "/drive-form");
    let f = { title: "", campaign_id: 0, wave: 0, hospital_id: 0, unit_id: 0, date: "", from: "07:30",
      to: "11:30", every: 30, seats: 10, target: 100, announce_at: "", autofill: false };
    if (driveID) f = await console_.api("GET", "/drives/" + driveID + "/form");
    else if (copyID) f = await console_.api("GET", "/drives/" + encodeURIComponent(copyID) + "/form?copy=1");
    console_.setTitle(t(driveID ? "console_form_edit" : copyID ? "console_form_copy" : "console_form_new"));

    const input = (name, attrs) => el("input", Object.assign({ id: "f-" + name, name }, attrs));
    const campaign = el("select", { id: "f-campaign", name: "campaign" },
      option(0, t("console_form_no_campaign")),
      choices.campaigns.map((c) => option(c.id, c.name, c.id === f.campaign_id)));
    const wave = el("select", { id: "f-wave", name: "wave" });
    const fillWaves = () => {
      const c = choices.campaigns.find((x) => String(x.id) === campaign.value);
      const keep = Number(wave.value || f.wave);
      wave.replaceChildren(option(0, t("console_form_no_wave")),
        ...(c ? c.waves : []).map((n) => option(n, t("console_form_wave_n", { N: n }), n === keep)));
      wave.disabled = !c;
    };
    campaign.addEventListener("change", fillWaves);
    fillWaves();

    const typedVenue = !f.venue_id && f.venue;
    const venue = el("select", { id: "f-venue", name: "venue" },
      option("", t("console_form_pick")),
      choices.venues.map((v) => option(v.id, v.line, v.id === f.venue_id)),
      option("new", t("console_form_venue_new"), typedVenue));
    const v = f.venue || {};
    const newVenue = el("div", { class: "card", hidden: !typedVenue },
      field("venue_name", t("console_form_venue_name"), input("venue_name", { value: v.name || "", maxlength: 120 })),
      field("venue_address", t("console_form_venue_address"), input("venue_address", { value: v.address || "", maxlength: 100 })),
      field("venue_ward", t("console_form_venue_ward"), input("venue_ward", { value: v.ward || "", maxlength: 50 })),
      field("venue_province", t("console_form_venue_province"), el("select", { id: "f-venue_province", name: "venue_province" },
        option("", t("console_form_pick")),
        choices.provinces.map((p) => option(p.code, p.name, p.code === v.province)))));
    venue.addEventListener("change", () => { newVenue.hidden = venue.value !== "new"; });

    const hospital = el("select", { id: "f-hospital", name: "hospital" },
      option(0, t("console_form_pick")),
      choices.hospitals.map((h) => option(h.id, h.name, h.id === f.hospital_id)));
    const unit = el("select", { id: "f-unit", name: "unit" },
      choices.all_units ? option(0, t("console_form_all_donors"), !f.unit_id) : null,
      choices.units.map((u) => option(u.id, u.name, u.id === f.unit_id)));

    const preview = el("p", { id: "slot-preview", class: "hint" });
    const save = el("button", { id: "save-drive", class: "primary", type: "submit" }, t("console_form_save"));
    const form = el("form", { id: "drive-form", novalidate: true },
      field("title", t("console_form_title"), input("title", { value: f.title, maxlength: 120, required: true })),
      field("campaign", t("console_form_campaign"), campaign),
      field("wave", t("console_form_wave"), wave),
      field("venue", t("console_form_venue"), venue, newVenue),
      field("hospital", t("console_form_hospital"), hospital),
      field("unit", t("console_form_unit"), unit),
      field("date", t("console_form_date"), input("date", { type: "date", value: f.date })),
      el("div", { class: "row" },
        field("from", t("console_form_from"), input("from", { type: "time", value: f.from })),
        field("to", t("console_form_to"), input("to", { type: "time", value: f.to }))),
      el("div", { class: "row" },
        field("every", t("console_form_every"), input("every", { type: "number", min: 10, step: 5, value: f.every })),
        field("seats", t("console_form_seats"), input("seats", { type: "number", min: 1, max: 1000, value: f.seats }))),
      preview,
      field("target", t("console_form_target"), input("target", { type: "number", min: 1, max: 10000, value: f.target })),
      field("announce_at", t("console_form_announce_at"), input("announce_at", { type: "datetime-local", value: f.announce_at })),
      el("label", { class: "check" }, input("autofill", { type: "checkbox", checked: f.autofill ? true : undefined }),
        " " + t("console_form_autofill")),
      el("p", { class: "error", "data-error-for": "form", hidden: true }),
      save);
    const val = (name) => form.elements[name].value.trim();
    const num = (name) => Number(val(name)) || 0;

    const showPreview = () => {
      const plan = slotPlan(val("from"), val("to"), num("every"), num("seats"));
      if (!plan) preview.textContent = t("console_form_preview_none");
      else if (plan.partial) preview.textContent = t("console_form_err_partial");
      else preview.textContent = t("console_form_preview", { Count: plan.count, Minutes: plan.every, Seats: plan.seats });
      preview.className = plan && plan.partial ? "error" : "hint";
    };
    for (const name of ["from", "to", "every", "seats"]) form.elements[name].addEventListener("input", showPreview);
    showPreview();

    const showErrors = (fields) => {
      for (const p of form.querySelectorAll("[data-error-for]")) {
        const text = fields[p.dataset.errorFor];
        p.textContent = text || "";
        p.hidden = !text;
      }
      const first = form.querySelector("[data-error-for]:not([hidden])");
      if (first) first.scrollIntoView({ block: "center" });
    };

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {
        title: val("title"), campaign_id: num("campaign"), wave: num("wave"), hospital_id: num("hospital"),
        unit_id: num("unit"), date: val("date"), from: val("from"), to: val("to"), every: num("every"),
        seats: num("seats"), target: num("target"), announce_at: val("announce_at"),
        autofill: form.elements.autofill.checked,
      };
      if (venue.value === "new") {
        body.venue = { name: val("venue_name"), address: val("venue_address"), ward: val("venue_ward"),
          province: val("venue_province") };
      } else {
        body.venue_id = Number(venue.value) || 0;
      }
      save.disabled = true;
      try {
        const res = driveID
          ? await console_.api("PUT", "/drives/" + driveID, body)
          : await console_.api("POST", "/drives", body);
        console_.toast(res.notice || t("console_form_saved"));
        console_.go("/drive/" + res.id);
      } catch (err) {
        const fields = (err.data && err.data.fields) || {};
        // A new venue's own inputs are checked together: show it beside them.
        if (fields.venue && venue.value === "new") fields.venue_name = fields.venue;
        if (!Object.keys(fields).length) fields.form = err.message;
        showErrors(fields);
      } finally {
        save.disabled = false;
      }
    });
    main.replaceChildren(form);
  }

  // The copy's id comes in the hash's query: #/drives/new?copy=ID.
  console_.view("/drives/new(?:\\?.*)?", (main) => {
    const query = new URLSearchParams(location.hash.split("?")[1] || "");
    return render(main, null, query.get("copy"));
  });
  console_.view("/drive/:id/edit", (main, params) => render(main, params.id, null));
})();
