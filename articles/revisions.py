"""An article's kept versions: the one way a revision is recorded, compared
and restored.

``record_revision(article, user, action, note="")`` is called for every save
and every state change (the admin's form and actions, the review workflow):
the snapshot holds every editable field, the ordered sources and credits, the
topics, the notes and the hero image (the library image's id and name), so any
two revisions can be compared field by field and an old one restored. A
revision is never changed; restoring writes a new one.
"""

import difflib
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import embeds
from .body import references
from .models import (
    Article,
    ArticleContributor,
    ArticleRevision,
    Category,
    Contributor,
    Image,
    Source,
    Topic,
)
from .search import plain_text

Action = ArticleRevision.Action

# The editable fields a snapshot keeps and a restore puts back, in the form's order.
FIELDS = [
    "headline",
    "slug",
    "kind",
    "category",
    "standfirst",
    "body",
    "sponsor_name",
    "sponsor_url",
    "author",
    "hero",
    "status",
    "published_at",
    "expires_at",
    "comments_open",
    "comment_moderation",
    "live_status",
]


def person_name(user):
    """A user's full name, else their username (works on migrations' historical models)."""
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.username


def hero_name(image):
    """A library image as an editor recognises it (works on historical models)."""
    credit = f" ({image.credit})" if image.credit else ""
    return f"{image.alt_text}{credit}"


def snapshot(article):
    """The article as it stands in the database, as JSON-ready data. Reads
    only fields and relations, so the data migration can use it on its
    historical models."""
    data = {}
    for name in FIELDS:
        try:
            field = article._meta.get_field(name)
        except FieldDoesNotExist:  # a field added after the data migration's state
            continue
        value = getattr(article, field.attname)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = value
    data["category_name"] = article.category.name if article.category_id else ""
    data["author_name"] = person_name(article.author) if article.author_id else ""
    if data.get("hero"):
        data["hero_name"] = hero_name(article.hero)
    data["sources"] = [
        {"name": s.name, "url": s.url} for s in article.sources.order_by("position", "pk")
    ]
    if hasattr(article, "credits"):  # kept since contributors are data
        data["credits"] = [
            {"contributor": c.contributor_id, "name": c.contributor.name, "role": c.role}
            for c in article.credits.select_related("contributor").order_by("order", "pk")
        ]
        data["topics"] = [
            {"id": t.pk, "name": t.name} for t in article.topics.order_by("name", "pk")
        ]
    data["notes"] = [
        {
            "kind": note.kind,
            "text": note.text,
            "placement": note.placement,
            "retracted": note.retracted_at is not None,
        }
        for note in article.notes.order_by("published_at", "pk")
    ]
    return data


def latest_number(article_id):
    """The number of the article's newest revision, 0 when it has none."""
    found = ArticleRevision.objects.filter(article_id=article_id).aggregate(n=Max("number"))
    return found["n"] or 0


def record_revision(article, user, action, note=""):
    """Keep the article as it now stands as its next revision.

    ``action`` is one of ``ArticleRevision.Action``; ``user`` may be None (a
    script). Call it after the change is saved, sources and notes included, in
    the same transaction: the unique (article, number) constraint refuses a
    second revision with the same number, so two writers cannot both be "next".
    """
    if action not in Action.values:
        raise ValueError(f"Unknown revision action {action!r}")
    with transaction.atomic():
        return ArticleRevision.objects.create(
            article=article,
            number=latest_number(article.pk) + 1,
            action=action,
            snapshot=snapshot(article),
            created_by=user if user is not None and user.is_authenticated else None,
            note=note,
        )


def live_revision(revisions):
    """Of these revisions (newest first), the newest one readers saw."""
    return next((r for r in revisions if r.is_live_version), None)


# Comparing ------------------------------------------------------------------

LABELS = {
    "headline": "Headline",
    "slug": "Slug",
    "kind": "Type",
    "category": "Category",
    "standfirst": "Standfirst",
    "body": "Body",
    "sponsor_name": "Sponsor",
    "sponsor_url": "Sponsor's address",
    "credits": "Contributors",
    "topics": "Topics",
    "author": "Desk account",
    "hero": "Hero image",
    "status": "Status",
    "published_at": "Publication time",
    "expires_at": "Expiry",
    "comments_open": "Comments open",
    "comment_moderation": "Comment moderation",
    "live_status": "Live coverage",
    "sources": "Sources",
    "notes": "Corrections and updates",
}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    words: list  # [(op, text)] with op "same", "del" or "ins"; the body only
    # The body only: the links, photos, galleries and embeds removed ("del")
    # or added ("ins"), and whether the markup changed with the words, links
    # and media all the same (formatting, order).
    media: list = field(default_factory=list)
    restyled: bool = False

    @property
    def changed(self):
        return self.old != self.new or bool(self.media) or self.restyled


