"""The narrative of a district of the time (Lạng Sơn's districts, until 30/06/2025) and of the
country, on the demo: the sentences, the English version, figures equal to the read layer's,
bad options, and the CLI, the pages (persona by persona) and the API."""

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
from ntm.demo.tests.test_narrative import OPTIONS  # the press report's options
from ntm.demo.users import ensure_demo_users
from ntm.reports.narrative import Options, ReportError, as_text, figure_url
from ntm.reports.scopes import country_narrative, district_narrative
from ntm.results.central import central_view
from ntm.results.province import province_overview
from ntm.units.models import Unit, UnitKind

TRANG_DINH = [
    "Tính đến 30/06/2020, toàn huyện có 7/21 xã đạt chuẩn nông thôn mới (33,3 %), "
    "bình quân đạt 12,81 tiêu chí/xã.",
    "Theo đơn vị hành chính cũ, toàn huyện có 7/22 xã đạt chuẩn nông thôn mới (31,82 %).",
    "Tính đến 31/12/2020, toàn huyện có 9/21 xã đạt chuẩn nông thôn mới (42,86 %), "
    "bình quân đạt 13,8 tiêu chí/xã.",
    "Đến 31/12/2020, toàn huyện có 9/21 xã được công nhận đạt chuẩn nông thôn mới (42,86 %).",
    "So với năm 2019, số xã đạt chuẩn tăng 2 xã, bình quân tiêu chí/xã: +2,95.",
    "Bình quân tiêu chí/xã đến 31/12/2020: +11,17 so với năm 2011 "
    "(bình quân +1,24 tiêu chí/xã/năm).",
    "Về từng tiêu chí: 19/21 xã đạt tiêu chí số 19 (Quốc phòng và An ninh); "
    "14/21 xã đạt tiêu chí số 18 (Hệ thống chính trị và tiếp cận pháp luật).",
    "Năm 2020, 2 xã được công nhận đạt chuẩn nông thôn mới: Xã Tân Minh, Xã Trung Thành "
    "(Quyết định số MP-2020/QĐ-UBND (mô phỏng) ngày 20/12/2020).",
    "Đến 31/12/2020, Huyện Tràng Định chưa được công nhận đạt chuẩn nông thôn mới.",
    "Đến 31/12/2020, chưa có xã nào đã được công nhận bị giảm tiêu chí.",
]
COUNTRY = [
    # The last count on the old units, said once (at the first point).
    "Theo đơn vị hành chính cũ, các tỉnh, thành phố có số liệu có 61/207 xã đạt chuẩn nông "
    "thôn mới (29,47 %).",
    "Tính đến 31/12/2020, 1/63 tỉnh, thành phố có số liệu năm 2020.",
    "Tính đến 31/12/2020, các tỉnh, thành phố có số liệu có 65/181 xã đạt chuẩn nông thôn mới "
    "(35,91 %), bình quân đạt 12,5 tiêu chí/xã.",
    "Đến 31/12/2020, các tỉnh, thành phố có số liệu có 65/181 xã được công nhận đạt chuẩn "
    "nông thôn mới (35,91 %).",
    "Bình quân tiêu chí/xã đến 31/12/2020: +9,93 so với năm 2011 (bình quân +1,1 tiêu chí/xã/năm).",
    "Tỷ lệ xã đạt chuẩn theo tỉnh, thành phố: Tỉnh Lạng Sơn 35,91 % (65/181).",
    "Số liệu tính theo đơn vị hành chính của từng năm, theo dữ liệu đến hết ngày 31/12/2020.",
]


def district(name: str) -> Unit:
    return Unit.objects.get(kind=UnitKind.DISTRICT, name=name, parent=province())


def test_the_district_sentences(demo: DemoResult) -> None:
    n = district_narrative(district("Huyện Tràng Định"), OPTIONS)
    assert [x.text for x in n.sentences] == TRANG_DINH
    assert n.title == "Kết quả xây dựng nông thôn mới huyện Tràng Định tính đến 31/12/2020"
    assert n.simulated and "Lưu ý: số liệu mô phỏng." in as_text(n)


def test_the_city_completed_its_task(demo: DemoResult) -> None:
    n = district_narrative(district("Thành phố Lạng Sơn"), replace(OPTIONS, criteria=(19,)))
    texts = [x.text for x in n.sentences]
    assert texts[2].startswith("Tính đến 31/12/2020, toàn thành phố có 3/3 xã đạt chuẩn")
    assert (
        "Thành phố Lạng Sơn hoàn thành nhiệm vụ xây dựng nông thôn mới năm 2017 "
        "(Quyết định số MP-2017/QĐ-TTg (mô phỏng) ngày 15/01/2018)."
    ) in texts
    assert "Năm 2020, chưa có xã nào được công nhận đạt chuẩn nông thôn mới." in texts


