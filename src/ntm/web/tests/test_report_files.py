"""The report files from the province page: the links carry the page's choices, the
downloads are the workbook and the PDF of those choices, and a bad choice says why (400)."""

from __future__ import annotations

from io import BytesIO
from typing import cast

import pytest
from django.http import FileResponse
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from ntm.values.testing import YEAR, World, persona_world, world

__all__ = ["persona_world", "world"]  # fixtures

pytestmark = pytest.mark.django_db


def _body(response: FileResponse) -> bytes:
    return b"".join(cast(list[bytes], response.streaming_content))


def test_the_province_page_links_both_files_with_its_choices(client: Client, world: World) -> None:
    client.force_login(world.p.province_office)
    page = reverse("web:province", args=[world.p.province.pk])
    html = client.get(f"{page}?period={YEAR}&as_of=2026-12-01").content.decode()
    for name in ("web:report_workbook", "web:report_pdf"):
        url = reverse(name, args=[world.p.province.pk])
        assert f'href="{url}?period={YEAR}&amp;as_of=2026-12-01"' in html


def test_the_workbook_download_is_the_pages_record(client: Client, world: World) -> None:
    client.force_login(world.p.appraiser)
    url = reverse("web:report_workbook", args=[world.p.province.pk])
    response = client.get(f"{url}?period={YEAR}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ntm-99-2020-')
    wb = load_workbook(BytesIO(_body(cast(FileResponse, response))))
    matrix = wb["Xã × tiêu chí"]
    assert [matrix.cell(r, 2).value for r in (2, 3)] == ["Xã An Bình", "Xã Bình Minh"]


def test_the_pdf_download(client: Client, world: World) -> None:
    client.force_login(world.p.central_viewer)
    url = reverse("web:report_pdf", args=[world.p.province.pk])
    response = client.get(f"{url}?period={YEAR}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _body(cast(FileResponse, response)).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?period=2020&units_of=2019-01-01", "không có xã nào vào ngày 01/01/2019"),
        (
            "?period=2020&as_of=2020-06-30",
            "chưa có số liệu nào được ghi nhận đến hết ngày 30/06/2020",
        ),
        ("?period=20x0", "4"),
    ],
)
@pytest.mark.parametrize("name", ["web:report_workbook", "web:report_pdf"])
def test_a_bad_choice_says_why(
    client: Client, world: World, name: str, query: str, message: str
) -> None:
    client.force_login(world.p.province_office)
    response = client.get(reverse(name, args=[world.p.province.pk]) + query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
