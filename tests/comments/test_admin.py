"""The moderation queue in the admin, as an editor clears it."""

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, CommentReport, DiscussionSettings
from tests.conftest import days_ago

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")


def act(client, action, comments):
    return client.post(QUEUE, {"action": action, "_selected_action": [c.pk for c in comments]})


class TestQueue:
    def test_bulk_actions_write_each_comments_history(self, client, editor, make_comment):
        from django.contrib.admin.models import LogEntry

        first, second = make_comment(status="pending"), make_comment(status="pending")
        client.force_login(editor)
        act(client, "reject", [first, second])
        entries = LogEntry.objects.filter(object_id__in=[str(first.pk), str(second.pk)])
        assert sorted(entries.values_list("object_id", "user__username", "change_message")) == [
            (str(first.pk), "editor-on-duty", "Rejected."),
            (str(second.pk), "editor-on-duty", "Rejected."),
        ]
        history = client.get(reverse("admin:comments_comment_history", args=[first.pk]))
        assert "Rejected." in history.content.decode()

    def test_pending_comments_come_first(self, client, editor, make_comment):
        make_comment(body="Approved earlier")
        make_comment(body="Waiting for review", status="pending")
        client.force_login(editor)
        page = client.get(QUEUE).content.decode()
        assert page.index("Waiting for review") < page.index("Approved earlier")

    def test_index_shows_how_many_wait(self, client, editor, make_comment):
        for _ in range(3):
            make_comment(status="pending")
        client.force_login(editor)
        assert (
            "3 comments waiting for review" in client.get(reverse("admin:index")).content.decode()
        )

    @pytest.mark.parametrize(
        "query",
        [
            "status__exact=pending",
            "reported=yes",
            "reported=no",
            "created_at__year=2026",
            "q=spam",
        ],
    )
    def test_filters_and_search_answer(self, client, editor, make_comment, query):
        make_comment(report_count=2)
        client.force_login(editor)
        assert client.get(f"{QUEUE}?{query}").status_code == 200

    def test_search_finds_by_text_author_and_email(self, client, editor, make_comment):
        make_comment(body="Nothing to see", author_name="Zed", email="zed@example.com")
        make_comment(body="Other", author_name="Amy")
        client.force_login(editor)
        for term in ("Nothing to see", "Zed", "zed@example.com"):
            page = client.get(QUEUE, {"q": term}).content.decode()
            assert "Nothing to see" in page and "Other" not in page

    def test_reported_filter(self, client, editor, make_comment):
        make_comment(body="Flagged by readers", report_count=2)
        make_comment(body="Quiet one")
        client.force_login(editor)
        page = client.get(QUEUE, {"reported": "yes"}).content.decode()
        assert "Flagged by readers" in page and "Quiet one" not in page


class TestBulkActions:
    @pytest.mark.parametrize(
        ("action", "status"),
        [("approve", "approved"), ("reject", "rejected"), ("mark_spam", "spam")],
    )
    def test_decisions_are_kept_with_who_and_when(
        self, client, editor, make_comment, action, status
    ):
        comments = [make_comment(status="pending") for _ in range(2)]
        client.force_login(editor)
        act(client, action, comments)
        for comment in comments:
            comment.refresh_from_db()
            assert comment.status == status
            assert comment.moderated_by == editor and comment.moderated_at is not None

    def test_approved_comment_appears_on_the_page(self, client, editor, make_comment):
        comment = make_comment(status="pending", body="Now visible")
        client.force_login(editor)
        act(client, "approve", [comment])
        client.logout()
        assert "Now visible" in client.get(comment.article.get_absolute_url()).content.decode()

    def test_delete_removes_them(self, client, editor, make_comment):
        comment = make_comment()
        client.force_login(editor)
        client.post(
            QUEUE, {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"}
        )
        assert not Comment.objects.exists()

    def test_editing_the_status_by_hand_is_recorded(self, client, editor, make_comment):
        comment = make_comment(status="pending")
        client.force_login(editor)
        client.post(
            reverse("admin:comments_comment_change", args=[comment.pk]), {"status": "approved"}
        )
        comment.refresh_from_db()
        assert comment.status == "approved" and comment.moderated_by == editor

    def test_readers_cannot_moderate(self, client, make_user, make_comment):
        comment = make_comment(status="pending")
        client.force_login(make_user())
        response = act(client, "approve", [comment])
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        comment.refresh_from_db()
        assert comment.status == "pending"

    def test_staff_without_the_permission_get_no_actions(self, client, make_user, make_comment):
        from django.contrib.auth.models import Permission

        staff = make_user(is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="view_comment"))
        make_comment(status="pending")
        client.force_login(staff)
        page = client.get(QUEUE).content.decode()
        assert "Approve selected comments" not in page
        assert "waiting for review" not in client.get(reverse("admin:index")).content.decode()


