"""What an uploaded file is, decided by its content (magic bytes), never by its name.

Only the kinds of evidence a complaint needs are accepted: photos, short videos, documents
(PDF, Word, Excel) and audio (a recorded call). Everything else is refused, HTML and SVG
above all: a file a browser could run as a page must never be stored as evidence.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core.exceptions import ValidationFailed

from .choices import AttachmentKind

# Bytes read to recognise a file.
HEAD_BYTES = 64


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str
    extension: str


def _ftyp(head: bytes) -> Sniffed | None:
    # ISO base media (MP4, MOV, M4A): "ftyp" at offset 4, then the major brand.
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in (b"M4A ", b"M4B "):
        return Sniffed(AttachmentKind.AUDIO, "audio/mp4", "m4a")
    if brand == b"qt  ":
        return Sniffed(AttachmentKind.VIDEO, "video/quicktime", "mov")
    if brand[:3] in (b"iso", b"mp4", b"avc", b"MSN", b"3gp", b"dash") or brand == b"M4V ":
        return Sniffed(AttachmentKind.VIDEO, "video/mp4", "mp4")
    return None


def _office(file: IO[bytes]) -> Sniffed | None:
    # A Word or Excel document is a zip with its content types and its main part; any other
    # zip (an archive of anything) is refused.
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return Sniffed(
            AttachmentKind.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        )
    if "xl/workbook.xml" in names:
        return Sniffed(
            AttachmentKind.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    return None


IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}


def _image(file: IO[bytes]) -> Sniffed | None:
    """A raster image Pillow can read completely; its format, not its name, decides."""
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None
    finally:
        file.seek(0)
    if image_format not in IMAGE_FORMATS:
        return None
    content_type, extension = IMAGE_FORMATS[image_format]
    return Sniffed(AttachmentKind.PHOTO, content_type, extension)


def sniff(file: IO[bytes]) -> Sniffed | None:
    """The kind of evidence the file is, from its first bytes (and for images and Office
    documents, from reading it through); None when it is none of the accepted kinds."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return _image(file)
    if head.startswith(b"%PDF-"):
        return Sniffed(AttachmentKind.DOCUMENT, "application/pdf", "pdf")
    if head.startswith(b"PK\x03\x04"):
        return _office(file)
    if (found := _ftyp(head)) is not None:
        return found
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed(AttachmentKind.VIDEO, "video/webm", "webm")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed(AttachmentKind.AUDIO, "audio/wav", "wav")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return Sniffed(AttachmentKind.AUDIO, "audio/mpeg", "mp3")
    if head.startswith(b"OggS"):
        return Sniffed(AttachmentKind.AUDIO, "audio/ogg", "ogg")
    if head.startswith(b"#!AMR"):
        # What many phones record calls in.
        return Sniffed(AttachmentKind.AUDIO, "audio/amr", "amr")
    return None


def max_bytes(kind: str) -> int:
    limits: dict[str, int] = settings.EVIDENCE_MAX_BYTES
    return limits[kind]


def check_upload(file: IO[bytes], size: int) -> Sniffed:
    """The file's kind, or ValidationFailed saying why it is refused."""
    if size <= 0:
        raise ValidationFailed({"file": [_("The file is empty.")]}, code="file_empty")
    sniffed = sniff(file)
    if sniffed is None:
        raise ValidationFailed(
            {
                "file": [
                    _(
                        "This kind of file is not accepted. Attach photos (JPEG, PNG, GIF, WebP), "
                        "videos (MP4, MOV, WebM), documents (PDF, Word, Excel) or audio (MP3, "
                        "M4A, WAV, OGG, AMR)."
                    )
                ]
            },
            code="file_type_refused",
        )
    limit = max_bytes(sniffed.kind)
    if size > limit:
        raise ValidationFailed(
            {
                "file": [
                    _("The file is too large: at most %(limit)s MB for this kind of file.")
                    % {"limit": limit // (1024 * 1024)}
                ]
            },
            code="file_too_large",
        )
    return sniffed
