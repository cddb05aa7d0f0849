"""The province overview, the commune page and the central view: who may see them, and what
they show (figures from the app's own statistics, Vietnamese number style, labelled basis)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ntm.accounts.testing import PERSONAS, PersonaName, Personas, make_unit
from ntm.criteria.loader import load_set
from ntm.recognition.models import Tier
from ntm.recognition.services import DecisionBasis, record_recognised
from ntm.results.provenance import record_sets
from ntm.results.province import province_overview
from ntm.results.query import Geography
from ntm.results.testing import SET_2020, SET_2022, History, seed
from ntm.units.models import Unit, UnitKind
from ntm.units.services import NewUnit, merge_units
from ntm.values.models import Evidence, Value
from ntm.values.services import mark_simulated

pytestmark = pytest.mark.django_db

# persona -> (province page, commune A, commune B, central view)
ACCESS: dict[PersonaName, tuple[int, int, int, int]] = {
    "officer_a": (404, 200, 404, 403),
    "officer_b": (404, 404, 200, 403),
    "appraiser": (200, 200, 200, 403),
    "province_office": (200, 200, 200, 403),
    "central_viewer": (200, 200, 200, 200),
    "administrator": (200, 200, 200, 200),
}


def html(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def text(page: str) -> str:
    """The page's text without tags and with collapsed spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("persona", list(ACCESS))
def test_who_may_see_each_page(client: Client, personas: Personas, persona: PersonaName) -> None:
    p = personas
    seed(p)
    p.login(client, persona)
    expected = ACCESS[persona]
    pages = (
        (reverse("web:province", args=[p.province.pk]), p.province.name),
        (reverse("web:commune", args=[p.commune_a.pk]), p.commune_a.name),
        (reverse("web:commune", args=[p.commune_b.pk]), p.commune_b.name),
        (reverse("web:central"), p.province.name),
    )
    for (url, name), status in zip(pages, expected, strict=True):
        page = html(client, url + "?period=2021", status)
        assert (name in page) is (status == 200)


def test_anonymous_is_sent_to_login(client: Client, personas: Personas) -> None:
    for url in (
        reverse("web:province", args=[personas.province.pk]),
        reverse("web:province_map", args=[personas.province.pk]),
        reverse("web:commune", args=[personas.commune_a.pk]),
        reverse("web:central"),
    ):
        assert client.get(url).status_code == 302
    assert "anonymous" in PERSONAS


