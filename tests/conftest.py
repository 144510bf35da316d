"""Makers and clock helpers shared by every test.

Makers fill in sensible defaults and unique slugs; a test names only what its
rule is about: ``make_article(status="draft")``.
"""

import itertools
import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from articles import counting
from articles.bylines import split_names
from articles.models import (
    Article,
    ArticleContributor,
    Category,
    Contributor,
    Image,
    Pin,
    Source,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop

_sequence = itertools.count(1)

READER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def now():
    return timezone.now()


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def days_ahead(days):
    return timezone.now() + timedelta(days=days)


@pytest.fixture(autouse=True)
def _count_views_in_the_database(settings):
    """Tests use the database for view counting unless they ask for Redis."""
    settings.NEWSROOM_VIEW_COUNTING = "database"


@pytest.fixture(autouse=True)
def _site_url_is_the_test_clients(settings):
    """Absolute URLs come from NEWSROOM_SITE_URL; in tests it is the address the
    test client uses, unless a test says otherwise."""
    settings.NEWSROOM_SITE_URL = "http://testserver"


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """Every test user has a password, and the production hasher is slow on
    purpose (about a second a user on these machines); tests check who may do
    what, not the hash's strength."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Tests never share a file cache with a development server."""
    from django.conf import settings
    from django.test.utils import override_settings

    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        location = str(tmp_path_factory.mktemp("cache"))
        with override_settings(
            CACHES={"default": {**settings.CACHES["default"], "LOCATION": location}}
        ):
            yield
    else:
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached, as after a deploy."""
    from django.core.cache import cache

    from articles.caching import local_entries
    from articles.counting import redis_store

    cache.clear()
    local_entries.clear()
    redis_store.stored_counts.clear()


@pytest.fixture(autouse=True)
def _nothing_failed_yet():
    """Each test starts as a fresh process: no dependency marked down, no view lost."""
    from newsroom import degraded

    for dependency in (degraded.cache, degraded.redis_counting):
        dependency.reset()
    counting.lost_views.total = 0
    yield
    for dependency in (degraded.cache, degraded.redis_counting):
        dependency.reset()


@pytest.fixture(autouse=True)
def _fresh_reader_salt():
    """Each test starts with no remembered salt, as a new process would."""
    counting._salt_cache.clear()
    yield
    counting._salt_cache.clear()


@pytest.fixture
def make_category(db):
    def make(**overrides):
        n = next(_sequence)
        fields = {"name": f"Category {n}", "slug": f"category-{n}", "position": n}
        fields.update(overrides)
        return Category.objects.create(**fields)

    return make


def png_upload(width=2000, height=1000, name="photo.png", colour=(200, 30, 30)):
    """An uploaded PNG of one colour, as an editor's browser would send it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as Picture

    buffer = io.BytesIO()
    Picture.new("RGB", (width, height), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def make_image(db, settings, tmp_path):
    """A library image (a 2000x1000 PNG unless ``file`` says otherwise), stored
    under this test's own media root."""
    settings.MEDIA_ROOT = tmp_path

    def make(**overrides):
        n = next(_sequence)
        fields = {"alt_text": f"Photo number {n}", "credit": "Agency"}
        fields.update(overrides)
        if "file" not in fields:
            fields["file"] = png_upload()
        return Image.objects.create(**fields)

    return make


@pytest.fixture
def make_article(db, make_category):
    def make(sources=(), pinned=False, byline="Ada Reporter", **overrides):
        """``pinned=True`` pins the story to the home page's slot 1 (the lead);
        ``byline="A and B"`` credits those contributors as authors, in order."""
        n = next(_sequence)
        fields = {
            "headline": f"Headline number {n}",
            "slug": f"headline-number-{n}",
            "standfirst": f"The standfirst of article {n}.",
            "body": f"<p>Body of article {n}.</p>",
            "status": Article.Status.PUBLISHED,
            "published_at": days_ago(1),
        }
        fields.update(overrides)
        if "category" not in fields:
            fields["category"] = make_category()
        article = Article.objects.create(**fields)
        for position, source in enumerate(sources):
            name, url = source if isinstance(source, tuple) else (source, "")
            Source.objects.create(article=article, name=name, url=url, position=position)
        if pinned:
            Pin.objects.create(article=article, slot=1)
        for order, name in enumerate(split_names(byline)):
            contributor, _ = Contributor.objects.get_or_create(
                slug=slugify(name), defaults={"name": name}
            )
            ArticleContributor.objects.create(article=article, contributor=contributor, order=order)
        return article

    return make


@pytest.fixture
def hero_upload(settings, tmp_path):
    """A 1600x900 JPEG as an editor uploads it, stored under a throwaway MEDIA_ROOT."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (40, 90, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def make_comment(db, make_article):
    from comments.models import Comment

    def make(**overrides):
        n = next(_sequence)
        fields = {
            "author_name": f"Reader {n}",
            "body": f"Comment number {n}.",
            "status": Comment.Status.APPROVED,
            "reader": f"{n:064d}",
        }
        fields.update(overrides)
        if "article" not in fields:
            fields["article"] = fields["parent"].article if fields.get("parent") else make_article()
        parent = fields.get("parent")
        if parent is not None:
            fields.setdefault("root_id", parent.root_id or parent.pk)
            fields.setdefault("depth", parent.depth + 1)
        return Comment.objects.create(**fields)

    return make


@pytest.fixture
def discussion_settings(db, django_capture_on_commit_callbacks):
    """Set the site's Discussion settings as an editor saving them would:
    ``discussion_settings(report_threshold=1)``. The change applies at once."""
    from comments.models import DiscussionSettings

    def update(**values):
        rules = DiscussionSettings.load()
        for name, value in values.items():
            setattr(rules, name, value)
        with django_capture_on_commit_callbacks(execute=True):
            rules.save()
        return rules

    return update


@pytest.fixture
def make_user(db, django_user_model):
    def make(username=None, password="correct horse battery staple", **overrides):
        username = username or f"user{next(_sequence)}"
        user = django_user_model.objects.create_user(
            username=username, password=password, **overrides
        )
        user.raw_password = password
        return user

    return make


def _staff_maker(make_user, role):
    def make(**overrides):
        user = make_user(is_staff=True, **overrides)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def make_editor(make_user):
    return _staff_maker(make_user, "Editors")


@pytest.fixture
def make_reporter(make_user):
    return _staff_maker(make_user, "Reporters")


@pytest.fixture
def editor(make_editor):
    return make_editor(username="editor-on-duty")


@pytest.fixture
def reader_client(client):
    """An anonymous reader's browser: a real User-Agent, so visits count."""
    client.defaults["HTTP_USER_AGENT"] = READER_UA
    return client
