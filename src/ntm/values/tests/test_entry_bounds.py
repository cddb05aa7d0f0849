"""Every stored number is finite and plausible, and nothing is written without an audit row:
the same rule for the services (the form and the API call them) as for the import."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.criteria import bounds
from ntm.criteria.loader import load_measures, sets_for_period
from ntm.values.models import Stage, Value
from ntm.values.services import (
    Entry,
    InvalidEntry,
    ValuesError,
    add_comment,
    add_evidence,
    save_value,
    set_reads,
)

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


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e28", "Giá trị quá lớn (tối đa 15 chữ số, nhỏ hơn 1.000.000.000.000.000)."),
        ("1.000.000.000.000.000.000", "Giá trị quá lớn"),
        ("-5", "Giá trị không được âm."),
    ],
)
def test_the_grid_refuses_them_in_the_cell(
    client: Client, personas: Personas, typed: str, message: str
) -> None:
    p = personas
    p.login(client, "officer_a")
    url = reverse(
        "values:save_cell", args=[p.commune_a.pk, "vn-ntm-xa-2016-2020", YEAR, INCOME, "claimed"]
    )
    response = client.post(url, {"value": typed, "version": "0"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert message in html and f'value="{typed}"' in html
    assert not Value.objects.exists() and not AuditLog.objects.filter(action__startswith="values")


@pytest.mark.parametrize("case", ["year without a set", "measure the year's sets do not read"])
def test_comments_and_evidence_go_only_where_a_set_reads_the_value(
    personas: Personas, settings: Settings, tmp_path: Path, case: str
) -> None:
    """Nothing would ever show the remark or the file: no value row is made for it."""
    if case == "year without a set":
        year, measure = 2099, INCOME
    else:
        year = YEAR
        measure = next(
            k for k in load_measures() if k not in _read_in(YEAR) and k in _read_in(2022)
        )
    settings.MEDIA_ROOT = tmp_path
    p = personas
    with pytest.raises(InvalidEntry):
        add_comment(p.commune_a, measure, year, "Xem lại", acting_user=p.officer_a)
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(InvalidEntry):
        add_evidence(p.commune_a, measure, year, upload, acting_user=p.officer_a)
    assert not Value.objects.exists()
    assert not AuditLog.objects.filter(object_type="values.value").exists()


def test_a_long_evidence_description_is_refused_not_cut(
    personas: Personas, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    p = personas
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(InvalidEntry, match="500"):
        add_evidence(
            p.commune_a, INCOME, 2020, upload, acting_user=p.officer_a, description="x" * 501
        )
    assert not Value.objects.exists()
