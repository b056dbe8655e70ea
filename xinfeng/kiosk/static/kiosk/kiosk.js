/* 自助终端: after data-kiosk-idle seconds without a touch, end the visit on the server
 * (POST to data-kiosk-end, which flushes the session) and return to the start. */
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-kiosk-idle") || "60", 10);
  var endUrl = body.getAttribute("data-kiosk-end");
  var timer = null;
  function end() {
    var form = document.createElement("form");
    form.method = "post";
    form.action = endUrl;
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = body.getAttribute("data-csrf") || "";
    form.appendChild(token);
    body.appendChild(form);
    form.submit();
  }
  function touch() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(end, seconds * 1000);
  }
  ["pointerdown", "keydown", "touchstart", "input"].forEach(function (type) {
    document.addEventListener(type, touch, { passive: true });
  });
  // A page restored from the back/forward cache is stale: reload (the server says no-store).
  window.addEventListener("pageshow", function (event) { if (event.persisted) location.reload(); });
  touch();
})();
