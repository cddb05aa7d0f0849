"""Small hand-built criteria sets and frames for the engine's tests (no bundled files)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from ntm.criteria.schema import CriteriaSet, Measure, Overlay
from ntm.evaluation import VALUES_SCHEMA


def _measure(key: str, kind: str) -> Measure:
    extra: dict[str, Any] = {}
    combine = {"share": "shares", "count": "sum"}.get(kind, "not_comparable")
    if kind == "share":
        extra = {"numerator_vi": "tử số", "denominator_vi": "mẫu số"}
    return Measure.model_validate(
        {
            "key": key,
            "name_vi": key,
            "name_en": key,
            "unit": "%",
            "kind": kind,
            "combine": combine,
            **extra,
        }
    )


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in [
        _measure("plan_ok", "yesno"),
        _measure("water", "share"),
        _measure("road_hard", "share"),
        _measure("road_paved", "share"),
        _measure("income", "number"),
        _measure("poverty", "share"),
        _measure("temp_houses", "count"),
        _measure("sport_grounds", "count"),
    ]
}


def cell(value: float | None, status: str = "verified") -> dict[str, Any]:
    return {"value": value, "status": "missing" if value is None else status}


def small_set(**changes: Any) -> CriteriaSet:
    """Seven criteria covering every kind of condition; key criterion 3 (income)."""
    raw: dict[str, Any] = {
        "id": "test-set",
        "name_vi": "Bộ thử",
        "tier": "standard",
        "level": "commune",
        "legal_basis": {"number": "1/QĐ-TEST"},
        "period": {"start_year": 2020, "end_year": 2022},
        "effective_from": dt.date(2020, 1, 1),
        "columns": [
            {"code": "national", "kind": "national", "name_vi": "Chung"},
            {"code": "TDMNPB", "kind": "region", "name_vi": "Miền núi phía Bắc"},
            {"code": "DBSH", "kind": "region", "name_vi": "Đồng bằng sông Hồng"},
        ],
        "column_overrides": [
            {
                "flags": ["special_difficulty", "safe_zone_poor_district"],
                "column": "TDMNPB",
                "legal_basis": "1/QĐ-TEST Điều 1",
            }
        ],
        "criteria": [
            {
                "number": 1,
                "name_vi": "Quy hoạch",
                "indicators": [
                    {
                        "code": "1.1",
                        "name_vi": "Có quy hoạch",
                        "conditions": [{"measure": "plan_ok", "op": "yes"}],
                    },
                ],
            },
            {
                "number": 2,
                "name_vi": "Giao thông và nước",
                "indicators": [
                    {
                        "code": "2.1",
                        "name_vi": "Nước sạch",
                        "conditions": [
                            {
                                "measure": "water",
                                "op": ">=",
                                "thresholds": {
                                    "national": cell(90),
                                    "TDMNPB": cell(80),
                                    "DBSH": cell(None),
                                },
                            }
                        ],
                    },
                    {
                        "code": "2.2",
                        "name_vi": "Đường ngõ",
                        "conditions": [
                            {
                                "measure": "road_hard",
                                "op": "==",
                                "thresholds": {"national": cell(100)},
                            },
                            {
                                "measure": "road_paved",
                                "op": ">=",
                                "thresholds": {
                                    "national": cell(70),
                                    "TDMNPB": cell(50, "unverified"),
                                    "DBSH": cell(21.8),
                                },
                            },
                        ],
                    },
                ],
            },
            {
                "number": 3,
                "name_vi": "Thu nhập",
                "indicators": [
                    {
                        "code": "3",
                        "name_vi": "Thu nhập bình quân",
                        "conditions": [
                            {
                                "measure": "income",
                                "op": ">=",
                                "by_year": {
                                    2020: {"national": cell(41), "TDMNPB": cell(36)},
                                    2021: {"national": cell(45), "TDMNPB": cell(40)},
                                },
                            }
                        ],
                    },
                ],
            },
            {
                "number": 4,
                "name_vi": "Hộ nghèo",
                "indicators": [
                    {
                        "code": "4",
                        "name_vi": "Tỷ lệ hộ nghèo",
                        "conditions": [
                            {
                                "measure": "poverty",
                                "op": "<=",
                                "thresholds": {
                                    "national": cell(5),
                                    "TDMNPB": cell(10, "unverified"),
                                },
                            }
                        ],
                    },
                ],
            },
            {
                "number": 5,
                "name_vi": "Nhà ở",
                "indicators": [
                    {
                        "code": "5",
                        "name_vi": "Nhà tạm",
                        "conditions": [{"measure": "temp_houses", "op": "none"}],
                    },
                ],
            },
            {
                "number": 6,
                "name_vi": "Thể thao",
                "indicators": [
                    {
                        "code": "6",
                        "name_vi": "Sân thể thao (nếu có)",
                        "may_be_not_applicable": True,
                        "conditions": [
                            {
                                "measure": "sport_grounds",
                                "op": ">=",
                                "thresholds": {"national": cell(1)},
                            }
                        ],
                    },
                ],
            },
            {"number": 7, "name_vi": "Tiêu chí chưa có chỉ tiêu"},
        ],
        "revocation": {"legal_basis": "18/2022/QĐ-TTg", "key_criteria": [3, 4]},
        "bands": [
            {"label_vi": "7", "label_en": "7", "min": 7, "max": 7},
            {"label_vi": "dưới 7", "label_en": "under 7", "min": 0, "max": 6},
        ],
        "versions": [
            {
                "id": "v1",
                "legal_basis": {"number": "1/QĐ-TEST"},
                "effective_from": dt.date(2020, 1, 1),
            },
        ],
    }
    raw.update(changes)
    return CriteriaSet.model_validate(raw)


def overlay(province: str = "20", value: float = 95.0) -> Overlay:
    return Overlay.model_validate(
        {
            "kind": "overlay",
            "id": f"ov-{province}",
            "extends": "test-set",
            "province_code": province,
            "province_name": "Tỉnh thử",
            "legal_basis": {"number": f"9/QĐ-UBND-{province}"},
            "cells": [
                {"indicator": "2.1", "column": "province", "value": value, "status": "verified"},
                {"indicator": "4", "column": "DBSH", "value": 3, "status": "verified"},
            ],
        }
    )


UNITS = pl.DataFrame(
    {
        "unit": ["A", "B", "C", "D"],
        "province": ["20", "20", "01", None],
        "region": ["TDMNPB", "DBSH", "DBSH", None],
        "commune_group": [None, None, None, None],
        "special_difficulty": [False, False, True, None],
    },
    schema_overrides={"commune_group": pl.String},
)

# Values that meet every condition in the national column, per measure: (value, num, den).
GOOD: dict[str, tuple[float | None, float | None, float | None]] = {
    "plan_ok": (1.0, None, None),
    "water": (None, 95.0, 100.0),
    "road_hard": (None, 10.0, 10.0),
    "road_paved": (None, 8.0, 10.0),
    "income": (50.0, None, None),
    "poverty": (None, 2.0, 100.0),
    "temp_houses": (0.0, None, None),
    "sport_grounds": (2.0, None, None),
}


def values_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=VALUES_SCHEMA,
    )


def good_rows(
    unit: str, period: int, stage: str = "claimed", **replace: Any
) -> list[dict[str, Any]]:
    """A complete row set for one unit and year; `replace[measure]` = (value, num, den) or None."""
    rows = []
    for key, (value, num, den) in GOOD.items():
        triple = replace.get(key, (value, num, den))
        if triple is None:
            continue
        rows.append(
            {
                "unit": unit,
                "measure": key,
                "period": period,
                "value": triple[0],
                "numerator": triple[1],
                "denominator": triple[2],
                "not_applicable": False,
                "stage": stage,
            }
        )
    return rows


# ---------------------------------------------------------------------------- 2026-2030, TEST

TEST_SOURCE = "TEST: made-up threshold for tests, not the law"
# TEST thresholds by commune group (none is from QĐ 51/2025/QĐ-TTg, whose tables we lack).
TEST_INCOME = {"group_1": 80.0, "group_2": 70.0, "group_3": 50.0}
TEST_POVERTY = 5.0  # one national cell, the same for every group


def _test_cell(value: float) -> dict[str, Any]:
    return {"value": value, "status": "unverified", "source": TEST_SOURCE}


def grouped_test_set() -> CriteriaSet:
    """The bundled 2026-2030 set with made-up (TEST) indicators in criteria 1, 3 and 6:
    income by commune group, poverty by one national cell, planning yes/no."""
    from ntm.criteria.loader import load_set

    raw = load_set("vn-ntm-xa-2026-2030").model_dump(mode="json")
    raw["id"] = "vn-ntm-xa-2026-2030-TEST"
    raw["name_vi"] = "TEST — " + raw["name_vi"]
    indicators: dict[int, dict[str, Any]] = {
        1: {
            "code": "T1.1",
            "name_vi": "TEST: quy hoạch chung",
            "conditions": [{"measure": "planning_general_plan", "op": "yes"}],
        },
        3: {
            "code": "T3.1",
            "name_vi": "TEST: thu nhập bình quân đầu người",
            "conditions": [
                {
                    "measure": "income_per_capita",
                    "op": ">=",
                    "thresholds": {
                        "national": {"status": "missing"},
                        **{g: _test_cell(v) for g, v in TEST_INCOME.items()},
                    },
                }
            ],
        },
        6: {
            "code": "T6.1",
            "name_vi": "TEST: tỷ lệ hộ nghèo, cận nghèo",
            "conditions": [
                {
                    "measure": "poor_near_poor_household_share",
                    "op": "<=",
                    "thresholds": {"national": _test_cell(TEST_POVERTY)},
                }
            ],
        },
    }
    for criterion in raw["criteria"]:
        if criterion["number"] in indicators:
            criterion["indicators"] = [indicators[criterion["number"]]]
    return CriteriaSet.model_validate(raw)
