"""Evidence files: macro workbooks, polyglots, misleading names, the size message, and how
downloads are served."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.fixtures import Settings as SettingsWrapper

from ntm.accounts.testing import Personas, make_personas
from ntm.values.files import (
    Refused,
    clean_name,
    download_name,
    identify,
    size_over_limit,
    sniff,
)
from ntm.values.models import Evidence
from ntm.values.services import InvalidEntry, add_evidence

YEAR = 2020
INCOME = "income_per_capita"
CT = "application/vnd.openxmlformats-officedocument"
XLSX_MAIN = f"{CT}.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
DOCX_MAIN = f"{CT}.wordprocessingml.document.main+xml"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
PNG = b"\x89PNG\r\n\x1a\n"
MiB = 1024 * 1024


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _package(
    parts: dict[str, bytes | str],
    overrides: dict[str, str],
    *,
    defaults: dict[str, str] | None = None,
    main: str | None = None,
    extra_types: str = "",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An OPC package: [Content_Types].xml with these Defaults and Overrides, the package
    relationship to `main` (none when None), and the parts."""
    all_defaults = {
        "rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xml": "application/xml",
        **(defaults or {}),
    }
    types = "".join(
        f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in all_defaults.items()
    )
    types += "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides.items())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            f'/package/2006/content-types">{types}{extra_types}</Types>',
        )
        if main is not None:
            z.writestr(
                "_rels/.rels",
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships"><Relationship Id="rId1" Type="{OFFICE_REL}" Target="{main}"/>'
                "</Relationships>",
            )
        for name, content in parts.items():
            z.writestr(name, content)
    return buf.getvalue()


def _xlsx(**parts: bytes | str) -> bytes:
    return _package(
        {"xl/workbook.xml": "<workbook/>", **parts},
        {"/xl/workbook.xml": XLSX_MAIN},
        main="xl/workbook.xml",
    )


# --------------------------------------------------------------------------- office packages


def test_real_workbooks_and_documents_are_taken() -> None:
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    assert sniff(buf.getvalue()) == "xlsx"
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    book.add_worksheet().write(0, 0, "Biên bản")
    book.close()
    assert sniff(buf.getvalue()) == "xlsx"
    assert sniff(_xlsx()) == "xlsx"
    docx = _package(
        {"word/document.xml": "<w:document><w:body/></w:document>"},
        {"/word/document.xml": DOCX_MAIN},
        main="/word/document.xml",
    )
    assert sniff(docx) == "docx"
    # Excel's saved printer setup is an ordinary binary part.
    printer = f"{CT}.spreadsheetml.printerSettings"
    with_printer = _package(
        {"xl/workbook.xml": "<workbook/>", "xl/printerSettings/printerSettings1.bin": b"\0\1"},
        {"/xl/workbook.xml": XLSX_MAIN},
        defaults={"bin": printer},
        main="xl/workbook.xml",
    )
    assert sniff(with_printer) == "xlsx"


def test_a_macro_workbook_naming_the_xlsx_type_elsewhere_is_refused() -> None:
    # The file: an .xlsm whose [Content_Types].xml carries the xlsx string, though not
    # for the workbook part.
    xlsm = _package(
        {"xl/workbook.xml": "<workbook/>", "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 VBA"},
        {"/xl/workbook.xml": XLSM_MAIN, "/xl/decoy.xml": XLSX_MAIN},
        defaults={"bin": "application/vnd.ms-office.vbaProject"},
        main="xl/workbook.xml",
    )
    assert sniff(xlsm) is None
    with pytest.raises(ValueError, match="macro"):
        identify(xlsm)


