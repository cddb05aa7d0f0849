"""The map of a province's communes, as the map page, the public page and the report PDF
draw it: each commune coloured by the band of its criteria met, as an area of the boundaries
its office uploaded (`ntm.units.models.Boundaries`), or else as a dot at its recorded
coordinates. Plain SVG geometry, drawn on the server: nothing comes from the internet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ntm.criteria.schema import Band
from ntm.results.province import ProvinceOverview
from ntm.results.scope import UnitRef
from ntm.units.models import Boundaries, Unit

# Colours of the bands, best first (ColorBrewer RdYlGn, legible on white); grey is "no data".
PALETTE = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#a50026")
NO_DATA = "#bdbdbd"

WIDTH = 640
PAD = 12


def band_colour(met: int | None, bands: Sequence[Band]) -> str:
    """The colour of the band a number of criteria met falls in (grey: no result)."""
    if met is None:
        return NO_DATA
    for i, band in enumerate(bands):
        if band.min <= met <= band.max:
            return PALETTE[min(i, len(PALETTE) - 1)]
    return NO_DATA


def band_colours(bands: Sequence[Band]) -> list[str]:
    return [PALETTE[min(i, len(PALETTE) - 1)] for i in range(len(bands))]


def latest_boundaries(province: Unit) -> Boundaries | None:
    return Boundaries.objects.filter(province=province).order_by("-uploaded_at", "-pk").first()


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude onto an SVG box (equirectangular, x scaled by cos of mid-latitude —
    true enough over one province)."""

    west: float
    north: float
    scale: float
    kx: float
    width: int
    height: int

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            round(PAD + (lon - self.west) * self.kx * self.scale, 1),
            round(PAD + (self.north - lat) * self.scale, 1),
        )


def projection(points: Iterable[tuple[float, float]]) -> Projection | None:
    pts = list(points)
    if not pts:
        return None
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * kx, 1e-3)
    span_y = max(north - south, 1e-3)
    scale = (WIDTH - 2 * PAD) / span_x
    height = int(min(span_y * scale, WIDTH * 1.4) + 2 * PAD)
    scale = min(scale, (height - 2 * PAD) / span_y)
    return Projection(west, north, scale, kx, WIDTH, height)


@dataclass(frozen=True)
class MapEntry:
    """A commune to draw: its colour, title and link (empty when it may not be opened)."""

    unit: UnitRef
    met: int | None  # criteria met; None: no result
    colour: str
    title: str
    url: str


@dataclass(frozen=True)
class Dot:
    unit: UnitRef
    x: float
    y: float
    colour: str
    title: str
    url: str
    met: int | None


@dataclass(frozen=True)
class Area:
    code: str
    path: str
    colour: str
    title: str
    url: str
    met: int | None


@dataclass(frozen=True)
class MapDrawing:
    width: int
    height: int
    dots: tuple[Dot, ...]
    areas: tuple[Area, ...]
    without_position: int  # communes with no coordinates (listed in the table only)


def ring_path(rings: Sequence[Sequence[Sequence[float]]], proj: Projection) -> str:
    parts = []
    for ring in rings:
        xy = [proj.xy(p[0], p[1]) for p in ring]
        parts.append("M" + " L".join(f"{x},{y}" for x, y in xy) + " Z")
    return " ".join(parts)


def draw(entries: Sequence[MapEntry], boundaries: Boundaries | None) -> MapDrawing | None:
    """With boundaries, units are matched by code and drawn as areas (unmatched areas grey);
    otherwise as dots at their coordinates."""
    if boundaries is not None:
        features = boundaries.features
        proj = projection((p[0], p[1]) for f in features for ring in f["rings"] for p in ring)
        if proj is None:
            return None
        by_code = {e.unit.code: e for e in entries if e.unit.code}
        areas = []
        for f in features:
            path = ring_path(f["rings"], proj)
            got = by_code.get(f["code"])
            if got is None:
                areas.append(Area(f["code"], path, "#eeeeee", f["code"], "", None))
            else:
                areas.append(Area(f["code"], path, got.colour, got.title, got.url, got.met))
        return MapDrawing(proj.width, proj.height, (), tuple(areas), 0)
    placed = [e for e in entries if e.unit.latitude is not None and e.unit.longitude is not None]
    proj = projection((float(e.unit.longitude), float(e.unit.latitude)) for e in placed)  # type: ignore[arg-type]
    if proj is None:
        return None
    dots = []
    for e in placed:
        x, y = proj.xy(float(e.unit.longitude), float(e.unit.latitude))  # type: ignore[arg-type]
        dots.append(Dot(e.unit, x, y, e.colour, e.title, e.url, e.met))
    return MapDrawing(proj.width, proj.height, tuple(dots), (), len(entries) - len(placed))


def map_entries(o: ProvinceOverview, urls: dict[int, str]) -> list[MapEntry]:
    """The communes to draw, each linked to `urls` (unlinked when absent)."""
    out = []
    for p in o.points:
        colour = band_colour(p.met, o.cset.bands)
        if p.met is None:
            title = _("%(name)s: no result") % {"name": p.unit.name}
        else:
            title = _("%(name)s: %(met)s of %(total)s criteria met") % {
                "name": p.unit.name,
                "met": p.met,
                "total": p.total,
            }
        out.append(MapEntry(p.unit, p.met, colour, title, urls.get(p.unit.id, "")))
    return out
