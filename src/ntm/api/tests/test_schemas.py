"""The API's public schemas and the dashboards' rows they are read from stay in step."""

from __future__ import annotations

import dataclasses

import pytest
from ninja import Schema

from ntm.api.schemas import ConditionOut, CriterionOut
from ntm.results.commune import ConditionRow, CriterionRow


@pytest.mark.parametrize(
    ("schema", "row"), [(ConditionOut, ConditionRow), (CriterionOut, CriterionRow)]
)
def test_schema_fields_are_the_row_fields(schema: type[Schema], row: type) -> None:
    assert list(schema.model_fields) == [f.name for f in dataclasses.fields(row)]
