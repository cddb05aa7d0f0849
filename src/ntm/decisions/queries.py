"""Reading a province's decisions back: the overlay in force on a day, and the history."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ntm.criteria.loader import load_set, parse_set, with_transition
from ntm.criteria.schema import CellChange, CriteriaSet, LegalBasis, Overlay
from ntm.decisions.models import CellVersion, Decision, SetDecision, SetDecisionKind
from ntm.vn.dates import format_date


def _versions(province_code: str, set_ids: Iterable[str], until: dt.date) -> list[CellVersion]:
    """The province's cell versions of these sets effective by `until`, by cell, then by
    effective date and version (the order `_in_force` relies on)."""
    return list(
        CellVersion.objects.filter(
            province__code=province_code, set_id__in=list(set_ids), effective_from__lte=until
        )
        .select_related("decision")
        .order_by("cell", "effective_from", "version")
    )


def _in_force(versions: Iterable[CellVersion], set_id: str, day: dt.date) -> list[CellVersion]:
    found: dict[str, CellVersion] = {}
    for row in versions:
        if row.set_id == set_id and row.effective_from <= day:
            found[row.cell] = row
    return list(found.values())


def in_force(province_code: str, set_id: str, day: dt.date) -> list[CellVersion]:
    """The version of each cell in force on `day`: of those effective by then, the one that
    took effect last (the later decision), and of one day's, the one recorded last."""
    return _in_force(_versions(province_code, [set_id], day), set_id, day)


def as_overlays(
    cset: CriteriaSet, province_code: str, province_name: str, rows: Sequence[CellVersion]
) -> tuple[Overlay, ...]:
    """The rows as `ntm.criteria` overlays of `cset`, one per decision, the earliest first."""
    by_decision: dict[int, tuple[Decision, list[CellVersion]]] = {}
    for row in rows:
        by_decision.setdefault(row.decision_id, (row.decision, []))[1].append(row)
    ordered = sorted(by_decision.values(), key=lambda d: (d[0].date_signed, d[0].pk))
    return tuple(
        Overlay(
            kind="overlay",
            id=f"{province_code}:{decision.number}",
            extends=cset.id,
            province_code=province_code,
            province_name=province_name,
            legal_basis=LegalBasis(
                number=decision.number,
                title_vi=decision.title or None,
                issuer=decision.issuer,
                date_signed=decision.date_signed,
                effective_from=min(r.effective_from for r in cells),
            ),
            cells=[
                CellChange(
                    indicator=r.indicator,
                    condition=r.condition,
                    column=r.column,
                    year=r.year,
                    value=r.value,
                    status=r.status,
                    note=r.note or None,
                )
                for r in sorted(cells, key=lambda r: r.cell)
            ],
        )
        for decision, cells in ordered
    )


# The same decisions give the same set object: the read layer's fingerprints are kept per
# object, and a set is rebuilt only when a decision in force changes.
_SETS: dict[tuple[object, ...], CriteriaSet] = {}
_LOCK = threading.Lock()


def with_decisions(
    cset: CriteriaSet, province_code: str | None, province_name: str, day: dt.date
) -> CriteriaSet:
    """`cset` with the province's decisions in force on `day` applied (itself when none)."""
    return with_decisions_on([(cset, day)], province_code, province_name)[0]


def with_decisions_on(
    wanted: Sequence[tuple[CriteriaSet, dt.date]], province_code: str | None, province_name: str
) -> list[CriteriaSet]:
    """`with_decisions` of each (set, day), from one query (a trend reads ten years)."""

    def applied(cset: CriteriaSet) -> bool:
        # No province, or its decisions are applied already.
        return province_code is None or any(o.province_code == province_code for o in cset.overlays)

    todo = [(c, d) for c, d in wanted if not applied(c)]
    if province_code is None or not todo:
        return [c for c, _ in wanted]
    versions = _versions(province_code, {c.id for c, _ in todo}, max(d for _, d in todo))
    return [
        c if applied(c) else _with(c, province_code, province_name, _in_force(versions, c.id, d))
        for c, d in wanted
    ]


