"""How a story moves across the desk: submitted, approved, sent back,
published, unpublished. ``transition()`` is the one way a move is made, from
the change form, the list's actions and the form's own Publishing fields; it
checks who may make it, writes it to the article's history (the admin's
LogEntry: who, when, what, the note) and keeps a revision (``articles.revisions``).
``restore()`` brings an old revision back, and when that publishes or
unpublishes the story, it makes the same move and says so in the history.

Who may publish is the ``articles.publish_article`` permission (Editors hold
it, Reporters do not). Readers' visibility stays ``Article.objects.published()``:
a transition only sets ``status`` and ``published_at``, which that rule reads.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Article, ArticleRevision
from .revisions import put_back, record_revision, save_restored

PUBLISH_PERMISSION = "articles.publish_article"

# The revision each move keeps (articles.revisions).
REVISION_ACTIONS = {
    "submit": ArticleRevision.Action.SUBMITTED,
    "approve": ArticleRevision.Action.APPROVED,
    "request_changes": ArticleRevision.Action.CHANGES_REQUESTED,
    "publish": ArticleRevision.Action.PUBLISHED,
    "unpublish": ArticleRevision.Action.UNPUBLISHED,
}

SUBMIT = "submit"
APPROVE = "approve"
REQUEST_CHANGES = "request_changes"
PUBLISH = "publish"
UNPUBLISH = "unpublish"

# action: (what the history says, needs the publish permission)
ACTIONS = {
    SUBMIT: ("Submitted for review", False),
    APPROVE: ("Approved", True),
    REQUEST_CHANGES: ("Changes requested", True),
    PUBLISH: ("Published", True),
    UNPUBLISH: ("Unpublished", True),
}


def may_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


def available(article, user):
    """The actions ``user`` may take on ``article`` now, in the order the form offers them."""
    state = article.desk_state()
    if state == "taken_down":
        return []  # only "Restore selected taken-down articles" brings it back
    offered = []
    if state in ("draft", "changes_requested", "unpublished"):
        offered.append(SUBMIT)
    if state == "in_review":
        offered += [APPROVE, REQUEST_CHANGES]
    if state not in ("published", "expired"):
        offered.append(PUBLISH)
    if state in ("scheduled", "published", "expired"):
        offered.append(UNPUBLISH)
    return [action for action in offered if may_publish(user) or not ACTIONS[action][1]]


def transition(article, user, action, note="", *, when=None):
    """Move ``article`` by ``action`` for ``user`` and record it.

    Raises PermissionDenied when the user may not, ValidationError when a note
    is missing where one is owed (asking for changes). Approving goes out at
    the article's publication time (a future one schedules it; none is now).
    Publishing is "Publish now", from the form's button and the list's action
    alike: readers see the story from now, whatever time it was set for,
    unless ``when`` gives the time (the form's Publishing fields, which
    schedule with a time ahead).
    """
    if ACTIONS[action][1] and not may_publish(user):
        raise PermissionDenied("Only editors can publish, approve or unpublish articles.")
    note = note.strip()
    if action == REQUEST_CHANGES and not note:
        raise ValidationError("Say what should change: the reporter sees this note.")
    move(article, action, note, when=when)
    with transaction.atomic():
        article.save(
            update_fields=["status", "published_at", "workflow_state", "review_note", "updated_at"]
        )
        record(article, user, action, note)
    return article


def move(article, action, note="", *, when=None):
    """Set what ``action`` changes on ``article``, not saved: the desk stage
    with ``status`` and ``published_at``, so the state filters and readers'
    visibility agree."""
    if action == SUBMIT:
        article.workflow_state = Article.Stage.IN_REVIEW
        article.review_note = ""
    elif action == REQUEST_CHANGES:
        article.workflow_state = Article.Stage.CHANGES_REQUESTED
        article.review_note = note
    elif action in (APPROVE, PUBLISH):
        article.publish(when=when or (timezone.now() if action == PUBLISH else None))
        article.workflow_state = Article.Stage.PUBLISHED
        article.review_note = ""
    elif action == UNPUBLISH:
        article.status = Article.Status.DRAFT
        article.workflow_state = Article.Stage.UNPUBLISHED


def record(article, user, action, note=""):
    """Write a move that has been made to the history, and keep the revision."""
    label = move_label(article, action)
    log(article, user, f"{label}: {note}" if note else f"{label}.")
    record_revision(article, user, REVISION_ACTIONS[action], note)


def move_label(article, action):
    """What the history calls a move made: "Published", or with the state
    when readers do not see the story yet or any more: "Published (scheduled
    for 26 Feb 14:00)", "(expired)", "(taken down)"."""
    label = ACTIONS[action][0]
    if action in (APPROVE, PUBLISH) and not article.is_published():
        words = article.desk_state_words()
        label += f" ({words[0].lower()}{words[1:]})"
    return label


def log(article, user, message):
    """One line of the article's history (the admin's LogEntry): who, when, what."""
    LogEntry.objects.log_actions(
        user.pk, [article], CHANGE, change_message=message, single_object=True
    )


def restore_move(article, revision, user):
    """The move restoring ``revision`` makes for ``user``: publishing or
    unpublishing when its status differs from the article's and ``user`` may
    publish (for anyone else the publication state stays), else None."""
    kept = revision.snapshot.get("status")
    if not may_publish(user) or kept in (None, article.status):
        return None
    return PUBLISH if kept == Article.Status.PUBLISHED else UNPUBLISH


def restore(article, revision, user):
    """Bring ``revision`` back as a new revision (``articles.revisions``).

    When that publishes or unpublishes the story it is the same move as the
    buttons make, at the revision's publication time: the desk stage changes
    with ``status``, so the story stays under the right state filter, and the
    history says who published or unpublished it, by restoring which
    revision. Raises ``RestoreRefused`` when the old version cannot come back.
    """
    action = restore_move(article, revision, user)
    put_back(article, revision, may_publish=may_publish(user))
    with transaction.atomic():
        if action:
            move(article, action, when=article.published_at)
        kept = save_restored(article, revision, user)
        what = f"{move_label(article, action)} by restoring" if action else "Restored"
        log(article, user, f"{what} revision {revision.number}.")
    return kept
