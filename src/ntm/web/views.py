"""The shell of the web application: home and login (the unit pages are in views_dashboards).

Every page that shows a unit checks `ntm.accounts.permissions`; a unit outside the user's
scope is a 404 (the same answer as for a unit that does not exist).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ntm.accounts import permissions
from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.criteria.summary import summarize, years_span
from ntm.exchange.gaps import gap_counts
from ntm.results.sets import national_sets_of, own_sets, with_province_decisions_now
from ntm.units.models import Unit, UnitKind


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    read_all = permissions.can_read_all(request.user)
    units = permissions.visible_units(request.user, today).order_by("name", "pk")
    provinces = list(units.filter(kind=UnitKind.PROVINCE))
    return render(
        request,
        "web/home.html",
        {
            "on": today,
            "assignments": permissions.active_assignments(request.user),
            "read_all": read_all,
            "provinces": provinces,
            # The review queue, for the province's appraisers and office.
            "queues": {
                u.pk
                for u in provinces
                if permissions.can_verify(request.user, u)
                or permissions.can_approve(request.user, u)
            },
            # The whole country is too long a list for a home page: central users go by province.
            "communes": [] if read_all else units.filter(kind=UnitKind.COMMUNE),
        },
    )


@login_required
@require_GET
def criteria_sets(request: HttpRequest) -> HttpResponse:
    """The bundled national sets: how much of each the law's tables is encoded, and until
    when each set judges (a set stays in force until its successor takes effect); for a
    province (`?province=CODE`, or the user's own), its own sets too, and the cells it still
    has to decide in each."""
    province = _catalogue_province(request)
    # As the province reads them: its transition rule moves the dates a set judges.
    retimed = {s.id: s for s in national_sets_of(province)}
    national = [retimed.get(set_id) or load_set(set_id) for set_id in bundled_set_ids()]
    own = own_sets(province)
    own_ids = {s.id for s in own}
    listed = [*national, *own]
    decided = listed if province is None else with_province_decisions_now(listed, province)
    sets = []
    for cset, read in zip(listed, decided, strict=True):
        sets.append(
            {
                "cset": cset,
                "own": cset.id in own_ids,
                "summary": summarize(cset),
                "gaps": None if province is None else gap_counts(read),
                "years": years_span(cset),
                "names_unverified": sum(c.name_status == "unverified" for c in cset.criteria),
            }
        )
    return render(request, "web/criteria_sets.html", {"sets": sets, "province": province})


def _catalogue_province(request: HttpRequest) -> Unit | None:
    """The province asked for (`?province=CODE`, 404 outside the user's scope), else the
    user's one province when they work for a province, else None."""
    today = timezone.localdate()
    code = request.GET.get("province", "").strip()
    if code:
        found = Unit.objects.valid_on(today).filter(kind=UnitKind.PROVINCE, code=code).first()
        if found is None or not permissions.can_view(request.user, found):
            raise Http404
        return found
    own = {
        a.unit_id: a.unit
        for a in permissions.active_assignments(request.user)
        if a.unit is not None and a.unit.kind == UnitKind.PROVINCE
    }
    return next(iter(own.values())) if len(own) == 1 else None


def get_visible_unit_or_404(request: HttpRequest, pk: int, kind: UnitKind) -> Unit:
    """The unit of that kind if the user may read it; otherwise 404, whether it exists or not."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk, kind=kind)
    if not permissions.can_view(request.user, unit):
        raise Http404
    return unit


def office_province_or_404(request: HttpRequest, pk: int) -> Unit:
    """The province, if its office is asking (404 outside the user's scope, else 403)."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    if not permissions.can_approve(request.user, province):
        raise PermissionDenied
    return province


def login_locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The login page again, saying why the attempt was refused (django-axes calls it, as
    AXES_LOCKOUT_CALLABLE, once an account has failed too often from this address)."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    username = (credentials or {}).get("username") or ""
    return render(
        request,
        "web/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "locked_out": _(
                "Too many failed log-in attempts for this account from this address. "
                "Try again in %(minutes)s min."
            )
            % {"minutes": minutes},
            "next": request.POST.get("next", ""),
        },
        status=429,
    )
