"""Stored values and their review: stages, approval, evidence, comments, declarations, cache.

A value is stored once per (unit, measure, period) (design decision 2) with the commune's
claimed entry and the appraiser's verified entry side by side (decision 3). Each stage has
its own version counter for optimistic concurrency: two people saving the same stage of the
same value cannot overwrite each other unseen, while the commune and the appraiser never
block each other. Rows change only through `ntm.values.services`.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ntm.evaluation import semantics
from ntm.evaluation.semantics import Status
from ntm.jobs import Job
from ntm.vn.dates import format_date

# The years a value, a page address or an API call may name: the programme's, with room
# (a criteria set reads only some of them; the services say which).
FIRST_YEAR = 2000
LAST_YEAR = 2100


class Stage(models.TextChoices):
    """The stages of `ntm.evaluation.semantics.Stage`, with their labels."""

    CLAIMED = semantics.Stage.CLAIMED.value, _("Claimed (commune)")
    VERIFIED = semantics.Stage.VERIFIED.value, _("Verified (appraiser)")


class Value(models.Model):
    """One measure of one unit for one period (a year); an entry is empty when all its fields
    are NULL and `*_not_applicable` is false.

    number/count: `*_value`; yes/no: `*_value` 1.0 (Đạt) or 0.0 (Chưa đạt); share:
    `*_numerator` and `*_denominator`; not applicable: `*_not_applicable` (other fields NULL).
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="values")
    measure = models.CharField(max_length=100)
    period = models.IntegerField()

    claimed_value = models.FloatField(null=True, blank=True)
    claimed_numerator = models.FloatField(null=True, blank=True)
    claimed_denominator = models.FloatField(null=True, blank=True)
    claimed_not_applicable = models.BooleanField(default=False)
    claimed_version = models.PositiveIntegerField(default=0)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    verified_value = models.FloatField(null=True, blank=True)
    verified_numerator = models.FloatField(null=True, blank=True)
    verified_denominator = models.FloatField(null=True, blank=True)
    verified_not_applicable = models.BooleanField(default=False)
    verified_version = models.PositiveIntegerField(default=0)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("unit_id", "period", "measure")
        constraints = (
            models.UniqueConstraint(
                fields=("unit", "measure", "period"), name="values_value_unit_measure_period"
            ),
        )
        indexes = (models.Index(fields=("period", "unit")),)

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.measure}/{self.period}"

    def entry(self, stage: str) -> dict[str, Any]:
        """The stage's fields as a plain dict (what audit rows and conflicts show)."""
        return {
            "value": getattr(self, f"{stage}_value"),
            "numerator": getattr(self, f"{stage}_numerator"),
            "denominator": getattr(self, f"{stage}_denominator"),
            "not_applicable": getattr(self, f"{stage}_not_applicable"),
        }

    def version(self, stage: str) -> int:
        return int(getattr(self, f"{stage}_version"))

    def has(self, stage: str) -> bool:
        e = self.entry(stage)
        return e["not_applicable"] or any(e[k] is not None for k in ("value", "numerator"))


class EntryVersion(models.Model):
    """One version of one stage of a value (design decision 11): what the stage held in the
    record from `effective_at` until `superseded_at` (NULL: it still holds). `recorded_at` is
    when it was written — later than `effective_at` only for a past record loaded by
    `load_history`. An emptied entry is a version too (every field NULL).

    "As of D" is one indexed query: effective_at <= D < superseded_at (or no successor). The
    unit, measure and period are repeated from the value so that the query needs no join.
    Rows are written only by `ntm.values.record`, in the transaction of the change and of its
    audit row (`audit`), which stays the compliance record and is never read to derive state.
    """

    value = models.ForeignKey(Value, on_delete=models.PROTECT, related_name="versions")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    measure = models.CharField(max_length=100)
    period = models.IntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    version = models.PositiveIntegerField()
    number = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    effective_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField(max_length=200, blank=True, default="")
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("value_id", "stage", "version")
        constraints = (
            models.UniqueConstraint(
                fields=("value", "stage", "version"), name="values_entryversion_value_stage_version"
            ),
        )
        indexes = (
            models.Index(fields=("period", "unit", "effective_at")),
            # The record at a moment (`ntm.results.record.entries_held_at`): the versions
            # still holding, and those superseded after it, each one range.
            models.Index(
                fields=("period", "unit", "superseded_at", "effective_at"),
                name="values_entryversion_held",
            ),
        )

    def __str__(self) -> str:
        return f"{self.value_id}/{self.stage} v{self.version}"


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Submission(models.Model):
    """The approval state of a unit's period under one criteria set (no row = draft)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="submissions")
    period = models.IntegerField()
    set_id = models.CharField(max_length=100)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    reason = models.TextField(blank=True, default="")  # of the last return or reopening
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("unit_id", "period", "set_id")
        constraints = (
            models.UniqueConstraint(
                fields=("unit", "period", "set_id"), name="values_submission_unit_period_set"
            ),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="values_submission_state_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.period}/{self.set_id}: {self.state}"


class SubmissionVersion(models.Model):
    """One state of a unit's period under a set, held from `effective_at` until
    `superseded_at` (see `EntryVersion`)."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="versions")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.IntegerField()
    set_id = models.CharField(max_length=100)
    state = models.CharField(max_length=20, choices=State.choices)
    reason = models.TextField(blank=True, default="")
    effective_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField(max_length=200, blank=True, default="")
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("submission_id", "effective_at", "id")
        indexes = (models.Index(fields=("period", "unit", "effective_at")),)

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.state} from {format_date(self.effective_at)}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """A server-chosen name: the user's file name is kept in `original_name` only."""
    suffix = PurePath(filename).suffix.lower()[:10]
    value = instance.value
    return f"evidence/{value.unit_id}/{value.period}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    value = models.ForeignKey(Value, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)  # sniffed from the bytes
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=500, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return self.original_name