def with_decisions_by_province(cset: CriteriaSet, day: dt.date) -> dict[str, CriteriaSet]:
    """For every province with decisions on `cset` in force on `day`, the set as it reads it
    (`with_decisions`), by province code: one query for all provinces (the central view)."""
    rows = (
        CellVersion.objects.filter(set_id=cset.id, effective_from__lte=day)
        .select_related("decision", "province")
        .order_by("province_id", "cell", "effective_from", "version")
    )
    by_province: dict[str, tuple[str, list[CellVersion]]] = {}
    for row in rows:
        code = row.province.code or ""
        by_province.setdefault(code, (row.province.name, []))[1].append(row)
    return {
        code: _with(cset, code, name, _in_force(versions, cset.id, day))
        for code, (name, versions) in by_province.items()
        if code
    }


def _with(
    cset: CriteriaSet, province_code: str, province_name: str, rows: Sequence[CellVersion]
) -> CriteriaSet:
    if not rows:
        return cset
    # By content, not by row ids (a test rolled back gives its ids to the next one).
    name = (cset.id, province_code, province_name, *(_content(r) for r in rows))
    with _LOCK:
        found = _SETS.get(name)
        if found is None:
            overlays = as_overlays(cset, province_code, province_name, rows)
            found = cset.model_copy(update={"overlays": [*cset.overlays, *overlays]})
            _SETS[name] = found
    return found


def _content(row: CellVersion) -> tuple[object, ...]:
    d = row.decision
    return (
        row.cell,
        row.value,
        row.status,
        row.note,
        row.effective_from,
        d.pk,
        d.number,
        d.date_signed,
        d.issuer,
        d.title,
    )


def history(province_code: str, set_id: str | None = None) -> list[CellVersion]:
    """Every version of the province's cells, newest first (the history page)."""
    rows = CellVersion.objects.filter(province__code=province_code)
    if set_id is not None:
        rows = rows.filter(set_id=set_id)
    return list(
        rows.select_related("decision", "acting_user").order_by(
            "set_id", "-recorded_at", "cell", "-version"
        )
    )


def set_decisions(province_code: str) -> list[SetDecision]:
    """The latest version of each of the province's decisions on a whole set (transition
    rules, its own sets), by kind and set."""
    latest: dict[tuple[str, str], SetDecision] = {}
    rows = SetDecision.objects.filter(province__code=province_code).select_related("decision")
    for row in rows.order_by("kind", "set_id", "version"):
        latest[(row.kind, row.set_id)] = row
    return list(latest.values())


@lru_cache(maxsize=256)
def _own_set(text: str, name: str) -> CriteriaSet:
    # Checked when recorded: parsed once per text, the same object for the read layer's keys.
    return parse_set(text, name)


_RETIMED: dict[tuple[object, ...], tuple[CriteriaSet, ...]] = {}


def province_sets(province_code: str | None) -> tuple[CriteriaSet, ...]:
    """The sets the province reads otherwise than the nation, by its decisions: its own whole
    sets, and the national sets its transition rules re-time (`with_transition`). One query;
    the same decisions give the same objects."""
    if not province_code:
        return ()
    rows = set_decisions(province_code)
    own = tuple(
        _own_set(r.text, f"{r.set_id}.yaml") for r in rows if r.kind == SetDecisionKind.WHOLE_SET
    )
    rules = tuple(
        (r.set_id, r.successor_from, f"{r.decision.number} ({format_date(r.decision.date_signed)})")
        for r in rows
        if r.kind == SetDecisionKind.TRANSITION and r.successor_from is not None
    )
    with _LOCK:
        retimed = _RETIMED.get(rules)
        if retimed is None:
            sets: dict[str, CriteriaSet] = {}
            for set_id, day, basis in sorted(rules, key=lambda r: r[1]):
                cset = sets.get(set_id) or load_set(set_id)
                assert cset.succeeded_by is not None  # checked when recorded
                after = cset.succeeded_by.set
                sets[set_id], sets[after] = with_transition(
                    cset, sets.get(after) or load_set(after), day, basis
                )
            retimed = _RETIMED[rules] = tuple(sets.values())
    return own + retimed
