"""Hero images: checks on upload and the resized renditions for ``srcset``."""

from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, features

RENDITION_WIDTHS = (480, 800, 1200, 1600)

# What a hero image may be, told by its content (never by its name): formats every
# browser shows, that Pillow reads without an outside program.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", *(("AVIF",) if features.check("avif") else ()))


def validate_upload_size(file):
    limit = settings.NEWSROOM_MAX_UPLOAD_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            f"This file is {file.size / 1024 / 1024:.1f} MB; images can be up to "
            f"{settings.NEWSROOM_MAX_UPLOAD_MB} MB."
        )


def validate_image_content(file):
    """Refuse anything whose content is not a JPEG, PNG, WebP (or AVIF) image Pillow
    can read whole, whatever its name says. Runs before anything is stored."""
    names = ", ".join(IMAGE_FORMATS[:-1]) + " or " + IMAGE_FORMATS[-1]
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file, formats=IMAGE_FORMATS) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds for many kinds of bad input
        raise ValidationError(
            f"This file is not a {names} image. Export the picture in one of those "
            f"formats and upload it again.",
            code="image_format",
        ) from None
    finally:
        file.seek(position)


def make_renditions(field_file):
    """Write WebP copies of the image at the standard widths it can fill.

    Returns ``[{"width": w, "height": h, "name": storage name}, ...]``, narrowest
    first. The original is always the widest candidate, so nothing is upscaled.
    """
    field_file.open("rb")
    try:
        with Image.open(field_file) as original:
            image = ImageOps.exif_transpose(original)
            image.load()
    finally:
        field_file.close()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    stem = PurePosixPath(field_file.name)
    renditions = []
    for width in RENDITION_WIDTHS:
        if width >= image.width:
            break
        height = round(image.height * width / image.width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        resized.save(buffer, "WEBP", quality=82, method=4)
        name = str(stem.parent / "renditions" / f"{stem.stem}-{width}.webp")
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(buffer.getvalue()))
        renditions.append({"width": width, "height": height, "name": saved})
    return renditions


def delete_renditions(renditions):
    for rendition in renditions or []:
        default_storage.delete(rendition["name"])
