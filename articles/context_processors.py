from .models import Category


def navigation(request):
    """The category navigation in the site header.

    Lazy: the query runs only when a template renders the navigation, and once
    per request however many times it does.
    """
    categories = None

    def nav_categories():
        nonlocal categories
        if categories is None:
            categories = list(Category.objects.only("name", "slug", "position"))
        return categories

    return {
        "nav_categories": nav_categories,
        "site_name": _site_name(),
        "corrections_policy_url": lambda: corrections_policy_url(request),
        "site_banner": lambda: site_banner(request),
    }


def site_banner(request):
    """The live breaking-news banner as every page shows it, or None: from the
    shared cache under the site version (a banner's save moves it on), kept
    no longer than until the next banner starts or ends (``caching.valid_until``),
    so a warm page costs no query and the banner comes and goes on time."""
    from . import caching
    from .models import Banner

    def live():
        banner = Banner.objects.live().first()
        if banner is None:
            return ()
        label = banner.get_level_display()
        return ({"text": banner.text, "link": banner.link, "level": banner.level, "label": label},)

    found = caching.cached(caching.fragment_key("banner", request=request), live, request)
    return found[0] if found else None


def corrections_policy_url(request):
    """The corrections policy's address, or "". Called only by a template that
    shows it (a page with a note, the corrections page): from the shared cache,
    under the site version."""
    from . import caching
    from .models import EditorialSettings

    return caching.cached(
        caching.fragment_key("corrections-policy", request=request),
        lambda: EditorialSettings.load().corrections_policy_url or _standing_policy_page(),
        request,
    )


def _standing_policy_page():
    """The site's own Corrections policy page (pages app), linked when the
    editorial settings name no other address."""
    from django.urls import reverse

    return reverse("page", kwargs={"slug": "corrections-policy"})


def _site_name():
    from django.conf import settings

    return settings.SITE_NAME
