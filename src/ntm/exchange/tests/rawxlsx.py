"""Hand-written .xlsx files, byte by byte: what Excel, LibreOffice or a hostile user may send,
including what no library writes (a false dimension, a formula without its result, NaN)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

_OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "/xl/workbook.xml": "sheet.main",
    "/xl/worksheets/sheet1.xml": "worksheet",
    "/xl/sharedStrings.xml": "sharedStrings",
}
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + "".join(
        f'<Override PartName="{part}" ContentType="{_OOXML}.{kind}+xml"/>'
        for part, kind in _PARTS.items()
    )
    + "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
BOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def book(sheet_name: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def cell(ref: str, value: Any) -> str:
    """One <c>: str as an inline string, bool, int/float as a number, a raw "<...>" as is."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return f'<c r="{ref}"{value.attrs}>{value.xml}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


class Raw:
    """A cell written exactly: attributes of <c> and its inner XML."""

    def __init__(self, xml: str, attrs: str = "") -> None:
        self.xml, self.attrs = xml, attrs


def row_xml(number: int, values: Sequence[Any]) -> str:
    cells = "".join(cell(f"{get_column_letter(c)}{number}", v) for c, v in enumerate(values, 1))
    return f'<row r="{number}">{cells}</row>'


def write(
    path: Path,
    rows: Iterable[str] | Iterable[Sequence[Any]],
    *,
    dimension: str | None = None,
    sheet_name: str = "Nhập liệu",
    shared: Sequence[str] = (),
) -> Path:
    """An .xlsx whose first sheet holds `rows` (row XML strings, or value lists from row 1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", book(sheet_name))
        z.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        strings = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
        z.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(shared)}" '
            f'uniqueCount="{len(shared)}">{strings}</sst>',
        )
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            dim = f'<dimension ref="{dimension}"/>' if dimension else ""
            f.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" '
                f'xmlns:r="{REL}">{dim}<sheetData>'.encode()
            )
            buffer: list[str] = []
            for i, row in enumerate(rows, start=1):
                buffer.append(row if isinstance(row, str) else row_xml(i, row))
                if len(buffer) >= 5000:
                    f.write("".join(buffer).encode())
                    buffer.clear()
            f.write(("".join(buffer) + "</sheetData></worksheet>").encode())
    return path
