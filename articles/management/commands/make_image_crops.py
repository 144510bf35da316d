"""Make the 16:9, 4:3 and square crops of hero images that have none, or whose
crops were made for another focal point: for images uploaded before crops
existed. Saving an article in the admin does the same for that article."""

from django.core.management.base import BaseCommand

from articles.images import delete_crops, make_crops
from articles.models import Article


class Command(BaseCommand):
    help = "Make the missing 16:9, 4:3 and square crops of hero images."

    def handle(self, *args, **options):
        made = failed = 0
        for article in Article.objects.exclude(hero_image="").only(
            "hero_image", "hero_focus_x", "hero_focus_y", "hero_crops"
        ):
            focus = [article.hero_focus_x, article.hero_focus_y]
            if article.hero_crops.get("focus") == focus:
                continue
            try:
                crops = make_crops(article.hero_image, focus)
            except OSError as error:  # a missing or unreadable file: say so, go on
                failed += 1
                self.stderr.write(f"article {article.pk}: {error}")
                continue
            delete_crops(article.hero_crops)
            Article.objects.filter(pk=article.pk).update(hero_crops=crops)
            made += 1
        self.stdout.write(f"Made crops for {made} hero image(s); {failed} could not be read.")
