/* The order form's place: "use my location" fills two hidden fields (xinfeng.js,
   data-geolocate); this shows and runs the "clear" button, and a pin map when the page has
   one (#order-pin-map, filled in by the map app) moves the pin to the fix or lets the
   person tap the map to set the place. Raw latitude/longitude are never typed. */
(function () {
  "use strict";
  var box = document.getElementById("order-location");
  if (!box) return;
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  var clear = box.querySelector("[data-clear-location]");
  var status = document.getElementById("location-status");
  function has() { return lat.value !== "" && lng.value !== ""; }
  function sync() { if (clear) clear.hidden = !has(); }
  box.addEventListener("xf:located", sync);
  box.addEventListener("xf:pinned", function (ev) {
    lat.value = ev.detail.lat.toFixed(6);
    lng.value = ev.detail.lng.toFixed(6);
    if (status) status.textContent = box.dataset.msgPinned || status.textContent;
    sync();
  });
  if (clear) clear.addEventListener("click", function () {
    lat.value = ""; lng.value = "";
    if (status) status.textContent = clear.dataset.msgCleared || "";
    box.dispatchEvent(new CustomEvent("xf:cleared"));
    sync();
  });
  sync();
})();
