/* 云讲堂 player: HLS through the vendored hls.js (or the browser's own HLS on iOS), a plain
   video file otherwise; on the first real "playing" the page tells the server once (the
   play beacon), which counts this viewer once per lecture. */
(function () {
  "use strict";
  var video = document.getElementById("lecture-player");
  if (!video) return;
  var status = document.getElementById("lecture-status");
  var src = video.dataset.src;
  function failed() { if (status) status.textContent = video.dataset.msgFailed; video.dataset.state = "error"; }
  if (video.dataset.player === "hls" && !video.canPlayType("application/vnd.apple.mpegurl")) {
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ enableWorker: false });
      hls.on(window.Hls.Events.ERROR, function (_e, data) { if (data.fatal) failed(); });
      hls.loadSource(src);
      hls.attachMedia(video);
      window.xinfengLecture = hls;
    } else {
      video.src = src;  // let the browser try; an error says so below
    }
  } else {
    video.src = src;
  }
  video.addEventListener("error", failed);
  var sent = false;
  video.addEventListener("playing", function () {
    if (sent) return;
    sent = true;
    fetch(video.dataset.beacon, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": video.dataset.csrf, Accept: "application/json" },
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        var n = document.getElementById("lecture-viewers");
        if (n) n.textContent = String(d.online_viewers);
        video.dataset.counted = "1";
      })
      .catch(function () { sent = false; });
  });
})();
