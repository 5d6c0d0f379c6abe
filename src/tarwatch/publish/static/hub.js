/* tarwatch's pages, 4 of 7: the hub page's sortable, filterable tables of items and findings. */
(function (TW) {
  "use strict";

  var el = TW.el, badge = TW.badge, RANK = TW.RANK, F = TW.facts;

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
      r.cells.forEach(function (c, k) { r.tr.appendChild(el("td", { "data-label": columns[k].label }, c)); });
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
        rows.push({ status: n.status, cells: [n.node, F.none, badge(n.status), n.reason || "no tarballs", "", "", "", ""],
          keys: [n.node, "", RANK[n.status], null, null, null, null, null] });
      }
      n.items.forEach(function (i) {
        var snoozed = i.snoozed || n.snoozed;
        var state = snoozed ? el("span", {}, badge(i.status), " ", TW.snoozeMark(snoozed)) : badge(i.status);
        rows.push({
          status: i.status,
          cells: [n.node, i.item, state, TW.when(i.latest), TW.itemAge(i), TW.size(i.size),
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
        var message = snoozed ? f.message + " (" + TW.snoozeText(snoozed) + ")" : f.message;
        rows.push({ status: f.status, cells: [n.node, item, f.check, badge(f.status), message],
          keys: [n.node, item, f.check, RANK[f.status], message] });
      };
      n.findings.forEach(function (f) { add(F.none, f, n.snoozed); });
      n.items.forEach(function (i) { i.findings.forEach(function (f) { add(i.item, f, i.snoozed || n.snoozed); }); });
    });
    return rows;
  }

  /* Given the hub page's main element and the status document, fill its tables and filters. */
  function hubPage(main, doc) {
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

  TW.DataTable = DataTable;
  TW.hubPage = hubPage;
})(window.tarwatch = window.tarwatch || {});
