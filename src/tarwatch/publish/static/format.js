/* tarwatch's pages: the facts and rules of tarwatch.human, applied in the
 * browser. The facts (icons, colours, steps, units) come from the page (the JSON of
 * #tw-facts, written from tarwatch.human), so nothing here repeats them; the rules are
 * those of human.py, checked against the same cases by tests/e2e/test_human_in_chromium.py.
 * The small DOM pieces every view uses (el, badge, the snooze mark) are here too.
 *
 * The scripts share one namespace, window.tarwatch, and are loaded in the order of
 * tarwatch.publish.context.SCRIPTS: format.js first, main.js last. No build step, no modules.
 *
 * Everything that comes from a node (hub, node and item names, paths, messages) is put into
 * the page as text (textContent, DOM APIs), never as HTML.
 */
(function (TW) {
  "use strict";

  var blob = document.getElementById("tw-facts");
  if (!blob) throw new Error("tarwatch: the page has no #tw-facts (tarwatch.human)");
  var F = (TW.facts = JSON.parse(blob.textContent));
  TW.RANK = { ok: 0, unknown: 1, warn: 2, alarm: 3 };

  // The status colours are CSS custom properties set from the facts, light and dark
  // (--tw-ok-light, --tw-ok-bg-dark, …); tarwatch.css makes --tw-ok, --tw-ok-bg of the theme's.
  [["colors", "-light"], ["colors_dark", "-dark"]].forEach(function (theme) {
    Object.keys(F[theme[0]]).forEach(function (s) {
      var c = F[theme[0]][s], root = document.documentElement.style;
      root.setProperty("--tw-" + s + theme[1], c.text);
      root.setProperty("--tw-" + s + "-bg" + theme[1], c.background);
    });
  });

  /* Given a number and 0 or 1 decimals, return what Python's f"{x:.1f}" returns: the float's
     exact value rounded, half to even. toFixed rounds that exact value too, but a tie up; a
     float is an exact tie only when 2x (0 decimals) or 4x (1 decimal) is an odd integer. */
  function fixed(x, d) {
    var m = x * (d ? 4 : 2);
    if (Number.isInteger(m) && m % 2 !== 0) {
      var scale = d ? 10 : 1, n = Math.floor(x * scale);
      if (n % 2 !== 0) n += 1;
      return (n / scale).toFixed(d);
    }
    return x.toFixed(d);
  }

  function step(secs) {
    for (var i = 0; i < F.steps.length; i++) {
      var s = F.steps[i];
      if (s.below == null || secs < s.below) {
        var x = secs / s.unit;
        return { text: x < s.fine_below ? fixed(x, 1).replace(/\.0$/, "") : fixed(x, 0), step: s };
      }
    }
    throw new Error("the last step has no bound");
  }

  /* Given seconds, return them in words: "45 minutes", "3.2 days", "50 hours". */
  function duration(seconds) {
    var r = step(Math.abs(seconds));
    return r.text + " " + r.step.word;
  }

  /* Given an age in seconds, return it in a few characters: "45m", "30h", "3.2d", "-2h"; NONE
     for null. */
  function age(seconds) {
    if (seconds == null) return F.none;
    var r = step(Math.abs(seconds));
    return (seconds < 0 ? "-" : "") + r.text + r.step.letter;
  }

  /* Given bytes, return a short size ("4.0 GiB", "512 B"), or NONE for null. */
  function size(n) {
    if (n == null) return F.none;
    var units = F.size.units, x = n;
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(x) < F.size.base || i === units.length - 1) return fixed(x, units[i].decimals) + " " + units[i].unit;
      x /= F.size.base;
    }
  }

  /* Given bytes, return the short size and the exact count ("4.0 GiB (4,299,161,600 bytes)"),
     or only the count below 1 KiB ("512 bytes"). */
  function exactSize(n) {
    var count = String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + " bytes";
    return n >= F.size.base ? size(n) + " (" + count + ")" : count;
  }

  /* Given epoch seconds (or an ISO 8601 text of the status document), return the moment for
     people: "2026-11-20 03:00 UTC"; "2026-11-20 03:00" when zone is false. */
  function when(t, zone) {
    if (t == null) return F.none;
    var ms = typeof t === "string" ? Date.parse(t) : t * 1000;
    var text = new Date(ms).toISOString().slice(0, 16).replace("T", " ");
    return zone === false ? text : text + " UTC";
  }

  /* Make an element: attrs set as properties or attributes, children appended as nodes or text. */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] == null) continue;
        if (k === "text") e.textContent = attrs[k];
        else if (k === "class") e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      e.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function icon(status) {
    return F.icons[status] || F.icons.unknown;
  }

  function badge(status, label) {
    var s = TW.RANK[status] == null ? "unknown" : status;
    return el("span", { class: "tw-badge tw-" + s, title: s },
      el("span", { class: "tw-icon", "aria-hidden": "true", text: icon(s) }), " ", label || s);
  }

  /* Given a `snoozed` value of the status document ({until, why} or null), return the words
     people read ("snoozed until 2026-11-27 12:00 UTC: disk swap"), or "" when not snoozed. */
  function snoozeText(s) {
    if (!s) return "";
    return "snoozed until " + (s.until ? when(s.until) : "further notice") + (s.why ? ": " + s.why : "");
  }

  function snoozeMark(s) {
    return el("span", { class: "tw-tag tw-snoozed", title: snoozeText(s), text: F.snoozed + " snoozed" });
  }

  TW.fixed = fixed;
  TW.duration = duration;
  TW.age = age;
  TW.size = size;
  TW.exactSize = exactSize;
  TW.when = when;
  TW.el = el;
  TW.icon = icon;
  TW.badge = badge;
  TW.snoozeText = snoozeText;
  TW.snoozeMark = snoozeMark;
})(window.tarwatch = window.tarwatch || {});
