"""Evidence files: what a file is, read from its bytes (the browser's content type and the
file's name are never trusted), the name it is shown and downloaded under, and the limits an
upload must keep."""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import get_language

from ntm.vn.numbers import format_number

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.core.files.uploadedfile import UploadedFile
    from django.db.models import Model
    from django.db.models.fields.files import FieldFile

TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "jpeg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
}
# Name endings a download may keep for each type; any other gets the type's own added.
_SUFFIXES = {
    "pdf": {".pdf"},
    "jpeg": {".jpg", ".jpeg", ".jpe", ".jfif"},
    "png": {".png"},
    "xlsx": {".xlsx"},
    "docx": {".docx"},
}
# The main part of each office type and the content type its Override must give it.
_OOXML_MAIN = {
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
}
_OFFICE_DOCUMENT_RELS = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
}
# Content types of code a package can carry: VBA projects and their data, Excel 4 macro
# sheets, ActiveX controls, Word key bindings to macros, every *.macroEnabled.* main part.
_ACTIVE_CONTENT_TYPES = ("macro", "vba", "activex", "keymapcustomizations")
# Excel's and Word's saved printer setup is the one binary part an ordinary file has; any
# other .bin part (vbaProject.bin, activeX1.bin, oleObject1.bin) may be code.
_PRINTER_SETTINGS = re.compile(r"(xl|word)/printersettings/printersettings\d+\.bin")
_PRINTER_SETTINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.printersettings",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.printersettings",
)
_MAX_XML_PART = 1024 * 1024  # [Content_Types].xml and _rels/.rels are a few KB

# Tags that make a browser render bytes as a page (HTML or SVG with script). A file that holds
# one is refused, whatever its head says: such polyglots become pages wherever a browser, a
# mail client or another system sniffs them. The tag must end (space, "/" or ">"), so that
# compressed image data rarely matches by chance.
_HTML_TAG = re.compile(
    rb"<(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta)[\s/>]", re.IGNORECASE
)
_HEAD_BYTES = 4096  # what browsers sniff (the standard reads 1445 bytes)
_SCANNED_WHOLE = {"pdf", "png", "jpeg"}  # PDF and image readers skip bytes they do not know

# Characters a name must not carry: controls, bidirectional and other format characters
# (U+202E makes "anh‮gnp.exe" read as "anhexe.png"), separators of lines and paragraphs,
# private-use and unassigned code points.
_REMOVED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_MAX_NAME = 255  # Evidence.original_name
_DEFAULT_STEM = "tep"


