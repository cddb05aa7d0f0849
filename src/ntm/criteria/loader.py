"""Load and validate criteria set files, overlays and the measure catalogue.

Every failure is a `CriteriaError` whose message names the file, the path inside it
(e.g. ``criteria[9].indicators[0].conditions[0].op``) and the problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ntm.criteria.schema import (
    NUMERIC_OPS,
    CriteriaSet,
    Measure,
    MeasureCatalogue,
    Overlay,
    check_change,
)

M = TypeVar("M", bound=BaseModel)

_DATA = resources.files("ntm.criteria")
MEASURES_FILE = "measures.yaml"
# Which measure kinds each comparison accepts.
_OP_KINDS: dict[str, frozenset[str]] = {
    ">=": frozenset({"number", "share", "count"}),
    "<=": frozenset({"number", "share", "count"}),
    "==": frozenset({"number", "share", "count"}),
    "yes": frozenset({"yesno"}),
    "none": frozenset({"count"}),
}


class CriteriaError(ValueError):
    """A criteria file that cannot be used; the message is meant for a person."""


def _loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _read_yaml(path: Path | Any, name: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CriteriaError(f"{name}: file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CriteriaError(f"{name}: {where}not valid YAML ({exc})") from None


def _validate(model: type[M], raw: Any, name: str) -> M:
    if not isinstance(raw, Mapping):
        raise CriteriaError(f"{name}: (top level): expected a mapping")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_loc(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise CriteriaError(f"{name}: {problems}") from None


@cache
def load_measures() -> dict[str, Measure]:
    """The bundled measure catalogue, by key."""
    catalogue = _validate(
        MeasureCatalogue, _read_yaml(_DATA / MEASURES_FILE, MEASURES_FILE), MEASURES_FILE
    )
    return {m.key: m for m in catalogue.measures}


def check_measures(cset: CriteriaSet, measures: Mapping[str, Measure], name: str) -> None:
    """Every condition names a known measure whose kind fits the comparison."""
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


def load_set_file(path: Path | Any, name: str | None = None) -> CriteriaSet:
    name = name or str(path)
    cset = _validate(CriteriaSet, _read_yaml(path, name), name)
    check_measures(cset, load_measures(), name)
    return cset


def load_overlay_file(path: Path | Any, name: str | None = None) -> Overlay:
    """Load a province overlay and check it against the set it extends."""
    name = name or str(path)
    overlay = _validate(Overlay, _read_yaml(path, name), name)
    try:
        base = load_set(overlay.extends)
    except CriteriaError as exc:
        raise CriteriaError(f"{name}: extends: {exc}") from None
    for i, change in enumerate(overlay.cells):
        try:
            check_change(base, change, f"cells[{i}]")
        except ValueError as exc:
            raise CriteriaError(f"{name}: {exc}") from None
    return overlay


def _bundled_files() -> dict[str, Any]:
    files: dict[str, Any] = {}
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


def bundled_overlay_paths() -> list[Any]:
    return sorted(
        (e for e in (_DATA / "overlays").iterdir() if e.name.endswith(".yaml")),
        key=lambda e: e.name,
    )


def numeric(op: str) -> bool:
    return op in NUMERIC_OPS
