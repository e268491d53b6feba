"""Managed images: what an uploaded photo becomes before it is stored.

Staff upload photos of actions for newsletters. A phone photo carries where and when it was
taken (GPS in its EXIF), the camera and its owner, sometimes an XMP packet with more; people at a
street action have not all agreed to be located. So an upload is never stored as sent: it is

- sniffed by its bytes (the first bytes of JPEG, PNG or WebP; its name and the browser's
  content type are not believed), and refused otherwise;
- refused when larger than SHAHO_IMAGE_MAX_BYTES or, read from its header before any pixel is
  decoded, wider × taller than SHAHO_IMAGE_MAX_PIXELS (a decompression bomb is a few KB that
  decode to gigabytes);
- turned upright by its EXIF orientation, cut to its first frame, shrunk so its long side is at
  most SHAHO_IMAGE_PRINT_PX (enough for an A4 column at 300 dpi), and re-encoded from its pixels
  alone into a new image: JPEG, or PNG when it has transparency. Nothing of the original file's
  metadata (EXIF, GPS, XMP, comments, the camera's maker notes) survives, since only pixels are copied.

Every refusal is a ValidationError in Japanese that names the file.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

JPEG_QUALITY = 85

# name → (content type, the test on the first bytes)
_SIGNATURES = {
    "jpeg": lambda head: head[:3] == b"\xff\xd8\xff",
    "png": lambda head: head[:8] == b"\x89PNG\r\n\x1a\n",
    "webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


def max_bytes():
    return int(getattr(settings, "SHAHO_IMAGE_MAX_BYTES", 15 * 1024 * 1024))


def max_pixels():
    return int(getattr(settings, "SHAHO_IMAGE_MAX_PIXELS", 40_000_000))


def print_pixels():
    return int(getattr(settings, "SHAHO_IMAGE_PRINT_PX", 2000))


def sniff(data):
    """'jpeg', 'png' or 'webp' by the bytes of `data`, or None for anything else (whatever its name says)."""
    head = bytes(data[:16])
    return next((name for name, test in _SIGNATURES.items() if test(head)), None)


@dataclass(frozen=True)
class ManagedImage:
    """The re-encoded image: its bytes, their format and size in pixels."""

    content: bytes
    format: str  # 'jpeg' or 'png'
    width: int
    height: int

    @property
    def extension(self):
        return "jpg" if self.format == "jpeg" else "png"

    @property
    def content_type(self):
        return f"image/{self.format}"


def _refuse(name, reason):
    raise ValidationError(f"画像「{name}」は使えません: {reason}", code="image_refused")


def _open_checked(data, name):
    """The image opened lazily (header only) after the format and size checks."""
    from PIL import Image

    found = sniff(data)
    if found is None:
        _refuse(name, "JPEG・PNG・WebP の画像だけをアップロードできます（ファイルの中身で判定しています）。")
    limit = max_pixels()
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own MAX_IMAGE_PIXELS and raises past twice that: both are our refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[found]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(name, f"画素数が多すぎます（{limit:,}画素まで）。")
    except (OSError, SyntaxError, ValueError):
        _refuse(name, "画像として読めません（壊れているか、形式が違います）。")
    width, height = image.size
    if width * height > limit:
        _refuse(name, f"画素数が多すぎます（{width:,}×{height:,}。{limit:,}画素まで）。")
    if width < 1 or height < 1:
        _refuse(name, "画像の大きさが0です。")
    return image


def prepare(data, *, name="画像"):
    """The ManagedImage made from the uploaded bytes `data`, or ValidationError (Japanese, naming `name`)."""
    from PIL import Image, ImageOps

    data = bytes(data)
    limit = max_bytes()
    if len(data) > limit:
        _refuse(name, f"ファイルが大きすぎます（{len(data) / 1024 / 1024:.1f} MB。{limit // 1024 // 1024} MB まで）。")
    image = _open_checked(data, name)
    try:
        image.seek(0)  # an animated WebP or PNG keeps its first frame
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _refuse(name, "画像として読めません（壊れているか、途中で切れています）。")
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
    mode = "RGBA" if has_alpha else "RGB"
    converted = upright.convert(mode)
    converted.thumbnail((print_pixels(), print_pixels()), Image.Resampling.LANCZOS)
    # A new image holding the pixels only: no info, no EXIF, no XMP, no ICC profile, no comment.
    clean = Image.frombytes(mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=True)
        fmt = "png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        fmt = "jpeg"
    return ManagedImage(content=out.getvalue(), format=fmt, width=clean.width, height=clean.height)
