"""The map page: points from the units' coordinates, boundaries uploaded by the province
office (checked whole, refused with Vietnamese reasons), keyboard access, light pages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ntm.accounts.testing import PersonaName, Personas, make_unit
from ntm.audit.models import AuditLog
from ntm.results.province import province_overview
from ntm.results.testing import seed
from ntm.units.models import Boundaries, Unit, UnitKind
from ntm.web.tests.test_page_weight import BUDGET, page_weight

pytestmark = pytest.mark.django_db


def square(code: Any, lon: float, lat: float, kind: str = "Polygon") -> dict[str, Any]:
    ring = [[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]
    coords: Any = [ring] if kind == "Polygon" else [[ring]]
    return {
        "type": "Feature",
        "properties": {"code": code, "ten": "x"},
        "geometry": {"type": kind, "coordinates": coords},
    }


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def upload(client: Client, p: Personas, data: bytes, name: str = "ranh-gioi.geojson") -> Any:
    return client.post(
        reverse("web:province_map", args=[p.province.pk]),
        {"boundaries": SimpleUploadedFile(name, data, content_type="application/geo+json")},
    )


# persona -> (status of the map page, sees the upload form)
ACCESS: dict[PersonaName, tuple[int, bool]] = {
    "officer_a": (404, False),
    "officer_b": (404, False),
    "appraiser": (200, False),
    "province_office": (200, True),
    "central_viewer": (200, False),
    "administrator": (200, False),
}


@pytest.mark.parametrize("persona", list(ACCESS))
def test_who_may_see_the_map_and_upload(
    client: Client, personas: Personas, persona: PersonaName
) -> None:
    p = personas
    seed(p)
    p.login(client, persona)
    status, form = ACCESS[persona]
    url = reverse("web:province_map", args=[p.province.pk])
    response = client.get(url + "?period=2021")
    assert response.status_code == status
    page = response.content.decode()
    assert ('name="boundaries"' in page) is form
    # Uploading is the province office's act: others get 403 (or 404 outside the scope).
    response = upload(client, p, collection(square("99001", 106.7, 21.8)))
    if form:
        assert response.status_code == 302
    else:
        assert response.status_code in (403, 404)
    assert Boundaries.objects.exists() is form


def test_anonymous_cannot_upload(client: Client, personas: Personas) -> None:
    response = upload(client, personas, collection(square("99001", 106.7, 21.8)))
    assert response.status_code == 302 and not Boundaries.objects.exists()


def test_points_are_coloured_by_criteria_met_and_focusable(
    client: Client, personas: Personas
) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    page = client.get(reverse("web:province_map", args=[p.province.pk]) + "?period=2021").content
    html = page.decode()
    # Each commune is a link (reachable with the keyboard) around a coloured dot...
    for unit, colour, met in ((p.commune_a, "#1a9850", 19), (p.commune_b, "#91cf60", 17)):
        link = f'<a href="{reverse("web:commune", args=[unit.pk])}"><circle'
        assert link in html
        assert f'fill="{colour}"' in html
        assert f"{unit.name}: đạt {met}/19 tiêu chí" in html
    # Coordinates are plain numbers, whatever the interface language.
    for value in re.findall(r'c[xy]="([^"]+)"', html):
        float(value)
    # ...with a legend and a table alternative.
    assert "Chú giải" in html and "Đạt 19/19 tiêu chí" in html
    assert "Bảng số liệu của bản đồ" in html
    assert "<script" not in html.split("</header>", 1)[1]  # drawn on the server


def test_map_shapes_carry_the_unit_code_and_criteria_met(
    client: Client, personas: Personas
) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    url = reverse("web:province_map", args=[p.province.pk])
    html = client.get(url + "?period=2021").content.decode()
    dots = re.findall(r'<circle [^>]*data-unit-code="([^"]*)" data-met="([^"]*)"', html)
    assert dots == [(p.commune_a.code, "19"), (p.commune_b.code, "17")]
    # Areas carry the same hooks.
    data = collection(square(p.commune_a.code, 106.7, 21.8), square(p.commune_b.code, 106.9, 21.8))
    assert upload(client, p, data).status_code == 302
    html = client.get(url + "?period=2021").content.decode()
    areas = re.findall(r'<path [^>]*data-unit-code="([^"]*)" data-met="([^"]*)"', html)
    assert areas == [(p.commune_a.code, "19"), (p.commune_b.code, "17")]


def test_the_table_links_every_commune_with_the_year_and_set(
    client: Client, personas: Personas
) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    url = reverse("web:province_map", args=[p.province.pk])
    html = client.get(url + "?period=2021").content.decode()
    table = html.split('<table class="sub">', 1)[1]
    cset = province_overview(p.province, period=2021).cset.id
    expected = [
        (f"{reverse('web:commune', args=[u.pk])}?period=2021&amp;set={cset}", u.name)
        for u in sorted((p.commune_a, p.commune_b), key=lambda u: (u.name_key, u.pk))
    ]
    assert re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a>', table) == expected


def test_the_map_asks_permissions_once_not_per_commune(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    url = reverse("web:province_map", args=[p.province.pk]) + "?period=2021"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # the first request fills caches
    before = queries()
    for i in range(5):
        make_unit(f"Xã Thêm {i}", UnitKind.COMMUNE, f"9910{i}", p.province)
    Unit.objects.filter(code__startswith="991").update(latitude=21.8, longitude=106.7)
    html = client.get(url).content.decode()
    assert html.count("<circle") == 7
    assert html.count(f'<a href="{reverse("web:commune", args=[p.commune_a.pk])}">') == 1
    assert queries() == before


def test_a_valid_upload_draws_a_choropleth(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    data = collection(square("99001", 106.7, 21.8), square(99002, 106.9, 21.8, "MultiPolygon"))
    response = upload(client, p, data)
    assert response.status_code == 302
    row = Boundaries.objects.get()
    assert row.matched == 2 and {f["code"] for f in row.features} == {"99001", "99002"}
    assert AuditLog.objects.filter(action="web.upload_boundaries").count() == 1
    html = client.get(response["Location"] + "?period=2021").content.decode()
    assert "Đã lưu ranh giới của 2 xã." in html
    assert html.count("<path d=") == 2 and "<circle" not in html
    assert 'fill="#1a9850"' in html and "ranh-gioi.geojson" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "Tệp không phải JSON hợp lệ: dòng 1"),
        (b"\xff\xfe", "không phải văn bản UTF-8"),
        (json.dumps({"type": "Feature"}).encode(), "phải là một GeoJSON FeatureCollection"),
        (collection(), "không có đối tượng"),
        (
            collection(
                {
                    "type": "Feature",
                    "properties": {"code": "99001"},
                    "geometry": {"type": "Point", "coordinates": [106.7, 21.8]},
                }
            ),
            "kiểu hình học “Point” không được chấp nhận",
        ),
        (collection(square("01001", 106.7, 21.8)), "mã 01001): không phải mã của xã nào"),
        (
            collection(square("99001", 106.7, 21.8), square("99001", 106.8, 21.8)),
            "trùng mã với đối tượng thứ 1",
        ),
        (collection(square(None, 106.7, 21.8)), "thiếu mã xã trong thuộc tính"),
        (collection(square("99001", 206.7, 21.8)), "toạ độ không hợp lệ"),
    ],
)
def test_bad_files_are_refused_whole_with_reasons(
    client: Client, personas: Personas, data: bytes, message: str
) -> None:
    p = personas
    p.login(client, "province_office")
    # A good feature beside a bad one: nothing at all is saved.
    response = upload(client, p, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Boundaries.objects.exists()
    assert not AuditLog.objects.filter(action="web.upload_boundaries").exists()


@override_settings(NTM_BOUNDARY_MAX_BYTES=200)
def test_files_over_the_size_limit_are_refused(client: Client, personas: Personas) -> None:
    personas.login(client, "province_office")
    data = collection(square("99001", 106.7, 21.8), square("99002", 106.9, 21.8))
    assert len(data) > 200
    response = upload(client, personas, data)
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.content.decode()
    assert not Boundaries.objects.exists()


def test_an_empty_form_is_refused(client: Client, personas: Personas) -> None:
    personas.login(client, "province_office")
    response = client.post(reverse("web:province_map", args=[personas.province.pk]), {})
    assert response.status_code == 400
    assert "Hãy chọn một tệp GeoJSON" in response.content.decode()


@pytest.mark.parametrize("name", ["web:province", "web:province_map", "web:commune"])
def test_dashboard_pages_stay_under_the_page_weight_budget(
    client: Client, personas: Personas, name: str
) -> None:
    p = personas
    seed(p)
    p.login(client, "province_office")
    unit = p.commune_b if name == "web:commune" else p.province
    response = client.get(reverse(name, args=[unit.pk]) + "?period=2021")
    assert response.status_code == 200
    total, _ = page_weight(response.content.decode())
    assert total < BUDGET, f"{name}: {total} bytes"
