"""
The audit trail's words for a change of the Discussion settings: which values
changed, from what to what ("Links allowed: 2 → 0"), and for the term lists
which terms were added and removed. Decisions and sanctions are recorded where
they are taken (``comments.moderation.decide``, ``comments.sanctions``).
"""

from django.utils.text import Truncator, capfirst

from .models import ModerationEvent, clean_terms

TERM_FIELDS = {"blocked_terms", "suspect_terms"}
DETAIL_LENGTH = ModerationEvent._meta.get_field("detail").max_length


def shown(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def term_changes(old, new):
    before, after = clean_terms(old), clean_terms(new)
    had, has = {t.casefold() for t in before}, {t.casefold() for t in after}
    added = [f"“{term}”" for term in after if term.casefold() not in had]
    removed = [f"“{term}”" for term in before if term.casefold() not in has]
    words = []
    if added:
        words.append("added " + ", ".join(added))
    if removed:
        words.append("removed " + ", ".join(removed))
    return ", ".join(words)


def settings_changes(form, saved):
    """What a save of the settings form changed, in words: ``form.initial`` holds
    the values before, ``saved`` the instance as stored (terms cleaned)."""
    changes = []
    for name in form.changed_data:
        label = capfirst(saved._meta.get_field(name).verbose_name)
        old, new = form.initial.get(name), getattr(saved, name)
        if name in TERM_FIELDS:
            words = term_changes(old, new)
            if words:  # not only spacing or case
                changes.append(f"{label}: {words}")
        elif old != new:
            changes.append(f"{label}: {shown(old)} → {shown(new)}")
    return "; ".join(changes)


def record_settings_change(actor, form, saved):
    """An entry in the audit trail for a save of the Discussion settings that
    changed something; None when nothing changed."""
    detail = settings_changes(form, saved)
    if not detail:
        return None
    return ModerationEvent.objects.create(
        actor=actor,
        action=ModerationEvent.Action.SETTINGS,
        detail=Truncator(detail).chars(DETAIL_LENGTH),
    )
