"""Count-only lists of a province (*chỉ có số tiêu chí đạt*): a list of communes with the
number of criteria each met, imported by the province office — all rows or none."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.results.provenance import record_sets
from ntm.results.province import set_for_year
from ntm.results.query import ChoiceError
from ntm.results.scope import communes_on, period_day
from ntm.units.models import Unit
from ntm.values.models import FIRST_YEAR, LAST_YEAR
from ntm.values.services import import_counts
from ntm.vn.numbers import format_number
from ntm.web.inputs import Refused, imported
from ntm.web.views import office_province_or_404


def _page(
    request: HttpRequest, province: Unit, problems: list[str], status: int = 200
) -> HttpResponse:
    sets = [load_set(s) for s in bundled_set_ids()] + list(record_sets(province))
    return render(
        request,
        "web/counts.html",
        {
            "unit": province,
            "sets": [s for s in sets if s.level == "commune"],
            "problems": problems,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
def counts(request: HttpRequest, pk: int) -> HttpResponse:
    """The form (GET), and a list imported for a year under a set (POST): every row written,
    or none and every problem listed."""
    province = office_province_or_404(request, pk)
    if request.method != "POST":
        return _page(request, province, [])
    year_text = request.POST.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() else None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return _page(request, province, [_("Give the year of the list.")], 400)
    try:
        cset = set_for_year(
            year, request.POST.get("set_id") or None, record_sets(province), strict=True
        )
    except ChoiceError as e:
        return _page(request, province, [str(e)], 400)
    communes = communes_on(province, period_day(year))
    try:
        result = imported(
            request,
            "counts",
            lambda path, name: import_counts(
                path,
                cset,
                year,
                communes,
                acting_user=request.user,  # type: ignore[arg-type]
                note=request.POST.get("note", ""),
                source_name=name,
            ),
        )
    except Refused as e:
        return _page(request, province, e.problems, 400)
    messages.success(
        request,
        _("Criteria counts imported for %(n)s communes (%(changed)s new or changed).")
        % {
            "n": format_number(result.units),
            "changed": format_number(result.created + result.changed),
        },
    )
    query = urlencode({"period": str(year), "set": cset.id})
    return redirect(f"{reverse('web:province', args=[pk])}?{query}")
