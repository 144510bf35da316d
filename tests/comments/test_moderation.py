"""Each rule of the comment policy (comments/moderation.py), on its own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import caching
from comments import moderation
from comments.models import (
    Comment,
    CommentReport,
    DiscussionSettings,
    HoldReason,
    ModerationEvent,
)
from tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def new_comment(article, body="A fair point.", reader="r" * 64, author_name="Jane", network=""):
    return Comment(
        article=article, body=body, reader=reader, author_name=author_name, network=network
    )


class TestPolicy:
    def test_the_defaults_apply_until_an_editor_saves_the_settings(self):
        rules = moderation.policy()
        assert not DiscussionSettings.objects.exists()
        assert (rules.moderation_mode, rules.close_after_days, rules.links_allowed) == (
            "post",
            0,
            2,
        )
        assert rules.blocked_term_list == ("viagra", "casino bonus", "crypto giveaway")
        assert (rules.report_threshold, rules.comments_per_reader) == (3, 5)
        assert (rules.comments_per_address, rules.rate_window_minutes) == (20, 10)
        assert rules.min_seconds_to_post == 3

    def test_the_settings_are_read_from_the_shared_cache(self, django_assert_num_queries):
        moderation.policy()
        caching.local_entries.clear()  # as another worker process would be
        with django_assert_num_queries(0):
            assert moderation.policy().links_allowed == 2

    def test_a_saved_change_applies_at_once_on_every_worker(self, discussion_settings):
        assert moderation.policy().links_allowed == 2
        site = caching.versions([caching.SITE])
        discussion_settings(links_allowed=0)
        assert caching.versions([caching.SITE]) != site
        assert moderation.policy().links_allowed == 0
        caching.local_entries.clear()
        assert moderation.policy().links_allowed == 0

    def test_saving_the_settings_purges_the_edge_caches(
        self, discussion_settings, settings, monkeypatch
    ):
        from articles import purging

        purged = []
        monkeypatch.setattr(purging, "purge", lambda *keys: purged.extend(keys))
        discussion_settings(close_after_days=30)
        assert purged == ["site"]

    def test_there_is_one_row_however_it_is_saved(self, discussion_settings):
        discussion_settings(links_allowed=1)
        DiscussionSettings(links_allowed=4).save()
        assert DiscussionSettings.objects.get().links_allowed == 4


class TestClosedThreads:
    def test_open_by_default(self, make_article):
        assert not moderation.thread_is_closed(make_article())

    def test_editor_can_close_a_thread(self, make_article):
        assert moderation.thread_is_closed(make_article(comments_open=False))

    def test_auto_close_is_off_by_default(self, make_article):
        assert not moderation.thread_is_closed(make_article(published_at=days_ago(3650)))

    def test_threads_close_some_days_after_publication(self, make_article, discussion_settings):
        discussion_settings(close_after_days=7)
        assert moderation.thread_is_closed(make_article(published_at=days_ago(8)))
        recent = make_article(published_at=days_ago(6))
        assert not moderation.thread_is_closed(recent)
        assert moderation.closes_at(recent) == recent.published_at + timedelta(days=7)


class TestRateLimit:
    def test_five_comments_in_ten_minutes_then_wait(self, make_comment, discussion_settings):
        discussion_settings(comments_per_reader=5, rate_window_minutes=10)
        reader = "a" * 64
        now = timezone.now()
        for minutes in (9, 7, 5, 3):
            make_comment(reader=reader, created_at=now - timedelta(minutes=minutes))
        assert moderation.rate_limit(reader, now=now) is None
        make_comment(reader=reader, created_at=now - timedelta(minutes=1))
        limited = moderation.rate_limit(reader, now=now)
        assert limited is not None
        assert limited.retry_at == now - timedelta(minutes=9) + timedelta(minutes=10)

    def test_old_comments_do_not_count(self, make_comment):
        reader = "b" * 64
        for _ in range(10):
            make_comment(reader=reader, created_at=timezone.now() - timedelta(hours=1))
        assert moderation.rate_limit(reader) is None

    def test_other_readers_do_not_count(self, make_comment):
        for _ in range(10):
            make_comment(reader="c" * 64)
        assert moderation.rate_limit("d" * 64) is None

    def test_one_network_is_limited_however_many_readers_it_claims_to_be(
        self, make_comment, discussion_settings
    ):
        discussion_settings(comments_per_reader=5, comments_per_address=8)
        for n in range(7):
            make_comment(reader=f"{n:064d}", network="n" * 64)
        assert moderation.rate_limit("new" * 16, "n" * 64) is None
        make_comment(reader="last" * 16, network="n" * 64)
        assert moderation.rate_limit("new" * 16, "n" * 64) is not None
        assert moderation.rate_limit("new" * 16, "m" * 64) is None

    def test_the_later_of_two_limits_says_when_to_try_again(
        self, make_comment, discussion_settings
    ):
        discussion_settings(comments_per_reader=1, comments_per_address=2, rate_window_minutes=10)
        now = timezone.now()
        make_comment(reader="a" * 64, network="n" * 64, created_at=now - timedelta(minutes=8))
        make_comment(reader="b" * 64, network="n" * 64, created_at=now - timedelta(minutes=2))
        limited = moderation.rate_limit("b" * 64, "n" * 64, now=now)
        assert limited.retry_at == now - timedelta(minutes=2) + timedelta(minutes=10)
        assert not limited.by_network  # the reader's own allowance frees later

    def test_a_network_limit_says_so(self, make_comment, discussion_settings):
        discussion_settings(comments_per_reader=2, comments_per_address=2)
        for n in range(2):
            make_comment(reader=f"{n:064d}", network="n" * 64)
        assert moderation.rate_limit("new" * 16, "n" * 64).by_network

    def test_no_limit_per_network_when_it_is_zero(self, make_comment, discussion_settings):
        discussion_settings(comments_per_reader=2, comments_per_address=0)
        for n in range(30):
            make_comment(reader=f"{n:064d}", network="n" * 64)
        assert moderation.rate_limit("new" * 16, "n" * 64) is None


class TestInitialStatus:
    def test_post_moderation_approves_on_arrival(self, make_article):
        article = make_article()
        assert moderation.initial_status(new_comment(article), article) == ("approved", [])

    def test_pre_moderation_site_wide_holds_everything(self, make_article, discussion_settings):
        discussion_settings(moderation_mode="pre")
        article = make_article()
        assert moderation.initial_status(new_comment(article), article)[0] == "pending"

    def test_an_article_can_override_the_site_mode(self, make_article, discussion_settings):
        discussion_settings(moderation_mode="post")
        article = make_article(comment_moderation="pre")
        assert moderation.initial_status(new_comment(article), article)[0] == "pending"
        discussion_settings(moderation_mode="pre")
        article = make_article(comment_moderation="post")
        assert moderation.initial_status(new_comment(article), article)[0] == "approved"

    def test_more_links_than_allowed_is_held(self, make_article, discussion_settings):
        discussion_settings(links_allowed=2)
        article = make_article()
        two = "see https://a.example and http://b.example"
        three = two + " and www.c.example"
        assert moderation.initial_status(new_comment(article, body=two), article)[0] == "approved"
        status, reasons = moderation.initial_status(new_comment(article, body=three), article)
        assert (status, reasons) == ("pending", [("links", {"links": 3, "limit": 2})])

    def test_an_address_with_both_a_scheme_and_www_is_one_link(
        self, make_article, discussion_settings
    ):
        discussion_settings(links_allowed=1)
        article = make_article()
        comment = new_comment(article, body="Source: https://www.example.com/report")
        assert moderation.initial_status(comment, article) == ("approved", [])

    def test_a_blocked_word_is_held(self, make_article, discussion_settings):
        discussion_settings(blocked_terms="casino bonus")
        article = make_article()
        status, reasons = moderation.initial_status(
            new_comment(article, body="Get your CASINO BONUS now"), article
        )
        assert (status, reasons) == (
            "pending",
            [("blocked_term", {"term": "casino bonus", "where": "text"})],
        )

    def test_a_blocked_word_in_the_name_is_held(self, make_article, discussion_settings):
        discussion_settings(blocked_terms="viagra")
        article = make_article()
        comment = new_comment(article, author_name="Cheap Viagra")
        assert moderation.initial_status(comment, article) == (
            "pending",
            [("blocked_term", {"term": "viagra", "where": "name"})],
        )

    def test_blocked_words_match_whole_words_only(self, make_article, discussion_settings):
        discussion_settings(blocked_terms="ass")
        article = make_article()
        comment = new_comment(article, body="A classic assessment of the pass.")
        assert moderation.initial_status(comment, article)[0] == "approved"

    def test_the_same_text_again_from_the_same_reader_is_held(self, make_comment):
        earlier = make_comment(body="First!", reader="e" * 64)
        again = new_comment(earlier.article, body="First!", reader="e" * 64)
        assert moderation.initial_status(again, earlier.article) == ("pending", [("duplicate", {})])

    def test_the_same_text_from_another_reader_is_fine(self, make_comment):
        earlier = make_comment(body="Agreed.", reader="f" * 64, network="1" * 64)
        other = new_comment(earlier.article, body="Agreed.", reader="g" * 64, network="2" * 64)
        assert moderation.initial_status(other, earlier.article)[0] == "approved"

    def test_the_same_text_from_the_same_network_under_another_user_agent_is_held(
        self, make_comment
    ):
        earlier = make_comment(body="First!", reader="e" * 64, network="n" * 64)
        again = new_comment(earlier.article, body="First!", reader="x" * 64, network="n" * 64)
        assert moderation.initial_status(again, earlier.article) == ("pending", [("duplicate", {})])

    def test_the_same_text_after_ten_minutes_is_fine(self, make_comment):
        earlier = make_comment(
            body="Agreed.", reader="h" * 64, created_at=timezone.now() - timedelta(minutes=11)
        )
        again = new_comment(earlier.article, body="Agreed.", reader="h" * 64)
        assert moderation.initial_status(again, earlier.article)[0] == "approved"


class TestHoldReasons:
    def test_site_and_article_pre_moderation_have_their_own_codes(
        self, make_article, discussion_settings
    ):
        discussion_settings(moderation_mode="pre")
        site = make_article()
        assert moderation.initial_status(new_comment(site), site) == ("pending", [("pre_site", {})])
        article = make_article(comment_moderation="pre")
        assert moderation.initial_status(new_comment(article), article)[1] == [("pre_article", {})]

    def test_a_suspect_term_holds_with_the_term_and_where(self, make_article, discussion_settings):
        discussion_settings(suspect_terms="Smith\nbloody")
        article = make_article()
        comment = new_comment(article, body="What a bloody mess")
        assert moderation.initial_status(comment, article) == (
            "pending",
            [("suspect_term", {"term": "bloody", "where": "text"})],
        )

    def test_every_rule_that_holds_a_comment_is_recorded(self, make_article, discussion_settings):
        discussion_settings(links_allowed=0, blocked_terms="casino", moderation_mode="pre")
        article = make_article()
        comment = new_comment(article, body="casino at https://spam.example")
        status, reasons = moderation.initial_status(comment, article)
        assert status == "pending"
        assert [code for code, _evidence in reasons] == ["links", "blocked_term", "pre_site"]

    def test_a_first_comment_is_held_when_the_settings_say_so(
        self, make_article, make_comment, discussion_settings
    ):
        discussion_settings(hold_first_comments=True)
        article = make_article()
        first = new_comment(article, reader="a" * 64)
        first.email = "Ann@Example.com"
        assert moderation.initial_status(first, article) == ("pending", [("first_comment", {})])
        make_comment(article=article, email="ann@example.com", reader="other")
        again = new_comment(article, reader="b" * 64)
        again.email = "ann@example.com"
        assert moderation.initial_status(again, article) == ("approved", [])

    def test_first_comments_are_not_held_by_default(self, make_article):
        article = make_article()
        assert moderation.initial_status(new_comment(article), article)[0] == "approved"

    def test_a_network_past_half_its_allowance_is_held_as_busy(
        self, make_article, make_comment, discussion_settings
    ):
        discussion_settings(comments_per_reader=5, comments_per_address=6)
        article = make_article()
        for n in range(3):
            make_comment(article=article, reader=f"{n:064d}", network="n" * 64, body=f"c{n}")
        comment = new_comment(article, network="n" * 64, reader="z" * 64)
        assert moderation.initial_status(comment, article)[0] == "approved"
        make_comment(article=article, reader="y" * 64, network="n" * 64, body="c4")
        assert moderation.initial_status(comment, article) == (
            "pending",
            [("rate", {"posted": 4, "limit": 6, "minutes": 10})],
        )

    def test_the_commenter_is_told_why_without_the_word_list(self):
        reasons = [
            ("blocked_term", {"term": "casino bonus", "where": "text"}),
            ("suspect_term", {"term": "Smith", "where": "name"}),
            ("links", {"links": 3, "limit": 2}),
        ]
        messages = moderation.reader_messages(reasons)
        assert messages == [
            "Some words are reviewed by a moderator before they appear.",
            "Comments with links are reviewed before they appear.",
        ]
        assert not any("casino" in m or "Smith" in m or "2" in m for m in messages)

    def test_moderators_see_each_reason_in_words_with_its_evidence(self):
        assert moderation.describe("links", {"links": 3, "limit": 2}) == "3 links; 2 allowed"
        assert (
            moderation.describe("blocked_term", {"term": "casino", "where": "name"})
            == "Blocked term “casino” in the name"
        )
        assert moderation.describe("reports", {"reports": 3}) == "Hidden by 3 reports"

    def test_a_posted_held_comment_keeps_its_reasons(self, make_article, discussion_settings):
        discussion_settings(links_allowed=0)
        article = make_article()
        comment = new_comment(article, body="https://a.example")
        status, reasons = moderation.initial_status(comment, article)
        comment.status = status
        comment.save()
        moderation.save_hold_reasons(comment, reasons)
        assert list(HoldReason.objects.filter(code="links").values_list("comment", flat=True)) == [
            comment.pk
        ]


class TestDecide:
    def test_a_decision_records_who_when_and_why_on_the_comment_and_in_the_trail(
        self, make_comment, django_user_model
    ):
        moderator = django_user_model.objects.create_user("mod")
        comment = make_comment(status="pending")
        changed = moderation.decide(
            Comment.objects.filter(pk=comment.pk), "rejected", moderator, "abuse", "Slur."
        )
        assert [c.pk for c in changed] == [comment.pk]
        comment.refresh_from_db()
        assert (comment.status, comment.moderated_by, comment.decision_reason) == (
            "rejected",
            moderator,
            "abuse",
        )
        assert comment.decision_note == "Slur."
        event = ModerationEvent.objects.get()
        assert (event.action, event.actor, event.comment, event.reason, event.explanation) == (
            "reject",
            moderator,
            comment,
            "abuse",
            "Slur.",
        )

    def test_approving_without_a_reason_records_within_the_rules(self, make_comment):
        comment = make_comment(status="pending")
        moderation.decide(Comment.objects.filter(pk=comment.pk), "approved", None)
        assert ModerationEvent.objects.get().reason == "within_rules"

    def test_a_decision_that_changes_nothing_records_nothing(self, make_comment):
        comment = make_comment(status="approved")
        assert moderation.decide(Comment.objects.filter(pk=comment.pk), "approved", None) == []
        assert not ModerationEvent.objects.exists()


class TestReports:
    def test_a_reader_reports_once(self, make_comment):
        comment = make_comment()
        assert moderation.record_report(comment, "r1", "n1")
        assert not moderation.record_report(comment, "r1", "n1")
        comment.refresh_from_db()
        assert comment.report_count == 1
        assert CommentReport.objects.count() == 1

    def test_one_network_reports_once_whatever_reader_it_claims_to_be(self, make_comment):
        comment = make_comment()
        assert moderation.record_report(comment, "r1", "n1")
        assert not moderation.record_report(comment, "r2", "n1")
        assert moderation.record_report(comment, "r3", "n2")
        comment.refresh_from_db()
        assert comment.report_count == 2
        assert CommentReport.objects.count() == 2

    def test_reports_from_before_networks_were_recorded_stay_one_per_reader(self, make_comment):
        comment = make_comment()
        assert moderation.record_report(comment, "old-1")
        assert moderation.record_report(comment, "old-2")
        assert not moderation.record_report(comment, "old-1")
        comment.refresh_from_db()
        assert comment.report_count == 2

    def test_at_the_threshold_the_comment_is_hidden_and_requeued(
        self, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=3)
        comment = make_comment()
        for reader in ("r1", "r2"):
            moderation.record_report(comment, reader)
        comment.refresh_from_db()
        assert comment.status == "approved"
        moderation.record_report(comment, "r3")
        comment.refresh_from_db()
        assert comment.status == "pending"
        assert [(r.code, r.evidence) for r in comment.hold_reasons.all()] == [
            ("reports", {"reports": 3})
        ]
        assert comment in Comment.objects.pending()

    def test_cleared_reports_no_longer_count_and_their_readers_cannot_report_again(
        self, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=2)
        comment = make_comment()
        moderation.record_report(comment, "r1", "n1")
        moderation.clear_reports(Comment.objects.filter(pk=comment.pk))
        comment.refresh_from_db()
        assert comment.report_count == 0
        assert CommentReport.objects.get().cleared_at is not None
        assert not moderation.record_report(comment, "r1", "n1")
        assert not moderation.record_report(comment, "r9", "n1")
        assert moderation.record_report(comment, "r2", "n2")
        comment.refresh_from_db()
        assert (comment.status, comment.report_count) == ("approved", 1)


class TestImpose:
    def test_ban_and_reject_all_is_one_action(self, make_article, make_comment, django_user_model):
        from comments import sanctions
        from comments.models import Sanction

        moderator = django_user_model.objects.create_user("mod")
        article = make_article()
        shown = make_comment(article=article, network_key="n" * 64, body="one")
        waiting = make_comment(article=article, network_key="n" * 64, status="pending", body="two")
        other = make_comment(article=article, network_key="o" * 64, body="three")
        sanction = sanctions.impose(
            shown, "ban", moderator, "abuse", "Repeated abuse.", reject_all=True
        )
        assert (sanction.network, sanction.user, sanction.kind) == ("n" * 64, None, "ban")
        statuses = dict(Comment.objects.values_list("pk", "status"))
        assert (statuses[shown.pk], statuses[waiting.pk], statuses[other.pk]) == (
            "rejected",
            "rejected",
            "approved",
        )
        actions = sorted(ModerationEvent.objects.values_list("action", flat=True))
        assert actions == ["reject", "reject", "sanction"]
        assert Sanction.objects.get().events.get().actor == moderator

    def test_a_signed_in_author_is_sanctioned_by_account(self, make_comment, django_user_model):
        from comments import sanctions

        author = django_user_model.objects.create_user("reader")
        comment = make_comment(user=author, network_key="n" * 64)
        sanction = sanctions.impose(comment, "suspend", None, "abuse")
        assert (sanction.user, sanction.network) == (author, "")
