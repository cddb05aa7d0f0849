"""What a page, an API call or a command may ask of `ntm.results`, read from text.

Every error is a `ChoiceError` whose message is one sentence in the user's language; pages
answer 400 with it, the API 422, commands print it. Dates are read by the one date parser of
the project (`ntm.vn.dates.parse_date`: dd/mm/yyyy or yyyy-mm-dd).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.vn.dates import parse_date


class ChoiceError(ValueError):
    """A period, set, date or geography that cannot be shown; the message says why."""


class Geography(StrEnum):
    AS_RECORDED = "as_recorded"  # each year on the units of that year
    REBASED = "rebased"  # every year carried onto the units of one date


SORT_KEYS = (
    "name",
    "code",
    "communes",
    "meeting",
    "percent",
    "recognised",
    "average",
    "approved",
)


def parse_year(text: str | None, *, name: str) -> int | None:
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    if not (text.isdigit() and len(text) == 4):
        raise ChoiceError(
            _("%(name)s must be a year of 4 digits, not “%(text)s”.") % {"name": name, "text": text}
        )
    return int(text)


def parse_day(text: str | None, *, name: str) -> dt.date | None:
    """A date written dd/mm/yyyy or yyyy-mm-dd; None when empty."""
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    try:
        return parse_date(text)
    except ValueError:
        raise ChoiceError(
            _(
                "%(name)s must be written day/month/year (30/06/2020) or year-month-day "
                "(2020-06-30), not “%(text)s”."
            )
            % {"name": name, "text": text}
        ) from None


def parse_flag(text: str | None, *, name: str) -> bool:
    if text is None or text.strip() in ("", "0"):
        return False
    if text.strip() == "1":
        return True
    raise ChoiceError(_("%(name)s must be 1 or 0, not “%(text)s”.") % {"name": name, "text": text})


def parse_geography(text: str | None) -> Geography:
    try:
        return Geography(text or Geography.AS_RECORDED)
    except ValueError:
        raise ChoiceError(
            _("Unknown way of counting the geography: “%(text)s”.") % {"text": text}
        ) from None


def parse_sort(text: str | None) -> tuple[str, bool]:
    """ "percent" (ascending) or "-percent" (descending); unknown keys are an error."""
    text = (text or "name").strip()
    descending = text.startswith("-")
    key = text.removeprefix("-")
    if key not in SORT_KEYS:
        raise ChoiceError(
            _("Cannot sort by “%(key)s”; use one of %(keys)s.")
            % {"key": key, "keys": ", ".join(SORT_KEYS)}
        )
    return key, descending


def check_as_of(as_of: dt.date | None, period: int) -> None:
    """`as_of` must fall within or after the period, and not after today."""
    if as_of is None:
        return
    if as_of < dt.date(period, 1, 1):
        raise ChoiceError(
            _("The as-of date (%(day)s) must fall within or after %(year)s.")
            % {"day": f"{as_of:%d/%m/%Y}", "year": period}
        )
    if as_of > timezone.localdate():
        raise ChoiceError(
            _("The as-of date (%(day)s) cannot be after today.") % {"day": f"{as_of:%d/%m/%Y}"}
        )


def check_baseline(baseline: int | None, period: int) -> None:
    if baseline is not None and baseline >= period:
        raise ChoiceError(
            _("The baseline year (%(baseline)s) must come before the year shown (%(year)s).")
            % {"baseline": baseline, "year": period}
        )
