/* tarwatch's pages: a page left open stays true. Every minute the banner and every
 * age shown are recomputed (nav.js's tick); every five minutes, and when the page is shown
 * again after being hidden, the status is fetched anew and the view drawn again with it,
 * keeping the URL, the focus and the scroll (nav.js's update). A hidden page does nothing.
 * A failed re-fetch keeps what is shown, and the banner says so. */
(function (TW) {
  "use strict";

  var TICK = 60e3, PERIOD = 300e3, AGAIN = 30e3; // ms; AGAIN: shown again, re-fetched if older

  /* Given the site's facts and the banner element, start the clock. */
  function live(site, banner) {
    var fetched = Date.now(), busy = false, failure = null;

    function showBanner() {
      TW.banner(banner, TW.nav.state.doc, site.stale_hours);
      if (failure) {
        banner.appendChild(TW.el("span", { class: "tw-reload-failed",
          text: " Could not load newer data (" + TW.when(failure.at) + "): " + failure.message + "." }));
      }
    }

    function refetch() {
      if (busy) return;
      busy = true;
      fetched = Date.now();
      TW.load(site.status, true).then(function (doc) {
        failure = null;
        TW.nav.update(doc);
      }).catch(function (e) {
        failure = { at: Date.now() / 1000, message: e.message };
      }).then(function () {
        busy = false;
        showBanner();
        document.body.dataset.twFetched = String(fetched);
      });
    }

    function tick() {
      if (document.hidden) return; // made up for when the page is shown again
      showBanner();
      TW.nav.tick();
      if (!document.hidden && Date.now() - fetched >= PERIOD) refetch();
    }

    setInterval(tick, TICK);
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) return;
      if (Date.now() - fetched >= AGAIN) refetch();
      else tick();
    });
    TW.refetch = refetch;
  }

  TW.live = live;
})(window.tarwatch = window.tarwatch || {});
