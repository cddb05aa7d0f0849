"""Downloads of what a page shows: its tables as CSV or Excel.

A page asked with `?format=csv` or `?format=xlsx` (and otherwise the same query string) answers
with the rows of the tables it shows, built here from the same read models its template reads
(`ntm.results`) — nothing is computed for the file that the page does not show. Headers are
in the interface's language; numbers are numbers in Excel; the CSV is UTF-8 with a BOM (so
Excel reads the Vietnamese); text that a spreadsheet would take for a formula (=, +, -, @) is
written as text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import xlsxwriter
from django.http import HttpRequest, HttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ntm.exchange.workbook import needs_quote
from ntm.results.central import CentralView
from ntm.results.commune import CommuneView, ConditionRow
from ntm.results.province import ProvinceOverview
from ntm.results.public import CriterionView
from ntm.results.query import ChoiceError
from ntm.web.templatetags.ntm_dashboards import status_label, threshold_text, value_text

Cell = str | int | float | Fraction | None

FORMATS = ("csv", "xlsx")
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    """One table of a page: its title, column headers and rows."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def requested_format(request: HttpRequest) -> str | None:
    """The `format` asked for (None: the page itself); ChoiceError when unknown."""
    fmt = request.GET.get("format") or None
    if fmt is not None and fmt not in FORMATS:
        raise ChoiceError(
            _("The download format must be csv or xlsx, not “%(fmt)s”.") % {"fmt": fmt[:20]}
        )
    return fmt


def download_links(request: HttpRequest) -> list[tuple[str, str]]:
    """The page's own query string with each download format: the file holds what the page
    shows."""
    query = request.GET.copy()
    out = []
    for fmt, label in (("csv", "CSV"), ("xlsx", "Excel")):
        query["format"] = fmt
        out.append((label, f"?{query.urlencode()}"))
    return out


def _number(value: Cell) -> str | int | float | None:
    # A Fraction (shares, averages) goes out as a float: Excel has no exact rationals.
    return float(value) if isinstance(value, Fraction) else value


def csv_text(value: Cell) -> str:
    plain = _number(value)
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return _("Yes") if plain else _("No")
    if isinstance(plain, float):
        return repr(round(plain, 6)).removesuffix(".0")
    text = str(plain)
    # A leading apostrophe keeps a spreadsheet from running the text as a formula.
    return f"'{text}" if needs_quote(text) else text


def to_csv(tables: Sequence[Table]) -> bytes:
    """The tables one after another; with more than one, each under its title and a blank
    line between them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, t in enumerate(tables):
        if len(tables) > 1:
            if i:
                writer.writerow([])
            writer.writerow([csv_text(t.title)])
        writer.writerow([csv_text(h) for h in t.headers])
        writer.writerows([csv_text(c) for c in row] for row in t.rows)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", " ", title).strip()[:28] or "Sheet"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base} {n}"
    taken.add(name.lower())
    return name


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table: header row frozen and filtered, numbers as numbers."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "border": 1})
    quoted = wb.add_format({"quote_prefix": True})
    taken: set[str] = set()
    for t in tables:
        ws = wb.add_worksheet(_sheet_name(t.title, taken))
        for c, h in enumerate(t.headers):
            ws.write_string(0, c, h, head)
            ws.set_column(c, c, max(10, min(50, len(h) + 2)))
        for r, row in enumerate(t.rows, start=1):
            for c, cell in enumerate(row):
                value = _number(cell)
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_string(r, c, _("Yes") if value else _("No"))
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, value, quoted if needs_quote(value) else None)
        ws.freeze_panes(1, 0)
        if t.headers:
            ws.autofilter(0, 0, max(len(t.rows), 1), len(t.headers) - 1)
    wb.close()
    return buffer.getvalue()


def respond(fmt: str, name: str, tables: Sequence[Table]) -> HttpResponse:
    """The download of `tables` as `name`.csv or `name`.xlsx."""
    if fmt == "csv":
        response = HttpResponse(to_csv(tables), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_xlsx(tables), content_type=_XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# ---------------------------------------------------------------------------- read models


def _share(part: int, whole: int) -> Fraction | None:
    """A share as the page shows it (None where the page shows a dash)."""
    return None if whole == 0 else Fraction(100 * part, whole)


def province_tables(o: ProvinceOverview, language: str) -> list[Table]:
    """The province overview's tables, in the order of the page."""
    f = o.figures
    out = [
        Table(
            _("Communes meeting each criterion"),
            (
                _("Criterion"),
                _("Name"),
                _("Met"),
                _("Basically met"),
                _("Not met"),
                _("Missing data"),
            ),
            tuple(
                (
                    c.criterion,
                    o.criterion_names.get(c.criterion, ""),
                    c.met,
                    c.basically_met,
                    c.not_met,
                    c.unknown,
                )
                for c in f.criteria
            ),
        ),
        Table(
            _("Communes by number of criteria met"),
            (_("Band"), _("Communes")),
            tuple(
                (b.band.label_en if language == "en" else b.band.label_vi, b.count) for b in f.bands
            ),
        ),
        Table(
            _("Trend over the years"),
            (
                _("Year"),
                _("Criteria set"),
                _("At the standard"),
                _("Communes"),
                "%",
                _("Average criteria met"),
                _("Approved"),
                _("Read as of"),
            ),
            tuple(
                (
                    t.period,
                    t.set_id,
                    t.figures.meeting,
                    t.figures.communes,
                    _share(t.figures.meeting, t.figures.communes),
                    t.figures.average_met,
                    t.approved,
                    t.as_of.strftime("%d/%m/%Y") if t.as_of else _("live record"),
                )
                for t in o.trend
            ),
        ),
    ]
    children = o.statistics.children
    if children:
        out.append(
            Table(
                _("By district"),
                (
                    _("District"),
                    _("At the standard"),
                    _("Communes"),
                    "%",
                    _("Average criteria met"),
                    _("Against the previous year"),
                ),
                tuple(
                    (
                        g.name,
                        g.figures.meeting,
                        g.figures.communes,
                        _share(g.figures.meeting, g.figures.communes),
                        g.figures.average_met,
                        g.previous.meeting if g.previous else None,
                    )
                    for g in children
                ),
            )
        )
    out.append(
        Table(
            _("Communes close to the standard"),
            (_("Commune"), _("Code"), _("Criteria met"), _("Criteria"), _("Short criteria")),
            tuple(
                (
                    c.unit.name,
                    c.unit.code,
                    c.met,
                    c.total,
                    "; ".join(f"{s.criterion}. {s.name}" for s in c.criteria),
                )
                for c in o.close
            ),
        )
    )
    if o.cset.revocation:
        out.append(
            Table(
                _("Communes the revocation rule would hit"),
                (
                    _("Commune"),
                    _("Code"),
                    _("Criteria met"),
                    _("Criteria"),
                    _("Share of criteria not met"),
                    _("Key criteria not met"),
                    _("The rule applies"),
                ),
                tuple(
                    (
                        r.unit.name,
                        r.unit.code,
                        r.met,
                        r.total,
                        100 * r.failing_share,
                        "; ".join(f"{k.number}. {k.name}" for k in r.key_criteria),
                        r.certain,
                    )
                    for r in o.at_risk
                ),
            )
        )
        out.append(
            Table(
                _("Slipping: recognised communes that lost criteria, short of the rule"),
                (_("Commune"), _("Code"), _("Criteria met"), _("Criteria"), _("Criteria lost")),
                tuple(
                    (
                        s.unit.name,
                        s.unit.code,
                        s.met,
                        s.total,
                        "; ".join(f"{k.criterion}. {k.name}" for k in s.failing),
                    )
                    for s in o.slipping
                ),
            )
        )
    return out


