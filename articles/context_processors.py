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

    return {"nav_categories": nav_categories, "site_name": _site_name()}


def _site_name():
    from django.conf import settings

    return settings.SITE_NAME
