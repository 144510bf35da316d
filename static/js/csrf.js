// htmx requests that change something carry the CSRF token from the csrftoken
// cookie, so pages need no per-reader token in their HTML and can be shared.
document.addEventListener("htmx:configRequest", function (event) {
  if (event.detail.verb === "get") return;
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
});
