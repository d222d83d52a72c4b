// donorbot playground page: plain JavaScript, no framework, no build step.
// It long-polls the playground API for the chat of the selected user and
// sends what that user types or taps.
"use strict";

// rendered maps message id to {key, el}: a message is rebuilt only when it
// changed (edited), so buttons being clicked are not replaced under the
// pointer and the chat does not flicker.
const state = { users: [], user: 0, version: "", seen: {}, counts: {}, poll: null, lastKeyboard: "", rendered: new Map(), notices: new Set() };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const res = await fetch("api/" + path, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function status(text) { $("status").textContent = text || ""; }

// Telegram's HTML parse mode: only these tags survive; everything else is
// kept as text. The text is parsed by DOMParser (which runs no scripts) and
// rebuilt node by node, so no markup from a message reaches the page as is.
const allowedTags = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
  "blockquote", "span", "tg-spoiler", "tg-emoji"]);

function safeHTML(src) {
  const doc = new DOMParser().parseFromString("<body>" + src, "text/html");
  const out = document.createDocumentFragment();
  const copy = (from, to) => {
    for (const n of from.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) { to.appendChild(document.createTextNode(n.textContent)); continue; }
      if (n.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = n.tagName.toLowerCase();
      if (!allowedTags.has(tag)) { copy(n, to); continue; }
      let el;
      if (tag === "a") {
        el = document.createElement("a");
        const href = n.getAttribute("href") || "";
        if (/^(https?:|tg:|mailto:)/i.test(href)) { el.href = href; el.target = "_blank"; el.rel = "noopener noreferrer"; }
      } else if (tag === "tg-spoiler" || (tag === "span" && n.classList.contains("tg-spoiler"))) {
        el = document.createElement("span"); el.className = "spoiler";
      } else if (tag === "tg-emoji" || tag === "span") {
        el = document.createElement("span");
      } else {
        el = document.createElement(tag);
      }
      copy(n, el);
      to.appendChild(el);
    }
  };
  copy(doc.body, out);
  return out;
}

// Deep links to the bot (t.me/<bot>?start=<param>, as on QR posters) open
// in the playground: the chosen user "scans" it, which sends /start <param>
// in their chat, as Telegram does.
const deepLink = /https:\/\/t\.me\/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]{1,64})/g;

function renderText(el, text, mode) {
  if (mode === "HTML") { el.appendChild(safeHTML(text)); return; }
  let at = 0;
  for (const m of text.matchAll(deepLink)) {
    el.appendChild(document.createTextNode(text.slice(at, m.index)));
    const a = document.createElement("a");
    a.href = "#"; a.className = "deeplink"; a.textContent = m[0];
    a.title = "Open this link as one of the playground's users";
    a.addEventListener("click", (ev) => { ev.preventDefault(); openAs(a, m[1]); });
    el.appendChild(a);
    at = m.index + m[0].length;
  }
  el.appendChild(document.createTextNode(text.slice(at)));
}

function openAs(link, param) {
  const old = link.parentNode.querySelector(".open-as");
  if (old) { old.remove(); return; }
  const menu = document.createElement("span");
  menu.className = "open-as";
  menu.appendChild(document.createTextNode(" open as: "));
  for (const u of state.users) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = u.name;
    b.addEventListener("click", async () => {
      menu.remove();
      select(u.id);
      await act("send", { text: "/start " + param });
    });
    menu.appendChild(b);
  }
  link.after(menu);
}

function fileURL(f, download) {
  return "api/file/" + encodeURIComponent(f.id) + (download ? "?download=1" : "");
}

function renderMessage(m) {
  const el = document.createElement("div");
  el.className = "msg " + (m.from_bot ? "bot" : "user");
  el.dataset.id = m.id;
  if (m.kind === "photo" && m.file) {
    const img = document.createElement("img");
    img.src = fileURL(m.file); img.alt = m.file.name || "photo";
    el.appendChild(img);
  } else if (m.file) {
    // As Telegram does, a picture sent as a file (the A4 poster) shows a
    // preview above its download link.
    if (/\.(png|jpe?g)$/i.test(m.file.name || "")) {
      const img = document.createElement("img");
      img.src = fileURL(m.file); img.alt = m.file.name; img.className = "preview";
      el.appendChild(img);
    }
    const a = document.createElement("a");
    a.className = "file"; a.href = fileURL(m.file, true); a.download = m.file.name || "";
    a.textContent = "📎 " + (m.file.name || m.kind) + " (" + Math.max(1, Math.round(m.file.size / 1024)) + " KB)";
    el.appendChild(a);
  } else if (m.kind === "contact") {
    el.appendChild(document.createTextNode("📱 contact shared"));
  }
  const body = m.kind === "text" ? m.text : m.caption;
  if (body) {
    const t = document.createElement("div");
    t.className = "text";
    renderText(t, body, m.parse_mode);
    el.appendChild(t);
  }
  if (m.buttons && m.buttons.length) {
    const kb = document.createElement("div");
    kb.className = "inline";
    for (const row of m.buttons) {
      const r = document.createElement("div");
      r.className = "row";
      for (const b of row) {
        let btn;
        if (b.web_app) {
          btn = document.createElement("button");
          btn.type = "button";
          btn.className = "web-app";
          btn.addEventListener("click", () => showConsole(b.web_app));
        } else if (b.url) {
          btn = document.createElement("a");
          btn.href = b.url; btn.target = "_blank"; btn.rel = "noopener noreferrer";
        } else {
          btn = document.createElement("button");
          btn.type = "button";
          btn.addEventListener("click", () => act("tap", { message_id: m.id, data: b.data }));
        }
        btn.textContent = b.text;
        r.appendChild(btn);
      }
      kb.appendChild(r);
    }
    el.appendChild(kb);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = (m.edited ? "edited · " : "") + new Date(m.date * 1000).toLocaleTimeString();
  el.appendChild(meta);
  return el;
}

function renderKeyboard(rows) {
  const kb = $("keyboard");
  kb.replaceChildren();
  for (const row of rows || []) {
    const r = document.createElement("div");
    r.className = "row";
    for (const b of row) {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.text;
      if (b.request_contact) {
        btn.className = "contact";
        btn.title = "Shares this user's phone number, as Telegram does";
        btn.addEventListener("click", () => act("contact", {}));
      } else {
        btn.addEventListener("click", () => act("send", { text: b.text }));
      }
      r.appendChild(btn);
    }
    kb.appendChild(r);
  }
}

function renderUsers() {
  const nav = $("users");
  nav.replaceChildren();
  for (const u of state.users) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.user = u.id;
    b.className = u.id === state.user ? "active" : "";
    b.appendChild(document.createTextNode(u.name + " "));
    const role = document.createElement("span");
    role.className = "role";
    role.textContent = "(" + u.role.replace("_", " ") + ", " + u.lang + ")";
    b.appendChild(role);
    const unread = (state.counts[u.id] || 0) - (state.seen[u.id] || 0);
    if (u.id !== state.user && unread > 0) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = unread;
      b.appendChild(badge);
    }
    b.addEventListener("click", () => select(u.id));
    nav.appendChild(b);
  }
}

