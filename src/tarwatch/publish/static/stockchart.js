/* tarwatch's pages, 6 of 7: the seed's Highstock charts (the Sphinx `stockchart` directive),
 * drawn with uPlot, so that old pages work without Highcharts. */
(function (TW) {
  "use strict";

  /* The names in files the seed wrote, and what they mean (tarwatch writes the meaning). */
  var MEANING = { "OK": "tarballs per day", "tarball size (MB)": "size (MiB)" };
  function meant(text) { text = String(text); return Object.prototype.hasOwnProperty.call(MEANING, text) ? MEANING[text] : text; }

  /* Given an element and the seed's Highstock options (series of [ms, value]; yAxis 1 for the
   * count series), draw them with uPlot. */
  function stockchart(box, options) {
    var src = (options.series || []).filter(function (s) { return s && s.data && s.data.length; });
    var seen = new Set();
    src.forEach(function (s) { s.data.forEach(function (p) { seen.add(p[0] / 1000); }); });
    if (!seen.size) { box.replaceChildren(TW.el("p", { class: "tw-muted", text: "no data" })); return null; }
    var xs = Float64Array.from(seen).sort();
    var at = new Map();
    xs.forEach(function (t, i) { at.set(t, i); });
    var data = [xs], palette = TW.facts.chart.colors;
    var series = src.map(function (s, k) {
      var ys = new Array(xs.length).fill(null);
      s.data.forEach(function (p) { ys[at.get(p[0] / 1000)] = p[1]; });
      data.push(ys);
      var second = s.yAxis === 1;
      return { label: second ? meant(s.name) : String(s.name), stroke: second ? TW.facts.chart.count : s.color || palette[k % palette.length],
        scale: second ? "n" : "y", width: 1.5, spanGaps: true };
    });
    var yAxes = [].concat(options.yAxis || []);
    var label = function (k, dflt) { return yAxes[k] && yAxes[k].title && yAxes[k].title.text ? meant(yAxes[k].title.text) : dflt; };
    var axes = [{}, { scale: "y", label: label(0, "size (MiB)"), size: 70 }];
    if (series.some(function (s) { return s.scale === "n"; })) axes.push(TW.countAxis(label(1, "tarballs per day")));
    var title = options.title && options.title.text;
    if (title) box.parentNode.insertBefore(TW.el("div", { class: "tw-chart-title", text: String(title) }), box);
    return TW.plot(box, data, series, axes, null, { n: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.3]; } } });
  }

  TW.stockchart = stockchart;
})(window.tarwatch = window.tarwatch || {});
