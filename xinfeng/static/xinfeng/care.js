/* 读给我听 (read aloud) on every page, through the browser's speechSynthesis.
 *
 *   button[data-read-aloud="<selector>"]   hidden until the browser has a voice for the page's
 *                                          language (data-lang, e.g. zh-CN); a tap reads the
 *                                          text of the selected element (the page's <main>),
 *                                          a second tap stops (label in data-label-stop).
 *
 * Nothing here times out or starts by itself (care mode: no auto-play).
 */
(function () {
  "use strict";
  var synth = window.speechSynthesis;

  function voiceFor(lang) {
    if (!synth || typeof synth.getVoices !== "function") return null;
    var voices = synth.getVoices() || [];
    var want = lang.toLowerCase();
    var base = want.split("-")[0];
    var exact = null, near = null;
    for (var i = 0; i < voices.length; i++) {
      var v = (voices[i].lang || "").toLowerCase().replace("_", "-");
      if (v === want) { exact = voices[i]; break; }
      if (!near && v.split("-")[0] === base) near = voices[i];
    }
    return exact || near;
  }

  function setup() {
    var buttons = document.querySelectorAll("[data-read-aloud]");
    for (var i = 0; i < buttons.length; i++) {
      var btn = buttons[i];
      btn.hidden = !voiceFor(btn.getAttribute("data-lang") || "zh-CN");
    }
  }

  function textOf(el) {
    // innerText of the live element: what is rendered, as it reads (no hidden parts).
    return (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
  }

  document.addEventListener("click", function (event) {
    var btn = event.target instanceof Element && event.target.closest("[data-read-aloud]");
    if (!btn || !synth) return;
    event.preventDefault();
    if (!btn.dataset.label) btn.dataset.label = btn.textContent;
    if (synth.speaking) {
      synth.cancel();
      btn.textContent = btn.dataset.label;
      return;
    }
    var target = document.querySelector(btn.getAttribute("data-read-aloud")) || document.body;
    var lang = btn.getAttribute("data-lang") || "zh-CN";
    var utterance = new SpeechSynthesisUtterance(textOf(target));
    utterance.lang = lang;
    var voice = voiceFor(lang);
    try { if (voice) utterance.voice = voice; } catch (e) { /* the language alone picks one */ }
    utterance.onend = utterance.onerror = function () { btn.textContent = btn.dataset.label; };
    btn.textContent = btn.getAttribute("data-label-stop") || btn.dataset.label;
    synth.speak(utterance);
  });

  if (synth && "onvoiceschanged" in synth) synth.addEventListener("voiceschanged", setup);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
