// Check-in at the gate: scan the donor's /mycode QR (or search), one tap
// to mark arrived, then the result, which can be corrected or undone.
"use strict";

console_.view("/drive/:id/gate", async (main, { id }) => {
  const { el, t, api, toast } = console_;
  console_.setTitle(t("console_gate_title"));
  const [gate, reasons] = await Promise.all([
    api("GET", `/drives/${id}/gate`), api("GET", "/deferral-reasons")]);
  const cardBox = el("div", {});
  const results = el("div", {});

  // run calls the API, then shows the card it answers; a refusal is toasted.
  async function run(call, done) {
    try {
      const card = await call();
      showCard(card);
      if (done) toast(done(card));
    } catch (err) {
      toast(err.message);
    }
  }
  const checkin = (body) => run(
    async () => (await api("POST", `/drives/${id}/checkin`, body)).registration,
    (card) => t("console_gate_checked_in", { Name: card.name }));
  const record = (card, body) => run(
    () => api("POST", `/registrations/${card.id}/result`, body),
    (c) => t("console_gate_recorded", { Name: c.name, Text: c.result ? c.result.text : "" }));

  function scan() {
    console_.tg().showScanQrPopup({ text: t("console_gate_scan_text") }, (text) => {
      checkin({ code: text });
      return true;
    });
  }

  let searchTimer = null;
  function search(q) {
    clearTimeout(searchTimer);
    if (q.trim().length < 2) { results.replaceChildren(); return; }
    searchTimer = setTimeout(async () => {
      try {
        const page = await api("GET", `/drives/${id}/registrations?q=${encodeURIComponent(q.trim())}&per=10`);
        results.replaceChildren(...(page.rows.length ? page.rows.map((r) =>
          el("button", { class: "secondary", "data-registration": r.id, style: "display:block;width:100%;text-align:left;margin:.25rem 0",
            onclick: () => { results.replaceChildren(); run(() => api("GET", `/registrations/${r.id}`)); } },
          `${r.name} · ${r.phone} · ${r.slot} · ${r.status_text}`))
          : [el("p", { class: "hint" }, t("console_gate_no_match"))]));
      } catch (err) {
        toast(err.message);
      }
    }, 250);
  }

  function showCard(card) {
    const until = el("input", { type: "date", name: "until" });
    const other = el("input", { name: "other_reason", maxlength: "200", placeholder: t("console_gate_other_placeholder"), hidden: true });
    const saveOther = el("button", { class: "secondary", hidden: true,
      onclick: () => record(card, deferral(other.value)) }, t("console_gate_save_deferral"));
    const deferral = (reason) => until.value
      ? { kind: "deferred", reason, until: until.value } : { kind: "deferred", reason };
    const current = card.result;
    const live = card.status === "registered" || card.status === "waitlisted";
    const served = ["arrived", "donated", "deferred"].includes(card.status);
    cardBox.replaceChildren(el("div", { id: "desk-card", class: "card", "data-status": card.status },
      el("h2", {}, card.name),
      el("p", {}, t("console_gate_card_line", { Group: card.group, Slot: card.slot })),
      el("p", { class: "hint" }, card.status_text),
      live && el("button", { id: "mark-arrived", class: "primary", disabled: !gate.open,
        onclick: () => checkin({ registration_id: card.id }) }, t("console_gate_mark_arrived")),
      served && el("div", {},
        card.volumes.length
          ? el("div", { class: "row" }, card.volumes.map((v) => el("button", {
            class: current && current.kind === "donated" && current.volume === v ? "secondary" : "primary",
            "data-volume": v, onclick: () => record(card, { kind: "donated", volume: v }) },
          t("console_gate_donated", { Volume: v }))))
          : el("p", { class: "hint" }, t("console_gate_no_bags")),
        el("p", {}, t("console_gate_deferred")),
        el("div", { class: "row" }, reasons.map((r) => el("button", { class: "secondary", "data-reason": r.code,
          onclick: () => record(card, deferral(r.code)) }, r.text)),
        el("button", { class: "secondary", "data-reason": "other",
          onclick: () => { other.hidden = false; saveOther.hidden = false; other.focus(); } }, t("console_gate_reason_other"))),
        el("div", { class: "row" }, other, saveOther),
        el("label", {}, t("console_gate_until"), until)),
      current && el("div", {},
        el("p", {}, el("strong", {}, t("console_gate_result", { Text: current.text }))),
        el("p", { class: "hint" }, t("console_gate_fix_hint")),
        el("button", { id: "undo-result", class: "secondary",
          onclick: () => run(() => api("DELETE", `/registrations/${card.id}/result`),
            (c) => t("console_gate_undone", { Name: c.name })) }, t("console_gate_undo")))));
  }

  main.replaceChildren(
    el("h2", {}, gate.title),
    gate.open
      ? el("button", { id: "scan", class: "primary", style: "width:100%;font-size:1.25rem;padding:1rem", onclick: scan }, t("console_gate_scan"))
      : el("p", { class: "error" }, gate.closed),
    el("label", {}, t("console_gate_search"),
      el("input", { name: "q", type: "search", autocomplete: "off", style: "width:100%", oninput: (e) => search(e.target.value) })),
    results, cardBox);
});
