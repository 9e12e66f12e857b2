// The console's script: progressive enhancement only. Every screen works
// without it; with it, live parts refresh themselves and countdowns tick.
// A screen adds behaviour in a file of its own (assets/NAME.js), started
// from the "herald:ready" event with the element it should enhance.
"use strict";

// human writes a duration like the server does ("12 min", "3 h 20 min").
function heraldHuman(ms) {
  const s = Math.floor(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
  if (s < 60) return s + " s";
  if (m < 60) return m + " min";
  if (h < 24) return m % 60 ? h + " h " + (m % 60) + " min" : h + " h";
  return h % 24 ? d + " d " + (h % 24) + " h" : d + " d";
}

// Countdowns: <time class="countdown" data-due="RFC3339"> says "in 4 min"
// and turns into "overdue by 2 min" (in words and colour) once past.
function heraldTick(root) {
  const now = Date.now();
  for (const el of root.querySelectorAll("time.countdown[data-due]")) {
    const due = Date.parse(el.dataset.due);
    if (isNaN(due)) continue;
    if (due >= now) {
      el.textContent = "in " + heraldHuman(due - now);
      el.classList.remove("overdue");
    } else {
      el.textContent = "overdue by " + heraldHuman(now - due);
      el.classList.add("overdue");
    }
  }
}

// Live parts: <div data-live="URL" data-every="15"> is replaced by what
// URL answers, every so many seconds, while the tab is visible. A failed
// refresh keeps what is shown and says so.
function heraldLive(el) {
  const every = (parseInt(el.dataset.every, 10) || 15) * 1000;
  let failed = false;
  async function refresh() {
    if (document.hidden) return;
    try {
      const res = await fetch(el.dataset.live, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (res.redirected || !res.ok) throw new Error("HTTP " + res.status);
      el.innerHTML = await res.text();
      el.removeAttribute("aria-busy");
      failed = false;
      heraldTick(el);
      document.dispatchEvent(new CustomEvent("herald:ready", { detail: el }));
    } catch (e) {
      if (!failed) {
        failed = true;
        const note = document.createElement("p");
        note.className = "error";
        note.setAttribute("role", "status");
        note.textContent = "Could not refresh (" + e.message + "); showing what was last loaded.";
        el.prepend(note);
      }
    }
  }
  setInterval(refresh, every);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll("[data-live]")) heraldLive(el);
  heraldTick(document);
  setInterval(() => heraldTick(document), 1000);
  document.dispatchEvent(new CustomEvent("herald:ready", { detail: document }));
});
