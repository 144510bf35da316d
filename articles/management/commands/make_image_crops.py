"""Make the 16:9, 4:3 and square crops of library images that have none, or
whose crops were made for another focal point: for images uploaded before crops
existed. Saving an image in the admin does the same for that image."""

from django.core.management.base import BaseCommand

from articles.images import delete_crops, make_crops
from articles.models import Image


class Command(BaseCommand):
    help = "Make the missing 16:9, 4:3 and square crops of library images."

    def handle(self, *args, **options):
        made = failed = 0
        for image in Image.objects.only("file", "focus_x", "focus_y", "crops"):
            focus = [image.focus_x, image.focus_y]
            if image.crops.get("focus") == focus:
                continue
            try:
                crops = make_crops(image.file, focus)
            except OSError as error:  # a missing or unreadable file: say so, go on
                failed += 1
                self.stderr.write(f"image {image.pk}: {error}")
                continue
            delete_crops(image.crops)
            Image.objects.filter(pk=image.pk).update(crops=crops)
            made += 1
        self.stdout.write(f"Made crops for {made} image(s); {failed} could not be read.")
