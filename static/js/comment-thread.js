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

// New and edited comments announced by live updates: the reader's own new
// comments, already in the page, are not news to them; an edit is news only
// where the page shows the comment, and not to its author (whose page shows the
// edit already). The words are comments.live.news()'s. Runs before
// live-updates.js reads the announcement.
function isOwn(pk) {
  var edit = document.getElementById("edit-" + pk);
  return Boolean(edit && !edit.hidden);
}

function listed(link, name) {
  return (link.getAttribute(name) || "").split(" ").filter(Boolean);
}

document.addEventListener("htmx:load", function (event) {
  var root = event.detail.elt;
  var link = root.querySelector && root.querySelector("[data-comments-waiting]");
  if (!link) return;
  var unseen = listed(link, "data-comments-waiting").filter(function (pk) {
    return !document.getElementById("comment-" + pk);
  }).length;
  var edited = listed(link, "data-comments-edited").filter(function (pk) {
    return document.getElementById("comment-" + pk) && !isOwn(pk);
  }).length;
  if (!unseen && !edited) {
    link.remove();
    return;
  }
  var said = unseen ? [unseen + " new comment" + (unseen === 1 ? "" : "s")] : [];
  if (edited) {
    said.push(unseen ? edited + " edited" : edited + " comment" + (edited === 1 ? "" : "s") + " edited");
  }
  var label = said.join(", ");
  link.setAttribute("data-live-announce", label + ".");
  link.textContent = label + " — show";
});

// An edited comment the page shows takes its new text in place; its replies and
// its author's edit link stay as they are.
function replaceEdited(item) {
  var shown = document.getElementById(item.id);
  var body = shown && shown.querySelector(":scope > .comment__body");
  var edited = item.querySelector(":scope > .comment__body");
  if (!body || !edited) return;
  var pk = item.id.replace("comment-", "");
  var own = isOwn(pk);
  body.replaceWith(edited);
  var edit = document.getElementById("edit-" + pk);
  if (edit && own) edit.hidden = false;
}

// Where a top-level comment stands in the thread's order (comments.tree.SORTS):
// its recommendations, when it was posted and its id, as the page shows them.
// None for a removed comment kept for its replies.
function orderOf(item) {
  var body = item.querySelector(":scope > .comment__body");
  var time = body && body.querySelector(".comment__permalink time[datetime]");
  if (!time) return null;
  var count = body.querySelector(".comment__recommend-count, .comment__recommended");
  return {
    count: count ? parseInt(count.textContent, 10) || 0 : 0,
    at: Date.parse(time.getAttribute("datetime")),
    pk: parseInt(item.id.replace("comment-", ""), 10),
  };
}

function comesBefore(a, b, sort) {
  if (sort === "top" && a.count !== b.count) return a.count > b.count;
  if (a.at !== b.at) return sort === "oldest" ? a.at < b.at : a.at > b.at;
  return sort === "oldest" ? a.pk < b.pk : a.pk > b.pk;
}

// A new top-level comment goes where the thread shown again would have it:
// before the first comment of the list that comes after it in the list's
// order, or at the end of what is loaded. Most recommended, a comment nobody
// has recommended yet goes after the recommended ones, first of the others.
function placeTopLevel(list, item, sort) {
  var order = orderOf(item);
  var after = order && Array.prototype.find.call(list.children, function (shown) {
    var other = shown.matches("li.comment") && orderOf(shown);
    return other && comesBefore(order, other, sort);
  });
  list.insertBefore(item, after || null);
}

// New comments a reader chose to show (live updates, comments.live) go in their
// place: a reply under its parent (if the page shows it), a new comment in the
// list's order (placeTopLevel). One the page already holds is not added again.
// Comments removed meanwhile go, or keep their place as "removed" when replies
// hang on them.
document.addEventListener("htmx:load", function (event) {
  var root = event.detail.elt;
  var arrived = root.querySelector && root.querySelector("[data-comments-arrived]");
  var live = root.matches && root.matches("[data-comments-removed]") ? root : null;
  if (arrived) {
    var list = document.getElementById("comment-list");
    var sort = arrived.getAttribute("data-comments-arrived");
    var first = null;
    arrived.remove(); // out of the page first, so the thread's own copies are found
    Array.prototype.slice.call(arrived.children).forEach(function (group) {
      var item = group.firstElementChild;
      if (item && group.hasAttribute("data-edited")) {
        replaceEdited(item);
        return;
      }
      if (!item || document.getElementById(item.id)) return;
      var parent = group.getAttribute("data-parent");
      var into = parent ? document.getElementById("replies-" + parent) : list;
      if (!into) return; // its parent is on another page of the thread
      if (parent) into.appendChild(item);
      else placeTopLevel(into, item, sort);
      first = first || item;
    });
    if (first) {
      first.tabIndex = -1;
      first.focus({ preventScroll: false });
    }
  }
  if (live) {
    listed(live, "data-comments-removed").forEach(function (pk) {
      var item = document.getElementById("comment-" + pk);
      if (!item) return;
      var replies = document.getElementById("replies-" + pk);
      if (!replies || !replies.children.length) {
        removeWithEmptyPlaceholders(item);
        return;
      }
      var body = item.querySelector(":scope > .comment__body");
      if (body) {
        var note = document.createElement("p");
        note.className = "comment__removed";
        note.textContent = "This comment has been removed.";
        body.replaceWith(note);
        item.classList.add("comment--removed");
      }
    });
  }
});

// A removed comment kept its place only for its replies: once the last of them
// goes, it goes too (as the thread leaves it out when loaded again).
function removeWithEmptyPlaceholders(item) {
  var replies = item.parentElement;
  var parent = replies && replies.closest("li.comment");
  item.remove();
  if (parent && parent.classList.contains("comment--removed") && !replies.children.length) {
    removeWithEmptyPlaceholders(parent);
  }
}

// After a post, the new comment takes the focus (the status region says it is
// published).
document.addEventListener("htmx:afterSettle", function () {
  var marker = document.querySelector("#comment-status [data-focus]");
  if (!marker) return;
  var comment = document.getElementById(marker.getAttribute("data-focus"));
  marker.removeAttribute("data-focus");
  if (comment) {
    comment.tabIndex = -1;
    comment.focus();
  }
});
