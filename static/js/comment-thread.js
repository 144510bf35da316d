// A comment already in the page is not added to it again. Oldest first, a
// reader's own new comment is appended at once; "Load more" brings it later in
// its turn, and a second copy would repeat its HTML ids (its buttons would act
// on the first copy).
document.addEventListener("htmx:oobBeforeSwap", function (event) {
  var fragment = event.detail.fragment;
  if (!fragment || !fragment.children) return;
  Array.prototype.slice.call(fragment.children).forEach(function (item) {
    if (item.matches("li.comment[id]") && document.getElementById(item.id)) {
      item.remove();
    }
  });
});

// The article page is shared by every reader, so it sets no CSRF cookie; the
// forms loaded into it do. Two loaded at once by a new reader (the comment form
// and a report form) each set a different cookie, and the form whose cookie
// lost would be refused. A post sends the cookie the browser holds now.
document.addEventListener("htmx:configRequest", function (event) {
  if (event.detail.verb === "get") return;
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) event.detail.parameters["csrfmiddlewaretoken"] = decodeURIComponent(match[1]);
});
