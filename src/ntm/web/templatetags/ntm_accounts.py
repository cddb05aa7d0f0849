"""`{% can_manage_users as flag %}`: whether the header shows the user administration link."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from ntm.accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can_manage_users(context: template.Context) -> bool:
    request: HttpRequest | None = context.get("request")
    return request is not None and permissions.can_manage_users(request.user)
