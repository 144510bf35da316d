"""The comment thread's rough edges, checked on the server's answers."""

import pytest
from django.urls import reverse

from articles.models import Article

pytestmark = pytest.mark.django_db


class TestDraftPreview:
    def test_a_draft_preview_offers_no_comment_form_that_would_answer_404(
        self, client, make_editor, make_article
    ):
        article = make_article(status=Article.Status.DRAFT)
        client.force_login(make_editor())
        page = client.get(article.get_absolute_url()).content.decode()

        form_url = reverse("comments:form", args=[article.slug])
        assert client.get(form_url).status_code == 404  # what the form would have asked
        assert form_url not in page
        assert 'id="comment-form"' not in page
        assert "Readers can comment once the article is published." in page
