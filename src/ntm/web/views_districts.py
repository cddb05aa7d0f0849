"""A district's own criteria (QĐ 320/QĐ-TTg Phụ lục I), recorded by the province office for the
QĐ 18/2022 district rule: one status per criterion and year, Đạt / Cơ bản đạt / Chưa đạt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts import permissions
from ntm.criteria.schema import CriteriaSet
from ntm.results.districts import district_set, district_years, recorded_statuses
from ntm.results.province import criterion_name
from ntm.units.models import Unit, UnitKind
from ntm.values.models import DeclaredStatus
from ntm.values.services import ValuesError, declare_district_statuses
from ntm.vn.numbers import format_number
from ntm.web.views import get_visible_unit_or_404

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def record_years(district: Unit) -> list[int]:
    """The years the district existed that a district set with the rule covers, latest first."""
    first = district.valid_from.year if district.valid_from else None
    last = district.valid_to.year if district.valid_to else None
    return sorted(
        (
            y
            for y in district_years()
            if (first is None or y >= first) and (last is None or y <= last)
        ),
        reverse=True,
    )


def _page(
    request: HttpRequest,
    district: Unit,
    year: int,
    cset: CriteriaSet,
    years: list[int],
    problems: list[str],
    status: int = 200,
) -> HttpResponse:
    language = request.LANGUAGE_CODE
    recorded = recorded_statuses([district.pk], year, cset).get(district.pk, {})
    posted = request.POST if request.method == "POST" else {}
    key = set(cset.revocation.key_criteria) if cset.revocation else set()
    rows = [
        {
            "number": c.number,
            "name": criterion_name(c, language),
            "key": c.number in key,
            "status": posted.get(f"c{c.number}", recorded.get(c.number, "")),
        }
        for c in cset.criteria
    ]
    province = district.parent
    return render(
        request,
        "web/district_criteria.html",
        {
            "district": district,
            "province": province,
            "year": year,
            "years": years,
            "cset": cset,
            "rows": rows,
            "choices": DeclaredStatus.choices,
            "unrecorded": sum(1 for r in rows if not r["status"]),
            "problems": problems,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def district_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """The district's criteria for a year (`?year=`, default its latest): the form (GET), and
    the statuses recorded through `declare_district_statuses` (POST), all or none."""
    district = get_visible_unit_or_404(request, pk, UnitKind.DISTRICT)
    if not permissions.can_approve(request.user, district):
        raise PermissionDenied
    years = record_years(district)
    if not years:
        raise Http404
    asked = (request.POST if request.method == "POST" else request.GET).get("year", "")
    year = int(asked) if asked.isdigit() and int(asked) in years else years[0]
    cset = district_set(year)
    if cset is None:  # `record_years` holds only years a set covers
        raise Http404
    if request.method != "POST":
        return _page(request, district, year, cset, years, [])
    allowed = {"", *DeclaredStatus.values}
    statuses = {c.number: request.POST.get(f"c{c.number}", "") for c in cset.criteria}
    bad = [n for n, s in statuses.items() if s not in allowed]
    if bad:
        text = _("Unknown status for criterion %(n)s.") % {"n": bad[0]}
        return _page(request, district, year, cset, years, [text], 400)
    user: User = request.user  # type: ignore[assignment]
    try:
        changed = declare_district_statuses(district, year, cset, statuses, acting_user=user)
    except ValuesError as e:
        return _page(request, district, year, cset, years, [str(e)], 400)
    messages.success(
        request,
        _("%(n)s criteria of %(district)s changed for %(year)s.")
        % {"n": format_number(changed), "district": district.name, "year": year},
    )
    return redirect(f"{reverse('web:district_criteria', args=[pk])}?year={year}")
