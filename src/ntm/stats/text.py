"""Vietnamese text of a `Statistics` (what `ntm stats` prints)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from ntm.stats.rollup import AS_RECORDED, Change, Figures, Geography, Statistics
from ntm.vn.dates import format_date
from ntm.vn.numbers import (
    DEFAULT_PERCENT,
    PercentStyle,
    format_number,
    format_percent,
    format_signed,
)

TIER_VI = {
    "standard": "nông thôn mới",
    "advanced": "nông thôn mới nâng cao",
    "model": "nông thôn mới kiểu mẫu",
    "modern": "nông thôn mới hiện đại",
}


def basis_text(basis: str) -> str:
    """ "as_recorded" -> đơn vị hành chính tại thời điểm báo cáo; "rebased:2025-07-01" -> ..."""
    if basis == AS_RECORDED:
        return "theo đơn vị hành chính tại thời điểm đánh giá (as recorded)"
    date = dt.date.fromisoformat(basis.removeprefix("rebased:"))
    return f"quy đổi sang đơn vị hành chính ngày {format_date(date)} (re-based)"


def _signed(value: Fraction | int | None, style: PercentStyle) -> str:
    return "—" if value is None else format_signed(value, style.decimals, style.mode)


def _change_text(change: Change, label: str, style: PercentStyle) -> str:
    return (
        f"{label} {change.against}: số xã đạt chuẩn {format_signed(change.meeting, 0)}, "
        f"tỷ lệ {_signed(change.meeting_points, style)} điểm %, "
        f"bình quân tiêu chí/xã {_signed(change.average_met, style)}, "
        f"số xã trong phạm vi {format_signed(change.communes, 0)}"
        + (
            ""
            if change.recognised is None
            else f", số xã được công nhận {format_signed(change.recognised, 0)}"
        )
    )


def _figure_lines(f: Figures, style: PercentStyle, rebased: bool) -> list[str]:
    if f.evaluated:
        meeting = (
            f"{format_number(f.meeting)}/{format_number(f.communes)} "
            f"({format_percent(f.meeting, f.communes, style)})"
        )
    elif f.not_comparable:
        meeting = "— (không so sánh được)"
    else:
        meeting = "— (chưa có số liệu)"  # no data is never zero
    lines = [
        f"Số xã trong phạm vi: {format_number(f.communes)}",
        f"Số xã đạt chuẩn: {meeting}",
    ]
    if f.recognised is None:
        lines.append("Số xã được công nhận: chưa có dữ liệu công nhận")
    else:
        lines.append(
            f"Số xã được công nhận: {format_number(f.recognised)}/{format_number(f.communes)} "
            f"({format_percent(f.recognised, f.communes, style)}), "
            f"trong năm: {format_number(f.recognised_in_period or 0)}"
        )
    average = format_number(f.average_met, style.decimals, style.mode)
    if f.evaluated and f.evaluated != f.communes:
        average += f" (trên {format_number(f.evaluated)} xã có kết quả)"
    lines.append(f"Bình quân số tiêu chí đạt/xã: {average}")
    if f.not_evaluated:
        lines.append(f"Số xã chưa có kết quả đánh giá: {format_number(f.not_evaluated)}")
    if rebased:
        lines.append(
            "Số xã không so sánh được (số liệu không chuyển được trọn vẹn sang đơn vị mới: "
            "kết quả đạt/không đạt không chuyển qua sáp nhập, một phần thiếu số liệu): "
            f"{format_number(f.not_comparable)}"
        )
        if f.unchanged_territory:
            lines.append(
                "Số xã giữ nguyên địa giới, giữ kết quả đạt/không đạt (unchanged territory): "
                f"{format_number(len(f.unchanged_territory))}"
            )
    if f.communes_missing:
        lines.append(f"Số xã thiếu dữ liệu hoặc thiếu ngưỡng: {format_number(f.communes_missing)}")
    return lines


def _geography_lines(g: Geography, style: PercentStyle, rebased: bool) -> list[str]:
    lines = _figure_lines(g.figures, style, rebased)
    if g.previous is not None:
        lines.append(_change_text(g.previous, "So với năm", style))
    if g.baseline is not None:
        lines.append(_change_text(g.baseline, "So với năm gốc", style))
    return lines


def _named(name: str | None, code: str | None) -> str:
    """ "Huyện Chi Lăng (186)"; a unit without a code by its name alone."""
    return f"{name} ({code})" if code else str(name)


def render_statistics(stats: Statistics, style: PercentStyle = DEFAULT_PERCENT) -> str:
    """The Vietnamese report: headline, changes, bands, per criterion, by child unit."""
    rebased = stats.basis != AS_RECORDED
    tier = TIER_VI.get(stats.tier, stats.tier)
    if stats.parent_name:
        where = f" — {_named(stats.parent_name, stats.parent)}"
    else:
        where = f" — đơn vị {stats.parent}" if stats.parent else ""
    lines = [
        f"Thống kê {tier} năm {stats.period}{where}",
        f"Cơ sở: {basis_text(stats.basis)}",
    ]
    lines += _geography_lines(stats.total, style, rebased)
    f = stats.total.figures
    if f.bands and f.evaluated:  # without results there are no bands, not bands of zero
        lines.append("Phân nhóm theo số tiêu chí đạt:")
        lines += [f"  {b.band.label_vi}: {format_number(b.count)} xã" for b in f.bands]
        if f.unbanded:
            lines.append(f"  Ngoài các nhóm: {format_number(f.unbanded)} xã")
    if f.criteria:
        lines.append("Số xã đạt từng tiêu chí (đạt / cơ bản đạt / tỷ lệ đạt):")
        lines += [
            f"  Tiêu chí {c.criterion}: {format_number(c.met)} / "
            f"{format_number(c.basically_met)} / {format_percent(c.met, f.evaluated, style)}"
            for c in f.criteria
        ]
    if f.unchanged_territory:
        lines.append("Xã giữ nguyên địa giới, kết quả lấy từ đơn vị cũ (unchanged territory):")
        lines += [
            f"  {c.name or c.unit} ({c.unit}) ← đơn vị cũ {c.from_unit}"
            for c in f.unchanged_territory
        ]
    for child in stats.children:
        lines.append("")
        lines.append(f"{_named(child.name or child.unit, child.unit)}:")
        lines += [f"  {line}" for line in _geography_lines(child, style, rebased)]
    return "\n".join(lines)
