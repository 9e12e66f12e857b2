// Status page administration: a maintenance's window is entered in UTC;
// beside each time the browser shows the same moment in the person's own
// time zone, as a hint only (the server reads UTC, with or without this).
"use strict";

function heraldLocalHint(input) {
  const hint = input.getAttribute("aria-describedby") && document.getElementById(input.getAttribute("aria-describedby"));
  if (!hint) return;
  const show = () => {
    const v = input.value;
    const t = v ? Date.parse(v + (v.length === 16 ? ":00Z" : "Z")) : NaN;
    if (isNaN(t)) { hint.textContent = ""; return; }
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
    hint.textContent = "Your time (" + zone + "): " + new Date(t).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  };
  input.addEventListener("input", show);
  input.addEventListener("change", show);
  show();
}

document.addEventListener("herald:ready", (e) => {
  const root = e.detail || document;
  for (const el of root.querySelectorAll("input.utc-time")) {
    if (el.dataset.hinted) continue;
    el.dataset.hinted = "1";
    heraldLocalHint(el);
  }
});
