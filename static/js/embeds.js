// Embedded videos and posts on the article page: each is a placeholder that
// loads nothing from its provider until the reader presses "Load content from
// PROVIDER"; then the provider's player takes the placeholder's place, in the
// space it kept. Without this script the reader has the link to the original.
"use strict";

(function () {
  function load(figure) {
    const frame = document.createElement("iframe");
    frame.className = "embed__box embed__frame";
    frame.src = figure.dataset.embedFrame;
    frame.title = figure.dataset.embedTitle;
    frame.allow = "encrypted-media; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    figure.querySelector(".embed__box").replaceWith(frame);
    frame.focus();
  }

  function setUp() {
    for (const figure of document.querySelectorAll("figure[data-embed-frame]")) {
      const consent = figure.querySelector(".embed__consent");
      const button = figure.querySelector(".embed__load");
      if (!consent || !button) continue;
      consent.hidden = false;
      button.addEventListener("click", () => load(figure), { once: true });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