class ScanFile(models.Model):
    """A decision's scan kept as its evidence (a province's decision on a set, a recognition
    decision): the file checked as a value's evidence is (`ntm.values.files`), its audit row.
    A concrete scan adds the decision it belongs to and `file` with its own storage path."""

    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)  # sniffed from the bytes
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")
    file: models.FileField

    class Meta:
        abstract = True
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return self.original_name


class Comment(models.Model):
    value = models.ForeignKey(Value, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.text[:50]


class DeclaredStatus(models.TextChoices):
    """The statuses a criterion may be declared (`semantics.DECLARED_STATUSES`), labelled."""

    MET = Status.MET.value, _("Met")
    BASICALLY_MET = Status.BASICALLY_MET.value, _("Basically met")
    NOT_MET = Status.NOT_MET.value, _("Not met")


# What a person reads for each status of an evaluated criterion or condition.
STATUS_LABELS = {
    **dict(DeclaredStatus.choices),
    Status.MISSING_DATA: _("Missing data"),
    Status.MISSING_THRESHOLD: _("Missing threshold"),
    Status.MISSING_GROUP: _("Commune group missing"),
    Status.NOT_APPLICABLE: _("Not applicable"),
}


class Declaration(models.Model):
    """A criterion's status declared for a unit's period under a set. A withdrawn declaration
    keeps its row with an empty status, so versions only grow (the results cache relies on it).
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="declarations")
    period = models.IntegerField()
    set_id = models.CharField(max_length=100)
    criterion = models.IntegerField()
    status = models.CharField(max_length=20, blank=True, default="")
    version = models.PositiveIntegerField(default=0)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("unit_id", "period", "set_id", "criterion")
        constraints = (
            models.UniqueConstraint(
                fields=("unit", "period", "set_id", "criterion"),
                name="values_declaration_unit_period_set_criterion",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[*DeclaredStatus.values, ""]),
                name="values_declaration_status_valid",
            ),
        )

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.period}/{self.set_id}/{self.criterion}: {self.status}"


class CriterionVersion(models.Model):
    """What a version of a criterion-level record holds: a status ("" once withdrawn) of a
    unit's period under a set, from `effective_at` until `superseded_at` (see
    `EntryVersion`)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.IntegerField()
    set_id = models.CharField(max_length=100)
    criterion = models.IntegerField()
    status = models.CharField(max_length=20, blank=True, default="")
    version = models.PositiveIntegerField()
    effective_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField(max_length=200, blank=True, default="")
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class DeclarationVersion(CriterionVersion):
    """One declared status of a criterion."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="versions")

    class Meta:
        ordering = ("declaration_id", "version")
        constraints = (
            models.UniqueConstraint(
                fields=("declaration", "version"), name="values_declarationversion_version"
            ),
        )
        indexes = (models.Index(fields=("period", "unit", "effective_at")),)

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.version}: {self.status or '—'}"


class ProvinceDecision(models.Model):
    """The province office's decision on a criterion's status for a unit's period under a set,
    standing over the computed result (shown as *quyết định của tỉnh*), with its written
    reason. A withdrawn decision keeps its row with an empty status (see `Declaration`)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.IntegerField()
    set_id = models.CharField(max_length=100)
    criterion = models.IntegerField()
    status = models.CharField(max_length=20, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("unit_id", "period", "set_id", "criterion")
        constraints = (
            models.UniqueConstraint(
                fields=("unit", "period", "set_id", "criterion"),
                name="values_provincedecision_unit_period_set_criterion",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[*DeclaredStatus.values, ""]),
                name="values_provincedecision_status_valid",
            ),
        )

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.period}/{self.set_id}/{self.criterion}: {self.status}"


