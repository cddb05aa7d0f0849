"""Load and validate criteria set files, overlays and the measure catalogue.

Every failure is a `CriteriaError` whose message names the file, the path inside it
(e.g. ``criteria[9].indicators[0].conditions[0].op``) and the problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ntm.criteria.schema import (
    CellChange,
    CriteriaSet,
    Measure,
    MeasureCatalogue,
    Op,
    Overlay,
    check_change,
)

M = TypeVar("M", bound=BaseModel)

_DATA = resources.files("ntm.criteria")
MEASURES_FILE = "measures.yaml"
# Which measure kinds each comparison accepts.
_OP_KINDS: dict[Op, frozenset[str]] = {
    Op.AT_LEAST: frozenset({"number", "share", "count"}),
    Op.AT_MOST: frozenset({"number", "share", "count"}),
    Op.EQUAL: frozenset({"number", "share", "count"}),
    Op.YES: frozenset({"yesno"}),
    Op.NONE: frozenset({"count"}),
}


class CriteriaError(ValueError):
    """A criteria file that cannot be used; the message is meant for a person, and
    `problems` lists each problem by itself (an import reports every one)."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems) or [message]


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that rejects a key given twice (PyYAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"key {key!r} appears twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _read_yaml(path: Path | Traversable, name: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CriteriaError(f"{name}: file not found") from None
    except UnicodeDecodeError:
        raise CriteriaError(f"{name}: not UTF-8 text") from None
    return _parse_yaml(text, name)


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CriteriaError(f"{name}: {where}not valid YAML: {problem}") from None


# Errors where the offending scalar helps the reader find the line.
_SHOW_INPUT = frozenset(
    {
        "literal_error",
        "enum",
        "int_parsing",
        "float_parsing",
        "date_parsing",
        "date_from_datetime_parsing",
    }
)


def _problem(error: Mapping[str, Any]) -> str:
    msg = str(error["msg"]).removeprefix("Value error, ")
    path = _loc(error["loc"])
    value = error.get("input")
    if error["type"] in _SHOW_INPUT and not isinstance(value, Mapping | list):
        msg += f" (found {value!r})"
    # Model-level checks already start their message with the path.
    return f"{path}: {msg}" if path else msg


def _validate(model: type[M], raw: Any, name: str) -> M:
    if not isinstance(raw, Mapping):
        raise CriteriaError(f"{name}: (top level): expected a mapping")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_problem(e) for e in exc.errors())
        raise CriteriaError(f"{name}: {problems}") from None


@cache
def load_measures() -> dict[str, Measure]:
    """The bundled measure catalogue, by key."""
    catalogue = _validate(
        MeasureCatalogue, _read_yaml(_DATA / MEASURES_FILE, MEASURES_FILE), MEASURES_FILE
    )
    return {m.key: m for m in catalogue.measures}


def _cells(cset: CriteriaSet) -> Iterator[tuple[str, str, float | None]]:
    """(path, measure key, value) of every threshold cell, amendments included."""
    for ci, criterion in enumerate(cset.criteria):
        for ii, ind in enumerate(criterion.indicators):
            for ki, cond in enumerate(ind.conditions):
                where = f"criteria[{ci}].indicators[{ii}].conditions[{ki}]"
                for column, cell in cond.thresholds.items():
                    yield f"{where}.thresholds.{column}", cond.measure, cell.value
                for year, row in cond.by_year.items():
                    for column, cell in row.items():
                        yield f"{where}.by_year.{year}.{column}", cond.measure, cell.value
    for vi, version in enumerate(cset.versions):
        for chi, change in enumerate(version.changes):
            yield f"versions[{vi}].changes[{chi}]", _change_measure(cset, change), change.value


def _change_measure(cset: CriteriaSet, change: CellChange) -> str:
    return cset.indicator(change.indicator).conditions[change.condition].measure


def _check_value(measure: Measure, value: float | None, where: str) -> None:
    if value is None:
        return
    if measure.kind == "share" and not 0 <= value <= 100:
        raise CriteriaError(f"{where}: a share is given in percent, 0 to 100 (found {value})")
    if value < 0:
        raise CriteriaError(f"{where}: a threshold cannot be negative (found {value})")


def check_measures(cset: CriteriaSet, measures: Mapping[str, Measure], name: str) -> None:
    """Every condition names a known measure whose kind fits the comparison and its values."""
    for ci, criterion in enumerate(cset.criteria):
        for ii, ind in enumerate(criterion.indicators):
            for ki, cond in enumerate(ind.conditions):
                where = f"{name}: criteria[{ci}].indicators[{ii}].conditions[{ki}]"
                measure = measures.get(cond.measure)
                if measure is None:
                    raise CriteriaError(f"{where}.measure: unknown measure {cond.measure!r}")
                if measure.kind not in _OP_KINDS[cond.op]:
                    raise CriteriaError(
                        f"{where}.op: '{cond.op}' cannot compare a {measure.kind} measure "
                        f"({cond.measure})"
                    )
    for path, key, value in _cells(cset):
        _check_value(measures[key], value, f"{name}: {path}")


