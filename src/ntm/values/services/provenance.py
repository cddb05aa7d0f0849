"""Provenance of a province's record: whether its values are simulated."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ntm.audit.services import record
from ntm.criteria.schema import CriteriaSet
from ntm.units.models import Unit, UnitKind
from ntm.values.models import SimulatedData
from ntm.values.services.errors import ValuesError

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def mark_simulated(
    province: Unit,
    *,
    note: str,
    record_sets: Sequence[CriteriaSet] = (),
    actor: str = "",
    acting_user: User | None = None,
) -> SimulatedData:
    """Record that a province's values are simulated (the demo loader calls this), so that
    every page of it says "dữ liệu mô phỏng", with the sets its record was kept under that
    are not bundled (read back by `ntm.results`)."""
    if province.kind != UnitKind.PROVINCE:
        raise ValuesError(gettext("Only a province can be marked as holding simulated data."))
    sets = [s.model_dump(mode="json") for s in record_sets]
    with transaction.atomic():
        row, created = SimulatedData.objects.get_or_create(
            province=province,
            defaults={"note": note, "marked_at": timezone.now(), "record_sets": sets},
        )
        if created:
            record(
                action="values.mark_simulated",
                object_type="units.unit",
                object_id=province.pk,
                after={"simulated": True, "note": note, "record_sets": [s.id for s in record_sets]},
                acting_user=acting_user,
                actor=actor,
            )
    return row
