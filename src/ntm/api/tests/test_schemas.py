"""The OpenAPI document describes every body the API reads and writes field by field: the
read models (`ntm.results`, `ntm.stats`, `ntm.criteria.schema`) are the schemas, so no body
is an untyped object."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ntm.api.api import api


def _untyped(schema: Any, components: dict[str, Any], where: str, seen: set[str]) -> Iterator[str]:
    """Where `schema` (or a schema it holds) lets any JSON through: `{}`, an object without
    properties whose other keys are free, or an array whose items are free."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from _untyped(components[name], components, name, seen)
        return
    described = {k for k in schema if k not in {"title", "description", "default", "readOnly"}}
    if not described:
        yield f"{where}: any value"
    free = schema.get("additionalProperties", True)
    if schema.get("type") == "object" and "properties" not in schema and free in (True, {}):
        yield f"{where}: an object of any fields"
    if schema.get("type") == "array" and schema.get("items", {}) == {}:
        yield f"{where}: an array of anything"
    for key in ("properties", "patternProperties"):
        for name, inner in schema.get(key, {}).items():
            yield from _untyped(inner, components, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        yield from _untyped(schema.get(key), components, f"{where}[]", seen)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, inner in enumerate(schema.get(key, [])):
            yield from _untyped(inner, components, f"{where}|{i}", seen)


def _bodies(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            for content in body.values():
                yield f"{method.upper()} {path} body", content["schema"]
            for status, response in operation["responses"].items():
                for content in response.get("content", {}).values():
                    yield f"{method.upper()} {path} {status}", content["schema"]


def test_no_body_is_an_untyped_object() -> None:
    document = api.get_openapi_schema(path_prefix="/api")
    components = document["components"]["schemas"]
    found = [
        problem
        for where, schema in _bodies(document)
        for problem in _untyped(schema, components, where, set())
    ]
    assert found == []


def test_the_walk_finds_untyped_objects() -> None:
    components: dict[str, Any] = {
        "Out": {"type": "object", "properties": {"x": {"$ref": "#/x/Free"}}}
    }
    components["Free"] = {"type": "object", "additionalProperties": True}
    components["List"] = {"type": "array", "items": {}}
    found = list(_untyped({"$ref": "#/c/Out"}, components, "Out", set()))
    assert found == ["Free: an object of any fields"]
    assert list(_untyped({"$ref": "#/c/List"}, components, "", set())) == [
        "List: an array of anything",
        "List[]: any value",
    ]


def test_the_statistics_schema_names_the_read_models_fields() -> None:
    components = api.get_openapi_schema(path_prefix="/api")["components"]["schemas"]
    figures = components["Figures"]["properties"]
    # Derived figures are part of the written body, exact shares as {exact, value}.
    assert {"not_evaluated", "meeting_percent", "average_met", "recognised_percent"} <= set(figures)
    exact = figures["meeting_percent"]["anyOf"][0]
    assert exact["required"] == ["exact", "value"]
    assert set(components["Geography"]["properties"]) == {
        "unit",
        "name",
        "figures",
        "change_previous",
        "change_baseline",
    }
    assert set(components["UnitRef"]["properties"]) >= {"id", "code", "name", "kind"}