def map_table(o: ProvinceOverview) -> Table:
    """The map's table: each commune and the criteria it meets (none without a result)."""
    return Table(
        _("Communes and criteria met"),
        (
            _("Commune"),
            _("Code"),
            _("Criteria met"),
            _("Criteria"),
            capfirst(_("criteria count only")),
        ),
        tuple(
            (p.unit.name, p.unit.code, p.met, p.total, p.count_only if p.met is not None else None)
            for p in o.points
        ),
    )


def commune_tables(v: CommuneView) -> list[Table]:
    """The commune page's conditions, criterion by criterion, and its history."""
    out = [
        Table(
            _("Every criterion, explained"),
            (
                _("Criterion"),
                _("Name"),
                _("Status"),
                _("Indicator"),
                _("Value"),
                _("Required"),
                _("Column"),
                _("Stage"),
                _("Condition status"),
                _("Margin"),
            ),
            tuple(
                row
                for c in v.criteria
                for row in _criterion_rows(c.number, c.name, status_label(c.status), c.conditions)
            ),
        )
    ]
    for h in v.history:
        rows: list[tuple[Cell, ...]] = [
            (n, name, *(status_label(s) for s in statuses)) for n, name, statuses in h.rows
        ]
        if h.count_only:
            rows.append((None, _("Criteria met"), *h.counts))
        out.append(Table(h.set_name, (_("Criterion"), _("Name"), *map(str, h.years)), tuple(rows)))
    return out


def _criterion_rows(
    number: int, name: str, status: str, conditions: Iterable[ConditionRow]
) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for k in conditions:
        indicator = f"{k.indicator}.{k.condition + 1}" if k.condition else k.indicator
        rows.append(
            (
                number,
                name,
                status,
                f"{indicator} {k.indicator_name}",
                value_text(k),
                threshold_text(k),
                k.column,
                k.stage,
                status_label(k.status),
                k.gap,
            )
        )
    return rows or [(number, name, status, None, None, None, None, None, None, None)]


def central_table(v: CentralView) -> list[Table]:
    """The central view's table, in its sort order."""
    return [
        Table(
            _("Provinces"),
            (
                _("Code"),
                _("Province"),
                _("Communes"),
                _("At the standard"),
                _("Share at the standard"),
                _("Recognised"),
                _("Average criteria met"),
                _("Approved"),
                _("Note"),
            ),
            tuple(
                (
                    r.province.code,
                    r.province.name,
                    r.communes,
                    r.meeting,
                    r.percent,
                    r.recognised,
                    r.average,
                    r.approved,
                    simulated_note(r.simulated),
                )
                for r in v.rows
            ),
        )
    ]


def simulated_note(simulated: bool) -> str:
    """The label a simulated province's row carries (empty for a real one)."""
    return _("simulated data") if simulated else ""


def public_national_table(v: CentralView) -> Table:
    """The public national page's table (approved communes only)."""
    return central_table(v)[0]


def public_province_tables(o: ProvinceOverview, language: str) -> list[Table]:
    """The public province page's tables: communes meeting each criterion, and the bands."""
    return province_tables(o, language)[:2]


def public_criterion_table(v: CriterionView) -> Table:
    """The public criterion page's table: each province's communes meeting the criterion."""
    return Table(
        f"{v.number}. {v.name}",
        (
            _("Code"),
            _("Province"),
            _("Communes"),
            _("Communes with an approved result"),
            _("Meeting the criterion"),
            _("Note"),
        ),
        tuple(
            (
                r.province.code,
                r.province.name,
                r.communes,
                r.evaluated,
                r.met,
                simulated_note(r.simulated),
            )
            for r in v.rows
        ),
    )
