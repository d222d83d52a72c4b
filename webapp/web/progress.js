// Live progress: a drive's funnel, slots and chart; a campaign's waves,
// units and share of its plan. Both screens refresh themselves.
"use strict";

const progress_ = (() => {
  const { el, t } = console_;
  const SVG = "http://www.w3.org/2000/svg";
  const EVERY_MS = 15000;

  // live calls refresh now and then every 15 s while root is on screen and
  // the page is visible. One request at a time: the next waits for the
  // previous answer, so a slow network never piles requests up.
  function live(root, refresh) {
    let busy = false;
    let timer = null;
    async function tick() {
      if (busy) return;
      clearTimeout(timer);
      if (!root.isConnected) {
        document.removeEventListener("visibilitychange", onVisible);
        return;
      }
      busy = true;
      try {
        if (!document.hidden) await refresh();
      } finally {
        busy = false;
      }
      if (root.isConnected) timer = setTimeout(tick, EVERY_MS);
    }
    function onVisible() { if (!document.hidden) tick(); }
    document.addEventListener("visibilitychange", onVisible);
    return tick();
  }

  // screen renders what load answers into root, and says when it last did
  // or why it could not; the first failure is the view's error.
  async function screen(main, load, render) {
    const body = el("div", {}, el("p", { class: "hint" }, t("console_loading")));
    const status = el("p", { class: "hint", id: "live" });
    const root = el("div", { class: "progress" }, body, status);
    main.replaceChildren(root);
    let first = true;
    await live(root, async () => {
      let data;
      try {
        data = await load();
      } catch (err) {
        if (first) throw err;
        status.textContent = t("console_progress_stale", { Error: err.message });
        return;
      }
      body.replaceChildren(...render(data).filter(Boolean));
      first = false;
      status.textContent = t("console_progress_live", { Time: new Date().toLocaleTimeString() });
    });
  }

  // funnel shows registered → arrived → donated, with bars against the
  // target (or the registrations when they exceed it).
  function funnel(f) {
    const full = Math.max(f.target, f.registered, 1);
    const row = (key, n) => el("div", { class: "funnel-row" },
      el("span", { class: "funnel-label" }, t(key)), " ",
      el("strong", {}, n),
      el("div", { class: "funnel-bar", style: "background:#eee;height:8px;border-radius:4px" },
        el("div", { style: `width:${Math.min(100, n * 100 / full).toFixed(1)}%;height:8px;border-radius:4px;background:#c62828` })));
    return el("section", { id: "funnel", "data-registered": f.registered, "data-arrived": f.arrived,
      "data-donated": f.donated, "data-target": f.target },
    row("console_progress_registered", f.registered),
    row("console_progress_arrived", f.arrived),
    row("console_progress_donated", f.donated));
  }

  // mobilization is the funnel from the first message: invited →
  // registered → arrived → donated among the invitees (bars against the
  // invited), the whole drive's totals, and the messages per unit collected.
  function mobilization(m) {
    const full = Math.max(m.invited, 1);
    const row = (key, n) => el("div", { class: "funnel-row" },
      el("span", { class: "funnel-label" }, t(key)), " ", el("strong", {}, n),
      el("div", { class: "funnel-bar", style: "background:#eee;height:8px;border-radius:4px" },
        el("div", { style: `width:${Math.min(100, n * 100 / full).toFixed(1)}%;height:8px;border-radius:4px;background:#1565c0` })));
    return el("section", { id: "mobilization", "data-invited": m.invited, "data-invited-registered": m.invited_registered,
      "data-invited-arrived": m.invited_arrived, "data-invited-donated": m.invited_donated,
      "data-messages": m.messages, "data-per-unit": m.per_unit_text },
    el("h3", {}, t("console_funnel_title")),
    row("console_funnel_invited", m.invited),
    row("console_funnel_registered", m.invited_registered),
    row("console_funnel_arrived", m.invited_arrived),
    row("console_funnel_donated", m.invited_donated),
    el("p", {}, t("console_funnel_all", { Registered: m.registered, Arrived: m.arrived, Donated: m.donated,
      Target: m.target, Percent: m.percent })),
    el("p", { class: "messages" }, t("console_funnel_messages", { Count: m.messages, Announced: m.announced,
      Invited: m.invited, Recalled: m.recalled, PerUnit: m.per_unit_text })),
    m.invite_waves && m.invite_waves.length ? table(["console_funnel_invite_wave", "console_funnel_invited",
      "console_funnel_registered", "console_funnel_arrived", "console_funnel_donated", "console_funnel_per_unit"],
    m.invite_waves.map((w) => [t("console_funnel_wave", { Count: w.checkpoint, Days: w.checkpoint, Date: w.date }),
      w.invited, w.registered, w.arrived, w.donated, w.per_unit_text])) : null);
  }

  // forecastLine is what the registrations should give at the unit's
  // learned rate, and the gap to the target, as the chat's /stats says it.
  function forecastLine(f) {
    const units = t("console_forecast_units", { Count: f.expected });
    const data = { Units: units, Rate: f.rate_percent, Count: f.based_on_drives };
    const line = t(f.based_on_drives ? "console_forecast_line" : "console_forecast_line_default", data) +
      (f.gap > 0 ? t("console_forecast_gap", { Gap: f.gap }) : t("console_forecast_no_gap"));
    return el("p", { id: "forecast", "data-expected": f.expected, "data-gap": f.gap }, line);
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  // chart draws bars of donated units with their targets as horizontal
  // lines: one across the chart when every bar has the same target, else
  // one over each bar.
  function chart(title, bars) {
    const w = Math.max(320, 56 * bars.length + 40), h = 220;
    const left = 30, right = w - 10, top = 24, bottom = h - 30;
    const peak = Math.max(1, ...bars.map((b) => Math.max(b.value, b.target || 0)));
    const y = (v) => bottom - (bottom - top) * v / peak;
    const s = svg("svg", { id: "chart", viewBox: `0 0 ${w} ${h}`, width: "100%", role: "img",
      "font-size": "11", "font-family": "sans-serif" });
    s.append(svg("title", {}, title));
    s.append(svg("line", { x1: left, y1: bottom, x2: right, y2: bottom, stroke: "#212121" }));
    const group = (right - left) / Math.max(1, bars.length);
    const bw = Math.max(4, group * 0.6);
    bars.forEach((b, i) => {
      const x = left + i * group + (group - bw) / 2;
      s.append(svg("rect", { class: "donated", x, y: y(b.value), width: bw, height: bottom - y(b.value), fill: "#c62828" }));
      s.append(svg("text", { x: x + bw / 2, y: y(b.value) - 3, "text-anchor": "middle" }, b.value));
      s.append(svg("text", { x: x + bw / 2, y: bottom + 14, "text-anchor": "middle" }, b.label));
    });
    const targets = bars.map((b) => b.target || 0);
    const same = targets.every((v) => v === targets[0]);
    if (same && targets[0] > 0) {
      s.append(svg("line", { class: "target", x1: left, x2: right, y1: y(targets[0]), y2: y(targets[0]),
        stroke: "#1565c0", "stroke-width": 2, "stroke-dasharray": "6 4" }));
      s.append(svg("text", { class: "target-label", x: right, y: y(targets[0]) - 4, "text-anchor": "end", fill: "#1565c0" },
        bars.label));
    } else {
      bars.forEach((b, i) => {
        if (!(b.target > 0)) return;
        const x1 = left + i * group + 4, x2 = left + (i + 1) * group - 4;
        s.append(svg("line", { class: "target", x1, x2, y1: y(b.target), y2: y(b.target),
          stroke: "#1565c0", "stroke-width": 2, "stroke-dasharray": "6 4" }));
        s.append(svg("text", { class: "target-label", x: (x1 + x2) / 2, y: y(b.target) - 4, "text-anchor": "middle",
          fill: "#1565c0" }, t("console_progress_wave_target", { N: b.target })));
      });
    }
    return el("figure", {}, s, el("figcaption", { class: "hint" }, title));
  }

  function table(head, rows) {
    return el("table", {},
      el("thead", {}, el("tr", {}, head.map((k) => el("th", {}, t(k))))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))));
  }

  function driveView(d) {
    const share = d.slots.length ? Math.ceil(d.target / d.slots.length) : 0;
    const bars = d.slots.map((s) => ({ label: s.label.split("–")[0], value: s.donated, target: share }));
    bars.label = t("console_progress_slot_target", { N: share });
    return [
      el("h2", {}, d.title), el("p", { class: "hint" }, d.date),
      funnel(d),
      d.forecast ? forecastLine(d.forecast) : null,
      el("p", {}, t("console_progress_of_target", { Donated: d.donated, Target: d.target, Percent: d.percent })),
      d.mobilization ? mobilization(d.mobilization) : null,
      d.slots.length ? chart(t("console_progress_chart_slots"), bars) : null,
      el("h3", {}, t("console_progress_by_slot")),
      table(["console_progress_slot", "console_progress_capacity", "console_progress_registered",
        "console_progress_arrived", "console_progress_donated"],
      d.slots.map((s) => [s.label, s.capacity, s.registered, s.arrived, s.donated])),
      d.campaign_id ? el("button", { class: "secondary", "data-nav": "campaign",
        onclick: () => console_.go("/campaign/" + d.campaign_id) }, t("console_progress_open_campaign")) : null,
    ];
  }

  function campaignView(c) {
    const bars = c.waves.map((w) => ({ label: w.label, value: w.donated, target: w.target }));
    bars.label = c.waves.length ? t("console_progress_wave_target", { N: c.waves[0].target }) : "";
    return [
      el("h2", {}, c.name),
      el("p", { id: "plan", "data-percent": c.percent }, t("console_progress_plan", { Count: c.waves.length,
        Collected: c.collected, Waves: c.waves.length, Percent: c.percent, Target: c.target })),
      funnel({ target: c.target, registered: c.registered, arrived: c.arrived, donated: c.collected }),
      c.mobilization ? mobilization(c.mobilization) : null,
      c.waves.length ? chart(t("console_progress_chart_waves"), bars) : null,
      el("h3", {}, t("console_progress_by_wave")),
      table(["console_progress_wave", "console_progress_drives", "console_progress_target", "console_progress_registered",
        "console_progress_arrived", "console_progress_donated", "console_progress_percent",
        "console_funnel_invited", "console_funnel_per_unit"],
      c.waves.map((w) => [w.label, w.drives, w.target, w.registered, w.arrived, w.donated, w.percent + "%",
        w.mobilization.invited, w.mobilization.per_unit_text])),
      el("h3", {}, t("console_progress_by_unit")),
      table(["console_progress_unit", "console_progress_registered", "console_progress_donated"],
        c.units.map((u) => [u.unit, u.registered, u.donated])),
    ];
  }

  console_.view("/drive/:id/progress", (main, p) => {
    console_.setTitle(t("console_progress_title"));
    return screen(main, () => console_.api("GET", `/drives/${encodeURIComponent(p.id)}/progress`), driveView);
  });

  console_.view("/campaign/:id", (main, p) => {
    console_.setTitle(t("console_progress_title"));
    return screen(main, () => console_.api("GET", `/campaigns/${encodeURIComponent(p.id)}/progress`), campaignView);
  });

  console_.view("/campaigns", async (main) => {
    console_.setTitle(t("console_progress_campaigns"));
    const list = await console_.api("GET", "/campaigns");
    main.replaceChildren(el("h2", {}, t("console_progress_campaigns")),
      list.length ? el("div", {}, list.map((c) => el("button", { class: "card", "data-campaign": c.id,
        onclick: () => console_.go("/campaign/" + c.id) },
      el("strong", {}, c.name), el("br", {}), `${c.collected}/${c.target} · ${c.percent}%`)))
        : el("p", { class: "hint" }, t("console_progress_no_campaigns")));
  });

  return { live, chart };
})();
