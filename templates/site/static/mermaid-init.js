// Draw ```mermaid blocks with the Mermaid script the project hosts itself
// ([tool.adr.site] mermaid_script); without it they stay readable code.
(function () {
  "use strict";
  if (!window.mermaid) { return; }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  window.mermaid.initialize({ startOnLoad: true, theme: dark ? "dark" : "default", securityLevel: "strict" });
}());
