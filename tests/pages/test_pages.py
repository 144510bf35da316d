"""The standing pages: About, Contact, Privacy, Corrections policy and
Comment guidelines, kept by editors in the admin."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from articles.models import EditorialSettings
from pages.models import STANDING_PAGES, Page

pytestmark = pytest.mark.django_db


class TestStandingPages:
    @pytest.mark.parametrize(
        "slug, title",
        [
            ("about", "About us"),
            ("contact", "Contact us"),
            ("privacy", "Privacy"),
            ("corrections-policy", "Corrections policy"),
            ("comment-guidelines", "Comment guidelines"),
        ],
    )
    def test_each_exists_from_the_start_with_starter_text(self, client, slug, title):
        response = client.get(f"/{slug}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert f'<h1 class="article__headline">{title}</h1>' in page
        assert "<p>" in page[page.index('class="article__body"') :]

    def test_every_page_links_them_from_the_footer(self, client, make_article):
        page = client.get(make_article().get_absolute_url()).content.decode()
        footer = page[page.index('<footer class="site-footer">') :]
        for slug in STANDING_PAGES:
            assert f'href="/{slug}/"' in footer

    def test_the_comment_form_links_the_guidelines(self, client, make_article):
        article = make_article()
        form = client.get(f"/articles/{article.slug}/comments/new/").content.decode()
        assert '<a href="/comment-guidelines/">comment guidelines</a>' in form

    @pytest.mark.parametrize("slug", ["search", "corrections", "health", "admin"])
    def test_a_slug_another_page_of_the_site_answers_is_refused(self, slug):
        with pytest.raises(ValidationError) as refused:
            Page(title="Taken", slug=slug).full_clean()
        assert "already another page of the site" in str(refused.value)

    def test_a_free_slug_is_accepted(self):
        Page(title="Jobs", slug="jobs").full_clean()

    def test_unknown_page_is_404(self, client):
        assert client.get("/no-such-page/").status_code == 404

    def test_an_edit_shows_at_once_and_scripts_are_removed(
        self, client, django_capture_on_commit_callbacks
    ):
        client.get("/about/")
        about = Page.objects.get(slug="about")
        about.body = "<p>New owners since March.</p><script>alert(1)</script>"
        with django_capture_on_commit_callbacks(execute=True):
            about.save()
        page = client.get("/about/").content.decode()
        assert "New owners since March." in page and "alert(1)" not in page

    def test_a_warm_page_costs_no_query(self, client, django_assert_num_queries):
        cache.clear()
        client.get("/privacy/")
        with django_assert_num_queries(0):
            assert client.get("/privacy/").status_code == 200

    def test_pages_are_in_the_sitemap(self, client):
        sitemap = client.get("/sitemap-pages.xml").content.decode()
        for slug in STANDING_PAGES:
            assert f"<loc>http://testserver/{slug}/</loc>" in sitemap


class TestCorrectionsPolicyLink:
    def test_links_the_sites_own_policy_page_by_default(self, client):
        page = client.get("/corrections/").content.decode()
        assert '<a href="/corrections-policy/">Our corrections policy</a>' in page

    def test_an_address_in_the_editorial_settings_wins(
        self, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            EditorialSettings(corrections_policy_url="https://example.org/policy").save()
        page = client.get("/corrections/").content.decode()
        assert '<a href="https://example.org/policy">Our corrections policy</a>' in page


class TestDesk:
    def test_editors_edit_a_standing_page_but_cannot_delete_it(self, client, make_editor):
        client.force_login(make_editor())
        about = Page.objects.get(slug="about")
        url = f"/admin/pages/page/{about.pk}/change/"
        assert client.get(url).status_code == 200
        response = client.post(url, {"title": "About", "summary": "", "body": "<p>Hello.</p>"})
        assert response.status_code == 302
        assert Page.objects.get(slug="about").body == "<p>Hello.</p>"
        assert (
            client.post(f"/admin/pages/page/{about.pk}/delete/", {"post": "yes"}).status_code == 403
        )
        assert Page.objects.filter(slug="about").exists()


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_its_standing_pages_back():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert sorted(Page.objects.values_list("slug", flat=True)) == sorted(STANDING_PAGES)
