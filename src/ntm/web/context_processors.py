"""`simulated_data` in every template: whether the database holds simulated values.

The demo records its province's values as simulated (a provenance row,
`ntm.web.models.SimulatedData`); while any province is marked, every page can say "dữ liệu
mô phỏng" (the base template's `notice` block reads this flag). The query runs only when a
template reads the flag.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ntm.values.models import SimulatedData


def _any_simulated() -> bool:
    return SimulatedData.objects.exists()


def simulated_data(request: HttpRequest) -> dict[str, Any]:
    return {"simulated_data": SimpleLazyObject(_any_simulated)}