class Refused(ValueError):
    """A file not taken, why in Vietnamese (`vi`, also str()) and English (`en`): each reads
    after the file's name ("Tệp “x” rỗng.", "File “x” is empty.")."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(vi)
        self.vi, self.en = vi, en

    def about(self, name: str, language: str | None = "vi") -> str:
        """The whole message on file `name` in `language` (a Django language code)."""
        if (language or "").lower().startswith("en"):
            return f"File “{name}” {self.en}"
        return f"Tệp “{name}” {self.vi}"


def too_large(size: int, limit: int) -> Refused:
    return Refused(
        f"nặng {size_over_limit(size, limit)}.", f"is {size_over_limit(size, limit, 'en')}."
    )


def empty() -> Refused:
    return Refused("rỗng.", "is empty.")


def _not_accepted() -> Refused:
    names = ", ".join(k.upper() for k in allowed_types())
    return Refused(
        f"không phải loại được nhận ({names}), xét theo nội dung tệp.",
        f"is not of a type accepted ({names}), judging by its content.",
    )


def _active_content(what: str) -> Refused:
    return Refused(
        f"có macro, điều khiển ActiveX hoặc đối tượng nhúng ({what}): không được nhận; hãy lưu "
        "lại thành tệp không có macro.",
        f"holds macros, ActiveX controls or embedded objects ({what}): not accepted; save it "
        "again without them.",
    )


def _read_xml(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> ElementTree.Element:
    with z.open(info) as f:
        data = f.read(_MAX_XML_PART + 1)
    # A DOCTYPE has no place in these parts; refusing it keeps entity expansion out.
    if len(data) > _MAX_XML_PART or b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise _not_accepted()
    return ElementTree.fromstring(data)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _part(name: str) -> str:
    """A part name as compared: no leading slash, lower case (OPC names ignore case)."""
    return posixpath.normpath("/" + name.strip()).lstrip("/").lower()


def _office_kind(z: zipfile.ZipFile) -> str:
    infos = {_part(i.filename): i for i in z.infolist() if not i.is_dir()}
    if "[content_types].xml" not in infos:
        raise _not_accepted()
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for element in _read_xml(z, infos["[content_types].xml"]):
        content_type = element.get("ContentType", "").strip().lower()
        if _local(element.tag) == "Default":
            defaults[element.get("Extension", "").strip().lower()] = content_type
        elif _local(element.tag) == "Override":
            overrides[_part(element.get("PartName", ""))] = content_type
    for content_type in (*defaults.values(), *overrides.values()):
        if any(word in content_type for word in _ACTIVE_CONTENT_TYPES):
            raise _active_content(content_type)
    for name in infos:
        if "/activex/" in f"/{name}" or "vbaproject" in name or "/macrosheets/" in f"/{name}":
            raise _active_content(PurePosixPath(name).name)
        if name.endswith(".bin"):
            declared = overrides.get(name, defaults.get("bin", ""))
            if not (_PRINTER_SETTINGS.fullmatch(name) and declared in _PRINTER_SETTINGS_TYPE):
                raise _active_content(PurePosixPath(name).name)
    # The package relationship names the main part; a decoy workbook.xml beside another main
    # part (a binary or macro workbook) does not make the file an xlsx.
    main = None
    if "_rels/.rels" in infos:
        for rel in _read_xml(z, infos["_rels/.rels"]):
            if rel.get("Type", "").strip() in _OFFICE_DOCUMENT_RELS:
                main = _part(rel.get("Target", ""))
    for kind, (part, content_type) in _OOXML_MAIN.items():
        if part in infos and overrides.get(part) == content_type and main in {None, part}:
            return kind
    raise _not_accepted()


def _head_kind(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def identify(data: bytes) -> str:
    """The file's type from its bytes (pdf, jpeg, png, xlsx, docx), or Refused with the reason.

    Office files are zip packages: the main part must be there, declared with its own type by
    an Override for that exact part (and named by the package relationship when there is one),
    and no part may be code (macros, ActiveX, embedded OLE objects). A file with an HTML or SVG
    tag in its first 4 KB, or anywhere in a PDF, PNG or JPEG, is refused: a browser would show
    it as a page."""
    kind = _head_kind(data)
    if kind is None:
        raise _not_accepted()
    found = _HTML_TAG.search(data if kind in _SCANNED_WHOLE else data[:_HEAD_BYTES])
    if found:
        tag = found.group()[:-1].decode("ascii").lower()
        raise Refused(
            f"có mã trang web ({tag}…) lẫn trong tệp: trình duyệt có thể mở nó như một trang "
            "web, nên không được nhận.",
            f"holds web page code ({tag}…) that a browser could open as a page, so it is not "
            "accepted.",
        )
    if kind == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                kind = _office_kind(z)
        except Refused:
            raise
        # A broken archive or XML part, an encrypted entry, an unknown compression method.
        except (
            zipfile.BadZipFile,
            zlib.error,
            ElementTree.ParseError,
            EOFError,
            NotImplementedError,
            RuntimeError,
            OSError,
            ValueError,
        ) as e:
            raise _not_accepted() from e
    if kind not in allowed_types():
        raise _not_accepted()
    return kind


def sniff(data: bytes) -> str | None:
    """The file's type (as `identify`), or None when it is refused."""
    try:
        return identify(data)
    except Refused:
        return None


def clean_name(name: str) -> str:
    """The name a person reads: no folders, no control or bidirectional characters, Vietnamese
    letters kept (composed), spaces collapsed, at most 255 characters with its suffix."""
    # NFKC: Vietnamese letters composed; fullwidth "／" and "＼" become separators and go.
    name = unicodedata.normalize("NFKC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if unicodedata.category(c) == "Zs" else c
        for c in name
        if unicodedata.category(c) not in _REMOVED_CATEGORIES
    )
    name = " ".join(name.split()).strip(" .")  # no hidden ".name", no Windows trailing dots
    path = PurePosixPath(name or _DEFAULT_STEM)
    suffix = path.suffix[:20]
    stem = path.name[: len(path.name) - len(path.suffix)] or _DEFAULT_STEM
    return stem[: _MAX_NAME - len(suffix)] + suffix


