import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from articles.models import OneRowSettings


class DecisionReason(models.TextChoices):
    """Why a moderator decided as they did: recorded with each decision, shown in
    the audit trail and, for a removal, in the statement of reasons sent to the
    author."""

    WITHIN_RULES = "within_rules", "Within the community rules"
    SPAM = "spam", "Spam or advertising"
    ABUSE = "abuse", "Abuse, harassment or hate"
    OFF_TOPIC = "off_topic", "Off-topic"
    PERSONAL_DATA = "personal_data", "Personal information about someone"
    ILLEGAL = "illegal", "Illegal content"
    DUPLICATE = "duplicate", "Posted more than once"
    OTHER = "other", "Other (explained)"


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What readers may see: approved comments. The one visibility rule."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def for_article(self, article):
        return self.filter(article=article)

    def top_level(self):
        return self.filter(parent__isnull=True)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    class Badge(models.TextChoices):
        STAFF = "staff", "Staff"
        AUTHOR = "author", "Author"
        PICKED = "picked", "Picked"

    # Lookups by article and by root are served by the comment_thread and
    # comment_root indexes, which lead with these columns.
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        help_text="The top-level comment of this reply's thread, so a thread loads in one query.",
    )
    in_reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="The comment this reply answers, when the depth limit placed it beside "
        "that comment (under its parent) rather than under it.",
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author_name = models.CharField("name", max_length=80, blank=True)
    email = models.EmailField(blank=True, help_text="Never shown; for moderators only.")
    body = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    reader = models.CharField(
        max_length=64, editable=False, help_text="Salted hash of the poster; no address is kept."
    )
    network = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="Salted hash of the poster's network address (an IPv6 /64 counts as one); "
        "the address itself is not kept.",
    )
    network_key = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="The same network as a hash keyed with the site's secret, not the day's "
        "salt: it stays the same across days, so a sanction against a network lasts.",
    )
    report_count = models.PositiveIntegerField(default=0)
    recommend_count = models.PositiveIntegerField(
        "recommendations",
        default=0,
        editable=False,
        help_text="How many readers recommend it: moved with each recommendation "
        "(comments.reactions), never recounted by hand.",
    )
    edited_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When its author last edited it; readers see that it was edited.",
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    shown_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When readers last saw this comment appear or go: stamped under the "
        "article's lock as the change commits, so live updates, which poll after it, "
        "miss none (a comment approved late included).",
    )
    first_shown_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When readers first saw this comment appear, stamped with "
        "shown_changed_at; cleared when it goes. Live updates count a comment shown "
        "after a page's cursor as new only when it first appeared after it, and as "
        "edited otherwise.",
    )
    decision_reason = models.CharField(
        max_length=20,
        blank=True,
        default="",
        choices=DecisionReason.choices,
        editable=False,
        help_text="Why the last moderator's decision was taken.",
    )
    decision_note = models.TextField(
        blank=True,
        default="",
        editable=False,
        help_text="The moderator's explanation, if they gave one.",
    )
    picked_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a moderator picked this comment to show above the thread.",
    )
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("moderate_comment", "Can approve, reject and mark comments as spam")]
        indexes = [
            # The thread: top-level comments of an article, by status and time.
            models.Index(
                fields=["article", "status", "parent", "created_at"], name="comment_thread"
            ),
            # The thread, most recommended first.
            models.Index(
                "article",
                "parent",
                models.F("recommend_count").desc(),
                models.F("created_at").desc(),
                name="comment_top",
            ),
            # Live updates: what readers saw appear or go on an article since a time.
            models.Index(fields=["article", "shown_changed_at"], name="comment_live"),
            # A page's replies, by their top-level comment.
            models.Index(fields=["root", "created_at"], name="comment_root"),
            # The rate limit and duplicate check: one reader's recent comments.
            models.Index(fields=["reader", "created_at"], name="comment_reader_recent"),
            # The same per network address, however many readers it claims to be.
            models.Index(fields=["network", "created_at"], name="comment_network_recent"),
            # A network's comments across days: a ban's "reject all".
            models.Index(
                fields=["network_key"],
                condition=~models.Q(network_key=""),
                name="comment_network_key",
            ),
            # The moderation queue.
            models.Index(fields=["status", "-created_at"], name="comment_queue"),
            # The queue's "reported" tab: few rows, so a small index.
            models.Index(
                fields=["status", "-report_count", "created_at"],
                condition=models.Q(report_count__gt=0),
                name="comment_reported",
            ),
            # Picks: above an article's thread, and the queue's "picked" tab.
            models.Index(
                fields=["picked_at"],
                condition=models.Q(picked_at__isnull=False),
                name="comment_picked",
            ),
        ]

    def __str__(self):
        return f"{self.display_name}: {self.body[:50]}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def display_name(self):
        if self.user_id:
            return self.user.get_full_name() or self.user.get_username()
        return self.author_name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.remember_loaded()
        return instance

    def remember_loaded(self):
        """Keep what readers saw as loaded, to tell later whether a save changed it."""
        self._loaded = {"status": self.__dict__.get("status"), "body": self.__dict__.get("body")}

    def is_visible(self):
        return self.status == self.Status.APPROVED

    @property
    def badges(self):
        """The labels the thread shows beside the author's name, as ``(code, label)``:
        staff, the article's author, and a moderator's pick.

        Reads ``user`` and ``article``: the thread (``comments.tree``) fetches the
        user with the comment and hands every comment its article."""
        found = []
        if self.user_id and self.user.is_staff:
            found.append(self.Badge.STAFF)
        if self.user_id and self.user_id == self.article.author_id:
            found.append(self.Badge.AUTHOR)
        if self.picked_at and self.is_visible():
            found.append(self.Badge.PICKED)
        return [(badge.value, badge.label) for badge in found]

    @property
    def digest(self):
        """Changes whenever what the comment shows changes (its badges included):
        part of its cache key."""
        badges = " ".join(code for code, _label in self.badges)
        answers = self.answers
        answered = f"{answers.pk} {answers.display_name}" if answers else ""
        shown = (
            f"{self.status}\n{self.display_name}\n{self.body}\n{badges}\n{answered}"
            f"\n{self.recommend_count}\n{self.edited_at or ''}"
        )
        return f"{zlib.crc32(shown.encode()):08x}{len(shown)}"

    @property
    def answers(self):
        """The visible comment this reply answers beside it (the depth limit placed it
        there), for its "In reply to" line; None for any other comment."""
        if not self.in_reply_to_id:
            return None
        answered = self.in_reply_to
        return answered if answered.is_visible() else None

    def moderate(self, status, moderator):
        self.status = status
        self.moderated_by = moderator
        self.moderated_at = timezone.now()


