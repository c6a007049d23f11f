// The self-check quizzes' stored output (jupyterquiz) waits 500 ms and then, if MathJax has
// no `typeset` method yet, loads MathJax from a CDN -- which replaces the site's own MathJax
// and fails offline. This page-wide stub (a no-op, since MathJax's startup typesets the whole
// page, quizzes included, once it has loaded) keeps the site from ever reaching for the CDN.
// It runs after Sphinx's MathJax configuration and before any page content; the real MathJax
// replaces the global object, stub and all, when it loads.
(function () {
  "use strict";
  if (window.MathJax && !window.MathJax.version && !("typeset" in window.MathJax)) {
    window.MathJax.typeset = function () {};
  }
})();