def _shown(data, name):
    """A snapshot value as an editor reads it."""
    value = data.get(name)
    if name == "category":
        return data.get("category_name", "")
    if name == "author":
        return data.get("author_name", "")
    if name == "hero":
        return data.get("hero_name", "") if value else "none"
    if name == "sources":
        return "\n".join(
            f"{s['name']} ({s['url']})" if s["url"] else s["name"] for s in value or []
        )
    if name == "credits":
        roles = dict(ArticleContributor.Role.choices)
        return "\n".join(f"{roles.get(c['role'], c['role'])} {c['name']}" for c in value or [])
    if name == "topics":
        return ", ".join(t["name"] for t in value or [])
    if name == "notes":
        return "\n".join(
            f"{n['kind'].capitalize()}: {n['text']}" + (" (retracted)" if n["retracted"] else "")
            for n in value or []
        )
    if name == "live_status":
        return dict(Article.LiveStatus.choices).get(value or "", value)
    if name == "published_at":
        moment = parse_datetime(value) if value else None
        return timezone.localtime(moment).strftime("%-d %b %Y %H:%M") if moment else "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def word_diff(old, new):
    """The words of ``new`` against ``old``: [(op, text)], op "same", "del" or "ins"."""
    before, after = old.split(), new.split()
    parts = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("same", " ".join(before[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(("del", " ".join(before[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(("ins", " ".join(after[j1:j2])))
    return parts


def _only_in(these, those):
    """The references of ``these`` that ``those`` does not hold, in order;
    one held twice and kept once counts once."""
    left = Counter(reference.key for reference in those)
    only = []
    for reference in these:
        if left[reference.key]:
            left[reference.key] -= 1
        else:
            only.append(reference)
    return only


def _image_names(found):
    """The library's names of the images ``found`` references show, by id: one query."""
    ids = {
        int(part)
        for reference in found
        if reference.kind in ("photo", "gallery")
        for part in reference.target.split(",")
        if part.isdigit()
    }
    if not ids:
        return {}
    return {
        image.pk: hero_name(image)
        for image in Image.objects.filter(pk__in=ids).only("alt_text", "credit")
    }


def _quoted(text):
    return f"“{text}”"


def _reference_words(reference, names):
    """A link, photo, gallery or embed as an editor recognises it."""

    def named(pk):
        name = names.get(int(pk)) if pk.isdigit() else None
        return _quoted(name) if name else f"no. {pk} (no longer in the library)"

    if reference.kind == "link":
        words = reference.detail
        if words and words != reference.target:
            return f"link {_quoted(words)} to {reference.target}"
        return f"link to {reference.target}"
    if reference.kind == "photo":
        layout = "full width" if reference.detail == "full" else "in the text"
        return f"photo {named(reference.target)}, {layout}"
    if reference.kind == "gallery":
        ids = reference.target.split(",")
        photos = "photo" if len(ids) == 1 else "photos"
        return f"gallery of {len(ids)} {photos}: " + ", ".join(named(pk) for pk in ids)
    provider, _, embed_id = reference.target.partition(":")
    embed = embeds.Embed.of(provider, embed_id, reference.detail)
    if embed is None:
        return f"embed {reference.target}"
    title = f" {_quoted(reference.detail)}" if reference.detail else ""
    return f"{embed.provider.name} embed{title} ({embed.link_url})"


def body_change(old_html, new_html):
    """The body from ``old_html`` to ``new_html``: a word diff of the words, and
    the links, library photos, galleries and embeds removed or added, which
    the words alone do not show (a link's new address, a photo put in)."""
    change = FieldChange(LABELS["body"], plain_text(old_html), plain_text(new_html), [])
    if old_html == new_html:
        return change
    if change.old != change.new:
        change.words = word_diff(change.old, change.new)
    before, after = references(old_html), references(new_html)
    removed, added = _only_in(before, after), _only_in(after, before)
    names = _image_names(removed + added)
    change.media = [("del", _reference_words(r, names)) for r in removed] + [
        ("ins", _reference_words(r, names)) for r in added
    ]
    change.restyled = not change.words and not change.media
    return change


def compare(old, new):
    """Field by field, what changed from snapshot ``old`` to snapshot ``new``
    (either may be None: nothing kept)."""
    old, new = old or {}, new or {}
    changes = []
    for name, label in LABELS.items():
        if name == "body":
            changes.append(body_change(old.get("body") or "", new.get("body") or ""))
            continue
        changes.append(FieldChange(label, _shown(old, name), _shown(new, name), []))
    return changes


# Merging a stale form ---------------------------------------------------------

# The form's fields a conflict merges one by one: the snapshot's own and the topics.
MERGED_FIELDS = [*FIELDS, "topics"]
# The lists edited in the form's inlines: a conflict does not merge them.
UNMERGED_LISTS = ["sources", "credits", "notes"]
# How a related row is named in a snapshot, beside its id.
RELATED_NAMES = {
    "category": lambda category: category.name,
    "author": person_name,
    "hero": hero_name,
}


def form_snapshot(cleaned_data, names):
    """The form's values of fields ``names`` as a snapshot keeps them: ids
    with the names a comparison shows, times as ISO text."""
    data = {}
    for name in names:
        value = cleaned_data[name]
        if name == "topics":
            value = [
                {"id": t.pk, "name": t.name} for t in sorted(value, key=lambda t: (t.name, t.pk))
            ]
        elif name in RELATED_NAMES:
            data[f"{name}_name"] = RELATED_NAMES[name](value) if value is not None else ""
            value = value.pk if isinstance(value, models.Model) else value
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = value
    return data


def _comparable(name, value):
    """A snapshot's value of ``name`` in the shape two sides are compared in."""
    if name == "topics":
        return sorted(topic["id"] for topic in value or [])
    if name in ("published_at", "expires_at"):
        moment = parse_datetime(value) if value else None
        # The form's time boxes hold whole seconds.
        return moment.replace(microsecond=0) if moment else None
    return None if value == "" else value


@dataclass
class Merge:
    """A stale form merged with the newest revision. ``values`` is the newest
    snapshot with this editor's changes on top; ``taken`` names the fields
    only the other side changed, ``kept`` those only this editor changed,
    ``clashes`` those both changed differently (this editor's value kept) and
    ``lists`` the inline lists (not merged) the other side changed."""

    values: dict
    taken: list
    kept: list
    clashes: list
    lists: list


def merge(base, theirs, mine):
    """Three-way merge of a form opened on snapshot ``base`` and saved after
    snapshot ``theirs`` was kept; ``mine`` is the form as ``form_snapshot``.

    A field only one side changed takes that side's value; one both changed
    differently keeps this editor's value and is a clash. With no ``base``
    (the version the form was opened on was not kept) the sides cannot be
    told apart: every field where the form differs from ``theirs`` is a clash.
    """
    result = Merge(values=dict(theirs), taken=[], kept=[], clashes=[], lists=[])
    for name in MERGED_FIELDS:
        if name not in mine or name not in theirs:
            continue
        ours, newest = _comparable(name, mine[name]), _comparable(name, theirs[name])
        if ours == newest:
            continue
        known = base is not None and name in base
        opened = _comparable(name, base[name]) if known else None
        if known and opened == ours:
            result.taken.append(name)
            continue
        (result.kept if known and opened == newest else result.clashes).append(name)
        result.values[name] = mine[name]
        if f"{name}_name" in mine:
            result.values[f"{name}_name"] = mine[f"{name}_name"]
    result.lists = [
        name for name in UNMERGED_LISTS if base is None or base.get(name) != theirs.get(name)
    ]
    return result


# Restoring ------------------------------------------------------------------


class RestoreRefused(Exception):
    """The old version cannot come back as it was (its slug is taken now, its
    category is gone); the message says why."""


# What only those who may publish bring back with a revision.
PUBLICATION_FIELDS = ("status", "published_at", "expires_at")


def put_back(article, revision, may_publish=True):
    """Set ``revision``'s fields back on ``article``, not saved yet
    (``save_restored`` does, ``articles.workflow.restore`` puts the two
    together). Without ``may_publish`` the article's publication state stays
    as it is: restoring is not a way round the publish permission. Raises
    ``RestoreRefused`` when the old version cannot come back as it was."""
    data = revision.snapshot
    if not Category.objects.filter(pk=data["category"]).exists():
        raise RestoreRefused(f"Its category “{data['category_name']}” no longer exists.")
    for name in FIELDS:
        if name not in data:  # kept before the field existed: left as it is
            continue
        if name in PUBLICATION_FIELDS and not may_publish:
            continue
        field = Article._meta.get_field(name)
        value = data[name]
        if name in ("published_at", "expires_at"):
            value = parse_datetime(value) if value else None
        setattr(article, field.attname, value)
    if (
        data["author"]
        and not article._meta.get_field("author")
        .related_model.objects.filter(pk=data["author"])
        .exists()
    ):
        article.author_id = None
    if data.get("hero") and not Image.objects.filter(pk=data["hero"]).exists():
        raise RestoreRefused(
            f"Its hero image “{data.get('hero_name', '')}” is no longer in the library."
        )
    try:
        article.validate_unique()
    except ValidationError as error:
        raise RestoreRefused(" ".join(error.messages)) from error


def save_restored(article, revision, user):
    """Save the article ``put_back`` prepared, with ``revision``'s sources,
    credits and topics, and keep that as a new revision. History is never
    rewritten."""
    data = revision.snapshot
    with transaction.atomic():
        article.save()
        article.sources.all().delete()
        Source.objects.bulk_create(
            Source(article=article, name=s["name"], url=s["url"], position=position)
            for position, s in enumerate(data.get("sources", []))
        )
        if "credits" in data:
            kept = set(
                Contributor.objects.filter(
                    pk__in=[c["contributor"] for c in data["credits"]]
                ).values_list("pk", flat=True)
            )
            article.credits.all().delete()
            ArticleContributor.objects.bulk_create(
                ArticleContributor(
                    article=article, contributor_id=c["contributor"], role=c["role"], order=order
                )
                for order, c in enumerate(data["credits"])
                if c["contributor"] in kept
            )
        if "topics" in data:
            article.topics.set(Topic.objects.filter(pk__in=[t["id"] for t in data["topics"]]))
        return record_revision(
            article, user, Action.RESTORED, note=f"Restored revision {revision.number}."
        )
