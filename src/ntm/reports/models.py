"""What the reports keep of their own: the report files asked for on the web, made as jobs
(`ntm.jobs`) beside the request and downloaded by whoever asked for them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ntm.jobs import Job


class ReportKind(models.TextChoices):
    WORKBOOK = "workbook", _("Excel workbook")
    PDF = "pdf", "PDF"


class ReportJob(Job):
    """One report file asked for, at the province page's choices (the page polls this row).
    `file` is set only when the file was written whole."""

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.IntegerField(null=True, blank=True)  # None: the page's default year
    as_of = models.DateField(null=True, blank=True)  # None: the live record
    units_of = models.DateField(null=True, blank=True)  # None: as recorded
    language = models.CharField(max_length=10, default="vi")
    file = models.FileField(upload_to="reports/%Y/%m/", max_length=300, blank=True)
    filename = models.CharField(max_length=255, blank=True, default="")
    # Why it failed: {"vi": ..., "en": ...}
    problem = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.province_id} ({self.state})"
