"""The province report as a PDF (WeasyPrint): the headline paragraph, the summary, the bands
and per-criterion counts as tables and SVG bar charts, the warnings, the recognitions, and
the map page's map of the communes coloured by band (inline SVG) with its legend.

The Vietnamese font is Debian's DejaVu Sans (fonts-dejavu-core), embedded from the disk;
WeasyPrint fetches nothing else — every URL outside the font file is refused, so a report
never reaches the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ntm.exchange.report import RECOGNITION_COLUMNS, WARNING_COLUMNS
from ntm.exchange.results import atomically
from ntm.reports.files import Report, book, headline, summary_rows
from ntm.results.maps import NO_DATA, band_colours
from ntm.results.query import ChoiceError
from ntm.vn.numbers import format_number

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = FONT.with_name("DejaVuSans-Bold.ttf")
_ENGINE = Engine(
    dirs=[str(Path(__file__).parent / "templates")],
    libraries={"l10n": "django.templatetags.l10n"},
)

# Bar chart geometry (points).
_WIDTH, _ROW, _LABEL, _VALUE = 480, 16, 190, 40
COLOURS = ("#1a9850", "#fee08b", "#d73027", "#bdbdbd")


def _weasyprint() -> Any:
    """WeasyPrint, imported when a PDF is written: it loads the system's Pango, which only
    the PDF needs — the app, its pages and the other reports run without it."""
    try:
        import weasyprint  # here, not at the top: see the docstring
    except OSError as exc:
        raise ChoiceError(
            _("PDF reports need Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0).")
        ) from exc
    return weasyprint


def local_fonts() -> Any:
    """A URL fetcher that fetches the report's font files and inline data only."""
    from weasyprint.urls import URLFetcher  # here, not at the top: see `_weasyprint`

    class LocalFonts(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            allowed = (FONT.as_uri(), FONT_BOLD.as_uri())
            if not (url.startswith("data:") or url in allowed):
                raise ValueError(f"ntm reports fetch nothing: {url}")
            return super().fetch(url, headers)

    return LocalFonts()


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: float
    segments: tuple[Segment, ...]
    text: str  # the formatted total beside the bar


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: tuple[ChartRow, ...]


def stacked_bars(rows: Sequence[tuple[str, Sequence[int]]], colours: Sequence[str]) -> Chart:
    """Horizontal bars of (label, counts): one segment per count, scaled to the largest total."""
    top = max((sum(v) for _, v in rows), default=0) or 1
    span = _WIDTH - _LABEL - _VALUE
    out = []
    for i, (label, values) in enumerate(rows):
        x, segments = float(_LABEL), []
        for value, colour in zip(values, colours, strict=False):
            width = round(span * value / top, 1)
            segments.append(Segment(x, width, colour))
            x += width
        out.append(ChartRow(label, i * _ROW, tuple(segments), format_number(sum(values))))
    return Chart(_WIDTH, len(rows) * _ROW + 4, _LABEL, _ROW - 4, tuple(out))


def _map_basis(r: Report) -> str:
    """How the map is drawn, and what it leaves out."""
    if r.boundaries:
        return _("Boundaries: %(name)s.") % {"name": r.boundaries}
    said = _("Communes drawn at their recorded coordinates.")
    if r.map is not None and r.map.without_position:
        said += " " + ngettext(
            "%(n)s commune has no recorded coordinates.",
            "%(n)s communes have no recorded coordinates.",
            r.map.without_position,
        ) % {"n": format_number(r.map.without_position)}
    return said


def render_html(r: Report) -> str:
    """The report's HTML, as the PDF lays it out."""
    with translation.override(r.language):
        b, o = book(r), r.overview
        legend = (_("Met"), _("Basically met"), _("Not met"), _("Missing data"))
        context = {
            "lang": r.language,
            "title": b.title,
            "headline": headline(r),
            "summary": summary_rows(r),
            "font": FONT.as_uri(),
            "font_bold": FONT_BOLD.as_uri(),
            "bands": b.bands,
            "bands_chart": stacked_bars([(label, [n]) for label, n in b.bands], COLOURS),
            "counts": b.counts,
            "counts_chart": stacked_bars(
                [
                    (
                        f"{c.criterion}. {c.name}"[:32],
                        [c.met, c.basically_met, c.not_met, c.missing],
                    )
                    for c in b.counts
                ],
                COLOURS,
            ),
            "legend": list(zip(legend, COLOURS, strict=True)),
            "warnings": b.warnings,
            "warning_heads": [title for title, _width in WARNING_COLUMNS],
            "recognitions": b.recognitions,
            "recognition_heads": [title for title, _width in RECOGNITION_COLUMNS],
            "definitions": b.definitions,
            "labels": {
                "summary": _("Summary"),
                "bands": _("Communes by criteria met"),
                "counts": _("Communes by criterion"),
                "warnings": _("Warnings"),
                "recognitions": _("Recognitions and decisions"),
                "definitions": _("Definitions and sources"),
                "none": _("None"),
                "map": _("Map of the communes by criteria met"),
                "no_position": _(
                    "No map: no commune of this province has recorded coordinates and no "
                    "boundaries are uploaded."
                ),
            },
            "map": r.map,
            "map_basis": _map_basis(r),
            "map_legend": [
                *zip(
                    [b.label_en if r.language == "en" else b.label_vi for b in o.cset.bands],
                    band_colours(o.cset.bands),
                    strict=True,
                ),
                (_("No result"), NO_DATA),
            ],
        }
        return _ENGINE.get_template("reports/report.html").render(Context(context))


def write_pdf(r: Report, out: str | Path) -> None:
    """Write the report PDF to `out` (atomically). Raises `ChoiceError` without the font."""
    if not FONT.exists():
        raise ChoiceError(
            _("The report font %(font)s is missing (apt-get install fonts-dejavu-core).")
            % {"font": FONT}
        )
    weasyprint = _weasyprint()
    html = render_html(r)
    with atomically(out) as tmp:
        document = weasyprint.HTML(
            string=html, base_url=FONT.parent.as_uri(), url_fetcher=local_fonts()
        )
        document.write_pdf(tmp)
