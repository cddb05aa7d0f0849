"""`simulated_data` in every template: whether the database holds simulated values; and
`unread_notifications`, the user's unread count for the header.

The demo records its province's values as simulated (a provenance row,
read through `ntm.results.provenance`); while any province is marked, every page can say "dữ liệu
mô phỏng" (the base template's `notice` block reads this flag). The query runs only when a
template reads the flag.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ntm.results.notifications import unread_count
from ntm.results.provenance import any_simulated


def simulated_data(request: HttpRequest) -> dict[str, Any]:
    return {"simulated_data": SimpleLazyObject(any_simulated)}


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications`: the header's count of the user's unread notifications."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}
