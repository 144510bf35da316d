"""The moderation queue, as a moderator clears it: cards, tabs, filters,
decisions by htmx and by plain form, bulk decisions, and its query budget."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import (
    Comment,
    CommentEdit,
    CommentReport,
    HoldReason,
    ModerationEvent,
    Sanction,
)
from comments.queue import PAGE_SIZE, highlighted

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_queue")
BULK = reverse("admin:comments_comment_queue_bulk")
HTMX = {"HTTP_HX_REQUEST": "true"}


def decide_url(comment):
    pk = getattr(comment, "pk", comment)
    return reverse("admin:comments_comment_queue_decide", args=[pk])


def page(client, query=""):
    response = client.get(f"{QUEUE}?{query}" if query else QUEUE)
    assert response.status_code == 200
    return response.content.decode()


def card_of(html, comment):
    """The markup of one comment's card in a page."""
    start = html.index(f'<article id="queue-card-{comment.pk}"')
    return html[start : html.index("</article>", start)]


def held(comment, *reasons):
    moderation.save_hold_reasons(comment, reasons)
    return comment


@pytest.fixture
def moderator(client, django_user_model):
    """An editor on duty (the Editors group moderates), signed in. Made without a
    password: hashing one costs each test half a second."""
    user = django_user_model.objects.create(username="editor-on-duty", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


@pytest.fixture
def make_pending(make_comment):
    def make(**overrides):
        return make_comment(status=Comment.Status.PENDING, **overrides)

    return make


@pytest.fixture
def viewer(client, django_user_model):
    """Staff who may look at comments but not decide on them."""
    staff = django_user_model.objects.create(username="looking-only", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(staff)
    return staff


class TestCards:
    def test_pending_comments_are_listed_oldest_first(self, client, moderator, make_pending):
        now = timezone.now()
        make_pending(body="Posted second", created_at=now - timedelta(minutes=5))
        make_pending(body="Posted first", created_at=now - timedelta(hours=2))
        make_pending(body="Posted last", created_at=now)
        html = page(client)
        assert html.index("Posted first") < html.index("Posted second") < html.index("Posted last")

    def test_a_card_shows_the_article_the_parent_the_author_and_the_age(
        self, client, moderator, make_comment, make_pending, make_article
    ):
        article = make_article(headline="Council approves housing plan")
        parent = make_comment(article=article, author_name="Ines", body="The first word on it.")
        reply = make_pending(
            parent=parent,
            author_name="Jane Reader",
            email="jane@example.com",
            created_at=timezone.now() - timedelta(hours=3),
        )
        card = card_of(page(client), reply)
        assert "Council approves housing plan" in card
        assert f'href="{article.get_absolute_url()}"' in card
        assert "In reply to Ines" in card and "The first word on it." in card
        assert "Jane Reader" in card and "jane@example.com" in card and "not signed in" in card
        assert "3\xa0hours ago" in card

    def test_a_signed_in_author_is_named_by_account(
        self, client, moderator, make_pending, make_user
    ):
        reader = make_user(username="ada")
        comment = make_pending(user=reader)
        assert "signed in as <strong>ada</strong>" in card_of(page(client), comment)

    def test_hold_reasons_are_badges_with_their_code_and_words(
        self, client, moderator, make_pending
    ):
        comment = held(
            make_pending(body="See https://a.example and https://b.example"),
            (HoldReason.Code.LINKS, {"links": 2, "limit": 1}),
            (HoldReason.Code.FIRST_COMMENT, {}),
        )
        card = card_of(page(client), comment)
        assert "<code>links</code> 2 links; 1 allowed" in card
        assert "<code>first_comment</code> The author&#x27;s first comment" in card

    def test_the_held_term_is_marked_and_everything_else_escaped(
        self, client, moderator, make_pending
    ):
        comment = held(
            make_pending(body="<script>x</script> Cheap Viagra here, viagra there"),
            (HoldReason.Code.BLOCKED_TERM, {"term": "viagra", "where": "text"}),
        )
        card = card_of(page(client), comment)
        assert "&lt;script&gt;x&lt;/script&gt;" in card and "<script>x" not in card
        assert "Cheap <mark>Viagra</mark> here, <mark>viagra</mark> there" in card

    def test_links_are_marked_when_links_held_it_and_are_not_links(
        self, client, moderator, make_pending
    ):
        comment = held(
            make_pending(body="Go to https://spam.example/win?a=1&b=2 now"),
            (HoldReason.Code.LINKS, {"links": 1, "limit": 0}),
        )
        card = card_of(page(client), comment)
        assert "<mark>https://spam.example/win?a=1&amp;b=2</mark> now" in card
        assert 'href="https://spam.example' not in card

    def test_a_term_found_in_the_name_is_marked_in_the_name(self, client, moderator, make_pending):
        comment = held(
            make_pending(author_name="Casino Bonus King", body="Hello"),
            (HoldReason.Code.BLOCKED_TERM, {"term": "casino bonus", "where": "name"}),
        )
        card = card_of(page(client), comment)
        assert "<mark>Casino Bonus</mark> King" in card
        assert "<mark>" not in card.split('class="queue-card__text">')[1].split("</div>")[0]

    def test_reports_show_their_reasons_and_an_illegal_content_notice_its_law(
        self, client, moderator, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=10)
        comment = make_comment(body="Contested")
        moderation.record_report(comment, "r1", "n1", reason="abuse")
        moderation.record_report(comment, "r2", "n2", reason="abuse")
        moderation.record_report(
            comment,
            "r3",
            "n3",
            reason="illegal",
            law="Defamation Act 2013",
            explanation="It says the mayor took bribes.",
            good_faith=True,
        )
        card = card_of(page(client, "tab=reported"), comment)
        assert (
            "2 \N{MULTIPLICATION SIGN} Abusive, harassing or hateful · 1 \N{MULTIPLICATION SIGN} Illegal content"
            in card
        )
        assert "Illegal content under <strong>Defamation Act 2013</strong>" in card
        assert "It says the mayor took bribes." in card and "in good faith" in card

    def test_the_record_counts_an_accounts_approved_removed_and_sanctions(
        self, client, moderator, make_comment, make_pending, make_user
    ):
        reader = make_user()
        for status in ("approved", "approved", "rejected", "spam"):
            make_comment(user=reader, status=status)
        Sanction.objects.create(kind="warn", user=reader, reason="abuse")
        comment = make_pending(user=reader)
        card = card_of(page(client), comment)
        assert "By account: 2 approved · 2 rejected or spam · 1 sanction<" in card

    def test_the_record_of_an_anonymous_author_is_their_networks(
        self, client, moderator, make_comment, make_pending
    ):
        make_comment(network_key="net-a", status="approved")
        make_comment(network_key="net-a", status="rejected")
        make_comment(network_key="net-b", status="rejected")
        Sanction.objects.create(kind="ban", network="net-a", reason="spam")
        Sanction.objects.create(kind="ban", network="net-a", reason="spam")
        comment = make_pending(network_key="net-a")
        card = card_of(page(client), comment)
        assert "By network: 1 approved · 1 rejected or spam · 2 sanctions" in card

    def test_an_author_with_no_account_or_network_has_no_record(
        self, client, moderator, make_pending
    ):
        comment = make_pending(network_key="")
        assert "None: no account or network address was kept" in card_of(page(client), comment)

    def test_the_reject_reason_starts_at_what_readers_reported(
        self, client, moderator, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=1)
        comment = make_comment()
        moderation.record_report(comment, "r1", "n1", reason="off_topic")
        card = card_of(page(client), comment)
        assert '<option value="off_topic" selected>' in card

    def test_a_viewer_without_the_moderate_permission_sees_cards_but_no_decisions(
        self, client, viewer, make_pending
    ):
        comment = make_pending(body="Just looking")
        html = page(client)
        assert "Just looking" in card_of(html, comment)
        assert "Approve" not in card_of(html, comment) and 'id="queue-bulk"' not in html


class TestHighlighting:
    def test_overlapping_terms_make_one_mark(self):
        assert highlighted("a casino bonus b", ["casino bonus", "bonus"]) == (
            "a <mark>casino bonus</mark> b"
        )

    def test_a_term_inside_a_longer_word_is_not_marked(self):
        assert highlighted("scunthorpe", ["cunt"]) == "scunthorpe"

    def test_line_breaks_are_kept(self):
        assert highlighted("one\r\ntwo <b>", []) == "one<br>two &lt;b&gt;"


class TestTabsAndFilters:
    def test_tabs_show_their_counts(
        self, client, moderator, make_comment, make_pending, discussion_settings
    ):
        discussion_settings(report_threshold=5)
        make_pending()
        make_pending()
        reported = make_comment()
        moderation.record_report(reported, "r1", "n1")
        picked = make_comment()
        moderation.pick(picked, moderator)
        decided = make_pending()
        moderation.decide(Comment.objects.filter(pk=decided.pk), "rejected", moderator)
        html = page(client)
        for label, count in (
            ("Pending", 2),
            ("Reported", 1),
            ("Picked", 1),
            ("Recently decided", 1),
        ):
            assert f'{label} <span class="queue-tabs__count">{count}</span>' in html

    def test_the_reported_tab_lists_shown_or_waiting_comments_with_open_reports(
        self, client, moderator, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=5)
        shown = make_comment(body="Shown and reported")
        moderation.record_report(shown, "r1", "n1")
        removed = make_comment(body="Removed after reports")
        moderation.record_report(removed, "r2", "n2")
        moderation.decide(Comment.objects.filter(pk=removed.pk), "rejected", moderator)
        cleared = make_comment(body="Approved again")
        moderation.record_report(cleared, "r3", "n3")
        moderation.decide(Comment.objects.filter(pk=cleared.pk), "approved", moderator)
        make_comment(body="Never reported")
        html = page(client, "tab=reported")
        assert "Shown and reported" in html
        for absent in ("Removed after reports", "Approved again", "Never reported"):
            assert absent not in html

    def test_the_picked_tab_lists_picks_newest_first_with_who(
        self, client, moderator, make_comment
    ):
        first, second = make_comment(body="Picked first"), make_comment(body="Picked second")
        moderation.pick(first, moderator)
        moderation.pick(second, moderator)
        html = page(client, "tab=picked")
        assert html.index("Picked second") < html.index("Picked first")
        assert "by editor-on-duty" in card_of(html, first)
        assert 'value="unpick"' in card_of(html, first)

    def test_the_decided_tab_lists_the_last_seven_days_newest_first_with_who_and_why(
        self, client, moderator, make_pending
    ):
        old, older_decision, newer_decision = (
            make_pending(body="Decided long ago"),
            make_pending(body="Rejected earlier"),
            make_pending(body="Approved later"),
        )
        moderation.decide(
            Comment.objects.filter(pk=older_decision.pk),
            "rejected",
            moderator,
            "abuse",
            "Name-calling.",
        )
        moderation.decide(Comment.objects.filter(pk=newer_decision.pk), "approved", moderator)
        moderation.decide(Comment.objects.filter(pk=old.pk), "spam", moderator)
        ModerationEvent.objects.filter(comment=old).update(at=timezone.now() - timedelta(days=8))
        html = page(client, "tab=decided")
        assert "Decided long ago" not in html
        assert html.index("Approved later") < html.index("Rejected earlier")
        card = card_of(html, older_decision)
        assert "Rejected by editor-on-duty" in card
        assert "Abuse, harassment or hate: “Name-calling.”" in card

    def test_a_comment_decided_twice_is_listed_once_with_its_latest_decision(
        self, client, moderator, make_pending
    ):
        comment = make_pending(body="Changed minds")
        moderation.decide(Comment.objects.filter(pk=comment.pk), "approved", moderator)
        moderation.decide(Comment.objects.filter(pk=comment.pk), "spam", moderator)
        html = page(client, "tab=decided")
        assert html.count(f'id="queue-card-{comment.pk}"') == 1
        assert "Marked as spam by editor-on-duty" in card_of(html, comment)
        assert 'Recently decided <span class="queue-tabs__count">1</span>' in html

    def test_the_filter_by_hold_reason(self, client, moderator, make_pending):
        held(make_pending(body="Too many links here"), (HoldReason.Code.LINKS, {"links": 3}))
        held(make_pending(body="A first comment"), (HoldReason.Code.FIRST_COMMENT, {}))
        html = page(client, "reason=links")
        assert "Too many links here" in html and "A first comment" not in html
        assert 'Pending <span class="queue-tabs__count">1</span>' in html

    @pytest.mark.parametrize("search", ["housing", "HOUSING plan", "council-housing-vote"])
    def test_the_filter_by_article_takes_headline_words_or_the_slug(
        self, client, moderator, make_pending, make_article, search
    ):
        housing = make_article(
            headline="Council approves housing plan", slug="council-housing-vote"
        )
        make_pending(article=housing, body="On the housing story")
        make_pending(body="On another story")
        html = page(client, f"article={search}")
        assert "On the housing story" in html and "On another story" not in html

    def test_filters_are_kept_in_the_tab_and_page_links(self, client, moderator, make_pending):
        make_pending()
        html = page(client, "reason=links&article=housing")
        assert 'href="?tab=reported&amp;reason=links&amp;article=housing"' in html

    @pytest.mark.parametrize(
        "query",
        ["tab=nope", "reason=nope", "page=abc", "page=0", "page=99999", "article=" + "x" * 300],
    )
    def test_a_bad_filter_value_is_left_out_not_a_failure(
        self, client, moderator, make_pending, query
    ):
        make_pending(body="Still listed")
        html = page(client, query)
        assert "Still listed" in html

    def test_pages_hold_25_cards_and_link_to_the_next(self, client, moderator, make_pending):
        for n in range(PAGE_SIZE + 3):
            make_pending(body=f"Waiting number {n:02d}.")
        first = page(client)
        assert first.count('class="queue-card"') == PAGE_SIZE
        assert "1\N{EN DASH}25 of 28" in first and 'href="?page=2"' in first
        second = page(client, "page=2")
        assert second.count('class="queue-card"') == 3 and "Waiting number 27." in second

    def test_a_page_past_the_end_shows_the_last_page(self, client, moderator, make_pending):
        make_pending(body="The only one")
        assert "The only one" in page(client, "page=40")

    def test_an_empty_queue_says_so(self, client, moderator):
        assert "No comment is waiting for a moderator." in page(client)


class TestAccess:
    def test_staff_without_the_view_permission_are_refused(self, client, django_user_model):
        client.force_login(django_user_model.objects.create(username="staff", is_staff=True))
        assert client.get(QUEUE).status_code == 403

    def test_readers_are_sent_to_the_login(self, client, make_user):
        client.force_login(make_user())
        response = client.get(QUEUE)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    @pytest.mark.parametrize("htmx", [False, True])
    def test_deciding_needs_the_moderate_permission(self, client, viewer, make_pending, htmx):
        comment = make_pending()
        response = client.post(
            decide_url(comment), {"decision": "approve"}, **(HTMX if htmx else {})
        )
        assert response.status_code == 403
        response = client.post(BULK, {"decision": "approve", "selected": [comment.pk]})
        assert response.status_code == 403
        comment.refresh_from_db()
        assert comment.status == "pending"

    def test_every_post_needs_the_csrf_token(self, moderator, make_pending):
        comment = make_pending()
        client = Client(enforce_csrf_checks=True)
        client.force_login(moderator)
        assert client.post(decide_url(comment), {"decision": "approve"}).status_code == 403
        assert (
            client.post(BULK, {"decision": "approve", "selected": [comment.pk]}).status_code == 403
        )
        comment.refresh_from_db()
        assert comment.status == "pending"

    def test_an_unknown_comment_is_not_found(self, client, moderator):
        assert client.post(decide_url(999999), {"decision": "approve"}).status_code == 404
        assert client.post(decide_url(999999), {"decision": "approve"}, **HTMX).status_code == 404

    @pytest.mark.parametrize("bad", ["abc", "1.5", "-1", "%C2%B2"])
    def test_a_malformed_comment_id_decides_nothing_and_is_no_server_error(
        self, client, moderator, make_pending, bad
    ):
        comment = make_pending()
        response = client.post(f"{QUEUE}{bad}/decide/", {"decision": "approve"}, follow=True)
        assert response.status_code in (200, 404)
        comment.refresh_from_db()
        assert comment.status == "pending"

    def test_decisions_are_posted_not_fetched(self, client, moderator, make_pending):
        assert client.get(decide_url(make_pending())).status_code == 405
        assert client.get(BULK).status_code == 405

    def test_the_admin_index_and_the_comment_list_link_to_the_queue(self, client, moderator):
        index = client.get(reverse("admin:index")).content.decode()
        assert f'href="{QUEUE}"' in index
        listing = client.get(reverse("admin:comments_comment_changelist")).content.decode()
        assert f'href="{QUEUE}"' in listing


class TestDecisions:
    @pytest.mark.parametrize(
        ("decision", "status", "reason"),
        [("approve", "approved", "within_rules"), ("spam", "spam", "spam")],
    )
    def test_a_plain_post_decides_and_returns_to_the_same_view_with_a_message(
        self, client, moderator, make_pending, decision, status, reason
    ):
        comment = make_pending(author_name="Jane")
        response = client.post(
            decide_url(comment),
            {
                "decision": decision,
                "reason": "abuse",
                "return_to": "tab=pending&reason=links&page=2",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == f"{QUEUE}?reason=links&page=2"
        comment.refresh_from_db()
        assert (comment.status, comment.decision_reason) == (status, reason)
        assert comment.moderated_by == moderator
        event = ModerationEvent.objects.get(comment=comment)
        assert (event.actor, event.reason) == (moderator, reason)
        followed = client.get(response["Location"]).content.decode()
        assert "the comment by Jane." in followed

    def test_an_htmx_decision_swaps_in_the_result_with_an_undo(
        self, client, moderator, make_pending
    ):
        comment = make_pending(author_name="Jane")
        make_pending()
        response = client.post(
            decide_url(comment), {"decision": "approve", "return_to": ""}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200 and response["Vary"].count("HX-Request")
        assert (
            f'<article id="queue-card-{comment.pk}" class="queue-card queue-card--decided"' in html
        )
        assert "Approved</span>" in html and "Undo?" in html
        assert 'value="reject"' in html and 'value="approve"' not in html
        assert (
            '<div id="queue-status" data-hx-swap-oob="innerHTML">Approved: the comment by Jane.'
            in html
        )
        assert 'Pending <span class="queue-tabs__count">1</span>' in html
        comment.refresh_from_db()
        assert comment.status == "approved"

    def test_undo_decides_again(self, client, moderator, make_pending):
        comment = make_pending()
        client.post(decide_url(comment), {"decision": "approve"}, **HTMX)
        client.post(decide_url(comment), {"decision": "reject", "reason": "abuse"}, **HTMX)
        comment.refresh_from_db()
        assert (comment.status, comment.decision_reason) == ("rejected", "abuse")
        assert list(
            ModerationEvent.objects.filter(comment=comment).values_list("action", flat=True)
        ) == ["reject", "approve"]

    def test_a_rejection_records_the_reason_chosen_and_the_note(
        self, client, moderator, make_pending
    ):
        comment = make_pending()
        client.post(
            decide_url(comment),
            {"decision": "reject", "reason": "personal_data", "explanation": "Names a child."},
            **HTMX,
        )
        comment.refresh_from_db()
        assert (comment.status, comment.decision_reason, comment.decision_note) == (
            "rejected",
            "personal_data",
            "Names a child.",
        )

    def test_approving_a_reported_comment_clears_its_reports(
        self, client, moderator, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=1)
        comment = make_comment()
        moderation.record_report(comment, "r1", "n1")
        client.post(decide_url(comment), {"decision": "approve"}, **HTMX)
        comment.refresh_from_db()
        assert (comment.status, comment.report_count) == ("approved", 0)
        assert not CommentReport.objects.filter(cleared_at__isnull=True).exists()

    def test_approving_a_shown_comment_with_reports_keeps_it_and_clears_them(
        self, client, moderator, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=5)
        comment = make_comment()
        moderation.record_report(comment, "r1", "n1")
        response = client.post(decide_url(comment), {"decision": "approve"}, **HTMX)
        assert "Kept, its reports cleared" in response.content.decode()
        comment.refresh_from_db()
        assert comment.report_count == 0

    def test_pick_approves_a_waiting_comment_and_picks_it(self, client, moderator, make_pending):
        comment = make_pending()
        response = client.post(decide_url(comment), {"decision": "pick"}, **HTMX)
        assert "Approved and picked" in response.content.decode()
        comment.refresh_from_db()
        assert comment.status == "approved" and comment.picked_by == moderator
        assert comment.decision_reason == "within_rules"

    def test_unpick(self, client, moderator, make_comment):
        comment = make_comment()
        moderation.pick(comment, moderator)
        client.post(decide_url(comment), {"decision": "unpick"})
        comment.refresh_from_db()
        assert comment.picked_at is None and comment.status == "approved"

    def test_ban_author_bans_them_and_rejects_all_their_comments(
        self, client, moderator, make_comment, make_pending, make_user
    ):
        troll = make_user()
        shown = make_comment(user=troll)
        waiting = make_pending(user=troll)
        other = make_pending(user=troll)
        bystander = make_pending()
        response = client.post(
            decide_url(waiting),
            {"decision": "ban", "reason": "abuse", "explanation": "Repeated abuse."},
            **HTMX,
        )
        html = response.content.decode()
        assert "Author banned, comment rejected; 2 more of their comments rejected" in html
        assert f'id="queue-card-{other.pk}"' in html and 'data-hx-swap-oob="true"' in html
        sanction = Sanction.objects.get()
        assert (sanction.kind, sanction.user, sanction.reason, sanction.message) == (
            "ban",
            troll,
            "abuse",
            "Repeated abuse.",
        )
        for comment in (shown, waiting, other):
            comment.refresh_from_db()
            assert comment.status == "rejected"
        bystander.refresh_from_db()
        assert bystander.status == "pending"

    def test_ban_needs_a_reason_and_the_card_keeps_what_was_typed(
        self, client, moderator, make_pending
    ):
        comment = make_pending(network_key="net-1")
        response = client.post(
            decide_url(comment),
            {"decision": "ban", "reason": "", "explanation": "Typed before choosing"},
            **HTMX,
        )
        html = response.content.decode()
        assert response.status_code == 422
        assert "Choose why the author is banned" in html
        assert "Typed before choosing</textarea>" in html
        assert not Sanction.objects.exists()

    def test_ban_of_an_author_with_no_account_or_network_is_an_error(
        self, client, moderator, make_pending
    ):
        comment = make_pending(network_key="")
        response = client.post(decide_url(comment), {"decision": "ban", "reason": "spam"}, **HTMX)
        assert response.status_code == 422
        assert "no account or network address to ban" in response.content.decode()

    @pytest.mark.parametrize(
        ("data", "error"),
        [
            ({"decision": "reject", "reason": "made_up"}, "Select a valid choice."),
            ({"decision": "reject", "reason": "within_rules"}, "Select a valid choice."),
            ({"decision": "explode"}, "Select a valid choice."),
            ({"decision": "reject", "reason": "other"}, "Say why in the note"),
            ({"decision": "reject", "explanation": "x" * 2001}, "at most 2000 characters"),
        ],
    )
    def test_bad_input_is_an_error_on_the_card_not_a_failure(
        self, client, moderator, make_pending, data, error
    ):
        comment = make_pending()
        response = client.post(decide_url(comment), data, **HTMX)
        assert response.status_code == 422
        html = response.content.decode()
        assert error in html and 'class="queue-card queue-card--invalid"' in html
        comment.refresh_from_db()
        assert comment.status == "pending"

    def test_without_javascript_bad_input_shows_the_page_again_with_the_note_kept(
        self, client, moderator, make_pending
    ):
        comment = make_pending()
        response = client.post(
            decide_url(comment),
            {"decision": "reject", "reason": "other", "return_to": "tab=pending"},
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "Say why in the note" in card_of(html, comment)
        assert '<option value="other" selected>' in card_of(html, comment)

    def test_a_comment_already_decided_by_someone_else_says_so(
        self, client, moderator, make_comment
    ):
        comment = make_comment(status="rejected")
        response = client.post(decide_url(comment), {"decision": "reject"}, **HTMX)
        assert "Already rejected" in response.content.decode()


class TestBulkDecisions:
    def test_approve_the_ticked_comments(self, client, moderator, make_pending):
        ticked = [make_pending(), make_pending()]
        untouched = make_pending()
        response = client.post(
            BULK,
            {"decision": "approve", "selected": [c.pk for c in ticked], "return_to": "page=1"},
        )
        assert response.status_code == 302 and response["Location"] == QUEUE
        assert set(Comment.objects.filter(status="approved")) == set(ticked)
        untouched.refresh_from_db()
        assert untouched.status == "pending"
        assert "Approved: 2 comments." in client.get(QUEUE).content.decode()

    def test_reject_the_ticked_comments_with_a_reason(self, client, moderator, make_pending):
        ticked = [make_pending(), make_pending()]
        client.post(
            BULK,
            {"decision": "reject", "reason": "spam", "selected": [c.pk for c in ticked]},
        )
        assert list(
            Comment.objects.order_by().values_list("status", "decision_reason").distinct()
        ) == [("rejected", "spam")]

    @pytest.mark.parametrize(
        ("data", "error"),
        [
            ({"decision": "approve"}, "Tick the comments to decide on first."),
            ({"decision": "approve", "selected": ["1", "x"]}, "are not in the queue"),
            ({"decision": "pick", "selected": ["1"]}, "Select a valid choice."),
            (
                {"decision": "approve", "selected": [str(n) for n in range(1, 300)]},
                "at most 200",
            ),
        ],
    )
    def test_bad_input_shows_the_page_again_with_the_error(
        self, client, moderator, make_pending, data, error
    ):
        make_pending()
        response = client.post(BULK, data)
        assert response.status_code == 422
        assert error in response.content.decode()
        assert not Comment.objects.exclude(status="pending").exists()

    def test_unknown_ids_are_skipped(self, client, moderator, make_pending):
        comment = make_pending()
        client.post(BULK, {"decision": "spam", "selected": [comment.pk, 987654]})
        comment.refresh_from_db()
        assert comment.status == "spam"


class TestChangeList:
    LIST = reverse("admin:comments_comment_changelist")

    def test_the_article_filter_is_a_search_box_not_a_list_of_every_article(
        self, client, moderator, make_comment, make_article
    ):
        for n in range(5):
            make_comment(article=make_article(headline=f"Story number {n} of many"))
        html = client.get(self.LIST).content.decode()
        assert 'name="article"' in html
        assert "?article__id__exact" not in html

    def test_the_article_search_finds_by_headline_or_slug_and_keeps_other_filters(
        self, client, moderator, make_comment, make_article
    ):
        housing = make_article(headline="Council approves housing plan", slug="housing-vote")
        make_comment(article=housing, body="About housing", status="pending")
        make_comment(body="About something else", status="pending")
        for search in ("housing plan", "housing-vote"):
            html = client.get(self.LIST, {"article": search, "status__exact": "pending"})
            html = html.content.decode()
            assert "About housing" in html and "About something else" not in html
            assert '<input type="hidden" name="status__exact" value="pending">' in html

    def test_status_reasons_and_reports_come_before_the_long_columns(
        self, client, moderator, make_pending
    ):
        held(make_pending(body="Held one"), (HoldReason.Code.LINKS, {"links": 3, "limit": 2}))
        html = client.get(self.LIST).content.decode()
        columns = [
            html.index(f"column-{name}")
            for name in ("excerpt", "status", "held_for", "reports", "author", "on_article", "age")
        ]
        assert columns == sorted(columns)
        assert '<span title="3 links; 2 allowed">Too many links</span>' in html

    def test_the_list_filters_by_hold_reason(self, client, moderator, make_pending):
        held(make_pending(body="Links held it"), (HoldReason.Code.LINKS, {"links": 3}))
        make_pending(body="Nothing held it")
        html = client.get(self.LIST, {"held_for": "links"}).content.decode()
        assert "Links held it" in html and "Nothing held it" not in html


def pending_in_bulk(article, count, batch=5000, **fields):
    """``count`` pending comments on ``article``, written a batch at a time."""
    start = timezone.now() - timedelta(days=1)
    for offset in range(0, count, batch):
        Comment.objects.bulk_create(
            Comment(
                article=article,
                author_name=f"Reader {n}",
                body=f"Waiting comment {n}.",
                status=Comment.Status.PENDING,
                reader=f"{n:064d}",
                network_key=f"net-{n % 1000}",
                created_at=start + timedelta(seconds=n),
                **fields,
            )
            for n in range(offset, min(offset + batch, count))
        )
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a load this size. Statistics left from
        # an empty table (earlier tests) make the planner loop over every comment
        # for each one on a deep page: minutes instead of milliseconds.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Comment._meta.db_table}")


class TestQueryBudget:
    """The queue page's queries do not grow with the queue or with what the
    cards show: the page, its reasons, reports, parents and authors' records
    come in a fixed number of queries."""

    # The session, the user, their permissions (own and by group), the four tabs'
    # counts, the page of comments (with article, parent, author), their hold
    # reasons, their open reports, the texts their authors edited away, and their
    # authors' records.
    QUERIES = 2 + 2 + 4 + 1 + 1 + 1 + 1 + 1

    @pytest.fixture
    def rich_page(self, make_article, make_comment, django_user_model):
        """A full page of 25 pending comments, ``rich`` of them with two hold
        reasons, two reports, a parent, and a signed-in author with a sanction."""

        def make(rich):
            article = make_article()
            parent = make_comment(
                article=article,
                user=django_user_model.objects.create(username="parent-author"),
                body="The parent.",
            )
            pending_in_bulk(article, PAGE_SIZE)
            for n, comment in enumerate(Comment.objects.pending()[:rich]):
                author = django_user_model.objects.create(username=f"author-{n}")
                Sanction.objects.create(kind="warn", user=author, reason="abuse")
                Comment.objects.filter(pk=comment.pk).update(
                    user=author, parent=parent, root=parent, depth=1
                )
                moderation.save_hold_reasons(
                    comment,
                    [
                        (HoldReason.Code.LINKS, {"links": 3, "limit": 2}),
                        (HoldReason.Code.SUSPECT_TERM, {"term": "Waiting", "where": "text"}),
                    ],
                )
                CommentReport.objects.create(comment=comment, reader=f"a{n}", reason="spam")
                CommentEdit.objects.create(comment=comment, previous_body="Before the edit.")
                CommentReport.objects.create(
                    comment=comment,
                    reader=f"b{n}",
                    reason="illegal",
                    law="A law",
                    explanation="Why",
                )

        return make

    def test_the_first_and_the_last_page_of_50000_pending_comments_take_as_many(
        self, client, moderator, make_article, django_assert_num_queries
    ):
        pending_in_bulk(make_article(), 50_000)
        with django_assert_num_queries(self.QUERIES):
            first = page(client)
        assert 'Pending <span class="queue-tabs__count">50000</span>' in first
        assert first.count('class="queue-card"') == PAGE_SIZE
        with django_assert_num_queries(self.QUERIES):
            last = page(client, "page=2000")
        assert "Waiting comment 49999." in last and "Page 2000 of 2000" in last

    @pytest.mark.parametrize("rich", [10, 25])
    def test_a_page_takes_as_many_whatever_its_cards_show(
        self, client, moderator, rich_page, django_assert_num_queries, rich
    ):
        rich_page(rich)
        with django_assert_num_queries(self.QUERIES):
            html = page(client)
        assert html.count("<code>links</code>") == rich
        assert html.count("In reply to") == rich
        assert (
            html.count(
                "1 \N{MULTIPLICATION SIGN} Spam or advertising · 1 \N{MULTIPLICATION SIGN} Illegal content"
            )
            == rich
        )
        assert html.count("By account: 0 approved · 0 rejected or spam · 1 sanction<") == rich

    @pytest.mark.parametrize("tab", ["reported", "picked", "decided"])
    def test_every_tab_takes_as_many(
        self, client, moderator, rich_page, django_assert_num_queries, tab
    ):
        rich_page(25)
        moderation.decide(Comment.objects.pending(), Comment.Status.APPROVED, moderator)
        for comment in Comment.objects.all()[:20]:
            moderation.pick(comment, moderator)
            CommentReport.objects.create(comment=comment, reader="late", reason="abuse")
            Comment.objects.filter(pk=comment.pk).update(report_count=1)
        with django_assert_num_queries(self.QUERIES):
            html = page(client, f"tab={tab}")
        assert html.count('class="queue-card"') >= 20
