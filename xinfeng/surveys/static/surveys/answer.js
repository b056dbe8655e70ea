/* Surveys answer page: show-if (the server's parsed condition in data-relevant), progress
   kept in localStorage (data-survey-storage) and cleared on the thanks page. Without this
   script every question shows and the server ignores the hidden ones. */
(function () {
  "use strict";

  function valueOf(form, name) {
    var fs = form.querySelector('.sv-q[data-name="' + name + '"]');
    if (!fs || fs.hidden) return null;
    var type = fs.getAttribute("data-type");
    var inputs = fs.querySelectorAll("input, select, textarea");
    if (type === "select_multiple") {
      var out = [];
      inputs.forEach(function (i) { if (i.checked) out.push(i.value); });
      return out.length ? out : null;
    }
    for (var k = 0; k < inputs.length; k++) {
      var i = inputs[k];
      if (i.type === "radio" || i.type === "checkbox") { if (i.checked) return i.value; }
      else if (i.type !== "file" && i.value !== "") return i.value;
    }
    return null;
  }

  function compare(value, op, lit) {
    if (value === null || value === "") {
      if (lit === "") return op === "=";
      return op === "!=";
    }
    if (Array.isArray(value)) value = value.join(" ");
    if (typeof lit === "number") {
      var v = parseFloat(value);
      if (isNaN(v)) return false;
      return { "=": v === lit, "!=": v !== lit, ">": v > lit, ">=": v >= lit, "<": v < lit, "<=": v <= lit }[op];
    }
    if (op === "=") return String(value) === lit;
    if (op === "!=") return String(value) !== lit;
    return false;
  }

  function evaluate(tree, form) {
    if (!tree) return true;
    switch (tree[0]) {
      case "and": return tree[1].every(function (t) { return evaluate(t, form); });
      case "or": return tree[1].some(function (t) { return evaluate(t, form); });
      case "not": return !evaluate(tree[1], form);
      case "selected": {
        var v = valueOf(form, tree[1]);
        return Array.isArray(v) ? v.indexOf(tree[2]) >= 0 : v !== null && String(v) === tree[2];
      }
      default: return compare(valueOf(form, tree[1]), tree[2], tree[3]);
    }
  }

  function refresh(form) {
    var qs = form.querySelectorAll(".sv-q");
    var shown = 0, answered = 0;
    qs.forEach(function (fs) {
      var rel = fs.getAttribute("data-relevant");
      if (rel) {
        var show = evaluate(JSON.parse(rel), form);
        fs.hidden = !show;
        var card = fs.closest(".card");
        if (card && card.querySelectorAll(".sv-q").length === 1) card.hidden = !show;
        fs.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !show; });
      }
      if (!fs.hidden) {
        shown++;
        if (valueOf(form, fs.getAttribute("data-name")) !== null) answered++;
      }
    });
    var p = form.querySelector("[data-progress]");
    if (p) {
      p.hidden = false;
      p.textContent = (document.documentElement.lang || "").indexOf("en") === 0
        ? answered + " of " + shown + " answered"
        : "已答 " + answered + " / " + shown + " 题";
    }
  }

  function save(form, key) {
    var data = {};
    form.querySelectorAll("input, select, textarea").forEach(function (i) {
      if (!i.name || i.type === "file" || i.type === "hidden") return;
      if (i.type === "radio" || i.type === "checkbox") {
        if (i.checked) (data[i.name] = data[i.name] || []).push(i.value);
      } else if (i.tagName === "SELECT" && i.multiple) {
        data[i.name] = Array.prototype.filter.call(i.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else { data[i.name] = [i.value]; }
    });
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* private mode */ }
  }

  function restore(form, key) {
    var raw;
    try { raw = localStorage.getItem(key); } catch (e) { return; }
    if (!raw) return;
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    // A server-rendered value (after a refused submit) wins over the saved one.
    if (form.querySelector(".field-error")) return;
    form.querySelectorAll("input, select, textarea").forEach(function (i) {
      if (!i.name || !(i.name in data) || i.type === "file" || i.type === "hidden") return;
      var vals = data[i.name];
      if (i.type === "radio" || i.type === "checkbox") i.checked = vals.indexOf(i.value) >= 0;
      else if (vals.length && !i.value) i.value = vals[0];
    });
  }

  document.querySelectorAll("form .sv-q").length && document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector(".sv-q")) return;
    var key = form.getAttribute("data-survey-storage");
    if (key) restore(form, key);
    refresh(form);
    form.addEventListener("change", function () { refresh(form); if (key) save(form, key); });
    form.addEventListener("input", function () { if (key) save(form, key); });
  });

  var done = document.querySelector("[data-survey-done]");
  if (done) { try { localStorage.removeItem(done.getAttribute("data-survey-done")); } catch (e) { /* ignore */ } }
})();
