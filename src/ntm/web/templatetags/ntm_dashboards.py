"""Template filters of the dashboards: statuses, stages, values and thresholds as people read
them (Vietnamese number style in every language)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.translation import gettext as _

from ntm.criteria.schema import Op
from ntm.evaluation.semantics import Stage
from ntm.results.commune import ConditionRow
from ntm.results.province import ProvinceOverview, Shortfall
from ntm.values.models import STATUS_LABELS
from ntm.vn.numbers import format_measured, format_number

register = template.Library()

_OPS: dict[str, str] = {Op.AT_LEAST: "≥", Op.AT_MOST: "≤", Op.EQUAL: "="}


@register.filter
def status_label(status: str | None) -> str:
    return str(STATUS_LABELS.get(status or "", "—"))


@register.filter
def stage_label(stage: str | None) -> str:
    labels: dict[str, str] = {Stage.CLAIMED: _("Claimed"), Stage.VERIFIED: _("Verified")}
    return labels.get(stage or "", "—")


@register.filter
def share_of_one(value: float | None) -> str:
    """0.5263 -> "52,63 %"."""
    return "—" if value is None else f"{format_number(100 * value, 2)} %"


@register.filter
def value_text(c: ConditionRow | Shortfall) -> str:
    """What was measured: "4/10 (40 %)", "Đạt", "45,5"."""
    if isinstance(c, ConditionRow) and c.numerator is not None and c.denominator is not None:
        num, den, share = map(format_measured, (c.numerator, c.denominator, c.value))
        return f"{num}/{den} ({share} %)"
    if c.value is None:
        return "—"
    if c.op == Op.YES:
        return _("Yes") if c.value >= 0.5 else _("No")
    return format_measured(c.value)


@register.filter
def threshold_text(c: ConditionRow | Shortfall) -> str:
    """What is required: "≥ 50", "yes", "none"; the unconfirmed mark is added by the template."""
    if c.op == Op.YES:
        return _("Yes")
    if c.op == Op.NONE:
        return _("None present")
    if c.threshold is None:
        return _("No threshold")
    return f"{_OPS.get(c.op, c.op)} {format_measured(c.threshold)}"


@register.filter
def gap_text(gap: float | None) -> str:
    if gap is None:
        return "—"
    return ("+" if gap > 0 else "") + format_measured(gap)


@register.filter
def short_by(gap: float | None) -> str:
    """How far a value is on the wrong side of its threshold (a negative margin), unsigned."""
    return "—" if gap is None else format_measured(abs(gap))


@register.filter
def report_query(o: ProvinceOverview) -> str:
    """The query of the report files for the page's choices: its year, as-of date and units
    (`ntm.web.views_report_files`)."""
    query: dict[str, str | int] = {"period": o.period}
    if o.as_of is not None:
        query["as_of"] = o.as_of.isoformat()
    if o.onto is not None:
        query["units_of"] = o.onto.isoformat()
    return urlencode(query)
