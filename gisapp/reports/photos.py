"""Residents' photos: checked, re-encoded without metadata, stored under the upload folder.

Usage::

    cleaned = [clean_photo(f.read(), settings) for f in files]   # raises ValidationFailed
    stored = store_photo(cleaned[0], settings.upload_dir)          # -> StoredPhoto

Re-encoding from pixels is what strips EXIF (GPS position, camera, owner) and any payload hidden
after the image data; the orientation is applied first so the photo still looks right.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from gisapp.errors import ValidationFailed
from gisapp.settings import Settings

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
MAX_SIDE = 2560  # pixels: plenty for a street photo on any phone screen


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class StoredPhoto:
    filename: str
    path: Path


def clean_photo(raw: bytes, settings: Settings, field: str = "photos") -> CleanPhoto:
    """Validate one upload and return it re-encoded (JPEG or PNG) with no metadata."""
    if len(raw) > settings.photo_max_bytes:
        limit = settings.photo_max_bytes // (1024 * 1024)
        raise ValidationFailed(f"each photo must be at most {limit} MB", field=field)
    if not raw:
        raise ValidationFailed("a photo file is empty", field=field)
    try:
        with warnings.catch_warnings():
            # Pillow warns, then errors, on huge pixel counts: both mean "decompression bomb".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = settings.photo_max_pixels
            with Image.open(io.BytesIO(raw)) as probe:
                fmt = probe.format
                probe.verify()
            if fmt not in ACCEPTED_FORMATS:
                raise ValidationFailed("photos must be JPEG, PNG, WebP or GIF images", field=field)
            with Image.open(io.BytesIO(raw)) as img:
                img.load()
                image = ImageOps.exif_transpose(img) or img
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                has_alpha = image.mode in ("RGBA", "LA", "P") and fmt == "PNG"
                image = image.convert("RGBA" if has_alpha else "RGB")
                out = io.BytesIO()
                if has_alpha:
                    image.save(out, format="PNG", optimize=True)
                    content_type = "image/png"
                else:
                    image.save(out, format="JPEG", quality=85, optimize=True)
                    content_type = "image/jpeg"
                return CleanPhoto(out.getvalue(), content_type, image.width, image.height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(
            "a photo has too many pixels to be a real photo", field=field
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed("a file is not an image we can read", field=field) from None


def store_photo(photo: CleanPhoto, upload_dir: Path) -> StoredPhoto:
    folder = upload_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".png" if photo.content_type == "image/png" else ".jpg"
    filename = f"{uuid.uuid4().hex}{suffix}"
    path = folder / filename
    path.write_bytes(photo.data)
    return StoredPhoto(filename, path)


def photo_path(upload_dir: Path, filename: str) -> Path:
    return upload_dir / "reports" / filename
