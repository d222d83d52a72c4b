// The organizer console in a panel beside the chat, as Telegram opens a
// Mini App: for a user whose chat has the console as its menu button (or
// who taps an "Open console" button). The panel's page finds the simulated
// Telegram.WebApp below through window.parent.donorbotWebApp(window).
"use strict";

// user: whose console is open; opening: whose is being signed in;
// dismissed: who closed theirs, so it does not reopen at the next message.
const consolePanel = { user: 0, url: "", session: null, back: null, scan: null, opening: 0, dismissed: 0 };

// donorbotWebApp is the Telegram.WebApp of the panel: initData signed by
// the playground for the active user, and a QR scanner that "reads" the
// check-in codes of the playground's people.
window.donorbotWebApp = () => {
  const s = consolePanel.session || { init_data: "", user: null, auth_date: 0 };
  const noop = () => {};
  return {
    initData: s.init_data,
    initDataUnsafe: { user: s.user, auth_date: s.auth_date },
    version: "8.0",
    platform: "playground",
    colorScheme: "light",
    themeParams: { bg_color: "#ffffff", text_color: "#222222", hint_color: "#777777", link_color: "#1d5d9b",
      button_color: "#b3141c", button_text_color: "#ffffff", secondary_bg_color: "#eef2f5" },
    ready: noop,
    expand: noop,
    close: () => dismissConsole(),
    BackButton: {
      show() { $("console-back").hidden = false; },
      hide() { $("console-back").hidden = true; },
      onClick(cb) { consolePanel.back = cb; },
      offClick() { consolePanel.back = null; },
    },
    MainButton: { show: noop, hide: noop, setText: noop, setParams: noop, onClick: noop, offClick: noop },
    showAlert(text, cb) { toast(text, true); if (cb) cb(); },
    showScanQrPopup: (params, cb) => openScanner(params || {}, cb),
    closeScanQrPopup: () => closeScanner(),
  };
};

// showConsole opens (or keeps) the panel for the active user at url, the
// bot's console address; it is loaded from this page's own server, so the
// panel's page and this one share an origin.
async function showConsole(url) {
  const path = new URL(url, location.href).pathname;
  if (consolePanel.user === state.user && consolePanel.url === path && !$("console").hidden) return;
  const user = state.user;
  if (consolePanel.opening === user) return;
  consolePanel.opening = user;
  let session;
  try {
    session = await api("webapp", { user });
  } catch (e) {
    status("Console: " + e.message);
    return;
  } finally {
    consolePanel.opening = 0;
  }
  if (user !== state.user) return; // switched meanwhile
  consolePanel.dismissed = 0;
  Object.assign(consolePanel, { user, url: path, session, back: null });
  $("console-back").hidden = true;
  $("console").hidden = false;
  // A fresh page per user: Telegram opens the Mini App anew for each.
  $("console-frame").src = path + "?user=" + user;
}

function closeConsole() {
  closeScanner();
  $("console").hidden = true;
  $("console-frame").src = "about:blank";
  Object.assign(consolePanel, { user: 0, url: "", session: null, back: null });
}

// menuButton renders the chat's menu button, left of the composer as on a
// phone, and opens the console the first time a chat shows it.
function menuButton(mb) {
  const btn = $("menu-button");
  if (!mb) {
    btn.hidden = true;
    if (consolePanel.user && consolePanel.user !== state.user) closeConsole();
    return;
  }
  btn.hidden = false;
  btn.textContent = "☰ " + mb.text;
  btn.onclick = () => ($("console").hidden ? showConsole(mb.web_app) : dismissConsole());
  if (consolePanel.user !== state.user && consolePanel.dismissed !== state.user) showConsole(mb.web_app);
}

// openScanner is the simulated camera: the people with a check-in code
// (their /mycode QR, made by the bot); picking one "scans" it, and the
// console's callback returning true closes the popup, as in Telegram.
async function openScanner(params, cb) {
  const box = $("scanner");
  const list = $("scanner-people");
  $("scanner-text").textContent = params.text || "Scan a QR code";
  list.replaceChildren();
  consolePanel.scan = cb;
  box.hidden = false;
  let people;
  try {
    people = await api("scannable");
  } catch (e) {
    list.textContent = e.message;
    return;
  }
  if (!people.length) list.textContent = "No one has a check-in code yet: a donor's /mycode needs a finished profile.";
  for (const p of people) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.person = p.id;
    b.textContent = p.name + " — /mycode";
    b.title = p.code;
    b.addEventListener("click", () => {
      const done = consolePanel.scan ? consolePanel.scan(p.code) : true;
      if (done === true) closeScanner();
    });
    list.appendChild(b);
  }
}

function closeScanner() {
  $("scanner").hidden = true;
  consolePanel.scan = null;
}

$("console-back").addEventListener("click", () => { if (consolePanel.back) consolePanel.back(); });
function dismissConsole() {
  consolePanel.dismissed = state.user;
  closeConsole();
}

$("console-close").addEventListener("click", dismissConsole);
$("scanner-cancel").addEventListener("click", closeScanner);