def test_the_district_figures_are_its_row_on_the_province_page(demo: DemoResult) -> None:
    d = district("Huyện Tràng Định")
    o = province_overview(province(), period=2020, as_of=dt.date(2020, 12, 31))
    row = next(g for g in o.statistics.children if g.unit == str(d.pk))
    n = district_narrative(d, replace(OPTIONS, compare=(), units_of=None))
    by = {f.key: f for f in n.figures}
    f = row.figures
    assert by["meeting@31/12/2020"].text == f"{f.meeting}/{f.communes}"
    trace = by["meeting@31/12/2020"].trace
    assert (trace.province, trace.district, trace.as_of) == (province().pk, d.pk, OPTIONS.day)
    url = figure_url(trace)
    assert url.startswith(reverse("web:province", args=[province().pk]) + "?period=2020")
    assert url.endswith("#h-children")
    assert "Huyện Tràng Định (Tỉnh Lạng Sơn); năm 2020;" in as_text(n)


def test_the_district_in_english(demo: DemoResult) -> None:
    n = district_narrative(district("Huyện Tràng Định"), replace(OPTIONS, lang="en"))
    texts = [x.text for x in n.sentences]
    assert texts[2] == (
        "As of 31/12/2020, 9/21 communes of the district met the new rural standard (42,86 %), "
        "with 13,8 criteria met per commune on average."
    )
    assert (
        "Since 2019, the number of communes at the standard rose by 2 communes; average criteria "
        "per commune: +2,95."
    ) in texts
    assert "By 31/12/2020, Huyện Tràng Định had not been recognised at the standard." in texts
    assert n.title == "New rural development in Huyện Tràng Định as of 31/12/2020"


def test_the_country_sentences(demo: DemoResult) -> None:
    n = country_narrative(replace(OPTIONS, criteria=None))
    texts = [x.text for x in n.sentences]
    assert texts[0] == "Tính đến 30/06/2020, 1/63 tỉnh, thành phố có số liệu năm 2020."
    assert [t for t in texts if t in COUNTRY] == COUNTRY
    assert n.title == "Kết quả xây dựng nông thôn mới toàn quốc tính đến 31/12/2020"
    # The press figures of the only province reporting, from the central view.
    row = next(r for r in central_view(period=2020, as_of=OPTIONS.day).rows if r.evaluated)
    assert (row.meeting, row.communes) == (65, 181)
    by = {f.key: f for f in n.figures}
    assert figure_url(by["meeting@31/12/2020"].trace).startswith(reverse("web:central"))
    lang_son = by[f"share_province_{province().pk}@31/12/2020"].trace
    assert figure_url(lang_son).startswith(reverse("web:province", args=[province().pk]))


def test_the_country_in_english(demo: DemoResult) -> None:
    n = country_narrative(Options(day=dt.date(2020, 12, 31), lang="en"))
    texts = [x.text for x in n.sentences]
    assert texts[:2] == [
        "As of 31/12/2020, 1/63 provinces had data for 2020.",
        "As of 31/12/2020, 65/181 communes of the provinces reporting met the new rural standard "
        "(35,91 %), with 12,50 criteria met per commune on average.",
    ]
    assert "Share at the standard by province: Tỉnh Lạng Sơn 35,91 % (65/181)." in texts


def test_bad_options(demo: DemoResult) -> None:
    trang_dinh = district("Huyện Tràng Định")
    with pytest.raises(
        ReportError,
        match="Huyện Tràng Định không còn tồn tại vào ngày 31/12/2025: đơn vị này chấm dứt "
        "hoạt động ngày 30/06/2025",
    ):
        district_narrative(trang_dinh, Options(day=dt.date(2025, 12, 31)))
    with pytest.raises(ReportError, match="did not exist on 31/12/2025: it ended on 30/06/2025"):
        district_narrative(trang_dinh, Options(day=dt.date(2025, 12, 31), lang="en"))
    with pytest.raises(ReportError, match="31/12/2005"):
        district_narrative(trang_dinh, Options(day=dt.date(2005, 12, 31)))
    with pytest.raises(ReportError, match="01/01/1900"):
        district_narrative(trang_dinh, replace(OPTIONS, units_of=dt.date(1900, 1, 1)))
    with pytest.raises(ReportError, match="99"):
        district_narrative(trang_dinh, replace(OPTIONS, criteria=(99,)))
    with pytest.raises(ReportError, match="không phải là đơn vị cấp huyện"):
        district_narrative(province(), OPTIONS)
    with pytest.raises(ReportError, match="31/12/2005"):
        country_narrative(Options(day=dt.date(2005, 12, 31)))
    with pytest.raises(ReportError, match="01/01/1900"):
        country_narrative(replace(OPTIONS, criteria=None, units_of=dt.date(1900, 1, 1)))
    with pytest.raises(ReportError, match="để trống ô tiêu chí"):
        country_narrative(OPTIONS)