def download_name(name: str, content_type: str) -> str:
    """`clean_name`, ending as the type read from the bytes does: "bao-cao.exe" holding a PDF
    is "bao-cao.exe.pdf", so no program opens it as something else."""
    kind = next((k for k, (ct, _) in TYPES.items() if ct == content_type), None)
    cleaned = clean_name(name)
    if kind is None or PurePosixPath(cleaned).suffix.lower() in _SUFFIXES[kind]:
        return cleaned
    suffix = TYPES[kind][1]
    return clean_name(cleaned[: _MAX_NAME - len(suffix)] + suffix)


_UNITS = (("MB", 1024 * 1024), ("KB", 1024))


# format_number writes Vietnamese marks: 10.485.761 and 10,5 read 10,485,761 and 10.5 in English.
_EN_MARKS = str.maketrans(".,", ",.")


def size_over_limit(size: int, limit: int, language: str = "vi") -> str:
    """Size and limit in the limit's unit, "10,5 MB, quá giới hạn 10,0 MB" (English: "10.5 MB,
    over the limit of 10.0 MB"), with as many decimals as it takes for the size to read
    larger than the limit (bytes when 3 do not)."""
    shown, unit = _size_and_limit(size, limit)
    if language.lower().startswith("en"):
        size_en, limit_en = (n.translate(_EN_MARKS) for n in shown)
        unit_en = "bytes" if unit == "byte" else unit
        return f"{size_en} {unit_en}, over the limit of {limit_en} {unit_en}"
    return f"{shown[0]} {unit}, quá giới hạn {shown[1]} {unit}"


def _size_and_limit(size: int, limit: int) -> tuple[tuple[str, str], str]:
    unit, per = next(((u, n) for u, n in _UNITS if limit >= n), ("byte", 1))
    if per > 1:
        for decimals in (1, 2, 3):
            shown = (
                format_number(Fraction(size, per), decimals),
                format_number(Fraction(limit, per), decimals),
            )
            if shown[0] != shown[1]:
                return shown, unit
    return (format_number(size), format_number(limit)), "byte"


def allowed_types() -> tuple[str, ...]:
    return tuple(getattr(settings, "NTM_EVIDENCE_TYPES", tuple(TYPES)))


def max_evidence_bytes() -> int:
    return int(getattr(settings, "NTM_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


class NotTaken(ValueError):
    """An upload refused by `checked`: str() is the whole message in the active language."""


@dataclass(frozen=True)
class Checked:
    """An upload's bytes once its size and type are checked, with the name it is shown and
    downloaded under and the type and suffix read from its bytes."""

    name: str
    data: bytes
    content_type: str
    suffix: str
    sha256: str

    def facts(self) -> dict[str, Any]:
        """What a stored file's row and its audit row say of it."""
        return {
            "original_name": self.name,
            "content_type": self.content_type,
            "size": len(self.data),
            "sha256": self.sha256,
        }


def save_with_file(
    row: Model,
    file: FieldFile,
    checked: Checked,
    stem: str,
    then: Callable[[], object] | None = None,
) -> None:
    """Write the checked bytes into the row's `file` (named by the server: `stem` and the
    suffix read from the bytes), then the row, then `then` (its audit row); if any of them
    fails, the file is removed again. Call it inside the service's transaction."""
    file.save(f"{stem}{checked.suffix}", ContentFile(checked.data), save=False)
    try:
        row.save()
        if then is not None:
            then()
    except Exception:
        file.delete(save=False)
        raise


def checked(upload: UploadedFile[bytes]) -> Checked:
    """The upload, within the size limit and of an allowed type read from its bytes (the
    browser's content type and the file's name are never trusted); `NotTaken` otherwise."""
    name = clean_name(upload.name or "")
    limit = max_evidence_bytes()
    size = upload.size or 0
    if size > limit:
        raise NotTaken(too_large(size, limit).about(name, get_language()))
    if size == 0:
        raise NotTaken(empty().about(name, get_language()))
    data = b"".join(upload.chunks())
    try:
        kind = identify(data)
    except Refused as refused:
        raise NotTaken(refused.about(name, get_language())) from refused
    content_type, suffix = TYPES[kind]
    return Checked(
        download_name(name, content_type),
        data,
        content_type,
        suffix,
        hashlib.sha256(data).hexdigest(),
    )
