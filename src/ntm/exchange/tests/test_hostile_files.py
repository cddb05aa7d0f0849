"""Every reader of the exchange package on generated hostile files (`hostile`): whatever the
file, it answers with what it read and the problems found, or with an `InputError` — never
another exception, which a page would show as an error 500."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ntm.criteria.loader import load_set
from ntm.exchange import criterion_level, groups, recognitions
from ntm.exchange.counts import Commune, read_counts
from ntm.exchange.tests.factory import criteria_set, measures
from ntm.exchange.tests.hostile import HostileFile, hostile_files
from ntm.exchange.workbook import INPUT_SHEET, InputError, read_file, template_columns

pytestmark = pytest.mark.pure

CSET = criteria_set()
MEASURES = measures()
LEVEL_SET = load_set("vn-ntm-xa-2016-2020")
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _header_row(write: Callable[[io.BytesIO], None]) -> list[str]:
    """The header row of a template the package writes (the row naming "Mã xã" or "Xã")."""
    out = io.BytesIO()
    write(out)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    for row in ws.iter_rows(values_only=True):
        texts = [str(v) for v in row if v is not None]
        if any(t.lower() in {"mã xã", "xã", "tên xã"} for t in texts):
            return texts
    raise AssertionError("no header row in the template")


VALUES_HEADERS = [c.header for c in template_columns(CSET, MEASURES)] + [
    c.machine for c in template_columns(CSET, MEASURES)
]
LEVEL_HEADERS = _header_row(
    lambda out: criterion_level.write_level_template(
        out,
        LEVEL_SET,
        2020,
        [criterion_level.TemplateRow("99001", "Xã An Bình")],
        title="Tỉnh",
    )
)
GROUP_HEADERS = _header_row(
    lambda out: groups.write_group_template(
        out, [groups.TemplateRow("99001", "Xã An Bình")], title="Tỉnh"
    )
)
RECOGNITION_HEADERS = [
    "Xã",
    "Huyện",
    "Mức công nhận",
    "Năm đạt chuẩn",
    "Số quyết định",
    "Ngày quyết định",
]
COUNT_HEADERS = ["Mã xã", "Tên xã", "Huyện", "Số tiêu chí đạt"]
COMMUNES = [Commune("1", "99001", "Xã An Bình"), Commune("2", "99002", "Xã Bình Minh")]


def _read(file: HostileFile, reader: Callable[[Path], Any]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = file.write(Path(directory))
        try:
            reader(path)
        except InputError as refused:
            assert refused.problems, "a refusal says why"


@EXAMPLES
@given(file=hostile_files(VALUES_HEADERS, [INPUT_SHEET]), year=st.sampled_from([2020, 1999]))
def test_the_values_template_reader(file: HostileFile, year: int) -> None:
    _read(file, lambda path: read_file(path, CSET, year=year, measures=MEASURES))


@EXAMPLES
@given(file=hostile_files(LEVEL_HEADERS, [criterion_level.SHEET]))
def test_the_criterion_level_reader(file: HostileFile) -> None:
    _read(file, lambda path: criterion_level.read_level(path, LEVEL_SET))


@EXAMPLES
@given(file=hostile_files(RECOGNITION_HEADERS, [recognitions.SHEET]))
def test_the_recognition_list_reader(file: HostileFile) -> None:
    _read(file, lambda path: recognitions.read_recognitions(path, today=dt.date(2026, 12, 7)))


@EXAMPLES
@given(file=hostile_files(GROUP_HEADERS, [groups.SHEET]))
def test_the_group_reader(file: HostileFile) -> None:
    _read(file, lambda path: groups.read_groups(path))


@EXAMPLES
@given(file=hostile_files(COUNT_HEADERS, ["Số tiêu chí đạt"]), criteria=st.sampled_from([19, 10]))
def test_the_count_list_reader(file: HostileFile, criteria: int) -> None:
    _read(file, lambda path: read_counts(path, COMMUNES, criteria))