def test_the_command(demo: DemoResult, tmp_path: Path) -> None:
    out = tmp_path / "huyen.txt"
    call_command(
        "report", "narrative", "--district", "Tràng Định", "--date", "31/12/2020",
        "--compare", "30/06/2020", "--baseline", "2011", "--units-of", "31/12/2019",
        "--criteria", "19,18", "--decimals", "share@30/06/2020=1",
        "--decimals", "average@31/12/2020=1", "--out", str(out),
    )  # fmt: skip
    text = out.read_text("utf-8")
    assert all(sentence in text for sentence in TRANG_DINH)
    country = tmp_path / "toan-quoc.html"
    call_command(
        "report", "narrative", "--country", "--date", "31/12/2020", "--lang", "en",
        "--out", str(country),
    )  # fmt: skip
    assert 'data-figure="meeting@31/12/2020">65/181</a>' in country.read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--district", "Không Có"], "Không Có"),
        (["--district", "Tràng Định", "--date", "31/12/2025"], "30/06/2025"),
        (["--district", "Tràng Định", "--date", "31/12/2005"], "31/12/2005"),
        (["--district", "Tràng Định", "--units-of", "01/01/1900"], "01/01/1900"),
        (["--country", "--date", "31/12/2005"], "31/12/2005"),
        (["--country", "--units-of", "01/01/1900"], "01/01/1900"),
        (["--country", "--decimals", "share=x"], "share=x"),
    ],
)
def test_bad_options_write_no_file(
    demo: DemoResult, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "bao-cao.txt"
    if "--date" not in args:
        args = [*args, "--date", "31/12/2020"]
    with pytest.raises(CommandError, match=message):
        call_command("report", "narrative", *args, "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def _client(username: str) -> Client:
    user = next(u for u in ensure_demo_users() if u.username == username)
    client = Client()
    assert client.login(username=user.username, password=user.password)
    return client


QUERY = "?date=31/12/2020&compare=30/06/2020&baseline=2011&units_of=31/12/2019"


def test_the_district_page_and_api(demo: DemoResult) -> None:
    d = district("Huyện Tràng Định")
    url = reverse("web:district_report", args=[d.pk])
    office = _client("vanphong.tinh")
    overview = office.get(reverse("web:province", args=[province().pk]))
    assert f'href="{url}"' in overview.content.decode()
    form = office.get(url)
    assert form.status_code == 200 and 'name="criteria"' in form.content.decode()
    page = office.get(url + QUERY + "&criteria=19,18&decimals=share@30/06/2020=1")
    assert page.status_code == 200
    assert 'data-figure="meeting_units@30/06/2020">7/22</a>' in page.content.decode()
    download = office.get(url + QUERY + "&format=txt")
    assert download["Content-Disposition"].startswith("attachment")
    assert TRANG_DINH[1] in download.content.decode()
    bad = office.get(url + "?date=31/12/2025")
    assert bad.status_code == 400 and "30/06/2025" in bad.content.decode()
    api = office.get(f"/api/units/{d.pk}/narrative{QUERY}")
    assert api.status_code == 200, api.content
    body = json.loads(api.content)
    assert [x["text"] for x in body["sentences"]][1] == TRANG_DINH[1]
    bad_api = office.get(f"/api/units/{d.pk}/narrative?date=31/12/2025")
    assert bad_api.status_code == 422 and "30/06/2025" in bad_api.json()["detail"]
    # A commune's officer reads neither the district's report nor its API.
    officer = _client("canbo.xa")
    assert officer.get(url + QUERY).status_code == 404
    assert officer.get(f"/api/units/{d.pk}/narrative{QUERY}").status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_the_country_page_and_api(demo: DemoResult) -> None:
    url = reverse("web:country_report")
    central = _client("trunguong")
    assert f'href="{url}"' in central.get(reverse("web:central")).content.decode()
    form = central.get(url)
    assert form.status_code == 200 and 'name="criteria"' not in form.content.decode()
    page = central.get(url + QUERY)
    assert page.status_code == 200
    assert 'data-figure="meeting_units@30/06/2020">61/207</a>' in page.content.decode()
    assert central.get(url + "?date=31/12/2005").status_code == 400
    api = central.get(f"/api/country/narrative{QUERY}&lang=en")
    assert api.status_code == 200, api.content
    assert json.loads(api.content)["title"] == "New rural development in Viet Nam as of 31/12/2020"
    # The province office reads its province, not the country.
    office = _client("vanphong.tinh")
    assert office.get(url + QUERY).status_code == 403
    assert office.get(f"/api/country/narrative{QUERY}").status_code == 403


def test_the_re_based_district(demo: DemoResult) -> None:
    """On the units of a later date while the district still existed: re-based, traced so."""
    n = district_narrative(
        district("Huyện Tràng Định"),
        Options(day=dt.date(2020, 6, 30), units_of=dt.date(2024, 12, 31)),
    )
    other = next(x for x in n.sentences if x.key == "other_units")
    assert other.text.startswith("Theo đơn vị hành chính mới, toàn huyện có ")
    assert other.figures[0].trace.onto == dt.date(2024, 12, 31)
    assert other.figures[0].trace.query()["geography"] == "rebased"
