"""schema.org NewsArticle for an article page (JSON-LD), built as plain data,
as Google's Article guidance recommends it: the full headline, the author,
both dates, images in 16:9, 4:3 and 1:1, and the publisher with a square logo."""

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


def publisher_logo(request):
    width, height = settings.NEWSROOM_PUBLISHER_LOGO_SIZE
    return {
        "@type": "ImageObject",
        "url": publisher_logo_url(request),
        "width": width,
        "height": height,
    }


def image_objects(request, article):
    return [
        {
            "@type": "ImageObject",
            "url": absolute(request, image["url"]),
            "width": image["width"],
            "height": image["height"],
        }
        for image in article.share_images()
    ] + [
        {
            "@type": "ImageObject",
            "url": absolute(request, image.file.url),
            "width": image.width,
            "height": image.height,
        }
        for image in article.body_images_in_order()
    ]


# The schema.org type of each article type (all NewsArticle or its subtypes,
# but for the paid-for AdvertiserContentArticle).
SCHEMA_TYPES = {
    "news": "NewsArticle",
    "opinion": "OpinionNewsArticle",
    "analysis": "AnalysisNewsArticle",
    "review": "ReviewNewsArticle",
    "sponsored": "AdvertiserContentArticle",
}


def person(request, contributor):
    """A contributor as a schema.org Person: name, author page, other profiles."""
    data = {
        "@type": "Person",
        "name": contributor.name,
        "url": absolute(request, contributor.get_absolute_url()),
    }
    if contributor.job_title:
        data["jobTitle"] = contributor.job_title
    if links := contributor.links():
        data["sameAs"] = links
    return data


def profile_page(request, contributor):
    """An author page: a ProfilePage about the Person."""
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": absolute(request, contributor.get_absolute_url()),
        "mainEntity": {
            **person(request, contributor),
            **({"description": contributor.bio} if contributor.bio else {}),
        },
    }


def news_article(request, article, view_count=None, comment_count=None):
    url = absolute(request, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES[article.kind],
        "headline": article.headline,
        "description": article.standfirst,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.modified_at.isoformat() if article.modified_at else None,
        "articleSection": article.category.name,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "image": image_objects(request, article),
        "publisher": {
            "@type": "Organization",
            "name": settings.NEWSROOM_PUBLISHER_NAME,
            "url": absolute(request, "/"),
            "logo": publisher_logo(request),
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
    if article.bylined:
        data["author"] = [person(request, contributor) for contributor in article.bylined]
    elif article.byline_name:
        data["author"] = [{"@type": "Person", "name": article.byline_name}]
    if article.is_sponsored and article.sponsor_name:
        data["sponsor"] = {
            "@type": "Organization",
            "name": article.sponsor_name,
            **({"url": article.sponsor_url} if article.sponsor_url else {}),
        }
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
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": note.text,
            "datePublished": note.published_at.isoformat(),
        }
        for note in article.public_notes
        if note.kind == note.Kind.CORRECTION and not note.is_retracted
    ]
    if corrections:
        data["correction"] = corrections
    return {key: value for key, value in data.items() if value not in (None, "")}
