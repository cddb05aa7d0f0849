"""The pages benchmark's code runs on the demo, so it cannot rot (no timing is asserted):
its reference equals the pages, a save shows on the next load, and the longer history it
builds keeps every moment the demo records."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, cast

import pytest
from django.utils import timezone

from ntm.criteria.loader import load_measures
from ntm.demo.loader import DemoResult
from ntm.demo.users import ensure_demo_users
from ntm.results.record import moment
from ntm.stats.jsonable import jsonable
from ntm.units.models import Unit
from ntm.values.services import Entry, PastValue, check_entry

BENCHMARK = Path(__file__).resolve().parents[4] / "benchmarks" / "pages.py"

# The benchmark runs on SQLite only: one pass checks it.
pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ntm_benchmark_pages", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_reference_equals_the_page_and_the_api(demo: DemoResult, bench: Any) -> None:
    ensure_demo_users()
    d = bench.demo()
    by_user = bench.clients([bench.OFFICE], bench.OFFICE)
    pages = {p.key: p for p in bench.pages(d)}
    for key, at in (("province", None), ("as-of", moment(bench.AS_OF))):
        shown = bench.page_figures(bench.body(bench.get(by_user[bench.OFFICE], pages[key].url)))
        reference = bench.reference_statistics(d.province, bench.YEAR, d.cset, at)
        assert shown == bench.expected_figures(reference)
        assert shown["criteria"] and shown["meeting"].endswith(")")
        if at is None:
            api = json.loads(bench.body(bench.get(by_user["api"], pages["api"].url)))
            assert api["statistics"]["total"]["figures"] == jsonable(reference.total.figures)


def test_a_save_shows_on_the_next_reload(demo: DemoResult, bench: Any) -> None:
    ensure_demo_users()
    d = bench.demo()
    by_user = bench.clients([bench.OFFICE, bench.APPRAISER])  # office reopens, appraiser saves
    # It asserts the page's new figures after each save.
    out = bench.save_and_reload(d, by_user, 1, f"/province/{d.province.pk}/")
    assert len(out.saves.wall) == len(out.after_save.wall) == len(out.plain.wall) == 2


def _held(versions: list[tuple[dt.datetime, Entry]], at: dt.datetime) -> Entry:
    """The content a key's versions give at `at` (nothing before the first)."""
    found = Entry()
    for when, entry in sorted(versions, key=lambda v: v[0]):
        if when <= at:
            found = entry
    return found


def _kept(versions: list[tuple[dt.datetime, Entry]]) -> int:
    """How many versions the services write: an entry equal to the one before is none."""
    n, before = 0, Entry()
    for _, entry in sorted(versions, key=lambda v: v[0]):
        n, before = n + (entry != before), entry
    return n


def test_the_longer_history_keeps_every_recorded_moment(bench: Any) -> None:
    unit = cast(Unit, SimpleNamespace(pk=1))
    measures = load_measures()
    yes_no = next(k for k, m in measures.items() if m.kind == "yesno")
    share = next(k for k, m in measures.items() if m.kind == "share")
    count = next(k for k, m in measures.items() if m.kind in ("count", "number"))

    def at(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(17)))

    mid, end = at(dt.date(2020, 6, 30)), at(dt.date(2020, 12, 31))
    values = [
        PastValue(unit, yes_no, 2019, Entry(value=1.0), at(dt.date(2019, 12, 31))),
        PastValue(unit, share, 2020, Entry(numerator=30, denominator=40), mid),
        PastValue(unit, share, 2020, Entry(numerator=35, denominator=40), end),  # changed
        PastValue(unit, count, 2020, Entry(value=12), mid),
        PastValue(unit, count, 2020, Entry(value=12), end),  # unchanged: no version
    ]
    extra = bench.earlier_versions(values, 3)
    for key in {(v.measure, v.period) for v in values}:
        ours = [(v.at, check_entry(measures[v.measure], v.entry)) for v in values
                if (v.measure, v.period) == key]  # fmt: skip
        theirs = [(v.at, v.entry) for v in extra if (v.measure, v.period) == key]
        longer = ours + theirs
        assert _kept(longer) == 4 * _kept(ours)
        for when, entry in ours:  # every recorded moment reads the same record
            assert _held(longer, when) == _held(ours, when) == entry
        for when, entry in theirs:  # other contents than the entry they precede
            assert entry != next(e for w, e in sorted(ours, key=lambda v: v[0]) if w > when)
