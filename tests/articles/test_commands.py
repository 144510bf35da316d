"""The set-up commands that `make run` calls."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.management.commands import ensure_editor
from articles.models import (
    Article,
    ArticleNote,
    Banner,
    Category,
    Contributor,
    Image,
    Pin,
    ViewTally,
)

pytestmark = pytest.mark.django_db

REFERENCE_SLUG = "atalanta-complete-stunning-ucl-comeback-beating-dortmund-4-1"


class TestSeedDemo:
    @pytest.fixture(autouse=True)
    def _media_root(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path

    def test_the_match_report_has_a_credited_photo_a_gallery_and_the_goal_video(self, client):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())  # and only once
        article = Article.objects.get(slug=REFERENCE_SLUG)
        assert Image.objects.count() == 4 and article.hero is not None
        page = client.get(article.get_absolute_url()).content.decode()
        assert page.count('<figure class="body-image body-image--inline">') == 1
        assert "Photo: Newsroom Photo Desk" in page
        assert page.count('<figure class="gallery">') == 1 and "3 of 3" in page
        assert page.count("Load content from YouTube") == 1
        assert "Highlights: Atalanta 4-1 Dortmund" in page

    def test_creates_the_reference_article_with_its_facts(self, client):
        call_command("seed_demo", stdout=io.StringIO())
        article = Article.objects.get(slug=REFERENCE_SLUG)
        assert article.headline.startswith("Atalanta Complete Stunning UCL Comeback")
        assert article.category.name == "Sports"
        assert article.published_at.date() == date(2026, 2, 25)
        assert article.view_count == 788
        assert [s.name for s in article.sources.all()] == ["ESPN", "UEFA.com", "VAVEL"]
        page = client.get(article.get_absolute_url()).content.decode()  # a bot-like client
        assert "788 views" in page and "Published on" in page and "February 25, 2026" in page

    def test_running_twice_duplicates_nothing_and_keeps_counts(self):
        call_command("seed_demo", stdout=io.StringIO())
        Article.objects.filter(slug=REFERENCE_SLUG).update(view_count=800)
        counts = (Category.objects.count(), Article.objects.count())
        call_command("seed_demo", stdout=io.StringIO())
        assert (Category.objects.count(), Article.objects.count()) == counts
        article = Article.objects.get(slug=REFERENCE_SLUG)
        assert article.view_count == 800
        assert article.sources.count() == 3

    def test_the_reference_story_has_a_short_thread_once(self):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())
        article = Article.objects.get(slug=REFERENCE_SLUG)
        assert article.comments.count() == 4
        assert article.comments.filter(depth=2).exists()

    def test_every_story_has_its_first_revision_and_the_corrected_one_a_second(self):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())
        actions = {
            article.slug: list(
                article.revisions.order_by("number").values_list("action", flat=True)
            )
            for article in Article.objects.all()
        }
        corrected = [slug for slug, done in actions.items() if done == ["created", "corrected"]]
        assert len(corrected) == 1
        assert all(done == ["created"] for slug, done in actions.items() if slug not in corrected)

    def test_includes_drafts_and_scheduled_articles_across_dates(self):
        call_command("seed_demo", stdout=io.StringIO())
        assert Article.objects.published().count() >= 5
        assert Article.objects.scheduled().exists()
        assert Article.objects.filter(status="draft").exists()
        assert Article.objects.published().dates("published_at", "day").count() >= 5

    def test_one_story_waits_for_review_on_the_editors_dashboard(self, client, editor):
        call_command("seed_demo", stdout=io.StringIO())
        waiting = Article.objects.get(workflow_state="in_review")
        assert waiting.desk_state_words() == "In review" and not waiting.is_published()
        assert set(Article.objects.published().values_list("workflow_state", flat=True)) == {
            "published"
        }
        client.force_login(editor)
        page = client.get("/admin/").content.decode()
        assert "Awaiting your review" in page and waiting.headline in page


class TestSeedDemoNewsroomShape:
    def test_the_reference_story_is_by_two_contributors_with_a_topic(self, client):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())
        article = Article.objects.get(slug=REFERENCE_SLUG)
        assert article.byline_name == "Marco Bellini and Giulia Conti"
        assert [t.name for t in article.topics.all()] == ["Champions League"]
        page = client.get("/authors/marco-bellini/").content.decode()
        assert "Football correspondent" in page and "Atalanta Complete Stunning" in page
        assert (
            "Atalanta Complete Stunning" in client.get("/topics/champions-league/").content.decode()
        )

    def test_the_match_s_live_coverage_is_by_two_contributors_with_its_key_events_ended(
        self, client
    ):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())  # and only once
        live = Article.objects.get(slug="atalanta-v-dortmund-live")
        assert live.byline_name == "Giulia Conti and Marco Bellini"
        assert live.live_status == Article.LiveStatus.ENDED
        assert live.live_entries.count() == 12
        assert Pin.objects.filter(article=live, category=None).exists()
        page = client.get(live.get_absolute_url()).content.decode()
        events = page.split('id="live-key-events"', 1)[1].split("</nav>", 1)[0]
        assert [label for label in ("Goal", "Red card", "Penalty") if label in events] == [
            "Goal",
            "Red card",
            "Penalty",
        ]
        assert events.count("Goal") == 4
        assert "Live coverage has ended" in page and "LiveBlogPosting" in page

    def test_has_several_contributors_and_an_opinion_piece(self, client):
        call_command("seed_demo", stdout=io.StringIO())
        assert Contributor.objects.count() >= 5
        opinion = Article.objects.published().get(kind=Article.Kind.OPINION)
        assert 'kind-label--opinion">Opinion' in client.get("/").content.decode()
        assert opinion.byline_name == "Ruth Achebe"


class TestSeedDemoCorrection:
    def test_one_story_carries_a_correction_once(self, client):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())
        (note,) = ArticleNote.objects.all()
        assert note.kind == "correction" and note.article.is_published()
        assert "340" in note.text and "riverside" in note.article.slug  # the housing story's
        assert note.text in client.get(note.article.get_absolute_url()).content.decode()
        assert note.text in client.get("/corrections/").content.decode()


class TestSeedDemoRecentReads:
    def test_most_read_shows_on_a_fresh_install_with_both_lists(self, client):
        call_command("seed_demo", stdout=io.StringIO())
        page = client.get("/").content.decode()
        assert "Most read" in page
        assert "Last 24 hours" in page and "Last 7 days" in page

    def test_running_twice_adds_no_reads(self):
        call_command("seed_demo", stdout=io.StringIO())
        tallies = ViewTally.objects.count()
        call_command("seed_demo", stdout=io.StringIO())
        assert ViewTally.objects.count() == tallies > 0


class TestSeedDemoFrontPage:
    def test_the_reference_story_leads_pinned_under_a_breaking_news_banner(self, client):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())
        # The match day: the report leads, its live coverage is pinned under it.
        pins = Pin.objects.order_by("slot")
        assert [(p.article.slug, p.slot, p.category) for p in pins] == [
            (REFERENCE_SLUG, 1, None),
            ("atalanta-v-dortmund-live", 2, None),
        ]
        assert Banner.objects.live().count() == 1
        page = client.get("/").content.decode()
        lead = page[page.index('aria-label="Lead story"') :]
        assert "Atalanta Complete Stunning UCL Comeback" in lead[: lead.index("</section>")]
        assert 'aria-label="Breaking news"' in page and "quarter-finals" in page


class TestEnsureEditor:
    @pytest.fixture(autouse=True)
    def credentials_file(self, tmp_path, monkeypatch):
        path = tmp_path / "credentials"
        monkeypatch.setattr(ensure_editor, "CREDENTIALS_FILE", path)
        return path

    def run(self, capsys):
        call_command("ensure_editor")
        return capsys.readouterr().out

    def test_creates_an_editor_with_a_generated_password(self, capsys, credentials_file):
        output = self.run(capsys)
        user = get_user_model().objects.get(username="editor")
        password = output.split("editor / ")[1].strip()
        assert user.is_staff and not user.is_superuser
        assert user.groups.filter(name="Editors").exists()
        assert user.check_password(password) and len(password) >= 16
        assert oct(credentials_file.stat().st_mode)[-3:] == "600"

    def test_second_run_prints_the_same_login_and_creates_nothing(self, capsys):
        first = self.run(capsys)
        second = self.run(capsys)
        assert first == second
        assert get_user_model().objects.count() == 1

    def test_password_differs_between_installs(self, capsys, credentials_file):
        first = self.run(capsys)
        get_user_model().objects.all().delete()
        credentials_file.unlink()
        assert self.run(capsys) != first
