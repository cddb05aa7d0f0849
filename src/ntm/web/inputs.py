"""What the province pages share in reading a form or an upload and answering with a file:
the reader's language, a typed day, an uploaded file imported, an .xlsx download, a stored
evidence file served back."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ntm.exchange.sheets import Say
from ntm.exchange.workbook import InputError
from ntm.values import files
from ntm.vn.dates import parse_date

T = TypeVar("T")

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


class Refused(Exception):
    """An upload that was not imported, with the problems to list on the page."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = problems


def imported(request: HttpRequest, stem: str, run: Callable[[Path, str | None], T]) -> T:
    """What `run` makes of the uploaded `file` (saved on disk as `stem` with the upload's own
    suffix, which tells the readers .xlsx from .csv, and removed afterwards) and its name;
    `Refused` when no file came or `run` refused it (`InputError`)."""
    upload = request.FILES.get("file")
    if upload is None:
        raise Refused([_("Choose a file to import.")])
    suffix = Path(upload.name or "").suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{stem}{suffix}"
        with path.open("wb") as f:
            for chunk in upload.chunks():
                f.write(chunk)
        try:
            return run(path, upload.name)
        except InputError as exc:
            raise Refused(exc.message(language()).splitlines()) from None


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook to download."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stored_file_response(file: FieldFile, name: str, content_type: str) -> FileResponse:
    """A stored evidence file, always a download, never a page: names stored before they were
    cleaned are cleaned here, the browser may not guess another type, and the file may run
    nothing if opened inline."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=files.download_name(name, content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
