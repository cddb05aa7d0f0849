"""The criteria sets page: encoded against the law's counts, cells to confirm or fill, and until
when each set judges."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import Personas
from ntm.web.tests.test_dashboards import html, text

pytestmark = pytest.mark.django_db


def section(source: str, set_id: str) -> str:
    start = source.index(f'data-set="{set_id}"')
    return text(source[start : source.index("</section>", start)])


@pytest.mark.parametrize(
    ("set_id", "encoded", "cells"),
    [
        (
            "vn-ntm-xa-2010-2015",
            "4/39 chỉ tiêu, 19/19 tiêu chí",
            "27 đã xác minh, 0 chưa xác minh, 5",
        ),
        ("vn-ntm-xa-2016-2020", "49/49 chỉ tiêu, 19/19 tiêu chí", "60 đã xác minh, 132 chưa"),
        ("vn-ntm-xa-2021-2025", "55/57 chỉ tiêu, 19/19 tiêu chí", "16 đã xác minh, 65 chưa"),
        ("vn-ntm-xa-nang-cao-2021-2025", "6/75 chỉ tiêu, 19/19 tiêu chí", "0 đã xác minh, 8 chưa"),
        ("vn-ntm-xa-2026-2030", "0/47 chỉ tiêu, 10/10 tiêu chí", "0 đã xác minh, 0 chưa"),
    ],
)
def test_each_set_states_what_is_encoded(
    client: Client, personas: Personas, set_id: str, encoded: str, cells: str
) -> None:
    personas.login(client, "officer_a")
    t = section(html(client, reverse("web:criteria_sets")), set_id)
    assert f"Đã mã hóa: {encoded}." in t
    assert f"Ô ngưỡng: {cells}" in t
    assert ("Tên của 19 tiêu chí chưa được xác minh." in t) == (set_id == "vn-ntm-xa-2010-2015")


def test_the_page_says_until_when_a_set_judges(client: Client, personas: Personas) -> None:
    personas.login(client, "central_viewer")
    source = html(client, reverse("web:criteria_sets"))
    assert (
        "Hiệu lực từ 01/12/2016 đến 07/03/2022; áp dụng cho đánh giá các năm 2016–2022. "
        "Được thay thế bởi 318/QĐ-TTg từ 08/03/2022."
    ) in section(source, "vn-ntm-xa-2016-2020")
    assert "Hiệu lực từ 15/02/2026; áp dụng cho đánh giá các năm 2026–2030." in section(
        source, "vn-ntm-xa-2026-2030"
    )
    client.post(reverse("set_language"), {"language": "en"})
    t = section(html(client, reverse("web:criteria_sets")), "vn-ntm-xa-2021-2025")
    assert "Encoded: 55 of 57 indicators, 19 of 19 criteria." in t
    assert "Threshold cells: 16 verified, 65 unverified, 159 missing." in t
