"""Declarations against computed results on the pages: the reported bug (a commune's "Đạt"
counted as met over the appraiser's failing verified value), the province's list of
disagreements with its counts, and its decision shown as *quyết định của tỉnh* with the
reason — on the commune page, the entry grid and the province overview."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.criteria.schema import CriteriaSet
from ntm.values.models import ProvinceDecision
from ntm.values.testing import SET, YEAR, declared_over_a_failing_value

pytestmark = pytest.mark.django_db

REASON = "Biên bản thẩm định bổ sung số 12/BB-VPĐP"


def _list_url(p: Personas) -> str:
    return reverse("web:disagreements", args=[p.province.pk]) + f"?period={YEAR}&set={SET}"


def _decide_url(p: Personas, criterion: int = 10) -> str:
    return reverse("values:decide", args=[p.commune_a.pk, SET, YEAR, criterion])


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _criterion_heading(page: str, number: int) -> str:
    found = re.search(rf'<h3 id="criterion-{number}">(.*?)</h3>\s*(<p.*?</p>)?', page, re.S)
    assert found is not None
    return _text(found.group(0))


def test_reported_bug_the_computed_result_stands_until_the_province_decides(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    declared_over_a_failing_value(p)
    p.login(client, "province_office")
    commune = reverse("web:commune", args=[p.commune_a.pk]) + f"?period={YEAR}&set={SET}"

    heading = _criterion_heading(client.get(commune).content.decode(), 10)
    assert "Chưa đạt" in heading
    assert "Trạng thái khai báo khác với kết quả tính" in heading
    assert "Tự khai: Đạt; tính từ số liệu: Chưa đạt." in heading

    overview = client.get(reverse("web:province", args=[p.province.pk]) + f"?period={YEAR}")
    figure = re.search(r'data-figure="disagreements">(.*?)</p>', overview.content.decode(), re.S)
    assert figure is not None
    assert "1 chưa quyết định, 0 đã có quyết định của tỉnh" in _text(figure.group(1))

    listing = client.get(_list_url(p)).content.decode()
    row = re.search(r'<tr data-unit="\d+" data-criterion="10">(.*?)</tr>', listing, re.S)
    assert row is not None and "Xã An Bình" in row.group(1)
    assert re.search(r'data-figure="open">Chưa quyết định<strong>1</strong>', listing)

    response = client.post(_decide_url(p), {"status": "met", "reason": REASON})
    assert response.status_code == 302 and response["Location"] == _list_url(p)

    heading = _criterion_heading(client.get(commune).content.decode(), 10)
    assert "10." in heading and "— Đạt" in heading
    assert "quyết định của tỉnh: Đạt. Lý do: " + REASON in heading
    assert "tính từ số liệu: Chưa đạt; khai báo: Đạt" in heading

    listing = client.get(_list_url(p)).content.decode()
    assert re.search(r'data-figure="decided">Đã có quyết định của tỉnh<strong>1</strong>', listing)
    assert "quyết định của tỉnh" in listing and REASON in listing

    grid = client.get(reverse("values:entry", args=[p.commune_a.pk, SET, YEAR])).content.decode()
    block = re.search(r'<tbody id="crit-10">(.*?)</tbody>', grid, re.S)
    assert block is not None
    assert 'data-source="province"' in block.group(1) and REASON in block.group(1)


def test_an_empty_reason_on_the_page_is_refused_and_nothing_written(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    declared_over_a_failing_value(p)
    p.login(client, "province_office")
    response = client.post(_decide_url(p), {"status": "met", "reason": "  "}, follow=True)
    assert "Cần ghi lý do." in response.content.decode()
    assert not ProvinceDecision.objects.exists()
    assert not AuditLog.objects.filter(action="values.decide").exists()


def test_only_the_province_office_sees_the_decision_form(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    declared_over_a_failing_value(p)
    shown: tuple[tuple[PersonaName, bool], ...] = (("province_office", True), ("appraiser", False))
    for persona, sees in shown:
        p.login(client, persona)
        listing = client.get(_list_url(p)).content.decode()
        assert ("values:decide" not in listing) and (_decide_url(p) in listing) == sees
        grid = client.get(reverse("values:entry", args=[p.commune_a.pk, SET, YEAR]))
        assert (_decide_url(p) in grid.content.decode()) == sees


def test_the_list_in_english(client: Client, p: Personas, cset: CriteriaSet) -> None:
    declared_over_a_failing_value(p)
    p.login(client, "province_office")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(_decide_url(p), {"status": "met", "reason": REASON})
    listing = client.get(_list_url(p)).content.decode()
    assert re.search(r'data-figure="decided">Decided by the province<strong>1</strong>', listing)
    listing = _text(listing)
    assert "Declarations differing from the computed results" in listing
    assert "Met — province decisionReason: " + REASON in listing
