"""Load the demo province: Lạng Sơn's real units with SIMULATED values for 2011–2020.

`load_demo()` builds the record, each entry with the moment it holds from, and hands it to
the values service `ntm.values.services.load_history` (design decision 7), which writes it in
one transaction with an audit row for every entry (`values.import` on each value stage,
`values.declare` on each declaration, `values.approve` on each period), each with
a version row effective at that moment. That is what lets the record answer "as of 30/06/2020"
and "as of 31/12/2020" for the same period 2020 (`ntm.results.record`):

- 2011–2015: statuses are DECLARED per criterion under the bundled `vn-ntm-xa-2010-2015`
  (QĐ 491/2009: 19 criteria, only 4 of its 39 indicators known, so nothing can be computed);
- 2016–2019: indicator values against the 2016–2020 set, effective 31/12 of the year;
  income (criterion 10) has no threshold before 2020, so its status is also declared;
- 2020: values effective 30/06/2020, then the entries that changed by the end of the year,
  effective 31/12/2020. The Value rows hold the end-of-year state; the version rows both.

Recognitions follow the record (`ntm.demo.recognitions`): 65 of the 181 communes hold one at
the end of 2020. Every period is approved (locked). The province is marked simulated (its
pages say "dữ liệu mô phỏng"). The load is idempotent: a province already marked is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ntm.criteria.loader import load_measures, load_set
from ntm.criteria.resolve import resolve
from ntm.criteria.schema import CriteriaSet
from ntm.demo import plan as demo_plan
from ntm.demo.realise import Realised, commune_sizes, realise
from ntm.demo.recognitions import recognise_demo
from ntm.evaluation.semantics import Status
from ntm.results.provenance import is_simulated
from ntm.results.scope import communes_on, pk_crosswalk
from ntm.units.models import Unit, UnitKind
from ntm.values.services import (
    Entry,
    PastApproval,
    PastDeclaration,
    PastValue,
    load_history,
    mark_simulated,
)
from ntm.vn.text import name_key

ACTOR = "system:demo"
PROVINCE_CODE = "20"  # Lạng Sơn (GSO)
SET_2016 = "vn-ntm-xa-2016-2020"
SET_2010 = "vn-ntm-xa-2010-2015"
NOTE = (
    "Dữ liệu mô phỏng (simulated) cho bản demo: đơn vị hành chính và sự kiện là thật, giá trị "
    "chỉ tiêu 2016–2020 và kết quả khai báo 2011–2015 là mô phỏng, sinh với hạt giống cố định "
    "để khớp các số liệu đã công bố của Lạng Sơn năm 2020. Tiêu chí 10 (thu nhập) 2016–2019 là "
    "kết quả khai báo vì bộ tiêu chí không có ngưỡng cho các năm này. Quyết định công nhận có "
    'số ghi "(mô phỏng)" là mô phỏng; các quyết định có số thật lấy từ tài liệu tham khảo.'
)
REASON = "Nạp dữ liệu mô phỏng (demo)"
# Recognitions the reference names (shared/reference/langson_recognitions.csv): commune,
# district, first year at the standard. Chi Lăng ("already NC as of Jan 2020") is put at 2019,
# the latest year the sources allow; the three communes of Thành phố Lạng Sơn (Hoàng Đồng,
# Quảng Lạc, Mai Pha) at 2017, the year the city completed the task (docs/domain.md), which
# the sources allow for the two they name.
RECOGNISED = (
    ("Vạn Linh", "Chi Lăng", 2015),
    ("Đình Lập", "Đình Lập", 2015),
    ("Xuân Mai", "Văn Quan", 2015),
    ("Gia Cát", "Cao Lộc", 2015),
    ("Bính Xá", "Đình Lập", 2018),
    ("Văn An", "Văn Quan", 2018),
    ("Chi Lăng", "Chi Lăng", 2019),
    ("Hoàng Đồng", "Lạng Sơn", 2017),
    ("Quảng Lạc", "Lạng Sơn", 2017),
    ("Mai Pha", "Lạng Sơn", 2017),
)
DAY_2011 = dt.date(2011, 12, 31)
DAY_2019 = dt.date(2019, 12, 31)
DAY_MID_2020 = dt.date(2020, 6, 30)
DAY_2020 = dt.date(2020, 12, 31)


class DemoError(RuntimeError):
    """The demo cannot be loaded (the message says what to do first)."""


@dataclass(frozen=True)
class DemoResult:
    loaded: bool  # False: it was there already
    values: int = 0
    declarations: int = 0
    seconds: float = 0.0


def province() -> Unit:
    found = Unit.objects.valid_on(timezone.localdate()).filter(
        kind=UnitKind.PROVINCE, code=PROVINCE_CODE
    )
    unit = found.first()
    if unit is None:
        raise DemoError(
            "Chưa có đơn vị hành chính của Lạng Sơn: chạy `ntm units load` trước. "
            "(Load the units first.)"
        )
    return unit


def moment(day: dt.date, hour: int = 17) -> dt.datetime:
    """The time of day an entry of `day` is recorded as holding from (office hours)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def unit_key(unit: Unit) -> str:
    """A key stable across databases (primary keys are not): code, name, district."""
    parent = unit.parent.name_key if unit.parent is not None else ""
    return f"{unit.code or '-'}|{unit.name_key}|{parent}"


