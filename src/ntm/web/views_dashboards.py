"""The province overview, its map, the commune page and the central view.

Permissions as for every page: a unit outside the user's scope is a 404
(`get_visible_unit_or_404`), the central view is a 403 for anyone who does not read the whole
country. A period, set or geography that cannot be shown is a 400 that says why.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ntm.accounts import permissions
from ntm.results import maps
from ntm.results.central import CentralView, central_view
from ntm.results.commune import commune_view
from ntm.results.disagreements import disagreements as disagreements_of
from ntm.results.province import ProvinceOverview, province_overview
from ntm.results.query import ChoiceError, parse_day, parse_flag, parse_geography, parse_year
from ntm.units.models import Unit, UnitKind
from ntm.units.search import links_of
from ntm.values.models import Evidence
from ntm.vn.dates import format_date
from ntm.vn.numbers import format_number, format_percent
from ntm.web import charts, exports, geo
from ntm.web.views import get_visible_unit_or_404
from ntm.web.views_recognition import unit_recognitions

_PAGE_OF_KIND = {UnitKind.PROVINCE: "web:province", UnitKind.COMMUNE: "web:commune"}


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def optional_url(name: str, *args: Any) -> str:
    """The URL of a route another package may not provide (yet); "" when it does not."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def ancestors_of(request: HttpRequest, unit: Unit) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    node = unit.parent
    while node is not None:
        name = _PAGE_OF_KIND.get(UnitKind(node.kind))
        linked = name is not None and permissions.can_view(request.user, node)
        out.insert(
            0, {"unit": node, "url": reverse(name, args=[node.pk]) if name and linked else ""}
        )
        node = node.parent
    return out


def invalid_choice(request: HttpRequest, error: ChoiceError, back: str) -> HttpResponse:
    return render(
        request, "web/province_invalid.html", {"error": str(error), "back": back}, status=400
    )


def as_of_label(as_of: dt.date | None) -> str:
    """ "tính đến 30/06/2020", or the live record."""
    if as_of is None:
        return _("live record")
    return _("as of %(day)s") % {"day": format_date(as_of)}


def approval_label(approved: int, in_scope: int, approved_only: bool) -> str:
    """ "đã duyệt X/Y xã", and whether only those are counted."""
    done = _("approved: %(x)s/%(y)s communes") % {
        "x": format_number(approved),
        "y": format_number(in_scope),
    }
    if not approved_only:
        return done
    return _("%(done)s; only approved communes counted, %(n)s not yet approved") % {
        "done": done,
        "n": format_number(in_scope - approved),
    }


def basis_label(overview: ProvinceOverview) -> str:
    """What every figure of the overview and the map is counted on: geography, the moment
    the record is read at, and approval."""
    if overview.onto is None:
        geography = _("As recorded: each year on the administrative units of that year.")
    else:
        geography = _("Re-based onto the administrative units of %(day)s.") % {
            "day": format_date(overview.onto)
        }
    moment = as_of_label(overview.as_of)
    if overview.as_of is not None:
        moment = _("%(as_of)s (other years at their end)") % {"as_of": moment}
    approval = approval_label(overview.approved, overview.in_scope, overview.approved_only)
    return f"{geography} {capfirst(moment)}; {approval}."


def parse_moment(request: HttpRequest) -> tuple[dt.date | None, bool]:
    """The `as_of` and `approved_only` query parameters (ChoiceError when malformed)."""
    q = request.GET
    return (
        parse_day(q.get("as_of"), name=_("The as-of date")),
        parse_flag(q.get("approved_only"), name=_("approved_only")),
    )


# ---------------------------------------------------------------------------- province


def _overview(request: HttpRequest, unit: Unit) -> ProvinceOverview:
    q = request.GET
    as_of, approved_only = parse_moment(request)
    return province_overview(
        unit,
        period=parse_year(q.get("period"), name=_("The year")),
        baseline=parse_year(q.get("baseline"), name=_("The baseline year")),
        set_id=q.get("set") or None,
        geography=parse_geography(q.get("geography")),
        language=_language(),
        as_of=as_of,
        approved_only=approved_only,
    )


