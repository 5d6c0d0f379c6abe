/* tarwatch's pages: sortable, filterable tables (the hub page's items and findings,
 * and the node and item views' tables). Every <td> carries data-label="<its column's header>",
 * so that narrow screens can show a row as a card. On the hub page, a node's name links to its
 * chart on the page, an item to its history on every node (the overview's item view); below each
 * node's chart, its disk chart. */
(function (TW) {
  "use strict";

  var el = TW.el, badge = TW.badge, RANK = TW.RANK, F = TW.facts;

  /* A table whose rows are data: click a header to sort, filter by text and status. Each row is
   * {status, cells: [text or node], keys: [sort key], text (optional: what the filter reads)}. */
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
      r.tr = el("tr", { class: "tw-row-" + r.status + (r.current ? " tw-current" : "") });
      if (r.current) r.tr.setAttribute("aria-current", "true");
      r.cells.forEach(function (c, k) { r.tr.appendChild(el("td", { "data-label": columns[k].label }, c)); });
      r.text = (r.text || r.cells.map(function (c) { return typeof c === "object" ? c.textContent : String(c); }).join(" ")).toLowerCase();
      self.tbody.appendChild(r.tr);
    });
  }

  DataTable.prototype.sort = function (k, dir) {
    this.sortDir = dir || (this.sortCol === k ? -this.sortDir : 1);
    this.sortCol = k;
    dir = this.sortDir;
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
    if (this.onSort) this.onSort();
  };

  /* Return the table's order as [column, direction], for a redraw to keep. */
  DataTable.prototype.order = function () { return [this.sortCol, this.sortDir]; };

  DataTable.prototype.filter = function (text, status) {
    var shown = 0;
    text = (text || "").trim().toLowerCase();
    this.rows.forEach(function (r) {
      var ok = (!text || r.text.indexOf(text) >= 0) && TW.statusPasses({ status: status }, r.status);
      r.tr.hidden = !ok;
      if (ok) shown++;
    });
    return shown;
  };

  /* Given an item's findings, return them as lines ("stale: newest tarball …"), or "". */
  function findingsCell(fs) {
    if (!fs.length) return "";
    var box = el("span", { class: "tw-findings" });
    fs.forEach(function (f) {
      box.appendChild(el("span", { class: "tw-finding tw-finding-" + f.status },
        el("span", { class: "tw-check", text: f.check }), " " + f.message));
    });
    return box;
  }

  /* Given an item's findings cell and its restore drills (status.json's "verified", or null),
   * return the cell with a line "last verified restorable …" below them (the cell itself
   * when the item is not drilled). */
  function verified(cell, v) {
    if (!v) return cell;
    var line = el("span", { class: "tw-verified", text: "last verified restorable: " +
      (v.restorable_at ? TW.when(v.restorable_at) : "never") });
    return cell ? el("span", {}, cell, line) : line;
  }

  /* Given a node and an item of the status document, a moment and links {node(name), item(name,
   * node)} (either may be missing: plain text), return the status table's row. */
  function itemRow(n, i, m, links) {
    var snoozed = i.snoozed || n.snoozed;
    var state = snoozed ? el("span", {}, badge(i.status), " ", TW.snoozeMark(snoozed)) : badge(i.status);
    var nodeCell = links.node ? el("a", { href: links.node(n.node), text: n.node }) : n.node;
    var itemCell = links.item ? el("a", { href: links.item(i.item, n.node), text: i.item }) : i.item;
    var age = el("span", { class: "tw-age", "data-tw-latest": i.latest == null ? "" : String(i.age_hours), text: TW.itemAge(i, m ? m.shift : 0) });
    return {
      status: i.status,
      cells: [nodeCell, itemCell, state, verified(findingsCell(i.findings), i.verified), TW.when(i.latest), age, TW.size(i.size),
        String(i.count), i.revision == null ? "" : String(i.revision)],
      keys: [n.node, i.item, RANK[i.status], i.findings.map(function (f) { return f.check; }).join(" "), i.latest,
        i.age_hours, i.size, i.count, i.revision],
    };
  }

  var ITEM_COLUMNS = [
    { label: "Node" }, { label: "Item" }, { label: "Status" }, { label: "Findings" }, { label: "Newest tarball" },
    { label: "Age" }, { label: "Size" }, { label: "Kept" }, { label: "Revision" }];

  function statusRows(hub, m, links) {
    var rows = [];
    hub.nodes.forEach(function (n) {
      if (!n.items.length) {
        var nodeCell = links.node ? el("a", { href: links.node(n.node), text: n.node }) : n.node;
        rows.push({ status: n.status, cells: [nodeCell, F.none, badge(n.status), findingsCell(n.findings), n.reason || "no tarballs", "", "", "", ""],
          keys: [n.node, "", RANK[n.status], null, null, null, null, null, null] });
      }
      n.items.forEach(function (i) { rows.push(itemRow(n, i, m, links)); });
    });
    return rows;
  }

  function findingRows(hub, links) {
    var rows = [];
    hub.nodes.forEach(function (n) {
      var add = function (item, f, snoozed) {
        var message = snoozed ? f.message + " (" + TW.snoozeText(snoozed) + ")" : f.message;
        var nodeCell = links.node ? el("a", { href: links.node(n.node), text: n.node }) : n.node;
        var itemCell = item && links.item ? el("a", { href: links.item(item, n.node), text: item }) : item || F.none;
        rows.push({ status: f.status, cells: [nodeCell, itemCell, f.check, badge(f.status), message],
          keys: [n.node, item || "", f.check, RANK[f.status], message] });
      };
      n.findings.forEach(function (f) { add(null, f, n.snoozed); });
      n.items.forEach(function (i) { i.findings.forEach(function (f) { add(i.item, f, i.snoozed || n.snoozed); }); });
    });
    return rows;
  }

  /* Given an element and a moment, rewrite the ages of the status rows in it (data-tw-latest
   * holds the age in hours as of the document). */
  function refreshAges(root, m) {
    root.querySelectorAll("[data-tw-latest]").forEach(function (e) {
      var h = e.dataset.twLatest;
      var text = h === "" ? F.none : TW.age(Number(h) * 3600 + m.shift);
      if (e.textContent !== text) e.textContent = text;
    });
  }

  /* Given a node's section of the hub page, its node in the status document and a moment, draw
   * (again) its disk chart below its chart once it comes into view: the history in the node's
   * series, the forecast in node.disk (chart.js's diskChart). */
  function diskSlot(section, n, m) {
    var chart = section.querySelector("[data-tw-chart]");
    if (!chart) return;
    var box = section.querySelector("[data-tw-disk]");
    if (!box) {
      box = el("div", { class: "tw-disk-chart", "data-tw-disk": "", "aria-live": "polite" });
      chart.after(el("p", { class: "tw-chart-title", text: "Disk of " + n.node }), box);
    }
    var draw = function () {
      TW.load({ json: chart.dataset.json, js: chart.dataset.js, key: chart.dataset.key })
        .then(function (doc) { TW.diskChart(box, doc, n.disk || null, m && m.generated); })
        .catch(function (e) { TW.failed(box, e); });
    };
    if (box.uplot || !window.IntersectionObserver) { draw(); return; }
    if (box.twWatch) box.twWatch.disconnect();
    box.twWatch = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { box.twWatch.disconnect(); box.twWatch = null; draw(); }
    }, { rootMargin: "200px" });
    box.twWatch.observe(box);
  }

  /* Given the hub page's main element, the status document, a moment, links {node(name),
   * item(name, node)} and the order of the tables before (a redraw keeps it), fill its tables;
   * return {apply(q, status) → the counts' text, orders()}. */
  function hubPage(main, doc, m, links, orders) {
    var tag = main.dataset.hub;
    var hub = doc.hubs.filter(function (h) { return h.hub === tag; })[0];
    if (!hub) {
      main.querySelector("#tw-hub-status").textContent = "not in the status document";
      return { apply: function () { return ""; }, orders: function () { return null; } };
    }
    links = links || {};
    main.querySelector("#tw-hub-status").replaceChildren(badge(hub.status));
    var note = main.querySelector(".tw-asof-note");
    if (note) note.remove();
    if (m && m.stale) {
      main.querySelector("#tw-status-table").parentNode.before(el("p", { class: "tw-asof-note", role: "note" },
        el("span", { class: "tw-icon", "aria-hidden": "true", text: TW.icon("warn") }),
        " Every status below is as of " + TW.when(m.generated) + ", ", TW.agoMark(m.generated, m), ", not now."));
    }
    var st = new DataTable(main.querySelector("#tw-status-table"), ITEM_COLUMNS, statusRows(hub, m, links));
    var fi = new DataTable(main.querySelector("#tw-findings-table"), [
      { label: "Node" }, { label: "Item" }, { label: "Check" }, { label: "Status" }, { label: "Message" }],
    findingRows(hub, links));
    if (orders && orders[0][0] >= 0) { st.sort(orders[0][0], orders[0][1]); } else { st.sort(2, -1); } // worst first
    if (orders && orders[1][0] >= 0) { fi.sort(orders[1][0], orders[1][1]); } else { fi.sort(3, -1); }
    hub.nodes.forEach(function (n) {
      var slot = main.querySelector('.tw-node-status[data-node="' + CSS.escape(n.node) + '"]');
      if (slot) slot.replaceChildren(badge(n.status));
      var section = slot && slot.closest("section");
      if (section) diskSlot(section, n, m);
    });
    return {
      apply: function (text, status) {
        var a = st.filter(text, status), b = fi.filter(text, status);
        return a + " of " + st.rows.length + " items, " + b + " of " + fi.rows.length + " findings shown";
      },
      orders: function () { return [st.order(), fi.order()]; },
    };
  }

  TW.DataTable = DataTable;
  TW.findingsCell = findingsCell;
  TW.itemRow = itemRow;
  TW.ITEM_COLUMNS = ITEM_COLUMNS;
  TW.refreshAges = refreshAges;
  TW.hubPage = hubPage;
})(window.tarwatch = window.tarwatch || {});
