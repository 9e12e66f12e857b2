// On call: the schedule timeline is drawn on the server in the schedule's
// time zone (or the one chosen). When the browser's own zone differs, offer
// a link that shows it in that zone instead; nothing changes by itself.
"use strict";

document.addEventListener("herald:ready", (ev) => {
  const root = ev.detail || document;
  for (const el of root.querySelectorAll("[data-tz-offer]")) {
    if (el.dataset.done) continue;
    el.dataset.done = "1";
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    if (!zone || zone === el.dataset.zone) continue;
    const a = document.createElement("a");
    a.href = el.dataset.path + "?tz=" + encodeURIComponent(zone);
    a.textContent = "Show in your time zone (" + zone + ")";
    el.append(a);
  }
});
