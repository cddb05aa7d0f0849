"""Public pages (Open SDG's model): read-only, no login, approved data only.

A national page, a page per province and a page per criterion, each with a chart, the table
behind it (the CSV and Excel downloads are that table: `ntm.web.exports`), the map where the
province's communes can be drawn, and a line saying as of when and on which units. Figures
come from `ntm.results.public` (`approved_only` always); a simulated province is shown
labelled "dữ liệu mô phỏng", never as official. Nothing here links to a signed-in page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ntm.results import maps, public
from ntm.results.query import ChoiceError, parse_year
from ntm.units.models import Unit, UnitKind
from ntm.vn.dates import format_date
from ntm.vn.numbers import format_number, format_percent
from ntm.web import charts, exports
from ntm.web.inputs import language
from ntm.web.views_dashboards import (
    basis_label,
    central_basis_label,
    invalid_choice,
    province_charts,
)


def _read_on() -> str:
    return _("Approved data only, read on %(day)s.") % {"day": format_date(timezone.localdate())}


def _shown(table: exports.Table, links: Sequence[str] = ()) -> dict[str, Any]:
    """A table for `web/_public_table.html`: its rows, each with the link of its first cell."""
    padded = list(links) + [""] * (len(table.rows) - len(links))
    return {"table": table, "rows": list(zip(table.rows, padded, strict=True))}


def _years(periods: Sequence[int], shown: int) -> list[tuple[int, str]]:
    """Links to the other years with a record (the year's own set)."""
    return [(y, f"?period={y}") for y in periods if y != shown]


def _period(request: HttpRequest) -> int | None:
    return parse_year(request.GET.get("period"), name=_("The year"))


@require_GET
def national(request: HttpRequest) -> HttpResponse:
    try:
        fmt = exports.requested_format(request)
        view = public.national(period=_period(request), set_id=request.GET.get("set") or None)
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("public:national"))
    table = exports.public_national_table(view)
    if fmt is not None:
        return exports.respond(fmt, f"cong-khai-toan-quoc-{view.period}", [table])
    chart = charts.bar_chart(
        [
            (
                r.province.name,
                float(r.percent or 0),
                format_percent(r.meeting, r.communes) if r.evaluated else "—",
                _("%(name)s: %(x)s of %(y)s communes at the standard")
                % {
                    "name": r.province.name,
                    "x": format_number(r.meeting),
                    "y": format_number(r.communes),
                },
            )
            for r in view.rows
        ],
        maximum=100.0,
    )
    links = [reverse("public:province", args=[r.province.id]) for r in view.rows]
    return render(
        request,
        "web/public_national.html",
        {
            "v": view,
            "chart": chart,
            "shown": _shown(table, links),
            "basis_label": central_basis_label(view),
            "read_on": _read_on(),
            "criteria": [(c.number, c.name_vi) for c in view.cset.criteria],
            "downloads": exports.download_links(request),
            "period": view.period,
            "years": _years(view.periods, view.period),
        },
    )


@require_GET
def province(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk, kind=UnitKind.PROVINCE)
    try:
        fmt = exports.requested_format(request)
        o = public.province(
            unit,
            period=_period(request),
            set_id=request.GET.get("set") or None,
            language=language(),
        )
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("public:province", args=[pk]))
    tables = exports.public_province_tables(o, language())
    if fmt is not None:
        return exports.respond(fmt, f"cong-khai-tinh-{unit.code or unit.pk}-{o.period}", tables)
    drawing = maps.draw(maps.map_entries(o, {}), maps.latest_boundaries(unit))
    charts_of = province_charts(o)
    return render(
        request,
        "web/public_province.html",
        {
            "unit": unit,
            "o": o,
            # Each table under the chart of the same figures.
            "sections": list(
                zip(
                    [_shown(t) for t in tables],
                    [charts_of["criteria_chart"], charts_of["bands_chart"]],
                    strict=True,
                )
            ),
            "basis_label": basis_label(o),
            "read_on": _read_on(),
            "drawing": drawing,
            "band_colours": list(zip(o.cset.bands, maps.band_colours(o.cset.bands), strict=True)),
            "no_data_colour": maps.NO_DATA,
            "downloads": exports.download_links(request),
            "years": _years(o.periods, o.period),
        },
    )


@require_GET
def criterion(request: HttpRequest, number: int) -> HttpResponse:
    try:
        fmt = exports.requested_format(request)
        view = public.criterion(
            number,
            period=_period(request),
            set_id=request.GET.get("set") or None,
            language=language(),
        )
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("public:national"))
    table = exports.public_criterion_table(view)
    if fmt is not None:
        return exports.respond(fmt, f"cong-khai-tieu-chi-{number}-{view.national.period}", [table])
    chart = charts.bar_chart(
        [
            (
                r.province.name,
                float(r.met),
                format_number(r.met),
                _("%(name)s: %(met)s of %(all)s communes")
                % {
                    "name": r.province.name,
                    "met": format_number(r.met),
                    "all": format_number(r.communes),
                },
            )
            for r in view.rows
        ],
        maximum=float(max((r.communes for r in view.rows), default=1) or 1),
    )
    links = [reverse("public:province", args=[r.province.id]) for r in view.rows]
    return render(
        request,
        "web/public_criterion.html",
        {
            "c": view,
            "v": view.national,
            "chart": chart,
            "shown": _shown(table, links),
            "basis_label": central_basis_label(view.national),
            "read_on": _read_on(),
            "downloads": exports.download_links(request),
            "years": _years(view.national.periods, view.national.period),
        },
    )
