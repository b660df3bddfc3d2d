// Index page: sort by column and filter by status, tag and text. No server, no inline script.
(function () {
  "use strict";
  var table = document.getElementById("records");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var status = document.getElementById("filter-status");
  var tag = document.getElementById("filter-tag");
  var text = document.getElementById("filter-text");
  var count = document.getElementById("filter-count");

  function rowTags(row) {
    try { return JSON.parse(row.getAttribute("data-tags") || "[]"); } catch (e) { return []; }
  }

  function apply() {
    var s = status.value, t = tag.value, q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!s || row.getAttribute("data-status") === s) &&
        (!t || rowTags(row).indexOf(t) !== -1) &&
        (!q || row.textContent.toLowerCase().indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " shown";
    var params = new URLSearchParams();
    if (s) { params.set("status", s); }
    if (t) { params.set("tag", t); }
    if (q) { params.set("text", q); }
    var hash = params.toString();
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", hash ? "#" + hash : window.location.pathname + window.location.search);
    }
  }

  function sortBy(key, button) {
    var dir = button.getAttribute("data-dir") === "asc" ? "desc" : "asc";
    table.querySelectorAll("button.sort").forEach(function (b) { b.removeAttribute("data-dir"); });
    button.setAttribute("data-dir", dir);
    var sign = dir === "asc" ? 1 : -1;
    rows.sort(function (a, b) {
      var x = a.getAttribute("data-" + key) || "", y = b.getAttribute("data-" + key) || "";
      if (x === y) { return a.getAttribute("data-id") < b.getAttribute("data-id") ? -1 : 1; }
      return (x < y ? -1 : 1) * sign;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  table.querySelectorAll("button.sort").forEach(function (button) {
    button.addEventListener("click", function () { sortBy(button.getAttribute("data-sort"), button); });
  });
  [status, tag].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });

  var initial = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  function pick(select, value) {
    if (!value) { return; }
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].value === value) { select.value = value; }
    }
  }
  pick(status, initial.get("status"));
  pick(tag, initial.get("tag"));
  if (initial.get("text")) { text.value = initial.get("text"); }
  if (initial.toString()) { apply(); }
}());
