/* tarwatch's pages, 2 of 7: loading data. Fetched as JSON when the page is served, and loaded
 * as a small .js file (window.TARWATCH registrations) when it is opened from disk, where
 * browsers refuse fetch. No CDN, nothing external. */
(function (TW) {
  "use strict";

  function loadScript(src, key) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = function () {
        var data = (window.TARWATCH || {})[key];
        if (data) resolve(data);
        else reject(new Error(src + " did not register " + key));
      };
      s.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }

  /* Given a source {json, js, key}, resolve to its data: fetched as JSON when served over
   * http(s), else (from disk, or when fetch fails, e.g. across origins) as a registration. */
  function load(src) {
    if (!/^https?:$/.test(location.protocol) || !src.json) return loadScript(src.js, src.key);
    return fetch(src.json, { cache: "no-cache" })
      .then(function (r) {
        if (!r.ok) throw new Error(src.json + ": HTTP " + r.status);
        return r.json();
      })
      .catch(function () { return loadScript(src.js, src.key); });
  }

  /* Given an element and an error, say in it that its data could not be loaded. */
  function failed(box, err) {
    box.appendChild(TW.el("p", { class: "tw-error", text: "could not load the data: " + err.message }));
  }

  TW.load = load;
  TW.failed = failed;
})(window.tarwatch = window.tarwatch || {});
