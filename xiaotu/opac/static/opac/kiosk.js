// Kiosk mode: after a while with no touch or key, go back to the home page with an empty search box, so the next
// child does not start from someone else's results.
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-home");
  var seconds = parseInt(body.getAttribute("data-idle"), 10) || 90;
  if (!home) return;
  var timer = null;
  function reset() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var here = window.location.pathname + window.location.search;
      if (here !== home) {
        window.location.assign(home);
        return;
      }
      var box = document.getElementById("opac-q");
      if (box) box.value = "";
      window.scrollTo(0, 0);
    }, seconds * 1000);
  }
  ["pointerdown", "keydown", "touchstart", "scroll", "input"].forEach(function (name) {
    window.addEventListener(name, reset, { passive: true });
  });
  reset();
})();
