"""
A page of the thread: top-level comments and all their replies, nested, in two
queries however many comments there are.

The first query takes one page of top-level comments; the second takes every
reply under them at once (each reply knows its top-level comment, ``root``), and
Python nests them. Replies are shown oldest first under their parent.

A comment that is no longer visible but has visible replies stays in the tree as
a placeholder without its text, so the replies keep their context; one with no
visible replies is left out. What a reader may see is decided here, never in the
template.

The comments moderators picked, shown above the thread, are one more query,
made only when the page's cached fragment is rendered again. Every comment is
handed the article, so its badges (staff, the article's author, picked) cost
nothing more.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.core import signing
from django.db.models import Q

from articles.views import page_number

from .models import Comment

PICKS_SHOWN = 5  # the picks above a thread: a handful, the newest

SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    # Most recommended: the comment_top index; ties newest first.
    "top": ("-recommend_count", "-created_at", "-pk"),
}
CURSOR_SALT = "comments.thread-cursor"


@dataclass(frozen=True)
class Cursor:
    """Where "Load more" goes on: after this top-level comment, in the thread's
    order. Signed, so only comments the server showed can be one: the cache keys
    "Load more" makes are bounded by the article's comments, with no query."""

    pk: int
    created_at: datetime
    recommend_count: int = 0

    def __str__(self):
        value = f"{self.pk}~{self.created_at.isoformat()}~{self.recommend_count}"
        return signing.Signer(salt=CURSOR_SALT).sign(value)

    @classmethod
    def of(cls, comment):
        return cls(comment.pk, comment.created_at, comment.recommend_count)

    @classmethod
    def read(cls, value):
        """The cursor in ``value``, or None for anything the server did not sign."""
        try:
            pk, created_at, count = signing.Signer(salt=CURSOR_SALT).unsign(value or "").split("~")
            return cls(int(pk), datetime.fromisoformat(created_at), int(count))
        except (signing.BadSignature, ValueError):
            return None

    def after(self, sort):
        """The top-level comments after this one in ``sort`` order (keyset paging).

        Most recommended: by the count the comment had when the page was shown, so
        a comment recommended meanwhile is not shown twice, though it may be missed
        (it moved up, onto a page already read)."""
        if sort == "oldest":
            return Q(created_at__gt=self.created_at) | Q(created_at=self.created_at, pk__gt=self.pk)
        older = Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)
        if sort == "top":
            count = self.recommend_count
            return Q(recommend_count__lt=count) | (Q(recommend_count=count) & older)
        return older


@dataclass
class Node:
    """One comment in the tree. A removed comment keeps its place and id, not its text."""

    comment: Comment | None
    pk: int
    depth: int
    children: list = field(default_factory=list)

    @property
    def removed(self):
        return self.comment is None


@dataclass
class ThreadPage:
    nodes: list
    sort: str
    number: int
    has_next: bool
    article: object = None
    next_cursor: Cursor | None = None

    @property
    def next_number(self):
        return self.number + 1

    @cached_property
    def picks(self):
        """The article's picks, newest first, for the block above the thread: one
        query, made only when a template shows them (a cold page fragment)."""
        return picks(self.article) if self.article is not None else []

    @cached_property
    def shown(self):
        """The ids of the comments this page shows, so a pick among them links in place."""
        found, stack = set(), list(self.nodes)
        while stack:
            node = stack.pop()
            found.add(node.pk)
            stack.extend(node.children)
        return found


def clean_sort(value):
    return value if value in SORTS else "newest"


def clean_page(value, article, per_page=None):
    """A requested thread page as one that can exist: 1 up to the pages the
    article's visible comments could fill (``articles.views.page_number``'s rule),
    so a query string cannot make cache entries for pages that are not there."""
    per_page = per_page or settings.NEWSROOM_COMMENTS_PER_PAGE
    return page_number(value, -(-article.comment_count // per_page))


def _shown_roots(article):
    """Top-level comments that appear: visible ones, and removed ones with visible replies."""
    with_visible_replies = (
        Comment.objects.visible().filter(article=article, root__isnull=False).values("root_id")
    )
    return Comment.objects.filter(article=article, parent__isnull=True).filter(
        Q(status=Comment.Status.APPROVED) | Q(pk__in=with_visible_replies)
    )


def page_number_of(comment, sort="newest", per_page=None):
    """The page of the thread, in the given order, that shows ``comment``."""
    per_page = per_page or settings.NEWSROOM_COMMENTS_PER_PAGE
    root = comment.root if comment.root_id else comment
    before = Q(created_at__gt=root.created_at) | Q(created_at=root.created_at, pk__gt=root.pk)
    if clean_sort(sort) == "oldest":
        before = Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk)
    elif clean_sort(sort) == "top":
        count = root.recommend_count
        before = Q(recommend_count__gt=count) | (Q(recommend_count=count) & before)
    return _shown_roots(comment.article).filter(before).count() // per_page + 1


def thread_page(article, page=1, sort="newest", per_page=None, after=None):
    """One page of the thread: the ``page``-th, or (``after``, a ``Cursor``) the
    top-level comments that follow the one it names."""
    per_page = per_page or settings.NEWSROOM_COMMENTS_PER_PAGE
    sort = clean_sort(sort)
    page = max(1, page)
    if getattr(article, "comment_count", None) == 0:
        return ThreadPage([], sort, page, has_next=False)  # counted already: nothing to fetch
    shown_roots = _shown_roots(article).select_related("user").order_by(*SORTS[sort])
    if after is not None:  # keyset: a comment posted meanwhile shifts nothing
        roots = list(shown_roots.filter(after.after(sort))[: per_page + 1])
    else:
        roots = list(shown_roots[(page - 1) * per_page : page * per_page + 1])
    has_next = len(roots) > per_page
    roots = roots[:per_page]
    replies = (
        list(
            Comment.objects.filter(root__in=roots)
            .select_related("user", "in_reply_to__user")
            .order_by("created_at", "pk")
        )
        if roots
        else []
    )
    belong_to(article, [*roots, *replies])
    next_cursor = Cursor.of(roots[-1]) if has_next else None
    return ThreadPage(build(roots, replies), sort, page, has_next, article, next_cursor)


def picks(article, limit=None):
    """The visible comments a moderator picked on this article, newest pick first:
    at most ``PICKS_SHOWN``, in one query, none when the article has no visible
    comments."""
    limit = limit or PICKS_SHOWN
    if getattr(article, "comment_count", None) == 0:
        return []
    found = list(
        Comment.objects.visible()
        .filter(article=article, picked_at__isnull=False)
        .select_related("user")
        .order_by("-picked_at", "-pk")[:limit]
    )
    return belong_to(article, found)


def belong_to(article, comments):
    """Give each comment the article already in hand, so their badges (is this the
    article's author?) cost no query."""
    for comment in comments:
        comment.article = article
    return comments


def build(roots, replies):
    """Nest ``replies`` under ``roots``; prune what readers may not see."""
    nodes = {c.pk: Node(c, c.pk, c.depth) for c in [*roots, *replies]}
    for reply in replies:
        parent = nodes.get(reply.parent_id)
        if parent is not None:
            parent.children.append(nodes[reply.pk])
    return [node for node in (_prune(nodes[root.pk]) for root in roots) if node is not None]


def _prune(node):
    node.children = [child for child in map(_prune, node.children) if child is not None]
    if node.comment.is_visible():
        return node
    if node.children:
        node.comment = None
        return node
    return None
