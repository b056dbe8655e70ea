/* Small behaviours shared by the pages, hooked by data-* attributes.
 *
 * The Content-Security-Policy (xinfeng.core.security) allows only our own script files: no
 * inline <script>, no on*= handlers, no hx-on (htmx runs with allowEval: false). Behaviour
 * that used to be inline lives here, delegated from document so it also works on content
 * htmx swaps in.
 *
 *   data-autosubmit                 a select that submits its form when changed
 *   data-enter-search               a search box where Enter triggers htmx "search" instead
 *                                   of submitting the surrounding form
 *   data-remove-after-request       an htmx button removed after its request (reveal buttons)
 *   data-region-cascade             the region cascade (places/_region_cascade.html)
 *   data-fill-target / data-fill    a radio/checkbox that copies data-fill into the element
 *                                   with id data-fill-target when chosen
 *   data-geolocate                  a button filling #id_latitude/#id_longitude; messages in
 *                                   data-msg-unsupported / -busy / -done / -failed, shown in
 *                                   the element with id data-status
 *   data-quiet-change               a search box whose "change" (fired when it loses focus)
 *                                   never reaches its form: the form's htmx already fetched
 *                                   the rows on "input", and a second request on blur, with
 *                                   its pushed URL, raced a tap on one of the results
 */
(function () {
  "use strict";

  // Capture phase: stopped here, the event never reaches the form's htmx listener.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof Element && el.matches("[data-quiet-change]")) event.stopPropagation();
  }, true);

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof Element)) return;
    var cascade = el.closest("[data-region-cascade]");
    if (cascade && el.tagName === "SELECT") {
      // Drop the values below the changed select and reload with the rest of the form.
      event.stopPropagation();
      var form = el.form;
      var data = new FormData(form);
      data.delete(el.name);
      var selects = cascade.querySelectorAll("select");
      for (var i = 0; i < selects.length; i++) {
        data.append(selects[i].name, selects[i].value);
        if (selects[i] === el) break;
      }
      location.assign((form.getAttribute("action") || location.pathname) + "?" + new URLSearchParams(data));
      return;
    }
    if (el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();
      return;
    }
    if (el.matches("[data-fill-target]") && el.checked) {
      var target = document.getElementById(el.getAttribute("data-fill-target"));
      if (target) target.value = el.getAttribute("data-fill") || "";
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key === "Enter" && el instanceof Element && el.matches("[data-enter-search]")) {
      event.preventDefault();
      if (window.htmx) window.htmx.trigger(el, "search");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var el = event.target;
    if (el instanceof Element && el.matches("[data-remove-after-request]")) el.remove();
  });

  document.addEventListener("click", function (event) {
    var btn = event.target instanceof Element && event.target.closest("[data-geolocate]");
    if (!btn) return;
    var status = document.getElementById(btn.getAttribute("data-status"));
    var say = function (key) { if (status) status.textContent = btn.getAttribute("data-msg-" + key) || ""; };
    if (!navigator.geolocation) { say("unsupported"); return; }
    say("busy");
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
      say("done");
      // Tell the page (a pin map, a "clear" button) where the person is.
      btn.dispatchEvent(new CustomEvent("xf:located", { bubbles: true, detail: { lat: pos.coords.latitude, lng: pos.coords.longitude } }));
    }, function () { say("failed"); });
  });
})();
