"""Boundary files are checked for nesting before they are parsed: a GeoJSON nested 200.000
deep (a RecursionError, so a server error, in `json.loads`) is refused whole with a
Vietnamese reason, and so is one over the size limit; real files are not affected."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from ntm.accounts.testing import Personas, make_personas
from ntm.units.models import Boundaries
from ntm.web import geo

pytestmark = pytest.mark.django_db

DEEP_MESSAGE = "Tệp lồng nhau quá sâu (hơn 64 cấp); tệp ranh giới GeoJSON không cần sâu như vậy."


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


def square(code: str) -> dict[str, object]:
    ring = [[106.7, 21.8], [106.8, 21.8], [106.8, 21.9], [106.7, 21.9], [106.7, 21.8]]
    return {
        "type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def upload(client: Client, p: Personas, data: bytes) -> tuple[int, str]:
    p.login(client, "province_office")
    client.raise_request_exception = False
    response = client.post(
        reverse("web:province_map", args=[p.province.pk]),
        {"boundaries": SimpleUploadedFile("ranh-gioi.geojson", data)},
        follow=True,
    )
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b'{"type": "FeatureCollection", "features": ' + b"[" * 200_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"[" * 65 + b"]" * 65,
    ],
    ids=["arrays", "unclosed", "objects", "65-deep"],
)
def test_deep_nesting_is_refused_before_parsing(data: bytes) -> None:
    with pytest.raises(geo.BoundaryError) as refused:
        geo.check_boundaries(data, [])
    assert refused.value.problems == [DEEP_MESSAGE]


def test_brackets_inside_strings_do_not_count() -> None:
    deep_text = "[" * 1000 + '\\"{' * 1000
    doc = {"type": "FeatureCollection", "features": [square("99001")]}
    doc["features"][0]["properties"]["note"] = deep_text  # type: ignore[index]
    features, matched = geo.check_boundaries(json.dumps(doc).encode(), [make_personas().commune_a])
    assert matched == 1 and features[0]["code"] == "99001"


def test_a_deep_upload_is_refused_on_the_page(client: Client, personas: Personas) -> None:
    status, page = upload(client, personas, b"[" * 200_000 + b"]" * 200_000)
    assert status == 400 and DEEP_MESSAGE in page
    assert not Boundaries.objects.exists()


@override_settings(NTM_BOUNDARY_MAX_BYTES=1000)
def test_an_upload_over_the_size_limit_is_refused(client: Client, personas: Personas) -> None:
    data = json.dumps({"type": "FeatureCollection", "features": [square("99001")] * 20}).encode()
    assert len(data) > 1000
    status, page = upload(client, personas, data)
    assert status == 400 and "Tệp quá lớn" in page
    assert not Boundaries.objects.exists()


def test_a_real_file_is_still_taken(client: Client, personas: Personas) -> None:
    doc = {"type": "FeatureCollection", "features": [square("99001"), square("99002")]}
    assert upload(client, personas, json.dumps(doc).encode())[0] == 200
    assert Boundaries.objects.get().matched == 2
