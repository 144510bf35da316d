/*
 * The moderation queue by keyboard: j/k move between cards, a/r/s/p press the
 * focused card's Approve, Reject, Spam and Pick buttons (the buttons name their
 * key in aria-keyshortcuts), x ticks it, ? shows or hides the legend. Keys are
 * left alone while typing in a field or with a modifier held.
 *
 * After a decision htmx swaps the card for its result; focus then moves to the
 * next card still waiting, or to the "all decided" line, where j loads the
 * next ones, so a long queue is cleared without the mouse. Without JavaScript
 * every button is a plain form post.
 */
(function () {
  "use strict";

  const list = document.getElementById("queue-cards");
  const status = document.getElementById("queue-status");
  const TYPING = 'textarea, select, [contenteditable], input:not([type="checkbox"]):not([type="radio"]):not([type="submit"]):not([type="button"])';

  function cards() {
    return list ? Array.from(list.querySelectorAll("[data-queue-card]")) : [];
  }

  function cardOf(element) {
    return element && element.closest ? element.closest("[data-queue-card]") : null;
  }

  function show(element) {
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = cards();
    if (!all.length) return;
    const index = all.indexOf(cardOf(document.activeElement));
    const next = index === -1 ? (step > 0 ? 0 : all.length - 1) : index + step;
    show(all[Math.max(0, Math.min(all.length - 1, next))]);
  }

  /* The first card after this one that still waits, else the first before it. */
  function nextWaiting(card) {
    const all = cards();
    const index = all.indexOf(card);
    const waiting = (other) => !other.hasAttribute("data-decided");
    return all.slice(index + 1).find(waiting) || all.slice(0, index).reverse().find(waiting);
  }

  function allDecided() {
    const clear = document.getElementById("queue-clear");
    if (clear) {
      clear.hidden = false;
      show(clear);
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest(TYPING)) return;
    const key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      const clear = document.getElementById("queue-clear");
      const more = clear && !clear.hidden && clear.querySelector("a");
      if (key === "j" && more && document.activeElement === clear) {
        window.location.assign(more.href); /* the page is done: on to the next ones */
        return;
      }
      move(key === "j" ? 1 : -1);
    } else if (key === "?") {
      const legend = document.getElementById("queue-keys");
      if (legend) legend.open = !legend.open;
    } else if (key === "x") {
      const tick = cardOf(document.activeElement)?.querySelector(".queue-card__tick");
      if (tick) tick.checked = !tick.checked;
    } else if ("arsp".includes(key) && key.length === 1) {
      const card = cardOf(document.activeElement);
      const button = card && card.querySelector('button[aria-keyshortcuts="' + key + '"]');
      if (button) {
        event.preventDefault();
        button.click();
      }
    }
  });

  /* After a card's swap: a result moves focus on, an error stays on its card. */
  let deciding = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    const card = cardOf(event.detail.elt);
    if (card) deciding = card.id;
  });
  document.addEventListener("htmx:afterSettle", function () {
    const card = deciding && document.getElementById(deciding);
    if (!card) return;
    deciding = null;
    if (!card.hasAttribute("data-decided")) {
      show(card);
      return;
    }
    const next = nextWaiting(card);
    if (next) show(next);
    else allDecided();
  });

  document.addEventListener("htmx:responseError", function (event) {
    deciding = null;
    if (status) {
      status.textContent =
        "That decision was not taken (" + event.detail.xhr.status + "). Reload the page to see the queue as it is now.";
    }
  });

  const tickAll = document.getElementById("queue-tick-all");
  if (tickAll) {
    tickAll.closest(".queue-bulk__all").hidden = false;
    tickAll.addEventListener("change", function () {
      for (const tick of document.querySelectorAll(".queue-card__tick")) tick.checked = tickAll.checked;
    });
  }
})();
