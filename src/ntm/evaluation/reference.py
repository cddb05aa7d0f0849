"""The evaluation written plainly, row by row, as the yardstick for the vectorised engine.

Same inputs, same semantics (see `engine.py` and `semantics.py`) and the same three frames, but
built with dicts and loops and `ResolvedSet.lookup` per row. It is slow on purpose: tests
assert that the engine returns exactly what this returns, and the benchmark measures the
engine against it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from ntm.criteria.loader import load_measures
from ntm.criteria.resolve import ResolvedSet, resolve
from ntm.criteria.schema import NO_GROUP, NUMERIC_OPS, CriteriaSet, Measure, Op, Overlay
from ntm.evaluation import semantics as S
from ntm.evaluation.engine import COMMUNES_SCHEMA, Evaluation
from ntm.evaluation.semantics import Stage, Status

INDICATOR_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "period": pl.Int32(),
    "criterion": pl.Int32(),
    "indicator": pl.String(),
    "condition": pl.Int32(),
    "measure": pl.String(),
    "op": pl.String(),
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "stage": pl.String(),
    "threshold": pl.Float64(),
    "threshold_status": pl.String(),
    "column": pl.String(),
    "basis": pl.String(),
    "set_version": pl.String(),
    "status": pl.String(),
    "gap": pl.Float64(),
    "indicator_status": pl.String(),
}
CRITERIA_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "period": pl.Int32(),
    "criterion": pl.Int32(),
    "computed_status": pl.String(),
    "declared_status": pl.String(),
    "decided_status": pl.String(),
    "status": pl.String(),
    "source": pl.String(),
    "conflict": pl.Boolean(),
}


def _float(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) else f


def _condition(
    op: Op,
    may_na: bool,
    row: Mapping[str, Any] | None,
    kind: str,
    threshold: float | None,
    no_group: bool = False,
) -> tuple[Status, float | None]:
    """(status, value) of one condition for one unit and year; `no_group`: its threshold
    depends on a commune group the commune has none of."""
    if row is None:
        return Status.MISSING_DATA, None
    if kind == "share":
        num, den = _float(row.get("numerator")), _float(row.get("denominator"))
        value = 100.0 * num / den if num is not None and den not in (None, 0.0) else None
        value = _float(value)
    else:
        value = _float(row.get("value"))
    if row.get("not_applicable"):
        return (Status.NOT_APPLICABLE if may_na else Status.MISSING_DATA), value
    if value is None:
        return Status.MISSING_DATA, value
    if op == Op.YES:
        if value == 1.0:
            return Status.MET, value
        if value == 0.0:
            return Status.NOT_MET, value
        return Status.MISSING_DATA, value
    if op == Op.NONE:
        if abs(value) <= S.ABS_TOL:
            return Status.MET, value
        if value < 0:
            return Status.MISSING_DATA, value
        return Status.NOT_MET, value
    if no_group:
        return Status.MISSING_GROUP, value
    if threshold is None:
        return Status.MISSING_THRESHOLD, value
    tol = S.tolerance(threshold)
    if op == Op.AT_LEAST:
        ok = value >= threshold - tol
    elif op == Op.AT_MOST:
        ok = value <= threshold + tol
    else:
        ok = abs(value - threshold) <= tol
    return (Status.MET if ok else Status.NOT_MET), value


def _gap(op: Op, value: float, threshold: float) -> float:
    if abs(value - threshold) <= S.tolerance(threshold):
        return 0.0
    if op == Op.AT_LEAST:
        return value - threshold
    if op == Op.AT_MOST:
        return threshold - value
    return -abs(value - threshold)


def _worst(statuses: list[Status]) -> Status:
    return S.STATUSES[S.combine([S.STATUS_CODE[s] for s in statuses])]


def evaluate_reference(
    cset: CriteriaSet,
    units: pl.DataFrame,
    values: pl.DataFrame,
    *,
    years: Sequence[int] | None = None,
    overlays: Sequence[Overlay] = (),
    declared: pl.DataFrame | None = None,
    decided: pl.DataFrame | None = None,
    check_period: bool = True,
    measures: Mapping[str, Measure] | None = None,
) -> Evaluation:
    catalogue = load_measures() if measures is None else measures
    if years is None:
        years = sorted({int(p) for p in values.get_column("period").drop_nulls().to_list()})
    years = sorted(set(years))
    set_measures = {c.measure for cr in cset.criteria for i in cr.indicators for c in i.conditions}

    per_province: dict[str, list[Overlay]] = {}
    for ov in overlays:
        per_province.setdefault(ov.province_code, []).append(ov)
    resolved: dict[tuple[str | None, int], ResolvedSet] = {}
    for year in years:
        resolved[(None, year)] = resolve(cset, year, (), check_period=check_period)
        for province, ovs in per_province.items():
            resolved[(province, year)] = resolve(cset, year, ovs, check_period=check_period)

    unit_rows = units.to_dicts()
    known = {u["unit"] for u in unit_rows}
    flags = sorted({f for ov in cset.column_overrides for f in ov.flags})

    chosen: dict[tuple[str, str, int], dict[str, Any]] = {}
    for row in values.to_dicts():
        if row["measure"] not in set_measures or row["period"] not in years:
            continue
        if row["unit"] not in known:
            raise ValueError(f"values: unit {row['unit']!r} not in units")
        key = (row["unit"], row["measure"], int(row["period"]))
        stage = row.get("stage") or Stage.CLAIMED
        if key not in chosen or stage == Stage.VERIFIED:
            chosen[key] = {**row, "stage": stage}

    decl, decisions = _by_key(declared, years), _by_key(decided, years)

    ind_rows: list[dict[str, Any]] = []
    crit_rows: list[dict[str, Any]] = []
    commune_rows: list[dict[str, Any]] = []
    criteria = sorted(cset.criteria, key=lambda c: c.number)
    for unit in unit_rows:
        code = unit["unit"]
        unit_province = unit.get("province")
        scope = unit_province if unit_province in per_province else None
        on = [f for f in flags if unit.get(f)]
        for year in years:
            rs = resolved[(scope, year)]
            column_of_unit = rs.unit_column(unit.get("region"), unit.get("commune_group"), on)
            final: dict[int, Status] = {}
            for criterion in criteria:
                ind_statuses: list[Status] = []
                for ind in criterion.indicators:
                    rows_of_ind: list[dict[str, Any]] = []
                    for k, cond in enumerate(ind.conditions):
                        found = chosen.get((code, cond.measure, year))
                        threshold: float | None = None
                        t_status: str | None = None
                        column: str | None = None
                        basis = rs.version.legal_basis.number
                        if cond.op not in NUMERIC_OPS:
                            t_status = rs.condition_status(ind.code, k)
                        else:
                            column, cell = rs.lookup(ind.code, k, column_of_unit)
                            threshold, t_status, basis = cell.value, cell.status, cell.basis
                        kind = catalogue[cond.measure].kind
                        status, value = _condition(
                            cond.op,
                            ind.may_be_not_applicable,
                            found,
                            kind,
                            threshold,
                            column == NO_GROUP,
                        )
                        gap = None
                        if (
                            status in (Status.MET, Status.NOT_MET)
                            and threshold is not None
                            and value is not None
                        ):
                            gap = _gap(cond.op, value, threshold)
                        rows_of_ind.append(
                            {
                                "unit": code,
                                "period": year,
                                "criterion": criterion.number,
                                "indicator": ind.code,
                                "condition": k,
                                "measure": cond.measure,
                                "op": cond.op,
                                "value": value,
                                "numerator": _float(found.get("numerator")) if found else None,
                                "denominator": _float(found.get("denominator")) if found else None,
                                "stage": found["stage"] if found else None,
                                "threshold": threshold,
                                "threshold_status": t_status,
                                "column": column,
                                "basis": basis,
                                "set_version": rs.label,
                                "status": status,
                                "gap": gap,
                            }
                        )
                    ind_status = _worst([r["status"] for r in rows_of_ind])
                    for r in rows_of_ind:
                        r["indicator_status"] = ind_status
                    ind_rows.extend(rows_of_ind)
                    ind_statuses.append(ind_status)
                if not criterion.indicators_complete:
                    # Indicators the set does not know stand for a missing threshold.
                    ind_statuses.append(Status.MISSING_THRESHOLD)
                computed = _worst(ind_statuses)
                declared_status = decl.get((code, year, criterion.number))
                decided_status = decisions.get((code, year, criterion.number))
                by_values = computed in (Status.MET, Status.NOT_MET, Status.NOT_APPLICABLE)
                if decided_status is not None:
                    status, source = decided_status, "province"
                elif by_values or declared_status is None:
                    status, source = computed, "computed"
                else:
                    status, source = declared_status, "declared"
                final[criterion.number] = status
                crit_rows.append(
                    {
                        "unit": code,
                        "period": year,
                        "criterion": criterion.number,
                        "computed_status": computed,
                        "declared_status": declared_status,
                        "decided_status": decided_status,
                        "status": status,
                        "source": source,
                        "conflict": declared_status is not None
                        and by_values
                        and declared_status != computed,
                    }
                )
            commune_rows.append(_commune(code, year, final, rule_keys(cset), cset))
    return Evaluation(
        set_id=cset.id,
        labels={y: resolved[(None, y)].label for y in years},
        indicators=pl.DataFrame(ind_rows, schema=INDICATOR_SCHEMA),
        criteria=pl.DataFrame(crit_rows, schema=CRITERIA_SCHEMA),
        communes=pl.DataFrame(commune_rows, schema=COMMUNES_SCHEMA),
    )


def _by_key(frame: pl.DataFrame | None, years: Sequence[int]) -> dict[tuple[str, int, int], Status]:
    if frame is None:
        return {}
    return {
        (row["unit"], int(row["period"]), int(row["criterion"])): Status(row["status"])
        for row in frame.to_dicts()
        if row["period"] in years
    }


def rule_keys(cset: CriteriaSet) -> list[int]:
    return list(cset.revocation.key_criteria) if cset.revocation else []


def _commune(
    code: str, year: int, final: Mapping[int, Status], keys: list[int], cset: CriteriaSet
) -> dict[str, Any]:
    counts = {s: sum(1 for v in final.values() if v == s) for s in S.STATUSES}
    total = len(final)
    failing = counts[Status.NOT_MET] + counts[Status.BASICALLY_MET]
    share = failing / total if total else 0.0
    failing_keys = [k for k in keys if final[k] in (Status.NOT_MET, Status.BASICALLY_MET)]
    unknown = S.UNKNOWN_STATUSES
    worst = (failing + sum(counts[u] for u in unknown)) / total if total else 0.0
    worst_keys = [k for k in keys if final[k] in (Status.NOT_MET, Status.BASICALLY_MET, *unknown)]
    rule = cset.revocation
    risk: bool | None = None
    possible: bool | None = None
    if rule is not None:

        def hit(x: float, any_key: bool) -> bool:
            at_full = x >= rule.full_share - S.REL_TOL
            in_band = (
                x >= rule.partial_share_from - S.REL_TOL and x < rule.partial_share_to - S.REL_TOL
            )
            return at_full or (in_band and any_key)

        risk = hit(share, bool(failing_keys))
        possible = hit(worst, bool(worst_keys))
    return {
        "unit": code,
        "period": year,
        "met": counts[Status.MET],
        "basically_met": counts[Status.BASICALLY_MET],
        "not_met": counts[Status.NOT_MET],
        "missing": sum(counts[u] for u in unknown),
        "not_applicable": counts[Status.NOT_APPLICABLE],
        "total": total,
        # A criterion that does not apply to the commune does not stand in its way.
        "meets_set": counts[Status.MET] + counts[Status.NOT_APPLICABLE] == total,
        "failing_share": share,
        "revocation_risk": risk,
        "revocation_possible": possible,
        "failing_key_criteria": failing_keys,
    }