class ProvinceDecisionVersion(CriterionVersion):
    """One decision of the province on a criterion, with its reason."""

    decision = models.ForeignKey(
        ProvinceDecision, on_delete=models.PROTECT, related_name="versions"
    )
    reason = models.TextField()

    class Meta:
        ordering = ("decision_id", "version")
        constraints = (
            models.UniqueConstraint(
                fields=("decision", "version"), name="values_provincedecisionversion_version"
            ),
        )
        indexes = (models.Index(fields=("period", "unit", "effective_at")),)

    def __str__(self) -> str:
        return f"{self.decision_id} v{self.version}: {self.status or '—'}"


class CountRecord(models.Model):
    """How many criteria of a set a unit met in a period, where the record holds only that
    number (real lists read "commune, district, 14/19"): no criterion's status is known, so it
    counts in the average, the bands and "at the standard" (met == total) and never per
    criterion (*chỉ có số tiêu chí đạt*). `total` is the set's number of criteria as the list
    states it. A withdrawn record keeps its row with `met` NULL (see `Declaration`)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.IntegerField()
    set_id = models.CharField(max_length=100)
    met = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True, default="")  # its source
    version = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("unit_id", "period", "set_id")
        constraints = (
            models.UniqueConstraint(
                fields=("unit", "period", "set_id"), name="values_countrecord_unit_period_set"
            ),
            models.CheckConstraint(
                condition=Q(met__isnull=True) | Q(met__lte=models.F("total")),
                name="values_countrecord_met_within_total",
            ),
        )

    def __str__(self) -> str:
        met = "—" if self.met is None else self.met
        return f"{self.unit_id}/{self.period}/{self.set_id}: {met}/{self.total}"


class CountVersion(models.Model):
    """One version of a count record, held from `effective_at` until `superseded_at` (see
    `EntryVersion`); `met` NULL once withdrawn."""

    record = models.ForeignKey(CountRecord, on_delete=models.PROTECT, related_name="versions")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.IntegerField()
    set_id = models.CharField(max_length=100)
    met = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True, default="")
    version = models.PositiveIntegerField()
    effective_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField(max_length=200, blank=True, default="")
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("record_id", "version")
        constraints = (
            models.UniqueConstraint(
                fields=("record", "version"), name="values_countversion_version"
            ),
        )
        # A period's count records at a moment: one range per (period, set).
        indexes = (models.Index(fields=("period", "set_id", "unit", "effective_at")),)

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}: {self.met}/{self.total}"


class PeriodStamp(models.Model):
    """The last change of a unit's period in the record: any entry, declaration, province
    decision, count record or state written for it moves `audit` to that change's audit row.
    Cached figures are keyed by the stamps of the units and periods they read, so a write
    invalidates exactly those."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.IntegerField()
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("unit", "period"), name="values_periodstamp_unit_period"
            ),
        )

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.period}: {self.audit_id}"


class ImportState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Rejected")


class ImportJob(Job):
    """One uploaded file and what became of it (the page polls this row)."""

    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    set_id = models.CharField(max_length=100)
    period = models.IntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.CLAIMED)
    state = models.CharField(
        max_length=20, choices=ImportState.choices, default=ImportState.PENDING
    )
    phase = models.CharField(max_length=100, blank=True, default="")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # One per problem: {"vi": ..., "en": ...} (plain Vietnamese lines in older rows).
    problems = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.state})"


class SimulatedData(models.Model):
    """Provenance: the province's values are simulated, and its pages say "dữ liệu mô phỏng".
    `record_sets` holds the criteria sets (as their JSON) that the record was kept under and
    that are not bundled, so that the pages read those periods without importing the code
    that made them."""

    province = models.OneToOneField(
        "units.Unit", on_delete=models.PROTECT, related_name="simulated_data"
    )
    note = models.CharField(max_length=500, blank=True, default="")
    record_sets = models.JSONField(default=list, blank=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"simulated: {self.province_id}"


class WorkflowRule(models.Model):
    """A province's rules for its communes' approvals, changed by its office through
    `ntm.values.services.set_require_complete` (no row: the defaults)."""

    province = models.OneToOneField(
        "units.Unit", on_delete=models.PROTECT, related_name="workflow_rule"
    )
    # Approval refuses a period with a criterion missing data or a threshold.
    require_complete = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.province_id}: require_complete={self.require_complete}"


class NotificationKind(models.TextChoices):
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    REOPENED = "reopened", _("Reopened")
    COMMENT = "comment", _("Comment")


class Notification(models.Model):
    """Something that happened to a user's commune, for the user to read in the app; written
    by the service of the act, in its transaction, beside its audit row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.IntegerField()
    set_id = models.CharField(max_length=100, blank=True, default="")
    measure = models.CharField(max_length=100, blank=True, default="")  # of a comment
    text = models.TextField(blank=True, default="")  # the reason, or the comment
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("user", "read_at")),)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.unit_id}/{self.period}"