class TestApprovingClearsReports:
    @pytest.fixture
    def hidden_by_reports(self, make_comment, discussion_settings):
        """A comment two readers on two networks reported, hidden for review."""
        discussion_settings(report_threshold=2)
        comment = make_comment(body="Contested but fair")
        for n in (1, 2):
            assert moderation.record_report(comment, f"reader-{n}", f"network-{n}")
        comment.refresh_from_db()
        assert comment.status == "pending"
        return comment

    def assert_cleared_and_visible(self, client, comment):
        comment.refresh_from_db()
        assert (comment.status, comment.report_count) == ("approved", 0)
        assert not CommentReport.objects.filter(comment=comment, cleared_at__isnull=True).exists()
        client.logout()
        page = client.get(comment.article.get_absolute_url()).content.decode()
        assert "Contested but fair" in page

    def test_the_approve_action_clears_its_reports(self, client, editor, hidden_by_reports):
        client.force_login(editor)
        act(client, "approve", [hidden_by_reports])
        self.assert_cleared_and_visible(client, hidden_by_reports)

    def test_approving_in_the_form_clears_its_reports(self, client, editor, hidden_by_reports):
        client.force_login(editor)
        client.post(
            reverse("admin:comments_comment_change", args=[hidden_by_reports.pk]),
            {"status": "approved"},
        )
        self.assert_cleared_and_visible(client, hidden_by_reports)

    def test_approving_from_the_pending_filter_clears_its_reports(
        self, client, editor, hidden_by_reports
    ):
        client.force_login(editor)
        # "Select all" across the filtered queue: what a browser sends.
        client.post(
            f"{QUEUE}?status__exact=pending",
            {
                "action": "approve",
                "select_across": "1",
                "index": "0",
                "_selected_action": [hidden_by_reports.pk],
            },
        )
        self.assert_cleared_and_visible(client, hidden_by_reports)

    def test_only_new_reports_from_other_readers_hide_it_again(
        self, client, editor, hidden_by_reports
    ):
        comment = hidden_by_reports
        client.force_login(editor)
        act(client, "approve", [comment])
        for n in (1, 2):  # the same readers, or their networks under another browser
            assert not moderation.record_report(comment, f"reader-{n}", f"network-{n}")
            assert not moderation.record_report(comment, f"other-browser-{n}", f"network-{n}")
        comment.refresh_from_db()
        assert (comment.status, comment.report_count) == ("approved", 0)
        assert moderation.record_report(comment, "reader-3", "network-3")
        comment.refresh_from_db()
        assert (comment.status, comment.report_count) == ("approved", 1)
        assert moderation.record_report(comment, "reader-4", "network-4")
        comment.refresh_from_db()
        assert comment.status == "pending"

    def test_rejecting_keeps_the_reports(self, client, editor, hidden_by_reports):
        client.force_login(editor)
        act(client, "reject", [hidden_by_reports])
        hidden_by_reports.refresh_from_db()
        assert (hidden_by_reports.status, hidden_by_reports.report_count) == ("rejected", 2)
        assert CommentReport.objects.filter(cleared_at__isnull=True).count() == 2


SETTINGS_PAGE = reverse("admin:comments_discussionsettings_change", args=[1])


def settings_form(**overrides):
    data = {
        "moderation_mode": "post",
        "close_after_days": "0",
        "links_allowed": "2",
        "blocked_terms": "viagra\ncasino bonus",
        "report_threshold": "3",
        "comments_per_reader": "5",
        "comments_per_address": "20",
        "rate_window_minutes": "10",
        "min_seconds_to_post": "3",
        "notification_batch_minutes": "5",
    }
    data.update(overrides)
    return data


