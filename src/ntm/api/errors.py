"""Every error the API answers has one body, the documented `Error` schema: `detail` (a
sentence in the caller's language, Vietnamese first), `code` (for programs) and, for invalid
input, `problems` (one per field). No traceback ever leaves the server, whatever `DEBUG` is.
"""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.
import json
import logging
import math
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    Throttled,
    ValidationError,
)
from ninja.parser import Parser

from ntm.api.schemas import Error, Problem

log = logging.getLogger(__name__)


class NonFiniteNumber(ValueError):
    """NaN, Infinity or a number too large for a double in a JSON body."""


def _no_constant(name: str) -> Any:
    raise NonFiniteNumber(name)


def _finite(text: str) -> float:
    x = float(text)
    if not math.isfinite(x):  # 1e400 reads as inf
        raise NonFiniteNumber(text)
    return x


class StrictJsonParser(Parser):
    """JSON as RFC 8259 has it: Python's `json` also reads NaN and Infinity, which no number
    field may hold."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json.loads(request.body, parse_constant=_no_constant, parse_float=_finite)


def _limit(ctx: dict[str, Any], key: str) -> str:
    return str(ctx.get(key, ""))


def problem_message(error: dict[str, Any]) -> str:
    """A pydantic error in the caller's language (its English `msg` is for developers)."""
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("Expected a whole number.")
    if kind in ("float_parsing", "float_type"):
        return _("Expected a number.")
    if kind == "finite_number":
        return _("Expected a finite number.")
    if kind == "greater_than_equal":
        return _("Must be at least %(limit)s.") % {"limit": _limit(ctx, "ge")}
    if kind == "less_than_equal":
        return _("Must be at most %(limit)s.") % {"limit": _limit(ctx, "le")}
    if kind == "greater_than":
        return _("Must be greater than %(limit)s.") % {"limit": _limit(ctx, "gt")}
    if kind == "less_than":
        return _("Must be less than %(limit)s.") % {"limit": _limit(ctx, "lt")}
    if kind == "string_too_long":
        return _("At most %(limit)s characters.") % {"limit": _limit(ctx, "max_length")}
    if kind == "string_too_short":
        return _("At least %(limit)s characters.") % {"limit": _limit(ctx, "min_length")}
    if kind == "string_pattern_mismatch":
        return _("Not in the expected form.")
    if kind in ("literal_error", "enum"):
        return _("Expected one of: %(choices)s.") % {"choices": _limit(ctx, "expected")}
    if kind in ("bool_parsing", "bool_type"):
        return _("Expected true or false.")
    if kind.startswith("date"):
        return _("Expected a date (yyyy-mm-dd).")
    if kind == "string_type":
        return _("Expected text.")
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return _("Expected a JSON object.")
    return _("Invalid value.")


def _field(loc: Any) -> str:
    # ninja puts the source first ("body", "query", "path"); a body model adds its own name.
    parts = [str(p) for p in loc] if isinstance(loc, list | tuple) else [str(loc)]
    if len(parts) >= 2 and parts[0] == "body" and parts[1] == "body":
        parts = parts[:1] + parts[2:]
    return ".".join(parts)


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, body: Error, **headers: str
) -> HttpResponse:
    response = api.create_response(request, body.model_dump(mode="json"), status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every error the `Error` body."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        problems = [
            Problem(field=_field(e.get("loc", ())), message=problem_message(e), type=e["type"])
            for e in exc.errors
        ]
        listed = "; ".join(f"{p.field}: {p.message}" for p in problems)
        detail = _("The request is not valid: %(problems)s") % {"problems": listed}
        return error_response(
            api, request, 422, Error(detail=detail, code="invalid", problems=problems)
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if isinstance(exc, AuthenticationError):
            body = Error(detail=_("Sign in or send a valid API token."), code="unauthorized")
        elif isinstance(exc, AuthorizationError):
            body = Error(detail=_("You may not do this."), code="forbidden")
        elif status == 403 and "CSRF" in exc.message:  # ninja's session auth, unsafe method
            body = Error(
                detail=_("Missing or wrong CSRF token: reload the page and try again."),
                code="csrf",
            )
        elif isinstance(exc, Throttled):
            body = Error(detail=_("Too many requests; try again later."), code="throttled")
        elif isinstance(exc.__cause__, NonFiniteNumber):
            body = Error(
                detail=_("Numbers in the request must be finite (no NaN or Infinity)."),
                code="invalid_json",
            )
        elif status == 400 and exc.__cause__ is not None:  # the body did not parse
            body = Error(detail=_("The request body is not valid JSON."), code="invalid_json")
        else:
            body = Error(detail=str(exc), code=f"http_{status}")
        return error_response(api, request, status, body)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(
            api, request, 400, Error(detail=_("The request is too large."), code="too_large")
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(
            api, request, 404, Error(detail=_("Not found, or not yours to see."), code="not_found")
        )

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with its traceback for the operators; the caller learns only that it failed.
        log.exception("API error on %s %s", request.method, request.path)
        return error_response(
            api,
            request,
            500,
            Error(detail=_("Internal error; it has been logged."), code="server_error"),
        )