def province_charts(o: ProvinceOverview) -> dict[str, Any]:
    f = o.figures
    bands = o.cset.bands
    criteria_rows = [
        (
            str(c.criterion),
            float(c.met),
            format_number(c.met),
            _("Criterion %(n)s (%(name)s): %(met)s of %(all)s communes")
            % {
                "n": c.criterion,
                "name": o.criterion_names.get(c.criterion, ""),
                "met": format_number(c.met),
                "all": format_number(f.evaluated),
            },
        )
        for c in f.criteria
    ]
    colours = maps.band_colours(bands)
    band_chart = charts.bar_chart(
        [
            (
                b.band.label_vi if _language() == "vi" else b.band.label_en,
                float(b.count),
                format_number(b.count),
                f"{b.band.label_vi}: {format_number(b.count)}",
            )
            for b in f.bands
        ],
        maximum=float(max((b.count for b in f.bands), default=0)),
    )
    band_chart = charts.BarChart(
        band_chart.width,
        band_chart.height,
        band_chart.label_width,
        band_chart.bar_height,
        tuple(
            charts.Bar(b.label, b.title, b.text, b.y, b.width, colours[i])
            for i, b in enumerate(band_chart.bars)
        ),
    )
    trend = charts.column_chart(
        [
            (
                str(t.period),
                float(t.figures.meeting_percent or 0),
                format_percent(t.figures.meeting, t.figures.communes),
                _("%(year)s: %(x)s of %(y)s communes at the standard")
                % {
                    "year": t.period,
                    "x": format_number(t.figures.meeting),
                    "y": format_number(t.figures.communes),
                },
            )
            for t in o.trend
        ],
        maximum=100.0,
        line=[
            float(t.figures.average_met) if t.figures.average_met is not None else None
            for t in o.trend
        ],
        line_maximum=float(len(o.cset.criteria)),
    )
    return {
        "criteria_chart": charts.bar_chart(criteria_rows, maximum=float(max(f.evaluated, 1))),
        "bands_chart": band_chart,
        "band_colours": list(zip(f.bands, colours, strict=True)),
        "trend_chart": trend,
    }


@login_required
@require_GET
def province(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    try:
        fmt = exports.requested_format(request)
        o = _overview(request, unit)
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("web:province", args=[pk]))
    if fmt is not None:
        name = f"tinh-{unit.code or unit.pk}-{o.period}"
        return exports.respond(fmt, name, exports.province_tables(o, _language()))
    f = o.figures
    total = len(o.cset.criteria)
    return render(
        request,
        "web/province.html",
        {
            "unit": unit,
            "ancestors": ancestors_of(request, unit),
            "o": o,
            "f": f,
            "total_criteria": total,
            "basis_label": basis_label(o),
            "previous": o.statistics.total.previous,
            "baseline_change": o.statistics.total.baseline,
            "children": o.statistics.children,
            "criteria_rows": [(c, o.criterion_names.get(c.criterion, "")) for c in f.criteria],
            "query": request.GET.urlencode(),
            "downloads": exports.download_links(request),
            "can_upload": permissions.can_approve(request.user, unit),
            **province_charts(o),
        },
    )


