// olxkit preview: live reload (server-sent events), the error overlay, the fallback toggle, and problems.
(function () {
  "use strict";
  var K = window.OLXKIT || {};

  // -- live reload --------------------------------------------------------------------------------------------
  function overlay(findings) {
    var box = document.getElementById("olxkit-overlay");
    if (!box) return;
    var list = box.querySelector(".findings");
    list.innerHTML = "";
    findings.forEach(function (f) {
      var li = document.createElement("li");
      var loc = document.createElement("code"); loc.textContent = f.location;
      var code = document.createElement("span"); code.className = "code"; code.textContent = f.code || "";
      li.appendChild(loc); li.appendChild(document.createTextNode(" ")); li.appendChild(code);
      li.appendChild(document.createTextNode(" " + f.message));
      list.appendChild(li);
    });
    box.hidden = findings.length === 0;
  }
  if (window.EventSource) {
    var events = new EventSource("/__olxkit__/events?version=" + K.version);
    events.addEventListener("reload", function (e) {
      var data = JSON.parse(e.data);
      if (data.version !== K.version) { sessionStorage.setItem("olxkit-scroll", String(window.scrollY)); location.reload(); }
      else overlay([]);
    });
    events.addEventListener("broken", function (e) { overlay(JSON.parse(e.data).findings); });
  }
  var scroll = sessionStorage.getItem("olxkit-scroll");
  if (scroll !== null) { sessionStorage.removeItem("olxkit-scroll"); window.addEventListener("load", function () { window.scrollTo(0, +scroll); }); }

  // -- texts that fell back to another language ----------------------------------------------------------------
  var toggle = document.getElementById("show-fallbacks");
  if (toggle) {
    toggle.checked = localStorage.getItem("olxkit-fallbacks") === "1";
    var apply = function () {
      document.body.classList.toggle("show-fallbacks", toggle.checked);
      localStorage.setItem("olxkit-fallbacks", toggle.checked ? "1" : "0");
    };
    toggle.addEventListener("change", apply); apply();
  }

  // -- problems ------------------------------------------------------------------------------------------------
  function post(url, body) {
    return fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body || {}),
                       credentials: "same-origin"}).then(function (r) { return r.json(); });
  }
  function typeset(el) { if (window.MathJax && MathJax.typesetPromise) MathJax.typesetPromise([el]).catch(function () {}); }
  var T = K.labels || {};
  var LABELS = {"correct": T.correct, "incorrect": T.incorrect, "partially-correct": T.partially_correct};
  function fill(text, values) { return text.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? String(values[k]) : m; }); }
  // Hints and feedback of a problem shown in the fallback language are marked as its fields are (marks.py).
  function fellBack(problem, el) {
    var lang = problem.getAttribute("data-fallback-lang");
    if (lang) { el.setAttribute("data-fallback", problem.getAttribute("data-fallback-label")); el.setAttribute("lang", lang); }
  }

  function answers(problem) {
    return Array.prototype.map.call(problem.querySelectorAll(".response"), function (r) {
      var kind = r.getAttribute("data-kind");
      if (kind === "radio") { var c = r.querySelector("input:checked"); return c ? +c.value : null; }
      if (kind === "checkbox") return Array.prototype.map.call(r.querySelectorAll("input:checked"), function (c) { return +c.value; });
      var input = r.querySelector("select, input"); return input.value;
    });
  }
  function show(problem, data) {
    var note = problem.querySelector(".notification");
    if (data.error) { note.textContent = data.error; return; }
    var responses = problem.querySelectorAll(".response");
    (data.results || []).forEach(function (res, i) {
      var box = responses[i].querySelector(".response-feedback");
      box.className = "response-feedback" + (data.correctness_shown ? " " + res.correctness : "");
      box.innerHTML = "";
      if (data.correctness_shown) {
        var s = document.createElement("span"); s.className = "status-" + res.correctness;
        s.textContent = LABELS[res.correctness] || res.correctness; box.appendChild(s);
      }
      (res.feedback || []).forEach(function (html) { var d = document.createElement("div"); d.innerHTML = html; fellBack(problem, d); box.appendChild(d); });
      typeset(box);
    });
    if (data.results) {
      note.textContent = data.correctness_shown
        ? fill(T.score, {earned: data.weighted_earned, possible: data.weighted_possible}) : T.submitted;
    }
    var attempts = problem.querySelector(".attempts");
    if (data.max_attempts) attempts.textContent = fill(T.attempts, {used: data.attempts, total: data.max_attempts});
    problem.querySelector("button.submit").disabled = !data.can_submit;
    problem.querySelector("button.show-answer").hidden = !data.can_show_answer;
  }
  Array.prototype.forEach.call(document.querySelectorAll(".problem"), function (problem) {
    var url = problem.getAttribute("data-url");
    var form = problem.querySelector("form");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      post(url + "/submit", {answers: answers(problem)}).then(function (d) { show(problem, d); });
    });
    var hint = problem.querySelector("button.hint");
    if (hint) hint.addEventListener("click", function () {
      var shown = problem.querySelectorAll(".hints p").length;
      post(url + "/hint", {index: shown}).then(function (d) {
        if (!d.hint) return;
        var p = document.createElement("p");
        var head = document.createElement("strong"); head.textContent = fill(T.hint_n, {number: d.index + 1, total: d.total}) + ":";
        var text = document.createElement("span"); text.innerHTML = " " + d.hint; fellBack(problem, text);
        p.appendChild(head); p.appendChild(text);
        problem.querySelector(".hints").appendChild(p); typeset(p);
        if (d.index + 1 >= d.total) hint.disabled = true;
      });
    });
    problem.querySelector("button.show-answer").addEventListener("click", function () {
      post(url + "/show_answer").then(function (d) {
        if (d.error) { problem.querySelector(".notification").textContent = d.error; return; }
        var responses = problem.querySelectorAll(".response");
        d.answers.forEach(function (a, i) {
          var r = responses[i];
          if (a.choices) a.choices.forEach(function (c) { var input = r.querySelectorAll("input")[c]; input.parentNode.classList.add("answer"); });
          var box = r.querySelector(".response-feedback"); var p = document.createElement("div");
          p.className = "answer-text"; p.textContent = T.answer + ": " + (a.text !== undefined ? a.text : a.choices.map(function (c) { return r.querySelectorAll("label")[c].textContent.trim(); }).join("; "));
          box.appendChild(p);
        });
        var sol = problem.querySelector(".solution"); if (sol) { sol.hidden = false; typeset(sol); }
      });
    });
    problem.querySelector("button.reset").addEventListener("click", function () {
      post(url + "/reset").then(function (d) {
        form.reset(); problem.querySelectorAll(".response-feedback").forEach(function (b) { b.innerHTML = ""; b.className = "response-feedback"; });
        problem.querySelector(".hints").innerHTML = ""; if (hint) hint.disabled = false;
        var sol = problem.querySelector(".solution"); if (sol) sol.hidden = true;
        problem.querySelector(".notification").textContent = "";
        problem.querySelectorAll(".choice.answer").forEach(function (c) { c.classList.remove("answer"); });
        show(problem, d);
      });
    });
    // A learner coming back sees the state kept by the server.
    post(url + "/state").then(function (d) { if (d.attempts) show(problem, d); else show(problem, {can_submit: d.can_submit, can_show_answer: d.can_show_answer, max_attempts: d.max_attempts, attempts: 0}); });
  });
})();
