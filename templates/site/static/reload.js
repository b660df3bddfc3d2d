// adr serve only: reload the page when a rebuild finished (polls the server's version).
(function () {
  "use strict";
  var seen = null;
  function poll() {
    fetch("/__adr__/version", { cache: "no-store" }).then(function (r) { return r.text(); })
      .then(function (v) {
        if (seen === null) { seen = v; } else if (v !== seen) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
}());
