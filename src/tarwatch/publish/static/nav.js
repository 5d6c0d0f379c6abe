/* tarwatch's pages: where the reader is, kept in the URL's hash, so that a view can be
 * shared and back and forward work:
 *
 *     #hub/ZZ/node/SDU?status=alarm      a node's view: its findings, items and chart
 *     #hub/ZZ/item/svn%2Fdybsvn?node=SDU  an item's history on every node of its hub
 *     #?q=svn&status=problems            the overview (or the hub page), filtered
 *
 * (names are percent-encoded; q is the search text, status one of all, problems, alarm, warn,
 * unknown, ok). The index page draws the overview or a view from the hash; the hub page keeps
 * its filters there and sends node and item views to the index page. Redrawing (live data,
 * filters) keeps the focus, the scroll and the tables' order. */
(function (TW) {
  "use strict";

  var el = TW.el;
  var STATUSES = ["all", "problems", "alarm", "warn", "unknown", "ok"];

  function dec(s) {
    try { return decodeURIComponent(s); } catch (e) { return s; }
  }

  /* Given a hash ("#hub/ZZ/item/svn%2Fdybsvn?node=SDU"), return the route: {view ("home",
   * "node", "item", or "other" for an anchor of the page), hub, node, item, q, status}. */
  function parse(hash) {
    var h = (hash || "").replace(/^#/, ""), query = "", k = h.indexOf("?");
    if (k >= 0) { query = h.slice(k + 1); h = h.slice(0, k); }
    var parts = h ? h.split("/") : [];
    var r = { view: "home", hub: null, node: null, item: null, q: "", status: "all" };
    if (parts[0] === "hub" && parts.length >= 2) {
      r.hub = dec(parts[1]);
      if (parts[2] === "node" && parts.length >= 4) { r.view = "node"; r.node = dec(parts.slice(3).join("/")); }
      else if (parts[2] === "item" && parts.length >= 4) { r.view = "item"; r.item = dec(parts.slice(3).join("/")); }
    } else if (h) {
      r.view = "other";
    }
    var p = new URLSearchParams(query);
    r.q = p.get("q") || "";
    r.status = STATUSES.indexOf(p.get("status")) >= 0 ? p.get("status") : "all";
    if (r.view === "item" && p.get("node")) r.node = p.get("node");
    return r;
  }

  /* Given a route, return its hash (only what differs from the defaults). */
  function format(r) {
    var path = "", p = new URLSearchParams();
    if (r.view === "node") path = "hub/" + encodeURIComponent(r.hub) + "/node/" + encodeURIComponent(r.node);
    else if (r.view === "item") {
      path = "hub/" + encodeURIComponent(r.hub) + "/item/" + encodeURIComponent(r.item);
      if (r.node) p.set("node", r.node);
    } else if (r.hub) path = "hub/" + encodeURIComponent(r.hub);
    if (r.q) p.set("q", r.q);
    if (r.status && r.status !== "all") p.set("status", r.status);
    var q = p.toString();
    return "#" + path + (q ? "?" + q : "");
  }

  /* Given a hub, node and item, return the item view's hash: format()'s, from the item's path
   * and the node's query made once each (the overview asks for 50,000 of them). */
  var itemPaths = Object.create(null), nodeQueries = Object.create(null);
  function itemHash(hub, node, item) {
    var key = hub + "\u0000" + item;
    var path = itemPaths[key] || (itemPaths[key] = format({ view: "item", hub: hub, item: item }));
    if (!node) return path;
    var q = nodeQueries[node] || (nodeQueries[node] = new URLSearchParams({ node: node }).toString());
    return path + "?" + q;
  }
  function nodeHash(hub, node) { return format({ view: "node", hub: hub, node: node }); }

  /* What the page draws with: the site's facts, the status document and the route drawn. */
  var S = { site: null, doc: null, route: null, hash: null, page: null, main: null, drawn: null,
    scrolls: {}, focus: {}, orders: {}, draws: 0, allProblems: false };

  function moment() { return TW.moment(S.doc, S.site.stale_hours); }

  /* The element in focus as a key that survives a redraw: its region, tag, href and text. */
  function focusKey() {
    var e = document.activeElement;
    if (!e || e === document.body || !S.main.contains(e)) return null;
    var region = e.closest("#tw-view, #tw-overview, #tw-problems, #tw-crumbs, table, main");
    return { region: region && region.id, tag: e.tagName, href: e.getAttribute("href"), text: e.textContent, id: e.id };
  }

  function refocus(k) {
    if (!k) return false;
    if (k.id && document.getElementById(k.id)) { document.getElementById(k.id).focus({ preventScroll: true }); return true; }
    var root = (k.region && document.getElementById(k.region)) || S.main;
    var sel = k.href != null ? k.tag + '[href="' + k.href.replace(/["\\]/g, "\\$&") + '"]' : k.tag;
    var found = root.querySelectorAll(sel);
    for (var i = 0; i < found.length; i++) {
      if (found[i].textContent === k.text || k.href != null) { found[i].focus({ preventScroll: true }); return document.activeElement === found[i]; }
    }
    return false;
  }

  function scrollState() {
    var boxes = {};
    S.main.querySelectorAll(".tw-scroll[data-hub], .tw-scroll[id]").forEach(function (b) {
      if (b.scrollLeft) boxes[b.dataset.hub || b.id] = b.scrollLeft;
    });
    return { x: window.scrollX, y: window.scrollY, boxes: boxes };
  }

  function restoreScroll(s) {
    if (!s) return;
    S.main.querySelectorAll(".tw-scroll[data-hub], .tw-scroll[id]").forEach(function (b) {
      var left = s.boxes[b.dataset.hub || b.id];
      if (left) b.scrollLeft = left;
    });
    window.scrollTo(s.x, s.y);
  }

  function controls() {
    return S.page === "index"
      ? { q: document.getElementById("tw-search"), status: document.getElementById("tw-status") }
      : { q: document.getElementById("tw-filter"), status: document.getElementById("tw-status-filter") };
  }

  /* Show the route's filter in the controls (leaving a control alone when it already says it,
   * so that typing is never disturbed). */
  function showFilter(r) {
    var c = controls();
    if (c.q && c.q.value !== r.q) c.q.value = r.q;
    if (c.status && c.status.value !== r.status) c.status.value = r.status;
  }

  function links() {
    return { href: itemHash, nodeHref: nodeHash };
  }

  /* Draw the index page for the route: the overview (drawn again only when its data or filter
   * changed) or a node or item view. */
  function drawIndex(r, force) {
    var m = moment(), home = r.view === "home" || r.view === "other";
    var view = document.getElementById("tw-view"), crumbs = document.getElementById("tw-crumbs");
    ["tw-home", "tw-problems", "tw-overview"].forEach(function (id) { document.getElementById(id).hidden = !home; });
    view.hidden = home;
    crumbs.hidden = home;
    var counts = document.getElementById("tw-counts");
    if (home) {
      var key = [r.q, r.status, S.allProblems].join("\u0000");
      if (force || !S.drawn || S.drawn.key !== key || S.drawn.stale !== m.stale) {
        var c = TW.overview(S.main, S.doc, S.site, m, { filter: r, href: itemHash, nodeHref: nodeHash,
          allProblems: S.allProblems, onAll: function () { S.allProblems = true; draw(false); } });
        S.drawn = { key: key, stale: m.stale };
        S.counts = c.cells + " of " + c.total + " cells, " + c.problems + " of " + c.problemsTotal + " problems shown";
      } else {
        TW.updateOverview(S.main, m); // shown again as it was: its ages brought up to now
      }
      counts.textContent = S.counts;
      document.title = "Backups \u00B7 tarwatch";
      return;
    }
    var hub = S.doc.hubs.filter(function (h) { return h.hub === r.hub; })[0];
    var meta = S.site.hubs[r.hub] || {};
    crumbs.replaceChildren(el("a", { href: "#" + format({ view: "home", q: r.q, status: r.status }).slice(1), text: "Backups" }),
      " \u203A ", meta.page ? el("a", { href: meta.page, text: "Hub " + r.hub }) : "Hub " + r.hub,
      r.view === "item" ? " \u203A item " : " \u203A node ",
      el("span", { "aria-current": "page", text: r.view === "item" ? r.item : r.node }));
    var ctx = { doc: S.doc, site: S.site, hub: hub, meta: meta, moment: m, route: r, links: links(),
      orders: S.orders[S.hash] || {}, keep: function (name, order) { (S.orders[S.hash] = S.orders[S.hash] || {})[name] = order; } };
    var out = r.view === "node" ? TW.nodeView(view, ctx) : TW.itemView(view, ctx);
    counts.textContent = out || "";
    document.title = (r.view === "item" ? r.item : r.node) + " \u00B7 hub " + r.hub + " \u00B7 tarwatch";
  }

  var hubTables = null;

  /* Draw the hub page's tables (again when forced: new data) and filter them as the route says. */
  function drawHub(r, force) {
    var m = moment(), home = S.site.home;
    if (hubTables && !force) {
      document.getElementById("tw-counts").textContent = hubTables.apply(r.q, r.status);
      return;
    }
    var prev = hubTables && hubTables.orders();
    hubTables = TW.hubPage(S.main, S.doc, m, {
      node: function (node) {
        var files = (S.site.hubs[S.main.dataset.hub] || {}).nodes || {};
        return files[node] ? "#" + files[node].anchor : home + nodeHash(S.main.dataset.hub, node);
      },
      item: function (item, node) { return home + itemHash(S.main.dataset.hub, node, item); },
    }, prev);
    S.main.querySelectorAll("a.tw-node-view").forEach(function (a) { a.href = home + nodeHash(S.main.dataset.hub, a.dataset.node); });
    document.getElementById("tw-counts").textContent = hubTables.apply(r.q, r.status);
  }

  /* Draw what the URL's hash says. A new route scrolls as it was when it was last shown (or
   * to the top) and moves the focus to its heading, or back to the link that left it; the
   * same route drawn again (new data, a filter) keeps the focus and the scroll. */
  function draw(force) {
    var hash = location.hash, r = parse(hash);
    if (S.page === "hub" && (r.view === "node" || r.view === "item")) { location.replace(S.site.home + hash); return; }
    var same = hash === S.hash;
    var keep = same ? focusKey() : null, scroll = same ? scrollState() : null;
    if (!same && S.hash != null) {
      S.scrolls[S.hash] = window.scrollY;
      S.focus[S.hash] = focusKey();
    }
    var before = S.route;
    S.hash = hash;
    S.route = r;
    if (r.view !== "other") { showFilter(r); S.filtered = r; }
    if (S.page === "index") drawIndex(r, force);
    else drawHub(S.filtered || parse(""), force);
    S.draws++;
    S.main.dataset.twDraws = String(S.draws);
    if (same) {
      restoreScroll(scroll);
      refocus(keep);
      return;
    }
    if (r.view === "other") { // an anchor of the page: the browser scrolled to it before it was drawn
      var target = document.getElementById(dec(hash.slice(1)));
      if (target && !before) target.scrollIntoView();
      return;
    }
    var back = S.focus[hash];
    window.scrollTo(0, S.scrolls[hash] || 0);
    if (!(back && refocus(back)) && before && (r.view === "node" || r.view === "item")) {
      var h1 = document.querySelector("#tw-view h1");
      if (h1) h1.focus({ preventScroll: true });
    }
  }

  /* The filter controls write the route (replacing the history entry: typing is not a trail
   * to go back through) and draw it again. */
  function wire() {
    var c = controls(), timer = null;
    function changed() {
      var r = Object.assign({}, S.route.view === "other" ? parse("") : S.route);
      if (S.page === "hub") { r.view = "home"; r.hub = S.main.dataset.hub; }
      r.q = c.q ? c.q.value : "";
      r.status = c.status ? c.status.value : "all";
      var hash = format(r);
      history.replaceState(history.state, "", hash === "#" ? location.pathname + location.search : hash);
      S.hash = location.hash;
      S.route = parse(location.hash);
      if (S.page === "hub" && S.route.view === "home") S.route.hub = S.main.dataset.hub;
      draw(false);
    }
    // The hub page only hides rows: at once. The overview draws its grids anew: after a pause.
    if (c.q) c.q.addEventListener("input", S.page === "hub" ? changed : function () { clearTimeout(timer); timer = setTimeout(changed, 150); });
    if (c.status) c.status.addEventListener("change", changed);
    window.addEventListener("hashchange", function () { draw(false); });
    window.addEventListener("popstate", function () { if (location.hash !== S.hash) draw(false); });
  }

  /* Given the site's facts, the status document and the page's main element, draw the page
   * from the hash and follow the hash from then on. */
  function start(site, doc, main) {
    S.site = site;
    S.doc = doc;
    S.main = main;
    S.page = document.body.dataset.page;
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    wire();
    draw(true);
  }

  /* Given a new status document (the live re-fetch), draw the current view with it, keeping
   * the URL, the focus and the scroll; a new publish's nodes' series are loaded anew. */
  function update(doc) {
    var changed = !S.doc || S.doc.generated !== doc.generated;
    S.doc = doc;
    S.drawn = null; // the overview, shown or not, is drawn anew with it
    if (changed) {
      TW.forgetNodes();
      if (S.page === "hub") { // the hub page's charts: drawn again as they come into view
        S.main.querySelectorAll("[data-tw-chart][data-drawn]").forEach(function (box) { delete box.dataset.drawn; });
        TW.charts(S.main);
      }
    }
    draw(true);
  }

  /* The minute's tick: what time changes, rewritten in place (ages, "… ago", the "as of"
   * marks); drawn again when the data just became stale. */
  function tick() {
    if (!S.doc) return;
    var m = moment();
    if (S.page === "index" && (S.route.view === "home" || S.route.view === "other") && S.drawn && S.drawn.stale !== m.stale) {
      draw(true);
      return;
    }
    if (S.page === "index") {
      if (S.route.view === "home" || S.route.view === "other") TW.updateOverview(S.main, m);
      else if (m.stale !== (S.main.querySelector("#tw-view .tw-asof-note") != null)) draw(true);
      else { TW.refreshAgo(S.main, m); TW.refreshAges(S.main, m); }
    } else {
      if (m.stale !== (S.main.querySelector(".tw-asof-note") != null)) draw(true);
      else { TW.refreshAgo(S.main, m); TW.refreshAges(S.main, m); }
    }
  }

  TW.nav = { parse: parse, format: format, itemHash: itemHash, nodeHash: nodeHash, start: start, update: update,
    tick: tick, state: S };
})(window.tarwatch = window.tarwatch || {});
