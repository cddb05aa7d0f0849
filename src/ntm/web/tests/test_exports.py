"""Downloads of the signed-in pages: the CSV and Excel hold the rows the page shows, headers
in the interface's language, numbers as numbers, formula-looking text as text."""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.web.exports import Table, to_csv, to_xlsx
from ntm.web.tests.matrix import PROVINCE_READS
from ntm.web.tests.test_central import world
from ntm.web.tests.test_dashboards import html, text

__all__ = ["world"]  # fixture

TRICKY = Table(
    "=Bảng",
    ("Tên", "Số"),
    (("=SUM(A1:A9)", 3), ("+84 912", Fraction(271, 10)), ("-x", -2.5), ("@me", None)),
)


def test_csv_is_utf8_with_bom_and_formulas_are_text() -> None:
    body = to_csv([TRICKY])
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["Tên", "Số"],
        ["'=SUM(A1:A9)", "3"],
        ["'+84 912", "27.1"],
        ["'-x", "-2.5"],
        ["'@me", ""],
    ]


def test_xlsx_numbers_are_numbers_and_formulas_are_text() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx([TRICKY, TRICKY])))
    assert len(wb.sheetnames) == 2  # one sheet per table, names kept distinct
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["Tên", "Số"]
    assert [(c.value, c.data_type) for c in ws["A"][1:]] == [
        ("=SUM(A1:A9)", "s"),
        ("+84 912", "s"),
        ("-x", "s"),
        ("@me", "s"),
    ]
    assert [c.value for c in ws["B"][1:]] == [3, 27.1, -2.5, None]
    assert ws.freeze_panes == "A2"


def _csv(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _sections(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """A multi-table CSV: title -> its rows (header first)."""
    out: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for r in rows:
        if not r:
            continue
        if len(r) == 1:
            current = out.setdefault(r[0], [])
        else:
            current.append(r)
    return out


def _html_rows(page: str, caption: str) -> list[list[str]]:
    table = re.search(rf"<caption[^>]*>{re.escape(caption)}</caption>(.*?)</table>", page, re.S)
    assert table is not None, caption
    return [
        [text(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


@pytest.mark.django_db
def test_province_download_holds_the_page_tables(client: Client, world: Personas) -> None:
    world.login(client, "province_office")
    url = reverse("web:province", args=[world.province.pk]) + "?period=2021&approved_only=1"
    page = html(client, url)
    assert "format=csv" in page and "format=xlsx" in page
    sections = _sections(_csv(client, url + "&format=csv"))
    criteria = sections["Số xã đạt từng tiêu chí"]
    assert criteria[0] == ["Tiêu chí", "Tên", "Đạt", "Cơ bản đạt", "Chưa đạt", "Thiếu dữ liệu"]
    shown = _html_rows(page, "Số xã đạt từng tiêu chí")[1:]
    # The page: "2. Giao thông" | met | basically | not met | missing; the file the same counts.
    assert [[f"{r[0]}. {r[1]}", *r[2:]] for r in criteria[1:]] == [
        [s[0], s[1], s[2], s[3], s[4].split(" ")[0]] for s in shown
    ]
    bands = sections["Số xã theo số tiêu chí đạt"]
    assert bands[1:] == _html_rows(page, "Số xã theo số tiêu chí đạt")[1:]
    trend = sections["Xu hướng qua các năm"]
    assert [r[0] for r in trend[1:]] == [r[0] for r in _html_rows(page, "Xu hướng qua các năm")[1:]]
    # Excel: the same tables, one sheet each, numbers as numbers.
    wb = openpyxl.load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    ws = wb.worksheets[0]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [
        [int(r[0]), r[1], *map(int, r[2:])] for r in criteria[1:]
    ]


@pytest.mark.django_db
def test_map_download_lists_the_communes_of_the_map(client: Client, world: Personas) -> None:
    world.login(client, "appraiser")
    url = reverse("web:province_map", args=[world.province.pk]) + "?period=2021"
    shown = _html_rows(html(client, url), "Các xã và số tiêu chí đạt")
    rows = _csv(client, url + "&format=csv")
    assert rows[0][:3] == ["Xã", "Mã", "Số tiêu chí đạt"]
    # The page writes "19/19"; the file the two numbers.
    assert [[r[0], r[1], f"{r[2]}/{r[3]}"] for r in rows[1:]] == [s[:3] for s in shown[1:]]


@pytest.mark.django_db
def test_central_and_commune_downloads_follow_the_query(client: Client, world: Personas) -> None:
    world.login(client, "central_viewer")
    url = reverse("web:central") + "?period=2021&approved_only=1&sort=-name"
    rows = _csv(client, url + "&format=csv")
    assert rows[0][:4] == ["Mã", "Tỉnh", "Xã", "Đạt chuẩn"]
    # The page's order (sorted by name, descending) and approved-only counts.
    assert [r[1] for r in rows[1:]] == ["Tỉnh Thử Nghiệm", "Tỉnh Khác"]
    assert rows[1][2:5] == ["2", "1", "50"]
    world.login(client, "officer_a")
    url = reverse("web:commune", args=[world.commune_a.pk]) + "?period=2021"
    sections = _sections(_csv(client, url + "&format=csv"))
    explained = sections["Từng tiêu chí và lý do"]
    assert {r[0] for r in explained[1:]} == {str(n) for n in range(1, 20)}


@pytest.mark.django_db
def test_english_headers(client: Client, world: Personas) -> None:
    world.login(client, "central_viewer")
    client.cookies["django_language"] = "en"
    rows = _csv(client, reverse("web:central") + "?period=2021&format=csv")
    assert rows[0][:4] == ["Code", "Province", "Communes", "At the standard"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["web:province", "web:commune", "web:central"])
def test_bad_format_is_a_400_that_says_why(client: Client, world: Personas, name: str) -> None:
    world.login(client, "administrator")
    args = [] if name == "web:central" else [world.province.pk]
    if name == "web:commune":
        args = [world.commune_a.pk]
    page = html(client, reverse(name, args=args) + "?format=docx", 400)
    assert "Định dạng tải về phải là csv hoặc xlsx, không phải “docx”." in page


# Who may download each page: exactly who may read it (rows as in ntm/tests/test_routes.py).
DOWNLOADS: list[tuple[str, PersonaName, int]] = [
    *(("web:province", persona, status) for persona, status in PROVINCE_READS),
    *(("web:province_map", persona, status) for persona, status in PROVINCE_READS),
    *(
        ("web:commune", persona, status)
        for persona, status in zip(PERSONAS, (200, 404, 200, 200, 200, 200, 302), strict=True)
    ),
    *(
        ("web:central", persona, status)
        for persona, status in zip(PERSONAS, (403, 403, 403, 403, 200, 200, 302), strict=True)
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona", "status"), DOWNLOADS)
def test_who_may_download(
    client: Client, world: Personas, name: str, persona: PersonaName, status: int
) -> None:
    world.login(client, persona)
    args = {
        "web:province": [world.province.pk],
        "web:province_map": [world.province.pk],
        "web:commune": [world.commune_a.pk],
        "web:central": [],
    }[name]
    response = client.get(reverse(name, args=args) + "?period=2021&format=xlsx")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    if status == 302:
        assert "/login/" in response["Location"]
