"""Draw the site's brand images into static/images, in the site's design:

- publisher-logo.png (512x512): the publisher's logo in structured data;
- feed-image.png (144x144): the RSS channel image and the Atom icon;
- feed-logo.png (288x144): the Atom logo (twice as wide as tall);
- social-card.png (1200x630): the social image of pages that are not articles.

Run again after changing SITE_NAME or the drawing in articles/social_cards.py:
    .venv/bin/python scripts/brand_images.py
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from articles import social_cards

    images = ROOT / "static" / "images"
    drawn = {
        "publisher-logo.png": social_cards.draw_logo(512),
        "feed-image.png": social_cards.draw_logo(144),
        "feed-logo.png": social_cards.draw_logo(288, 144),
        "social-card.png": social_cards.draw_card("News, reported and sourced."),
    }
    for name, content in drawn.items():
        (images / name).write_bytes(content)
        print(f"static/images/{name}: {len(content)} bytes")


if __name__ == "__main__":
    main()
