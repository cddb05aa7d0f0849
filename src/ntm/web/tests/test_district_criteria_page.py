"""The page where the province office records a district's own criteria, and the district rule
on the province page reading them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import Personas, make_unit
from ntm.audit.models import AuditLog
from ntm.results.testing import SET_2022, recognised_district
from ntm.units.models import Unit, UnitKind
from ntm.values.models import Declaration

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(personas: Personas) -> Unit:
    return make_unit("Huyện Thử", UnitKind.DISTRICT, "998", personas.province)


def _url(district: Unit) -> str:
    return reverse("web:district_criteria", args=[district.pk])


def test_the_page_lists_the_nine_criteria_in_both_languages(
    client: Client, p: Personas, district: Unit
) -> None:
    p.login(client, "province_office")
    page = client.get(_url(district) + "?year=2023").content.decode()
    assert "Bộ tiêu chí quốc gia về huyện nông thôn mới giai đoạn 2021-2025" in page
    assert "9. Hệ thống chính trị - An ninh trật tự - Hành chính công" in page
    assert "9 tiêu chí chưa được ghi nhận trạng thái." in page
    client.cookies["django_language"] = "en"
    page = client.get(_url(district) + "?year=2023", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "6. Economy" in page and "9 criteria have no recorded status." in page


def test_recording_goes_through_the_service(client: Client, p: Personas, district: Unit) -> None:
    p.login(client, "province_office")
    response = client.post(_url(district), {"year": "2023", "c6": "not_met", "c7": "met"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2023")
    assert dict(Declaration.objects.filter(unit=district).values_list("criterion", "status")) == {
        6: "not_met",
        7: "met",
    }
    assert AuditLog.objects.filter(action="values.declare_district").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert '<option value="not_met" selected>' in page
    assert "7 tiêu chí chưa được ghi nhận trạng thái." in page


def test_a_bad_status_is_refused_and_nothing_written(
    client: Client, p: Personas, district: Unit
) -> None:
    p.login(client, "province_office")
    response = client.post(_url(district), {"year": "2023", "c6": "met", "c7": "passed"})
    assert response.status_code == 400
    assert "Trạng thái của tiêu chí 7 không hợp lệ." in response.content.decode()
    assert not Declaration.objects.exists()


def test_a_district_without_a_district_set_year_is_not_found(client: Client, p: Personas) -> None:
    # A district in force only after 2025 never fell under a district set with the rule.
    late = make_unit("Huyện Mới", UnitKind.DISTRICT, "997", p.province, start=dt.date(2026, 1, 1))
    p.login(client, "province_office")
    assert client.get(_url(late)).status_code == 404


def test_the_province_page_shows_the_district_rule_on_its_own_criteria(
    client: Client, p: Personas, district: Unit
) -> None:
    recognised_district(p, district)
    p.login(client, "province_office")
    url = reverse("web:province", args=[p.province.pk]) + f"?period=2022&set={SET_2022}"
    page = client.get(url).content.decode()
    assert "Chưa loại trừ được: chưa ghi nhận trạng thái của 1. Quy hoạch" in page
    assert f'href="{_url(district)}?year=2022"' in page
    client.post(
        _url(district),
        {"year": "2022", **{f"c{n}": "met" for n in range(1, 10)}}
        | {"c1": "not_met", "c2": "not_met", "c8": "not_met"},
    )
    page = client.get(url).content.decode()
    assert "3/9 (33,33 %): 1. Quy hoạch; 2. Giao thông; 8. Chất lượng môi trường sống" in page
    assert (
        "Thuộc diện áp dụng (tiêu chí của huyện; then chốt: 8. Chất lượng môi trường sống)" in page
    )
    # The appraiser reads the page, but may not record: no link.
    p.login(client, "appraiser")
    assert f'href="{_url(district)}' not in client.get(url).content.decode()


def test_the_districts_recognition_page_links_to_its_criteria_for_the_office(
    client: Client, p: Personas, district: Unit
) -> None:
    url = reverse("web:recognition_unit", args=[district.pk])
    link = f'href="{_url(district)}"'
    p.login(client, "province_office")
    page_text = client.get(url).content.decode()
    assert link in page_text and "Tiêu chí của huyện (quy định thu hồi huyện" in page_text
    p.login(client, "appraiser")
    page = client.get(url)
    assert page.status_code == 200 and link not in page.content.decode()
