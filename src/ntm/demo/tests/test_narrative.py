"""The Lạng Sơn narrative as of 31/12/2020, against 30/06/2020 and 2011: the press figures,
in Vietnamese and English, from the CLI, the *Báo cáo* page and the API."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ntm.demo.loader import DemoResult, province
from ntm.demo.users import ensure_demo_users
from ntm.reports.narrative import Options, ReportError, as_text, narrative
from ntm.reports.sentences import parse_precision

# The office's choices in the published paragraph: 27,1 % at mid-2020, 12,5 at the end.
PRESS = parse_precision(["share@30/06/2020=1", "average@31/12/2020=1"])
OPTIONS = Options(
    day=dt.date(2020, 12, 31),
    compare=(dt.date(2020, 6, 30),),
    baseline=2011,
    units_of=dt.date(2019, 12, 31),
    criteria=(19, 18),
    precision=PRESS,
)

VI = [
    "Tính đến 30/06/2020, toàn tỉnh có 49/181 xã đạt chuẩn nông thôn mới (27,1 %), "
    "bình quân đạt 11,54 tiêu chí/xã.",
    "Theo đơn vị hành chính cũ, toàn tỉnh có 61/207 xã đạt chuẩn nông thôn mới (29,47 %).",
    "Tính đến 31/12/2020, toàn tỉnh có 65/181 xã đạt chuẩn nông thôn mới (35,91 %), "
    "bình quân đạt 12,5 tiêu chí/xã.",
    "Đến 31/12/2020, toàn tỉnh có 65/181 xã được công nhận đạt chuẩn nông thôn mới (35,91 %).",
    "Bình quân tiêu chí/xã đến 31/12/2020: +9,93 so với năm 2011 (bình quân +1,1 tiêu chí/xã/năm).",
    "Về từng tiêu chí: 165/181 xã đạt tiêu chí số 19 (Quốc phòng và An ninh); "
    "93/181 xã đạt tiêu chí số 18 (Hệ thống chính trị và tiếp cận pháp luật).",
]
COMPLETED_VI = (
    "Thành phố Lạng Sơn hoàn thành nhiệm vụ xây dựng nông thôn mới năm 2017 "
    "(Quyết định số MP-2017/QĐ-TTg (mô phỏng) ngày 15/01/2018)."
)
EN = [
    "As of 30/06/2020, 49/181 communes of the province met the new rural standard (27,1 %), "
    "with 11,54 criteria met per commune on average.",
    "On the former administrative units, the province had 61/207 communes at the standard "
    "(29,47 %).",
    "By 31/12/2020, 65/181 communes of the province had been recognised at the new rural "
    "standard (35,91 %).",
    "Average criteria per commune by 31/12/2020: +9,93 since 2011 "
    "(+1,1 criteria per commune a year on average).",
]


def test_the_press_sentences(demo: DemoResult) -> None:
    n = narrative(province(), OPTIONS)
    texts = [x.text for x in n.sentences]
    assert texts[: len(VI)] == VI
    assert COMPLETED_VI in texts
    decided = next(x for x in n.sentences if x.key == "decided")
    assert decided.text.startswith("Năm 2020, 16 xã được công nhận đạt chuẩn nông thôn mới: ")
    targets = [x.text for x in n.sentences if x.key == "target"]
    assert (
        "Mục tiêu năm 2020 theo 18/KH-UBND 22/01/2020 UBND tỉnh Lạng Sơn: Số xã được công nhận "
        "mới trong năm (Đạt chuẩn nông thôn mới, Tất cả các xã): 13; thực hiện 16 (đạt mục tiêu)."
    ) in targets
    assert (
        n.sentences[-1].text == "Đến 31/12/2020, chưa có xã nào đã được công nhận bị giảm tiêu chí."
    )
    assert n.title == "Kết quả xây dựng nông thôn mới tỉnh Lạng Sơn tính đến 31/12/2020"


def test_each_figure_is_traced(demo: DemoResult) -> None:
    n = narrative(province(), OPTIONS)
    by = {f.key: f for f in n.figures}
    old = by["meeting_units@30/06/2020"]
    assert old.text == "61/207"
    assert old.trace.query() == {
        "period": "2019",
        "set": "vn-ntm-xa-2016-2020",
        "as_of": "30/06/2020",
    }
    mid = by["meeting@30/06/2020"].trace
    assert (mid.period, mid.as_of, mid.onto, mid.approved_only) == (
        2020,
        dt.date(2020, 6, 30),
        None,
        False,
    )
    text = as_text(n)
    assert "- 61/207 [meeting_units@30/06/2020]: Tỉnh Lạng Sơn; năm 2019;" in text
    assert "Lưu ý: số liệu mô phỏng." in text


def test_the_english_version(demo: DemoResult) -> None:
    n = narrative(province(), replace(OPTIONS, lang="en"))
    texts = [x.text for x in n.sentences]
    assert texts[0] == EN[0] and texts[1] == EN[1]
    assert EN[2] in texts and EN[3] in texts
    assert (
        "Thành phố Lạng Sơn completed the new rural development task in 2017 "
        "(decision MP-2017/QĐ-TTg (mô phỏng) of 15/01/2018)."
    ) in texts
    assert "165/181 communes met criterion 19" in next(
        x.text for x in n.sentences if x.key == "criteria"
    )


def test_bad_options(demo: DemoResult) -> None:
    with pytest.raises(ReportError, match="31/12/2005"):
        narrative(province(), Options(day=dt.date(2005, 12, 31)))
    with pytest.raises(ReportError, match="01/01/1900"):
        narrative(province(), replace(OPTIONS, units_of=dt.date(1900, 1, 1)))
    with pytest.raises(ReportError, match="99"):
        narrative(province(), replace(OPTIONS, criteria=(99,)))


def test_the_command(demo: DemoResult, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.txt"
    call_command(
        "report", "narrative", "--province", "Lạng Sơn", "--date", "31/12/2020",
        "--compare", "30/06/2020", "--baseline", "2011", "--units-of", "31/12/2019",
        "--criteria", "19,18", "--decimals", "share@30/06/2020=1",
        "--decimals", "average@31/12/2020=1", "--out", str(out),
    )  # fmt: skip
    text = out.read_text("utf-8")
    assert all(sentence in text for sentence in VI)
    html = tmp_path / "report.html"
    call_command(
        "report", "narrative", "--province", "Lạng Sơn", "--date", "31/12/2020",
        "--lang", "en", "--out", str(html),
    )  # fmt: skip
    page = html.read_text("utf-8")
    assert 'data-figure="meeting@31/12/2020">65/181</a>' in page
    assert "period=2020" in page and "as_of=31%2F12%2F2020" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--province", "Không Có"], "Không Có"),
        (["--province", "Lạng Sơn", "--date", "31/12/2005"], "31/12/2005"),
        (["--province", "Lạng Sơn", "--units-of", "01/01/1900"], "01/01/1900"),
        (["--province", "Lạng Sơn", "--decimals", "share=x"], "share=x"),
    ],
)
def test_bad_options_write_no_file(
    demo: DemoResult, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "bao-cao.txt"
    with pytest.raises(CommandError, match=message):
        call_command("report", "narrative", "--date", "31/12/2020", *args, "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def test_the_page_and_the_api(demo: DemoResult) -> None:
    office = next(u for u in ensure_demo_users() if u.username == "vanphong.tinh")
    client = Client()
    assert client.login(username=office.username, password=office.password)
    url = reverse("web:province_report", args=[province().pk])
    query = (
        "?date=31/12/2020&compare=30/06/2020&baseline=2011&units_of=31/12/2019&criteria=19,18"
        "&decimals=share@30/06/2020=1;average@31/12/2020=1"
    )
    response = client.get(url + query)
    page = response.content.decode()
    assert response.status_code == 200, page[-3000:]
    assert 'data-figure="meeting_units@30/06/2020">61/207</a>' in page
    assert "+9,93</a> so với năm 2011" in page
    download = client.get(url + query + "&format=txt")
    assert download["Content-Disposition"].startswith("attachment")
    assert VI[1] in download.content.decode()
    bad = client.get(url + "?date=31/12/2005")
    assert bad.status_code == 400 and "31/12/2005" in bad.content.decode()
    api = client.get(f"/api/units/{province().pk}/narrative{query}")
    assert api.status_code == 200, api.content
    body = json.loads(api.content)
    assert [x["text"] for x in body["sentences"]][:2] == VI[:2]
    figure = body["sentences"][1]["figures"][0]
    assert figure["text"] == "61/207" and figure["query"]["period"] == "2019"
