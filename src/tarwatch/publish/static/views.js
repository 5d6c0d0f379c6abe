/* tarwatch's pages: the index page's views of one node and of one item, drawn from the
 * URL's hash (nav.js).
 *
 * A node's view: its own findings (unreachable, LOCKED, unreadable …), since when it was
 * listed, a table of its items, its chart (a [data-tw-chart] box, drawn by chart.js; uPlot
 * is loaded when the first chart is shown) and its disk chart (chart.js's diskChart: the
 * history in its series, the forecast in status.json's node.disk). An item's view: its status on every node of its
 * hub, and its history: every tarball ever seen of it, one row per stamp, the hub's source
 * beside each node, so that where a transfer stopped shows at a glance. The nodes' series
 * (data/<hub>/<node>.json) are loaded when an item view first needs them. */
(function (TW) {
  "use strict";

  var el = TW.el, badge = TW.badge, F = TW.facts;
  var docs = {}, ready = {}, chartBoxes = {}, fresh = false, uplot = null;

  /* Forget the nodes' series and charts (the live re-fetch found new data): the next views
   * load them again. */
  function forgetNodes() {
    docs = {};
    ready = {};
    chartBoxes = {};
    fresh = true;
  }

  /* Given the site's facts, a hub and a node, resolve to the node's series document. */
  function nodeDoc(site, hub, node) {
    var f = ((site.hubs[hub] || {}).nodes || {})[node];
    if (!f) return Promise.reject(new Error("no data file for " + hub + "/" + node));
    if (!docs[f.key]) {
      docs[f.key] = TW.load({ json: f.json, js: f.js, key: f.key }, fresh)
        .then(function (d) { ready[f.key] = d; return d; })
        .catch(function (e) { delete docs[f.key]; throw e; });
    }
    return docs[f.key];
  }

  /* Given the site's facts, resolve once uPlot (which only the hub pages load) is there. */
  function needUplot(site) {
    if (window.uPlot) return Promise.resolve();
    if (!uplot) {
      uplot = new Promise(function (resolve, reject) {
        document.head.appendChild(el("link", { rel: "stylesheet", href: site.static + "vendor/uplot/uPlot.min.css" }));
        var s = el("script", { src: site.static + "vendor/uplot/uPlot.iife.min.js" });
        s.onload = resolve;
        s.onerror = function () { uplot = null; reject(new Error("cannot load uPlot")); };
        document.head.appendChild(s);
      });
    }
    return uplot;
  }

  function asOfNote(m) {
    if (!m.stale) return null;
    return el("p", { class: "tw-asof-note", role: "note" },
      el("span", { class: "tw-icon", "aria-hidden": "true", text: TW.icon("warn") }),
      " Every status here is as of " + TW.when(m.generated) + ", ", TW.agoMark(m.generated, m), ", not now.");
  }

  function at(iso) { return iso ? Date.parse(iso) / 1000 : null; }

  /* Given a node of the status document, a moment and (when known) the `down` of its series
   * ({since, last_listed}: its first failed poll since it was last listed), say when it was
   * listed, or since when it could not be. */
  function reach(n, m, down) {
    var last = at(n.last_poll), listed = at(n.last_listed), since = down && down.since;
    if (n.reachable === false && since) {
      return el("span", { class: "tw-reach tw-unreachable" },
        el("strong", { text: "unreachable since " + TW.when(since) }), " (", TW.agoMark(since, m), ")",
        listed ? "; last listed " + TW.when(listed) + " (" : "; never listed", listed ? TW.agoMark(listed, m) : null,
        listed ? ")" : null, last ? "; last tried " + TW.when(last) + " (" : null, last ? TW.agoMark(last, m) : null,
        last ? ")" : null, ": " + (n.reason || "unknown reason"));
    }
    if (n.reachable === true) {
      return el("span", { class: "tw-reach" }, "listed " + TW.when(last) + " (", TW.agoMark(last, m), ")");
    }
    if (n.reachable === false) {
      return el("span", { class: "tw-reach tw-unreachable" },
        el("strong", { text: "unreachable" }),
        listed ? " since its last listing, " + TW.when(listed) + " (" : ", never listed",
        listed ? TW.agoMark(listed, m) : null, listed ? ")" : null,
        last ? "; last tried " + TW.when(last) + " (" : null, last ? TW.agoMark(last, m) : null, last ? ")" : null,
        ": " + (n.reason || "unknown reason"));
    }
    return el("span", { class: "tw-reach tw-unreachable" }, el("strong", { text: "never listed" }), n.reason ? ": " + n.reason : "");
  }

  function heading(text, status, extra) {
    var h = el("h1", { tabindex: "-1" }, text, " ", badge(status));
    (extra || []).forEach(function (x) { if (x) h.appendChild(x); });
    return h;
  }

  function missing(box, what) {
    box.replaceChildren(el("h1", { tabindex: "-1", text: what }),
      el("p", { class: "tw-error", text: "not in the status document (renamed, or no longer configured?)" }),
      el("p", null, el("a", { href: "#", text: "Back to the overview" })));
    return "";
  }

  /* Given a DataTable, the view's context and the table's name, restore its order (or the
   * default) and keep every later one. */
  function ordered(dt, ctx, name, col, dir) {
    var o = ctx.orders[name];
    if (o && o[0] >= 0) dt.sort(o[0], o[1]); else dt.sort(col, dir);
    dt.onSort = function () { ctx.keep(name, dt.order()); };
  }

  /* Given the view's element and the context (nav.js: doc, site, hub, meta, moment, route,
   * links, orders, keep), draw the node's view; return the counts' text. */
  function nodeView(box, ctx) {
    var r = ctx.route, hub = ctx.hub, m = ctx.moment, links = ctx.links;
    var n = hub && hub.nodes.filter(function (x) { return x.node === r.node; })[0];
    if (!n) return missing(box, "Node " + r.node + " of hub " + r.hub);
    var files = (ctx.meta.nodes || {})[n.node] || {};
    var parts = [heading("Node " + n.node, n.status, [n.source ? el("span", { class: "tw-tag", text: "source" }) : null,
      n.snoozed ? TW.snoozeMark(n.snoozed) : null])];
    var known = files.key && ready[files.key];
    var where = reach(n, m, known && known.down);
    parts.push(el("p", { class: "desc" }, "hub " + hub.hub + " \u00B7 srvnode " + hub.srvnode + " \u00B7 ", where));
    if (n.reachable === false && !known && files.key) { // since when: in the node's series
      nodeDoc(ctx.site, hub.hub, n.node).then(function (d) {
        if (where.isConnected && d.down) where.replaceWith(reach(n, m, d.down));
      }).catch(function () { /* the chart says it could not load the data */ });
    }
    parts.push(asOfNote(m));

    parts.push(el("h2", { text: "Findings of the node" }));
    if (n.findings.length) {
      var ul = el("ul", { class: "tw-node-findings" });
      n.findings.forEach(function (f) {
        ul.appendChild(el("li", { class: "tw-problem tw-row-" + f.status, "data-check": f.check, "data-status": f.status },
          badge(f.status), el("span", { class: "tw-check", text: f.check }), el("span", { class: "tw-message", text: f.message }),
          n.snoozed ? TW.snoozeMark(n.snoozed) : null));
      });
      parts.push(ul);
    } else {
      parts.push(el("p", { class: "tw-muted", text: "None of its own (reachable, no LOCKED folder, every folder readable). Its items' findings are in the table below." }));
    }

    parts.push(el("h2", { text: "Items" }));
    var table = el("table", { class: "tw-table tw-node-items" });
    parts.push(el("div", { class: "tw-scroll", id: "tw-node-items" }, table));
    var rows = n.items.map(function (i) {
      var row = TW.itemRow(n, i, m, { item: function (item, node) { return links.href(hub.hub, node, item); } });
      row.cells = row.cells.slice(1);
      row.keys = row.keys.slice(1);
      return row;
    });
    var dt = new TW.DataTable(table, TW.ITEM_COLUMNS.slice(1), rows);
    ordered(dt, ctx, "items", 1, -1);
    var shown = dt.filter(r.q, r.status);
    if (!n.items.length) parts.push(el("p", { class: "tw-muted", text: "No items: the node was never listed." }));

    parts.push(el("h2", { text: "Chart" }));
    var chart = chartBoxes[files.key];
    if (!chart && files.key) {
      chart = el("div", { class: "tw-chart", "data-tw-chart": "", "data-json": files.json, "data-js": files.js, "data-key": files.key },
        el("a", { href: files.svg }, el("img", { src: files.png, alt: "chart of " + hub.hub + "/" + n.node + ": size per item and tarballs per day",
          loading: "lazy", width: "900", height: "360" })));
      chartBoxes[files.key] = chart;
    }
    if (chart) parts.push(chart);
    if (ctx.meta.page && files.anchor) {
      parts.push(el("p", { class: "tw-muted" }, el("a", { href: ctx.meta.page + "#" + files.anchor, text: "This chart on the hub page" }),
        " (with every other node of hub " + hub.hub + ")"));
    }
    var disk = null;
    if (files.key) {
      parts.push(el("h2", { text: "Disk" }));
      disk = el("div", { class: "tw-disk-chart", "data-tw-disk": "", "aria-live": "polite" },
        el("p", { class: "tw-muted", text: "Loading the node's disk history \u2026" }));
      parts.push(disk);
    }
    box.replaceChildren.apply(box, parts.filter(Boolean));
    if (disk) {
      Promise.all([needUplot(ctx.site), nodeDoc(ctx.site, hub.hub, n.node)]).then(function (got) {
        if (disk.isConnected) TW.diskChart(disk, got[1], n.disk || null, m.generated);
      }).catch(function (e) { TW.failed(disk, e); });
    }
    if (chart && !chart.dataset.drawn) {
      needUplot(ctx.site).then(function () { TW.charts(box); }).catch(function (e) { TW.failed(chart, e); });
    }
    return shown + " of " + rows.length + " items shown";
  }

  function undelta(d, origin) {
    var out = new Array(d.length), v = origin;
    for (var i = 0; i < d.length; i++) { v += d[i]; out[i] = v; }
    return out;
  }

  /* Given a node's series document and an item, return the item's tarballs as a map stamp →
   * {size, gone}, or null when the node never had it. */
  function tarballs(doc, item) {
    var it = (doc.items || []).filter(function (x) { return x.item === item; })[0];
    if (!it) return null;
    var t = undelta(it.t, doc.t0), s = undelta(it.s, 0), gone = {}, out = {};
    (it.gone || []).forEach(function (r) { for (var i = r[0]; i < r[1]; i++) gone[i] = true; });
    t.forEach(function (stamp, i) { out[stamp] = { size: s[i], gone: !!gone[i] }; });
    return out;
  }

  /* Given a map stamp → {gone}, return the newest stamp still on the node, or null. */
  function newest(map) {
    var best = null;
    if (!map) return null;
    Object.keys(map).forEach(function (k) { var t = Number(k); if (!map[k].gone && (best == null || t > best)) best = t; });
    return best;
  }

  var HISTORY_ROWS = 30; // stamps shown before "show all"

  /* Given the history's element, the hub, the item, the nodes' series documents (or errors),
   * the node of the route and a moment, draw the item's history on every node. */
  function history(box, hub, item, docsByNode, current, all) {
    var nodes = hub.nodes, maps = {}, stamps = {};
    var source = nodes.filter(function (n) { return n.source; })[0];
    var never = {}; // nodes never listed: nothing is known of them, not "nothing is there"
    nodes.forEach(function (n) {
      var d = docsByNode[n.node];
      never[n.node] = !!d && !d.error && !(d.items || []).length && n.reachable !== true;
      maps[n.node] = d && !d.error ? tarballs(d, item) : null;
      Object.keys(maps[n.node] || {}).forEach(function (k) { stamps[k] = true; });
    });
    var order = Object.keys(stamps).map(Number).sort(function (a, b) { return b - a; });
    var src = source ? maps[source.node] : null, srcNewest = newest(src);
    var parts = [];
    var summary = el("ul", { class: "tw-transfer" });
    nodes.forEach(function (n) {
      var d = docsByNode[n.node], map = maps[n.node], has = newest(map), li;
      if (d && d.error) li = el("li", { class: "tw-row-unknown" }, el("strong", { text: n.node }), ": its data could not be loaded (" + d.error.message + ")");
      else if (never[n.node]) li = el("li", { class: "tw-row-unknown", "data-node": n.node }, el("strong", { text: n.node }), ": never listed, nothing known of it");
      else if (n.source) li = el("li", null, el("strong", { text: n.node }), el("span", { class: "tw-tag", text: "source" }),
        has == null ? ": none of it now" : ": newest " + TW.when(has));
      else {
        var behind = src ? order.filter(function (t) { return src[t] && !src[t].gone && (has == null || t > has); }).length : 0;
        var text = has == null ? ": none of it now" : ": newest copy " + TW.when(has);
        if (src && srcNewest != null) {
          text += behind ? " \u2014 " + behind + " of the source's newer tarballs not here: the transfer stopped" +
            (has == null ? "" : " after " + TW.when(has)) : " \u2014 has the source's newest";
        }
        li = el("li", { class: behind ? "tw-row-warn tw-behind" : "" , "data-node": n.node, "data-behind": String(behind) },
          el("strong", { text: n.node }), text);
      }
      if (n.node === current) li.classList.add("tw-current");
      summary.appendChild(li);
    });
    parts.push(summary);
    if (!order.length) {
      parts.push(el("p", { class: "tw-muted", text: "No tarball of " + item + " was ever seen on a node of hub " + hub.hub + "." }));
      box.replaceChildren.apply(box, parts);
      return;
    }
    var head = el("tr", null, el("th", { scope: "col", text: "Stamp (UTC)" }));
    nodes.forEach(function (n) {
      head.appendChild(el("th", { scope: "col", class: n.node === current ? "tw-current" : null },
        n.node, n.source ? el("span", { class: "tw-tag", text: "source" }) : null,
        n.reachable === false ? el("span", { class: "tw-tag", text: "unreachable" }) : null));
    });
    var body = el("tbody");
    order.slice(0, all ? order.length : HISTORY_ROWS).forEach(function (t) {
      var tr = el("tr", null, el("th", { scope: "row", "data-label": "Stamp (UTC)", text: TW.when(t, false) }));
      nodes.forEach(function (n) {
        var x = (maps[n.node] || {})[t], s = src && src[t], td;
        var label = n.node + (n.source ? " (source)" : "");
        if (never[n.node]) td = el("td", { "data-label": label, class: "tw-absent", title: "never listed", text: "?" });
        else if (x && x.gone) td = el("td", { "data-label": label, class: "tw-gone", title: TW.exactSize(x.size) + ", purged since", text: "purged" });
        else if (x) {
          var differs = s && !n.source && s.size !== x.size;
          td = el("td", { "data-label": label, class: "tw-has" + (differs ? " tw-differs" : ""),
            title: TW.exactSize(x.size) + (differs ? "; the source's: " + TW.exactSize(s.size) : "") },
          (differs ? "\u2260 " : TW.icon("ok") + " ") + TW.size(x.size));
        } else if (s && !n.source) td = el("td", { "data-label": label, class: "tw-lacks", text: TW.icon("alarm") + " not here" });
        else td = el("td", { "data-label": label, class: "tw-absent", text: F.none });
        if (n.node === current) td.classList.add("tw-current");
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    parts.push(el("div", { class: "tw-scroll", id: "tw-history-table" },
      el("table", { class: "tw-table tw-history" },
        el("caption", { text: "Every tarball of " + item + " ever seen on the nodes of hub " + hub.hub + ", newest first" }),
        el("thead", null, head), body)));
    if (!all && order.length > HISTORY_ROWS) {
      var more = el("button", { type: "button", class: "tw-more", text: "show all " + order.length + " stamps" });
      more.addEventListener("click", function () { history(box, hub, item, docsByNode, current, true); });
      parts.push(more);
    }
    box.replaceChildren.apply(box, parts);
  }

  /* Given the view's element and the context (nav.js), draw the item's view: its status on
   * every node, then (once the nodes' series are loaded) its history; return the counts' text. */
  function itemView(box, ctx) {
    var r = ctx.route, hub = ctx.hub, m = ctx.moment, links = ctx.links;
    if (!hub || TW.itemNames(hub).indexOf(r.item) < 0) return missing(box, "Item " + r.item + " of hub " + r.hub);
    var worst = "ok", rows = [];
    hub.nodes.forEach(function (n) {
      var i = n.items.filter(function (x) { return x.item === r.item; })[0];
      var node = function (name) { return links.nodeHref(hub.hub, name); };
      var row;
      if (i) {
        if (TW.RANK[i.status] > TW.RANK[worst]) worst = i.status;
        row = TW.itemRow(n, i, m, { node: node });
      } else {
        row = { status: "ok", cells: [el("a", { href: node(n.node), text: n.node }), "", "", "not on this node", "", "", "", "", ""],
          keys: [n.node, "", -1, null, null, null, null, null, null] };
      }
      if (n.source) row.cells[0] = el("span", null, row.cells[0], el("span", { class: "tw-tag", text: "source" }));
      row.cells.splice(1, 1);
      row.keys.splice(1, 1);
      row.current = n.node === r.node;
      rows.push(row);
    });
    var parts = [heading(r.item, worst), el("p", { class: "desc", text: "on hub " + hub.hub +
      ": its newest tarball and findings on every node (the hub's source first), then every tarball ever seen of it." }), asOfNote(m)];
    parts.push(el("h2", { text: "On every node now" }));
    var table = el("table", { class: "tw-table tw-item-nodes" });
    parts.push(el("div", { class: "tw-scroll", id: "tw-item-nodes" }, table));
    var cols = TW.ITEM_COLUMNS.slice(0, 1).concat(TW.ITEM_COLUMNS.slice(2));
    var dt = new TW.DataTable(table, cols, rows);
    var o = ctx.orders.nodes;
    if (o && o[0] >= 0) dt.sort(o[0], o[1]);
    dt.onSort = function () { ctx.keep("nodes", dt.order()); };
    var shown = dt.filter(r.q, r.status);
    parts.push(el("h2", { text: "History on every node" }));
    var hist = el("div", { class: "tw-item-history", "aria-live": "polite" }, el("p", { class: "tw-muted", text: "Loading the nodes' data \u2026" }));
    parts.push(hist);
    // Until the history is drawn the view keeps its height, so that a redraw keeps the scroll.
    box.style.minHeight = box.offsetHeight + "px";
    box.replaceChildren.apply(box, parts.filter(Boolean));
    var done = function (list) {
      if (!hist.isConnected) return; // another view was drawn meanwhile
      var byNode = {};
      hub.nodes.forEach(function (n, k) { byNode[n.node] = list[k]; });
      history(hist, hub, r.item, byNode, r.node, false);
      hist.dataset.loaded = "true";
      box.style.minHeight = "";
    };
    var files = ctx.meta.nodes || {};
    var cached = hub.nodes.map(function (n) { return files[n.node] && ready[files[n.node].key]; });
    if (cached.every(Boolean)) done(cached); // drawn at once: the scroll is restored right after
    else {
      Promise.all(hub.nodes.map(function (n) {
        return nodeDoc(ctx.site, hub.hub, n.node).catch(function (e) { return { error: e }; });
      })).then(done);
    }
    return shown + " of " + rows.length + " nodes shown";
  }

  TW.forgetNodes = forgetNodes;
  TW.nodeDoc = nodeDoc;
  TW.needUplot = needUplot;
  TW.nodeView = nodeView;
  TW.itemView = itemView;
})(window.tarwatch = window.tarwatch || {});
