"""Finding communes: the search of the header, the commune table of a province with its
filters, sorting (Vietnamese order) and downloads, the district drill-down, and the links
between a merged commune and its predecessors — each for every persona."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PERSONAS, PersonaName, Personas, make_unit
from ntm.results.testing import SET_2020, History, seed
from ntm.units.models import Unit, UnitKind
from ntm.units.search import LIMIT
from ntm.units.services import NewUnit, merge_units
from ntm.web.tests.matrix import PROVINCE_READS
from ntm.web.tests.test_dashboards import html, text

MERGED_ON = dt.date(2022, 1, 1)


class World:
    def __init__(self, p: Personas) -> None:
        self.p = p
        self.district = make_unit("Huyện Đình Lập", UnitKind.DISTRICT, "99100", p.province)
        self.bac_xa = make_unit("Xã Bắc Xa", UnitKind.COMMUNE, "99101", self.district)
        self.dong_thang = make_unit("Xã Đồng Thắng", UnitKind.COMMUNE, "99102", self.district)
        self.duong_huu = make_unit("Xã Dương Hưu", UnitKind.COMMUNE, "99103", self.district)
        self.van_cu = make_unit("Xã Vạn Cũ", UnitKind.COMMUNE, "99201", p.province)
        self.hoa_cu = make_unit("Xã Hòa Cũ", UnitKind.COMMUNE, "99202", p.province)
        event = merge_units(
            [self.van_cu, self.hoa_cu],
            into=NewUnit(name="Xã Vạn Mới", kind=UnitKind.COMMUNE, code="99203", parent=p.province),
            date=MERGED_ON,
            actor="test:find",
        )
        self.van_moi = Unit.objects.get(pk=event.links.values("new_unit")[:1])
        Unit.objects.filter(kind=UnitKind.COMMUNE, code__startswith="99").update(region="TDMNPB")
        h = History()
        h.declare(self.bac_xa, 2021, SET_2020, set())  # 19/19
        h.declare(self.dong_thang, 2021, SET_2020, {5})  # 18: close to the standard
        h.declare(self.duong_huu, 2021, SET_2020, {1, 2, 3, 4, 5, 6})  # 13
        h.declare(self.van_cu, 2021, SET_2020, {7, 8, 9})  # 16
        seed(p, h)  # A: 19/19 in 2021; B: 17/19 (criteria 2 and 3 not met)


@pytest.fixture
def w(personas: Personas) -> World:
    return World(personas)


def table_url(w: World, query: str = "period=2021") -> str:
    return reverse("web:province_communes", args=[w.p.province.pk]) + "?" + query


def codes(page: str) -> list[str]:
    return re.findall(r'<tr data-commune="([^"]+)"', page)


# ---------------------------------------------------------------------------- the table


@pytest.mark.parametrize(("persona", "status"), PROVINCE_READS)
def test_who_may_read_the_table(
    client: Client, w: World, persona: PersonaName, status: int
) -> None:
    w.p.login(client, persona)
    response = client.get(table_url(w))
    assert response.status_code == status
    district = reverse("web:district_communes", args=[w.p.province.pk, w.district.pk])
    assert client.get(district + "?period=2021").status_code == status


def test_the_table_in_vietnamese_order_with_its_figures(client: Client, w: World) -> None:
    w.p.login(client, "province_office")
    page = html(client, table_url(w))
    # An Bình, Bắc Xa, Bình Minh, Dương Hưu, Đồng Thắng, Hòa Cũ, Vạn Cũ: every D before any Đ.
    assert codes(page) == ["99001", "99101", "99002", "99103", "99102", "99202", "99201"]
    shown = text(page)
    assert "Xã Bắc Xa 99101 Huyện Đình Lập 19/19 Đạt chuẩn" in shown
    assert "Xã Đồng Thắng 99102 Huyện Đình Lập 18/19 Gần đạt chuẩn — 5" in shown
    assert "Xã Bình Minh 99002 — 17/19 Gần đạt chuẩn — 2, 3" in shown
    assert "Xã Dương Hưu 99103 Huyện Đình Lập 13/19 Chưa đạt chuẩn — 1, 2, 3, 4, 5, 6" in shown
    assert "Xã Hòa Cũ 99202 — — Chưa có kết quả" in shown
    assert "Hiển thị 7 trên 7 xã." in shown


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("district={district}", ["99101", "99103", "99102"]),
        ("status=meets", ["99001", "99101"]),
        ("status=close", ["99002", "99102"]),
        ("met_min=18", ["99001", "99101", "99102"]),
        ("met_max=13", ["99103"]),
        ("met_min=14&met_max=17", ["99002", "99201"]),
        ("not_met=5", ["99103", "99102"]),
        ("status=close&not_met=2", ["99002"]),
        ("sort=-met", ["99001", "99101", "99102", "99002", "99201", "99103", "99202"]),
        ("sort=district", ["99001", "99002", "99202", "99201", "99101", "99103", "99102"]),
        ("sort=-name", ["99201", "99202", "99102", "99103", "99002", "99101", "99001"]),
        ("sort=status", ["99001", "99101", "99002", "99102", "99103", "99201", "99202"]),
        ("status=no_result", ["99202"]),
    ],
)
def test_filters_and_sorting(client: Client, w: World, query: str, expected: list[str]) -> None:
    w.p.login(client, "appraiser")
    query = query.format(district=w.district.pk)
    page = html(client, table_url(w, f"period=2021&{query}"))
    assert codes(page) == expected
    said = re.search(r'<p class="figure-basis" data-figure="filters">(.*?)</p>', page)
    # The filters in words (not the sort): what a printed page lists.
    assert (said is None) == query.startswith("sort=")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("met_min=abc", "Số tiêu chí đạt ít nhất phải là một số nguyên, không phải “abc”."),
        ("met_min=12&met_max=3", "không thể nhiều hơn"),
        ("status=gold", "Trạng thái xã không rõ: “gold”."),
        ("not_met=42", "Bộ tiêu chí không có tiêu chí 42."),
        ("district=1", "Huyện đó không có xã nào trong năm 2021"),
        ("sort=size", "Không sắp xếp được theo “size”"),
        ("format=pdf", "csv hoặc xlsx"),
    ],
)
def test_bad_filters_are_a_400_that_says_why(
    client: Client, w: World, query: str, message: str
) -> None:
    w.p.login(client, "province_office")
    page = html(client, table_url(w, f"period=2021&{query}"), status=400)
    assert message in text(page)


def _csv(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_downloads_hold_exactly_the_rows_shown(client: Client, w: World) -> None:
    w.p.login(client, "central_viewer")
    query = "period=2021&met_min=17&sort=-met"
    page = html(client, table_url(w, query))
    assert "format=csv" in page and "format=xlsx" in page
    rows = _csv(client, table_url(w, query + "&format=csv"))
    assert rows[0][:4] == ["Mã", "Xã", "Huyện", "Số tiêu chí đạt"]
    assert [r[0] for r in rows[1:]] == codes(page) == ["99001", "99101", "99102", "99002"]
    assert rows[3][1:5] == ["Xã Đồng Thắng", "Huyện Đình Lập", "18", "19"]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(table_url(w, query + "&format=xlsx")).content)
    )
    sheet = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2)]
    assert [r[0] for r in sheet] == codes(page)
    assert sheet[2][3:5] == [18, 19]  # numbers, not text


def test_english_headers_and_statuses(client: Client, w: World) -> None:
    w.p.login(client, "province_office")
    client.cookies["django_language"] = "en"
    rows = _csv(client, table_url(w, "period=2021&status=close&format=csv"))
    assert rows[0][:4] == ["Code", "Commune", "District", "Criteria met"]
    assert {r[5] for r in rows[1:]} == {"close to the standard"}


# ---------------------------------------------------------------------------- drill-down


def test_district_drill_down_and_back(client: Client, w: World) -> None:
    w.p.login(client, "province_office")
    province = html(client, reverse("web:province", args=[w.p.province.pk]) + "?period=2021")
    district = reverse("web:district_communes", args=[w.p.province.pk, w.district.pk])
    link = re.search(rf'href="({re.escape(district)}[^"]*)" data-link="district"', province)
    assert link is not None
    page = html(client, link.group(1).replace("&amp;", "&"))
    assert codes(page) == ["99101", "99103", "99102"]
    assert "Các xã của Huyện Đình Lập" in text(page)
    back = reverse("web:province", args=[w.p.province.pk])
    back_link = rf'href="{re.escape(back)}\?period=2021[^"]*" data-link="back-to-province"'
    assert re.search(back_link, page)
    # The same filters apply inside the district.
    assert codes(html(client, link.group(1).replace("&amp;", "&") + "&met_max=18")) == [
        "99103",
        "99102",
    ]


def test_a_district_in_a_year_without_it_is_a_400(client: Client, w: World) -> None:
    w.p.login(client, "province_office")
    other = make_unit("Huyện Khác", UnitKind.DISTRICT, "99300", w.p.province)
    url = reverse("web:district_communes", args=[w.p.province.pk, other.pk])
    assert "không có xã nào trong năm 2021" in text(html(client, url + "?period=2021", 400))


# ---------------------------------------------------------------------------- search


def search(client: Client, q: str) -> str:
    return html(client, reverse("web:search") + "?" + f"q={q}")


def found(page: str) -> list[str]:
    return [
        text(m).split(" — ")[0].strip()
        for m in re.findall(r'<li data-unit="\d+">\s*(<a [^>]*>[^<]*</a>)', page)
    ]


def test_search_without_diacritics_by_code_and_by_old_name(client: Client, w: World) -> None:
    w.p.login(client, "province_office")
    assert found(search(client, "dong thang")) == ["Xã Đồng Thắng"]
    assert found(search(client, "XA DUONG huu")) == ["Xã Dương Hưu"]
    assert found(search(client, "991")) == ["Xã Bắc Xa", "Xã Dương Hưu", "Xã Đồng Thắng"]
    assert found(search(client, "99202")) == ["Xã Hòa Cũ"]
    # A name borne by several communes: those in force first, each group in Vietnamese order.
    assert found(search(client, "van")) == ["Xã Vạn Mới", "Xã Vạn Cũ"]
    old = search(client, "van cu")
    assert found(old) == ["Xã Vạn Cũ"]
    became = re.search(r"<span data-became>(.*?)</span>", old, re.S)
    assert became is not None
    assert reverse("web:commune", args=[w.van_moi.pk]) in became.group(1)
    assert "Xã Vạn Mới (sáp nhập, 01/01/2022)" in text(became.group(1))
    new = search(client, "99203")
    assert "Hình thành từ: Xã Hòa Cũ , Xã Vạn Cũ (01/01/2022)" in text(new)


def test_search_says_what_it_cannot_do(client: Client, w: World) -> None:
    w.p.login(client, "province_office")
    assert "Hãy gõ ít nhất 2 ký tự." in text(search(client, "x"))
    assert "Không có xã nào bạn được xem khớp với “zzz”." in text(search(client, "zzz"))


SEES = {
    "officer_a": ["Xã An Bình"],
    "officer_b": [],
    "appraiser": ["Xã An Bình"],
    "province_office": ["Xã An Bình"],
    "central_viewer": ["Xã An Bình"],
    "administrator": ["Xã An Bình"],
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_shows_only_what_each_persona_may_read(
    client: Client, w: World, persona: PersonaName
) -> None:
    w.p.login(client, persona)
    response = client.get(reverse("web:search") + "?q=an+binh")
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    assert found(response.content.decode()) == SEES[persona]
    # The merged communes' old names: only for those who read the province.
    old = found(search(client, "van"))
    assert old == ([] if persona.startswith("officer") else ["Xã Vạn Mới", "Xã Vạn Cũ"])


def test_other_provinces_communes_never_crowd_out_ones_own(client: Client, w: World) -> None:
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    # More namesakes than a search lists, all before "Xã An Bình" in Vietnamese order.
    for n in range(LIMIT + 5):
        make_unit(f"Xã A An Bình {n:02d}", UnitKind.COMMUNE, f"98{n:03d}", other)
    w.p.login(client, "officer_a")
    assert found(search(client, "an binh")) == ["Xã An Bình"]
    w.p.login(client, "central_viewer")
    listed = search(client, "an binh")
    assert len(found(listed)) == LIMIT and "Xã An Bình" not in found(listed)
    assert f"Chỉ liệt kê {LIMIT} xã đầu tiên" in text(listed)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_the_header_search_box_is_on_every_page(
    client: Client, personas: Personas, persona: PersonaName
) -> None:
    personas.login(client, persona)
    page = html(client, reverse("web:home"))
    assert f'action="{reverse("web:search")}"' in page and 'id="id_site_search"' in page


def test_anonymous_pages_have_no_search_box(client: Client, db: None) -> None:
    assert 'id="id_site_search"' not in html(client, reverse("web:login"))


# ---------------------------------------------------------------------------- lineage


def test_lineage_links_both_ways(client: Client, w: World) -> None:
    w.p.login(client, "province_office")
    merged = html(client, reverse("web:commune", args=[w.van_moi.pk]))
    links = re.findall(r'<a href="([^"]+)" data-link="predecessor">([^<]+)</a>', merged)
    assert links == [
        (reverse("web:commune", args=[w.hoa_cu.pk]), "Xã Hòa Cũ"),
        (reverse("web:commune", args=[w.van_cu.pk]), "Xã Vạn Cũ"),
    ]
    old = html(client, links[1][0])
    # The predecessor's own record: its 2021 year, one click from the merged commune.
    assert re.search(r'<option value="2021"[^>]*selected', old)
    assert "Kết quả năm 2021" in text(old)
    successor = re.search(r'<a href="([^"]+)" data-link="successor">([^<]+)</a>', old)
    assert successor is not None
    assert successor.groups() == (reverse("web:commune", args=[w.van_moi.pk]), "Xã Vạn Mới")
    assert "sáp nhập ngày 01/01/2022" in text(old)


def test_the_finding_pages_in_english(client: Client, w: World) -> None:
    w.p.login(client, "province_office")
    client.cookies["django_language"] = "en"
    found = text(search(client, "van cu"))
    assert "1 commune found for “van cu”." in found
    # (The event kind keeps the units app's Vietnamese label: its choices are not translated.)
    assert "Became: Xã Vạn Mới (sáp nhập, 01/01/2022)" in found
    table = text(html(client, table_url(w, "period=2021&met_max=17&not_met=2")))
    assert "Communes of Tỉnh Thử Nghiệm" in table
    assert "Filtered: at most 17 criteria met; criterion 2 not met" in table
    assert "Xã Bình Minh 99002 — 17/19 Close to the standard — 2, 3" in table
    merged = text(html(client, reverse("web:commune", args=[w.van_moi.pk])))
    assert "Changes of the commune" in merged
    assert "Formed on 01/01/2022 from the following" in merged
