"""Small, real files of every kind the evidence app accepts, and of kinds it refuses."""

from __future__ import annotations

import io
import struct
import wave
import zipfile

from PIL import Image


def jpeg(size=(640, 480), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


def mp4() -> bytes:
    box = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 512) + b"isomiso2"
    return box + b"\x00\x00\x00\x08free" + b"\x00" * 64


def mov() -> bytes:
    return struct.pack(">I", 20) + b"ftypqt  " + struct.pack(">I", 0) + b"qt  " + b"\x00" * 64


def m4a() -> bytes:
    return struct.pack(">I", 24) + b"ftypM4A " + struct.pack(">I", 0) + b"M4A isom" + b"\x00" * 64


def webm() -> bytes:
    return b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"webm" + b"\x00" * 64


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", "<script>alert(1)</script>")
    return out.getvalue()


def mp3() -> bytes:
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 32


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def amr() -> bytes:
    return b"#!AMR\n" + b"\x3c" * 64


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script></svg>"
)
# A JPEG's first bytes followed by a page: a polyglot that is no image.
FAKE_JPEG = b"\xff\xd8\xff\xe0" + HTML

ACCEPTED = {
    # name: (bytes, kind, content type)
    "photo.jpg": (jpeg, "photo", "image/jpeg"),
    "screen.png": (png, "photo", "image/png"),
    "walkaround.mp4": (mp4, "video", "video/mp4"),
    "clip.mov": (mov, "video", "video/quicktime"),
    "noise.webm": (webm, "video", "video/webm"),
    "invoice.pdf": (pdf, "document", "application/pdf"),
    "agreement.docx": (
        docx,
        "document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "costs.xlsx": (
        xlsx,
        "document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "call.mp3": (mp3, "audio", "audio/mpeg"),
    "call.m4a": (m4a, "audio", "audio/mp4"),
    "call.wav": (wav, "audio", "audio/wav"),
    "call.amr": (amr, "audio", "audio/amr"),
}

REFUSED = {
    "renamed-page.jpg": HTML,
    "page.html": HTML,
    "drawing.svg": SVG,
    "drawing.png": SVG,
    "polyglot.jpg": FAKE_JPEG,
    "archive.docx": plain_zip(),
    "notes.txt": b"just some text",
    "program.pdf": b"MZ\x90\x00\x03" + b"\x00" * 64,
}