function render(view) {
  state.counts = view.counts || {};
  state.seen[state.user] = state.counts[state.user] || 0;
  renderUsers();
  const chat = $("chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  const next = new Map();
  let changed = view.messages.length !== state.rendered.size;
  const els = view.messages.map((m) => {
    const key = JSON.stringify(m);
    const old = state.rendered.get(m.id);
    if (old && old.key === key) { next.set(m.id, old); return old.el; }
    changed = true;
    const el = renderMessage(m);
    next.set(m.id, { key, el });
    return el;
  });
  state.rendered = next;
  if (changed) {
    // Unchanged messages stay attached (not removed and put back), so a
    // click or a text selection in them survives new messages.
    els.forEach((el, i) => { if (chat.children[i] !== el) chat.insertBefore(el, chat.children[i] || null); });
    while (chat.children.length > els.length) chat.lastChild.remove();
    if (atBottom || els.length) chat.scrollTop = chat.scrollHeight;
  }
  const kbKey = JSON.stringify(view.keyboard);
  if (kbKey !== state.lastKeyboard) {
    state.lastKeyboard = kbKey;
    renderKeyboard(view.keyboard);
  }
  // The bot's answers to taps: new ones pop up as Telegram's toast does;
  // those already there when the chat was opened are old news.
  const fresh = state.firstView;
  for (const n of view.notices || []) {
    if (state.notices.has(n.update_id)) continue;
    state.notices.add(n.update_id);
    if (!fresh) toast(n.text, n.alert);
  }
  state.firstView = false;
  menuButton(view.menu_button);
  const probs = $("problems");
  probs.hidden = !(view.problems && view.problems.length);
  probs.textContent = probs.hidden ? "" :
    "⚠ The bot made " + view.problems.length + " request(s) the real Telegram Bot API would refuse: " + view.problems.join("; ");
}

function toast(text, alert) {
  const el = document.createElement("div");
  el.className = "toast" + (alert ? " alert" : "");
  el.setAttribute("role", "alert");
  el.textContent = text;
  el.addEventListener("click", () => el.remove());
  $("toasts").appendChild(el);
  setTimeout(() => el.remove(), alert ? 8000 : 4000);
}

async function loop(user, signal) {
  while (!signal.aborted) {
    try {
      const url = "chat?user=" + user + "&since=" + encodeURIComponent(state.version);
      const res = await fetch("api/" + url, { signal });
      if (!res.ok) throw new Error(res.statusText);
      const view = await res.json();
      if (signal.aborted) return;
      state.version = view.version;
      render(view);
      status("");
    } catch (e) {
      if (signal.aborted) return;
      status("Lost the playground (" + e.message + "); retrying…");
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function select(id) {
  if (state.poll) state.poll.abort();
  state.user = id;
  state.version = "";
  state.lastKeyboard = "";
  state.rendered = new Map();
  state.firstView = true;
  state.poll = new AbortController();
  $("chat").replaceChildren();
  $("keyboard").replaceChildren();
  renderUsers();
  history.replaceState(null, "", "#" + id);
  loop(id, state.poll.signal);
}

async function act(kind, body) {
  try {
    await api(kind, Object.assign({ user: state.user }, body));
    status("");
  } catch (e) {
    status(e.message);
  }
}

$("composer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("input").value.trim();
  if (!text) return;
  $("input").value = "";
  act("send", { text });
});

(async () => {
  state.users = await api("users");
  const fromHash = Number(location.hash.slice(1));
  select(state.users.some((u) => u.id === fromHash) ? fromHash : state.users[0].id);
})();
