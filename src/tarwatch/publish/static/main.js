/* tarwatch's pages: the wiring, loaded last. A published page (it has #tw-site) gets its
 * banner, its overview, views or hub tables drawn from the URL's hash (nav.js), its charts and
 * its clock (live.js); any other page (Sphinx) gets the embedded containers of the directives:
 * status grids, node charts, seed stockcharts. */
(function (TW) {
  "use strict";

  var el = TW.el;

  /* Draw a chart into each [data-tw-chart] element once it scrolls into view. */
  function charts(root) {
    var boxes = root.querySelectorAll("[data-tw-chart]");
    var draw = function (box) {
      if (box.dataset.drawn) return;
      box.dataset.drawn = "yes";
      TW.load({ json: box.dataset.json, js: box.dataset.js, key: box.dataset.key })
        .then(function (doc) { TW.chart(box, doc); })
        .catch(function (e) { TW.failed(box, e); });
    };
    if (!window.IntersectionObserver) { boxes.forEach(draw); return; }
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { if (e.isIntersecting) { io.unobserve(e.target); draw(e.target); } });
    }, { rootMargin: "200px" });
    boxes.forEach(function (b) { io.observe(b); });
  }

  /* Embedded containers (the Sphinx directives): status grids, node charts, seed stockcharts. */
  function embedded(root) {
    root.querySelectorAll("[data-tw-status]").forEach(function (box) {
      TW.load({ json: box.dataset.json, js: box.dataset.js, key: "status" }).then(function (doc) {
        var hub = doc.hubs.filter(function (h) { return h.hub === box.dataset.twStatus; })[0];
        box.textContent = "";
        var b = el("div", { class: "tw-banner" });
        box.appendChild(b);
        TW.banner(b, doc, Number(box.dataset.staleHours || 26));
        box.appendChild(hub ? TW.grid(hub) : el("p", { class: "tw-error", text: "hub not in the status document" }));
      }).catch(function (e) { TW.failed(box, e); });
    });
    root.querySelectorAll("[data-tw-stockchart]").forEach(function (box) {
      fetch(box.dataset.twStockchart, { cache: "no-cache" })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (options) { TW.stockchart(box, options); })
        .catch(function (e) { TW.failed(box, e); });
    });
    charts(root);
  }

  function page() {
    var meta = document.getElementById("tw-site");
    if (!meta) { embedded(document); return; }
    var site = JSON.parse(meta.textContent);
    var main = document.querySelector("main");
    TW.load(site.status).then(function (doc) {
      var banner = document.getElementById("tw-banner");
      TW.banner(banner, doc, site.stale_hours);
      TW.nav.start(site, doc, main);
      TW.live(site, banner);
    }).catch(function (e) { TW.failed(main, e); });
    charts(document);
  }

  TW.charts = charts;
  TW.embedded = embedded;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", page);
  else page();
})(window.tarwatch = window.tarwatch || {});
