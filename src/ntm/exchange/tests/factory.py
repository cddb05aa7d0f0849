"""A small criteria set and measure catalogue covering every measure kind and role."""

from __future__ import annotations

from typing import Any

from ntm.criteria.schema import CriteriaSet, Measure


def measures() -> dict[str, Measure]:
    raw: list[dict[str, Any]] = [
        {
            "key": "plan_approved",
            "name_vi": "Quy hoạch được duyệt",
            "name_en": "Plan approved",
            "unit": "Đạt/Chưa đạt",
            "kind": "yesno",
            "combine": "not_comparable",
        },
        {
            "key": "roads_hard",
            "name_vi": "Tỷ lệ đường trục thôn cứng hóa",
            "name_en": "Hard roads",
            "unit": "%",
            "kind": "share",
            "combine": "shares",
            "numerator_vi": "km đường cứng hóa",
            "denominator_vi": "tổng km đường trục thôn",
        },
        {
            "key": "income",
            "name_vi": "Thu nhập bình quân đầu người",
            "name_en": "Income",
            "unit": "triệu đồng/người/năm",
            "kind": "number",
            "combine": "weighted_mean",
            "weight_measure": "population",
        },
        {
            "key": "population",
            "name_vi": "Dân số",
            "name_en": "Population",
            "unit": "người",
            "kind": "count",
            "combine": "sum",
        },
        {
            "key": "temp_houses",
            "name_vi": "Số nhà tạm, dột nát",
            "name_en": "Temporary houses",
            "unit": "nhà",
            "kind": "count",
            "combine": "sum",
        },
        {
            "key": "poverty_rate",
            "name_vi": "Tỷ lệ hộ nghèo",
            "name_en": "Poverty rate",
            "unit": "%",
            "kind": "number",
            "combine": "not_comparable",
        },
        {
            "key": "village_halls",
            "name_vi": "Tỷ lệ thôn có nhà văn hóa",
            "name_en": "Village halls",
            "unit": "%",
            "kind": "share",
            "combine": "shares",
            "numerator_vi": "thôn có nhà văn hóa",
            "denominator_vi": "tổng số thôn",
        },
        {
            "key": "market",
            "name_vi": "Chợ nông thôn đạt chuẩn",
            "name_en": "Market",
            "unit": "Đạt/Chưa đạt",
            "kind": "yesno",
            "combine": "not_comparable",
        },
    ]
    return {m["key"]: Measure.model_validate(m) for m in raw}


def _cells(national: float, tdmnpb: float) -> dict[str, Any]:
    return {
        "national": {"value": national, "status": "verified"},
        "TDMNPB": {"value": tdmnpb, "status": "unverified"},
    }


def criteria_set() -> CriteriaSet:
    raw: dict[str, Any] = {
        "id": "test-set",
        "name_vi": "Bộ tiêu chí thử",
        "tier": "standard",
        "level": "commune",
        "legal_basis": {"number": "1/QĐ-TEST"},
        "period": {"start_year": 2016, "end_year": 2020},
        "effective_from": "2016-12-01",
        "columns": [
            {"code": "national", "kind": "national", "name_vi": "Chung"},
            {"code": "TDMNPB", "kind": "region", "name_vi": "Trung du miền núi phía Bắc"},
            {"code": "DBSH", "kind": "region", "name_vi": "Đồng bằng sông Hồng"},
        ],
        "criteria": [
            {
                "number": 1,
                "name_vi": "Quy hoạch",
                "indicators": [
                    {
                        "code": "1.1",
                        "name_vi": "Có quy hoạch",
                        "conditions": [{"measure": "plan_approved", "op": "yes"}],
                    }
                ],
            },
            {
                "number": 2,
                "name_vi": "Giao thông",
                "indicators": [
                    {
                        "code": "2.2",
                        "name_vi": "Đường trục thôn",
                        "conditions": [
                            {"measure": "roads_hard", "op": ">=", "thresholds": _cells(70, 50)}
                        ],
                    }
                ],
            },
            {
                "number": 6,
                "name_vi": "Văn hóa",
                "indicators": [
                    {
                        "code": "6.3",
                        "name_vi": "Nhà văn hóa thôn",
                        "may_be_not_applicable": True,
                        "conditions": [
                            {"measure": "village_halls", "op": "==", "thresholds": _cells(100, 100)}
                        ],
                    }
                ],
            },
            {
                "number": 7,
                "name_vi": "Thương mại",
                "indicators": [
                    {
                        "code": "7",
                        "name_vi": "Chợ",
                        "may_be_not_applicable": True,
                        "conditions": [{"measure": "market", "op": "yes"}],
                    }
                ],
            },
            {
                "number": 9,
                "name_vi": "Nhà ở",
                "indicators": [
                    {
                        "code": "9.1",
                        "name_vi": "Nhà tạm",
                        "conditions": [{"measure": "temp_houses", "op": "none"}],
                    }
                ],
            },
            {
                "number": 10,
                "name_vi": "Thu nhập",
                "indicators": [
                    {
                        "code": "10",
                        "name_vi": "Thu nhập",
                        "conditions": [
                            {"measure": "income", "op": ">=", "by_year": {2020: _cells(45, 36)}}
                        ],
                    }
                ],
            },
            {
                "number": 11,
                "name_vi": "Hộ nghèo",
                "indicators": [
                    {
                        "code": "11",
                        "name_vi": "Tỷ lệ hộ nghèo",
                        "conditions": [
                            {"measure": "poverty_rate", "op": "<=", "thresholds": _cells(4, 6)}
                        ],
                    }
                ],
            },
        ],
        "bands": [
            {"label_vi": "7 tiêu chí", "label_en": "7", "min": 7, "max": 7},
            {"label_vi": "dưới 7", "label_en": "under 7", "min": 0, "max": 6},
        ],
        "versions": [
            {"id": "2016", "legal_basis": {"number": "1/QĐ-TEST"}, "effective_from": "2016-12-01"}
        ],
    }
    return CriteriaSet.model_validate(raw)