class CommentReaction(models.Model):
    """A reader's recommendation of a comment: one per reader and comment, and
    for anonymous readers one per network and comment, as reports count them.

    ``reactor`` is ``user:<id>`` for a signed-in reader, and for an anonymous one
    the salted hash reports use (``articles.counting.reader_fingerprint``), with
    their network's beside it, so a new User-Agent does not make a new reader.
    The comment's ``recommend_count`` moves only when a row is inserted or
    deleted, in the same transaction (``comments.reactions``)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reactions", db_index=False
    )  # the unique (comment, reactor) index serves lookups by comment
    reactor = models.CharField(max_length=72)
    network = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Salted hash of an anonymous reader's network address (none for an "
        "account); the address is not kept.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reactor"], name="reaction_once_per_reader"),
            # Signed-in readers count one each, whatever network they share.
            models.UniqueConstraint(
                fields=["comment", "network"],
                condition=~models.Q(network=""),
                name="reaction_once_per_network",
            ),
        ]
        indexes = [
            # Which of a page's comments this reader recommends.
            models.Index(fields=["reactor", "comment"], name="reaction_reactor"),
        ]

    def __str__(self):
        return f"recommendation of comment {self.comment_id}"


class CommentEdit(models.Model):
    """What a comment said before its author edited it: kept for moderators."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="edits")
    previous_body = models.TextField()
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-pk"]

    def __str__(self):
        return f"edit of comment {self.comment_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class DeletedComment(models.Model):
    """A comment readers had seen, deleted (in the admin, or with its parent):
    what live updates need to take it off pages still open (``comments.live``).
    Written in the delete's transaction (``comments.signals``); kept for
    ``comments.threads.DELETED_KEPT``, so a page that polls after that reloads to
    lose it."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Not a key: the comment is gone. Ids are never reused.
    comment_id = models.BigIntegerField()
    deleted_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Live updates: what went on an article since a time, as comment_live.
            models.Index(
                fields=["article", "deleted_at", "comment_id"], name="deleted_comment_live"
            ),
        ]

    def __str__(self):
        return f"comment {self.comment_id}, deleted at {self.deleted_at:%Y-%m-%d %H:%M}"


class CommentReport(models.Model):
    """A reader's report of a comment: one per reader and comment, and one per
    network address and comment, so a new User-Agent does not make a new reporter."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive, harassing or hateful"
        OFF_TOPIC = "off_topic", "Off-topic"
        ILLEGAL = "illegal", "Illegal content"

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", db_index=False
    )  # the unique (comment, reader) index serves lookups by comment
    reader = models.CharField(max_length=64)
    network = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Salted hash of the reporter's network address; the address is not kept.",
    )
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.ABUSE)
    # A notice of illegal content (the EU Digital Services Act, article 16).
    law = models.CharField(
        "law broken",
        max_length=200,
        blank=True,
        help_text="Which law the reporter says the comment breaks (illegal content only).",
    )
    explanation = models.TextField(max_length=2000, blank=True)
    good_faith = models.BooleanField(
        default=False,
        help_text="The reporter confirmed the notice is accurate and complete to the best "
        "of their knowledge.",
    )
    contact_email = models.EmailField(
        blank=True, help_text="Where the receipt and the decision are sent, if the reporter wants."
    )
    created_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a moderator approved the comment after this report. A cleared report "
        "no longer counts, but its reader cannot report the comment again.",
    )
    answered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the reporter was mailed the moderators' decision on this report.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader"], name="report_once_per_reader"),
            # Reports from before networks were recorded have none.
            models.UniqueConstraint(
                fields=["comment", "network"],
                condition=~models.Q(network=""),
                name="report_once_per_network",
            ),
        ]

    def __str__(self):
        return f"report {self.reference} of comment {self.comment_id}"

    @property
    def reference(self):
        """The receipt's number, as the reporter is given it."""
        return f"R-{self.pk:06d}" if self.pk else ""


