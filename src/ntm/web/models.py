"""What the pages keep of their own: boundaries a province uploaded."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Boundaries(models.Model):
    """GeoJSON boundaries of a province's communes, uploaded by its office. Only the latest
    upload of a province is drawn; earlier ones stay for the record.

    `features` is the checked FeatureCollection reduced to what the map draws: a list of
    {"code": GSO code, "rings": [[[lon, lat], ...], ...]} (outer rings and holes alike).
    """

    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(max_length=255)
    features = models.JSONField()
    matched = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("province_id", "-uploaded_at", "-id")
        verbose_name_plural = "boundaries"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.province_id})"
