/* Paper entry (代填): keyboard only. A digit picks the n-th choice of the question that has
   focus (toggles it in a multiple choice); a single choice then moves on to the next
   question. Tab on a checkbox leaves its question (the other boxes are ticked by their
   digit), so a multiple choice costs a digit per pick and one Tab. Enter submits from any
   field but a textarea (Ctrl+Enter there). */
(function () {
  "use strict";
  var form = document.querySelector("[data-paper-form]");
  if (!form) return;

  function focusables() {
    return Array.prototype.filter.call(
      form.querySelectorAll("select, input:not([type=hidden]), textarea, button"),
      function (el) {
        if (el.disabled || el.closest("[hidden]")) return false;
        if (el.type === "radio" && !el.checked) {
          var group = form.querySelectorAll('input[type=radio][name="' + el.name + '"]');
          var anyChecked = Array.prototype.some.call(group, function (r) { return r.checked; });
          return !anyChecked && group[0] === el;
        }
        return true;
      });
  }

  function next(from) {
    var q = from.closest(".sv-q");
    var list = focusables();
    for (var i = list.indexOf(from) + 1; i < list.length; i++) {
      if (!q || list[i].closest(".sv-q") !== q) { list[i].focus(); return; }
    }
  }

  form.addEventListener("keydown", function (ev) {
    var el = ev.target;
    var q = el.closest && el.closest(".sv-q");
    if (q && /^[1-9]$/.test(ev.key) && (el.type === "radio" || el.type === "checkbox")) {
      var opts = q.querySelectorAll("input[type=radio], input[type=checkbox]");
      var pick = opts[parseInt(ev.key, 10) - 1];
      if (!pick) return;
      ev.preventDefault();
      if (pick.type === "checkbox") { pick.checked = !pick.checked; pick.focus(); }
      else { pick.checked = true; pick.focus(); }
      pick.dispatchEvent(new Event("change", { bubbles: true }));
      if (pick.type === "radio") next(pick);
      return;
    }
    if (q && ev.key === "Tab" && !ev.shiftKey && el.type === "checkbox") {
      ev.preventDefault();
      next(el);
      return;
    }
    if (ev.key === "Enter" && (el.tagName !== "TEXTAREA" || ev.ctrlKey)) {
      if (el.tagName === "BUTTON") return;
      ev.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });
})();
