/* tarwatch's pages: loading data. Fetched as JSON when the page is served, and loaded
 * as a small .js file (window.TARWATCH registrations) when it is opened from disk, where
 * browsers refuse fetch. Loading again (the live page's re-fetch) asks for the file anew: no
 * cached copy, and a registration is only taken when the script just ran. No CDN, nothing
 * external. */
(function (TW) {
  "use strict";

  var scripts = {}; // key → the <script> element that last registered it

  function loadScript(src, key, fresh) {
    return new Promise(function (resolve, reject) {
      var reg = (window.TARWATCH = window.TARWATCH || {});
      delete reg[key];
      if (scripts[key]) scripts[key].remove();
      var s = document.createElement("script");
      s.src = fresh ? src + (src.indexOf("?") >= 0 ? "&" : "?") + "t=" + Date.now() : src;
      scripts[key] = s;
      s.onload = function () {
        var data = reg[key];
        if (data) resolve(data);
        else reject(new Error(src + " did not register " + key));
      };
      s.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }

  /* Given a source {json, js, key} (and fresh: true to ask again, past any cache), resolve to
   * its data: fetched as JSON when served over http(s), else (from disk, or when fetch fails,
   * e.g. across origins) as a registration. */
  function load(src, fresh) {
    if (!/^https?:$/.test(location.protocol) || !src.json) return loadScript(src.js, src.key, fresh);
    return fetch(src.json, { cache: fresh ? "no-store" : "no-cache" })
      .then(function (r) {
        if (!r.ok) throw new Error(src.json + ": HTTP " + r.status);
        return r.json();
      })
      .catch(function () { return loadScript(src.js, src.key, fresh); });
  }

  /* Given an element and an error, say in it that its data could not be loaded. */
  function failed(box, err) {
    box.appendChild(TW.el("p", { class: "tw-error", text: "could not load the data: " + err.message }));
  }

  TW.load = load;
  TW.failed = failed;
})(window.tarwatch = window.tarwatch || {});
