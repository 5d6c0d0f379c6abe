/* tarwatch's pages: the "data is N hours old" banner, the overview grid of a hub's
 * nodes × items (the index page, and the Sphinx extension's status directive) and the list of
 * current problems above it.
 *
 * On the index page every cell is a link to its item's view (views.js) and every row header a
 * link to its node's view; a search and a status filter (nav.js keeps them in the URL) narrow
 * the grids and the list. The ages are recomputed every minute (live.js calls the grid's
 * update); when the data is stale, every cell says that its status is as of then, not now. */
(function (TW) {
  "use strict";

  var el = TW.el, badge = TW.badge, F = TW.facts;

  /* Given the status document, its banner element and the age (hours) after which the data is
   * stale, say how old the data is; red, and why it matters, when it is stale. */
  function banner(box, doc, staleHours) {
    var generated = Date.parse(doc.generated);
    var hours = (Date.now() - generated) / 3.6e6;
    var old = hours > staleHours;
    box.textContent = "";
    box.className = "tw-banner " + (old ? "tw-banner-old" : "tw-banner-fresh");
    box.appendChild(el("span", { class: "tw-icon", "aria-hidden": "true", text: old ? TW.icon("alarm") : F.info }));
    box.appendChild(document.createTextNode(
      " Data is " + TW.duration(hours * 3600) + " old (checked " + TW.when(generated / 1000) + ")."));
    if (old) {
      box.appendChild(document.createTextNode(
        " More than " + staleHours + " hours: the monitor itself may have stopped running" +
        " \u2014 look at tarwatch's cron job or timer. Every status shown is as of then, not now."));
    }
    box.hidden = false;
    box.dataset.hours = hours.toFixed(2);
    box.dataset.old = old ? "true" : "false";
  }

  /* Given the status document, the hours after which it is stale and (for tests) a clock in
   * epoch seconds, return what every view draws with: {generated, now, shift, stale}; shift is
   * the seconds since the document was made (never negative: a browser's clock behind the
   * monitor's does not make tarballs younger). */
  function moment(doc, staleHours, now) {
    var generated = Date.parse(doc.generated) / 1000;
    now = now == null ? Date.now() / 1000 : now;
    return { generated: generated, now: now, shift: Math.max(0, now - generated), stale: now - generated > staleHours * 3600 };
  }

  function finding(f) { return "\n" + f.check + ": " + f.message; }

  /* Given an item of the status document and the seconds since the document was made (0:
   * as of the document), return the age of its newest tarball as shown: "30h", "3.2d". */
  function itemAge(i, shift) {
    return TW.age(i.age_hours == null ? null : i.age_hours * 3600 + (shift || 0));
  }

  /* Given epoch seconds and a moment, return "3.2 days ago" (or "in 2 hours"). */
  function ago(t, m) {
    var d = m.now - t;
    return d >= 0 ? TW.duration(d) + " ago" : "in " + TW.duration(-d);
  }

  /* Given epoch seconds, return a <time> that says "3.2 days ago" and is kept true by live.js. */
  function agoMark(t, m) {
    return el("time", { class: "tw-ago", datetime: new Date(t * 1000).toISOString(), "data-tw-ago": String(t), text: ago(t, m) });
  }

  /* Given a root element and a moment, rewrite every agoMark in it. */
  function refreshAgo(root, m) {
    root.querySelectorAll("[data-tw-ago]").forEach(function (e) {
      var text = ago(Number(e.dataset.twAgo), m);
      if (e.textContent !== text) e.textContent = text;
    });
  }

  /* Given a moment, return the mark of a stale status: "as of 11-25 12:00" (UTC). */
  function asOf(m) {
    return "as of " + TW.when(m.generated, false).slice(5);
  }

  /* Given a node of the status document and a moment, return what its row header says of an
   * unreachable or never listed node: the reason, since when it was not listed, or null. */
  function unreachableText(n, m) {
    if (n.reachable !== false && n.reachable !== null) return null;
    var box = el("div", { class: "tw-reason" }, n.reason || "unreachable");
    if (n.reachable === false) {
      box.appendChild(el("div", { class: "tw-since" }, n.last_listed ? "last listed " : "never listed",
        n.last_listed ? agoMark(Date.parse(n.last_listed) / 1000, m) : null));
    }
    return box;
  }

  /* Given a hub of the status document and (on the index page) options {href(node, item),
   * nodeHref(node), moment, match(node, item) → true/false/null, items}, return its nodes ×
   * items grid (ARIA table roles). Rows are CSS grids with fixed column widths and
   * content-visibility: auto, so a browser lays out only the rows on screen: a hub of 200
   * nodes × 50 items shows at once. The returned element's twUpdate(moment) rewrites every
   * cell for a new moment (the ages, the "as of" marks). */
  function grid(hub, opts) {
    opts = opts || {};
    var items = opts.items || itemNames(hub);
    var table = el("div", { class: "tw-grid", role: "table", "aria-label": "hub " + hub.hub + ": nodes by items" });
    table.style.setProperty("--tw-cols", String(items.length));
    var head = el("div", { class: "tw-grow tw-ghead", role: "row" },
      el("div", { class: "tw-corner", role: "columnheader", text: "node \\ item" }));
    items.forEach(function (name) {
      head.appendChild(el("div", { class: "tw-item-head", role: "columnheader", title: name }, el("span", { text: name })));
    });
    table.appendChild(head);
    var cells = [], m = opts.moment || null;
    var nodes = opts.nodes || hub.nodes;
    nodes.forEach(function (n) {
      var byItem = {};
      n.items.forEach(function (i) { byItem[i.item] = i; });
      var name = opts.nodeHref ? el("a", { class: "tw-node-name", href: opts.nodeHref(n.node), text: n.node })
        : el("span", { class: "tw-node-name", text: n.node });
      var th = el("div", { class: "tw-node-head", role: "rowheader" }, name, " ", badge(n.status));
      if (n.source) th.appendChild(el("span", { class: "tw-tag", text: "source" }));
      if (n.snoozed) th.appendChild(TW.snoozeMark(n.snoozed));
      if (m) {
        var why = unreachableText(n, m);
        if (why) th.appendChild(why);
      } else if (n.reachable === false) th.appendChild(el("div", { class: "tw-reason", text: n.reason || "unreachable" }));
      var row = el("div", { class: "tw-grow", role: "row", "data-node": n.node }, th);
      items.forEach(function (name) {
        // The hot loop (10,000 cells for 200 nodes × 50 items): plain DOM calls, one text node
        // per cell (its lines: status, age, size).
        var i = byItem[name], cell = document.createElement("div"), link = null;
        cell.setAttribute("role", "cell");
        cell.setAttribute("data-item", name);
        if (opts.href) {
          link = document.createElement("a");
          link.className = "tw-cell-link";
          link.href = opts.href(n.node, name);
          cell.appendChild(link);
        }
        var c = [cell, link, n, i, name, opts.match ? opts.match(n, i, name) : true];
        fill(c, m);
        cells.push(c);
        row.appendChild(cell);
      });
      table.appendChild(row);
    });
    table.twUpdate = function (moment) { for (var k = 0; k < cells.length; k++) fill(cells[k], moment); };
    return el("div", { class: "tw-scroll", "data-hub": hub.hub }, table);
  }

  /* Given a cell [div, link or null, node, item or undefined, item name, matches the filter]
   * and a moment (or null: as of the document), write its class, text, title and name. */
  function fill(c, m) {
    var cell = c[0], link = c[1], n = c[2], i = c[3], name = c[4], target = link || cell, text, label;
    var stale = m && m.stale, dim = (c[5] ? "" : " tw-dim") + (link ? " tw-linked" : "");
    var as = stale ? generatedTexts(m) : null;
    if (!i) {
      cell.className = "tw-cell tw-none" + dim;
      cell.title = "not on this node";
      text = F.none;
      label = n.node + " " + name + ": not on this node";
    } else {
      var snoozed = i.snoozed || n.snoozed, age = itemAge(i, m ? m.shift : 0), size = TW.size(i.size);
      cell.className = "tw-cell tw-" + i.status + (snoozed ? " tw-snoozed" : "") + (stale ? " tw-asof" : "") + dim;
      cell.title = n.node + " " + name + (i.findings.length ? i.findings.map(finding).join("") : "\nok") +
        verifiedLine(i.verified) + (snoozed ? "\n" + TW.snoozeText(snoozed) : "") + (stale ? "\n(status as of " + as.when + ", not now)" : "");
      text = TW.icon(i.status) + " " + i.status + (snoozed ? " " + F.snoozed : "") + "\n" + age + "\n" + size;
      label = n.node + " " + name + ": " + i.status + ", " + age + ", " + size + (snoozed ? ", snoozed" : "") +
        (stale ? ", status as of " + as.when : "");
    }
    target.textContent = text;
    if (stale && i) {
      var mark = document.createElement("span");
      mark.className = "tw-asof-mark";
      mark.textContent = as.asOf;
      target.appendChild(mark);
    }
    if (link) link.setAttribute("aria-label", label);
  }

  /* Given a moment, return {when, asOf}: when its document was made and its "as of" mark, as
   * text; made once per document, not once per cell (50,000 cells for 1,000 nodes × 50 items). */
  var asText = { generated: null, when: "", asOf: "" };
  function generatedTexts(m) {
    if (asText.generated !== m.generated) asText = { generated: m.generated, when: TW.when(m.generated), asOf: asOf(m) };
    return asText;
  }

  /* Given an item's restore drills (status.json's "verified", or null), return the tooltip's
   * line saying when it was last verified restorable, or "". */
  function verifiedLine(v) {
    if (!v) return "";
    return "\nlast verified restorable: " + (v.restorable_at ? TW.when(v.restorable_at) : "never");
  }

  /* Given a hub of the status document, return the names of its items, sorted. */
  function itemNames(hub) {
    var names = {};
    hub.nodes.forEach(function (n) { n.items.forEach(function (i) { names[i.item] = true; }); });
    return Object.keys(names).sort();
  }

  function countBy(nodes) {
    var c = {};
    nodes.forEach(function (n) { c[n.status] = (c[n.status] || 0) + 1; });
    return ["alarm", "warn", "unknown", "ok"].filter(function (s) { return c[s]; })
      .map(function (s) { return c[s] + " " + s; }).join(", ");
  }

  /* Given a filter {q, status}, return whether a status passes its status part. */
  function statusPasses(filter, status) {
    var s = filter.status || "all";
    return s === "all" || (s === "problems" ? status !== "ok" : status === s);
  }

  /* Given a filter {q, status} and the texts of a thing, return whether its text part passes. */
  function textPasses(filter, texts) {
    var q = (filter.q || "").trim().toLowerCase();
    if (!q) return true;
    for (var k = 0; k < texts.length; k++) if (texts[k] && String(texts[k]).toLowerCase().indexOf(q) >= 0) return true;
    return false;
  }

  function findingTexts(fs) {
    var out = [];
    fs.forEach(function (f) { out.push(f.check, f.message); });
    return out;
  }

  /* Given the status document, return every current problem, worst first and newest first
   * within a status: one per finding, {hub, node, item (null: the node's own), finding,
   * snoozed, time (the newest tarball's stamp, or when the node was last listed)}. */
  function problems(doc) {
    var out = [];
    doc.hubs.forEach(function (h) {
      h.nodes.forEach(function (n) {
        var nt = Date.parse(n.last_listed || n.last_poll || "") || 0;
        n.findings.forEach(function (f) { out.push({ hub: h.hub, node: n.node, item: null, finding: f, snoozed: n.snoozed, time: nt }); });
        n.items.forEach(function (i) {
          var it = Date.parse(i.latest || "") || 0;
          i.findings.forEach(function (f) {
            out.push({ hub: h.hub, node: n.node, item: i.item, finding: f, snoozed: i.snoozed || n.snoozed, time: it });
          });
        });
      });
    });
    out.sort(function (a, b) {
      return (TW.RANK[b.finding.status] - TW.RANK[a.finding.status]) || (b.time - a.time) ||
        cmp(a.hub, b.hub) || cmp(a.node, b.node) || cmp(a.item || "", b.item || "");
    });
    return out;
  }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  /* Given problems, return them grouped: one entry per (hub, node, check, status, message) of
   * the items (an unreachable node's items share one), the node's own findings alone. */
  function grouped(list) {
    var out = [], at = {};
    list.forEach(function (p) {
      var f = p.finding;
      var key = p.item == null ? null : [p.hub, p.node, f.check, f.status, f.message, TW.snoozeText(p.snoozed)].join("\u0000");
      if (key != null && at[key]) { at[key].items.push(p.item); return; }
      var g = { hub: p.hub, node: p.node, finding: f, snoozed: p.snoozed, items: p.item == null ? [] : [p.item] };
      if (key != null) at[key] = g;
      out.push(g);
    });
    return out;
  }

  var SHOWN = 12; // problems listed before "show all"

  /* Given the #tw-problems section, the status document, the filter and links {href(hub, node,
   * item), nodeHref(hub, node)}, list the current problems that pass the filter; return how many
   * of how many. */
  function problemList(box, doc, filter, links, all) {
    var every = problems(doc);
    var shown = every.filter(function (p) {
      return statusPasses(filter, p.finding.status) &&
        textPasses(filter, [p.hub, p.node, p.item, p.finding.check, p.finding.message]);
    });
    var groups = grouped(shown);
    var title = el("h2", { id: "tw-problems-title" }, "Problems ",
      el("span", { class: "tw-muted", text: "(" + shown.length + (shown.length === every.length ? "" : " of " + every.length) + ")" }));
    box.replaceChildren(title);
    if (!groups.length) {
      box.appendChild(el("p", { class: "tw-muted tw-no-problems",
        text: every.length ? "No problem matches the filter." : "No problems: every item of every hub is ok." }));
      return { shown: 0, total: every.length };
    }
    box.appendChild(el("p", { class: "tw-muted", text: "Worst first, then newest; a node's own findings (unreachable, LOCKED, unreadable) are here too." }));
    var ul = el("ul", { class: "tw-problem-list" });
    groups.slice(0, all ? groups.length : SHOWN).forEach(function (g) {
      var f = g.finding;
      var li = el("li", { class: "tw-problem tw-row-" + f.status + (g.items.length ? "" : " tw-problem-own"), "data-hub": g.hub, "data-node": g.node,
        "data-check": f.check, "data-status": f.status });
      li.appendChild(badge(f.status));
      var where = el("span", { class: "tw-where" }, el("a", { class: "tw-problem-node", href: links.nodeHref(g.hub, g.node), text: g.hub + " \u00B7 " + g.node }));
      if (g.items.length) {
        where.appendChild(document.createTextNode(" \u00B7 "));
        g.items.forEach(function (item, k) {
          if (k) where.appendChild(document.createTextNode(", "));
          where.appendChild(el("a", { class: "tw-problem-item", "data-item": item, href: links.href(g.hub, g.node, item), text: item }));
        });
      } else {
        where.appendChild(el("span", { class: "tw-tag", text: "node" }));
      }
      li.appendChild(where);
      li.appendChild(el("span", { class: "tw-check", text: f.check }));
      li.appendChild(el("span", { class: "tw-message", text: f.message }));
      if (g.snoozed) li.appendChild(TW.snoozeMark(g.snoozed));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    if (!all && groups.length > SHOWN) {
      var more = el("button", { type: "button", class: "tw-more", text: "show all " + groups.length });
      more.addEventListener("click", function () {
        if (links.onAll) links.onAll(); else problemList(box, doc, filter, links, true);
        box.querySelector(".tw-problem-list li:nth-child(" + (SHOWN + 1) + ") a").focus();
      });
      box.appendChild(more);
    }
    return { shown: shown.length, total: every.length };
  }

  /* Given the index page's main element, the status document, the site's facts, a moment and
   * the options {filter: {q, status}, href(hub, node, item), nodeHref(hub, node)}, draw the
   * problem list and every hub's grid (only the nodes and items that pass the filter); return
   * the counts shown. */
  function overview(main, doc, site, m, opts) {
    opts = opts || {};
    var filter = opts.filter || { q: "", status: "all" };
    var box = main.querySelector("#tw-overview");
    var on = !!((filter.q || "").trim() || (filter.status && filter.status !== "all"));
    var counts = { cells: 0, total: 0 };
    var sections = [];
    main.querySelector("#tw-overall").replaceChildren(badge(doc.status, "overall: " + doc.status));
    if (m && m.stale) {
      sections.push(el("p", { class: "tw-asof-note", role: "note" },
        el("span", { class: "tw-icon", "aria-hidden": "true", text: TW.icon("warn") }),
        " Every status below is as of " + TW.when(m.generated) + ", ", agoMark(m.generated, m),
        ", not now: the monitor has not run since."));
    }
    doc.hubs.forEach(function (hub) {
      var meta = site.hubs[hub.hub] || {};
      var names = itemNames(hub), nodes = hub.nodes, items = names;
      var match = function () { return true; };
      counts.total += hub.nodes.length * names.length;
      if (on) {
        var hubText = textPasses(filter, [hub.hub]);
        match = function (n, i, name) {
          if (!i) return false;
          return statusPasses(filter, i.status) &&
            (hubText || textPasses(filter, [n.node, name].concat(findingTexts(i.findings))));
        };
        var rowOk = {}, colOk = {};
        hub.nodes.forEach(function (n) {
          var own = n.findings.length && n.findings.some(function (f) { return statusPasses(filter, f.status); }) &&
            (hubText || textPasses(filter, [n.node, n.reason].concat(findingTexts(n.findings))));
          if (own) rowOk[n.node] = true;
          n.items.forEach(function (i) { if (match(n, i, i.item)) { rowOk[n.node] = true; colOk[i.item] = true; } });
        });
        nodes = hub.nodes.filter(function (n) { return rowOk[n.node]; });
        items = names.filter(function (x) { return colOk[x]; });
      }
      var g = null;
      if (nodes.length) {
        g = grid(hub, { items: items, nodes: nodes, moment: m, match: match,
          href: opts.href && function (node, item) { return opts.href(hub.hub, node, item); },
          nodeHref: opts.nodeHref && function (node) { return opts.nodeHref(hub.hub, node); } });
        nodes.forEach(function (n) {
          var byItem = {};
          n.items.forEach(function (i) { byItem[i.item] = i; });
          items.forEach(function (x) { if (match(n, byItem[x], x)) counts.cells++; });
        });
      }
      var title = el("h2", null, meta.page ? el("a", { href: meta.page, text: "Hub " + hub.hub }) : "Hub " + hub.hub,
        " ", badge(hub.status));
      sections.push(el("section", { class: "tw-hub", "data-hub": hub.hub }, title,
        el("p", { class: "tw-muted", text: "srvnode " + hub.srvnode + " \u00B7 " + hub.nodes.length + " nodes: " + countBy(hub.nodes) +
          (on ? " \u00B7 showing " + nodes.length + " nodes \u00D7 " + items.length + " items that match" : "") }),
        g || el("p", { class: "tw-muted", text: "Nothing on this hub matches the filter." })));
    });
    box.replaceChildren.apply(box, sections);
    if (!on) counts.cells = counts.total;
    var p = main.querySelector("#tw-problems");
    if (p && opts.href) {
      var pc = problemList(p, doc, filter, { href: opts.href, nodeHref: opts.nodeHref, onAll: opts.onAll }, opts.allProblems);
      counts.problems = pc.shown;
      counts.problemsTotal = pc.total;
    }
    return counts;
  }

  /* Given the overview's main element and a moment, rewrite what time changes: every cell
   * (its age, its "as of" mark) and every "… ago". */
  function updateOverview(main, m) {
    main.querySelectorAll(".tw-grid").forEach(function (g) { if (g.twUpdate) g.twUpdate(m); });
    refreshAgo(main, m);
  }

  TW.banner = banner;
  TW.moment = moment;
  TW.itemAge = itemAge;
  TW.ago = ago;
  TW.agoMark = agoMark;
  TW.refreshAgo = refreshAgo;
  TW.asOf = asOf;
  TW.grid = grid;
  TW.itemNames = itemNames;
  TW.statusPasses = statusPasses;
  TW.textPasses = textPasses;
  TW.problems = problems;
  TW.overview = overview;
  TW.updateOverview = updateOverview;
})(window.tarwatch = window.tarwatch || {});
