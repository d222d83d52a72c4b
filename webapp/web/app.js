// The console's core: who is signed in, the API, texts, and the views.
// Each view script calls console.view(pattern, render) to add a screen.
"use strict";

const console_ = (() => {
  // Telegram.WebApp inside Telegram; the playground's simulation in its
  // panel. Set by start(), once webApp() has found it.
  let tg = null;
  const views = [];
  let me = null;

  // api calls /console/api<path> with the initData as the credential.
  async function api(method, path, body) {
    const opts = { method, headers: { "Authorization": "tma " + (tg ? tg.initData : "") } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch("api" + path, opts);
    const data = await res.json().catch(() => ({ error: "internal", message: t("console_err_internal") }));
    if (!res.ok) {
      const err = new Error(data.message || data.error);
      err.status = res.status;
      err.code = data.error;
      err.data = data; // e.g. a form's "fields": texts beside its inputs
      throw err;
    }
    return data;
  }

  // t renders a console text: {Name} placeholders from data, and the
  // plural form picked by data.Count (English one/other).
  function t(key, data) {
    let s = me && me.texts[key];
    if (s === undefined) return key;
    if (typeof s === "object") {
      s = (data && data.Count === 1 && s.one) ? s.one : s.other;
    }
    return s.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, k) => (data && data[k] !== undefined ? String(data[k]) : ""));
  }

  // el builds an element: el("button", {class: "primary", onclick}, "text", child...).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "class") e.className = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  // view registers a screen for a hash path pattern like "/drive/:id".
  function view(pattern, render) {
    const names = [];
    const re = new RegExp("^" + pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return "([^/]+)"; }) + "$");
    views.push({ re, names, render });
  }

  function go(path) { location.hash = "#" + path; }

  function toast(text) {
    const box = document.getElementById("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 3000);
  }

  function setTitle(text) { document.getElementById("title").textContent = text; }

  async function show() {
    const path = location.hash.replace(/^#/, "") || "/drives";
    const main = document.getElementById("view");
    const back = document.getElementById("back");
    back.hidden = path === "/drives";
    if (tg && tg.BackButton) {
      if (back.hidden) tg.BackButton.hide(); else tg.BackButton.show();
    }
    for (const v of views) {
      const m = path.match(v.re);
      if (!m) continue;
      const params = {};
      v.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      main.replaceChildren(el("p", { class: "hint" }, t("console_loading")));
      try {
        await v.render(main, params);
      } catch (err) {
        main.replaceChildren(el("p", { class: "error" }, err.message),
          el("button", { class: "secondary", onclick: () => show() }, t("console_retry")));
      }
      return;
    }
    go("/drives");
  }

  // playgroundWebApp is the playground's simulated Telegram.WebApp when
  // this page is its panel; a parent of another origin (Telegram Web)
  // cannot be read, which is not an error.
  function playgroundWebApp() {
    try {
      if (window.parent !== window && typeof window.parent.donorbotWebApp === "function") {
        return window.parent.donorbotWebApp(window);
      }
    } catch (err) { /* cross-origin parent */ }
    return null;
  }

  // telegramWebApp loads Telegram's script, which reads the launch data
  // Telegram put in the address. It is loaded here rather than by a tag in
  // index.html so that offline (the playground, a laptop) nothing waits
  // for telegram.org: a failed load only means "not inside Telegram".
  function telegramWebApp() {
    const found = () => (window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.initData
      ? window.Telegram.WebApp : null);
    // Already there: a client that injects it, or a test's stand-in.
    if (found()) return Promise.resolve(found());
    return new Promise((resolve) => {
      const s = document.createElement("script");
      s.src = "https://telegram.org/js/telegram-web-app.js?59";
      s.onload = () => resolve(found());
      s.onerror = () => resolve(found());
      document.head.append(s);
    });
  }

  async function start() {
    const main = document.getElementById("view");
    tg = playgroundWebApp() || await telegramWebApp();
    if (!tg) {
      main.replaceChildren(el("p", {}, "Mở trang này từ nút “Bảng điều khiển” trong donorbot trên Telegram. / Open this page from donorbot's Console button in Telegram."));
      return;
    }
    if (tg.ready) tg.ready();
    if (tg.expand) tg.expand();
    try {
      me = await api("GET", "/me");
    } catch (err) {
      main.replaceChildren(el("p", { class: "error" }, err.message));
      return;
    }
    document.documentElement.lang = me.lang;
    setTitle(t("console_title"));
    const back = () => history.length > 1 ? history.back() : go("/drives");
    document.getElementById("back").addEventListener("click", back);
    if (tg.BackButton && tg.BackButton.onClick) tg.BackButton.onClick(back);
    window.addEventListener("hashchange", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", start);
  return { api, t, el, view, go, toast, setTitle, show, tg: () => tg, me: () => me };
})();
