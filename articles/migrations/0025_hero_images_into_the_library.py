"""Every article's hero image becomes a row of the image library, with its
alt text, caption, credit, focal point and the copies already made: the files
stay where they are."""

from django.db import migrations


def heroes_into_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("articles", "Image")
    for article in Article.objects.exclude(hero_image="").exclude(hero_image__isnull=True):
        image = Image.objects.create(
            file=article.hero_image.name,
            alt_text=article.hero_alt.strip() or article.headline,
            caption=article.hero_caption,
            credit=article.hero_credit,
            focus_x=article.hero_focus_x,
            focus_y=article.hero_focus_y,
            width=article.hero_width,
            height=article.hero_height,
            renditions=article.hero_renditions,
            crops=article.hero_crops,
            uploaded_by_id=article.author_id,
        )
        Article.objects.filter(pk=article.pk).update(hero=image)


def library_into_heroes(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(hero=None).select_related("hero"):
        image = article.hero
        Article.objects.filter(pk=article.pk).update(
            hero_image=image.file.name,
            hero_alt=image.alt_text,
            hero_caption=image.caption,
            hero_credit=image.credit,
            hero_focus_x=image.focus_x,
            hero_focus_y=image.focus_y,
            hero_width=image.width,
            hero_height=image.height,
            hero_renditions=image.renditions,
            hero_crops=image.crops,
            hero=None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0024_image_library"),
    ]

    operations = [migrations.RunPython(heroes_into_library, library_into_heroes)]
