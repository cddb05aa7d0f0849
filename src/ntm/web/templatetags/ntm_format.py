"""Template filters for the Vietnamese number and date style, in every interface language.

Numbers go through `ntm.vn.numbers` so a page shows exactly what a report prints.
Usage: `{% load ntm_format %}` then `{{ d|vn_date }}`, `{{ x|vn_number:1 }}`,
`{{ change|vn_signed }}`, `{% vn_percent met total %}`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.vn.dates import format_date, format_datetime
from ntm.vn.numbers import format_measured, format_number, format_percent, format_signed

register = template.Library()

Number = Fraction | Decimal | float | int


@register.filter
def vn_date(value: dt.date | None) -> str:
    """30/06/2020; a datetime is shown in local time with hours and minutes; None is "—"."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return format_datetime(value)
    return format_date(value)


@register.filter
def vn_number(value: Number | None, decimals: int = 0) -> str:
    return format_number(value, int(decimals))


@register.filter
def vn_measured(value: float | None) -> str:
    """A threshold as the law writes it: 45,5; 12; "—" for none."""
    return "—" if value is None else format_measured(value)


@register.filter
def vn_signed(value: Number | None, decimals: int = 2) -> str:
    return "—" if value is None else format_signed(value, int(decimals))


@register.simple_tag
def vn_percent(numerator: int, denominator: int) -> str:
    return format_percent(numerator, denominator)


@register.filter
def vn_cell(value: Number | str | bool | None) -> str:
    """A cell of a downloadable table (`ntm.web.exports.Table`) as the page shows it: whole
    numbers as 3.324, others with two decimals (27,10), yes/no, "—" for none."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, Fraction | Decimal | float):
        return format_number(value, 2)
    return "—" if value is None else value


@register.filter
def cell_class(value: object) -> str:
    """ "num" for a number cell (right-aligned, as on every table of the pages)."""
    return "num" if isinstance(value, Number) and not isinstance(value, bool) else ""
