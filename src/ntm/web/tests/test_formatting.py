from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.template import Context, Template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from ntm.web.templatetags.ntm_format import vn_date, vn_number, vn_signed


def test_dates_are_dd_mm_yyyy() -> None:
    assert vn_date(dt.date(2020, 6, 30)) == "30/06/2020"
    assert vn_date(None) == "—"
    moment = dt.datetime(2020, 6, 30, 17, 5, tzinfo=dt.UTC)
    assert vn_date(moment) == "01/07/2020 00:05"  # shown in Asia/Ho_Chi_Minh
    assert timezone.get_current_timezone_name() == "Asia/Ho_Chi_Minh"


def test_numbers_use_the_vietnamese_style() -> None:
    assert vn_number(3324) == "3.324"
    assert vn_number(Decimal("12.5"), 1) == "12,5"
    assert vn_number(None) == "—"
    assert vn_signed(Fraction(993, 100)) == "+9,93"
    assert vn_signed(None) == "—"
    html = Template("{% load ntm_format %}{% vn_percent 49 181 %}|{{ x|vn_number:2 }}").render(
        Context({"x": 11.54})
    )
    assert html == "27,07 %|11,54"


def test_django_formats_are_vietnamese_in_both_languages() -> None:
    for lang in ("vi", "en"):
        with override(lang):
            assert date_format(dt.date(2020, 6, 30), "SHORT_DATE_FORMAT") == "30/06/2020"
            assert date_format(dt.date(2020, 6, 30)) == "30/06/2020"
            assert Template("{{ x }}").render(Context({"x": 12.5})) == "12,5"
