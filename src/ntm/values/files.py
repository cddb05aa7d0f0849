"""Evidence files: what a file is, read from its bytes (the browser's content type and the
file's name are never trusted), and the limits an upload must keep."""

from __future__ import annotations

import io
import zipfile

from django.conf import settings

TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "jpeg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
}
_OOXML_MAIN = {
    "xlsx": ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
    "docx": ("word/document.xml", b"wordprocessingml.document.main+xml"),
}


def sniff(data: bytes) -> str | None:
    """The file's type from its bytes (pdf, jpeg, png, xlsx, docx), or None. Office files are
    zip packages: the main part and its declared content type must both be there, so a
    macro-enabled workbook (another content type) is not an xlsx."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                types = z.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
        for kind, (part, content_type) in _OOXML_MAIN.items():
            if part in names and content_type in types:
                return kind
    return None


def allowed_types() -> tuple[str, ...]:
    return tuple(getattr(settings, "NTM_EVIDENCE_TYPES", tuple(TYPES)))


def max_evidence_bytes() -> int:
    return int(getattr(settings, "NTM_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