DEFAULT_BLOCKED_TERMS = "viagra\ncasino bonus\ncrypto giveaway"


class DiscussionSettings(OneRowSettings):
    """The comment policy, as the newsroom sets it in the admin: one row.

    ``comments.moderation.policy()`` is how the rules read it (through the shared
    cache, under the site's content version, which saving moves on). Until an
    editor first saves it the defaults below apply.
    """

    class Mode(models.TextChoices):
        POST = "post", "Post-moderation: comments appear at once unless a rule holds them"
        PRE = "pre", "Pre-moderation: every comment waits for a moderator"

    moderation_mode = models.CharField(
        max_length=4,
        choices=Mode.choices,
        default=Mode.POST,
        help_text="For every article that has no mode of its own (set on the article form).",
    )
    close_after_days = models.PositiveIntegerField(
        "close threads after (days)",
        default=0,
        validators=[MaxValueValidator(3650, "At most 3650 days (ten years); 0 never closes.")],
        help_text="Threads stop taking comments this many days after the article is "
        "published; readers can still read them. 0: never.",
    )
    links_allowed = models.PositiveSmallIntegerField(
        "links allowed",
        default=2,
        validators=[MaxValueValidator(100, "At most 100 links.")],
        help_text="A comment with more links than this waits for a moderator. 0: any link "
        "holds a comment.",
    )
    blocked_terms = models.TextField(
        blank=True,
        default=DEFAULT_BLOCKED_TERMS,
        help_text="One word or phrase per line, in any case. A comment whose text or name "
        "contains one as a whole word waits for a moderator; the commenter is not told "
        "which term it was.",
    )
    suspect_terms = models.TextField(
        blank=True,
        help_text="One word or phrase per line. Like blocked terms, a comment containing one "
        "waits for a moderator, who sees the term highlighted; use it for words that are "
        "fine in some contexts (names in the news, strong language).",
    )
    hold_first_comments = models.BooleanField(
        "hold first comments",
        default=False,
        help_text="Hold each author's first comment for a moderator; once one is approved, "
        "their comments follow the other rules.",
    )
    report_threshold = models.PositiveSmallIntegerField(
        "reports that hide a comment",
        default=3,
        validators=[MinValueValidator(1, "At least one report must be needed to hide a comment.")],
        help_text="Reports from this many readers on different network addresses hide a "
        "comment until a moderator decides. Approving it clears its reports.",
    )
    comments_per_reader = models.PositiveSmallIntegerField(
        "comments per reader",
        default=5,
        validators=[MinValueValidator(1, "Allow each reader at least one comment per window.")],
        help_text="How many comments one reader (one browser on one address) may post in "
        "the rate window.",
    )
    comments_per_address = models.PositiveIntegerField(
        "comments per network address",
        default=20,
        help_text="How many comments one network address may post in the rate window, "
        "however many browsers it uses (an IPv6 /64 counts as one address). Offices, "
        "schools and mobile carriers put many readers behind one address: keep this a "
        "few times the per-reader limit. 0: no limit per address.",
    )
    rate_window_minutes = models.PositiveSmallIntegerField(
        "rate window (minutes)",
        default=10,
        validators=[
            MinValueValidator(1, "The window must be at least one minute."),
            MaxValueValidator(1440, "The window can be at most 1440 minutes (a day)."),
        ],
    )
    min_seconds_to_post = models.PositiveSmallIntegerField(
        "minimum seconds to post",
        default=3,
        validators=[MaxValueValidator(600, "At most 600 seconds (ten minutes).")],
        help_text="A comment form sent sooner than this after it was opened is refused as "
        "a bot's, and the reader asked to send it again. 0: no minimum.",
    )
    notify_authors = models.BooleanField(
        "email authors about comments",
        default=False,
        help_text="Email an article's author (the address of the account linked to it) when "
        "a comment on their article is published. Each email lets them stop it, for that "
        "article or for good.",
    )
    notification_batch_minutes = models.PositiveSmallIntegerField(
        "gather notifications for (minutes)",
        default=5,
        validators=[MaxValueValidator(1440, "At most 1440 minutes (a day).")],
        help_text="Replies and comments published within this many minutes of the first are "
        "sent to a reader in one email. 0: send each as soon as it is published.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "discussion settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="discussion_settings_one_row")
        ]

    def __str__(self):
        return "Discussion settings"

    @property
    def blocked_term_list(self):
        return tuple(clean_terms(self.blocked_terms))

    @property
    def suspect_term_list(self):
        return tuple(clean_terms(self.suspect_terms))

    def clean(self):
        self.blocked_terms = "\n".join(clean_terms(self.blocked_terms))
        self.suspect_terms = "\n".join(clean_terms(self.suspect_terms))
        per_reader, per_address = self.comments_per_reader, self.comments_per_address
        if per_reader and per_address and per_address < per_reader:
            raise ValidationError(
                {
                    "comments_per_address": "Allow an address at least as many comments as "
                    f"one reader ({per_reader}); many readers can share one address."
                }
            )