class TestDiscussionSettings:
    def test_the_admin_index_links_to_one_page_of_settings(self, client, editor):
        client.force_login(editor)
        index = client.get(reverse("admin:index")).content.decode()
        assert "Discussion settings" in index
        listing = client.get(reverse("admin:comments_discussionsettings_changelist"))
        assert listing.status_code == 302 and listing["Location"] == SETTINGS_PAGE
        page = client.get(SETTINGS_PAGE).content.decode()
        for label in (
            "Moderation mode",
            "Close threads after (days)",
            "Links allowed",
            "Blocked terms",
            "Reports that hide a comment",
            "Comments per reader",
            "Comments per network address",
            "Rate window (minutes)",
            "Minimum seconds to post",
            "Email authors about comments",
            "Gather notifications for (minutes)",
        ):
            assert label in page
        assert "Add discussion settings" not in page and ">Delete<" not in page

    def test_there_is_nothing_to_add_or_delete(self, client, editor):
        client.force_login(editor)
        assert client.get(reverse("admin:comments_discussionsettings_add")).status_code == 403
        delete = reverse("admin:comments_discussionsettings_delete", args=[1])
        assert client.post(delete, {"post": "yes"}).status_code == 403

    def test_an_editor_saves_them_and_they_apply_at_once(
        self, client, editor, make_article, django_capture_on_commit_callbacks
    ):
        article = make_article(published_at=days_ago(10))
        assert (
            "Comments on this article are closed."
            not in client.get(article.get_absolute_url()).content.decode()
        )
        client.force_login(editor)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(SETTINGS_PAGE, settings_form(close_after_days="7"))
        assert response.status_code == 302
        assert DiscussionSettings.objects.get().close_after_days == 7
        client.logout()
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Comments on this article are closed." in page

    def test_terms_are_trimmed_and_empty_lines_dropped(self, client, editor):
        client.force_login(editor)
        client.post(
            SETTINGS_PAGE,
            settings_form(blocked_terms="  casino   bonus \r\n\r\n   \r\nViagra\r\nviagra\r\n"),
        )
        saved = DiscussionSettings.objects.get()
        assert saved.blocked_terms == "casino bonus\nViagra"
        assert moderation.policy().blocked_term_list == ("casino bonus", "Viagra")

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("rate_window_minutes", "0", "The window must be at least one minute."),
            ("report_threshold", "0", "At least one report must be needed to hide a comment."),
            ("comments_per_reader", "0", "Allow each reader at least one comment per window."),
            ("comments_per_address", "3", "Allow an address at least as many comments as one"),
            ("close_after_days", "-1", "Ensure this value is greater than or equal to 0."),
            ("links_allowed", "many", "Enter a whole number."),
            ("min_seconds_to_post", "601", "At most 600 seconds (ten minutes)."),
            ("notification_batch_minutes", "1441", "At most 1440 minutes (a day)."),
            ("moderation_mode", "sometimes", "Select a valid choice."),
        ],
    )
    def test_a_bad_value_is_a_form_error_and_changes_nothing(
        self, client, editor, field, value, message
    ):
        client.force_login(editor)
        response = client.post(SETTINGS_PAGE, settings_form(**{field: value}))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not DiscussionSettings.objects.exists()

    def test_changes_are_recorded_in_the_history(self, client, editor):
        from django.contrib.admin.models import LogEntry

        client.force_login(editor)
        client.post(SETTINGS_PAGE, settings_form(links_allowed="0", moderation_mode="pre"))
        entry = LogEntry.objects.get()
        assert entry.user == editor and entry.is_change()
        assert "Links allowed" in entry.get_change_message()
        assert "Moderation mode" in entry.get_change_message()
        history = client.get(reverse("admin:comments_discussionsettings_history", args=[1]))
        assert "editor-on-duty" in history.content.decode()

    def test_staff_without_the_permission_cannot_see_them(self, client, make_user):
        client.force_login(make_user(is_staff=True))
        assert client.get(SETTINGS_PAGE).status_code == 403
        assert (
            client.get(reverse("admin:comments_discussionsettings_changelist")).status_code == 403
        )
