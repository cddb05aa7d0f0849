"""The one JSON form of every read model: the API, `ntm stats --json` and the results JSON of
`ntm evaluate --json` all write a model through `jsonable`, so the figures read the same
everywhere and the API's OpenAPI schema is the models' own.

The read models are pydantic dataclasses: their fields and `computed_field`s (derived figures
such as `Figures.meeting_percent`) are the JSON, and their JSON schema is the API's. An exact
share (`Exact`) is written as its fraction "p/q" beside its float value.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

from pydantic import PlainSerializer, TypeAdapter, WithJsonSchema


def _exact(value: Fraction) -> dict[str, str | float]:
    return {"exact": f"{value.numerator}/{value.denominator}", "value": float(value)}


# Read models compute fractions and never read them back from JSON, so only the written form
# has a schema.
Exact = Annotated[
    Fraction,
    PlainSerializer(_exact, return_type=dict[str, str | float]),
    WithJsonSchema(
        {
            "type": "object",
            "title": "Exact",
            "description": "An exact share: the fraction as text (p/q) and its value",
            "properties": {
                "exact": {"type": "string", "pattern": r"^-?\d+/\d+$"},
                "value": {"type": "number"},
            },
            "required": ["exact", "value"],
            "additionalProperties": False,
        }
    ),
]


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def jsonable(model: Any) -> Any:
    """A read model (a pydantic dataclass) as plain JSON types, by its own fields' aliases."""
    kind = type(model)
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter.dump_python(model, mode="json", by_alias=True)