def clean_terms(text):
    """Blocked terms one per line: spaces trimmed and collapsed, empty lines and
    repeats (in any case) dropped."""
    terms, seen = [], set()
    for line in (text or "").splitlines():
        term = " ".join(line.split())
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms


class HoldReason(models.Model):
    """One reason a comment was held for a moderator, with its evidence.

    A held comment has one or more. ``code`` says which rule held it, ``evidence``
    what the rule found (``{"links": 3, "limit": 2}``, ``{"term": "…", "where":
    "text"}``); ``comments.moderation`` writes them and words them, for
    moderators (``describe``) and, without the word list, for the commenter.
    """

    class Code(models.TextChoices):
        PRE_SITE = "pre_site", "Pre-moderated site"
        PRE_ARTICLE = "pre_article", "Pre-moderated article"
        FIRST_COMMENT = "first_comment", "First comment"
        LINKS = "links", "Too many links"
        BLOCKED_TERM = "blocked_term", "Blocked term"
        SUSPECT_TERM = "suspect_term", "Suspect term"
        RATE = "rate", "Busy address"
        DUPLICATE = "duplicate", "Duplicate"
        REPORTS = "reports", "Reported"
        SANCTIONED = "sanctioned", "Sanctioned author"

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="hold_reasons", db_index=False
    )  # the (comment, code) index serves lookups by comment
    code = models.CharField(max_length=20, choices=Code.choices)
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["comment", "code"], name="hold_reason_comment"),
            # The queue's filter by reason.
            models.Index(fields=["code", "comment"], name="hold_reason_code"),
        ]

    def __str__(self):
        return self.get_code_display()


