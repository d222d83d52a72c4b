// A drive's registrations: search as you type (accents optional, any
// phone form), status and slot filters, pages from the server, export.
"use strict";

console_.view("/drive/:id/registrations", async (main, { id }) => {
  const { el, t, api } = console_;
  const statuses = ["registered", "waitlisted", "arrived", "donated", "deferred", "no_show", "cancelled"];
  const state = { q: "", status: "", slot: "", page: 1, per: 50 };
  // The drive's title and slots; the table works without them.
  const drive = await api("GET", "/drives/" + encodeURIComponent(id)).catch(() => null);
  console_.setTitle(drive && drive.title ? drive.title : t("console_reg_title"));

  const q = el("input", { type: "search", name: "q", placeholder: t("console_reg_search"), autocomplete: "off", enterkeyhint: "search" });
  const status = el("select", { name: "status" }, el("option", { value: "" }, t("console_reg_all_statuses")),
    statuses.map((s) => el("option", { value: s }, t("console_reg_status_" + s))));
  const slot = el("select", { name: "slot" }, el("option", { value: "" }, t("console_reg_all_slots")),
    ((drive && drive.slots) || []).map((s) => el("option", { value: s.id }, s.label)));
  const total = el("p", { class: "hint" });
  const rows = el("tbody");
  const pageText = el("span", { class: "hint" });
  const prev = el("button", { id: "prev", class: "secondary", onclick: () => { state.page--; load(); } }, t("console_reg_prev"));
  const next = el("button", { id: "next", class: "secondary", onclick: () => { state.page++; load(); } }, t("console_reg_next"));
  const exportButton = (format) => el("button", {
    class: "secondary", "data-export": format,
    onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        await api("POST", "/drives/" + encodeURIComponent(id) + "/export", { format });
        console_.toast(t("console_reg_export_sent"));
      } catch (err) {
        console_.toast(err.message);
      } finally {
        ev.target.disabled = false;
      }
    },
  }, t("console_reg_export_" + format));

  // Answers can arrive out of order while someone types: only the latest
  // request's answer is shown.
  let latest = 0;
  async function load() {
    const mine = ++latest;
    const params = new URLSearchParams({ page: state.page, per: state.per });
    for (const k of ["q", "status", "slot"]) if (state[k]) params.set(k, state[k]);
    let data;
    try {
      data = await api("GET", "/drives/" + encodeURIComponent(id) + "/registrations?" + params);
    } catch (err) {
      if (mine === latest) console_.toast(err.message);
      return;
    }
    if (mine !== latest) return;
    const pages = Math.max(1, Math.ceil(data.total / data.per));
    total.textContent = t("console_reg_total", { Count: data.total });
    pageText.textContent = t("console_reg_page", { Page: data.page, Pages: pages });
    prev.disabled = data.page <= 1;
    next.disabled = data.page >= pages;
    rows.replaceChildren(...data.rows.map((r) => el("tr", { "data-registration": r.id, "data-status": r.status },
      el("td", {}, r.name), el("td", {}, r.phone), el("td", {}, r.group), el("td", {}, r.slot),
      el("td", {}, r.status_text))));
    if (data.rows.length === 0) {
      rows.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "hint" }, t("console_reg_none"))));
    }
  }

  let typing;
  q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = q.value.trim(); state.page = 1; load(); }, 300);
  });
  status.addEventListener("change", () => { state.status = status.value; state.page = 1; load(); });
  slot.addEventListener("change", () => { state.slot = slot.value; state.page = 1; load(); });

  main.replaceChildren(
    el("h2", {}, t("console_reg_title")),
    el("div", { class: "row" }, q, status, slot),
    total,
    el("table", {}, el("thead", {}, el("tr", {}, ["name", "phone", "group", "slot", "status"].map((c) => el("th", {}, t("console_reg_col_" + c))))), rows),
    el("div", { class: "row" }, prev, pageText, next),
    el("div", { class: "row" }, exportButton("xlsx"), exportButton("csv")));
  await load();
});
