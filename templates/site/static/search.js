// Offline full-text search over window.ADR_SEARCH_INDEX (loaded by <script src>, so it
// works from file:// where fetch() is blocked; see DR-013). Results are built with DOM
// APIs and textContent only: record text is never parsed as HTML.
(function () {
  "use strict";
  var docs = window.ADR_SEARCH_INDEX || [];
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var root = document.body.getAttribute("data-root") || "";
  var MAX = 100;

  function terms(q) {
    return q.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
  }

  function score(doc, words) {
    var title = (doc.id + " " + doc.title).toLowerCase();
    var tags = doc.tags.join(" ").toLowerCase();
    var text = doc.text.toLowerCase();
    var total = 0;
    for (var i = 0; i < words.length; i += 1) {
      var w = words[i], s = 0;
      if (title.indexOf(w) !== -1) { s += 10; }
      if (tags.indexOf(w) !== -1) { s += 5; }
      if (doc.status.toLowerCase() === w) { s += 3; }
      if (text.indexOf(w) !== -1) { s += 1; }
      if (s === 0) { return 0; }
      total += s;
    }
    return total;
  }

  function snippet(doc, words) {
    var text = doc.text, low = text.toLowerCase(), at = -1;
    for (var i = 0; i < words.length && at === -1; i += 1) { at = low.indexOf(words[i]); }
    if (at === -1) { return text.slice(0, 160); }
    var start = Math.max(0, at - 60);
    return (start > 0 ? "…" : "") + text.slice(start, start + 180) + "…";
  }

  function render(q) {
    var words = terms(q);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!words.length) { status.textContent = "Type to search " + docs.length + " records."; return; }
    var hits = [];
    docs.forEach(function (doc) { var s = score(doc, words); if (s > 0) { hits.push([s, doc]); } });
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1].id < b[1].id ? -1 : 1); });
    status.textContent = hits.length + " record" + (hits.length === 1 ? "" : "s") + " match “" + q + "”.";
    hits.slice(0, MAX).forEach(function (hit) {
      var doc = hit[1];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + doc.url;
      a.textContent = doc.id + ": " + doc.title;
      var badge = document.createElement("span");
      badge.className = "status status-" + doc.status.replace(/[^a-z0-9-]/g, "-");
      badge.textContent = doc.status;
      var p = document.createElement("p");
      p.className = "snippet";
      p.textContent = snippet(doc, words);
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(badge);
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  var q = new URLSearchParams(window.location.search).get("q") || "";
  input.value = q;
  render(q);
  input.addEventListener("input", function () { render(input.value); });
  document.getElementById("search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    render(input.value);
  });
}());
