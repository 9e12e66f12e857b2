// The status update composer (templates/compose.html): counts, as you
// type, what R14 limits: the characters before the incident link (220) and
// the length in all with every link counted as 23 (280). It mirrors
// herald.CheckUpdate and SocialLength; the server's dry run ("Check")
// remains the authority. Picking a template asks the server to fill it in.
"use strict";

const heraldLinkRE = /https?:\/\/[^\s<>"]+/g;

// heraldRunes counts characters as Go counts runes (code points).
function heraldRunes(s) { return Array.from(s).length; }

function heraldSocialLength(text, linkLength) {
  let n = 0, last = 0;
  for (const m of text.matchAll(heraldLinkRE)) {
    n += heraldRunes(text.slice(last, m.index)) + linkLength;
    last = m.index + m[0].length;
  }
  return n + heraldRunes(text.slice(last));
}

// heraldComposeCount returns what the checks would count for the typed
// text: the body trimmed, the link appended when the mode appends it.
function heraldComposeCount(body, link, mode, linkLength) {
  let text = body.trim();
  if (mode === "append" && link && !text.includes(link)) text = (text + " " + link).trim();
  let before = text;
  const i = link ? text.indexOf(link) : -1;
  if (i >= 0) before = text.slice(0, i);
  return { before: heraldRunes(before.trim()), total: heraldSocialLength(text, linkLength) };
}

function heraldComposer(form) {
  if (form.dataset.enhanced) return;
  form.dataset.enhanced = "1";
  const body = form.querySelector("textarea[name=body]");
  const counters = form.querySelector("#counters");
  const tmpl = form.querySelector("select[name=template]");
  const applied = form.querySelector("input[name=applied_template]");
  const check = form.querySelector("button[value=check]");
  if (!body || !counters) return;
  const link = form.dataset.link || "", mode = form.dataset.linkMode || "append";
  const linkLength = parseInt(form.dataset.linkLength, 10) || 23;
  const max = { before: parseInt(form.dataset.maxBefore, 10) || 220, total: parseInt(form.dataset.maxTotal, 10) || 280 };
  function update() {
    const n = heraldComposeCount(body.value, link, mode, linkLength);
    for (const key of ["before", "total"]) {
      const el = counters.querySelector("[data-counter=" + key + "]");
      if (!el) continue;
      el.querySelector("[data-value]").textContent = n[key];
      const over = n[key] > max[key];
      el.classList.toggle("over", over);
      let note = el.querySelector(".over-note");
      if (over && !note) {
        // Announced once when a limit is crossed, not at every key.
        note = document.createElement("strong");
        note.className = "over-note";
        note.setAttribute("role", "status");
        note.textContent = " too long";
        el.append(note);
      } else if (!over && note) {
        note.remove();
      }
    }
  }
  counters.hidden = false;
  body.addEventListener("input", update);
  // Checks shown from an earlier dry run no longer describe what is typed
  // or picked: say so, once, until the next Check.
  const checks = form.querySelector("#checks");
  if (checks) {
    form.addEventListener("input", () => {
      if (checks.querySelector(".stale")) return;
      const note = document.createElement("p");
      note.className = "stale";
      note.setAttribute("role", "status");
      note.textContent = "You changed the update since this check: press Check again to see what would be published.";
      checks.prepend(note);
    });
  }
  update();
  // A template just picked is filled in by the server's dry run, which
  // shows the exact text and its checks.
  if (tmpl && check) {
    tmpl.addEventListener("change", () => {
      if (tmpl.value && tmpl.value !== (applied ? applied.value : "")) form.requestSubmit(check);
    });
  }
}

document.addEventListener("herald:ready", (e) => {
  const root = e.detail && e.detail.querySelectorAll ? e.detail : document;
  for (const form of root.querySelectorAll("form.composer")) heraldComposer(form);
});
