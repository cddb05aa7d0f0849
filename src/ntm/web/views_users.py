"""User administration, for the administrator: the users, one user's roles and acts, and the
changes to them (every change through ntm.accounts.services, which audits it).

Anyone else signed in gets 403 (there is no unit scope to hide here); anonymous visitors go to
the login page. A temporary password is shown once, in the answer to the POST that set it, and
is never stored in clear.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ntm.accounts import permissions
from ntm.accounts.models import Role, RoleAssignment
from ntm.accounts.services import (
    AccountServiceError,
    change_own_password,
    create_user,
    deactivate_user,
    edit_user,
    generate_password,
    grant_role,
    must_change_password,
    reactivate_user,
    reset_password,
    revoke_role,
)
from ntm.audit.models import AuditLog
from ntm.units.models import Unit, UnitKind
from ntm.vn.text import fold
from ntm.web.forms_users import (
    ChangePasswordForm,
    CreateUserForm,
    EditUserForm,
    ReasonForm,
    ResetPasswordForm,
    RoleFields,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

USERS_PER_PAGE = 50
AUDIT_PER_PAGE = 50

# What each audited act is called on the page: the account acts one by one, the others by the
# part of the record they changed (the machine name of an act is not for people).
_ACCOUNT_ACTS = {
    "accounts.create_user": gettext_lazy("Account created"),
    "accounts.edit_user": gettext_lazy("Name or e-mail changed"),
    "accounts.deactivate_user": gettext_lazy("Account deactivated"),
    "accounts.reactivate_user": gettext_lazy("Account reactivated"),
    "accounts.reset_password": gettext_lazy("Temporary password set"),
    "accounts.change_password": gettext_lazy("Password changed by the user"),
    "accounts.grant_role": gettext_lazy("Role granted"),
    "accounts.revoke_role": gettext_lazy("Role revoked"),
}
_DOMAIN_ACTS = {
    "accounts": gettext_lazy("Accounts and roles"),
    "api": gettext_lazy("API access"),
    "decisions": gettext_lazy("Province decisions on criteria"),
    "recognition": gettext_lazy("Recognition"),
    "reports": gettext_lazy("Report files"),
    "system": gettext_lazy("Backup and restore"),
    "units": gettext_lazy("Administrative units"),
    "values": gettext_lazy("Values and their workflow"),
    "web": gettext_lazy("Map boundaries"),
}


def act_label(action: str) -> str:
    if action in _ACCOUNT_ACTS:
        return str(_ACCOUNT_ACTS[action])
    domain = action.split(".", 1)[0]
    return str(_DOMAIN_ACTS.get(domain, gettext_lazy("Other change")))


def _acting(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required


def _administrator(request: HttpRequest) -> None:
    if not permissions.can_manage_users(request.user):
        raise PermissionDenied


def _user_or_404(pk: int) -> User:
    found: User = get_object_or_404(get_user_model(), pk=pk)
    return found


def _in_force(today: Any) -> Prefetch[Any]:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.active_on(today).select_related("unit").order_by("role"),
        to_attr="roles_in_force",
    )


@login_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    """Every user, filtered by role, province (the province or a commune under it) and state,
    and searched by login or name without regard to diacritics."""
    _administrator(request)
    today = timezone.localdate()
    role = request.GET.get("role", "")
    province = request.GET.get("province", "")
    state = request.GET.get("state", "")
    query = request.GET.get("q", "")
    found = get_user_model().objects.order_by("username").prefetch_related(_in_force(today))
    in_force = RoleAssignment.objects.active_on(today)
    if role in Role.values:
        found = found.filter(pk__in=in_force.filter(role=role).values("user_id"))
    if province.isdigit():
        covered = Q(unit_id=int(province)) | Q(unit__parent_id=int(province))
        covered |= Q(unit__parent__parent_id=int(province))
        found = found.filter(pk__in=in_force.filter(covered).values("user_id"))
    if state in ("active", "inactive"):
        found = found.filter(is_active=state == "active")
    rows = list(found)
    if query.strip():
        # Folded in Python: the database has no diacritic-insensitive match on both engines.
        key = fold(query)
        rows = [u for u in rows if key in fold(u.get_username()) or key in fold(u.get_full_name())]
    page = Paginator(rows, USERS_PER_PAGE).get_page(request.GET.get("page"))
    kept = {
        k: v
        for k, v in (("role", role), ("province", province), ("state", state), ("q", query))
        if v
    }
    return render(
        request,
        "web/users.html",
        {
            "page": page,
            "roles": Role.choices,
            "provinces": Unit.objects.valid_on(today)
            .filter(kind=UnitKind.PROVINCE)
            .order_by("name", "pk"),
            "chosen": {"role": role, "province": province, "state": state, "q": query},
            "query": "&".join(f"{k}={v}" for k, v in kept.items()),
        },
    )


def _user_page(request: HttpRequest, user: User, status: int = 200, **extra: Any) -> HttpResponse:
    roles = (
        RoleAssignment.objects.filter(user=user)
        .select_related("unit")
        .order_by("-valid_from", "-pk")
    )
    today = timezone.localdate()
    context = {
        "account": user,
        "roles": [(a, a.is_active_on(today), a.revoked_at is None) for a in roles],
        "must_change": must_change_password(user),
        "edit_form": EditUserForm(initial={"full_name": user.get_full_name(), "email": user.email}),
        "role_form": RoleFields(),
        "password_form": ResetPasswordForm(),
        "reason_form": ReasonForm(),
        "problems": [],
    } | extra
    return render(request, "web/user.html", context, status=status)


@login_required
@require_GET
def user(request: HttpRequest, pk: int) -> HttpResponse:
    _administrator(request)
    return _user_page(request, _user_or_404(pk))


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    form = CreateUserForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or generate_password()
        try:
            created = create_user(
                data["username"],
                password=password,
                role=data["role"],
                unit=data["unit"],
                full_name=data["full_name"],
                email=data["email"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                must_change_password=True,
                acting_user=_acting(request),
            )
        except AccountServiceError as error:
            problems.append(str(error))
        else:
            messages.success(request, _("The user %(user)s was created.") % {"user": created})
            return _user_page(request, created, generated=password if not data["password"] else "")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/user_create.html", {"form": form, "problems": problems}, status=status
    )


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _administrator(request)
    account = _user_or_404(pk)
    form = EditUserForm(
        request.POST or None,
        initial={"full_name": account.get_full_name(), "email": account.email},
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            edit_user(
                account,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                acting_user=_acting(request),
            )
        except AccountServiceError as error:
            problems.append(str(error))
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(reverse("web:user", args=[pk]))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/user_edit.html",
        {"account": account, "form": form, "problems": problems},
        status=status,
    )


def _refused(request: HttpRequest, account: User, error: AccountServiceError) -> HttpResponse:
    return _user_page(request, account, status=400, problems=[str(error)])


def _switch(request: HttpRequest, pk: int, service: Callable[..., User], done: str) -> HttpResponse:
    """Deactivate or reactivate (`service`) the account, with the posted reason."""
    _administrator(request)
    account = _user_or_404(pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service(account, reason=reason, acting_user=_acting(request))
    except AccountServiceError as error:
        return _refused(request, account, error)
    messages.success(request, done)
    return redirect(reverse("web:user", args=[pk]))


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _switch(request, pk, deactivate_user, _("The account was deactivated."))


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _switch(request, pk, reactivate_user, _("The account was reactivated."))


@login_required
@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    _administrator(request)
    account = _user_or_404(pk)
    form = ResetPasswordForm(request.POST)
    typed = form.cleaned_data["password"] if form.is_valid() else ""
    password = typed or generate_password()
    try:
        reset_password(account, password=password, acting_user=_acting(request))
    except AccountServiceError as error:
        return _refused(request, account, error)
    if account.pk == request.user.pk:
        # An administrator resetting their own password stays signed in.
        update_session_auth_hash(request, account)
    messages.success(request, _("A temporary password was set."))
    return _user_page(request, account, generated="" if typed else password)


@login_required
@require_POST
def user_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    _administrator(request)
    account = _user_or_404(pk)
    form = RoleFields(request.POST)
    if not form.is_valid():
        return _user_page(request, account, status=400, role_form=form)
    data = form.cleaned_data
    try:
        grant_role(
            account,
            data["role"],
            data["unit"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            acting_user=_acting(request),
        )
    except AccountServiceError as error:
        return _user_page(request, account, status=400, role_form=form, problems=[str(error)])
    messages.success(request, _("The role was granted."))
    return redirect(reverse("web:user", args=[pk]))


@login_required
@require_POST
def user_role_revoke(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    _administrator(request)
    account = _user_or_404(pk)
    held = get_object_or_404(RoleAssignment, pk=assignment, user=account)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        revoke_role(held, reason=reason, acting_user=_acting(request))
    except AccountServiceError as error:
        return _refused(request, account, error)
    messages.success(request, _("The role was revoked."))
    return redirect(reverse("web:user", args=[pk]))


@login_required
@require_GET
def user_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit rows where the user acted, and those about the user or their roles, newest
    first."""
    _administrator(request)
    account = _user_or_404(pk)
    role_ids = [
        str(i) for i in RoleAssignment.objects.filter(user=account).values_list("pk", flat=True)
    ]
    rows = (
        AuditLog.objects.filter(
            Q(acting_user=account)
            | Q(object_type="auth.User", object_id=str(account.pk))
            | Q(object_type="accounts.RoleAssignment", object_id__in=role_ids)
        )
        .select_related("acting_user")
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/user_audit.html",
        {
            "account": account,
            "page": page,
            "rows": [
                (row, act_label(row.action), row.acting_user_id == account.pk) for row in page
            ],
        },
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Any signed-in user changes their own password; one holding a temporary password is
    sent here until they do (ntm.web.middleware.PasswordChangeRequiredMiddleware)."""
    form = ChangePasswordForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            changed = change_own_password(
                _acting(request),
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except AccountServiceError as error:
            problems.append(str(error))
        else:
            update_session_auth_hash(request, changed)
            messages.success(request, _("Your password was changed."))
            return redirect(reverse("web:home"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/password_change.html",
        {"form": form, "problems": problems, "required": must_change_password(_acting(request))},
        status=status,
    )
