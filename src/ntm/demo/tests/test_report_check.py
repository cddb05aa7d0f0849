"""Checking a published text against the demo's record: texts written from the published
Lạng Sơn figures, with deliberate errors."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ntm.demo.loader import DemoResult, province
from ntm.demo.users import ensure_demo_users
from ntm.reports.check import Status, check_text

END_2020 = (
    "Hết năm 2020, toàn tỉnh có 65/181 xã (35,91 %) được công nhận đạt chuẩn nông thôn mới; "
    "bình quân đạt 12,5 tiêu chí/xã, tăng 9,93 tiêu chí/xã so với năm 2011. Có 165/181 xã đạt "
    "tiêu chí Quốc phòng và An ninh; 93/181 xã đạt tiêu chí Hệ thống chính trị."
)
MID_2020 = (
    "Tính đến ngày 30/6/2020, toàn tỉnh có 49/181 xã (27,0 %) đạt chuẩn nông thôn mới; theo đơn "
    "vị hành chính cũ, toàn tỉnh có 61/207 xã đạt chuẩn; bình quân 11,54 tiêu chí/xã."
)
WRONG = (
    "Hết năm 2020 có 64/181 xã đạt chuẩn; bình quân đạt 11,54 tiêu chí/xã, tăng 8,97 tiêu chí/xã "
    "so với năm 2011; 165/181 xã đạt tiêu chí An ninh, trật tự xã hội."
)


def _statuses(text: str, day: dt.date) -> list[tuple[str, str]]:
    return [(v.claim.text, v.status) for v in check_text(text, province(), day)]


def test_the_press_figures_match_the_record(demo: DemoResult) -> None:
    found = check_text(END_2020, province(), dt.date(2020, 12, 31))
    assert [v.status for v in found] == [Status.MATCHES] * 5
    recognised = found[0]
    assert recognised.record == "65/181" and "period=2020" in recognised.query
    change = next(v for v in found if v.claim.since == 2011)
    assert change.record == "9,93" and "baseline=2011" in change.query


def test_mid_2020_on_the_old_units_and_a_truncated_share(demo: DemoResult) -> None:
    found = check_text(MID_2020, province(), dt.date(2020, 6, 30))
    assert [v.status for v in found] == [Status.MATCHES] * 3
    assert "cắt bớt" in found[0].note  # 49/181 = 27,07 %: written 27,0, truncated
    old = found[1]
    assert old.record == "61/207" and "period=2019" in old.query


def test_deliberate_errors_are_found_and_explained(demo: DemoResult) -> None:
    found = check_text(WRONG, province(), dt.date(2020, 12, 31))
    by_text = {v.claim.text.split()[0]: v for v in found}
    meeting = by_text["64/181"]
    assert (meeting.status, meeting.record) == (Status.DIFFERS, "65/181")
    assert "-1" in meeting.note
    average = by_text["11,54"]
    assert average.status == Status.DIFFERS and average.record == "12,50"
    assert "30/06/2020" in average.note  # the mid-year figure, given for the year's end
    change = by_text["tăng"]
    assert change.status == Status.DIFFERS and "30/06/2020" in change.note
    # The article's own name for criterion 19 is not the 2016–2020 set's: not checked.
    criterion = by_text["165/181"]
    assert criterion.status == Status.UNCHECKED and "An ninh, trật tự xã hội" in criterion.note


def test_the_command(demo: DemoResult, tmp_path: Path) -> None:
    good = tmp_path / "bao-cao.txt"
    good.write_text(END_2020, encoding="utf-8")
    out = StringIO()
    call_command(
        "report", "check", str(good), "--province", "20", "--date", "31/12/2020", stdout=out
    )
    assert out.getvalue().count("khớp / matches") == 5
    bad = tmp_path / "sai.txt"
    bad.write_text(WRONG, encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        call_command(
            "report",
            "check",
            str(bad),
            "--province",
            "20",
            "--date",
            "31/12/2020",
            stdout=StringIO(),
        )
    assert exited.value.code == 1


def test_bad_options_are_refused(demo: DemoResult, tmp_path: Path) -> None:
    text = tmp_path / "bao-cao.txt"
    text.write_text(END_2020, encoding="utf-8")
    with pytest.raises(CommandError, match="99999"):
        call_command("report", "check", str(text), "--province", "99999")
    with pytest.raises(CommandError, match=r"ngày/tháng/năm"):
        call_command("report", "check", str(text), "--province", "20", "--date", "31/02/2020")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes(b"x\xe3 \xf0\xe1t chu\xe2\xf2n")  # cp1258, not UTF-8
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("report", "check", str(latin), "--province", "20")


def test_the_page_and_the_api_find_the_deliberate_errors(demo: DemoResult) -> None:
    office = next(u for u in ensure_demo_users() if u.username == "vanphong.tinh")
    client = Client()
    assert client.login(username=office.username, password=office.password)
    lang_son = province()
    page = client.post(
        reverse("web:province_report_check", args=[lang_son.pk]),
        {"text": WRONG, "province": lang_son.pk, "date": "31/12/2020"},
    ).content.decode()
    assert [p.split('"', 1)[0] for p in page.split('data-verdict="')[1:]] == [
        Status.DIFFERS,
        Status.DIFFERS,
        Status.DIFFERS,
        Status.UNCHECKED,
    ]
    assert ">65/181</a>" in page and ">12,50</a>" in page  # the record, linked to its page
    assert "30/06/2020" in page  # the closest reading of the mid-year average
    api = client.post(
        f"/api/units/{lang_son.pk}/check",
        {"text": END_2020, "date": "31/12/2020"},
        content_type="application/json",  # the test client skips the CSRF check
    )
    assert api.status_code == 200, api.content
    assert [v["status"] for v in api.json()["verdicts"]] == [Status.MATCHES] * 5
