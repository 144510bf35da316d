"""The moderation queue in the admin, as an editor clears it."""

import pytest
from django.urls import reverse

from comments.models import Comment

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")


def act(client, action, comments):
    return client.post(QUEUE, {"action": action, "_selected_action": [c.pk for c in comments]})


class TestQueue:
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
