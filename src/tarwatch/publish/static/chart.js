/* tarwatch's pages, 5 of 7: a node's chart (uPlot): a size line per item, the tarballs per day
 * on a second axis, range presets, and a tooltip naming the nearest tarball. */
(function (TW) {
  "use strict";

  var el = TW.el, DAY = 86400;

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
      values: function (u, vals) { return vals.map(TW.size); } };
  }

  function countAxis(label) {
    return { scale: "n", side: 1, label: label, size: 50, grid: { show: false }, stroke: TW.facts.chart.count };
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
        value: function (u, v) { return TW.size(v); } };
    });
    series.push({ label: "tarballs per day", stroke: TW.facts.chart.count, scale: "n", width: 1, spanGaps: true,
      paths: uPlot.paths.stepped({ align: 1 }) });
    var top = Math.max(1, Math.max.apply(null, doc.days)) * 1.3; // headroom above the count line
    return plot(box, data, series, [{}, sizeAxis("size"), countAxis("tarballs per day")],
      function (u, tip) { nearestTip(u, tip, items); }, { n: { range: function () { return [0, top]; } } });
  }

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
      el("div", { text: TW.exactSize(it.s[i]) }),
      el("div", { text: TW.when(it.t[i]) }),
      el("div", { class: "tw-file", text: it.file[i] + (it.gone[i] ? " (purged)" : "") }));
    tip.style.borderColor = it.color;
    tip.hidden = false;
    var x = u.valToPos(it.t[i], "x"), w = u.over.clientWidth;
    tip.style.left = (x > w / 2 ? x - tip.offsetWidth - 12 : x + 12) + "px";
    tip.style.top = Math.max(0, u.valToPos(it.s[i], "bytes") - 20) + "px";
  }

  TW.decodeItem = decodeItem;
  TW.plot = plot;
  TW.countAxis = countAxis;
  TW.chart = chart;
})(window.tarwatch = window.tarwatch || {});
