"""A filled gap workbook (`ntm.exchange.gaps`) recorded as one decision of the province:
every cell given a value, or none — each refused row reported with its sheet, row, column and
value, whether the reader or `record_decision` refused it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ntm.accounts import permissions
from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.criteria.schema import CriteriaSet
from ntm.decisions.services import Basis, DecisionError, NotAllowed, Recorded, record_decision
from ntm.exchange.gaps import read_gaps
from ntm.exchange.workbook import InputError, InputProblem
from ntm.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_CELL = re.compile(r"^cells\[(\d+)\][.:]?\s*")


def commune_set(set_id: str) -> CriteriaSet | None:
    """A bundled commune set by id; None for any other id."""
    if set_id not in bundled_set_ids():
        return None
    cset = load_set(set_id)
    return cset if cset.level == "commune" else None


def import_gaps(
    path: str | Path, province: Unit, *, acting_user: User, source_name: str | None = None
) -> Recorded:
    """Record the filled cells of the workbook at `path` as the province's decision; raises
    `InputError` (nothing written) with every problem, or `NotAllowed`."""
    if not permissions.can_decide_criteria(acting_user, province):
        raise NotAllowed
    path = Path(path)
    name = source_name or path.name
    found = read_gaps(path, commune_set, name=source_name)
    if found.problems:
        raise InputError(found.problems, name)
    try:
        return record_decision(
            province,
            found.set_id,
            Basis(found.number, found.date_signed, found.issuer),
            [c.change for c in found.cells],
            effective_from=found.effective_from,
            acting_user=acting_user,
        )
    except DecisionError as exc:
        problems = []
        for text in exc.problems:
            # "cells[i]..." names the i-th filled row: report it at its row.
            m = _CELL.match(text)
            row = found.cells[int(m.group(1))] if m else None
            reason = text[m.end() :] if m else text
            problems.append(
                InputProblem(
                    reason,
                    found.sheet,
                    row.row if row else None,
                    value=row.change.value if row else None,
                )
            )
        raise InputError(problems, name) from None
