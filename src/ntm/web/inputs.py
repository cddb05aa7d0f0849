"""What the province pages share in reading a form or an upload and answering with a workbook:
the reader's language, a typed day, an uploaded file on disk, an .xlsx download."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.utils.translation import get_language

from ntm.exchange.sheets import Say
from ntm.vn.dates import parse_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def language() -> str:
    """The language the page is read in: "vi" or "en"."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def said(reason: Say) -> str:
    """A reader's reason in the page's language."""
    return reason.en if language() == "en" else reason.vi


def typed_day(text: str) -> dt.date | None:
    """A day typed dd/mm/yyyy; None when empty or not a day (the service says it is missing)."""
    try:
        return parse_date(text) if text.strip() else None
    except ValueError:
        return None


@contextmanager
def saved_upload(upload: UploadedFile[bytes], stem: str) -> Iterator[Path]:
    """The upload as a file on disk, named `stem` with the upload's own suffix (which tells the
    readers .xlsx from .csv), removed afterwards."""
    suffix = Path(upload.name or "").suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{stem}{suffix}"
        with path.open("wb") as f:
            for chunk in upload.chunks():
                f.write(chunk)
        yield path


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook to download."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
