"""The shell of the web application: home, login, and the minimal unit pages.

Every page that shows a unit checks `ntm.accounts.permissions`; a unit outside the user's
scope is a 404 (the same answer as for a unit that does not exist).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from ntm.accounts import permissions
from ntm.units.models import Unit, UnitKind

# Pages of the kinds that have one; other ancestors are shown without a link.
_PAGE_OF_KIND = {UnitKind.PROVINCE: "web:province", UnitKind.COMMUNE: "web:commune"}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    read_all = permissions.can_read_all(request.user)
    units = permissions.visible_units(request.user, today).order_by("name", "pk")
    return render(
        request,
        "web/home.html",
        {
            "on": today,
            "assignments": permissions.active_assignments(request.user),
            "read_all": read_all,
            "provinces": units.filter(kind=UnitKind.PROVINCE),
            # The whole country is too long a list for a home page: central users go by province.
            "communes": [] if read_all else units.filter(kind=UnitKind.COMMUNE),
        },
    )


def get_visible_unit_or_404(request: HttpRequest, pk: int, kind: UnitKind) -> Unit:
    """The unit of that kind if the user may read it; otherwise 404, whether it exists or not."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk, kind=kind)
    if not permissions.can_view(request.user, unit):
        raise Http404
    return unit


def _unit_page(request: HttpRequest, unit: Unit) -> HttpResponse:
    ancestors: list[dict[str, Unit | str]] = []
    node = unit.parent
    while node is not None:
        name = _PAGE_OF_KIND.get(UnitKind(node.kind))
        linked = name is not None and permissions.can_view(request.user, node)
        url = reverse(name, args=[node.pk]) if name and linked else ""
        ancestors.insert(0, {"unit": node, "url": url})
        node = node.parent
    return render(
        request,
        "web/unit_detail.html",
        {"unit": unit, "parent": unit.parent, "ancestors": ancestors},
    )


@login_required
def province(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_page(request, get_visible_unit_or_404(request, pk, UnitKind.PROVINCE))


@login_required
def commune(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_page(request, get_visible_unit_or_404(request, pk, UnitKind.COMMUNE))


@login_required
def central(request: HttpRequest) -> HttpResponse:
    if not permissions.can_read_all(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    provinces = Unit.objects.valid_on(today).filter(kind=UnitKind.PROVINCE).order_by("code", "pk")
    return render(request, "web/central.html", {"on": today, "provinces": provinces})
