/* 离我最近: ask the browser where the person is and reload the list (or the map's panel)
   sorted by distance; if they refuse or have no GPS, the server uses their home village.
   The position goes into the request only (rounded to ~10 m) and is never stored. */
(function () {
  "use strict";
  window.xinfengLocate = function (done) {
    // done(lat, lng) with numbers, or done(null, null) when the position is unavailable.
    if (!navigator.geolocation) { done(null, null); return; }
    var answered = false;
    function once(lat, lng) { if (!answered) { answered = true; done(lat, lng); } }
    navigator.geolocation.getCurrentPosition(
      function (pos) { once(pos.coords.latitude.toFixed(4), pos.coords.longitude.toFixed(4)); },
      function () { once(null, null); },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
    );
    setTimeout(function () { once(null, null); }, 12000);
  };
  var link = document.getElementById("near-me");
  var labelsEl = document.getElementById("near-labels");
  if (!link || !labelsEl || !link.dataset.nearUrl) return;
  var T = JSON.parse(labelsEl.textContent);
  var status = document.getElementById("near-status");
  link.addEventListener("click", function (ev) {
    ev.preventDefault();
    if (status) status.textContent = T.locating;
    window.xinfengLocate(function (lat, lng) {
      var params = new URLSearchParams(new FormData(document.querySelector("form.filters")));
      params.delete("lat"); params.delete("lng"); params.delete("page");
      params.set("near", "1");
      if (lat !== null) { params.set("lat", lat); params.set("lng", lng); }
      else if (status) status.textContent = T.refused;
      window.location.href = link.dataset.nearUrl + "?" + params.toString();
    });
  });
})();
