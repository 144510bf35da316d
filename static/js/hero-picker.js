// The article form's hero box: the library search shows each photo beside its
// alt text and credit, and the preview under the box follows the choice before
// the article is saved. Without this script the box still searches by text and
// the preview shows the saved photo.
(function () {
  "use strict";

  function thumbnail(choice, width) {
    var img = document.createElement("img");
    img.src = choice.thumbnail;
    img.alt = ""; // the alt text is written beside it
    img.width = width;
    img.height = choice.width ? Math.round((width * choice.height) / choice.width) : width;
    img.className = "library-thumbnail";
    return img;
  }

  function describe(choice, width) {
    var row = document.createElement("span");
    row.className = "hero-choice";
    row.appendChild(thumbnail(choice, width));
    var words = document.createElement("span");
    words.className = "hero-choice-words";
    words.textContent = choice.alt;
    if (choice.credit) {
      var credit = document.createElement("small");
      credit.textContent = choice.credit;
      words.appendChild(credit);
    }
    row.appendChild(words);
    return row;
  }

  function showResult(choice) {
    return choice.thumbnail ? describe(choice, 64) : choice.text;
  }

  function showSelection(choice) {
    return choice.thumbnail ? describe(choice, 24) : choice.text;
  }

  function updatePreview(preview, choice) {
    if (!choice || !choice.id) {
      preview.textContent = "No photo chosen yet.";
      return;
    }
    if (!choice.thumbnail) {
      return; // the photo the page came with: the server drew it already
    }
    var link = document.createElement("a");
    link.href = choice.url;
    link.appendChild(thumbnail(choice, 120));
    preview.replaceChildren(link, " " + choice.text);
  }

  function enhance($) {
    var hero = document.getElementById("id_hero");
    if (!hero || !$.fn.select2 || !hero.classList.contains("admin-autocomplete")) {
      return;
    }
    var $hero = $(hero);
    // Django's autocomplete.js made the box already; it is made again with
    // the same search and the pictures added.
    $hero.select2({
      ajax: {
        data: function (params) {
          return {
            term: params.term,
            page: params.page,
            app_label: hero.dataset.appLabel,
            model_name: hero.dataset.modelName,
            field_name: hero.dataset.fieldName,
          };
        },
      },
      templateResult: showResult,
      templateSelection: showSelection,
    });
    var preview = document.querySelector(".field-hero_preview .readonly");
    if (preview) {
      preview.setAttribute("aria-live", "polite");
      $hero.on("change", function () {
        updatePreview(preview, $hero.select2("data")[0]);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.django && window.django.jQuery) {
      // Registered now, so it runs after autocomplete.js's own ready handler.
      window.django.jQuery(enhance);
    }
  });
})();
