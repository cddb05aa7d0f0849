"""Malformed set and overlay files fail with the file, the path inside it and the problem."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ntm.criteria.loader import CriteriaError, load_overlay_file, load_set, load_set_file

MINIMAL: dict[str, Any] = {
    "kind": "set",
    "id": "mini",
    "name_vi": "Bộ thử",
    "tier": "standard",
    "level": "commune",
    "legal_basis": {"number": "1/QĐ-TEST"},
    "period": {"start_year": 2020, "end_year": 2021},
    "effective_from": "2020-01-01",
    "columns": [
        {"code": "national", "kind": "national", "name_vi": "Chung"},
        {"code": "TN", "kind": "region", "name_vi": "Tây Nguyên"},
    ],
    "criteria": [
        {
            "number": 1,
            "name_vi": "Y tế",
            "indicators": [
                {
                    "code": "1.1",
                    "name_vi": "Bảo hiểm y tế",
                    "conditions": [
                        {
                            "measure": "health_insurance_share",
                            "op": ">=",
                            "thresholds": {"national": {"value": 85, "status": "verified"}},
                        }
                    ],
                },
                {
                    "code": "1.2",
                    "name_vi": "Nhà tạm",
                    "conditions": [{"measure": "temporary_dilapidated_houses", "op": "none"}],
                },
            ],
        }
    ],
    "bands": [{"label_vi": "1", "label_en": "1", "min": 0, "max": 1}],
    "versions": [
        {"id": "v1", "legal_basis": {"number": "1/QĐ-TEST"}, "effective_from": "2020-01-01"}
    ],
}


def write(tmp_path: Path, data: Any, name: str = "set.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def fails(path: Path, *fragments: str) -> str:
    with pytest.raises(CriteriaError) as info:
        load_set_file(path)
    message = str(info.value)
    assert message.startswith(str(path) + ": ")
    for fragment in fragments:
        assert fragment in message, message
    return message


def cond(data: dict[str, Any], indicator: int = 0) -> dict[str, Any]:
    c: dict[str, Any] = data["criteria"][0]["indicators"][indicator]["conditions"][0]
    return c


def test_minimal_set_loads(tmp_path: Path) -> None:
    cset = load_set_file(write(tmp_path, MINIMAL))
    assert cset.indicator("1.1").conditions[0].thresholds["national"].value == 85


def test_unknown_op(tmp_path: Path) -> None:
    data = copy.deepcopy(MINIMAL)
    cond(data)["op"] = "gt"
    fails(write(tmp_path, data), "criteria[0].indicators[0].conditions[0].op", "'gt'")


def test_value_with_status_missing(tmp_path: Path) -> None:
    data = copy.deepcopy(MINIMAL)
    cond(data)["thresholds"]["national"] = {"value": 85, "status": "missing"}
    fails(
        write(tmp_path, data),
        "criteria[0].indicators[0].conditions[0].thresholds.national",
        "status 'missing' cannot have a value",
    )


def test_unknown_measure(tmp_path: Path) -> None:
    data = copy.deepcopy(MINIMAL)
    cond(data)["measure"] = "no_such_measure"
    fails(
        write(tmp_path, data),
        "criteria[0].indicators[0].conditions[0].measure",
        "unknown measure 'no_such_measure'",
    )


def test_op_that_does_not_fit_the_measure_kind(tmp_path: Path) -> None:
    data = copy.deepcopy(MINIMAL)
    cond(data, 1)["measure"] = "health_insurance_share"  # "none" needs a count
    fails(
        write(tmp_path, data),
        "criteria[0].indicators[1].conditions[0].op",
        "'none' cannot compare a share measure",
    )


def test_unknown_column(tmp_path: Path) -> None:
    data = copy.deepcopy(MINIMAL)
    cond(data)["thresholds"]["XYZ"] = {"value": 80, "status": "unverified"}
    fails(
        write(tmp_path, data),
        "criteria[0].indicators[0].conditions[0].thresholds.XYZ",
        "unknown column",
    )


def test_share_above_100_percent(tmp_path: Path) -> None:
    data = copy.deepcopy(MINIMAL)
    cond(data)["thresholds"]["TN"] = {"value": 185, "status": "unverified"}
    fails(write(tmp_path, data), "thresholds.TN", "0 to 100", "185")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("kind: set\nid: x\ncolumns: [a, b\nname_vi: y\n", encoding="utf-8")
    message = fails(path, "not valid YAML")
    assert re.search(r"line [34], column \d+", message), message


def test_key_given_twice(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    text = yaml.safe_dump(MINIMAL, allow_unicode=True)
    path.write_text(text + "id: again\n", encoding="utf-8")
    fails(path, "key 'id' appears twice", f"line {text.count(chr(10)) + 1}")


def test_missing_field_and_extra_field(tmp_path: Path) -> None:
    data = copy.deepcopy(MINIMAL)
    del data["criteria"][0]["name_vi"]
    data["criteria"][0]["indicators"][0]["colour"] = "red"
    fails(
        write(tmp_path, data),
        "criteria[0].name_vi: Field required",
        "criteria[0].indicators[0].colour: Extra inputs are not permitted",
    )


def test_year_outside_period_and_overlapping_bands(tmp_path: Path) -> None:
    data = copy.deepcopy(MINIMAL)
    thresholds = cond(data).pop("thresholds")
    cond(data)["by_year"] = {2030: thresholds}
    fails(write(tmp_path, data), "conditions[0].by_year.2030: year outside the set's period")
    data = copy.deepcopy(MINIMAL)
    data["bands"].append({"label_vi": "x", "label_en": "x", "min": 1, "max": 1})
    fails(write(tmp_path, data), "bands[1]: overlaps an earlier band")


def test_not_a_mapping_and_unknown_set(tmp_path: Path) -> None:
    fails(write(tmp_path, ["a", "b"]), "(top level): expected a mapping")
    with pytest.raises(CriteriaError, match=r"không có bộ tiêu chí này.*vn-ntm-xa-2016-2020"):
        load_set("vn-ntm-xa-1990")


OVERLAY: dict[str, Any] = {
    "kind": "overlay",
    "id": "ov",
    "extends": "vn-ntm-xa-2016-2020",
    "province_code": "20",
    "province_name": "Thử",
    "legal_basis": {"number": "TEST/QĐ-UBND"},
    "cells": [{"indicator": "15.1", "column": "province", "value": 90, "status": "verified"}],
}


def overlay_fails(tmp_path: Path, data: Any, *fragments: str) -> None:
    path = write(tmp_path, data, "overlay.yaml")
    with pytest.raises(CriteriaError) as info:
        load_overlay_file(path)
    assert str(info.value).startswith(str(path) + ": ")
    for fragment in fragments:
        assert fragment in str(info.value)


def test_overlay_errors(tmp_path: Path) -> None:
    data = copy.deepcopy(OVERLAY)
    data["cells"][0]["indicator"] = "99.9"
    overlay_fails(tmp_path, data, "cells[0].indicator: unknown indicator '99.9'")
    data = copy.deepcopy(OVERLAY)
    data["cells"][0]["indicator"] = "1.1"
    overlay_fails(tmp_path, data, "cells[0].indicator: 1.1 has no numeric threshold")
    data = copy.deepcopy(OVERLAY)
    data["cells"][0]["year"] = 2024
    overlay_fails(tmp_path, data, "cells[0].year: 2024 is outside the set's period")
    data = copy.deepcopy(OVERLAY)
    data["cells"][0]["value"] = 120
    overlay_fails(tmp_path, data, "cells[0]: a share is given in percent", "120")
    data = copy.deepcopy(OVERLAY)
    data["extends"] = "no-such-set"
    overlay_fails(tmp_path, data, "extends:", "không có bộ tiêu chí này")
    data = copy.deepcopy(OVERLAY)
    data["cells"][0]["status"] = "missing"
    overlay_fails(tmp_path, data, "cells[0]: a change has a value exactly when")
