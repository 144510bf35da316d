// "Edit this article" for someone signed in to the desk. The page is the same
// cached bytes for every reader, so the link is drawn here, from the
// newsroom_desk cookie the admin sets (articles.middleware.desk_flag); the
// link's own address checks the session.
(function () {
  "use strict";

  function show() {
    if (!/(?:^|;\s*)newsroom_desk=1(?:;|$)/.test(document.cookie)) {
      return;
    }
    document.querySelectorAll("[data-desk-edit]").forEach(function (holder) {
      var link = document.createElement("a");
      link.href = holder.getAttribute("data-desk-edit");
      link.textContent = "Edit this article";
      holder.appendChild(link);
      holder.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();
