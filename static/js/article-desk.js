// The article form's guards against lost work: a warning when leaving with
// unsaved changes, the "dirty" flag the presence ping reports, and a local
// draft of the body (localStorage) offered back after a crash, on the change
// form and on the add form alike. None of it is needed to save: without
// JavaScript the stale-save check still holds.
var deskEditor = null;
// The body editor starts as a module script, before DOMContentLoaded.
document.addEventListener("prose-editor:ready", function (event) {
  deskEditor = event.detail.editor;
  document.dispatchEvent(new CustomEvent("desk:editor-ready"));
});

// A new story's drafts, one per add form opened: "newsroom-draft:new:<page>".
var NEW_DRAFTS = "newsroom-draft:new:";

// A new story sent from the add form and saved: the page the admin shows next
// (the list, the story's change form or another add form) says so, and the
// draft kept while it was typed is done with.
function clearSavedNewDrafts() {
  if (!document.querySelector(".messagelist .success")) return;
  try {
    var saved = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(NEW_DRAFTS) === 0) {
        var draft = JSON.parse(localStorage.getItem(key)) || {};
        if (draft.submitted) saved.push(key);
      }
    }
    saved.forEach(function (key) {
      localStorage.removeItem(key);
    });
  } catch (error) {
    /* storage refused: nothing was kept */
  }
}

document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  clearSavedNewDrafts();
  var form = document.getElementById("article_form");
  if (!form) return;
  var revisionInput = form.querySelector("[name=based_on_revision]");
  var body = form.querySelector("textarea[name=body]");
  var dirtyInput = document.getElementById("desk-dirty");
  var path = form.getAttribute("action") || location.pathname;
  var articleId = path.match(/\/(\d+)\/change\//);
  articleId = articleId ? articleId[1] : null;
  var adding = !articleId && /\/add\/$/.test(path);
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

  // Local drafts, {body, savedAt, submitted}: on the change form one per
  // article and revision; on the add form (no article yet) one per form
  // opened, so two new stories typed at once keep a draft each.
  var PREFIX = adding ? NEW_DRAFTS : "newsroom-draft:" + articleId + ":";
  var currentKey = adding
    ? PREFIX + Date.now().toString(36) + Math.random().toString(36).slice(2, 8)
    : PREFIX + revision;
  function draftKey() {
    return currentKey;
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
  var keepsDrafts = Boolean(body && (articleId || adding));
  function keepDraft() {
    if (!keepsDrafts) return;
    try {
      if (body.value === initialBody) {
        localStorage.removeItem(draftKey());
      } else {
        localStorage.setItem(
          draftKey(),
          JSON.stringify({
            body: body.value,
            savedAt: new Date().toISOString(),
            submitted: submitting,
          }),
        );
      }
    } catch (error) {
      /* storage full or refused: the draft is a courtesy */
    }
  }
  var initialBody = body ? body.value : "";

  function offerDraft() {
    if (!keepsDrafts) return;
    var notice = document.getElementById("desk-draft");
    var drafts = storedDrafts();
    var offered = null;
    drafts.forEach(function (entry) {
      var draft = entry.draft || {};
      // A new story's draft sent and saved went with the next page's message
      // (clearSavedNewDrafts); one still here was not saved.
      var older = !adding && Number(entry.key.slice(PREFIX.length)) < Number(revision);
      if ((draft.submitted && older) || draft.body === body.value) {
        // Saved since (the revision moved on), or nothing to give back.
        localStorage.removeItem(entry.key);
      } else if (!offered || draft.savedAt > offered.draft.savedAt) {
        offered = entry;
      }
    });
    if (!offered || !notice) return;
    var when = new Date(offered.draft.savedAt);
    var where = adding ? "into a new story" : "here";
    document.getElementById("desk-draft-text").textContent =
      "Restore unsaved text from " +
      when.toLocaleString() +
      "? It was typed " +
      where +
      " but never saved.";
    notice.hidden = false;
    document.getElementById("desk-draft-restore").addEventListener("click", function () {
      if (deskEditor) {
        deskEditor.commands.setContent(offered.draft.body);
      }
      body.value = offered.draft.body;
      notice.hidden = true;
      // A new story's draft now belongs to this form: kept, sent and cleared with it.
      if (adding) currentKey = offered.key;
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
    // The draft holds what is sent, marked sent: a keep still waiting would
    // otherwise write it back unmarked while the next page loads.
    clearTimeout(pending);
    keepDraft();
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
    // A refused save (a conflict, an error) holds values not saved yet: its
    // body is kept as this form's draft, in case the browser dies before the
    // next save.
    var refused = Boolean(document.querySelector(".desk-conflict, .errornote"));
    initial = refused ? "" : state();
    initialBody = body && !refused ? body.value : "";
    offerDraft();
    if (refused) keepDraft();
  });
});
