"""The narrative's sentences from figures: grammar of zero and one, dates, number style,
precision per figure, and the query behind each figure."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from ntm.reports import sentences as s
from ntm.vn.numbers import PercentStyle

pytestmark = pytest.mark.pure

DAY = dt.date(2020, 6, 30)
TRACE = s.Trace(province=7, province_name="Tỉnh Lạng Sơn", period=2020, set_id="set", as_of=DAY)


def test_communes_zero_one_many() -> None:
    assert [s.communes(n, "vi") for n in (0, 1, 3324)] == ["chưa có xã nào", "1 xã", "3.324 xã"]
    assert [s.communes(n, "en") for n in (0, 1, 2)] == ["no commune", "1 commune", "2 communes"]


def test_standing_in_the_office_style() -> None:
    precision = s.Precision(figures={"share@30/06/2020": PercentStyle(1)})
    x = s.standing(DAY, 49, 181, Fraction(2089, 181), TRACE, precision, "vi")
    assert x.text == (
        "Tính đến 30/06/2020, toàn tỉnh có 49/181 xã đạt chuẩn nông thôn mới (27,1 %), "
        "bình quân đạt 11,54 tiêu chí/xã."
    )
    assert [f.key for f in x.figures] == [
        "meeting@30/06/2020",
        "share@30/06/2020",
        "average@30/06/2020",
    ]
    # By default 2 decimals, rounded.
    assert "(27,07 %)" in s.standing(DAY, 49, 181, None, TRACE, s.Precision(), "vi").text


def test_standing_with_no_commune_at_the_standard() -> None:
    vi = s.standing(DAY, 0, 181, None, TRACE, s.Precision(), "vi").text
    assert vi == "Tính đến 30/06/2020, toàn tỉnh chưa có xã nào đạt chuẩn nông thôn mới (0/181 xã)."
    en = s.standing(DAY, 0, 181, None, TRACE, s.Precision(), "en").text
    assert (
        en == "As of 30/06/2020, no commune of the province met the new rural standard "
        "(0/181 communes)."
    )


def test_recognised_zero_and_truncated() -> None:
    zero = s.recognised(DAY, 0, 181, TRACE, s.Precision(), "vi").text
    assert (
        zero == "Đến 30/06/2020, toàn tỉnh chưa có xã nào được công nhận đạt chuẩn nông thôn mới."
    )
    cut = s.Precision(share=PercentStyle(1, "truncate"))
    assert "(35,9 %)" in s.recognised(DAY, 65, 181, TRACE, cut, "vi").text


def test_since_baseline_and_per_year() -> None:
    x = s.since_baseline(
        dt.date(2020, 12, 31), Fraction(993, 100), 2011, 9, TRACE, s.Precision(), "vi"
    )
    assert x.text == (
        "Bình quân tiêu chí/xã đến 31/12/2020: +9,93 so với năm 2011 "
        "(bình quân +1,1 tiêu chí/xã/năm)."
    )


def test_decided_one_and_none() -> None:
    one = s.decided(
        2018, [s.Decision("2165/QĐ-UBND", dt.date(2018, 12, 5), ("Xã Bính Xá",))], TRACE, "vi"
    )
    assert one.text == (
        "Năm 2018, 1 xã được công nhận đạt chuẩn nông thôn mới: "
        "Xã Bính Xá (Quyết định số 2165/QĐ-UBND ngày 05/12/2018)."
    )
    assert (
        s.decided(2018, [], TRACE, "en").text
        == "In 2018, no commune was recognised at the standard."
    )


def test_slipping_lists_the_criteria_lost() -> None:
    x = s.slipping(DAY, [s.Slip("Xã A", (5, 17))], TRACE, "vi")
    assert x.text == (
        "Đến 30/06/2020, có 1 xã đã được công nhận nhưng không còn đạt đủ tiêu chí: "
        "Xã A (tiêu chí 5, 17)."
    )


def test_the_query_and_the_note_of_a_figure() -> None:
    t = s.Trace(
        7, "Tỉnh Lạng Sơn", 2020, "set", ("lang-son-2019",), DAY, dt.date(2019, 12, 31), True, 2011
    )
    assert t.query() == {
        "period": "2020",
        "set": "set",
        "baseline": "2011",
        "as_of": "30/06/2020",
        "geography": "rebased",
        "approved_only": "1",
    }
    assert t.note("vi") == (
        "Tỉnh Lạng Sơn; năm 2020; bộ tiêu chí set; quyết định của tỉnh: lang-son-2019; "
        "đơn vị hành chính ngày 31/12/2019; tính đến 30/06/2020; năm gốc 2011; chỉ xã đã duyệt"
    )


def test_precision_options() -> None:
    p = s.parse_precision(["share=1", "average@31/12/2020=1"], ["change"])
    assert p.of("share", "share@30/06/2020") == PercentStyle(1)
    assert p.of("average", "average@31/12/2020") == PercentStyle(1)
    assert p.of("average", "average@30/06/2020") == PercentStyle(2)
    assert p.of("change", "change@2011") == PercentStyle(2, "truncate")
    for bad in (["share=x"], ["ratio=2"], ["share=9"], ["share"]):
        with pytest.raises(ValueError, match="Độ chính xác không hợp lệ"):
            s.parse_precision(bad)
    with pytest.raises(ValueError, match="ratio"):
        s.parse_precision([], ["ratio"])


def test_the_place_of_a_district_and_of_the_country() -> None:
    assert s.district_place("Huyện Tràng Định") == s.Place("toàn huyện", "the district")
    assert s.district_place("Thành phố Lạng Sơn") == s.Place("toàn thành phố", "the city")
    assert s.district_place("Thị xã Sơn Tây").vi == "toàn thị xã"
    city = s.district_place("Thành phố Lạng Sơn")
    x = s.standing(DAY, 0, 3, None, TRACE, s.Precision(), "vi", city)
    assert (
        x.text
        == "Tính đến 30/06/2020, toàn thành phố chưa có xã nào đạt chuẩn nông thôn mới (0/3 xã)."
    )
    y = s.recognised(DAY, 1, 4, TRACE, s.Precision(), "en", s.REPORTING)
    assert y.text.startswith("By 30/06/2020, 1/4 communes of the provinces reporting had been")


def test_the_change_since_the_previous_year_zero_one_many() -> None:
    p = s.Precision()
    same = s.since_previous(2019, 0, Fraction(0), TRACE, p, "vi")
    assert same.text == "So với năm 2019, số xã đạt chuẩn không đổi, bình quân tiêu chí/xã: 0."
    down = s.since_previous(2019, -1, Fraction(-1, 3), TRACE, p, "vi")
    assert down.text == "So với năm 2019, số xã đạt chuẩn giảm 1 xã, bình quân tiêu chí/xã: -0,33."
    up = s.since_previous(2019, 1, None, TRACE, p, "en")
    assert up.text == "Since 2019, the number of communes at the standard rose by 1 commune."
    assert [f.key for f in up.figures] == ["meeting_change@2019"]


def test_a_district_not_yet_recognised() -> None:
    assert s.not_completed("Huyện Bình Gia", DAY, "vi").text == (
        "Đến 30/06/2020, Huyện Bình Gia chưa được công nhận đạt chuẩn nông thôn mới."
    )
    assert s.not_completed("Thành phố Lạng Sơn", DAY, "vi").text == (
        "Đến 30/06/2020, Thành phố Lạng Sơn chưa được công nhận hoàn thành nhiệm vụ xây dựng "
        "nông thôn mới."
    )


def test_the_provinces_reporting_and_by_share() -> None:
    national = s.Trace(province=0, province_name="", period=2020, set_id="set", national=True)
    assert s.reporting(DAY, 2020, 2, 63, national, "vi").text == (
        "Tính đến 30/06/2020, 2/63 tỉnh, thành phố có số liệu năm 2020."
    )
    assert national.note("vi").startswith("toàn quốc (các tỉnh có số liệu); năm 2020")
    shares = [
        s.ProvinceShare(7, "Tỉnh Lạng Sơn", 65, 181, TRACE),
        s.ProvinceShare(8, "Tỉnh Cao Bằng", 1, 3, TRACE),
    ]
    precision = s.parse_precision(["share=1"])
    x = s.by_province(DAY, shares, precision, "vi")
    assert x.text == (
        "Tỷ lệ xã đạt chuẩn theo tỉnh, thành phố: Tỉnh Lạng Sơn 35,9 % (65/181); "
        "Tỉnh Cao Bằng 33,3 % (1/3)."
    )
    assert [f.key for f in x.figures][:2] == [
        "share_province_7@30/06/2020",
        "meeting_province_7@30/06/2020",
    ]
