"""A record read from `ntm evaluate --json` files, as a source of the read layer.

`ntm stats --from-json` runs the province figures over such files with the same code as over
the stored record (`ntm.results.province`): each file is one year; its communes are found by
GSO code among the province's communes in force on the year's reference day, and the values
it carries (`values`, written by `ntm evaluate --json`) are evaluated again under the file's
criteria set — as recorded, or re-based onto another date's units. Files hold no declared
statuses, no decisions, no approvals and no history: "as of" reads them as they are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from ntm.evaluation import VALUES_SCHEMA
from ntm.results.query import ChoiceError
from ntm.results.record import DECIDED_SCHEMA, DECLARED_SCHEMA
from ntm.results.scope import all_communes, period_day
from ntm.stats.counts import COUNTS_SCHEMA
from ntm.units.models import Unit

ENTRY_FIELDS = ("measure", "value", "numerator", "denominator", "not_applicable", "stage")


@dataclass(frozen=True)
class FileRecord:
    """The values of one or more files, by unit primary key (`ntm.results.record.Source`)."""

    values: pl.DataFrame  # VALUES_SCHEMA
    set_ids: dict[int, str]  # year -> the criteria set the file was evaluated under
    cached = False

    def values_frame(
        self, unit_ids: Sequence[int], period: int, *, at: dt.datetime | None = None
    ) -> pl.DataFrame:
        keys = [str(u) for u in unit_ids]
        return self.values.filter((pl.col("period") == period) & pl.col("unit").is_in(keys))

    def declared_frame(
        self, unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> pl.DataFrame:
        return pl.DataFrame(schema=DECLARED_SCHEMA)

    def decided_frame(
        self, unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> pl.DataFrame:
        return pl.DataFrame(schema=DECIDED_SCHEMA)

    def counts_frame(
        self, unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> pl.DataFrame:
        return pl.DataFrame(schema=COUNTS_SCHEMA)  # a results file holds values only

    def approved_units(
        self, unit_ids: Iterable[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> set[int]:
        return set()

    def units_with_data(
        self, unit_ids: Iterable[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> set[int]:
        found = self.values_frame(list(unit_ids), period).get_column("unit").unique()
        return {int(u) for u in found}

    def periods_with_data(self, unit_ids: Iterable[int]) -> list[int]:
        keys = [str(u) for u in unit_ids]
        found = self.values.filter(pl.col("unit").is_in(keys)).get_column("period").unique()
        return sorted(int(p) for p in found)

    def latest_approved_period(self, unit_ids: Iterable[int]) -> int | None:
        return None

    def stamps(self, unit_ids: Iterable[int], periods: Iterable[int]) -> dict[tuple[int, int], int]:
        return {}

    def stamp_summaries(
        self, unit_ids: Iterable[int], periods: Iterable[int]
    ) -> dict[int, tuple[int, int]]:
        return {}


def _problem(path: Path, text: str) -> ChoiceError:
    return ChoiceError(f"{path.name}: {text}")


def _document(path: Path) -> tuple[int, str, list[dict[str, Any]]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(path, _("the file does not exist.")) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _problem(path, _("not a JSON file.")) from None
    try:
        year, set_id, communes = int(doc["set"]["year"]), str(doc["set"]["id"]), doc["communes"]
        if not isinstance(communes, list) or not all("values" in c for c in communes):
            raise KeyError("values")
    except (KeyError, TypeError, ValueError):
        raise _problem(
            path,
            _(
                "not the output of `ntm evaluate --json` with the values it read (write it "
                "again with this version)."
            ),
        ) from None
    return year, set_id, communes


def read_files(paths: Sequence[str | Path], province: Unit) -> FileRecord:
    """The files as a record of the province's communes; a `ChoiceError` names the first
    file that cannot be read, a year given twice, or the codes that are no commune of the
    province on the year's reference day."""
    rows: list[dict[str, Any]] = []
    set_ids: dict[int, str] = {}
    communes = all_communes(province)
    for name in paths:
        path = Path(name)
        year, set_id, found = _document(path)
        if year in set_ids:
            raise _problem(path, _("a second file for %(year)s.") % {"year": year})
        set_ids[year] = set_id
        day = period_day(year)
        by_code = {u.code: u for u in communes if u.code and u.is_valid_on(day)}
        unknown = sorted({str(c["unit"]) for c in found} - set(by_code))
        if unknown:
            raise _problem(
                path,
                _("no commune of %(province)s had these codes on %(day)s: %(codes)s.")
                % {
                    "province": province.name,
                    "day": f"{day:%d/%m/%Y}",
                    "codes": ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""),
                },
            )
        for commune in found:
            unit = str(by_code[str(commune["unit"])].pk)
            for entry in commune["values"]:
                rows.append(
                    {"unit": unit, "period": year, **{k: entry.get(k) for k in ENTRY_FIELDS}}
                )
    values = pl.DataFrame(rows, schema=VALUES_SCHEMA).with_columns(
        pl.col("not_applicable").fill_null(False)
    )
    return FileRecord(values=values, set_ids=set_ids)