@login_required
@require_GET
def disagreements(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a declaration differs from the computed result, in a province and year; the
    province office decides each one from here."""
    unit = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    try:
        d = disagreements_of(
            unit,
            period=parse_year(request.GET.get("period"), name=_("The year")),
            set_id=request.GET.get("set") or None,
            language=_language(),
        )
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("web:disagreements", args=[pk]))
    return render(
        request,
        "web/disagreements.html",
        {
            "unit": unit,
            "ancestors": ancestors_of(request, unit),
            "d": d,
            "can_decide": permissions.can_decide(request.user, unit),
        },
    )


def viewable(request: HttpRequest, pks: Iterable[int]) -> set[int]:
    """The units the user may open: `permissions.can_view` for many units at once (one query
    per reference date instead of several per unit)."""
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for u in Unit.objects.filter(pk__in=list(pks)).only("pk", "valid_from", "valid_to"):
        by_day[permissions.reference_date(u)].append(u.pk)
    return {
        pk
        for day, pks in by_day.items()
        for pk in permissions.visible_units(request.user, day)
        .filter(pk__in=pks)
        .values_list("pk", flat=True)
    }


def _commune_urls(o: ProvinceOverview) -> dict[int, str]:
    """Each commune's page, reversed once per request: the map and its table both link it
    (a reversal costs some 40 µs, and a province has hundreds of communes)."""
    return {p.unit.id: reverse("web:commune", args=[p.unit.id]) for p in o.points}


@login_required
def province_map(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    can_upload = permissions.can_approve(request.user, unit)
    problems: list[str] = []
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        upload = request.FILES.get("boundaries")
        if upload is None:
            problems = [_("Choose a GeoJSON file to upload.")]
        else:
            try:
                row = geo.upload_boundaries(unit, upload, acting_user=request.user)  # type: ignore[arg-type]
            except geo.BoundaryError as e:
                problems = e.problems
            else:
                messages.success(
                    request,
                    _("Boundaries of %(n)s communes saved.") % {"n": format_number(row.matched)},
                )
                return redirect(reverse("web:province_map", args=[pk]))
    try:
        fmt = exports.requested_format(request) if request.method == "GET" else None
        o = _overview(request, unit)
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("web:province_map", args=[pk]))
    if fmt is not None:
        name = f"ban-do-{unit.code or unit.pk}-{o.period}"
        return exports.respond(fmt, name, [exports.map_table(o)])
    boundaries = maps.latest_boundaries(unit)
    urls = _commune_urls(o)
    shown = viewable(request, urls)
    return render(
        request,
        "web/map.html",
        {
            "unit": unit,
            "ancestors": ancestors_of(request, unit),
            "o": o,
            "basis_label": basis_label(o),
            "drawing": maps.draw(maps.map_entries(o, {k: urls[k] for k in shown}), boundaries),
            "points": [(p, urls[p.unit.id]) for p in o.points],
            "boundaries": boundaries,
            "band_colours": list(zip(o.cset.bands, maps.band_colours(o.cset.bands), strict=True)),
            "no_data_colour": maps.NO_DATA,
            "can_upload": can_upload,
            "problems": problems,
            "max_bytes": geo.max_bytes(),
            "query": request.GET.urlencode(),
            "downloads": exports.download_links(request),
        },
        status=400 if problems else 200,
    )


# ---------------------------------------------------------------------------- commune


@login_required
@require_GET
def commune(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit_or_404(request, pk, UnitKind.COMMUNE)
    q = request.GET
    try:
        fmt = exports.requested_format(request)
        as_of, approved_only = parse_moment(request)
        view = commune_view(
            unit,
            period=parse_year(q.get("period"), name=_("The year")),
            set_id=q.get("set") or None,
            language=_language(),
            as_of=as_of,
            approved_only=approved_only,
        )
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("web:commune", args=[pk]))
    if fmt is not None:
        name = f"xa-{unit.code or unit.pk}-{view.period}"
        return exports.respond(fmt, name, exports.commune_tables(view))
    became, formed_from = links_of([unit])
    neighbours = [*became.get(unit.pk, ()), *formed_from.get(unit.pk, ())]
    shown = viewable(request, [k.unit.pk for k in neighbours])
    evidence = [
        (e, optional_url("values:evidence_file", e.pk))
        for e in Evidence.objects.filter(value__unit=unit, value__period=view.period)
        .select_related("value", "uploaded_by")
        .order_by("value__measure", "uploaded_at", "pk")
    ]
    return render(
        request,
        "web/commune.html",
        {
            "unit": unit,
            "parent": unit.parent,
            "ancestors": ancestors_of(request, unit),
            "v": view,
            "moment_label": capfirst(as_of_label(view.as_of)),
            "approval_label": _("approved") if view.approved else _("not yet approved"),
            "evidence": evidence,
            "entry_url": optional_url("values:entry", unit.pk, view.cset.id, view.period),
            "recognition": unit_recognitions(request, unit),
            # What the commune was formed from and what it became, each one click away.
            "formed_from": [k for k in formed_from.get(unit.pk, ()) if k.unit.pk in shown],
            "became": [k for k in became.get(unit.pk, ()) if k.unit.pk in shown],
            "downloads": exports.download_links(request),
        },
    )


# ---------------------------------------------------------------------------- central


def central_basis_label(view: CentralView) -> str:
    """What the central table is counted on: geography, the moment, approval."""
    geography = _("As recorded: each year on the administrative units of that year.")
    moment = capfirst(as_of_label(view.as_of))
    approval = approval_label(view.approved, view.in_scope, view.approved_only)
    return f"{geography} {moment}; {approval}."


def central_query(view: CentralView) -> dict[str, str]:
    """The choices behind the view, normalised, for the sort and drill-down links."""
    query = {"period": str(view.period), "set": view.cset.id}
    if view.as_of is not None:
        query["as_of"] = view.as_of.isoformat()
    if view.approved_only:
        query["approved_only"] = "1"
    return query


@login_required
@require_GET
def central(request: HttpRequest) -> HttpResponse:
    if not permissions.can_read_all(request.user):
        raise PermissionDenied
    q = request.GET
    try:
        fmt = exports.requested_format(request)
        as_of, approved_only = parse_moment(request)
        view = central_view(
            period=parse_year(q.get("period"), name=_("The year")),
            set_id=q.get("set") or None,
            sort=q.get("sort") or None,
            as_of=as_of,
            approved_only=approved_only,
        )
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("web:central"))
    if fmt is not None:
        return exports.respond(fmt, f"toan-quoc-{view.period}", exports.central_table(view))
    keep = central_query(view)
    headers = []
    for key, label in (
        ("code", _("Code")),
        ("name", _("Province")),
        ("communes", _("Communes")),
        ("meeting", _("At the standard")),
        ("percent", _("Share at the standard")),
        ("recognised", _("Recognised")),
        ("average", _("Average criteria met")),
        ("approved", _("Approved")),
    ):
        current = view.sort == key
        # A click on the current column flips the order; on another, starts ascending
        # (descending for figures, where the largest is what one looks for).
        if current:
            next_sort = key if view.descending else f"-{key}"
        else:
            next_sort = key if key in ("code", "name") else f"-{key}"
        aria = ("descending" if view.descending else "ascending") if current else ""
        url = f"?{urlencode({**keep, 'sort': next_sort})}"
        headers.append({"key": key, "label": label, "url": url, "aria": aria})
    return render(
        request,
        "web/central.html",
        {
            "v": view,
            "headers": headers,
            "on": None,
            "basis_label": central_basis_label(view),
            # Drill-down to a province keeps the year, the set, the as-of date and approval.
            "drill": urlencode(keep),
            "downloads": exports.download_links(request),
        },
    )