@pytest.mark.parametrize(
    "package",
    [
        # The main type only in a comment, the workbook declared as a macro workbook.
        _package(
            {"xl/workbook.xml": "<workbook/>"},
            {"/xl/workbook.xml": "application/xml"},
            extra_types=f"<!-- {XLSX_MAIN} -->",
            main="xl/workbook.xml",
        ),
        # The main type given to another part.
        _package(
            {"xl/workbook.xml": "<workbook/>", "xl/other.xml": "<x/>"},
            {"/xl/other.xml": XLSX_MAIN},
            main="xl/workbook.xml",
        ),
        # Declared, but the package's main part is another one (a decoy beside it).
        _package(
            {"xl/workbook.xml": "<workbook/>", "xl/real.xml": "<workbook/>"},
            {"/xl/workbook.xml": XLSX_MAIN, "/xl/real.xml": "application/xml"},
            main="xl/real.xml",
        ),
        # The right Override, but a DOCTYPE (entity expansion) in [Content_Types].xml.
        _package(
            {"xl/workbook.xml": "<workbook/>"},
            {"/xl/workbook.xml": XLSX_MAIN},
            extra_types="<!DOCTYPE Types [<!ENTITY a 'a'>]>",
            main="xl/workbook.xml",
        ),
    ],
    ids=["type-in-comment", "type-for-another-part", "decoy-main-part", "doctype"],
)
def test_the_main_type_must_be_declared_for_the_main_part(package: bytes) -> None:
    assert sniff(package) is None


@pytest.mark.parametrize(
    ("part", "content", "defaults"),
    [
        ("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0", {}),
        ("xl/activeX/activeX1.bin", b"\xd0\xcf\x11\xe0", {}),
        ("xl/activeX/activeX1.xml", "<ax:ocx/>", {}),
        ("xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0", {"bin": f"{CT}.oleObject"}),
        ("xl/macrosheets/sheet1.xml", "<xm:macrosheet/>", {}),
        ("xl/printerSettings/printerSettings1.bin", b"MZ", {"bin": "application/octet-stream"}),
        ("xl/extra.xml", "<x/>", {"xml": "application/vnd.ms-excel.intlmacrosheet+xml"}),
        ("word/vbaData.xml", "<wne:vbaSuppData/>", {"xml": "application/vnd.ms-word.vbaData+xml"}),
    ],
)
def test_code_in_an_office_file_is_refused(
    part: str, content: bytes | str, defaults: dict[str, str]
) -> None:
    package = _package(
        {"xl/workbook.xml": "<workbook/>", part: content},
        {"/xl/workbook.xml": XLSX_MAIN},
        defaults=defaults,
        main="xl/workbook.xml",
    )
    assert sniff(package) is None
    with pytest.raises(ValueError, match="macro"):
        identify(package)


def test_broken_or_foreign_packages_are_refused() -> None:
    assert sniff(b"PK\x03\x04broken") is None
    assert sniff(_package({"a.txt": "x"}, {}, main=None)) is None  # a plain zip
    no_types = io.BytesIO()
    with zipfile.ZipFile(no_types, "w") as z:
        z.writestr("xl/workbook.xml", f"<workbook>{XLSX_MAIN}</workbook>")
    assert sniff(no_types.getvalue()) is None


# --------------------------------------------------------------------------- polyglots


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n<html><body>x</body></html>",
        b"%PDF-1.7\n" + b"\0" * 100_000 + b"<ScRiPt>alert(1)</script>",
        PNG + b"<!DOCTYPE html><p>hi",
        PNG + b"IDAT" + b"\x01" * 50_000 + b"<svg onload=alert(1)>",
        b"\xff\xd8\xff\xe0" + b"\x02" * 30_000 + b"<IFRAME src=x>",
        b"\xff\xd8\xff\xe0<meta http-equiv=refresh content=0;url=x>",
        b"\xff\xd8\xff\xe0<object data=x/>",
    ],
)
def test_files_a_browser_would_render_as_html_are_refused(data: bytes) -> None:
    assert sniff(data) is None
    with pytest.raises(ValueError, match="mã trang web"):
        identify(data)


def test_an_office_file_with_html_at_its_head_is_refused() -> None:
    stored = _package(
        {"xl/workbook.xml": "<workbook/>", "a.htm": "<html><script>1</script></html>"},
        {"/xl/workbook.xml": XLSX_MAIN},
        main="xl/workbook.xml",
        compression=zipfile.ZIP_STORED,
    )
    assert sniff(stored) is None


