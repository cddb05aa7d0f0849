"""Pages of the review workflow: the province's queue for its appraisers and office, the
province's rule on completeness, and each user's notifications.

The queue's figures come from `ntm.results.workflow`, the notifications from
`ntm.results.notifications`; changes go through `ntm.values.services`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ntm.accounts import permissions
from ntm.results.notifications import notifications_of
from ntm.results.query import ChoiceError, parse_year
from ntm.results.workflow import STATES, queue
from ntm.units.models import UnitKind
from ntm.values import services
from ntm.values.models import State
from ntm.web.forms import MarkReadForm, RequireCompleteForm
from ntm.web.views import get_visible_unit_or_404, office_province_or_404
from ntm.web.views_dashboards import ancestors_of, invalid_choice

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def queue_labels() -> dict[str, str]:
    """The queue's groups as the offices name them, in the user's language."""
    return {
        State.SUBMITTED: _("Submitted, awaiting review and approval"),
        State.RETURNED: _("Returned"),
        State.DRAFT: _("Not sent"),
        State.APPROVED: _("Approved"),
    }


def _district(text: str | None) -> int | None:
    """The district filter: a unit id, or none; anything else is a bad choice."""
    if not text:
        return None
    if not text.isdigit():
        raise ChoiceError(_("That district is not one of the province's."))
    return int(text)


@login_required
@require_GET
def review_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The province's communes by approval state for a period and set, for its appraisers
    and its office (others who read the province: 403)."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    user = request.user
    if not (permissions.can_verify(user, province) or permissions.can_approve(user, province)):
        raise PermissionDenied
    try:
        q = queue(
            province,
            period=parse_year(request.GET.get("period"), name=_("The year")),
            set_id=request.GET.get("set") or None,
            district=_district(request.GET.get("district")),
            state=request.GET.get("state") or None,
        )
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("web:review_queue", args=[pk]))
    may_rule = permissions.can_decide_criteria(user, province)
    labels = queue_labels()
    return render(
        request,
        "web/review_queue.html",
        {
            "unit": province,
            "ancestors": ancestors_of(request, province),
            "q": q,
            "states": [(st, labels[st], q.counts[st]) for st in STATES],
            "require_complete": services.requires_complete(province),
            "rule_form": RequireCompleteForm() if may_rule else None,
        },
    )


@login_required
@require_POST
def require_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """The province office sets whether approval requires completeness."""
    province = office_province_or_404(request, pk)
    form = RequireCompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown choice."))
    else:
        try:
            services.set_require_complete(
                province, form.cleaned_data["require"] == "yes", acting_user=_user(request)
            )
            messages.success(request, _("The province's approval rule is saved."))
        except services.NotAllowed:
            raise PermissionDenied from None
    return redirect("web:review_queue", pk=pk)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required guards every view


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/notifications.html", {"notifications": notifications_of(request.user)}
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`id`) or all of them read."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown notification."))
    else:
        one = form.cleaned_data["id"]
        services.mark_read(None if one is None else [one], acting_user=_user(request))
    return redirect("web:notifications")
