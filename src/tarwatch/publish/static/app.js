/* tarwatch's pages: tables and charts drawn in the browser from the published JSON.
 *
 * Everything that comes from a node (hub, node and item names, paths, messages) is put into
 * the page as text (textContent, DOM APIs), never as HTML. Data is fetched as JSON when the
 * page is served, and loaded as a small .js file (window.TARWATCH registrations) when it is
 * opened from disk, where browsers refuse fetch. No CDN, nothing external.
 */
(function () {
  "use strict";

  var TW = (window.tarwatch = window.tarwatch || {});
  var DAY = 86400;
  var RANK = { ok: 0, unknown: 1, warn: 2, alarm: 3 };
  var ICON = { ok: "\u2714", warn: "\u26A0", alarm: "\u2716", unknown: "?" };
  var COUNT_COLOR = "#9aa0a6";

  // -- small helpers ----------------------------------------------------------------------

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

  function fmtSize(n) {
    if (n == null) return "\u2013";
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var v = Math.abs(n), u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    var s = u === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1);
    return (n < 0 ? "-" : "") + s + " " + units[u];
  }

  function fmtBytes(n) {
    return n.toLocaleString("en-US") + " bytes";
  }

  function fmtAge(hours) {
    if (hours == null) return "\u2013";
    if (hours < 1) return Math.round(hours * 60) + " min";
    if (hours < 48) return Math.round(hours) + " h";
    return (hours / 24).toFixed(hours < 240 ? 1 : 0) + " d";
  }

  function fmtStamp(t) {
    return new Date(t * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  function badge(status, label) {
    var s = RANK[status] == null ? "unknown" : status;
    return el("span", { class: "tw-badge tw-" + s, title: s },
      el("span", { class: "tw-icon", "aria-hidden": "true", text: ICON[s] }), " ", label || s);
  }

  /* Given a `snoozed` value of the status document ({until, why} or null), return the words
     people read ("snoozed until 2026-11-27 12:00 UTC: disk swap"), or "" when not snoozed. */
  function snoozeText(s) {
    if (!s) return "";
    var until = s.until ? s.until.replace("T", " ").replace(/:\d\d\+00:00$/, " UTC") : "further notice";
    return "snoozed until " + until + (s.why ? ": " + s.why : "");
  }

  function snoozeMark(s) {
    return el("span", { class: "tw-tag tw-snoozed", title: snoozeText(s), text: "\u2016 snoozed" });
  }

  TW.el = el;
  TW.fmtSize = fmtSize;
  TW.fmtAge = fmtAge;
  TW.badge = badge;

  // -- loading data ------------------------------------------------------------------------

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
  TW.load = load;

  // -- the "data is N hours old" banner ----------------------------------------------------

  /* Given the status document, its banner element and the age (hours) after which the data is
   * stale, say how old the data is; red, and why it matters, when it is stale. */
  function banner(box, doc, staleHours) {
    var generated = Date.parse(doc.generated);
    var hours = (Date.now() - generated) / 3.6e6;
    var old = hours > staleHours;
    var age = hours < 1 ? "less than an hour" : hours < 48 ? Math.round(hours) + " hours" :
      (hours / 24).toFixed(1) + " days";
    box.textContent = "";
    box.className = "tw-banner " + (old ? "tw-banner-old" : "tw-banner-fresh");
    box.appendChild(el("span", { class: "tw-icon", "aria-hidden": "true", text: old ? ICON.alarm : "\u2139" }));
    box.appendChild(document.createTextNode(" Data is " + age + " old (checked " + fmtStamp(generated / 1000) + ")."));
    if (old) {
      box.appendChild(document.createTextNode(
        " More than " + staleHours + " hours: the monitor itself may have stopped running" +
        " \u2014 look at tarwatch's cron job or timer."));
    }
    box.hidden = false;
    box.dataset.hours = hours.toFixed(2);
    box.dataset.old = old ? "true" : "false";
  }
  TW.banner = banner;

  // -- the overview grid: nodes × items ------------------------------------------------------

  function finding(f) { return "\n" + f.check + ": " + f.message; }

  /* Given a hub of the status document, return its nodes × items grid (ARIA table roles). Rows
   * are CSS grids with fixed column widths and content-visibility: auto, so a browser lays out
   * only the rows on screen: a hub of 200 nodes × 50 items shows at once. */
  function grid(hub) {
    var names = {};
    hub.nodes.forEach(function (n) { n.items.forEach(function (i) { names[i.item] = true; }); });
    var items = Object.keys(names).sort();
    var table = el("div", { class: "tw-grid", role: "table", "aria-label": "hub " + hub.hub + ": nodes by items" });
    table.style.setProperty("--tw-cols", String(items.length));
    var head = el("div", { class: "tw-grow tw-ghead", role: "row" },
      el("div", { class: "tw-corner", role: "columnheader", text: "node \\ item" }));
    items.forEach(function (name) {
      head.appendChild(el("div", { class: "tw-item-head", role: "columnheader", title: name }, el("span", { text: name })));
    });
    table.appendChild(head);
    hub.nodes.forEach(function (n) {
      var byItem = {};
      n.items.forEach(function (i) { byItem[i.item] = i; });
      var th = el("div", { class: "tw-node-head", role: "rowheader" }, el("span", { class: "tw-node-name", text: n.node }),
        " ", badge(n.status));
      if (n.source) th.appendChild(el("span", { class: "tw-tag", text: "source" }));
      if (n.snoozed) th.appendChild(snoozeMark(n.snoozed));
      if (n.reachable === false) th.appendChild(el("div", { class: "tw-reason", text: n.reason || "unreachable" }));
      var row = el("div", { class: "tw-grow", role: "row" }, th);
      items.forEach(function (name) {
        // The hot loop (10,000 cells for 200 nodes × 50 items): plain DOM calls, one text node
        // per cell (its lines: status, age, size).
        var i = byItem[name], cell = document.createElement("div");
        cell.setAttribute("role", "cell");
        if (!i) {
          cell.className = "tw-cell tw-none";
          cell.title = "not on this node";
          cell.textContent = "\u2013";
        } else {
          var snoozed = i.snoozed || n.snoozed;
          cell.className = "tw-cell tw-" + i.status + (snoozed ? " tw-snoozed" : "");
          cell.title = n.node + " " + name + (i.findings.length ? i.findings.map(finding).join("") : "\nok") +
            (snoozed ? "\n" + snoozeText(snoozed) : "");
          cell.textContent = (ICON[i.status] || "?") + " " + i.status + (snoozed ? " \u2016" : "") + "\n" +
            fmtAge(i.age_hours) + "\n" + fmtSize(i.size);
        }
        row.appendChild(cell);
      });
      table.appendChild(row);
    });
    return el("div", { class: "tw-scroll" }, table);
  }
  TW.grid = grid;

  function countBy(nodes) {
    var c = {};
    nodes.forEach(function (n) { c[n.status] = (c[n.status] || 0) + 1; });
    return ["alarm", "warn", "unknown", "ok"].filter(function (s) { return c[s]; })
      .map(function (s) { return c[s] + " " + s; }).join(", ");
  }

  function overview(main, doc, site) {
    var box = main.querySelector("#tw-overview");
    box.textContent = "";
    main.querySelector("#tw-overall").replaceChildren(badge(doc.status, "overall: " + doc.status));
    doc.hubs.forEach(function (hub) {
      var meta = site.hubs[hub.hub] || {};
      var title = el("h2", null, meta.page ? el("a", { href: meta.page, text: "Hub " + hub.hub }) : "Hub " + hub.hub,
        " ", badge(hub.status));
      box.appendChild(el("section", { class: "tw-hub", "data-hub": hub.hub }, title,
        el("p", { class: "tw-muted", text: "srvnode " + hub.srvnode + " \u00B7 " + hub.nodes.length + " nodes: " + countBy(hub.nodes) }),
        grid(hub)));
    });
  }

  // -- the hub page: sortable, filterable tables ---------------------------------------------

  /* A table whose rows are data: click a header to sort, filter by text and status. */
  function DataTable(table, columns, rows) {
    this.table = table;
    this.columns = columns;
    this.rows = rows;
    this.sortCol = -1;
    this.sortDir = 1;
    var self = this;
    var tr = el("tr");
    columns.forEach(function (c, k) {
      var th = el("th", { scope: "col", "aria-sort": "none" },
        el("button", { type: "button", class: "tw-sort", text: c.label }));
      th.firstChild.addEventListener("click", function () { self.sort(k); });
      tr.appendChild(th);
    });
    table.replaceChildren(el("thead", null, tr), (this.tbody = el("tbody")));
    rows.forEach(function (r) {
      r.tr = el("tr", { class: "tw-row-" + r.status });
      r.cells.forEach(function (c) { r.tr.appendChild(el("td", null, c)); });
      r.text = r.cells.map(function (c) { return typeof c === "object" ? c.textContent : String(c); }).join(" ").toLowerCase();
      self.tbody.appendChild(r.tr);
    });
  }

  DataTable.prototype.sort = function (k) {
    this.sortDir = this.sortCol === k ? -this.sortDir : 1;
    this.sortCol = k;
    var dir = this.sortDir;
    this.rows.sort(function (a, b) {
      var x = a.keys[k], y = b.keys[k];
      if (x === y) return 0;
      if (x == null) return 1;
      if (y == null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
    var ths = this.table.tHead.rows[0].cells;
    for (var i = 0; i < ths.length; i++) {
      ths[i].setAttribute("aria-sort", i === k ? (dir > 0 ? "ascending" : "descending") : "none");
    }
    var frag = document.createDocumentFragment();
    this.rows.forEach(function (r) { frag.appendChild(r.tr); });
    this.tbody.appendChild(frag);
  };

  DataTable.prototype.filter = function (text, status) {
    var shown = 0;
    text = text.trim().toLowerCase();
    this.rows.forEach(function (r) {
      var ok = (!text || r.text.indexOf(text) >= 0) &&
        (status === "all" || (status === "problems" ? r.status !== "ok" : r.status === status));
      r.tr.hidden = !ok;
      if (ok) shown++;
    });
    return shown;
  };

  function statusRows(hub) {
    var rows = [];
    hub.nodes.forEach(function (n) {
      if (!n.items.length) {
        rows.push({ status: n.status, cells: [n.node, "\u2013", badge(n.status), n.reason || "no tarballs", "", "", "", ""],
          keys: [n.node, "", RANK[n.status], null, null, null, null, null] });
      }
      n.items.forEach(function (i) {
        var latest = i.latest ? i.latest.replace("T", " ").replace("+00:00", " UTC") : "\u2013";
        var snoozed = i.snoozed || n.snoozed;
        var state = snoozed ? el("span", {}, badge(i.status), " ", snoozeMark(snoozed)) : badge(i.status);
        rows.push({
          status: i.status,
          cells: [n.node, i.item, state, latest, fmtAge(i.age_hours), fmtSize(i.size),
            String(i.count), i.revision == null ? "" : String(i.revision)],
          keys: [n.node, i.item, RANK[i.status], i.latest, i.age_hours, i.size, i.count, i.revision],
        });
      });
    });
    return rows;
  }

  function findingRows(hub) {
    var rows = [];
    hub.nodes.forEach(function (n) {
      var add = function (item, f, snoozed) {
        var message = snoozed ? f.message + " (" + snoozeText(snoozed) + ")" : f.message;
        rows.push({ status: f.status, cells: [n.node, item, f.check, badge(f.status), message],
          keys: [n.node, item, f.check, RANK[f.status], message] });
      };
      n.findings.forEach(function (f) { add("\u2013", f, n.snoozed); });
      n.items.forEach(function (i) { i.findings.forEach(function (f) { add(i.item, f, i.snoozed || n.snoozed); }); });
    });
    return rows;
  }

  function hubPage(main, doc, site) {
    var tag = main.dataset.hub;
    var hub = doc.hubs.filter(function (h) { return h.hub === tag; })[0];
    if (!hub) { main.querySelector("#tw-hub-status").textContent = "not in the status document"; return; }
    main.querySelector("#tw-hub-status").replaceChildren(badge(hub.status));
    var st = new DataTable(main.querySelector("#tw-status-table"), [
      { label: "Node" }, { label: "Item" }, { label: "Status" }, { label: "Newest tarball" }, { label: "Age" },
      { label: "Size" }, { label: "Kept" }, { label: "Revision" }], statusRows(hub));
    var fi = new DataTable(main.querySelector("#tw-findings-table"), [
      { label: "Node" }, { label: "Item" }, { label: "Check" }, { label: "Status" }, { label: "Message" }],
    findingRows(hub));
    st.sort(2); st.sort(2); // worst first
    fi.sort(3); fi.sort(3);
    var text = main.querySelector("#tw-filter"), status = main.querySelector("#tw-status-filter");
    var counts = main.querySelector("#tw-counts");
    function apply() {
      var a = st.filter(text.value, status.value), b = fi.filter(text.value, status.value);
      counts.textContent = a + " of " + st.rows.length + " items, " + b + " of " + fi.rows.length + " findings shown";
    }
    text.addEventListener("input", apply);
    status.addEventListener("change", apply);
    apply();
    hub.nodes.forEach(function (n) {
      var slot = main.querySelector('.tw-node-status[data-node="' + CSS.escape(n.node) + '"]');
      if (slot) slot.replaceChildren(badge(n.status));
    });
  }

  // -- charts (uPlot) ------------------------------------------------------------------------

  function undelta(d, origin) {
    var out = new Array(d.length), v = origin;
    for (var i = 0; i < d.length; i++) { v += d[i]; out[i] = v; }
    return out;
  }

  /* Given one item of a series document and its t0, return {item, color, t, s, file, gone}. */
  function decodeItem(it, t0) {
    var t = undelta(it.t, t0), s = undelta(it.s, 0), rev = it.rev ? undelta(it.rev, 0) : null;
    var name = it.item.slice(it.item.indexOf("/") + 1), files = it.files || {};
    var gone = new Uint8Array(t.length);
    (it.gone || []).forEach(function (r) { for (var i = r[0]; i < r[1]; i++) gone[i] = 1; });
    var file = t.map(function (_, i) {
      return files[i] || (rev ? name + "-" + rev[i] + ".tar.gz" : name + ".tar.gz");
    });
    return { item: it.item, color: it.color, t: t, s: s, file: file, gone: gone };
  }
  TW.decodeItem = decodeItem;

  var RANGES = [["1 week", 7], ["1 month", 31], ["3 months", 92], ["1 year", 366], ["all", 0]];

  /* Given an element and aligned uPlot data with its series, draw a chart with range presets. */
  function plot(box, data, series, axes, tooltip, scales) {
    box.textContent = "";
    var bar = el("div", { class: "tw-ranges", role: "group", "aria-label": "time range" });
    var area = el("div", { class: "tw-plot" });
    var tip = el("div", { class: "tw-tip", hidden: "" });
    box.append(bar, area);
    var xs = data[0], xmin = xs[0], xmax = xs[xs.length - 1];
    var width = function () { return Math.max(320, box.clientWidth || 800); };
    var opts = {
      width: width(), height: 300,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); },
      scales: Object.assign({ x: { time: true } }, scales || {}),
      series: [{ label: "time (UTC)" }].concat(series),
      axes: axes,
      legend: { live: false },
      cursor: { drag: { x: true, y: false }, points: { show: false } },
      hooks: { setCursor: [function (u) { if (tooltip) tooltip(u, tip); }] },
    };
    var u = new uPlot(opts, data, area);
    u.over.appendChild(tip);
    RANGES.forEach(function (r) {
      var b = el("button", { type: "button", text: r[0] });
      b.addEventListener("click", function () {
        u.setScale("x", { min: r[1] ? Math.max(xmin, xmax - r[1] * DAY) : xmin, max: xmax });
      });
      bar.appendChild(b);
    });
    bar.appendChild(el("span", { class: "tw-muted", text: "drag to zoom, double-click to reset; click a name to hide it" }));
    if (window.ResizeObserver) {
      new ResizeObserver(function () { u.setSize({ width: width(), height: 300 }); }).observe(box);
    }
    box.uplot = u;
    return u;
  }

  function sizeAxis(label) {
    return { scale: "bytes", label: label, size: 80,
      values: function (u, vals) { return vals.map(fmtSize); } };
  }

  function countAxis(label) {
    return { scale: "n", side: 1, label: label, size: 50, grid: { show: false }, stroke: COUNT_COLOR };
  }

  /* Given an element and a node's series document, draw its chart: a size line per item and
   * the tarballs per day on a second axis; a tooltip names the nearest tarball. */
  function chart(box, doc) {
    var items = doc.items.map(function (it) { return decodeItem(it, doc.t0); });
    var dayX = doc.days.map(function (_, d) { return doc.t0 + d * DAY + DAY / 2; });
    var seen = new Set(dayX);
    items.forEach(function (it) { it.t.forEach(function (t) { seen.add(t); }); });
    if (!seen.size) { box.replaceChildren(el("p", { class: "tw-muted", text: "no tarballs seen on this node" })); return null; }
    var xs = Float64Array.from(seen).sort();
    var at = new Map();
    xs.forEach(function (t, i) { at.set(t, i); });
    var data = [xs];
    items.forEach(function (it) {
      var ys = new Array(xs.length).fill(null);
      it.t.forEach(function (t, i) { ys[at.get(t)] = it.s[i]; });
      data.push(ys);
    });
    var counts = new Array(xs.length).fill(null);
    doc.days.forEach(function (n, d) { counts[at.get(dayX[d])] = n; });
    data.push(counts);
    var series = items.map(function (it) {
      return { label: it.item, stroke: it.color, scale: "bytes", width: 1.5, spanGaps: true,
        value: function (u, v) { return fmtSize(v); } };
    });
    series.push({ label: "tarballs per day", stroke: COUNT_COLOR, scale: "n", width: 1, spanGaps: true,
      paths: uPlot.paths.stepped({ align: 1 }) });
    var top = Math.max(1, Math.max.apply(null, doc.days)) * 1.3; // headroom above the count line
    return plot(box, data, series, [{}, sizeAxis("size"), countAxis("tarballs per day")],
      function (u, tip) { nearestTip(u, tip, items); }, { n: { range: function () { return [0, top]; } } });
  }
  TW.chart = chart;

  function nearestTip(u, tip, items) {
    var left = u.cursor.left, top = u.cursor.top;
    if (left == null || left < 0) { tip.hidden = true; return; }
    var best = null, bestD = 400; // (px)²: only a point within 20 px
    items.forEach(function (it, k) {
      if (!u.series[k + 1].show || !it.t.length) return;
      var x = u.posToVal(left, "x"), lo = 0, hi = it.t.length - 1;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (it.t[mid] < x) lo = mid + 1; else hi = mid; }
      [lo - 1, lo].forEach(function (i) {
        if (i < 0 || i >= it.t.length) return;
        var dx = u.valToPos(it.t[i], "x") - left, dy = u.valToPos(it.s[i], "bytes") - top;
        var d = dx * dx + dy * dy;
        if (d < bestD) { bestD = d; best = { it: it, i: i }; }
      });
    });
    if (!best) { tip.hidden = true; return; }
    var it = best.it, i = best.i;
    tip.replaceChildren(
      el("strong", { text: it.item }),
      el("div", { text: fmtSize(it.s[i]) + " (" + fmtBytes(it.s[i]) + ")" }),
      el("div", { text: fmtStamp(it.t[i]) }),
      el("div", { class: "tw-file", text: it.file[i] + (it.gone[i] ? " (purged)" : "") }));
    tip.style.borderColor = it.color;
    tip.hidden = false;
    var x = u.valToPos(it.t[i], "x"), w = u.over.clientWidth;
    tip.style.left = (x > w / 2 ? x - tip.offsetWidth - 12 : x + 12) + "px";
    tip.style.top = Math.max(0, u.valToPos(it.s[i], "bytes") - 20) + "px";
  }

  /* Given an element and the seed's Highstock options (series of [ms, value]; yAxis 1 for the
   * count series), draw them with uPlot, so that old pages work without Highcharts. */
  function stockchart(box, options) {
    var src = (options.series || []).filter(function (s) { return s && s.data && s.data.length; });
    var seen = new Set();
    src.forEach(function (s) { s.data.forEach(function (p) { seen.add(p[0] / 1000); }); });
    if (!seen.size) { box.replaceChildren(el("p", { class: "tw-muted", text: "no data" })); return null; }
    var xs = Float64Array.from(seen).sort();
    var at = new Map();
    xs.forEach(function (t, i) { at.set(t, i); });
    var data = [xs], palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
    var series = src.map(function (s, k) {
      var ys = new Array(xs.length).fill(null);
      s.data.forEach(function (p) { ys[at.get(p[0] / 1000)] = p[1]; });
      data.push(ys);
      var second = s.yAxis === 1;
      return { label: String(s.name), stroke: second ? COUNT_COLOR : s.color || palette[k % palette.length],
        scale: second ? "n" : "y", width: 1.5, spanGaps: true };
    });
    var yAxes = [].concat(options.yAxis || []);
    var label = function (k, dflt) { return yAxes[k] && yAxes[k].title && yAxes[k].title.text ? String(yAxes[k].title.text) : dflt; };
    var axes = [{}, { scale: "y", label: label(0, ""), size: 70 }];
    if (series.some(function (s) { return s.scale === "n"; })) axes.push(countAxis(label(1, "")));
    var title = options.title && options.title.text;
    if (title) box.parentNode.insertBefore(el("div", { class: "tw-chart-title", text: String(title) }), box);
    return plot(box, data, series, axes, null, { n: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.3]; } } });
  }
  TW.stockchart = stockchart;

  // -- wiring -----------------------------------------------------------------------------------

  function failed(box, err) {
    box.appendChild(el("p", { class: "tw-error", text: "could not load the data: " + err.message }));
  }

  /* Draw a chart into each [data-tw-chart] element once it scrolls into view. */
  function charts(root) {
    var boxes = root.querySelectorAll("[data-tw-chart]");
    var draw = function (box) {
      if (box.dataset.drawn) return;
      box.dataset.drawn = "yes";
      load({ json: box.dataset.json, js: box.dataset.js, key: box.dataset.key })
        .then(function (doc) { chart(box, doc); })
        .catch(function (e) { failed(box, e); });
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
      load({ json: box.dataset.json, js: box.dataset.js, key: "status" }).then(function (doc) {
        var hub = doc.hubs.filter(function (h) { return h.hub === box.dataset.twStatus; })[0];
        box.textContent = "";
        var b = el("div", { class: "tw-banner" });
        box.appendChild(b);
        banner(b, doc, Number(box.dataset.staleHours || 26));
        box.appendChild(hub ? grid(hub) : el("p", { class: "tw-error", text: "hub not in the status document" }));
      }).catch(function (e) { failed(box, e); });
    });
    root.querySelectorAll("[data-tw-stockchart]").forEach(function (box) {
      fetch(box.dataset.twStockchart, { cache: "no-cache" })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (options) { stockchart(box, options); })
        .catch(function (e) { failed(box, e); });
    });
    charts(root);
  }
  TW.embedded = embedded;

  function page() {
    var meta = document.getElementById("tw-site");
    if (!meta) { embedded(document); return; }
    var site = JSON.parse(meta.textContent);
    var main = document.querySelector("main");
    load(site.status).then(function (doc) {
      banner(document.getElementById("tw-banner"), doc, site.stale_hours);
      if (document.body.dataset.page === "index") overview(main, doc, site);
      else hubPage(main, doc, site);
    }).catch(function (e) { failed(main, e); });
    charts(document);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", page);
  else page();
})();