def test_words_that_are_not_tags_are_kept() -> None:
    assert sniff(b"%PDF-1.4 <htmlx> html script <scripted <w:body>") == "pdf"


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("anh\u202egnp.exe", "anhgnp.exe"),
        ("bien-ban\u202eexe.pdf", "bien-banexe.pdf"),
        ("Biên bản nghiệm thu.pdf", "Biên bản nghiệm thu.pdf"),
        (unicodedata.normalize("NFD", "Đường giao thông xã.pdf"), "Đường giao thông xã.pdf"),
        ("C:\\Users\\canbo\\Tài liệu\\bao cao.docx", "bao cao.docx"),
        ("../../etc/passwd", "passwd"),
        ("a\uff0fb\uff3cc.pdf", "c.pdf"),  # fullwidth solidus and reverse solidus
        ("a\x00b\x1b[31mc\u200b\u2066d\u2069\ufeff.png", "ab[31mcd.png"),
        ("  hai \t  dòng\u2028.pdf ", "hai dòng.pdf"),
        (".htaccess", "htaccess"),
        ("", "tep"),
        ("\u202e", "tep"),
        (".pdf", "pdf"),
    ],
)
def test_clean_name(name: str, clean: str) -> None:
    assert clean_name(name) == clean


def test_long_names_keep_their_suffix() -> None:
    name = clean_name("á" * 400 + ".xlsx")
    assert len(name) == 255 and name.endswith(".xlsx")


def test_download_name_ends_as_the_content_is() -> None:
    assert download_name("anh\u202egnp.exe", "image/png") == "anhgnp.exe.png"
    assert download_name("bao-cao.exe", "application/pdf") == "bao-cao.exe.pdf"
    assert download_name("Ảnh.JPEG", "image/jpeg") == "Ảnh.JPEG"
    assert download_name("bien ban", "application/pdf") == "bien ban.pdf"
    assert download_name("", TYPES_XLSX) == "tep.xlsx"
    long = download_name("x" * 300 + ".exe", "application/pdf")
    assert len(long) <= 255 and long.endswith(".pdf")


TYPES_XLSX = f"{CT}.spreadsheetml.sheet"


@given(st.text())
def test_any_name_cleans_to_something_safe(name: str) -> None:
    cleaned = download_name(name, "application/pdf")
    assert cleaned.endswith(".pdf") and 0 < len(cleaned) <= 255
    assert not any(c in cleaned for c in "/\\")
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in cleaned)
    assert clean_name(cleaned) == cleaned


# --------------------------------------------------------------------------- size message


def _sizes(text: str) -> tuple[Decimal, Decimal, str]:
    m = re.fullmatch(r"([\d.,]+) (MB|KB|byte), quá giới hạn ([\d.,]+) (MB|KB|byte)", text)
    assert m is not None, text
    assert m.group(2) == m.group(4), text
    read = [Decimal(m.group(i).replace(".", "").replace(",", ".")) for i in (1, 3)]
    return read[0], read[1], m.group(2)


def test_size_message() -> None:
    assert size_over_limit(int(10.5 * MiB), 10 * MiB) == "10,5 MB, quá giới hạn 10,0 MB"
    # 10 MiB + 1 byte used to read "10,0 MB, quá giới hạn 10 MB".
    assert (
        size_over_limit(10 * MiB + 1, 10 * MiB) == "10.485.761 byte, quá giới hạn 10.485.760 byte"
    )
    assert size_over_limit(10 * MiB + 2000, 10 * MiB) == "10,002 MB, quá giới hạn 10,000 MB"
    assert size_over_limit(600 * 1024, 500 * 1024) == "600,0 KB, quá giới hạn 500,0 KB"
    assert size_over_limit(11, 10) == "11 byte, quá giới hạn 10 byte"


def test_size_message_in_english() -> None:
    assert size_over_limit(int(10.5 * MiB), 10 * MiB, "en") == "10.5 MB, over the limit of 10.0 MB"
    assert size_over_limit(10 * MiB + 1, 10 * MiB, "en-us") == (
        "10,485,761 bytes, over the limit of 10,485,760 bytes"
    )
    assert size_over_limit(600 * 1024, 500 * 1024, "en") == "600.0 KB, over the limit of 500.0 KB"


def test_a_refusal_in_both_languages() -> None:
    with pytest.raises(Refused) as refused:
        identify(b"MZ\x90\x00")
    names = "PDF, JPEG, PNG, XLSX, DOCX"
    vi = f"không phải loại được nhận ({names}), xét theo nội dung tệp."
    assert (str(refused.value), refused.value.vi) == (vi, vi)
    assert refused.value.en == f"is not of a type accepted ({names}), judging by its content."
    assert refused.value.about("a.exe") == f"Tệp “a.exe” {vi}"
    assert refused.value.about("a.exe", "en") == f"File “a.exe” {refused.value.en}"
    assert refused.value.about("a.exe", None) == f"Tệp “a.exe” {vi}"


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=1, max_value=10**9))
def test_the_size_always_reads_larger_than_the_limit(limit: int, over: int) -> None:
    size, shown_limit, _ = _sizes(size_over_limit(limit + over, limit))
    assert size > shown_limit


