// The thread is the same for every reader, so it shows every "Recommend" button
// unpressed and every "Edit" link hidden. This asks the server, once for the
// comments in the page and again for those swapped in later, which of them this
// reader recommends and which they may still edit, and marks them so.
(function () {
  var script = document.currentScript;
  var url = script && script.getAttribute("data-reader-state-url");
  if (!url || !window.fetch) return;

  function unchecked() {
    var forms = document.querySelectorAll("form.comment__recommend:not([data-reader-state])");
    return Array.prototype.slice.call(forms);
  }

  function check() {
    var forms = unchecked();
    if (!forms.length) return;
    var ids = forms.map(function (form) {
      form.setAttribute("data-reader-state", "asked");
      return form.id.replace("recommend-", "");
    });
    fetch(url + "?ids=" + ids.join(","), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : { recommended: [], editable: [] };
      })
      .then(function (state) {
        state.recommended.forEach(function (id) {
          var button = document.querySelector("#recommend-" + id + " button");
          if (button) button.setAttribute("aria-pressed", "true");
        });
        state.editable.forEach(function (id) {
          var link = document.getElementById("edit-" + id);
          if (link) link.hidden = false;
        });
      })
      .catch(function () {
        // No state: the buttons stay as the shared page has them, and still work.
      });
  }

  check();
  document.addEventListener("htmx:afterSettle", check);
})();
