/* tarwatch's pages, 5 of 7: a node's chart (uPlot): a size line per item, the tarballs per day
 * on a second axis, range presets, toggles for a log scale and for sizes relative to each
 * item's newest (small items beside large ones), where each item's newest tarball would be
 * stale (stale_warn ▲, stale_alarm ✖) and a "now" line, and a tooltip naming the nearest
 * tarball. Sizes are ticked at round binary steps and labelled in binary units (binaryTicks,
 * binaryLabel: the rules of images.py); times in the browser's locale (Intl) and the hub's time
 * zone, named on the axis. Axis, grid and text take the page's colours (--tw-fg, --tw-muted,
 * --tw-line, --tw-warn, --tw-alarm), read when drawn and again when the theme changes. A node
 * that could not be listed, or has no tarball, says so. And a node's disk chart (diskChart):
 * used space over time, its total (labelled "full", with the fill date where the forecast
 * reaches it), the forecast line from the newest df to the fill date, the same "now" line and
 * a tooltip for each day (date, used, free), which the keyboard reads too (← → Home End). */
(function (TW) {
  "use strict";

  var el = TW.el, DAY = 86400, MOST_TICKS = 6;
  var UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

  /* Given a span of bytes and the most ticks wanted, return the smallest power of two (at
   * least 1) that cuts the span into at most that many steps. */
  function binaryStep(span, most) {
    var step = 1;
    while (span / step > (most || MOST_TICKS)) step *= 2;
    return step;
  }

  /* Given a range of bytes and the most ticks wanted, return the multiples of binaryStep inside it. */
  function binaryTicks(lo, hi, most) {
    if (!(hi > lo)) return [lo];
    var step = binaryStep(hi - lo, most), out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
    return out;
  }

  /* Given a range of positive bytes and the most ticks wanted, return powers of two inside it:
   * every one, or every k-th (2^k a multiple of k) when there are too many. */
  function logTicks(lo, hi, most) {
    var a = Math.ceil(Math.log2(Math.max(lo, 1))), b = Math.floor(Math.log2(Math.max(hi, 1)));
    var stride = Math.max(1, Math.ceil((b - a + 1) / (most || MOST_TICKS))), out = [];
    for (var e = a; e <= b; e++) if (e % stride === 0) out.push(Math.pow(2, e));
    return out;
  }

  /* Given bytes, return them in the largest binary unit that holds them with at most two
   * decimals (which a multiple of a quarter of that unit has): "512 MiB", "1.5 GiB", "0 B". */
  function binaryLabel(n) {
    n = Math.round(n);
    for (var k = UNITS.length - 1; k > 0; k--) {
      var unit = Math.pow(1024, k);
      if (Math.abs(n) >= unit && (n * 4) % unit === 0) {
        return (n / unit).toFixed(2).replace(/\.?0+$/, "") + " " + UNITS[k];
      }
    }
    return n + " B";
  }

  /* The page's colours, read now (a dark page has others). */
  function palette(box) {
    var css = getComputedStyle(box || document.documentElement);
    var v = function (name, dflt) { return css.getPropertyValue(name).trim() || dflt; };
    return { fg: v("--tw-fg", "#1f2933"), muted: v("--tw-muted", "#5f6b7a"), line: v("--tw-line", "#e2e6ea"),
      surface: v("--tw-surface", "#ffffff"),
      warn: v("--tw-warn", "#8a5a00"), alarm: v("--tw-alarm", "#b3261e"), count: TW.facts.chart.count };
  }

  /* Given a time zone's name, return it when the browser knows it, else "UTC". */
  function knownZone(tz) {
    try { new Intl.DateTimeFormat(undefined, { timeZone: tz || "UTC" }); return tz || "UTC"; }
    catch (e) { return "UTC"; }
  }

  var formats = {};
  /* Given a time zone and Intl options, return a formatter in the browser's locale (UTC when
   * the browser does not know the zone). */
  function fmt(tz, opts) {
    var key = tz + JSON.stringify(opts);
    if (!formats[key]) {
      try { formats[key] = new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: tz }, opts)); }
      catch (e) { formats[key] = new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: "UTC" }, opts)); }
    }
    return formats[key];
  }

  /* Given a time zone, return uPlot's `values` for a time axis: each tick in the browser's
   * locale, the larger unit below it where it changes (the date under times, the year under
   * days and months). */
  function timeValues(tz) {
    var f = function (o) { return fmt(tz, o); };
    var time = f({ hour: "2-digit", minute: "2-digit" }), day = f({ day: "numeric", month: "short" });
    var month = f({ month: "short" }), year = f({ year: "numeric" });
    return function (u, splits, axis, space, incr) {
      var prevDay = null, prevYear = null;
      return splits.map(function (t) {
        var d = new Date(t * 1000), ds = day.format(d), ys = year.format(d), out;
        if (incr < DAY) out = time.format(d) + (ds !== prevDay ? "\n" + ds : "");
        else if (incr < 28 * DAY) out = ds + (ys !== prevYear ? "\n" + ys : "");
        else if (incr < 365 * DAY) out = month.format(d) + (ys !== prevYear ? "\n" + ys : "");
        else out = ys;
        prevDay = ds; prevYear = ys;
        return out;
      });
    };
  }

  function axisColours(a, pal) {
    return Object.assign({ stroke: pal.fg, grid: { stroke: pal.line, width: 1 }, ticks: { stroke: pal.line, width: 1 } }, a);
  }

  var RANGES = [["1 week", 7], ["1 month", 31], ["3 months", 92], ["1 year", 366], ["all", 0]];

  /* Given an element, aligned uPlot data with its series, the axes after the time axis (or all
   * of them, the first {}), a tooltip, scales and optionally more ({tz, hooks, buttons, before,
   * after, x: [min, max], last: the newest data, where a range preset counts back from; steps:
   * the points the keyboard reads, see keySteps}), draw a chart with range presets into it. */
  function plot(box, data, series, axes, tooltip, scales, more) {
    more = more || {};
    var tz = knownZone(more.tz), pal = palette(box);
    if (box.uplot) { box.uplot.destroy(); box.uplot = null; } // drawn again: the old one goes
    if (box.twResize) { box.twResize.disconnect(); box.twResize = null; }
    box.textContent = "";
    var bar = el("div", { class: "tw-ranges", role: "group", "aria-label": "chart controls" });
    var area = el("div", { class: "tw-plot" });
    var tip = el("div", { class: "tw-tip", hidden: "" });
    if (more.before) box.appendChild(more.before);
    box.append(bar, area);
    if (more.after) box.appendChild(more.after);
    var xs = data[0], xmin = xs[0], xmax = xs[xs.length - 1];
    var width = function () { return Math.max(300, box.clientWidth || 800); };
    var time = axisColours({ label: "time (" + tz + ")", values: timeValues(tz), space: 60, labelSize: 20 }, pal);
    var rest = (axes[0] && !Object.keys(axes[0]).length ? axes.slice(1) : axes).map(function (a) {
      return axisColours(a, pal);
    });
    var hooks = Object.assign({ setCursor: [function (u) { if (tooltip) tooltip(u, tip); }] }, more.hooks || {});
    var opts = {
      width: width(), height: 300,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), tz); },
      scales: Object.assign({ x: { time: true } }, scales || {}),
      series: [{ label: "time (" + tz + ")" }].concat(series),
      axes: [time].concat(rest),
      legend: { live: false },
      cursor: { drag: { x: true, y: false }, points: { show: false } },
      hooks: hooks,
    };
    var u = new uPlot(opts, data, area);
    u.over.appendChild(tip);
    if (more.x) u.setScale("x", { min: more.x[0], max: more.x[1] });
    RANGES.forEach(function (r) {
      var b = el("button", { type: "button", text: r[0] });
      b.addEventListener("click", function () {
        u.setScale("x", { min: r[1] ? Math.max(xmin, (more.last || xmax) - r[1] * DAY) : xmin, max: xmax });
      });
      bar.appendChild(b);
    });
    (more.buttons || []).forEach(function (b) { bar.appendChild(b); });
    bar.appendChild(el("span", { class: "tw-muted", text: "drag to zoom, double-click to reset; click a name to hide it" }));
    if (window.ResizeObserver) {
      box.twResize = new ResizeObserver(function () { u.setSize({ width: width(), height: 300 }); });
      box.twResize.observe(box);
    }
    if (more.steps) keySteps(u, area, more.steps);
    box.uplot = u;
    return u;
  }

  /* Given a chart, its plot area and the points a reader steps through ({label, points: a
   * function returning [[x, y], …] in the "x" and "bytes" scales}), let the keyboard read the
   * chart: the area takes the focus, ← → go to the previous or next point, Home and End to the
   * first and last; the cursor moves there, so the chart's tooltip shows that point; leaving
   * the area hides it. */
  function keySteps(u, area, steps) {
    var at = -1;
    area.tabIndex = 0;
    area.setAttribute("role", "group");
    area.setAttribute("aria-label", steps.label);
    var go = function (k) {
      var pts = steps.points();
      if (!pts.length) return;
      at = Math.max(0, Math.min(pts.length - 1, k));
      u.setCursor({ left: u.valToPos(pts[at][0], "x"), top: u.valToPos(pts[at][1], "bytes") });
    };
    area.addEventListener("keydown", function (e) {
      var n = steps.points().length;
      var k = { ArrowLeft: at < 0 ? n - 1 : at - 1, ArrowRight: at + 1, Home: 0, End: n - 1 }[e.key];
      if (k == null) return;
      e.preventDefault();
      go(k);
    });
    area.addEventListener("focus", function () { go(at < 0 ? steps.points().length - 1 : at); });
    area.addEventListener("blur", function () { u.setCursor({ left: -10, top: -10 }); });
  }

  /* Given a share's range (1 = 100 %), return ticks at a round step of percent (5, 10, 25 … %). */
  function shareTicks(lo, hi) {
    var steps = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100], step = steps[steps.length - 1], out = [];
    for (var k = 0; k < steps.length; k++) if ((hi - lo) / steps[k] <= MOST_TICKS) { step = steps[k]; break; }
    for (var n = Math.ceil(lo / step); n * step <= hi + 1e-9; n++) out.push(n * step);
    return out;
  }

  /* The size axis of a mode: "linear" and "log" in binary units, "share" in percent. */
  function sizeAxis(mode) {
    var label = { linear: "size", log: "size (log scale)", share: "size (% of the item's newest)" }[mode];
    return { scale: "bytes", label: label, size: 76,
      splits: function (u, i, lo, hi) {
        return mode === "log" ? logTicks(lo, hi) : mode === "share" ? shareTicks(lo, hi) : binaryTicks(lo, hi);
      },
      filter: function (u, splits) { return splits; }, // every split a tick (a log axis drops some)
      values: function (u, vals) {
        return vals.map(function (v) {
          return v == null ? "" : mode === "share" ? Math.round(v * 100) + " %" : binaryLabel(v);
        });
      } };
  }

  /* The size scale of a mode: from 0 to a round step above the largest (linear, share), or
   * between powers of two with room below and above (log). */
  function sizeScale(mode) {
    if (mode === "log") {
      return { distr: 3, log: 2, range: function (u, lo, hi) {
        lo = Math.max(1, lo || 1); hi = Math.max(lo * 2, hi || 1);
        return [Math.pow(2, Math.floor(Math.log2(lo) - 0.5)), Math.pow(2, Math.ceil(Math.log2(hi) + 0.1))];
      } };
    }
    if (mode === "share") {
      return { range: function (u, lo, hi) { var t = shareTicks(0, Math.max(1, hi || 0) * 1.1); return [0, t[t.length - 1]]; } };
    }
    return { range: function (u, lo, hi) {
      var h = Math.max(1, (hi || 0) * 1.1), step = binaryStep(h);
      return [0, Math.ceil(h / step) * step];
    } };
  }

  function countAxis(label) {
    return { scale: "n", side: 1, label: label, size: 50, grid: { show: false }, stroke: TW.facts.chart.count };
  }

  function undelta(d, origin) {
    var out = new Array(d.length), v = origin;
    for (var i = 0; i < d.length; i++) { v += d[i]; out[i] = v; }
    return out;
  }

  /* Given one item of a series document and its t0, return {item, color, t, s, file, gone, stale}. */
  function decodeItem(it, t0) {
    var t = undelta(it.t, t0), s = undelta(it.s, 0), rev = it.rev ? undelta(it.rev, 0) : null;
    var name = it.item.slice(it.item.indexOf("/") + 1), files = it.files || {};
    var gone = new Uint8Array(t.length);
    (it.gone || []).forEach(function (r) { for (var i = r[0]; i < r[1]; i++) gone[i] = 1; });
    var file = t.map(function (_, i) {
      return files[i] || (rev ? name + "-" + rev[i] + ".tar.gz" : name + ".tar.gz");
    });
    var ref = s.length ? s[s.length - 1] || Math.max.apply(null, s) : 0; // what share 100 % is
    return { item: it.item, color: it.color, t: t, s: s, file: file, gone: gone, stale: it.stale || null, ref: ref };
  }

  /* Given a node's series document, return what its chart says when the node could not be
   * listed ("unreachable since …, last listed …"), or null. */
  function downText(doc) {
    var d = doc.down;
    if (!d) return null;
    return "unreachable since " + TW.when(d.since) + ", " +
      (d.last_listed == null ? "never listed" : "last listed " + TW.when(d.last_listed));
  }

  /* Given a decoded item, an index and a mode, return the value drawn: the size, null where a
   * log scale cannot show it (0), or in "share" the size over the item's newest. */
  function shown(it, i, mode) {
    var v = it.s[i];
    if (mode === "log") return v > 0 ? v : null;
    if (mode === "share") return it.ref > 0 ? v / it.ref : null;
    return v;
  }

  /* Given decoded items and the document's thresholds, return each item's marks: where its
   * newest tarball would be stale_warn and stale_alarm old, at its size. */
  function staleMarks(items, stale) {
    return items.map(function (it, k) {
      var s = it.stale || stale, n = it.t.length;
      if (!s || !n) return null;
      var t = it.t[n - 1];
      return { k: k, t: t, i: n - 1, size: it.s[n - 1], warn: t + s.warn, alarm: t + s.alarm, color: it.color };
    }).filter(Boolean);
  }

  /* Given a chart and a function of its canvas context, the pixel ratio and the plot's box,
   * call it with the canvas clipped to the plot (for a draw hook). */
  function clipped(u, draw) {
    var ctx = u.ctx, bb = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(bb.left, bb.top, bb.width, bb.height);
    ctx.clip();
    draw(ctx, uPlot.pxRatio, bb);
    ctx.restore();
  }

  /* Given a chart, a moment and the colours, draw a dashed line at that moment, labelled "now",
   * when it is in view (inside a clipped draw). */
  function drawNow(u, now, pal) {
    var ctx = u.ctx, pr = uPlot.pxRatio, bb = u.bbox, xn = u.valToPos(now, "x", true);
    if (!(xn >= bb.left && xn <= bb.left + bb.width)) return;
    ctx.setLineDash([4 * pr, 4 * pr]);
    ctx.strokeStyle = pal.muted;
    ctx.lineWidth = pr;
    ctx.beginPath(); ctx.moveTo(xn, bb.top); ctx.lineTo(xn, bb.top + bb.height); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = pal.muted;
    ctx.font = 11 * pr + "px sans-serif";
    ctx.textAlign = "right";
    ctx.fillText("now", xn - 3 * pr, bb.top + 12 * pr);
  }

  /* The draw hook: per shown item a dotted line from its newest tarball to its alarm mark, ▲
   * at stale_warn and ✖ at stale_alarm; a dashed line at now. */
  function drawMarks(marks, items, mode, pal, now) {
    return function (u) { clipped(u, function (ctx, pr) {
      marks.forEach(function (m) {
        var v = shown(items[m.k], m.i, mode);
        if (!u.series[m.k + 1].show || v == null) return;
        var y = u.valToPos(v, "bytes", true), x0 = u.valToPos(m.t, "x", true);
        var xw = u.valToPos(m.warn, "x", true), xa = u.valToPos(m.alarm, "x", true), r = 4 * pr;
        ctx.setLineDash([2 * pr, 3 * pr]);
        ctx.strokeStyle = m.color;
        ctx.lineWidth = 1.2 * pr;
        ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(xa, y); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = pal.warn;
        ctx.beginPath(); ctx.moveTo(xw, y - r); ctx.lineTo(xw + r, y + r * 0.8); ctx.lineTo(xw - r, y + r * 0.8);
        ctx.closePath(); ctx.fill();
        ctx.strokeStyle = pal.alarm;
        ctx.lineWidth = 2 * pr;
        ctx.beginPath(); ctx.moveTo(xa - r, y - r); ctx.lineTo(xa + r, y + r);
        ctx.moveTo(xa + r, y - r); ctx.lineTo(xa - r, y + r); ctx.stroke();
      });
      drawNow(u, now, pal);
    }); };
  }

  function staleKey(doc, items) {
    var s = doc.stale;
    if (!s) return null;
    var own = items.filter(function (it) { return it.stale; }).length;
    return el("p", { class: "tw-muted tw-stale-key" },
      el("span", { class: "tw-mark-warn", "aria-hidden": "true", text: "▲" }),
      " stale (warn) " + TW.duration(s.warn) + " and ",
      el("span", { class: "tw-mark-alarm", "aria-hidden": "true", text: "✖" }),
      " alarm " + TW.duration(s.alarm) + " after each item's newest tarball" +
      (own ? " (" + own + (own === 1 ? " item has" : " items have") + " its own)" : "") + "; times in " + (doc.tz || "UTC"));
  }

  /* Given an element and a node's series document, draw its chart: a size line per item, the
   * tarballs per day on a second axis, the stale marks; a tooltip names the nearest tarball;
   * two buttons (aria-pressed) put small items beside large ones: sizes on a log scale, or each
   * item as a share of its newest tarball; pressed again, back to sizes. */
  function chart(box, doc) {
    var down = downText(doc);
    var note = down ? el("p", { class: "tw-error tw-down", role: "note", text: down }) : null;
    var items = doc.items.map(function (it) { return decodeItem(it, doc.t0); });
    var dayX = doc.days.map(function (_, d) { return doc.t0 + d * DAY + DAY / 2; });
    var seen = new Set(dayX);
    items.forEach(function (it) { it.t.forEach(function (t) { seen.add(t); }); });
    if (!seen.size) {
      box.replaceChildren(note || el("p", { class: "tw-muted tw-empty", text: "no tarballs seen on this node" }));
      box.twRedraw = null;
      return null;
    }
    // The time axis runs on to the last stale mark, and to now when it is within a year.
    var marks = staleMarks(items, doc.stale);
    var now = Date.now() / 1000, last = Array.from(seen).reduce(function (a, b) { return Math.max(a, b); });
    var xmax = marks.reduce(function (m, k) { return Math.max(m, k.alarm); }, last);
    if (now > last && now < last + 366 * DAY) xmax = Math.max(xmax, now);
    seen.add(xmax);
    var xs = Float64Array.from(seen).sort();
    var at = new Map();
    xs.forEach(function (t, i) { at.set(t, i); });
    var counts = new Array(xs.length).fill(null);
    doc.days.forEach(function (n, d) { counts[at.get(dayX[d])] = n; });
    var top = Math.max(1, Math.max.apply(null, doc.days)) * 1.3; // headroom above the count line
    var mode = "linear";
    var MODES = [["log", "tw-log", "log scale", "sizes on a log scale (base 2): small items beside large ones"],
      ["share", "tw-share", "relative", "each item as a share of its newest tarball: small items beside large ones"]];

    function draw(x) {
      var pal = palette(box), data = [xs];
      items.forEach(function (it) {
        var ys = new Array(xs.length).fill(null);
        it.t.forEach(function (t, i) { ys[at.get(t)] = shown(it, i, mode); });
        data.push(ys);
      });
      data.push(counts);
      var series = items.map(function (it) {
        return { label: it.item, stroke: it.color, scale: "bytes", width: 1.5, spanGaps: true,
          points: { fill: pal.surface }, value: function (u, v) { return TW.size(v); } };
      });
      series.push({ label: "tarballs per day", stroke: pal.count, scale: "n", width: 1, spanGaps: true,
        points: { fill: pal.surface }, paths: uPlot.paths.stepped({ align: 1 }) });
      var toggles = MODES.map(function (m) {
        var b = el("button", { type: "button", class: m[1], "aria-pressed": mode === m[0] ? "true" : "false",
          title: m[3], text: m[2] });
        b.addEventListener("click", function () {
          var u = box.uplot;
          mode = mode === m[0] ? "linear" : m[0];
          draw([u.scales.x.min, u.scales.x.max]);
          box.querySelector("." + m[1]).focus();
        });
        return b;
      });
      var u = plot(box, data, series, [sizeAxis(mode), countAxis("tarballs per day")],
        function (u, tip) { nearestTip(u, tip, items, mode); },
        { n: { range: function () { return [0, top]; } }, bytes: sizeScale(mode) },
        { tz: doc.tz || "UTC", x: x, last: last, buttons: toggles, before: note, after: staleKey(doc, items),
          hooks: { draw: [drawMarks(marks, items, mode, pal, now)] } });
      u.twMarks = marks;
      return u;
    }

    box.twRedraw = function () { var u = box.uplot; draw([u.scales.x.min, u.scales.x.max]); };
    return draw(null);
  }

  function nearestTip(u, tip, items, mode) {
    var left = u.cursor.left, top = u.cursor.top;
    if (left == null || left < 0) { tip.hidden = true; return; }
    var best = null, bestD = 400; // (px)²: only a point within 20 px
    items.forEach(function (it, k) {
      if (!u.series[k + 1].show || !it.t.length) return;
      var x = u.posToVal(left, "x"), lo = 0, hi = it.t.length - 1;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (it.t[mid] < x) lo = mid + 1; else hi = mid; }
      [lo - 1, lo].forEach(function (i) {
        var v = i < 0 || i >= it.t.length ? null : shown(it, i, mode);
        if (v == null) return;
        var dx = u.valToPos(it.t[i], "x") - left, dy = u.valToPos(v, "bytes") - top;
        var d = dx * dx + dy * dy;
        if (d < bestD) { bestD = d; best = { it: it, i: i }; }
      });
    });
    if (!best) { tip.hidden = true; return; }
    var it = best.it, i = best.i;
    showTip(u, tip, it.t[i], shown(it, i, mode), it.color, [
      el("strong", { text: it.item }),
      el("div", { text: TW.exactSize(it.s[i]) }),
      el("div", { text: TW.when(it.t[i]) }),
      el("div", { class: "tw-file", text: it.file[i] + (it.gone[i] ? " (purged)" : "") })]);
  }

  /* Given a chart, its tooltip, a point (x on "x", y on "bytes"), a border colour and the
   * tooltip's lines, show them beside the point (on its left in the chart's right half). */
  function showTip(u, tip, t, v, color, lines) {
    tip.replaceChildren.apply(tip, lines);
    tip.style.borderColor = color;
    tip.hidden = false;
    var x = u.valToPos(t, "x"), w = u.over.clientWidth;
    tip.style.left = (x > w / 2 ? x - tip.offsetWidth - 12 : x + 12) + "px";
    tip.style.top = Math.max(0, u.valToPos(v, "bytes") - 20) + "px";
  }

  var FORECAST_DAYS = 7; // the history a forecast needs (the capacity check's minimum)

  /* Given a node's disk figures in status.json (or null), return what its disk chart says:
   * "fills in N days …", "no forecast yet …", "not filling …". */
  function diskText(disk) {
    if (!disk) return "no disk figures yet (df under the root runs with each listing)";
    var free = TW.size(disk.free) + " free of " + TW.size(disk.total);
    if (disk.growth_per_day == null) {
      return "no forecast yet (needs " + FORECAST_DAYS + " days of history, has " +
        Math.floor(disk.history_days || 0) + "); " + free;
    }
    var growth = (disk.growth_per_day < 0 ? "shrinking " + TW.size(-disk.growth_per_day) : "growing " + TW.size(disk.growth_per_day)) + "/day";
    if (disk.fill_days == null) return "not filling (" + growth + "); " + free;
    return "fills in " + fillDays(disk.fill_days) + " (" + free + ", " + growth + ")";
  }

  /* Given status.json's fill_days (days from its "generated" to full, to a tenth rounded
   * down), return them as the capacity check and the disk image say them, in whole days
   * rounded down: "12 days", "1 day", "less than a day". */
  function fillDays(days) {
    var n = Math.floor(days);
    return n < 1 ? "less than a day" : n === 1 ? "1 day" : n + " days";
  }

  /* Given an element, a node's series document (its "disk": [[t, used, total], …]), the node's
   * disk figures in status.json (or null) and the time they were generated, draw the disk chart:
   * used space, the total, and the forecast from the newest df to the fill date (at most as far
   * ahead as the history reaches back, and a month), above it what diskText says; the total is
   * labelled "full" (with the fill date where the forecast reaches it), "now" is marked as on
   * the size chart, and each day has a tooltip (diskTip) that the keyboard reads too. */
  function diskChart(box, doc, disk, generated) {
    var rows = (doc.disk || []).slice();
    var at = disk && disk.at ? Date.parse(disk.at) / 1000 : null;
    if (disk && at && (!rows.length || at > rows[rows.length - 1][0])) rows.push([at, disk.used, disk.total]);
    var text = el("p", { class: "tw-disk-text" + (disk && disk.fill_days != null ? " tw-disk-forecast" : " tw-muted"), text: diskText(disk) });
    if (!rows.length) { box.replaceChildren(text); box.twRedraw = null; return null; }
    var last = rows[rows.length - 1][0], used = rows[rows.length - 1][1], total = rows[rows.length - 1][2];
    var fc = null;
    if (disk && disk.fill_days != null && disk.fill_days > 0) {
      var fill = (generated || last) + disk.fill_days * DAY;
      var horizon = last + Math.max(31 * DAY, last - rows[0][0]);
      var end = Math.min(fill, horizon);
      fc = { end: end, value: used + (total - used) * (end - last) / Math.max(1, fill - last), fill: fill };
    }
    // The time axis runs on to now (as the size chart's does) when it is within a year.
    var now = Date.now() / 1000, xmax = fc ? fc.end : last;
    var toNow = now > xmax && now < last + 366 * DAY;
    var xs = rows.map(function (r) { return r[0]; }), usedYs = rows.map(function (r) { return r[1]; });
    var totalYs = rows.map(function (r) { return r[2]; }), fcYs = rows.map(function () { return null; });
    if (fc) {
      fcYs[fcYs.length - 1] = used;
      xs.push(fc.end); usedYs.push(null); totalYs.push(total); fcYs.push(fc.value);
    }
    if (toNow) { xs.push(now); usedYs.push(null); totalYs.push(total); fcYs.push(null); }
    var top = Math.max.apply(null, totalYs), tz = knownZone(doc.tz);
    var steps = { label: "disk chart: the arrow keys read each day's used and free space",
      points: function () { return rows.map(function (r) { return [r[0], r[1]]; }); } };

    function draw(x) {
      var pal = palette(box);
      var series = [
        { label: "used", stroke: pal.fg, scale: "bytes", width: 1.5, points: { fill: pal.surface }, value: function (u, v) { return TW.size(v); } },
        { label: "total", stroke: pal.muted, scale: "bytes", width: 1, points: { show: false }, spanGaps: true, value: function (u, v) { return TW.size(v); } },
      ];
      var data = [Float64Array.from(xs), usedYs, totalYs];
      if (fc) {
        series.push({ label: "forecast", stroke: pal.warn, scale: "bytes", width: 1.5, dash: [6, 4], spanGaps: true,
          points: { show: false }, value: function (u, v) { return TW.size(v); } });
        data.push(fcYs);
      }
      var axis = { scale: "bytes", label: "disk space", size: 76,
        splits: function (u, i, lo, hi) { return binaryTicks(lo, hi); },
        values: function (u, vals) { return vals.map(function (v) { return v == null ? "" : binaryLabel(v); }); } };
      var u = plot(box, data, series, [axis], function (u, tip) { diskTip(u, tip, rows, tz, pal); },
        { bytes: { range: function () { var h = top * 1.05, step = binaryStep(h); return [0, Math.ceil(h / step) * step]; } } },
        { tz: tz, x: x, last: last, before: text, steps: steps,
          hooks: { draw: [function (u) { drawFull(u, total, fc, tz, pal); clipped(u, function () { drawNow(u, now, pal); }); }] } });
      u.twForecast = fc;
      u.twNow = now;
      return u;
    }

    box.twRedraw = function () { var u = box.uplot; draw([u.scales.x.min, u.scales.x.max]); };
    return draw(null);
  }

  /* Given a moment and a time zone, return its day as people read it there ("13 Dec 2026"). */
  function dayText(t, tz) {
    return fmt(tz, { day: "numeric", month: "short", year: "numeric" }).format(new Date(t * 1000));
  }

  /* The disk chart's draw hook: where the disk is full, the total's level, labelled "full"; where
   * the forecast reaches it, a mark and the fill date ("full on 13 Dec 2026"); a fill date
   * beyond the chart's end is said at its right edge ("full on … →"). Not clipped: the mark
   * at the fill date, the chart's end, is drawn whole. */
  function drawFull(u, total, fc, tz, pal) {
    var ctx = u.ctx, pr = uPlot.pxRatio, bb = u.bbox, y = u.valToPos(total, "bytes", true);
    var right = bb.left + bb.width, x = right, label = "full";
    if (fc) {
      var xf = u.valToPos(fc.fill, "x", true), reached = fc.end >= fc.fill - 1 && xf <= right + 1;
      label = "full on " + dayText(fc.fill, tz) + (reached ? "" : " \u2192");
      if (reached && xf >= bb.left) {
        x = xf;
        ctx.fillStyle = pal.warn;
        ctx.beginPath(); ctx.arc(xf, y, 4 * pr, 0, 2 * Math.PI); ctx.fill();
      }
    }
    ctx.fillStyle = fc ? pal.warn : pal.muted;
    ctx.font = (fc ? "600 " : "") + 11 * pr + "px sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(label, x - 6 * pr, y - 3 * pr);
    ctx.textBaseline = "alphabetic";
  }

  /* The disk chart's tooltip: the day nearest the cursor (within 30 px), its date, used and free
   * space (of the total). */
  function diskTip(u, tip, rows, tz, pal) {
    var left = u.cursor.left;
    if (left == null || left < 0 || !rows.length) { tip.hidden = true; return; }
    var x = u.posToVal(left, "x"), lo = 0, hi = rows.length - 1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (rows[mid][0] < x) lo = mid + 1; else hi = mid; }
    if (lo > 0 && x - rows[lo - 1][0] < rows[lo][0] - x) lo -= 1;
    var r = rows[lo];
    if (Math.abs(u.valToPos(r[0], "x") - left) > 30) { tip.hidden = true; return; }
    var pct = r[2] > 0 ? " (" + Math.round(100 * r[1] / r[2]) + " %)" : "";
    showTip(u, tip, r[0], r[1], pal.fg, [
      el("strong", { text: dayText(r[0], tz) }),
      el("div", { text: "used " + TW.size(r[1]) + pct }),
      el("div", { text: "free " + TW.size(r[2] - r[1]) + " of " + TW.size(r[2]) })]);
  }

  // A theme change (theme.js) redraws the charts in the new colours, keeping their range.
  document.addEventListener("tarwatch:theme", function () {
    document.querySelectorAll("[data-tw-chart], [data-tw-disk]").forEach(function (box) { if (box.twRedraw) box.twRedraw(); });
  });

  TW.binaryStep = binaryStep;
  TW.binaryTicks = binaryTicks;
  TW.logTicks = logTicks;
  TW.shareTicks = shareTicks;
  TW.binaryLabel = binaryLabel;
  TW.downText = downText;
  TW.decodeItem = decodeItem;
  TW.plot = plot;
  TW.countAxis = countAxis;
  TW.chart = chart;
  TW.diskChart = diskChart;
  TW.diskText = diskText;
  TW.fillDays = fillDays;
})(window.tarwatch = window.tarwatch || {});
