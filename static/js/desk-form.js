// The article form while it is edited: the body's length and reading time,
// and the search and social preview, follow what is typed. The server
// renders both from the saved article; without this script they show that.
(function () {
  "use strict";

  function bodyText() {
    var editor = document.querySelector(".field-body [contenteditable=\"true\"]");
    if (editor) {
      return editor.innerText;
    }
    var source = document.getElementById("id_body");
    if (!source) {
      return null;
    }
    var scratch = document.createElement("div");
    scratch.innerHTML = source.value; // parsed, never inserted into the page
    return scratch.textContent;
  }

  function updateLength() {
    var output = document.getElementById("body-length");
    var text = bodyText();
    if (!output || text === null) {
      return;
    }
    var words = text.split(/\s+/).filter(Boolean).length;
    var perMinute = Number(output.getAttribute("data-words-per-minute")) || 230;
    var minutes = Math.max(1, Math.round(words / perMinute));
    output.textContent =
      words + (words === 1 ? " word" : " words") + " · about " + minutes + " min to read";
  }

  function truncate(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function updatePreview(name) {
    var field = document.getElementById("id_" + name);
    if (!field) {
      return;
    }
    document.querySelectorAll('[data-preview="' + name + '"]').forEach(function (target) {
      var length = target.classList.contains("desk-serp-description") ? 160 : 90;
      if (target.classList.contains("desk-serp-title")) {
        length = 60;
      }
      target.textContent = truncate(field.value.trim(), length);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("article_form");
    if (!form) {
      return;
    }
    var pending = null;
    form.addEventListener("input", function (event) {
      var name = event.target.name;
      if (name === "headline" || name === "standfirst") {
        updatePreview(name);
      }
      window.clearTimeout(pending);
      pending = window.setTimeout(updateLength, 250);
    });
    // The body editor writes to its hidden field without input events: also count on keyup.
    form.addEventListener("keyup", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(updateLength, 250);
    });
  });
})();
