"""Answers as JSON as RFC 8259 has it: Python's `json` writes NaN and Infinity, which no JSON
parser reads (a browser's `JSON.parse` fails on the whole answer)."""

import json
import math
from typing import Any

from django.http import HttpRequest
from ninja.renderers import JSONRenderer


def finite_only(data: Any) -> Any:
    """`data` with every float that is not finite replaced by None. The services store only
    finite numbers; a row written around them may hold one, and JSON has no word for it."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite_only(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite_only(v) for v in data]
    return data


class StrictJSONRenderer(JSONRenderer):
    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return json.dumps(
            finite_only(data), cls=self.encoder_class, allow_nan=False, **self.json_dumps_params
        )
