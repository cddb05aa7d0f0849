"""Uploading commune boundaries, which the map (`ntm.results.maps`) then draws as areas
instead of dots at the communes' recorded coordinates.

Boundaries are a GeoJSON FeatureCollection of Polygon/MultiPolygon features, each carrying
the commune's GSO code in a property (`code`, `ma`, `ma_xa` or `gso_code`). A file is taken
whole or not at all; every problem is reported in Vietnamese with the feature it concerns.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts import permissions
from ntm.audit.services import record
from ntm.units.models import COMMUNE_LEVEL, Boundaries, Unit, UnitKind
from ntm.units.queries import units_of
from ntm.vn.numbers import format_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile

CODE_PROPERTIES = ("code", "ma", "ma_xa", "gso_code", "MA_XA", "CODE")
MAX_PROBLEMS = 50
# Coordinates are kept to 4 decimals (about 11 m): enough for a province map, and light.
DECIMALS = 4
# Deeper than any boundary file needs (a MultiPolygon's positions sit 8 levels down), and far
# below where `json.loads` runs out of stack.
MAX_DEPTH = 64
# A string (closed, or running to the end of the text) or a bracket; possessive, so a long
# string is read once.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*+"?|[\[\]{}]')


def max_bytes() -> int:
    return int(getattr(settings, "NTM_BOUNDARY_MAX_BYTES", 5 * 1024 * 1024))


class BoundaryError(ValueError):
    """A refused file; `problems` lists every reason (Vietnamese)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _too_large(size: int) -> BoundaryError:
    return BoundaryError(
        [f"Tệp quá lớn ({format_number(size)} byte); tối đa {format_number(max_bytes())} byte."]
    )


class NotAllowedError(PermissionError):
    pass


# ---------------------------------------------------------------------------- checking


def too_deep(text: str) -> bool:
    """Whether JSON text nests arrays and objects deeper than `MAX_DEPTH`, counted before
    parsing: `json.loads` recurses once per level and fails with a RecursionError."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _position(p: Any) -> tuple[float, float] | None:
    if not isinstance(p, list) or len(p) < 2:
        return None
    lon, lat = p[0], p[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or not all(map(math.isfinite, (lon, lat))):
        return None
    return round(float(lon), DECIMALS), round(float(lat), DECIMALS)


def _ring(raw: Any) -> list[list[float]] | None:
    if not isinstance(raw, list) or len(raw) < 4:
        return None
    out: list[list[float]] = []
    for p in raw:
        pos = _position(p)
        if pos is None:
            return None
        if not out or out[-1] != list(pos):  # rounding merges near points
            out.append(list(pos))
    return out if len(out) >= 3 else None


def _rings(geometry: Any) -> tuple[list[list[list[float]]] | None, str]:
    if not isinstance(geometry, dict):
        return None, "thiếu hình học (geometry)"
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    polygons: Any
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords if isinstance(coords, list) else None
    else:
        return None, f"kiểu hình học “{kind}” không được chấp nhận (chỉ Polygon, MultiPolygon)"
    if not isinstance(polygons, list) or not polygons:
        return None, "toạ độ không hợp lệ"
    rings: list[list[list[float]]] = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None, "toạ độ không hợp lệ"
        for raw in polygon:
            ring = _ring(raw)
            if ring is None:
                return None, (
                    "toạ độ không hợp lệ: mỗi vòng cần ít nhất 4 điểm [kinh độ, vĩ độ] "
                    "trong giới hạn"
                )
            rings.append(ring)
    return rings, ""


def _code(properties: Any) -> str | None:
    if not isinstance(properties, dict):
        return None
    for key in CODE_PROPERTIES:
        value = properties.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value).zfill(5)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def check_boundaries(data: bytes, communes: Iterable[Unit]) -> tuple[list[dict[str, Any]], int]:
    """The features to store ({"code", "rings"}) and how many communes they cover; raises
    `BoundaryError` listing every problem when anything is wrong."""
    if len(data) > max_bytes():
        raise _too_large(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BoundaryError(["Tệp không phải văn bản UTF-8."]) from None
    if too_deep(text):
        raise BoundaryError(
            [
                _(
                    "The file is nested too deeply (more than %(n)s levels); a GeoJSON "
                    "boundary file needs no such depth."
                )
                % {"n": MAX_DEPTH}
            ]
        )
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise BoundaryError(
            [f"Tệp không phải JSON hợp lệ: dòng {e.lineno}, cột {e.colno} ({e.msg})."]
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise BoundaryError(["Tệp phải là một GeoJSON FeatureCollection."])
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError(["FeatureCollection không có đối tượng (features) nào."])
    known = {u.code: u for u in communes if u.code}
    problems: list[str] = []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, feature in enumerate(features, start=1):
        where = f"Đối tượng thứ {i}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"{where}: không phải một Feature.")
            continue
        code = _code(feature.get("properties"))
        if code is None:
            keys = ", ".join(CODE_PROPERTIES[:4])
            problems.append(f"{where}: thiếu mã xã trong thuộc tính ({keys}).")
            continue
        where = f"{where} (mã {code})"
        if code not in known:
            problems.append(f"{where}: không phải mã của xã nào thuộc tỉnh này.")
            continue
        if code in seen:
            problems.append(f"{where}: trùng mã với đối tượng thứ {seen[code]}.")
            continue
        seen[code] = i
        rings, why = _rings(feature.get("geometry"))
        if rings is None:
            problems.append(f"{where}: {why}.")
            continue
        out.append({"code": code, "rings": rings})
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS]
        if more > 0:
            shown.append(f"… và {more} lỗi khác.")
        raise BoundaryError(shown)
    return out, len(out)


def province_communes_today(province: Unit) -> list[Unit]:
    return units_of(province, timezone.localdate(), kinds=COMMUNE_LEVEL)


def upload_boundaries(
    province: Unit, upload: UploadedFile[bytes], *, acting_user: User
) -> Boundaries:
    """Store a province's boundaries (the province office only); one audit row."""
    if province.kind != UnitKind.PROVINCE or not permissions.can_approve(acting_user, province):
        raise NotAllowedError("Chỉ Văn phòng Điều phối của tỉnh được tải ranh giới lên.")
    size = upload.size or 0
    if size > max_bytes():
        raise _too_large(size)
    data = upload.read(max_bytes() + 1)
    features, matched = check_boundaries(data, province_communes_today(province))
    with transaction.atomic():
        row = Boundaries.objects.create(
            province=province,
            original_name=(upload.name or "ranh-gioi.geojson")[:255],
            features=features,
            matched=matched,
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
        )
        record(
            action="web.upload_boundaries",
            object_type="web.boundaries",
            object_id=row.pk,
            after={"province": province.pk, "file": row.original_name, "communes": matched},
            acting_user=acting_user,
        )
    return row
