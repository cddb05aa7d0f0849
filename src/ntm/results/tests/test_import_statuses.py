"""A criterion-level workbook, from its template to the read layer: the statuses imported are
the commune's declared results on its page and in the province's figures at once."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ntm.accounts import permissions
from ntm.accounts.testing import Personas
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation.semantics import Source
from ntm.exchange.criterion_level import SHEET, write_level_template
from ntm.results.commune import commune_view
from ntm.results.province import province_overview
from ntm.values.services.imports import (
    import_statuses,
    level_template_day,
    level_template_rows,
)

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020


def test_template_fill_import_and_read(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    communes = permissions.importable_communes(p.province_office, level_template_day(YEAR))
    path = tmp_path / "tieu-chi.xlsx"
    write_level_template(
        path, cset, YEAR, level_template_rows(communes, cset, YEAR), title=p.province.name
    )
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    col = {c.value: c.column for c in ws[4] if c.value}
    assert [ws.cell(r, 1).value for r in (5, 6)] == ["99001", "99002"]
    for header, value in (
        ("TC1 Quy hoạch", "Đạt"),
        ("TC2 Giao thông", "Cơ bản đạt"),
        ("TC3 Thủy lợi", "chua dat"),
        ("TC4 Điện", "✓"),
        ("Số tiêu chí đạt", "2/19"),
    ):
        ws.cell(5, col[header]).value = value
    ws.cell(6, col["TC1 Quy hoạch"]).value = 1
    wb.save(path)

    assert _met_first(p) == 0  # nothing yet: a figure the import must not leave stale
    result = import_statuses(path, cset, YEAR, acting_user=p.province_office)
    assert (result.units, result.values) == (2, 5)

    view = commune_view(p.commune_a, period=YEAR, set_id=SET)
    rows = {c.number: c for c in view.criteria}
    assert [(rows[n].status, rows[n].source) for n in (1, 2, 3, 4)] == [
        ("met", Source.DECLARED),
        ("basically_met", Source.DECLARED),
        ("not_met", Source.DECLARED),
        ("met", Source.DECLARED),
    ]
    assert rows[5].declared_status is None and rows[5].status == "missing_data"
    assert view.met == 2
    assert _met_first(p) == 2  # both communes: the read layer's caches followed the import


def _met_first(p: Personas) -> int:
    overview = province_overview(p.province, period=YEAR, set_id=SET)
    return sum(c.met for c in overview.statistics.total.figures.criteria if c.criterion == 1)
