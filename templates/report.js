"use strict";
// The appendix: every result, filtered and paged in the browser. The rows come from the JSON
// data block #onus-results; everything is written with textContent, never as markup.
(function () {
  var data = JSON.parse(document.getElementById("onus-results").textContent);
  var STATUS = ["fail", "not-assessed", "pass"];
  var STATUS_LABEL = ["Failed", "Not assessed", "Passed"];
  var OWNER = ["customer", "shared", "provider"];
  var PAGE = 50;
  var PRINT_LIMIT = 2000;
  var rules = data.rules;
  var rows = data.rows;
  var form = document.getElementById("results-filter");
  var body = document.getElementById("results-body");
  var count = document.getElementById("results-count");
  var pageLabel = document.getElementById("results-page");
  var prev = document.getElementById("results-prev");
  var next = document.getElementById("results-next");
  var matches = [];
  var page = 0;
  var haystacks = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function option(select, value, label) {
    var o = el("option", null, label);
    o.value = value;
    select.appendChild(o);
  }

  var layers = [];
  rules.forEach(function (r) { if (layers.indexOf(r.layer) < 0) { layers.push(r.layer); } });
  layers.sort();
  layers.forEach(function (l) { option(form.elements.layer, l, l); });

  function haystack(i) {
    if (!haystacks) {
      haystacks = new Array(rows.length);
    }
    var h = haystacks[i];
    if (h === undefined) {
      var r = rows[i];
      var rule = rules[r[0]];
      h = [rule.id, rule.title, r[3], r[4], r[5], r[6], r[7]].join("\u0000").toLowerCase();
      haystacks[i] = h;
    }
    return h;
  }

  function filters() {
    var f = form.elements;
    return {
      severity: f.severity.value,
      layer: f.layer.value,
      owner: f.owner.value,
      status: f.status.value,
      q: f.q.value.trim().toLowerCase()
    };
  }

  function keep(i, f) {
    var r = rows[i];
    var rule = rules[r[0]];
    if (f.status && STATUS[r[1]] !== f.status) { return false; }
    if (f.severity && rule.severity !== f.severity) { return false; }
    if (f.owner && OWNER[r[2]] !== f.owner) { return false; }
    if (f.layer && rule.layer !== f.layer) { return false; }
    if (f.q && haystack(i).indexOf(f.q) < 0) { return false; }
    return true;
  }

  function row(i) {
    var r = rows[i];
    var rule = rules[r[0]];
    var tr = el("tr", "status-" + STATUS[r[1]]);
    var status = el("td", "status");
    status.appendChild(el("span", "pill pill-" + STATUS[r[1]], STATUS_LABEL[r[1]] + (r[8] ? " (waived)" : "")));
    tr.appendChild(status);
    var sev = el("td");
    sev.appendChild(el("span", "sev sev-" + rule.severity, rule.severity));
    tr.appendChild(sev);
    var control = el("td", null, rule.title);
    control.appendChild(el("br"));
    control.appendChild(el("span", "id muted", rule.id));
    tr.appendChild(control);
    var res = el("td", null, r[3]);
    res.appendChild(el("br"));
    res.appendChild(el("span", "id muted", r[4]));
    tr.appendChild(res);
    tr.appendChild(el("td", null, r[5] + (r[6] ? " / " + r[6] : "")));
    tr.appendChild(el("td", null, rule.layer + " · " + OWNER[r[2]]));
    tr.appendChild(el("td", null, r[7]));
    return tr;
  }

  function show() {
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    if (page >= pages) { page = pages - 1; }
    var frag = document.createDocumentFragment();
    var end = Math.min(matches.length, (page + 1) * PAGE);
    for (var k = page * PAGE; k < end; k++) { frag.appendChild(row(matches[k])); }
    body.textContent = "";
    body.appendChild(frag);
    count.textContent = matches.length + " of " + rows.length + " results match";
    pageLabel.textContent = "Page " + (page + 1) + " of " + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  function apply() {
    var f = filters();
    matches = [];
    for (var i = 0; i < rows.length; i++) { if (keep(i, f)) { matches.push(i); } }
    page = 0;
    show();
  }

  var timer = null;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 120);
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  prev.addEventListener("click", function () { page -= 1; show(); });
  next.addEventListener("click", function () { page += 1; show(); });

  // A link can carry a filter: #results:status=fail&severity=high&q=bucket
  function fromHash() {
    var h = decodeURIComponent(location.hash || "");
    if (h.indexOf("#results:") !== 0) { return false; }
    h.slice(9).split("&").forEach(function (pair) {
      var eq = pair.indexOf("=");
      if (eq < 0) { return; }
      var name = pair.slice(0, eq);
      var field = form.elements[name];
      if (field && ["severity", "layer", "owner", "status", "q"].indexOf(name) >= 0) {
        field.value = pair.slice(eq + 1);
      }
    });
    return true;
  }

  // A filtered link opens the results on their own; one click shows the whole report.
  if (fromHash()) { document.body.classList.add("results-only"); }
  apply();
  document.getElementById("whole-report").addEventListener("click", function () {
    document.body.classList.remove("results-only");
  });
  window.addEventListener("hashchange", function () {
    if (fromHash()) { document.body.classList.add("results-only"); apply(); }
  });

  // The printed appendix lists the failures only.
  var printBody = document.getElementById("print-failures-body");
  var printNote = document.getElementById("print-failures-note");
  var failed = 0;
  var frag = document.createDocumentFragment();
  for (var i = 0; i < rows.length; i++) {
    if (rows[i][1] !== 0) { continue; }
    failed += 1;
    if (failed <= PRINT_LIMIT) { frag.appendChild(row(i)); }
  }
  printBody.appendChild(frag);
  printNote.textContent = failed > PRINT_LIMIT
    ? "The first " + PRINT_LIMIT + " of " + failed + " failed results; the HTML report lists them all."
    : failed + " failed result" + (failed === 1 ? "" : "s") + ". Passed and not-assessed results are in the HTML report.";
})();
