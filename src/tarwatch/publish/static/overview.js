/* tarwatch's pages, 3 of 7: the "data is N hours old" banner and the overview grid of a hub's
 * nodes × items (the index page, and the Sphinx extension's status directive). */
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
        " \u2014 look at tarwatch's cron job or timer."));
    }
    box.hidden = false;
    box.dataset.hours = hours.toFixed(2);
    box.dataset.old = old ? "true" : "false";
  }

  function finding(f) { return "\n" + f.check + ": " + f.message; }

  /* Given an item of the status document, return its age as shown: "30h", "3.2d". */
  function itemAge(i) {
    return TW.age(i.age_hours == null ? null : i.age_hours * 3600);
  }

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
      if (n.snoozed) th.appendChild(TW.snoozeMark(n.snoozed));
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
          cell.textContent = F.none;
        } else {
          var snoozed = i.snoozed || n.snoozed;
          cell.className = "tw-cell tw-" + i.status + (snoozed ? " tw-snoozed" : "");
          cell.title = n.node + " " + name + (i.findings.length ? i.findings.map(finding).join("") : "\nok") +
            (snoozed ? "\n" + TW.snoozeText(snoozed) : "");
          cell.textContent = TW.icon(i.status) + " " + i.status + (snoozed ? " " + F.snoozed : "") + "\n" +
            itemAge(i) + "\n" + TW.size(i.size);
        }
        row.appendChild(cell);
      });
      table.appendChild(row);
    });
    return el("div", { class: "tw-scroll" }, table);
  }

  function countBy(nodes) {
    var c = {};
    nodes.forEach(function (n) { c[n.status] = (c[n.status] || 0) + 1; });
    return ["alarm", "warn", "unknown", "ok"].filter(function (s) { return c[s]; })
      .map(function (s) { return c[s] + " " + s; }).join(", ");
  }

  /* Given the index page's main element, the status document and the site's facts, draw every
   * hub's grid. */
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

  TW.banner = banner;
  TW.itemAge = itemAge;
  TW.grid = grid;
  TW.overview = overview;
})(window.tarwatch = window.tarwatch || {});
