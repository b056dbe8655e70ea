// Activities: "use my location" for the list, and geofence check-in on the activity page.
(function () {
  function locate(done, fail) {
    if (!navigator.geolocation) { fail(); return; }
    navigator.geolocation.getCurrentPosition(function (p) { done(p.coords.latitude, p.coords.longitude); }, fail,
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }
  var btn = document.getElementById("f-locate");
  if (btn) {
    btn.addEventListener("click", function () {
      var form = document.getElementById("act-filters");
      locate(function (lat, lng) {
        form.elements.lat.value = lat.toFixed(6);
        form.elements.lng.value = lng.toFixed(6);
        form.elements.near.value = "";
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }, function () { alert(btn.dataset.error); });
    });
  }
  var near = document.getElementById("f-near");
  if (near) {
    near.addEventListener("change", function () {
      var form = document.getElementById("act-filters");
      form.elements.lat.value = ""; form.elements.lng.value = "";
    }, true);
  }
  document.querySelectorAll("form[data-geofence]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.elements.latitude.value) { return; }
      e.preventDefault();
      locate(function (lat, lng) {
        form.elements.latitude.value = lat.toFixed(6);
        form.elements.longitude.value = lng.toFixed(6);
        form.submit();
      }, function () { alert(form.dataset.error); });
    });
  });
})();
