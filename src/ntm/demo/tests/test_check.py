"""Checking a published text on the demo: the press figures match, deliberate errors differ
(by how much), and the old units and truncation are found as the closest readings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ntm.demo.loader import DemoResult, province
from ntm.demo.users import ensure_demo_users
from ntm.reports.check import check

TEXT = (
    "Tính đến 30/06/2020, toàn tỉnh có 49/181 xã đạt chuẩn nông thôn mới (27,1 %), "
    "bình quân đạt 11,54 tiêu chí/xã; theo đơn vị hành chính cũ, toàn tỉnh có 61/207 xã "
    "(29,4 %). Đến hết năm 2020, toàn tỉnh có 67/181 xã đạt chuẩn, 65/181 xã được công nhận "
    "(35,91 %), đạt 12,8 tiêu chí/xã, tăng 9,93 tiêu chí/xã so với năm 2011; "
    "170/181 xã đạt tiêu chí số 19."
)


def test_a_published_text(demo: DemoResult) -> None:
    found = [
        (v.claim.text, v.status, v.record, v.detail)
        for v in check(province(), TEXT, dt.date(2020, 12, 31))
    ]
    assert found == [
        ("49/181 xã", "matches", "49/181", ""),
        ("27,1 %", "matches", "27,1 %", ""),
        ("11,54 tiêu chí/xã", "matches", "11,54", ""),
        (
            "61/207 xã",
            "matches",
            "61/207",
            "theo đơn vị hành chính cũ: số liệu năm 2019 tính đến 30/06/2020",
        ),
        ("29,4 %", "matches", "29,4 %", "cắt bớt"),
        ("67/181 xã", "differs", "65/181", "lệch +2 xã"),
        ("65/181 xã được công nhận", "matches", "65/181", ""),
        ("35,91 %", "matches", "35,91 %", ""),
        ("12,8 tiêu chí/xã", "differs", "12,5", "lệch +0,3"),
        ("tăng 9,93 tiêu chí/xã so với năm 2011", "matches", "9,93", ""),
        ("170/181 xã đạt tiêu chí số 19", "differs", "165/181", "lệch +5 xã"),
    ]


def test_the_command(demo: DemoResult, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    article = tmp_path / "bai-bao.txt"
    article.write_text(TEXT, "utf-8")
    call_command("report", "check", str(article), "--province", "Lạng Sơn", "--date", "31/12/2020")
    out = capsys.readouterr().out
    assert "LỆCH: «67/181 xã» (31/12/2020)" in out
    assert "KHỚP: «49/181 xã» (30/06/2020) — số liệu: 49/181 [/province/" in out


def test_the_page(demo: DemoResult) -> None:
    office = next(u for u in ensure_demo_users() if u.username == "vanphong.tinh")
    client = Client()
    assert client.login(username=office.username, password=office.password)
    url = reverse("web:province_report_check", args=[province().pk])
    page = client.post(url, {"text": TEXT, "date": "31/12/2020"}).content.decode()
    assert page.count('data-status="matches"') == 8
    assert page.count('data-status="differs"') == 3
    bad = client.post(url, {"text": TEXT, "date": "31/02/2020"})
    assert bad.status_code == 400