class Sanction(models.Model):
    """A measure against an author: for a signed-in reader by account, for an
    anonymous one by verified email or by network address (hashed, as comments
    keep it). ``comments.moderation.sanction_for`` says which applies to a poster.
    """

    class Kind(models.TextChoices):
        WARN = "warn", "Warning (must be acknowledged before posting again)"
        PREMODERATE = "premoderate", "Always pre-moderate"
        SUSPEND = "suspend", "Suspension until a date"
        BAN = "ban", "Ban"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comment_sanctions",
    )
    email = models.EmailField(blank=True, help_text="A verified email address.")
    network = models.CharField(
        max_length=64,
        blank=True,
        help_text="A network address (an IPv6 /64 counts as one), as comments keep it "
        "for sanctions: hashed with the site's secret.",
    )
    reason = models.CharField(max_length=20, choices=DecisionReason.choices)
    message = models.TextField(
        blank=True, help_text="Shown to the author: say what was wrong and what is expected."
    )
    until = models.DateTimeField(
        null=True, blank=True, help_text="When a suspension ends. Empty: until lifted."
    )
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The comment that led to it, if one did.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["email"], name="sanction_email"),
            models.Index(fields=["network"], name="sanction_network"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(user__isnull=True, email="", network=""),
                name="sanction_has_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.subject})"

    @property
    def subject(self):
        if self.user_id:
            return f"account {self.user}"
        if self.email:
            return f"email {self.email}"
        return f"network {self.network[:8]}"


class ModerationEvent(models.Model):
    """The audit trail: every moderation decision, sanction and change of the
    Discussion settings, with who, when and why. Written by
    ``comments.moderation``; never edited."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        SPAM = "spam", "Marked as spam"
        PICK = "pick", "Picked"
        UNPICK = "unpick", "Unpicked"
        SANCTION = "sanction", "Sanctioned"
        LIFT = "lift", "Lifted a sanction"
        SETTINGS = "settings", "Changed the Discussion settings"

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    sanction = models.ForeignKey(
        Sanction, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    reason = models.CharField(max_length=20, blank=True, choices=DecisionReason.choices)
    explanation = models.TextField(blank=True)
    detail = models.CharField(
        max_length=500, blank=True, help_text="What changed, in words (settings changes)."
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="moderation_event_at"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


class AddressRecord(models.Model):
    """Something known of one email address, kept in lower case, once."""

    email = models.EmailField(unique=True, help_text="Lower case.")

    class Meta:
        abstract = True

    def __str__(self):
        return self.email


class VerifiedEmail(AddressRecord):
    """An address an anonymous commenter proved is theirs by following the link
    mailed to it. Sanctions then follow the address, not only the network the
    comment came from. Never shown to readers."""

    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "verified email address"
        verbose_name_plural = "verified email addresses"


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Subscriptions that are mailed: confirmed, and not ended by their reader."""
        return self.filter(confirmed_at__isnull=False, ended_at__isnull=True)


class Subscription(models.Model):
    """A reader's wish to be emailed about a discussion: the replies to one
    comment of theirs, or every new comment on an article (following it, or the
    article's author being told).

    Mailed only once confirmed: at once for an account or an address already
    verified (``comments.verification``), else when its address is verified.
    Unsubscribing ends it rather than deleting it, so an author who stopped
    the emails about their article is not subscribed again by the next comment.
    """

    class Kind(models.TextChoices):
        REPLIES = "replies", "Replies to a comment"
        ALL = "all", "Every new comment on the article"

    class Origin(models.TextChoices):
        COMMENT = "comment", "Asked when commenting"
        FOLLOW = "follow", "Followed the discussion"
        AUTHOR = "author", "The article's author"

    email = models.EmailField(help_text="Lower case. Never shown to readers.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comment_subscriptions",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the (article, kind) index serves lookups by article
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        db_index=False,
        help_text="The comment whose replies are mailed (replies only).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When the reader unsubscribed."
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["article", "kind"], name="subscription_article"),
            models.Index(
                fields=["comment"],
                condition=models.Q(comment__isnull=False),
                name="subscription_comment",
            ),
            models.Index(fields=["email"], name="subscription_email"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "comment"],
                condition=models.Q(kind="replies"),
                name="subscription_replies_once",
            ),
            models.UniqueConstraint(
                fields=["email", "article"],
                condition=models.Q(kind="all"),
                name="subscription_follow_once",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="all", comment__isnull=True)
                | models.Q(kind="replies", comment__isnull=False),
                name="subscription_replies_have_a_comment",
            ),
        ]

    def __str__(self):
        return f"{self.email}: {self.get_kind_display().lower()} ({self.article_id})"