def test_province_headline_changes_and_charts(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    url = reverse("web:province", args=[p.province.pk])
    page = html(client, f"{url}?period=2021&baseline=2020&set={SET_2020}")
    t = text(page)
    assert "Số xã đạt chuẩn 1/2 (50,00 %)" in t
    assert "Bình quân số tiêu chí đạt/xã 18,00" in t
    # 2020: no commune at the standard, 13,5 criteria on average.
    assert "So với năm trước +1 xã; +4,5 tiêu chí" in t
    assert "So với năm 2020 +1 xã; +4,5 tiêu chí" in t
    # Each headline figure has a stable hook, whatever the language.
    hooks = re.findall(r'<li data-figure="(\w+)">', page)
    assert hooks == ["meeting", "average", "previous", "baseline", "recognised", "approved"]
    # Recognition is counted from decisions, apart from meeting the set.
    assert "Số xã được công nhận (có quyết định) 0/2 (0,00 %)" in t
    assert "1 xã đạt bộ tiêu chí nhưng chưa có quyết định công nhận" in t
    # Charts are served SVG, each with a table; the trend covers every year with data.
    assert page.count("<svg") == 3
    assert page.count("Bảng số liệu của biểu đồ") == 3
    for year in ("2020", "2021", "2022"):
        assert f'<th scope="row">{year}</th>' in page
    # SVG geometry is never localised (a decimal comma would break every shape).
    assert not re.search(r'(?:x|y|width|height)="-?\d+,\d', page)
    # Per-criterion chart: criterion 2 is met by 1 of 2 communes.
    assert "Tiêu chí 2 (Giao thông): 1 trên 2 xã" in page


def test_every_figure_says_which_geography(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    url = reverse("web:province", args=[p.province.pk])
    recorded = html(client, f"{url}?period=2021")
    label = "Theo địa giới khi ghi nhận: mỗi năm tính trên các đơn vị hành chính của năm đó."
    assert recorded.count(label) >= 6  # headline, criteria, bands, trend, close, warnings
    rebased = html(client, f"{url}?period=2021&geography=rebased")
    today = timezone.localdate().strftime("%d/%m/%Y")
    label = f"Quy đổi sang các đơn vị hành chính ngày {today}."
    assert rebased.count(label) >= 6
    assert "Số xã đạt chuẩn 1/2 (50,00 %)" in text(rebased)


def test_rebased_figures_do_not_carry_pass_fail_across_a_merger(personas: Personas) -> None:
    p = personas
    seed(p)
    merge_units(
        [p.commune_a, p.commune_b],
        into=NewUnit(name="Xã An Minh", kind=UnitKind.COMMUNE, code="99003", parent=p.province),
        date=dt.date(2023, 1, 1),
        actor="test",
    )
    recorded = province_overview(p.province, period=2021)
    assert (recorded.figures.meeting, recorded.figures.communes) == (1, 2)
    rebased = province_overview(p.province, period=2021, geography=Geography.REBASED)
    f = rebased.figures
    # One merged commune; its declared statuses and yes/no values do not transfer.
    assert (f.communes, f.evaluated, f.not_comparable, f.meeting) == (1, 0, 1, 0)
    assert rebased.basis.startswith("rebased:")
    assert [pt.unit.code for pt in rebased.points] == ["99003"]


def test_breakdown_by_district(client: Client, personas: Personas) -> None:
    p = personas
    district = make_unit("Huyện Thử", UnitKind.DISTRICT, "999", p.province)
    commune = make_unit("Xã Trong Huyện", UnitKind.COMMUNE, "99010", district)
    h = History()
    h.declare(commune, 2021, SET_2020, set())
    seed(p, h)
    p.login(client, "province_office")
    page = text(html(client, reverse("web:province", args=[p.province.pk]) + "?period=2021"))
    assert "Theo huyện" in page
    assert "Huyện Thử 1/1 100,00 %" in page
    assert "Số xã đạt chuẩn 2/3 (66,67 %)" in page


def _recognise(p: Personas, unit: Unit, year: int) -> None:
    basis = DecisionBasis(f"TEST-{year}/QĐ-UBND", dt.date(year, 12, 20), "UBND tỉnh Thử Nghiệm")
    record_recognised(unit, Tier.NTM, year, basis, acting_user=p.province_office)


def test_close_to_standard_and_revocation_warning(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    url = reverse("web:province", args=[p.province.pk])
    t = text(html(client, f"{url}?period=2021"))
    close = t[t.index("Xã gần đạt chuẩn") :]
    assert "Xã Bình Minh 17/19" in close
    assert "Tiêu chí 2 (Giao thông): Chưa đạt" in close
    assert "40, yêu cầu ≥ 50 (thiếu 10)" in close  # 2021: the 2016-2020 set, TDMNPB
    assert "chưa có giá trị" in close  # indicators of criterion 3 without data
    t = text(html(client, f"{url}?period=2022"))
    warning = t[t.index("Cảnh báo sớm") :]
    # The rule watches recognised communes only: none is recognised yet.
    assert "Không có xã đã được công nhận nào thuộc trường hợp bị thu hồi." in warning
    _recognise(p, p.commune_b, 2021)
    t = text(html(client, f"{url}?period=2022"))
    warning = t[t.index("Cảnh báo sớm") :]
    assert "các xã đang được công nhận ở mức của bộ tiêu chí" in warning
    assert "Xã Bình Minh 9/19 52,63 %" in warning
    assert "10. Thu nhập; 17. Môi trường và an toàn thực phẩm; 19. Quốc phòng và An ninh" in warning
    t = text(html(client, f"{url}?period=2020&set={SET_2020}"))
    assert "Bộ tiêu chí này không có quy tắc thu hồi." in t


def test_a_commune_whose_risk_depends_on_unknown_criteria_is_not_safe(
    client: Client, personas: Personas
) -> None:
    p = personas
    # 2023: six criteria not met (31,58 %, no key criterion among them), and no result for
    # criterion 19, a key criterion: the rule cannot be ruled out.
    h = History()
    h.declare(p.commune_a, 2023, SET_2022, set(range(2, 8)), total=18)
    seed(p, h)
    _recognise(p, p.commune_a, 2022)
    p.login(client, "province_office")
    url = reverse("web:province", args=[p.province.pk])
    warning = text(html(client, f"{url}?period=2023&set={SET_2022}"))
    warning = warning[warning.index("Cảnh báo sớm") :]
    assert "Xã An Bình 12/19 31,58 %" in warning
    assert "Chưa loại trừ được: chưa có kết quả tiêu chí 19. Quốc phòng và An ninh" in warning


def test_a_recognised_commune_that_lost_criteria_is_slipping(
    client: Client, personas: Personas
) -> None:
    p = personas
    h = History()
    h.declare(p.commune_a, 2023, SET_2022, {2, 3})  # 2 of 19 lost, no key criterion
    seed(p, h)
    p.login(client, "province_office")
    url = reverse("web:province", args=[p.province.pk]) + f"?period=2023&set={SET_2022}"
    page = text(html(client, url))
    assert "Không có xã đã được công nhận nào bị mất tiêu chí." in page
    _recognise(p, p.commune_a, 2022)
    page = text(html(client, url))
    slipping = page[page.index("Đang tụt hạng") :]
    assert "Xã An Bình 17/19" in slipping
    assert "Tiêu chí 2 (Giao thông): Chưa đạt" in slipping
    assert "Xã An Bình" not in page[page.index("Cảnh báo sớm") : page.index("Đang tụt hạng")]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=20x1", "phải là một năm gồm 4 chữ số"),
        ("period=2021&baseline=2022", "phải trước năm báo cáo"),
        ("period=2021&geography=moon", "không hợp lệ"),
    ],
)
def test_bad_choices_are_explained(
    client: Client, personas: Personas, query: str, message: str
) -> None:
    personas.login(client, "province_office")
    url = reverse("web:province", args=[personas.province.pk])
    assert message in html(client, f"{url}?{query}", 400)


def test_simulated_province_is_labelled(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "central_viewer")
    url = reverse("web:province", args=[p.province.pk])
    assert "Dữ liệu mô phỏng" not in html(client, url)
    mark_simulated(p.province, note="demo", actor="test")
    for page in (
        url,
        reverse("web:province_map", args=[p.province.pk]),
        reverse("web:commune", args=[p.commune_a.pk]),
    ):
        assert "Dữ liệu mô phỏng" in html(client, page)
    assert "(dữ liệu mô phỏng)" in html(client, reverse("web:central"))


def test_a_records_own_sets_come_from_its_provenance_row(personas: Personas) -> None:
    p = personas
    assert record_sets(p.province) == ()
    own = load_set("vn-ntm-xa-2016-2020").model_copy(update={"id": "tinh-99-ghi-chep"})
    mark_simulated(p.province, note="demo", record_sets=[own], actor="test")
    assert record_sets(p.province) == (own,)
    assert record_sets(p.commune_a) == ()


def test_commune_page_explains_every_criterion(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "officer_b")
    page = html(client, reverse("web:commune", args=[p.commune_b.pk]) + "?period=2021")
    t = text(page)
    assert "Đạt 17/19" in t.replace("Số tiêu chí đạt ", "Đạt ")
    assert page.count('<h3 id="criterion-') == 19
    assert "2. Giao thông — Chưa đạt" in t
    row = t[t.index("2.2 Đường trục thôn") :][:400]
    assert "4/10 (40 %)" in row and "≥ 50" in row and "(chưa xác nhận)" in row
    assert "TDMNPB" in row and "Tự đánh giá" in row and "-10" in row
    assert "Tự khai: Chưa đạt; tính từ số liệu: Chưa đạt." in t
    # History: one table per set, a column per year with data.
    history = t[t.index("Diễn biến qua các năm") :]
    assert "2020 2021" in history and "2022" in history
    # Another commune's name appears nowhere on the page.
    assert "An Bình" not in page


def test_commune_page_without_data(client: Client, personas: Personas) -> None:
    personas.login(client, "officer_a")
    url = reverse("web:commune", args=[personas.commune_a.pk]) + "?period=2021"
    t = text(html(client, url))
    assert "Chưa có giá trị hay trạng thái tự khai nào" in t
    assert "Thiếu dữ liệu" in t


def test_evidence_is_listed_on_its_commune_page_only(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    value = Value.objects.get(unit=p.commune_b)
    Evidence.objects.create(
        value=value,
        file="evidence/x.pdf",
        original_name="bien-ban-giao-thong.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="0" * 64,
        uploaded_by=p.officer_b,
        uploaded_at=timezone.now(),
    )
    p.login(client, "officer_b")
    url = reverse("web:commune", args=[p.commune_b.pk]) + "?period=2021"
    page = html(client, url)
    assert "bien-ban-giao-thong.pdf" in page and "2.048 B" in page
    p.login(client, "officer_a")
    assert "bien-ban-giao-thong.pdf" not in html(client, url, 404)
    assert "bien-ban-giao-thong.pdf" not in html(
        client, reverse("web:commune", args=[p.commune_a.pk]) + "?period=2021"
    )


def test_central_view_compares_and_sorts_provinces(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    commune = make_unit("Xã Khác", UnitKind.COMMUNE, "98001", other)
    more = History()
    more.declare(commune, 2021, SET_2020, set())
    more.load()
    p.login(client, "central_viewer")
    url = reverse("web:central")
    page = html(client, f"{url}?period=2021&sort=-percent")
    t = text(page)
    assert t.index("Tỉnh Khác") < t.index("Tỉnh Thử Nghiệm")
    assert "Tỉnh Khác 1 1/1 100,00 % 0/1 19,00" in t
    assert "Tỉnh Thử Nghiệm 2 1/2 50,00 % 0/2 18,00" in t
    assert 'aria-sort="descending"' in page
    # Drill-down links to each province, with the year kept.
    assert reverse("web:province", args=[other.pk]) + "?period=2021" in page
    t = text(html(client, f"{url}?period=2021&sort=percent"))
    assert t.index("Tỉnh Thử Nghiệm") < t.index("Tỉnh Khác")
    assert "sắp xếp" in html(client, f"{url}?sort=population", 400)


def test_english_labels(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    url = reverse("web:province", args=[p.province.pk]) + "?period=2021"
    t = text(html(client, url))
    assert "Communes at the standard 1/2 (50,00 %)" in t  # Vietnamese number style kept
    assert "As recorded: each year on the administrative units of that year." in t
    # Back to Vietnamese, so that the thread's active language does not leak into other tests.
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Số xã đạt chuẩn" in html(client, url)


def test_the_commune_page_projects_the_year_at_its_own_pace(
    client: Client, personas: Personas
) -> None:
    p = personas
    h = History()
    h.declare(p.commune_a, 2022, SET_2022, set(range(1, 7)))  # 13/19
    h.declare(p.commune_a, 2023, SET_2022, set(range(1, 5)))  # 15/19: +2 a year
    seed(p, h)
    p.login(client, "officer_a")
    url = reverse("web:commune", args=[p.commune_a.pk])
    page = text(html(client, f"{url}?period=2023&set={SET_2022}"))
    assert (
        "Còn 4 tiêu chí phải đạt. Với nhịp độ đã ghi nhận (+2 tiêu chí/năm từ năm 2022 đến "
        "năm 2023), nếu giữ nhịp độ đó, xã sẽ đạt chuẩn vào năm 2025."
    ) in page
    page = text(html(client, f"{url}?period=2022&set={SET_2022}"))
    assert "Chưa đủ hai năm có số liệu theo bộ tiêu chí này" in page
