"""The public pages: no login, approved data only, simulated provinces labelled, and a CSV of
exactly the table shown."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.criteria.loader import load_set
from ntm.results.testing import SET_2020
from ntm.values.models import SimulatedData
from ntm.values.services.declarations import declare_status
from ntm.web.tests.test_central import world
from ntm.web.tests.test_dashboards import html, text

__all__ = ["world"]  # fixture

pytestmark = pytest.mark.django_db


def _urls(p: Personas) -> list[str]:
    return [
        reverse("public:national") + "?period=2021",
        reverse("public:province", args=[p.province.pk]) + "?period=2021",
        reverse("public:criterion", args=[2]) + "?period=2021",
    ]


def table_rows(page: str) -> list[list[str]]:
    """The cells of the page's public tables (header rows included), as text."""
    out = []
    for table in re.findall(r"<table data-table>(.*?)</table>", page, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            out.append([text(c).strip() for c in cells])
    return out


def csv_rows(client: Client, url: str) -> list[list[str]]:
    response = client.get(url + "&format=csv")
    assert response.status_code == 200
    body = response.content
    assert body.startswith("\ufeff".encode())
    return [r for r in csv.reader(io.StringIO(body.decode("utf-8-sig"))) if r]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_reads_the_public_pages(
    client: Client, world: Personas, persona: PersonaName
) -> None:
    world.login(client, persona)
    for url in _urls(world):
        page = html(client, url)
        assert "Chỉ số liệu đã duyệt" in page, url
        # Nothing links into the signed-in pages.
        assert "/province/" not in page.replace("/public/province/", ""), url


def test_national_page_counts_approved_communes_only(client: Client, world: Personas) -> None:
    page = html(client, reverse("public:national") + "?period=2021")
    rows = {r[1]: r for r in table_rows(page)[1:]}
    # A approved (19/19), B not: one commune at the standard out of two, averaged on A alone.
    assert rows["Tỉnh Thử Nghiệm"][2:8] == ["2", "1", "50,00", "0", "19,00", "1"]
    assert "đã duyệt 2/4 xã; chỉ tính xã đã duyệt" in text(page)
    assert "Năm 2021" in text(page)


@pytest.mark.parametrize("page_index", [0, 1, 2])
def test_a_draft_never_changes_a_public_figure(
    client: Client, world: Personas, page_index: int
) -> None:
    url = _urls(world)[page_index]
    before = table_rows(html(client, url))
    # B's 2021 is not approved: it now declares the two criteria it lacked as met.
    cset = load_set(SET_2020)
    for n in (2, 3):
        declare_status(world.commune_b, 2021, cset, n, "met", acting_user=world.officer_b)
    # The signed-in view of all data sees the draft...
    world.login(client, "central_viewer")
    signed_in = text(html(client, reverse("web:central") + "?period=2021"))
    # (criterion 2 stays not met: B's measured road share decides it, not its declaration)
    assert "Tỉnh Thử Nghiệm 2 1/2 50,00 % 0/2 18,50" in signed_in
    client.logout()
    # ...the public page does not.
    assert table_rows(html(client, url)) == before


@pytest.mark.parametrize("page_index", [0, 1, 2])
def test_the_csv_is_the_table_shown(client: Client, world: Personas, page_index: int) -> None:
    url = _urls(world)[page_index]
    shown = table_rows(html(client, url))
    rows = csv_rows(client, url)
    if page_index == 1:  # two tables: each under its title
        rows = [r for r in rows if len(r) > 1]
    assert [r[:2] for r in rows] == [r[:2] for r in shown]
    assert len(rows) == len(shown)
    xlsx = client.get(url + "&format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_english_pages(client: Client, world: Personas) -> None:
    client.cookies["django_language"] = "en"
    page = text(html(client, reverse("public:criterion", args=[2]) + "?period=2021"))
    assert "Approved data only, read on" in page
    assert "Communes meeting the criterion, by province" in page


def test_a_simulated_province_is_labelled(client: Client, world: Personas) -> None:
    SimulatedData.objects.create(province=world.province, note="test", marked_at=timezone.now())
    page = html(client, reverse("public:national") + "?period=2021")
    rows = {r[1]: r for r in table_rows(page)[1:]}
    assert rows["Tỉnh Thử Nghiệm"][-1] == "dữ liệu mô phỏng"
    assert rows["Tỉnh Khác"][-1] == ""
    page = html(client, reverse("public:province", args=[world.province.pk]) + "?period=2021")
    assert "Dữ liệu mô phỏng" in page
    found = csv_rows(client, reverse("public:criterion", args=[2]) + "?period=2021")
    assert [r[-1] for r in found if r[1] == "Tỉnh Thử Nghiệm"] == ["dữ liệu mô phỏng"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/public/?period=năm-ngoái", "Năm"),
        ("/public/?period=2021&format=pdf", "csv hoặc xlsx"),
        ("/public/criterion/99/?period=2021", "không có tiêu chí 99"),
    ],
)
def test_bad_query_is_a_400_that_says_why(
    client: Client, world: Personas, path: str, message: str
) -> None:
    assert message in html(client, path, 400)


def test_not_a_province_is_a_404(client: Client, world: Personas) -> None:
    assert client.get(reverse("public:province", args=[world.commune_a.pk])).status_code == 404


def test_criterion_page_counts_each_province(client: Client, world: Personas) -> None:
    page = html(client, reverse("public:criterion", args=[2]) + "?period=2021")
    rows = table_rows(page)
    assert rows[0] == [
        "Mã",
        "Tỉnh",
        "Xã",
        "Số xã có kết quả đã duyệt",
        "Số xã đạt tiêu chí",
        "Ghi chú",
    ]
    # Approved only: A (meets criterion 2) in one province, C in the other; B and D held back.
    assert sorted(rows[1:]) == [
        ["98", "Tỉnh Khác", "2", "1", "1", ""],
        ["99", "Tỉnh Thử Nghiệm", "2", "1", "1", ""],
    ]
    assert "Tiêu chí 2: Giao thông" in text(page)
