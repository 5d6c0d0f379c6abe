/* tarwatch's pages: the colour theme. The reader chooses light, dark or the system's (the
 * header's #tw-theme select); the choice is kept in localStorage ("tarwatch.theme") and
 * applied as the root's data-tw-theme ("light", "dark", "auto"; tarwatch.css defines the
 * colours of each). Loaded in <head>, before the styles are used, so that a dark page is
 * never first painted light. When the theme changes (the select, or the system's while
 * following it), a "tarwatch:theme" event goes to the document with detail {dark: bool},
 * for what draws with colours read once (charts). Loaded before format.js; nothing else here.
 */
(function (TW) {
  "use strict";

  var KEY = "tarwatch.theme", CHOICES = ["auto", "light", "dark"];
  var root = document.documentElement;
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored() {
    var v = null;
    try { v = window.localStorage.getItem(KEY); } catch (e) { /* storage blocked: follow the system */ }
    return CHOICES.indexOf(v) >= 0 ? v : "auto";
  }

  /* Given a choice, return whether the page is dark with it. */
  function isDark(choice) {
    return choice === "dark" || (choice === "auto" && !!system && system.matches);
  }

  function announce() {
    var ev = document.createEvent("CustomEvent");
    ev.initCustomEvent("tarwatch:theme", false, false, { dark: isDark(current()) });
    document.dispatchEvent(ev);
  }

  function current() {
    var v = root.getAttribute("data-tw-theme");
    return CHOICES.indexOf(v) >= 0 ? v : "auto";
  }

  /* Given a choice, apply it, keep it and tell the page. */
  function choose(choice) {
    root.setAttribute("data-tw-theme", choice);
    try { window.localStorage.setItem(KEY, choice); } catch (e) { /* not kept, still applied */ }
    announce();
  }

  root.setAttribute("data-tw-theme", stored());
  root.setAttribute("data-tw-themes", ""); // the header's choice is shown (site.css): it works
  if (system && system.addEventListener) {
    system.addEventListener("change", function () { if (current() === "auto") announce(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("tw-theme");
    if (!select) return;
    select.value = current();
    select.addEventListener("change", function () { choose(select.value); });
  });

  TW.theme = { dark: function () { return isDark(current()); }, choose: choose };
})(window.tarwatch = window.tarwatch || {});
