// Live updates by polling, for any part of a page that changes while it is open
// (a comment thread, a live blog). The server's half is articles/live.py.
//
//   <div id="..." data-live-poll="URL?after=CURSOR" data-live-every="20"
//        data-live-status="ID" data-live-failed="Couldn't check for updates.">
//
// While the tab is visible, the element asks URL every data-live-every seconds;
// a 204 (nothing new) leaves it alone, an answer replaces it (and so carries the
// next cursor). A hidden tab asks nothing; shown again, it asks at once. Inside
// an answer, [data-live-announce] is read out in the status region named by
// data-live-status; a failed check says data-live-failed there. Links marked
// [data-live-check] (a reader's "check now") are hidden while the element polls,
// and [data-live-nothing] is read out when such a check finds nothing.
(function () {
  "use strict";
  var timers = new Map();

  function statusOf(element) {
    var holder = element.closest("[data-live-status]");
    return holder && document.getElementById(holder.getAttribute("data-live-status"));
  }

  // The same news polled again is not read out again; a reader's own "check
  // now" (again) is answered every time.
  function announce(element, text, again) {
    var region = statusOf(element);
    if (!region || !text) return;
    if (region.textContent !== text) {
      region.textContent = text;
    } else if (again) {
      region.textContent = "";
      setTimeout(function () { region.textContent = text; }, 100);
    }
  }

  function stop(element) {
    clearTimeout(timers.get(element));
    timers.delete(element);
  }

  function schedule(element) {
    stop(element);
    if (!element.isConnected || document.visibilityState !== "visible") return;
    var seconds = parseFloat(element.getAttribute("data-live-every")) || 20;
    timers.set(element, setTimeout(function () { poll(element); }, seconds * 1000));
  }

  function poll(element) {
    timers.delete(element);
    if (!element.isConnected || document.visibilityState !== "visible") return;
    htmx.ajax("GET", element.getAttribute("data-live-poll"), {
      source: element, target: element, swap: "outerHTML"
    }).then(function () {
      if (element.isConnected) schedule(element); // 204 or a failure: ask again later
    });
  }

  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    var found = root.querySelectorAll("[data-live-poll]");
    var pollers = root.matches && root.matches("[data-live-poll]") ? [root] : [];
    pollers.push.apply(pollers, found);
    pollers.forEach(function (element) {
      element.querySelectorAll("[data-live-check]").forEach(function (link) { link.hidden = true; });
      schedule(element);
    });
    var said = root.matches && root.matches("[data-live-announce]") ? root : root.querySelector("[data-live-announce]");
    if (said) announce(said, said.getAttribute("data-live-announce"));
  });

  document.addEventListener("visibilitychange", function () {
    document.querySelectorAll("[data-live-poll]").forEach(function (element) {
      if (document.visibilityState === "visible") {
        poll(element); // catch up at once
      } else {
        stop(element);
      }
    });
  });

  function failed(event) {
    var element = event.detail.elt;
    var holder = element && element.closest && element.closest("[data-live-failed]");
    if (holder) announce(holder, holder.getAttribute("data-live-failed"));
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail.elt;
    if (element && element.hasAttribute && element.hasAttribute("data-live-nothing") &&
        event.detail.xhr && event.detail.xhr.status === 204) {
      announce(element, element.getAttribute("data-live-nothing"), true);
    }
  });
})();
