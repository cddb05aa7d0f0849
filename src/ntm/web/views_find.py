"""Finding communes: the search of the site header, and the commune table of a province and of
one of its districts of the time (the province page's district table leads there).

Permissions as for every page: the table is a province page (404 outside the user's scope);
search shows only the communes the user may open (`permissions`, through `viewable`), and of
what a commune became or was formed from, only those too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ntm.results.communes import (
    NOT_RECOGNISED,
    RECOGNISED,
    CommuneTable,
    RowStatus,
    commune_table,
    parse_filters,
)
from ntm.results.query import ChoiceError, parse_year
from ntm.units.models import Unit, UnitKind
from ntm.units.search import LIMIT, MIN_LENGTH, search_communes
from ntm.web import exports
from ntm.web.views import get_visible_unit_or_404
from ntm.web.views_dashboards import (
    ancestors_of,
    as_of_label,
    invalid_choice,
    parse_moment,
    viewable,
)

STATUS_LABELS = {
    RowStatus.MEETS: gettext_lazy("at the standard"),
    RowStatus.CLOSE: gettext_lazy("close to the standard"),
    RowStatus.BELOW: gettext_lazy("below the standard"),
    RowStatus.NO_RESULT: gettext_lazy("no result"),
    RECOGNISED: gettext_lazy("recognised"),
    NOT_RECOGNISED: gettext_lazy("not recognised"),
}

# ---------------------------------------------------------------------------- search


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:100]
    searched = search_communes(
        text, today=timezone.localdate(), readable=lambda pks: viewable(request, pks)
    )
    found = searched.found
    seen = viewable(request, {k.unit.pk for f in found for k in (*f.became, *f.formed_from)})
    results = [
        {
            "found": f,
            "url": reverse("web:commune", args=[f.unit.pk]),
            "became": [k for k in f.became if k.unit.pk in seen],
            "formed_from": [k for k in f.formed_from if k.unit.pk in seen],
        }
        for f in found
    ]
    return render(
        request,
        "web/search.html",
        {
            "q": text,
            "too_short": 0 < len(text) < MIN_LENGTH,
            "min_length": MIN_LENGTH,
            "results": results,
            "cut": searched.more,
            "limit": LIMIT,
        },
    )


# ---------------------------------------------------------------------------- commune table


def _table(request: HttpRequest, province: Unit, district: int | None) -> CommuneTable:
    q = request.GET
    as_of, approved_only = parse_moment(request)
    return commune_table(
        province,
        parse_filters(q, district=district),
        period=parse_year(q.get("period"), name=_("The year")),
        set_id=q.get("set") or None,
        language="en" if (get_language() or "vi").startswith("en") else "vi",
        as_of=as_of,
        approved_only=approved_only,
    )


def _export(t: CommuneTable) -> exports.Table:
    return exports.Table(
        _("Communes"),
        (
            _("Code"),
            _("Commune"),
            _("District"),
            _("Criteria met"),
            _("Criteria"),
            _("Status"),
            _("Recognised"),
            _("Criteria not met"),
        ),
        tuple(
            (
                r.unit.code,
                r.unit.name,
                r.district.name if r.district else None,
                r.met,
                r.total,
                str(STATUS_LABELS[r.status]),
                r.recognised,
                ", ".join(str(n) for n in r.not_met),
            )
            for r in t.rows
        ),
    )


def _headers(request: HttpRequest, t: CommuneTable) -> list[dict[str, str]]:
    """The sortable column headers: a click on the current column flips its order."""
    out = []
    for key, label in (
        ("name", _("Commune")),
        ("district", _("District")),
        ("met", _("Criteria met")),
        ("status", _("Status")),
    ):
        current = t.filters.sort == key
        descending = current and not t.filters.descending
        query = request.GET.copy()
        query["sort"] = f"-{key}" if descending else key
        query.pop("format", None)
        aria = ("descending" if t.filters.descending else "ascending") if current else ""
        out.append({"key": key, "label": label, "url": f"?{query.urlencode()}", "aria": aria})
    return out


def _filters_said(t: CommuneTable) -> list[str]:
    """The filters in words, under the table's title: a printed or downloaded page keeps
    saying which communes it lists (the form is not printed)."""
    f, out = t.filters, []
    if f.district is not None and t.district is not None:
        out.append(t.district.name)
    if f.status is not None:
        out.append(str(STATUS_LABELS[f.status]))
    if f.met_min is not None:
        out.append(_("at least %(n)s criteria met") % {"n": f.met_min})
    if f.met_max is not None:
        out.append(_("at most %(n)s criteria met") % {"n": f.met_max})
    if f.not_met is not None:
        out.append(_("criterion %(n)s not met") % {"n": f.not_met})
    return out


def _render_table(
    request: HttpRequest, province: Unit, district: Unit | None, back: str
) -> HttpResponse:
    try:
        fmt = exports.requested_format(request)
        t = _table(request, province, None if district is None else district.pk)
    except ChoiceError as e:
        return invalid_choice(request, e, back)
    o = t.overview
    if fmt is not None:
        scope = f"huyen-{district.code or district.pk}" if district else f"tinh-{province.code}"
        return exports.respond(fmt, f"xa-{scope}-{o.period}", [_export(t)])
    shown = viewable(request, [r.unit.id for r in t.rows])
    keep = {"period": str(o.period), "set": o.cset.id}
    if o.as_of is not None:
        keep["as_of"] = o.as_of.strftime("%d/%m/%Y")
    if o.approved_only:
        keep["approved_only"] = "1"
    context: dict[str, Any] = {
        "unit": district or province,
        "province": province,
        "district": district,
        "ancestors": ancestors_of(request, district or province),
        # The breadcrumbs end with the table (the unit's name leads to its overview).
        "current_url": f"{reverse('web:province', args=[province.pk])}?{urlencode(keep)}"
        if district is None
        else "",
        "current_label": _("Commune table"),
        "t": t,
        "o": o,
        "rows": [
            (
                r,
                reverse("web:commune", args=[r.unit.id]) if r.unit.id in shown else "",
                STATUS_LABELS[r.status],
            )
            for r in t.rows
        ],
        "statuses": [(k, STATUS_LABELS[k]) for k in (*RowStatus, RECOGNISED, NOT_RECOGNISED)],
        "headers": _headers(request, t),
        "filters_said": _filters_said(t),
        "keep": urlencode(keep),
        "moment": as_of_label(o.as_of),
        "downloads": exports.download_links(request),
        "query": request.GET.urlencode(),
    }
    return render(request, "web/communes.html", context)


@login_required
@require_GET
def province_communes(request: HttpRequest, pk: int) -> HttpResponse:
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    return _render_table(request, province, None, reverse("web:province_communes", args=[pk]))


@login_required
@require_GET
def district_communes(request: HttpRequest, pk: int, district: int) -> HttpResponse:
    """The communes of a district of the time: the province's table with the district fixed (a
    year in which it had no commune of the province is a 400 that says so). Without a year
    asked for, a district that has ended opens on its last whole year."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    found = get_visible_unit_or_404(request, district, UnitKind.DISTRICT)
    if not request.GET.get("period") and found.valid_to is not None:
        last = found.valid_to.year - (found.valid_to < dt.date(found.valid_to.year, 12, 31))
        query = request.GET.copy()
        query["period"] = str(last)
        return redirect(f"{request.path}?{query.urlencode()}")
    return _render_table(
        request, province, found, reverse("web:district_communes", args=[pk, district])
    )
