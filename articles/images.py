"""Hero images: checks on upload, the resized renditions for ``srcset``, and the
crops in the shapes search engines and social networks show (16:9, 4:3, 1:1)."""

from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, features

RENDITION_WIDTHS = (480, 800, 1200, 1600)

# The shapes Google's Article guidance asks for, widest first: the first is the
# one social cards show. Each crop is CROP_WIDTH wide when the original allows.
CROP_RATIOS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}
CROP_WIDTH = 1200

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
    can read whole, whatever its name says. Runs before anything is stored.

    An image already stored was checked when it was uploaded: editing the
    article again leaves it as it is."""
    if getattr(file, "_committed", False):
        return
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


def _load(field_file):
    """The stored image upright (EXIF orientation applied), in RGB or RGBA."""
    field_file.open("rb")
    try:
        with Image.open(field_file) as original:
            image = ImageOps.exif_transpose(original)
            image.load()
    finally:
        field_file.close()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def _store(name, content):
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def make_renditions(field_file):
    """Write WebP copies of the image at the standard widths it can fill.

    Returns ``[{"width": w, "height": h, "name": storage name}, ...]``, narrowest
    first. The original is always the widest candidate, so nothing is upscaled.
    """
    image = _load(field_file)
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
        renditions.append(
            {"width": width, "height": height, "name": _store(name, buffer.getvalue())}
        )
    return renditions


def crop_box(width, height, ratio, focus):
    """The largest box of ``ratio`` (w, h) inside a ``width`` x ``height`` image,
    centred on ``focus`` (x, y in percent of the image) as nearly as the edges
    allow: ``(left, top, right, bottom)``."""
    ratio_w, ratio_h = ratio
    box_w = min(width, height * ratio_w // ratio_h)
    box_h = min(height, round(box_w * ratio_h / ratio_w))
    focus_x, focus_y = (min(max(value, 0), 100) for value in focus)
    left = min(max(round(width * focus_x / 100 - box_w / 2), 0), width - box_w)
    top = min(max(round(height * focus_y / 100 - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def make_crops(field_file, focus):
    """Write JPEG crops of the image in each of ``CROP_RATIOS``, centred on the
    focal point, ``CROP_WIDTH`` wide where the original allows (never upscaled).

    JPEG because every crawler and social network reads it. Returns
    ``{"focus": [x, y], "16x9": {"name", "width", "height", "bytes"}, ...}``:
    the size in bytes is what a feed's enclosure has to state.
    """
    image = _load(field_file)
    if image.mode == "RGBA":  # JPEG has no transparency: flatten onto white
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    stem = PurePosixPath(field_file.name)
    crops = {"focus": list(focus)}
    for label, ratio in CROP_RATIOS.items():
        box = crop_box(image.width, image.height, ratio, focus)
        box_w = box[2] - box[0]
        width = min(CROP_WIDTH, box_w)
        height = round(width * ratio[1] / ratio[0]) if width < box_w else box[3] - box[1]
        cropped = image.resize((width, height), Image.Resampling.LANCZOS, box=box)
        buffer = BytesIO()
        cropped.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        name = str(stem.parent / "renditions" / f"{stem.stem}-{label}.jpg")
        crops[label] = {
            "name": _store(name, buffer.getvalue()),
            "width": width,
            "height": height,
            "bytes": buffer.tell(),
        }
    return crops


def delete_renditions(renditions):
    for rendition in renditions or []:
        default_storage.delete(rendition["name"])


def delete_crops(crops):
    delete_renditions(crop for label, crop in (crops or {}).items() if label in CROP_RATIOS)
