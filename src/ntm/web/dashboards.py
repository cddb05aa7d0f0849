"""The figures the dashboards and the API show, read from stored values.

Values go through the cached evaluation (`ntm.values.evaluation`), then `ntm.stats` rolls
them up; nothing here writes a value or a result. In every frame the `unit` column is a unit's
primary key as text (GSO codes are reused over time).

A period is a year; its units are those in force on its reference day (31/12, or today for
the current year). Two geographies:

- as recorded: each year counted on the units of that year, as offices published it;
- re-based: every year carried onto the units of one date (the province's reference date:
  today while it is in force) — values through the 2019–2025 crosswalks with the measure
  catalogue's combine rules (`ntm.stats.rebase`), then evaluated again; a new unit whose
  values could not all be carried (yes/no across a merger, or a part without data) counts as
  "not comparable", never as failing.

A province may be marked as holding simulated data (`SimulatedData`); its pages then say so.

As of a date (`as_of`): the chosen period's record as it stood at the end of that day,
rebuilt from the audit log (`ntm.values.evaluation`; such results are not cached). Every other
year (previous year, baseline, trend) is taken as it stood at the end of that year — or at
`as_of` if that comes first — and years starting after `as_of` are left out. Approvals are
read as of the same moments.

Approval: every figure counts how many communes in scope have their period approved for the
set (`Submission`). With `approved_only`, a commune whose period is not approved has no
result: it counts as "chưa duyệt" (among the communes without a result), never as failing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from ntm.audit.models import AuditLog
from ntm.audit.services import record
from ntm.criteria.loader import load_measures
from ntm.criteria.schema import CriteriaSet, Criterion
from ntm.evaluation import Evaluation, evaluate
from ntm.stats import watch
from ntm.stats.rebase import basis_label, rebase_values, transfer_results
from ntm.stats.rollup import AS_RECORDED as AS_RECORDED
from ntm.stats.rollup import Figures, RollUp, Statistics, roll_up
from ntm.units.models import Unit, UnitKind
from ntm.units.names import parse_date
from ntm.units.queries import crosswalk, empty_crosswalk, lineage, units_of, version_on
from ntm.values.evaluation import (
    declared_frame,
    moment,
    results_for_units,
    sets_for_period,
    units_frame,
    values_frame,
)
from ntm.values.models import Declaration, State, Submission, Value
from ntm.values.services import SUBMISSION_OBJECT
from ntm.web.models import SimulatedData

REBASED = "rebased"
GEOGRAPHIES = (AS_RECORDED, REBASED)
SORT_KEYS = ("name", "code", "communes", "meeting", "percent", "average", "approved")


class ChoiceError(ValueError):
    """A period, set or geography that cannot be shown; the message is Vietnamese."""


# ---------------------------------------------------------------------------- choices


def period_day(period: int) -> dt.date:
    """The day whose units a period is counted on: 31/12, or today during the current year."""
    return min(dt.date(period, 12, 31), timezone.localdate())


def choose_set(period: int, set_id: str | None = None) -> CriteriaSet:
    """The bundled commune set `set_id` if it covers the period, else the standard one."""
    covering = sets_for_period(period)
    if set_id:
        for cset in covering:
            if cset.id == set_id:
                return cset
        raise ChoiceError(f"Bộ tiêu chí {set_id!r} không áp dụng cho năm {period}.")
    if not covering:
        raise ChoiceError(f"Không có bộ tiêu chí cấp xã nào áp dụng cho năm {period}.")
    return covering[0]


def set_of_tier(period: int, tier: str) -> CriteriaSet | None:
    """The first bundled commune set of that tier covering the period (for trends and
    history, which cross the sets' periods)."""
    return next((s for s in sets_for_period(period) if s.tier == tier), None)


def parse_year(text: str | None, *, name: str) -> int | None:
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    if not (text.isdigit() and len(text) == 4):
        raise ChoiceError(f"{name} phải là một năm gồm 4 chữ số, không phải {text!r}.")
    return int(text)


def parse_as_of(text: str | None) -> dt.date | None:
    """A date written dd/mm/yyyy or yyyy-mm-dd; None when empty."""
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    try:
        return parse_date(text)
    except ValueError:
        raise ChoiceError(
            f"Ngày tính đến phải viết dạng ngày/tháng/năm (30/06/2020) hoặc năm-tháng-ngày "
            f"(2020-06-30), không phải {text!r}."
        ) from None


def parse_flag(text: str | None, *, name: str) -> bool:
    if text is None or text.strip() in ("", "0"):
        return False
    if text.strip() == "1":
        return True
    raise ChoiceError(f"{name} phải là 1 hoặc 0, không phải {text!r}.")


def check_as_of(as_of: dt.date | None, period: int) -> None:
    """`as_of` must fall within or after the period, and not after today."""
    if as_of is None:
        return
    if as_of < dt.date(period, 1, 1):
        raise ChoiceError(f"Ngày tính đến ({as_of:%d/%m/%Y}) phải nằm trong hoặc sau năm {period}.")
    if as_of > timezone.localdate():
        raise ChoiceError(f"Ngày tính đến ({as_of:%d/%m/%Y}) không được sau hôm nay.")


def moment_of(year: int, as_of: dt.date | None, period: int) -> dt.date | None:
    """When to read a year's record: the chosen period at `as_of`, any other year at its end
    (or at `as_of` if that comes first); None without `as_of` (the live record)."""
    if as_of is None:
        return None
    if year == period:
        return as_of
    return min(as_of, dt.date(year, 12, 31))


# ---------------------------------------------------------------------------- approval


def approved_units(
    unit_ids: Iterable[int], period: int, set_id: str, *, as_of: dt.date | None = None
) -> set[int]:
    """The units whose period is approved under the set (as it stood at the end of `as_of`,
    from the submissions' audit rows, when given)."""
    subs = Submission.objects.filter(unit_id__in=list(unit_ids), period=period, set_id=set_id)
    if as_of is None:
        return set(subs.filter(state=State.APPROVED).values_list("unit_id", flat=True))
    unit_of = {str(pk): u for pk, u in subs.values_list("pk", "unit_id")}
    when = moment(as_of)
    last: dict[str, tuple[dt.datetime, int, str]] = {}
    rows = AuditLog.objects.filter(
        object_type=SUBMISSION_OBJECT, object_id__in=list(unit_of)
    ).values_list("id", "object_id", "created_at", "after")
    for pk, object_id, created_at, after in rows:
        if not isinstance(after, dict) or "state" not in after:
            continue
        at = after.get("at")
        effective = dt.datetime.fromisoformat(at) if isinstance(at, str) else created_at
        if effective <= when and (object_id not in last or (effective, pk) > last[object_id][:2]):
            last[object_id] = (effective, pk, str(after["state"]))
    return {unit_of[k] for k, (_, _, state) in last.items() if state == State.APPROVED}


# ---------------------------------------------------------------------------- units


def province_roots(province: Unit, day: dt.date) -> list[Unit]:
    """The province versions standing for `province` on `day`: the same code, or, for a
    province formed later, its province-level predecessors in force then."""
    same = version_on(province, day)
    if same is not None:
        return [same]
    found: dict[int, Unit] = {}
    for step in lineage(province).predecessors:
        old = step.old
        if old is not None and old.kind == UnitKind.PROVINCE and old.is_valid_on(day):
            found[old.pk] = old
    return list(found.values())


def communes_on(province: Unit, day: dt.date) -> list[Unit]:
    """The communes (kind "commune": wards and towns are outside the NTM set) of the
    province on `day`, with their parents loaded."""
    out: list[Unit] = []
    for root in province_roots(province, day):
        out += units_of(root, day, kinds=[UnitKind.COMMUNE])
    return out


def all_commune_ids(province: Unit) -> list[int]:
    """Every commune version that ever lay under any version of the province."""
    versions = (
        Unit.objects.filter(code=province.code, kind=UnitKind.PROVINCE)
        if province.code
        else Unit.objects.filter(pk=province.pk)
    )
    ids = list(versions.values_list("pk", flat=True))
    ids += [
        s.old.pk
        for s in lineage(province).predecessors
        if s.old is not None and s.old.kind == UnitKind.PROVINCE
    ]
    return list(
        Unit.objects.filter(kind=UnitKind.COMMUNE)
        .filter(Q(parent__in=ids) | Q(parent__parent__in=ids))
        .values_list("pk", flat=True)
    )


def periods_with_data(unit_ids: Iterable[int]) -> list[int]:
    ids = list(unit_ids)
    years = set(Value.objects.filter(unit_id__in=ids).values_list("period", flat=True))
    years |= set(
        Declaration.objects.filter(unit_id__in=ids)
        .exclude(status="")
        .values_list("period", flat=True)
    )
    return sorted(years)


def latest_approved_period(unit_ids: Iterable[int]) -> int | None:
    """The latest year in which some of these units' period is approved."""
    found = Submission.objects.filter(unit_id__in=list(unit_ids), state=State.APPROVED)
    latest = found.aggregate(latest=Max("period"))["latest"]
    return None if latest is None else int(latest)


# Why a page shows the year it shows when none was asked for.
DEFAULT_APPROVED = "latest_approved"  # the latest year with approved values
DEFAULT_ANY = "latest_with_data"  # no approved year: the latest year with any value
DEFAULT_NONE = "this_year"  # no value at all


def default_period(unit_ids: Iterable[int], periods: Sequence[int]) -> tuple[int, str]:
    """The year a page opens on, and why: the latest with approved values — one commune's
    drafts for a new year do not turn the landing page into "0/61" — else the latest with
    any value, else this year."""
    approved = latest_approved_period(unit_ids)
    if approved is not None:
        return approved, DEFAULT_APPROVED
    if periods:
        return periods[-1], DEFAULT_ANY
    return timezone.localdate().year, DEFAULT_NONE


def units_with_data(unit_ids: Iterable[int], period: int) -> set[int]:
    ids = list(unit_ids)
    found = set(
        Value.objects.filter(unit_id__in=ids, period=period).values_list("unit_id", flat=True)
    )
    found |= set(
        Declaration.objects.filter(unit_id__in=ids, period=period)
        .exclude(status="")
        .values_list("unit_id", flat=True)
    )
    return found


def units_with_data_as_of(
    unit_ids: Iterable[int], period: int, set_id: str, as_of: dt.date | None
) -> set[int]:
    """`units_with_data`, or the units that held a value or a declaration at `as_of`."""
    ids = list(unit_ids)
    if as_of is None:
        return units_with_data(ids, period)
    found = values_frame(ids, period, as_of=as_of).get_column("unit").unique().to_list()
    found += declared_frame(ids, period, set_id, as_of=as_of).get_column("unit").to_list()
    return {int(u) for u in found}


def _child(unit: Unit) -> tuple[str | None, str | None]:
    parent = unit.parent
    if parent is not None and parent.kind == UnitKind.DISTRICT:
        return str(parent.pk), parent.name
    return None, None


SCOPE_SCHEMA: dict[str, Any] = {
    "unit": pl.String,
    "kind": pl.String,
    "child_unit": pl.String,
    "child_name": pl.String,
}


def scope_frame(units: Sequence[Unit], period: int | None = None) -> pl.DataFrame:
    rows = [(str(u.pk), u.kind, *_child(u)) for u in units]
    frame = pl.DataFrame(rows, schema=SCOPE_SCHEMA, orient="row")
    if period is not None:
        frame = frame.with_columns(pl.lit(period, pl.Int32).alias("period"))
    return frame


# ---------------------------------------------------------------------------- simulated data


def is_simulated(province: Unit) -> bool:
    """Does the province (any version of its code) hold simulated values?"""
    q = Q(province=province)
    if province.code:
        q |= Q(province__code=province.code, province__kind=UnitKind.PROVINCE)
    return SimulatedData.objects.filter(q).exists()


def simulated_province_of(unit: Unit) -> bool:
    node: Unit | None = unit
    while node is not None:
        if node.kind == UnitKind.PROVINCE:
            return is_simulated(node)
        node = node.parent
    return False


def record_sets(province: Unit) -> tuple[CriteriaSet, ...]:
    """Sets a province's stored years were recorded under that are not bundled (the demo's
    2010–2015 set, declared statuses only), as its provenance row keeps them — the
    `extra_sets` of `province_overview`."""
    row = SimulatedData.objects.filter(province=province).values_list("record_sets", flat=True)
    return tuple(_record_set(json.dumps(s, sort_keys=True)) for s in row.first() or ())


@cache
def _record_set(text: str) -> CriteriaSet:
    return CriteriaSet.model_validate_json(text)


def mark_simulated(
    province: Unit,
    *,
    note: str,
    record_sets: Sequence[CriteriaSet] = (),
    actor: str = "",
    acting_user: Any = None,
) -> None:
    """Record that a province's values are simulated (the demo loader calls this), so that
    every dashboard of it says "dữ liệu mô phỏng", with the sets its record was kept under
    that are not bundled."""
    if province.kind != UnitKind.PROVINCE:
        raise ChoiceError("Chỉ đánh dấu được dữ liệu mô phỏng cho một tỉnh.")
    sets = [s.model_dump(mode="json") for s in record_sets]
    with transaction.atomic():
        _, created = SimulatedData.objects.get_or_create(
            province=province,
            defaults={"note": note, "marked_at": timezone.now(), "record_sets": sets},
        )
        if created:
            record(
                action="web.mark_simulated",
                object_type="units.unit",
                object_id=province.pk,
                after={"simulated": True, "note": note, "record_sets": [s.id for s in record_sets]},
                acting_user=acting_user,
                actor=actor,
            )


# ---------------------------------------------------------------------------- one period


@dataclass(frozen=True)
class PeriodResults:
    """One period's results on one geography: `units` are the communes in scope (by unit key),
    `scope` their frame for `ntm.stats.rollup`, `evaluation` the engine's frames (None when no
    commune has data); its `communes`/`criteria` carry `comparable` when re-based. `approved`
    counts the communes in scope whose period is approved; `as_of` is when the record was read
    (None: live)."""

    period: int
    cset: CriteriaSet
    units: dict[str, Unit]
    scope: pl.DataFrame
    evaluation: Evaluation | None
    approved: int = 0
    as_of: dt.date | None = None
    approved_only: bool = False
    held_back: int = 0  # communes with data left out because their period is not approved

    @property
    def unapproved(self) -> int:
        return len(self.units) - self.approved


def recorded_results(
    province: Unit,
    period: int,
    cset: CriteriaSet,
    *,
    as_of: dt.date | None = None,
    approved_only: bool = False,
) -> PeriodResults:
    """The period on the communes in force on its reference day, as the record stood at
    `as_of`; with `approved_only`, approved communes only."""
    communes = communes_on(province, period_day(period))
    ids = [u.pk for u in communes]
    approved = approved_units(ids, period, cset.id, as_of=as_of)
    data = units_with_data_as_of(ids, period, cset.id, as_of)
    evaluated = [u for u in communes if u.pk in data and (not approved_only or u.pk in approved)]
    held_back = sum(1 for u in communes if u.pk in data) - len(evaluated)
    ev = results_for_units(evaluated, period, cset, as_of=as_of) if evaluated else None
    return PeriodResults(
        period=period,
        cset=cset,
        units={str(u.pk): u for u in communes},
        scope=scope_frame(communes, period),
        evaluation=ev,
        approved=len(approved),
        as_of=as_of,
        approved_only=approved_only,
        held_back=held_back,
    )


def pk_crosswalk(province: Unit, old_day: dt.date, new_day: dt.date) -> pl.DataFrame:
    """`ntm.units.queries.crosswalk` of the province, units named by primary key."""
    walks = [
        crosswalk(old_day, new_day, province=root, by_id=True)
        for root in province_roots(province, old_day)
    ]
    # Each root's walk also holds the parts that came from the other roots.
    return pl.concat(walks).unique().sort("old_unit", "new_unit") if walks else empty_crosswalk()


def rebased_results(
    province: Unit,
    period: int,
    cset: CriteriaSet,
    onto: dt.date,
    *,
    as_of: dt.date | None = None,
    approved_only: bool = False,
) -> PeriodResults:
    """The period's values (as they stood at `as_of`) carried onto the communes of `onto`,
    evaluated again. A new commune is approved when every old commune carried into it that
    holds data is; with `approved_only` the others have no result."""
    new_communes = communes_on(province, onto)
    units = {str(u.pk): u for u in new_communes}
    scope = scope_frame(new_communes)
    day = min(period_day(period), onto)
    old_communes = communes_on(province, day)
    old_ids = sorted(units_with_data_as_of([u.pk for u in old_communes], period, cset.id, as_of))
    if not old_ids or not new_communes:
        return PeriodResults(period, cset, units, scope, None, 0, as_of, approved_only)
    walk = pk_crosswalk(province, day, onto)
    approved_old = {str(pk) for pk in approved_units(old_ids, period, cset.id, as_of=as_of)}
    parts = walk.filter(pl.col("old_unit").is_in([str(i) for i in old_ids]))
    approved_new = {
        str(new)
        for new, olds in parts.group_by("new_unit").agg("old_unit").iter_rows()
        if new in units and all(o in approved_old for o in olds)
    }
    values = values_frame(old_ids, period, as_of=as_of)
    rebased = rebase_values(
        values.filter(pl.col("unit").is_in(walk.get_column("old_unit").implode())),
        walk,
        load_measures(),
        date=onto,
    )
    keys = list(units)
    in_scope = rebased.values.filter(pl.col("unit").is_in(keys))
    declared = transfer_results(declared_frame(old_ids, period, cset.id, as_of=as_of), walk)
    if declared.height:
        declared = declared.filter(pl.col("comparable") & pl.col("unit").is_in(keys))
    declared = declared.select("unit", "period", "criterion", "status")
    # Values carry only when every part of the new unit had them (see ntm.stats.rebase);
    # declarations only onto unchanged territory, so they are comparable as they stand.
    comparable = (
        pl.concat(
            [
                in_scope.select(
                    "unit", (pl.col("comparable") & (pl.col("missing_parts") == 0)).alias("ok")
                ),
                declared.select("unit", pl.lit(True).alias("ok")),
            ]
        )
        .group_by("unit")
        .agg(pl.col("ok").all().alias("comparable"))
    )
    held_back = 0
    if approved_only:
        kept = comparable.filter(pl.col("unit").is_in(list(approved_new)))
        held_back, comparable = comparable.height - kept.height, kept
    if comparable.height == 0:
        return PeriodResults(period, cset, units, scope, None, len(approved_new), as_of,
                             approved_only, held_back)  # fmt: skip
    target_keys = sorted(comparable.get_column("unit").to_list(), key=int)
    ev = evaluate(
        cset,
        units_frame([units[k] for k in target_keys]),
        rebased.for_engine().filter(pl.col("unit").is_in(target_keys)),
        years=[period],
        declared=declared.filter(pl.col("unit").is_in(target_keys)),
        measures=load_measures(),
    )
    return PeriodResults(
        period=period,
        cset=cset,
        units=units,
        scope=scope,
        evaluation=Evaluation(
            set_id=ev.set_id,
            labels=ev.labels,
            indicators=ev.indicators,
            criteria=ev.criteria.join(comparable, on="unit", how="left").with_columns(
                pl.col("comparable").fill_null(False)
            ),
            communes=ev.communes.join(comparable, on="unit", how="left").with_columns(
                pl.col("comparable").fill_null(False)
            ),
        ),
        approved=len(approved_new),
        as_of=as_of,
        approved_only=approved_only,
        held_back=held_back,
    )


# ---------------------------------------------------------------------------- province


@dataclass(frozen=True)
class Shortfall:
    """One indicator condition a commune does not meet (or lacks data for)."""

    criterion: int
    criterion_name: str
    indicator: str
    indicator_name: str
    status: str
    value: float | None
    threshold: float | None
    op: str
    gap: float | None  # < 0: how far on the wrong side


@dataclass(frozen=True)
class CloseCommune:
    unit: Unit
    met: int
    total: int
    short: int
    criteria: tuple[tuple[int, str, str], ...]  # (number, name, status) of each criterion short
    shortfalls: tuple[Shortfall, ...]


@dataclass(frozen=True)
class RiskCommune:
    unit: Unit
    met: int
    total: int
    failing_share: float
    key_criteria: tuple[tuple[int, str], ...]
    certain: bool  # False: "cannot be ruled out" — it depends on criteria without a result
    unknown: tuple[tuple[int, str], ...]  # the criteria without a result


@dataclass(frozen=True)
class TrendPoint:
    period: int
    set_id: str
    figures: Figures
    approved: int = 0  # communes in scope whose period is approved
    as_of: dt.date | None = None  # when the year's record was read (None: live)


@dataclass(frozen=True)
class MapPoint:
    unit: Unit
    met: int | None  # None: no result (no data, or not comparable)
    total: int
    meets_set: bool


@dataclass(frozen=True)
class ProvinceOverview:
    province: Unit
    period: int
    baseline: int | None
    cset: CriteriaSet
    sets: tuple[CriteriaSet, ...]  # the sets one may switch to for this period
    geography: str
    basis: str
    onto: dt.date | None
    periods: tuple[int, ...]
    statistics: Statistics
    trend: tuple[TrendPoint, ...]
    close: tuple[CloseCommune, ...]
    at_risk: tuple[RiskCommune, ...]
    points: tuple[MapPoint, ...]
    simulated: bool
    criterion_names: dict[int, str] = field(default_factory=dict)
    as_of: dt.date | None = None
    approved_only: bool = False
    approved: int = 0  # communes in scope whose period is approved (as of `as_of`)
    in_scope: int = 0
    held_back: int = 0  # communes with data left out as not approved (`approved_only`)
    defaulted: str = ""  # why `period` was chosen when none was asked for (DEFAULT_*)

    @property
    def figures(self) -> Figures:
        return self.statistics.total.figures

    @property
    def unapproved(self) -> int:
        return self.in_scope - self.approved

    @property
    def without_data(self) -> int:
        """Communes without a result that had no data (not those held back as unapproved)."""
        return self.figures.not_evaluated - self.held_back


def criterion_name(criterion: Criterion, language: str = "vi") -> str:
    if language == "en" and criterion.name_en:
        return criterion.name_en
    return criterion.name_vi


def _indicator_names(cset: CriteriaSet, language: str) -> dict[str, str]:
    return {
        ind.code: (ind.name_en if language == "en" and ind.name_en else ind.name_vi)
        for c in cset.criteria
        for ind in c.indicators
    }


def _close_communes(res: PeriodResults, language: str) -> list[CloseCommune]:
    ev = res.evaluation
    if ev is None:
        return []
    names = {c.number: criterion_name(c, language) for c in res.cset.criteria}
    ind_names = _indicator_names(res.cset, language)
    out = [
        CloseCommune(
            unit=res.units[c.unit],
            met=c.met,
            total=c.total,
            short=c.short,
            criteria=tuple((n, names.get(n, ""), s) for n, s in c.criteria),
            shortfalls=tuple(
                Shortfall(
                    criterion=f.criterion,
                    criterion_name=names.get(f.criterion, ""),
                    indicator=f.indicator,
                    indicator_name=ind_names.get(f.indicator, ""),
                    status=f.status,
                    value=f.value,
                    threshold=f.threshold,
                    op=f.op,
                    gap=f.gap,
                )
                for f in c.shortfalls
            ),
        )
        for c in watch.close_to_standard(ev.communes, ev.criteria, ev.indicators)
    ]
    return sorted(out, key=lambda c: (c.short, -c.met, c.unit.name_key, c.unit.pk))


def _at_risk(res: PeriodResults, language: str) -> list[RiskCommune]:
    ev = res.evaluation
    if ev is None:
        return []
    names = {c.number: criterion_name(c, language) for c in res.cset.criteria}
    out = [
        RiskCommune(
            unit=res.units[r.unit],
            met=r.met,
            total=r.total,
            failing_share=r.failing_share,
            key_criteria=tuple((k, names.get(k, "")) for k in r.key_criteria),
            certain=r.certain,
            unknown=tuple((k, names.get(k, "")) for k in r.unknown),
        )
        for r in watch.revocation_watch(ev.communes, ev.criteria)
    ]
    return sorted(out, key=lambda r: (not r.certain, -r.failing_share, r.unit.name_key, r.unit.pk))


def _points(res: PeriodResults) -> list[MapPoint]:
    total = len(res.cset.criteria)
    met: dict[str, tuple[int, bool]] = {}
    if res.evaluation is not None:
        frame = res.evaluation.communes
        if "comparable" in frame.columns:
            frame = frame.filter(pl.col("comparable"))
        met = {
            str(u): (int(m), bool(s))
            for u, m, s in frame.select("unit", "met", "meets_set").iter_rows()
        }
    out = []
    for key, unit in res.units.items():
        got = met.get(key)
        out.append(
            MapPoint(
                unit=unit,
                met=None if got is None else got[0],
                total=total,
                meets_set=False if got is None else got[1],
            )
        )
    return sorted(out, key=lambda p: (p.unit.name_key, p.unit.pk))


def _frames(results: Sequence[PeriodResults]) -> tuple[pl.DataFrame, pl.DataFrame]:
    evs = [r.evaluation for r in results if r.evaluation is not None]
    if not evs:
        empty_c = pl.DataFrame(
            schema={"unit": pl.String, "period": pl.Int32, "met": pl.Int64, "meets_set": pl.Boolean}
        )
        empty_k = pl.DataFrame(
            schema={
                "unit": pl.String,
                "period": pl.Int32,
                "criterion": pl.Int32,
                "status": pl.String,
            }
        )
        return empty_c, empty_k
    communes = pl.concat([e.communes for e in evs], how="diagonal_relaxed")
    criteria = pl.concat([e.criteria for e in evs], how="diagonal_relaxed")
    return communes, criteria


def period_roll_up(
    results: dict[int, PeriodResults],
    periods: Sequence[int],
    baseline: int | None,
    province: Unit,
    tier: str,
    basis: str,
) -> RollUp:
    """`ntm.stats.rollup.roll_up` of the province for `periods`, against the year before
    and `baseline` when their results are in `results`, each year banded by its own set:
    `.statistics(period)`, and `.figures(year)` for a trend, from one pass."""
    needed = {*periods, *(p - 1 for p in periods), *([] if baseline is None else [baseline])}
    wanted = [results[y] for y in sorted(needed) if y in results]
    communes, criteria = _frames(wanted)
    scope = pl.concat([r.scope for r in wanted], how="diagonal_relaxed").unique(maintain_order=True)
    return roll_up(
        scope,
        communes,
        criteria,
        periods=periods,
        tier=tier,
        parent=str(province.pk),
        bands_by_period={r.period: r.cset.bands for r in wanted},
        baseline=baseline,
        basis=basis,
    )


def province_overview(
    province: Unit,
    *,
    period: int | None = None,
    baseline: int | None = None,
    set_id: str | None = None,
    geography: str = AS_RECORDED,
    language: str = "vi",
    onto: dt.date | None = None,
    as_of: dt.date | None = None,
    approved_only: bool = False,
    extra_sets: Sequence[CriteriaSet] = (),
) -> ProvinceOverview:
    """Everything the province page shows. Raises `ChoiceError` for an impossible choice.

    `as_of`: the period's record as it stood at the end of that day (other years at their
    end, see the module's docstring); `approved_only`: approved communes only;
    `extra_sets`: sets that are not bundled but that stored years were recorded under (the
    demo's 2010–2015 set), used for the years no bundled set of the tier covers."""
    if geography not in GEOGRAPHIES:
        raise ChoiceError(f"Cách tính địa giới không hợp lệ: {geography!r}.")
    communes = all_commune_ids(province)
    periods = periods_with_data(communes)
    defaulted = ""
    if period is None:
        period, defaulted = default_period(communes, periods)
    if baseline is not None and baseline >= period:
        raise ChoiceError(f"Năm gốc ({baseline}) phải trước năm báo cáo ({period}).")
    check_as_of(as_of, period)
    if as_of is not None:
        # Years that had not begun at `as_of` had no record yet.
        periods = [y for y in periods if y <= as_of.year]
    cset = choose_set(period, set_id)
    target: dt.date | None = None
    if geography == REBASED:
        target = onto or _reference_day(province)
    basis = basis_label(target)

    def results_of(year: int, chosen: CriteriaSet) -> PeriodResults:
        when = moment_of(year, as_of, period)
        if target is None:
            return recorded_results(province, year, chosen, as_of=when, approved_only=approved_only)
        return rebased_results(
            province, year, chosen, target, as_of=when, approved_only=approved_only
        )

    def set_for(year: int) -> CriteriaSet | None:
        found = set_of_tier(year, cset.tier)
        if found is not None:
            return found
        return next(
            (
                s
                for s in extra_sets
                if s.tier == cset.tier and s.period.start_year <= year <= s.period.end_year
            ),
            None,
        )

    results: dict[int, PeriodResults] = {period: results_of(period, cset)}
    for year in sorted({*periods, period - 1, *([baseline] if baseline else [])}):
        if year in results:
            continue
        other = set_for(year)
        if other is not None:
            results[year] = results_of(year, other)

    shown = [y for y in periods if y in results and results[y].evaluation is not None]
    table = period_roll_up(results, [period, *shown], baseline, province, cset.tier, basis)
    stats = table.statistics(period)
    trend = [
        TrendPoint(y, results[y].cset.id, table.figures(y), results[y].approved, results[y].as_of)
        for y in shown
    ]
    current = results[period]
    return ProvinceOverview(
        province=province,
        period=period,
        baseline=baseline,
        cset=cset,
        sets=tuple(sets_for_period(period)),
        geography=geography,
        basis=basis,
        onto=target,
        periods=tuple(periods),
        statistics=stats,
        trend=tuple(trend),
        close=tuple(_close_communes(current, language)),
        at_risk=tuple(_at_risk(current, language)),
        points=tuple(_points(current)),
        simulated=is_simulated(province),
        criterion_names={c.number: criterion_name(c, language) for c in cset.criteria},
        as_of=as_of,
        approved_only=approved_only,
        approved=current.approved,
        in_scope=len(current.units),
        held_back=current.held_back,
        defaulted=defaulted,
    )


def _reference_day(unit: Unit) -> dt.date:
    today = timezone.localdate()
    if unit.valid_to is not None and unit.valid_to < today:
        return unit.valid_to
    return today


# ---------------------------------------------------------------------------- commune


@dataclass(frozen=True)
class ConditionRow:
    indicator: str
    indicator_name: str
    condition: int
    measure: str
    op: str
    value: float | None
    numerator: float | None
    denominator: float | None
    threshold: float | None
    threshold_status: str
    column: str
    stage: str | None
    status: str
    gap: float | None
    basis: str


@dataclass(frozen=True)
class CriterionRow:
    number: int
    name: str
    status: str
    computed_status: str
    declared_status: str | None
    conflict: bool
    conditions: tuple[ConditionRow, ...]


@dataclass(frozen=True)
class HistoryTable:
    set_id: str
    set_name: str
    years: tuple[int, ...]
    rows: tuple[tuple[int, str, tuple[str | None, ...]], ...]  # criterion, name, status per year


@dataclass(frozen=True)
class CommuneView:
    unit: Unit
    period: int
    cset: CriteriaSet
    sets: tuple[CriteriaSet, ...]
    periods: tuple[int, ...]
    label: str
    has_data: bool
    met: int
    total: int
    meets_set: bool
    revocation_risk: bool | None
    criteria: tuple[CriterionRow, ...]
    history: tuple[HistoryTable, ...]
    simulated: bool
    approved: bool = False  # the period is approved under the set (as of `as_of`)
    as_of: dt.date | None = None
    approved_only: bool = False

    @property
    def held_back(self) -> bool:
        """Results withheld because only approved periods are counted."""
        return self.approved_only and not self.approved


def commune_view(
    unit: Unit,
    *,
    period: int | None = None,
    set_id: str | None = None,
    language: str = "vi",
    as_of: dt.date | None = None,
    approved_only: bool = False,
) -> CommuneView:
    """The commune's criteria for a period (as of `as_of`; with `approved_only`, no result
    unless the period is approved), and its history (each year at its end, as on the
    province overview)."""
    periods = periods_with_data([unit.pk])
    if period is None:
        period = periods[-1] if periods else timezone.localdate().year
    check_as_of(as_of, period)
    if as_of is not None:
        periods = [y for y in periods if y <= as_of.year]
    cset = choose_set(period, set_id)
    approved = unit.pk in approved_units([unit.pk], period, cset.id, as_of=as_of)
    has_data = unit.pk in units_with_data_as_of([unit.pk], period, cset.id, as_of)
    # Without any value or declaration every criterion lacks data; the engine is not asked.
    ev = (
        results_for_units([unit], period, cset, as_of=as_of)
        if has_data and (approved or not approved_only)
        else None
    )
    names = _indicator_names(cset, language)
    empty = pl.DataFrame(schema={"criterion": pl.Int32})
    indicators = ev.indicators if ev is not None else empty
    crit = (
        {int(r["criterion"]): r for r in ev.criteria.iter_rows(named=True)}
        if ev is not None
        else {}
    )
    rows = []
    for c in cset.criteria:
        r = crit.get(c.number)
        conds = indicators.filter(pl.col("criterion") == c.number)
        if conds.height:
            conds = conds.sort("indicator", "condition")
        rows.append(
            CriterionRow(
                number=c.number,
                name=criterion_name(c, language),
                status=str(r["status"]) if r else "missing_data",
                computed_status=str(r["computed_status"]) if r else "missing_data",
                declared_status=r["declared_status"] if r else None,
                conflict=bool(r["conflict"]) if r else False,
                conditions=tuple(
                    ConditionRow(
                        indicator=str(x["indicator"]),
                        indicator_name=names.get(str(x["indicator"]), ""),
                        condition=int(x["condition"]),
                        measure=str(x["measure"]),
                        op=str(x["op"]),
                        value=x["value"],
                        numerator=x["numerator"],
                        denominator=x["denominator"],
                        threshold=x["threshold"],
                        threshold_status=str(x["threshold_status"]),
                        column=str(x["column"] or ""),
                        stage=x["stage"],
                        status=str(x["status"]),
                        gap=x["gap"],
                        basis=str(x["basis"] or ""),
                    )
                    for x in conds.iter_rows(named=True)
                ),
            )
        )
    summary = ev.communes.row(0, named=True) if ev is not None and ev.communes.height else None
    return CommuneView(
        unit=unit,
        period=period,
        cset=cset,
        sets=tuple(sets_for_period(period)),
        periods=tuple(periods),
        label=ev.labels.get(period, cset.id) if ev is not None else cset.id,
        has_data=has_data,
        met=int(summary["met"]) if summary else 0,
        total=len(cset.criteria),
        meets_set=bool(summary["meets_set"]) if summary else False,
        revocation_risk=summary["revocation_risk"] if summary else None,
        criteria=tuple(rows),
        history=tuple(
            commune_history(unit, periods, cset.tier, language, as_of=as_of, period=period)
        ),
        simulated=simulated_province_of(unit),
        approved=approved,
        as_of=as_of,
        approved_only=approved_only,
    )


def commune_history(
    unit: Unit,
    periods: Sequence[int],
    tier: str,
    language: str = "vi",
    *,
    as_of: dt.date | None = None,
    period: int | None = None,
) -> list[HistoryTable]:
    """Each criterion's status per year, one table per criteria set (criterion numbers mean
    different things in different sets); with `as_of`, each year read as `moment_of` says."""
    by_set: dict[str, tuple[CriteriaSet, dict[int, dict[int, str]]]] = {}
    for year in periods:
        cset = set_of_tier(year, tier)
        if cset is None:
            continue
        when = moment_of(year, as_of, period if period is not None else year)
        ev = results_for_units([unit], year, cset, as_of=when)
        statuses = {
            int(c): str(s) for c, s in ev.criteria.select("criterion", "status").iter_rows()
        }
        by_set.setdefault(cset.id, (cset, {}))[1][year] = statuses
    out = []
    for set_id, (cset, per_year) in by_set.items():
        years = tuple(sorted(per_year))
        out.append(
            HistoryTable(
                set_id=set_id,
                set_name=cset.name_en if language == "en" and cset.name_en else cset.name_vi,
                years=years,
                rows=tuple(
                    (
                        c.number,
                        criterion_name(c, language),
                        tuple(per_year[y].get(c.number) for y in years),
                    )
                    for c in cset.criteria
                ),
            )
        )
    return out


# ---------------------------------------------------------------------------- central


@dataclass(frozen=True)
class ProvinceRow:
    province: Unit
    communes: int
    evaluated: int
    meeting: int
    total_met: int
    simulated: bool
    approved: int = 0  # communes whose period is approved under the set (as of `as_of`)
    held_back: int = 0  # communes with data left out as not approved (`approved_only`)

    @property
    def percent(self) -> Fraction | None:
        return None if self.communes == 0 else Fraction(100 * self.meeting, self.communes)

    @property
    def average(self) -> Fraction | None:
        return None if self.evaluated == 0 else Fraction(self.total_met, self.evaluated)


@dataclass(frozen=True)
class CentralView:
    period: int
    cset: CriteriaSet
    sets: tuple[CriteriaSet, ...]
    periods: tuple[int, ...]
    rows: tuple[ProvinceRow, ...]
    sort: str
    descending: bool
    as_of: dt.date | None = None
    approved_only: bool = False

    @property
    def in_scope(self) -> int:
        return sum(r.communes for r in self.rows)

    @property
    def approved(self) -> int:
        return sum(r.approved for r in self.rows)

    @property
    def held_back(self) -> int:
        return sum(r.held_back for r in self.rows)


def _sort_key(key: str) -> Any:
    def by(row: ProvinceRow) -> Any:
        name = (row.province.name_key, row.province.pk)
        match key:
            case "code":
                return (row.province.code or "", row.province.pk)
            case "communes":
                return (row.communes, *name)
            case "meeting":
                return (row.meeting, *name)
            case "percent":
                return (row.percent is not None, row.percent or 0, *name)
            case "average":
                return (row.average is not None, row.average or 0, *name)
            case "approved":
                return (row.approved, *name)
        return name

    return by


def parse_sort(text: str | None) -> tuple[str, bool]:
    """ "percent" (ascending) or "-percent" (descending); unknown keys are an error."""
    text = (text or "name").strip()
    descending = text.startswith("-")
    key = text.removeprefix("-")
    if key not in SORT_KEYS:
        raise ChoiceError(
            f"Không sắp xếp được theo {key!r}; dùng một trong {', '.join(SORT_KEYS)}."
        )
    return key, descending


def central_view(
    *,
    period: int | None = None,
    set_id: str | None = None,
    sort: str | None = None,
    as_of: dt.date | None = None,
    approved_only: bool = False,
) -> CentralView:
    """Every province side by side for one period, as recorded. `as_of` and `approved_only`
    as on the province overview: the period's record (and its approvals) as it stood at the
    end of that day; only approved communes counted. Without a period, the latest year with
    data that had begun by `as_of`. The number of queries does not grow with the provinces."""
    key, descending = parse_sort(sort)
    periods = sorted(
        set(Value.objects.values_list("period", flat=True).distinct())
        | set(Declaration.objects.exclude(status="").values_list("period", flat=True).distinct())
    )
    if as_of is not None:
        # Years that had not begun at `as_of` had no record yet.
        periods = [y for y in periods if y <= as_of.year]
    if period is None:
        period = periods[-1] if periods else (as_of or timezone.localdate()).year
    check_as_of(as_of, period)
    cset = choose_set(period, set_id)
    day = period_day(period)
    provinces = list(Unit.objects.valid_on(day).filter(kind=UnitKind.PROVINCE))
    by_pk = {p.pk: p for p in provinces}
    communes = list(
        Unit.objects.valid_on(day)
        .filter(kind=UnitKind.COMMUNE)
        .filter(Q(parent__in=provinces) | Q(parent__parent__in=provinces))
        .select_related("parent")
    )
    province_of = {
        u.pk: (u.parent_id if u.parent_id in by_pk else u.parent.parent_id if u.parent else None)
        for u in communes
    }
    ids = [u.pk for u in communes]
    approved = approved_units(ids, period, cset.id, as_of=as_of)
    data = units_with_data_as_of(ids, period, cset.id, as_of)
    evaluated = [u for u in communes if u.pk in data and (not approved_only or u.pk in approved)]
    counts: dict[int, Counter[str]] = {p.pk: Counter() for p in provinces}
    for pk, prov in province_of.items():
        if prov not in counts:
            continue
        c = counts[prov]
        c["communes"] += 1
        c["approved"] += pk in approved
        c["held_back"] += approved_only and pk in data and pk not in approved
    if evaluated:
        ev = results_for_units(evaluated, period, cset, as_of=as_of)
        for unit, met, meets in ev.communes.select("unit", "met", "meets_set").iter_rows():
            prov = province_of.get(int(unit))
            if prov in counts:
                c = counts[prov]
                c["evaluated"] += 1
                c["meeting"] += int(bool(meets))
                c["total_met"] += int(met)
    simulated = set(SimulatedData.objects.values_list("province__code", flat=True))
    rows = []
    for p in provinces:
        c = counts[p.pk]
        rows.append(
            ProvinceRow(
                province=p,
                communes=c["communes"],
                evaluated=c["evaluated"],
                meeting=c["meeting"],
                total_met=c["total_met"],
                simulated=bool(p.code) and p.code in simulated,
                approved=c["approved"],
                held_back=c["held_back"],
            )
        )
    rows.sort(key=_sort_key(key), reverse=descending)
    return CentralView(
        period=period,
        cset=cset,
        sets=tuple(sets_for_period(period)),
        periods=tuple(periods),
        rows=tuple(rows),
        sort=key,
        descending=descending,
        as_of=as_of,
        approved_only=approved_only,
    )


# Recognitions are not recorded yet (ntm.recognition): the QĐ 18/2022 rule is run on every
# evaluated commune, and the pages say so.
REVOCATION_SCOPE = "all_evaluated_communes"
