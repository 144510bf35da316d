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
