"""Commune groups (nhóm xã, 2026–2030) of a province: read by whoever reads the province,
assigned — on the page or from a workbook — by its province office only."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ntm.accounts import permissions
from ntm.exchange.groups import parse_group, write_group_template
from ntm.units.group_import import import_groups, template_rows
from ntm.units.groups import Assignment, Basis, GroupsRefused, assign_groups, current_assignments
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import units_of
from ntm.vn.numbers import format_number
from ntm.web.inputs import Refused, imported, said, typed_day, xlsx_response
from ntm.web.views import get_visible_unit_or_404, office_province_or_404


def _page(
    request: HttpRequest, province: Unit, problems: list[str], status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    communes = units_of(province, today, kinds=[UnitKind.COMMUNE])
    current = current_assignments([u.pk for u in communes], today)
    return render(
        request,
        "web/groups.html",
        {
            "unit": province,
            "rows": [(u, current.get(u.pk)) for u in communes],
            "without": sum(u.pk not in current for u in communes),
            "can_assign": permissions.can_approve(request.user, province),
            "problems": problems,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
def groups(request: HttpRequest, pk: int) -> HttpResponse:
    """The communes with their group in force today; the office assigns one to many."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    if request.method != "POST":
        return _page(request, province, [])
    province = office_province_or_404(request, pk)
    data = request.POST
    valid_from = typed_day(data.get("valid_from", ""))
    group = parse_group(data.get("group", ""))
    chosen = list(
        Unit.objects.filter(
            pk__in=[int(x) for x in data.getlist("unit") if x.isdigit()]
        ).select_related("parent__parent")
    )
    problems = []
    if not chosen:
        problems.append(_("Choose at least one commune."))
    if valid_from is None:
        problems.append(_("Give the day the group applies from (dd/mm/yyyy)."))
    if group is None:
        problems.append(_("The commune group must be 1, 2 or 3."))
    if problems:
        return _page(request, province, problems, 400)
    assert valid_from is not None and group is not None
    basis = Basis(
        data.get("decision_number", ""),
        typed_day(data.get("decision_date", "")),
        data.get("issuer", ""),
    )
    try:
        written = assign_groups(
            province,
            [Assignment(u, group, valid_from, basis) for u in chosen],
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except GroupsRefused as e:
        return _page(request, province, [said(p.reason) for p in e.problems], 400)
    messages.success(
        request, _("Group assigned to %(n)s communes.") % {"n": format_number(len(written))}
    )
    return redirect(reverse("web:province_groups", args=[pk]))


@login_required
@require_GET
def groups_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The workbook of the province's communes to fill with their groups."""
    province = office_province_or_404(request, pk)
    today = timezone.localdate()
    out = io.BytesIO()
    write_group_template(out, template_rows(province, today), title=province.name)
    return xlsx_response(out.getvalue(), f"nhom-xa-{province.code or province.pk}.xlsx")


@login_required
@require_POST
def groups_import(request: HttpRequest, pk: int) -> HttpResponse:
    """A filled workbook: every row written, or none and every problem listed."""
    province = office_province_or_404(request, pk)
    try:
        written = imported(
            request,
            "groups",
            lambda path, name: import_groups(
                path,
                province,
                acting_user=request.user,  # type: ignore[arg-type]
                source_name=name,
            ),
        )
    except Refused as e:
        return _page(request, province, e.problems, 400)
    messages.success(
        request, _("Groups imported for %(n)s communes.") % {"n": format_number(len(written))}
    )
    return redirect(reverse("web:province_groups", args=[pk]))