def load_set_file(path: Path | Traversable, name: str | None = None) -> CriteriaSet:
    name = name or str(path)
    cset = _validate(CriteriaSet, _read_yaml(path, name), name)
    check_measures(cset, load_measures(), name)
    return cset


def parse_set(text: str, name: str) -> CriteriaSet:
    """A set from its YAML text (an uploaded file), checked as `load_set_file` does."""
    cset = _validate(CriteriaSet, _parse_yaml(text, name), name)
    check_measures(cset, load_measures(), name)
    return cset


def load_overlay_file(path: Path | Traversable, name: str | None = None) -> Overlay:
    """Load a province overlay and check it against the set it extends."""
    name = name or str(path)
    return _checked_overlay(_read_yaml(path, name), name)


def parse_overlay(text: str, name: str) -> Overlay:
    """An overlay from its YAML text (an uploaded file), checked as `load_overlay_file` does."""
    return _checked_overlay(_parse_yaml(text, name), name)


def _checked_overlay(raw: Any, name: str) -> Overlay:
    overlay = _validate(Overlay, raw, name)
    try:
        base = load_set(overlay.extends)
    except CriteriaError as exc:
        raise CriteriaError(f"{name}: extends: {exc}") from None
    problems = cell_problems(base, overlay.cells)
    if problems:
        raise CriteriaError(f"{name}: " + "; ".join(problems), problems)
    return overlay


def cell_problems(base: CriteriaSet, cells: Sequence[CellChange]) -> list[str]:
    """Every problem of cells meant to change `base` (an overlay's), each with its place
    ``cells[i]``: an unknown indicator, condition, column or year, a value out of range."""
    measures = load_measures()
    problems = []
    for i, change in enumerate(cells):
        where = f"cells[{i}]"
        try:
            check_change(base, change, where)
            _check_value(measures[_change_measure(base, change)], change.value, where)
        except ValueError as exc:  # CriteriaError too
            problems.append(str(exc))
    return problems


def _bundled_files() -> dict[str, Traversable]:
    files: dict[str, Traversable] = {}
    for entry in (_DATA / "sets").iterdir():
        if entry.name.endswith(".yaml"):
            files[entry.name.removesuffix(".yaml")] = entry
    return files


def bundled_set_ids() -> list[str]:
    return sorted(_bundled_files())


@cache
def load_set(set_id: str) -> CriteriaSet:
    """A bundled set by id (the file name without .yaml), or a path to a set file."""
    files = _bundled_files()
    if set_id in files:
        cset = load_set_file(files[set_id], f"sets/{set_id}.yaml")
        if cset.id != set_id:
            raise CriteriaError(f"sets/{set_id}.yaml: id: {cset.id!r} differs from the file name")
        return cset
    path = Path(set_id)
    if path.suffix in {".yaml", ".yml"} and path.exists():
        return load_set_file(path)
    known = ", ".join(sorted(files))
    raise CriteriaError(f"{set_id}: không có bộ tiêu chí này (unknown set); có: {known}")


def in_force_first(sets: Iterable[CriteriaSet], on: dt.date) -> list[CriteriaSet]:
    """The sets in force on `on` first, then the standard tier first: the first is the one a
    year assessed on that day is judged by (a set stays in force until its successor takes
    effect, so 2021, assessed on 31/12/2021, is judged by 2016-2020)."""
    return sorted(sets, key=lambda s: (not s.in_force_on(on), s.tier != "standard", s.id))


def with_transition(
    cset: CriteriaSet, successor: CriteriaSet, day: dt.date, basis: str
) -> tuple[CriteriaSet, CriteriaSet]:
    """The set and its successor as a province reads them when, by its decision `basis`, the
    successor takes effect there on `day` instead of the national date: the set judges until
    the day before (and the years up to then), the successor from that day."""
    assert cset.succeeded_by is not None and cset.succeeded_by.set == successor.id
    succession = cset.succeeded_by.model_copy(update={"effective_from": day, "note": basis})
    old = cset.model_copy(
        update={"effective_to": day - dt.timedelta(days=1), "succeeded_by": succession}
    )
    return old, successor.model_copy(update={"effective_from": day})


def sets_for_period(
    period: int, *, level: str = "commune", on: dt.date | None = None
) -> list[CriteriaSet]:
    """The bundled sets of a level applying to the year (`CriteriaSet.years`: in a transition
    year, both), ordered by `in_force_first` on the assessment day `on` (default 31/12)."""
    applying = [
        s for s in map(load_set, bundled_set_ids()) if s.level == level and s.applies_to(period)
    ]
    return in_force_first(applying, on or dt.date(period, 12, 31))


def measures_read(cset: CriteriaSet) -> frozenset[str]:
    """The measures a set reads: its conditions' measures and the weights they combine by
    (`Measure.weight_measure`, which re-basing needs)."""
    keys = {cond.measure for c in cset.criteria for ind in c.indicators for cond in ind.conditions}
    catalogue = load_measures()
    weights = {catalogue[k].weight_measure for k in keys if k in catalogue}
    return frozenset(keys | {w for w in weights if w is not None})