class EmailOptOut(AddressRecord):
    """An address whose reader asked for no more discussion email: its
    subscriptions ended, and none is confirmed for it again until the address is
    verified anew (so nobody can sign it back up)."""

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "address that stopped discussion email"
        verbose_name_plural = "addresses that stopped discussion email"


class Notification(models.Model):
    """The outbox: one row per subscription and comment it tells of, written in
    the transaction that made the comment visible. The unique pair makes a second
    notification of the same comment impossible; ``send_notifications`` mails a
    recipient's rows together once the oldest has waited the batching window."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )  # the unique (subscription, comment) index serves lookups by subscription
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # What is waiting: few rows, so a small index.
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="notification_waiting",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "comment"], name="notification_once_per_comment"
            )
        ]

    def __str__(self):
        return f"comment {self.comment_id} to subscription {self.subscription_id}"


class QueuedMail(models.Model):
    """One email to a reader, rendered when it was decided and written in the
    same transaction, so a change that rolls back mails nothing. The
    ``send_notifications`` command sends it (``comments.mail.send_queued``), so a
    slow mail server never slows the page that decided it."""

    to = models.EmailField()
    template = models.CharField(
        max_length=50, help_text="Which email it is (its template's name), for the logs."
    )
    subject = models.CharField(max_length=500)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(
        default=timezone.now,
        help_text="When a run may take it: later while a run is sending it, and after a "
        "failure, when it is tried again.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "queued email"
        verbose_name_plural = "queued email"
        indexes = [
            # What is waiting: few rows, so a small index.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True),
                name="queued_mail_waiting",
            ),
            # Forgetting old mail (``comments.mail.forget_old``).
            models.Index(fields=["created_at"], name="queued_mail_created"),
        ]

    def __str__(self):
        return f"{self.template} to {self.to.split('@')[-1]}"
