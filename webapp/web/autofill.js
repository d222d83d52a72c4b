// A drive's auto-fill: on/off, pause, checkpoints, the dry run, overbook
// and the wave log. The server renders each line in the organizer's
// language with the chat's own code, so the console says what the chat says.
"use strict";

(() => {
  const { el, t } = console_;

  function render(main, a) {
    const path = "/drives/" + encodeURIComponent(a.id) + "/autofill";
    const put = async (body) => {
      try {
        render(main, await console_.api("PUT", path, body));
        console_.toast(t("console_autofill_saved"));
      } catch (err) {
        const field = err.data && err.data.fields && err.data.fields.checkpoints;
        const hint = main.querySelector("#checkpoints-error");
        if (field && hint) hint.textContent = field;
        else console_.toast(err.message);
      }
    };
    // act runs an action that answers the screen with a notice of what it did.
    const act = async (sub, body) => {
      try {
        const res = await console_.api("POST", path + sub, body);
        render(main, res);
        console_.toast(res.notice || t("console_autofill_saved"));
      } catch (err) {
        console_.toast(err.message);
      }
    };
    const button = (id, key, body, primary) =>
      el("button", { id, class: primary ? "primary" : "secondary", onclick: () => put(body) }, t(key));
    const toggles = !a.on ? [button("autofill-on", "console_autofill_turn_on", { on: true }, true)]
      : [a.paused ? button("autofill-resume", "console_autofill_resume", { paused: false }, true)
        : button("autofill-pause", "console_autofill_pause", { paused: true }),
      button("autofill-off", "console_autofill_turn_off", { on: false })];
    const input = el("input", { id: "checkpoints", name: "checkpoints", inputmode: "numeric",
      value: a.checkpoints.join(", ") });
    const saveCheckpoints = () => {
      const days = input.value.split(/[^0-9-]+/).filter((s) => s !== "").map(Number);
      put({ checkpoints: days });
    };
    main.replaceChildren(
      el("div", { class: "card", id: "autofill", "data-on": String(a.on), "data-paused": String(a.paused),
        "data-checkpoints": a.checkpoints.join(",") },
      el("h2", {}, a.title + " · " + a.date),
      el("p", { id: "autofill-state" }, a.state),
      el("p", { id: "forecast", "data-expected": a.forecast.expected, "data-gap": a.forecast.gap }, a.forecast_line),
      a.full ? el("p", { id: "autofill-full" }, a.full) : null,
      el("p", { id: "dry-run", "data-invitees": a.dry_run.invitees, "data-expected": a.dry_run.expected,
        "data-outcome": a.dry_run.outcome }, a.dry_run.line)),
      el("div", { class: "row" }, toggles),
      el("div", { class: "row" }, a.presets.map((p) => el("button", { class: "secondary", "data-preset": p.join(","),
        onclick: () => put({ checkpoints: p }) }, p.join("·")))),
      el("label", {}, t("console_autofill_checkpoints"), input),
      el("p", { class: "hint", id: "checkpoints-error" }),
      el("button", { class: "secondary", id: "save-checkpoints", onclick: saveCheckpoints },
        t("console_autofill_save_checkpoints")),
      a.overbook.seats ? el("button", { class: "secondary", id: "overbook", "data-seats": a.overbook.seats,
        onclick: () => act("/overbook", { seats: a.overbook.seats }) }, a.overbook.label) : null,
      a.next_slot ? el("button", { class: "secondary", id: "add-slot", onclick: () => act("/slot", {}) },
        a.next_slot) : null,
      el("h3", {}, t("console_autofill_waves")),
      a.waves.length ? el("ul", { id: "waves" }, a.waves.map((w) => el("li", { "data-checkpoint": w.checkpoint }, w.line)))
        : el("p", { class: "hint", id: "waves" }, t("console_autofill_waves_none")));
  }

  console_.view("/drive/:id/autofill", async (main, p) => {
    console_.setTitle(t("console_autofill_title"));
    render(main, await console_.api("GET", `/drives/${encodeURIComponent(p.id)}/autofill`));
  });
})();
