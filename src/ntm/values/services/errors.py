"""The refusals of the values services; each message is for the user (Vietnamese, then
English), and a refused change leaves nothing written."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext

from ntm.values.services.describe import describe_entry, display_name
from ntm.vn.dates import format_datetime

if TYPE_CHECKING:
    from ntm.criteria.schema import Measure
    from ntm.values.models import Value
    from ntm.values.services.entries import Entry


class ValuesError(ValueError):
    """A refused change; the message is for the user (Vietnamese, then English)."""


class NotAllowed(ValuesError):
    """The user may not do this (views answer 404 outside the user's units, else 403)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or gettext("You are not allowed to do this."))


class Locked(ValuesError):
    pass


class InvalidEntry(ValuesError):
    pass


class Conflict(ValuesError):
    """Someone saved the same stage of the same value since the user loaded it."""

    def __init__(self, value: Value, stage: str, yours: Entry, measure: Measure | None) -> None:
        self.value = value
        self.stage = stage
        self.theirs = value.entry(stage)
        self.yours = yours
        self.by = getattr(value, f"{stage}_by")
        self.at: dt.datetime | None = getattr(value, f"{stage}_at")
        self.current_version = value.version(stage)
        when = format_datetime(timezone.localtime(self.at), time_first=True) if self.at else "—"
        super().__init__(
            gettext(
                "%(who)s saved this value at %(when)s: %(theirs)s. Yours (%(yours)s) was not "
                "saved — look again, and save once more if you still want to change it."
            )
            % {
                "who": display_name(self.by),
                "when": when,
                "theirs": describe_entry(measure, self.theirs),
                "yours": describe_entry(measure, yours.as_dict()),
            }
        )
