"""Every stored number is finite and plausible, and nothing is written without an audit row:
the same rule for the services (the form and the API call them) as for the import."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.criteria import bounds
from ntm.criteria.loader import load_measures, sets_for_period
from ntm.values.models import Stage, Value
from ntm.values.services import Entry, InvalidEntry, ValuesError, save_value, set_reads

pytestmark = pytest.mark.django_db


YEAR = 2020
INCOME = "income_per_capita"
WATER = "households_clean_water_share"


def _save(p: Personas, measure: str, entry: Entry, period: int = YEAR, **kw: str) -> Value:
    return save_value(
        p.commune_a,
        measure,
        period,
        entry,
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
        **kw,
    )


@pytest.mark.parametrize(
    ("measure", "entry", "message"),
    [
        (INCOME, Entry(value=1e28), "quá lớn"),
        (INCOME, Entry(value=1e15), "quá lớn"),
        (INCOME, Entry(value=math.inf), "không phải là một số hữu hạn"),
        (INCOME, Entry(value=math.nan), "không phải là một số hữu hạn"),
        (WATER, Entry(numerator=1.0, denominator=1e20), "Mẫu số: giá trị quá lớn"),
        (WATER, Entry(numerator=math.nan, denominator=5.0), "Tử số: giá trị không phải"),
        ("population", Entry(value=704.2), "Số đếm phải là số nguyên"),
    ],
)
def test_numbers_a_page_could_not_show_are_refused(
    personas: Personas, measure: str, entry: Entry, message: str
) -> None:
    with pytest.raises(InvalidEntry, match=message):
        _save(personas, measure, entry)
    assert not Value.objects.exists() and not AuditLog.objects.filter(action__startswith="values")


def test_the_largest_plausible_number_is_kept(personas: Personas) -> None:
    assert _save(personas, INCOME, Entry(value=999_999_999_999_999.0)).claimed_value == 1e15 - 1


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_bounds_accept_only_finite_plausible_numbers(x: float) -> None:
    income = load_measures()[INCOME]
    problem = bounds.number_problem(income, x)
    assert (problem is None) == (math.isfinite(x) and 0 <= x < bounds.MAX_MAGNITUDE)


def test_a_measure_can_carry_tighter_bounds() -> None:
    income = load_measures()[INCOME].model_copy(update={"maximum": 1000.0})
    problem = bounds.number_problem(income, 1000.5)
    assert problem is not None and "mức tối đa hợp lý 1.000" in problem.vi
    assert bounds.number_problem(income, 1000.0) is None


def test_a_year_without_a_set_is_refused(personas: Personas) -> None:
    with pytest.raises(InvalidEntry, match="Không có bộ tiêu chí nào cho năm 2099"):
        _save(personas, INCOME, Entry(value=40.0), period=2099)
    assert not Value.objects.exists()


def test_a_measure_no_set_of_the_year_reads_is_refused(personas: Personas) -> None:
    # Counted poor and near-poor households are a 2021–2025 measure, not read in 2020.
    later = next(k for k in load_measures() if k not in _read_in(YEAR) and k in _read_in(2022))
    with pytest.raises(InvalidEntry, match="không dùng chỉ tiêu"):
        _save(personas, later, Entry(value=1.0))
    assert not Value.objects.exists()


def _read_in(year: int) -> set[str]:
    return {m for s in sets_for_period(year) for m in set_reads(s.id)}


def test_an_empty_entry_of_a_new_value_writes_nothing(personas: Personas) -> None:
    before = AuditLog.objects.count()
    value = _save(personas, INCOME, Entry())
    assert value.pk is None
    assert not Value.objects.exists() and AuditLog.objects.count() == before


def test_a_long_reason_is_refused(personas: Personas) -> None:
    with pytest.raises(ValuesError, match=r"Lý do dài quá 2\.000 ký tự"):
        _save(personas, INCOME, Entry(value=40.0), reason="x" * 2001)
    assert not Value.objects.exists()
