// The article form's guards against lost work: a warning when leaving with
// unsaved changes, the "dirty" flag the presence ping reports, and a local
// draft of the body (localStorage) offered back after a crash. None of it is
// needed to save: without JavaScript the stale-save check still holds.
var deskEditor = null;
// The body editor starts as a module script, before DOMContentLoaded.
document.addEventListener("prose-editor:ready", function (event) {
  deskEditor = event.detail.editor;
  document.dispatchEvent(new CustomEvent("desk:editor-ready"));
});

document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("article_form");
  if (!form) return;
  var revisionInput = form.querySelector("[name=based_on_revision]");
  var body = form.querySelector("textarea[name=body]");
  var dirtyInput = document.getElementById("desk-dirty");
  var articleId = (form.getAttribute("action") || location.pathname).match(/\/(\d+)\/change\//);
  articleId = articleId ? articleId[1] : null;
  var revision = revisionInput ? revisionInput.value : "0";
  var initial = null;
  var submitting = false;

  function state() {
    var data = new FormData(form);
    var parts = [];
    data.forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken" || typeof value !== "string") return;
      parts.push(key + "=" + value);
    });
    return parts.join("&");
  }

  function isDirty() {
    return initial !== null && state() !== initial;
  }

  // Local drafts: one per article and revision, {body, savedAt, submitted}.
  var PREFIX = "newsroom-draft:" + articleId + ":";
  function draftKey() {
    return PREFIX + revision;
  }
  function storedDrafts() {
    var found = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) {
          found.push({ key: key, draft: JSON.parse(localStorage.getItem(key)) });
        }
      }
    } catch (error) {
      return [];
    }
    return found;
  }
  function keepDraft() {
    if (!body || !articleId) return;
    try {
      if (body.value === initialBody) {
        localStorage.removeItem(draftKey());
      } else {
        localStorage.setItem(
          draftKey(),
          JSON.stringify({ body: body.value, savedAt: new Date().toISOString(), submitted: false }),
        );
      }
    } catch (error) {
      /* storage full or refused: the draft is a courtesy */
    }
  }
  var initialBody = body ? body.value : "";

  function offerDraft() {
    if (!body || !articleId) return;
    var notice = document.getElementById("desk-draft");
    var drafts = storedDrafts();
    var offered = null;
    drafts.forEach(function (entry) {
      var draft = entry.draft || {};
      var older = Number(entry.key.slice(PREFIX.length)) < Number(revision);
      if ((draft.submitted && older) || draft.body === body.value) {
        // Saved since (the revision moved on), or nothing to give back.
        localStorage.removeItem(entry.key);
      } else if (!offered || draft.savedAt > offered.draft.savedAt) {
        offered = entry;
      }
    });
    if (!offered || !notice) return;
    var when = new Date(offered.draft.savedAt);
    document.getElementById("desk-draft-text").textContent =
      "Restore unsaved text from " + when.toLocaleString() + "? It was typed here but never saved.";
    notice.hidden = false;
    document.getElementById("desk-draft-restore").addEventListener("click", function () {
      if (deskEditor) {
        deskEditor.commands.setContent(offered.draft.body);
      }
      body.value = offered.draft.body;
      notice.hidden = true;
      changed();
    });
    document.getElementById("desk-draft-discard").addEventListener("click", function () {
      localStorage.removeItem(offered.key);
      notice.hidden = true;
    });
  }

  var pending = null;
  function changed() {
    clearTimeout(pending);
    pending = setTimeout(function () {
      if (dirtyInput) dirtyInput.value = isDirty() ? "yes" : "no";
      keepDraft();
    }, 300);
  }

  function watchEditor() {
    if (deskEditor) deskEditor.on("update", changed);
  }
  if (deskEditor) watchEditor();
  else document.addEventListener("desk:editor-ready", watchEditor);
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    submitting = true;
    try {
      var stored = localStorage.getItem(draftKey());
      if (stored) {
        var draft = JSON.parse(stored);
        draft.submitted = true;
        localStorage.setItem(draftKey(), JSON.stringify(draft));
      }
    } catch (error) {
      /* nothing kept, nothing to mark */
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !isDirty()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // The editor fills its textarea as it starts; take the form's state after.
  window.addEventListener("load", function () {
    // A refused save (a conflict, an error) holds values not saved yet.
    initial = document.querySelector(".desk-conflict, .errornote") ? "" : state();
    initialBody = body ? body.value : "";
    offerDraft();
  });
});
