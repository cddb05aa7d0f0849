"""The service that asks for a report file: whoever reads the province, audited; anyone else
is refused and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from ntm.accounts.testing import PersonaName
from ntm.audit.models import AuditLog
from ntm.reports.jobs import request_report
from ntm.reports.models import ReportJob, ReportKind
from ntm.values.testing import YEAR, World, persona_world, world

__all__ = ["persona_world", "world"]  # fixtures

pytestmark = pytest.mark.django_db


def _ask(world: World, persona: PersonaName) -> ReportJob:
    user = world.p.user(persona)
    assert user is not None
    return request_report(
        world.p.province,
        ReportKind.WORKBOOK,
        period=YEAR,
        as_of=None,
        units_of=None,
        language="en-us",
        acting_user=user,
    )


@pytest.mark.parametrize("reader", ["appraiser", "province_office", "central_viewer"])
def test_a_reader_of_the_province_asks_and_it_is_audited(world: World, reader: PersonaName) -> None:
    job = _ask(world, reader)
    assert (job.state, job.language, job.created_by) == ("pending", "en", world.p.user(reader))
    audit = AuditLog.objects.get(action="reports.request")
    assert audit.acting_user_id == job.created_by_id and audit.object_id == str(job.pk)


@pytest.mark.parametrize("outsider", ["officer_a", "officer_b"])
def test_anyone_else_is_refused_and_nothing_is_written(world: World, outsider: PersonaName) -> None:
    with pytest.raises(PermissionDenied):
        _ask(world, outsider)
    assert not ReportJob.objects.exists()
    assert not AuditLog.objects.filter(action="reports.request").exists()
