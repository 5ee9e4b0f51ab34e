// The self-assessment form's live saves: each criterion is saved as the clerk types (with the version
// the page read) and its new score shown; what was typed is never thrown away — a refused save keeps
// it in the field, says why, and a conflict shows what someone else stored so the clerk chooses.
// Unsaved values are kept in localStorage until saved, so a closed tab or a lost connection loses nothing.
(function () {
  "use strict";
  var form = document.getElementById("assessment");
  if (!form) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var msg = (document.getElementById("web-messages") || {}).dataset || {};
  var base = "/c/" + encodeURIComponent(form.dataset.campaign) + "/units/" + encodeURIComponent(form.dataset.unit);
  var draftKey = "parrules-draft:" + base;
  var state = {};  // code -> {timer, inflight, dirty, started}
  window.parrulesTimings = [];

  function drafts() { try { return JSON.parse(localStorage.getItem(draftKey) || "{}"); } catch (e) { return {}; } }
  function keepDraft(code, value, version) {
    var all = drafts(); all[code] = {value: value, version: version};
    try { localStorage.setItem(draftKey, JSON.stringify(all)); } catch (e) { /* storage full: the field still holds it */ }
  }
  function dropDraft(code) { var all = drafts(); delete all[code]; try { localStorage.setItem(draftKey, JSON.stringify(all)); } catch (e) {} }

  function leafOf(el) { return el.closest ? el.closest("section.leaf") : null; }
  function byId(leaf, suffix) { return document.getElementById(leaf.id + suffix); }

  function values(leaf) {
    var out = {};
    var sa = leaf.querySelector('[data-part="self"]');
    var na = leaf.querySelector('[data-part="na"]');
    out.self_assessment = na && na.checked ? "na" : (sa ? sa.value : "");
    var kind = leaf.dataset.kind;
    if (kind === "yes_no") {
      var picked = leaf.querySelector('[data-part="answer"]:checked');
      out.answer = picked ? picked.value : "";
    } else if (kind === "severities") {
      out.answer = {};
      leaf.querySelectorAll("[data-severity]").forEach(function (el) { out.answer[el.dataset.severity] = el.value; });
    } else if (kind !== "none" && kind !== "imported") {
      var a = leaf.querySelector('[data-part="answer"]');
      out.answer = a ? a.value : "";
    }
    return out;
  }

  function put(leaf, given) {
    if (given.self_assessment !== undefined) {
      var sa = leaf.querySelector('[data-part="self"]'), na = leaf.querySelector('[data-part="na"]');
      if (na) na.checked = given.self_assessment === "na";
      if (sa) sa.value = given.self_assessment === "na" ? "" : given.self_assessment;
    }
    if (given.answer === undefined) return;
    var kind = leaf.dataset.kind;
    if (kind === "yes_no") {
      leaf.querySelectorAll('[data-part="answer"]').forEach(function (el) { el.checked = el.value === String(given.answer); });
    } else if (kind === "severities") {
      leaf.querySelectorAll("[data-severity]").forEach(function (el) { el.value = (given.answer || {})[el.dataset.severity] || ""; });
    } else {
      var a = leaf.querySelector('[data-part="answer"]'); if (a) a.value = given.answer;
    }
  }

  function say(leaf, text, bad) {
    var el = byId(leaf, "-state");
    el.textContent = "";
    var span = document.createElement("span");
    span.className = bad ? "problem" : "ok";
    span.textContent = text;
    el.appendChild(span);
  }

  function show(leaf, answer) {
    byId(leaf, "-points").textContent = answer.points;
    byId(leaf, "-final").textContent = answer.final;
    byId(leaf, "-stage").textContent = answer.stage;
    byId(leaf, "-status").textContent = answer.status;
    byId(leaf, "-explanation").textContent = answer.explanation;
    var flags = byId(leaf, "-flags");
    flags.textContent = "";
    answer.flags.forEach(function (f) { var li = document.createElement("li"); li.textContent = f; flags.appendChild(li); });
    document.getElementById("live-total").textContent = answer.total;
    document.getElementById("live-index").textContent = answer.index;
    document.getElementById("live-band").textContent = answer.band;
  }

  function save(leaf) {
    var code = leaf.dataset.code, s = state[code] || (state[code] = {});
    clearTimeout(s.timer); s.timer = null;
    if (s.inflight) { s.dirty = true; return Promise.resolve(); }
    var started = s.started || performance.now();
    s.started = null; s.inflight = true; s.dirty = false;
    var body = values(leaf);
    body.version = Number(leaf.dataset.version);
    keepDraft(code, values(leaf), body.version);
    say(leaf, msg.saving, false);
    return fetch(base + "/criteria/" + encodeURIComponent(code), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (j) { return {ok: r.ok, status: r.status, body: j}; }); })
      .then(function (r) {
        if (r.ok) {
          leaf.dataset.version = r.body.version;
          form.querySelector('input[name="v:' + code + '"]').value = r.body.version;
          show(leaf, r.body);
          if (!s.dirty) { dropDraft(code); say(leaf, msg.saved, false); }
          window.parrulesTimings.push(performance.now() - started);
        } else if (r.status === 409 && r.body.kind === "stale-version") {
          conflict(leaf);
        } else {
          say(leaf, r.body.message + " " + (r.body.detail || "") + " — " + msg.unsaved, true);
        }
      }).catch(function () { say(leaf, msg.unsaved, true); })
      .then(function () { s.inflight = false; if (s.dirty) { s.dirty = false; return save(leaf); } });
  }

  function conflict(leaf) {
    var code = leaf.dataset.code;
    fetch(base + "/criteria/" + encodeURIComponent(code), {credentials: "same-origin"})
      .then(function (r) { return r.json(); }).then(function (stored) {
        var box = byId(leaf, "-conflict");
        box.textContent = "";
        var p = document.createElement("p");
        var answer = typeof stored.answer === "object" && stored.answer !== null ? JSON.stringify(stored.answer) : stored.answer;
        p.textContent = msg.conflict + " " + [stored.self_assessment, answer].filter(function (v) { return v !== "" && v !== null; }).join(" · ");
        box.appendChild(p);
        var mine = document.createElement("button"); mine.type = "button"; mine.textContent = msg.keepMine;
        var theirs = document.createElement("button"); theirs.type = "button"; theirs.className = "secondary"; theirs.textContent = msg.takeTheirs;
        mine.addEventListener("click", function () { leaf.dataset.version = stored.version; box.hidden = true; save(leaf); });
        theirs.addEventListener("click", function () {
          leaf.dataset.version = stored.version; put(leaf, stored); box.hidden = true; dropDraft(code); say(leaf, msg.saved, false);
          form.querySelector('input[name="v:' + code + '"]').value = stored.version;
        });
        box.appendChild(mine); box.appendChild(document.createTextNode(" ")); box.appendChild(theirs);
        box.hidden = false;
        say(leaf, msg.unsaved, true);
      });
  }

  function changed(event, now) {
    var leaf = leafOf(event.target);
    if (!leaf || !event.target.dataset.part) return;
    var s = state[leaf.dataset.code] || (state[leaf.dataset.code] = {});
    s.started = performance.now();
    keepDraft(leaf.dataset.code, values(leaf), Number(leaf.dataset.version));
    clearTimeout(s.timer); s.timer = null;
    if (now) save(leaf); else s.timer = setTimeout(function () { s.timer = null; save(leaf); }, 250);
  }
  form.addEventListener("input", function (e) { changed(e, e.target.type === "radio" || e.target.type === "checkbox"); });
  form.addEventListener("change", function (e) { changed(e, true); });

  var submitting = false;
  form.addEventListener("submit", function (e) {
    submitting = true;
    var pending = Object.keys(state).filter(function (c) { return state[c].inflight || state[c].timer; });
    if (!pending.length) return;
    e.preventDefault();
    var waits = pending.map(function (c) { return save(document.querySelector('section.leaf[data-code="' + c + '"]')); });
    Promise.all(waits).then(function () { form.submit(); });
  });

  window.addEventListener("beforeunload", function (e) {
    if (submitting) return;
    var busy = Object.keys(state).some(function (c) { return state[c].inflight || state[c].dirty; });
    if (busy) { e.preventDefault(); e.returnValue = msg.leave; }
  });

  // What was typed last time and never saved comes back (only onto the version it was typed on).
  var left = drafts();
  Object.keys(left).forEach(function (code) {
    var leaf = document.querySelector('section.leaf[data-code="' + code + '"]');
    if (!leaf) return;
    if (Number(leaf.dataset.version) !== left[code].version) { conflict(leaf); return; }
    put(leaf, left[code].value); say(leaf, msg.restored, false); save(leaf);
  });

  // Evidence: register the document for this criterion, then send the file as the body.
  var types = {pdf: "application/pdf", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", txt: "text/plain",
    doc: "application/msword", xls: "application/vnd.ms-excel",
    docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    odt: "application/vnd.oasis.opendocument.text", ods: "application/vnd.oasis.opendocument.spreadsheet"};
  form.addEventListener("click", function (e) {
    var code = e.target.dataset && e.target.dataset.uploadButton;
    if (!code) return;
    var leaf = leafOf(e.target), file = byId(leaf, "-file"), status = byId(leaf, "-upload-status");
    var chosen = file.files && file.files[0];
    if (!chosen) { status.textContent = msg.chooseFile; return; }
    if (chosen.size > Number(file.dataset.max)) { status.textContent = msg.tooLarge; return; }
    var type = types[(chosen.name.split(".").pop() || "").toLowerCase()] || chosen.type;
    var title = byId(leaf, "-doc-title").value, number = byId(leaf, "-doc-number").value;
    status.textContent = msg.saving;
    var headers = {"Content-Type": "application/json", "X-CSRF-Token": csrf};
    fetch(base + "/documents", {method: "POST", credentials: "same-origin", headers: headers,
      body: JSON.stringify({title: title, number: number, criteria: [code]})})
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
      .then(function (doc) {
        return fetch(base + "/documents/" + doc.id + "/file?version=" + doc.version, {method: "PUT", credentials: "same-origin",
          headers: {"Content-Type": type, "X-CSRF-Token": csrf}, body: chosen})
          .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
          .then(function (done) {
            var li = document.createElement("li");
            li.textContent = (title || number || chosen.name) + " — ";
            var a = document.createElement("a"); a.href = base + "/documents/" + done.id + "/file"; a.textContent = chosen.name;
            li.appendChild(a); byId(leaf, "-documents").appendChild(li);
            status.textContent = msg.uploaded; file.value = "";
            save(leaf);  // the flags (missing evidence) are the engine's: score again
          });
      }).catch(function (j) { status.textContent = (j && j.message ? j.message + " " + (j.detail || "") : msg.unsaved); });
  });
})();