def test_the_service_says_size_and_limit(personas: Personas, settings: SettingsWrapper) -> None:
    settings.NTM_EVIDENCE_MAX_BYTES = MiB
    upload = SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * MiB)
    with pytest.raises(InvalidEntry) as refused:
        add_evidence(personas.commune_a, INCOME, YEAR, upload, acting_user=personas.officer_a)
    assert "1.048.581 byte, quá giới hạn 1.048.576 byte" in str(refused.value)
    assert not Evidence.objects.exists()


# --------------------------------------------------------------------------- the service, the view


@pytest.mark.parametrize(
    ("data", "vi", "en"),
    [
        (
            b"%PDF-1.4\n<script>alert(1)</script>",
            "có mã trang web (<script…)",
            "holds web page code (<script…)",
        ),
        (b"MZ\x90\x00", "không phải loại được nhận", "is not of a type accepted"),
        (b"", "rỗng.", "is empty."),
        (
            b"%PDF-" + b"x" * MiB,
            "nặng 1.048.581 byte, quá giới hạn 1.048.576 byte.",
            "is 1,048,581 bytes, over the limit of 1,048,576 bytes.",
        ),
    ],
)
def test_the_service_refuses_in_the_users_language(
    personas: Personas, media: Path, settings: SettingsWrapper, data: bytes, vi: str, en: str
) -> None:
    settings.NTM_EVIDENCE_MAX_BYTES = MiB
    for language, start, text in (("vi", "Tệp “bb.pdf” ", vi), ("en", "File “bb.pdf” ", en)):
        upload = SimpleUploadedFile("bb.pdf", data)
        with translation.override(language), pytest.raises(InvalidEntry) as refused:
            add_evidence(personas.commune_a, INCOME, YEAR, upload, acting_user=personas.officer_a)
        message = str(refused.value)
        assert message.startswith(start) and text in message, message
        assert "(File" not in message and "(The file" not in message  # one language only
    assert not Evidence.objects.exists()


def test_the_service_stores_a_safe_name(personas: Personas, media: Path) -> None:
    upload = SimpleUploadedFile("Ảnh hiện trường\u202egnp.exe", PNG + b"data")
    ev = add_evidence(personas.commune_a, INCOME, YEAR, upload, acting_user=personas.officer_a)
    assert ev.original_name == "Ảnh hiện trườnggnp.exe.png"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n<script>alert(1)</script>", "mã trang web"),
        (
            _package(
                {"xl/workbook.xml": "<workbook/>", "xl/vbaProject.bin": b"VBA"},
                {"/xl/workbook.xml": XLSX_MAIN},
                main="xl/workbook.xml",
            ),
            "macro",
        ),
        (b"MZ\x90\x00", "không phải loại được nhận"),
    ],
)
def test_the_service_says_why_a_file_is_refused(
    personas: Personas, media: Path, data: bytes, message: str
) -> None:
    upload = SimpleUploadedFile("bien-ban.xlsx", data)
    with pytest.raises(InvalidEntry, match=message) as refused:
        add_evidence(personas.commune_a, INCOME, YEAR, upload, acting_user=personas.officer_a)
    assert str(refused.value).startswith("Tệp “bien-ban.xlsx” ")
    assert not Evidence.objects.exists()


def test_download_is_an_attachment_with_a_safe_name(
    client: Client, personas: Personas, media: Path
) -> None:
    upload = SimpleUploadedFile("anh.png", PNG + b"123")
    ev = add_evidence(personas.commune_a, INCOME, YEAR, upload, acting_user=personas.officer_a)
    # A row stored before names were cleaned.
    Evidence.objects.filter(pk=ev.pk).update(original_name="Ảnh\u202egnp.exe")
    personas.login(client, "officer_a")
    response = client.get(reverse("values:evidence_file", args=[ev.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E1%BA%A2nhgnp.exe.png" in disposition
    assert "%E2%80%AE" not in disposition  # U+202E
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