def _recognised(units: list[Unit]) -> dict[str, int]:
    wanted = {(name_key(c), name_key(d)): y for c, d, y in RECOGNISED}
    out = {}
    for u in units:
        parent = u.parent.name_key if u.parent is not None else ""
        year = wanted.get((u.name_key, parent))
        if year is not None:
            out[unit_key(u)] = year
    return out


class _Record:
    """The demo's record as the values service loads it (`load_history`)."""

    def __init__(self) -> None:
        self.values: list[PastValue] = []
        self.declarations: list[PastDeclaration] = []
        self.approvals: list[PastApproval] = []

    def add(self, unit: Unit, period: int, at: dt.datetime, done: Realised, set_id: str) -> None:
        for measure, entry in done.entries.items():
            if entry["value"] is None and entry["numerator"] is None:
                continue
            self.values.append(PastValue(unit, measure, period, Entry(**entry), at))
        for criterion, status in done.declared.items():
            self.declare(unit, period, set_id, criterion, status, at)

    def declare(
        self, unit: Unit, period: int, set_id: str, criterion: int, status: str, at: dt.datetime
    ) -> None:
        self.declarations.append(PastDeclaration(unit, period, set_id, criterion, status, at))

    def approve(self, unit: Unit, period: int, set_id: str, at: dt.datetime) -> None:
        self.approvals.append(PastApproval(unit, period, set_id, at))


def _realise_all(
    record: _Record,
    plan: demo_plan.Plan,
    units: dict[str, Unit],
    cset: CriteriaSet,
    set_2010: CriteriaSet,
) -> None:
    measures = load_measures()
    sizes = {}
    for key in sorted(units):
        sizes[key] = commune_sizes(random.Random(f"{demo_plan.SEED}|{key}"))
    for year in range(2011, 2016):
        at = moment(dt.date(year, 12, 31))
        for key, met in sorted(plan.met[str(year)].items()):
            for k in demo_plan.CRITERIA:
                status = Status.MET if k in met else Status.NOT_MET
                record.declare(units[key], year, set_2010.id, k, status, at)
            record.approve(units[key], year, set_2010.id, moment(dt.date(year + 1, 1, 20)))
    phases = [(str(y), y, dt.date(y, 12, 31)) for y in range(2016, 2020)]
    phases += [(demo_plan.MID_2020, 2020, DAY_MID_2020), (demo_plan.END_2020, 2020, DAY_2020)]
    for phase, year, day in phases:
        resolved = resolve(cset, year)
        at = moment(day)
        for key, met in sorted(plan.met[phase].items()):
            unit = units[key]
            column = resolved.unit_column(unit.region, unit.commune_group, [])
            rng = random.Random(f"{demo_plan.SEED}|{key}|{phase}")
            done = realise(cset, resolved, column, met, sizes[key], measures, rng)
            record.add(unit, year, at, done, cset.id)
            if phase != demo_plan.MID_2020:
                record.approve(unit, year, cset.id, moment(dt.date(year + 1, 1, 20)))


def _predecessors(
    prov: Unit, c2019: dict[str, Unit], c2020: dict[str, Unit]
) -> dict[str, list[str]]:
    """Each commune of 2020 that did not exist in 2019 -> the communes of 2019 it was made
    of (wholly or in part), from the recorded NQ 818 events."""
    key_of = {str(u.pk): k for units in (c2019, c2020) for k, u in units.items()}
    out: dict[str, list[str]] = {}
    walk = pk_crosswalk(prov, DAY_2019, DAY_2020)
    for old, new in walk.select("old_unit", "new_unit").iter_rows():
        new_key, old_key = key_of.get(new), key_of.get(old)
        if new_key in c2020 and new_key not in c2019 and old_key in c2019:
            out.setdefault(new_key, []).append(old_key)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _keyed(units: list[Unit]) -> dict[str, Unit]:
    out = {unit_key(u): u for u in units}
    if len(out) != len(units):
        raise DemoError("Hai xã trùng mã và tên: không tạo được khoá ổn định. (Duplicate keys.)")
    return out


def load_demo(*, actor: str = ACTOR) -> DemoResult:
    """Load the simulated Lạng Sơn record once; later calls return `loaded=False` at once."""
    started = time.perf_counter()
    prov = province()
    if is_simulated(prov):
        return DemoResult(loaded=False)
    c2011 = _keyed(communes_on(prov, DAY_2011))
    c2019 = _keyed(communes_on(prov, DAY_2019))
    c2020 = _keyed(communes_on(prov, DAY_2020))
    every = {**c2011, **c2019, **c2020}
    listed = _recognised(list(every.values()))
    plan = demo_plan.build_plan(
        sorted(c2011), sorted(c2019), sorted(c2020), listed, _predecessors(prov, c2019, c2020)
    )
    cset = load_set(SET_2016)
    set_2010 = load_set(SET_2010)
    record = _Record()
    _realise_all(record, plan, every, cset, set_2010)
    with transaction.atomic():
        if is_simulated(prov):  # another run got here first
            return DemoResult(loaded=False)
        loaded = load_history(
            [cset, set_2010],
            record.values,
            record.declarations,
            record.approvals,
            reason=REASON,
            actor=actor,
        )
        recognise_demo(prov, plan, every, set(c2020), listed, actor)
        mark_simulated(prov, note=NOTE, actor=actor)
    return DemoResult(
        loaded=True,
        values=loaded.values,
        declarations=loaded.declarations,
        seconds=time.perf_counter() - started,
    )
