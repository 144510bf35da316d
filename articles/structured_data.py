"""schema.org NewsArticle for an article page (JSON-LD), built as plain data."""

from django.conf import settings
from django.templatetags.static import static

from .site_url import absolute as site_absolute


def absolute(request, url):
    """``url`` at the site's address; the request is not asked for its host."""
    return site_absolute(url)


def publisher_logo_url(request):
    logo = settings.NEWSROOM_PUBLISHER_LOGO
    return absolute(
        request, logo if logo.startswith(("http://", "https://", "/")) else static(logo)
    )


def news_article(request, article, image_url=None, view_count=None, comment_count=None):
    url = absolute(request, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline[:110],
        "description": article.standfirst,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.category.name,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "publisher": {
            "@type": "Organization",
            "name": settings.NEWSROOM_PUBLISHER_NAME,
            "logo": {"@type": "ImageObject", "url": publisher_logo_url(request)},
        },
        "interactionStatistic": [
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/ReadAction",
                "userInteractionCount": (article.view_count if view_count is None else view_count),
            },
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/CommentAction",
                "userInteractionCount": (
                    article.comment_count if comment_count is None else comment_count
                ),
            },
        ],
    }
    if article.byline_name:
        data["author"] = [{"@type": "Person", "name": article.byline_name}]
    if image_url:
        data["image"] = [absolute(request, image_url)]
    citations = [
        {
            "@type": "CreativeWork",
            "name": source.name,
            **({"url": source.url} if source.url else {}),
        }
        for source in article.sources.all()
    ]
    if citations:
        data["citation"] = citations
    return {key: value for key, value in data.items() if value not in (None, "")}
