"""The narrative's sentences, built from figures already read (pure: no Django, no query).

A sentence is text with its figures kept apart (`Figure`): each figure carries the read-layer
query that produced it (`Trace`), so the HTML version links it and the text version lists it
in notes. Vietnamese and English are written here rather than through gettext: the report's
language is the caller's choice, not the reader's interface, and the zero and one of each
language ("chưa có xã nào", "1 xã"; "no commune", "1 commune") are grammar, not words.
Precision is the office's choice per figure (`Precision`): never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from ntm.vn.dates import format_date
from ntm.vn.numbers import (
    DEFAULT_PERCENT,
    PercentStyle,
    format_number,
    format_percent,
    format_signed,
)

Lang = Literal["vi", "en"]
Kind = Literal["share", "average", "change"]
KINDS: tuple[Kind, ...] = ("share", "average", "change")


@dataclass(frozen=True)
class Trace:
    """The read-layer query behind a figure: the province page that shows the same number
    (a district's figures are a row of its province's district table; the country's, the
    central view, where `national` is set and `province` is 0)."""

    province: int
    province_name: str
    period: int
    set_id: str
    decisions: tuple[str, ...] = ()  # the province's decisions applied to the set
    as_of: dt.date | None = None
    onto: dt.date | None = None  # re-based onto the units of this day; None: as recorded
    approved_only: bool = False
    baseline: int | None = None
    source: str = "results"  # "results" (the engine) or "recognition" (the decisions)
    district: int | None = None
    district_name: str = ""
    national: bool = False

    def query(self) -> dict[str, str]:
        """The province page's query string parameters for this figure."""
        q = {"period": str(self.period), "set": self.set_id}
        if self.baseline is not None:
            q["baseline"] = str(self.baseline)
        if self.as_of is not None:
            q["as_of"] = format_date(self.as_of)
        if self.onto is not None:
            q["geography"] = "rebased"
        if self.approved_only:
            q["approved_only"] = "1"
        return q

    def note(self, lang: Lang) -> str:
        vi = lang == "vi"
        if self.national:
            where = "toàn quốc (các tỉnh có số liệu)" if vi else "the country (provinces reporting)"
        elif self.district is not None:
            where = f"{self.district_name} ({self.province_name})"
        else:
            where = self.province_name
        parts = [
            where,
            ("năm " if vi else "year ") + str(self.period),
            ("bộ tiêu chí " if vi else "criteria set ") + self.set_id,
        ]
        if self.decisions:
            label = "quyết định của tỉnh: " if vi else "province decisions: "
            parts.append(label + ", ".join(self.decisions))
        if self.onto is None:
            parts.append("đơn vị hành chính của từng năm" if vi else "each year on its own units")
        else:
            parts.append(
                ("đơn vị hành chính ngày " if vi else "units of ") + format_date(self.onto)
            )
        if self.as_of is not None:
            parts.append(("tính đến " if vi else "as of ") + format_date(self.as_of))
        if self.baseline is not None:
            parts.append(("năm gốc " if vi else "baseline ") + str(self.baseline))
        stage = {
            (True, "vi"): "chỉ xã đã duyệt",
            (False, "vi"): "mọi số liệu đã nhập",
            (True, "en"): "approved communes only",
            (False, "en"): "every value entered",
        }[(self.approved_only, lang)]
        parts.append(stage)
        if self.source == "recognition":
            parts.append("theo quyết định công nhận" if vi else "from recognition decisions")
        return "; ".join(parts)


@dataclass(frozen=True)
class Figure:
    key: str  # what the figure is, and of which day: "share@30/06/2020"
    text: str
    trace: Trace


Part = str | Figure


@dataclass(frozen=True)
class Sentence:
    key: str  # standing, old_units, recognised, change, criteria, decided, completed, …
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(p for p in self.parts if isinstance(p, Figure))


@dataclass(frozen=True)
class Precision:
    """Decimals and rounding per kind of figure, and per figure where the office wrote one
    differently (key "share@30/06/2020" → 1 decimal)."""

    share: PercentStyle = DEFAULT_PERCENT
    average: PercentStyle = DEFAULT_PERCENT
    change: PercentStyle = DEFAULT_PERCENT
    figures: Mapping[str, PercentStyle] = field(default_factory=dict)

    def of(self, kind: Kind, key: str) -> PercentStyle:
        found = self.figures.get(key)
        if found is not None:
            return found
        return {"share": self.share, "average": self.average, "change": self.change}[kind]


def _kind(key: str) -> str:
    """The kind of a figure key: "share_units@30/06/2020" is a share."""
    return key.partition("@")[0].partition("_")[0]


def parse_precision(items: Iterable[str], truncate: Iterable[str] = ()) -> Precision:
    """ "share=2", "average@31/12/2020=1" … (`ValueError` with the reason); `truncate` lists
    the kinds or figure keys truncated instead of rounded."""
    cut = set(truncate)
    digits: dict[str, int] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or _kind(name) not in KINDS or not text.isdigit() or int(text) > 6:
            raise ValueError(
                f"Độ chính xác không hợp lệ: {item!r} (dùng loại=số chữ số, 0–6; loại: "
                f"{', '.join(KINDS)}, có thể kèm @dd/mm/yyyy)"
            )
        digits[name] = int(text)
    for name in cut:
        if _kind(name) not in KINDS:
            raise ValueError(f"Không rõ loại số liệu: {name!r} (dùng {', '.join(KINDS)})")

    def style(name: str) -> PercentStyle:
        places = digits.get(name, digits.get(_kind(name), 2))
        return PercentStyle(places, "truncate" if name in cut or _kind(name) in cut else "round")

    keys = (set(digits) | cut) - set(KINDS)
    return Precision(
        style("share"), style("average"), style("change"), {k: style(k) for k in sorted(keys)}
    )


# ---------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class Place:
    """Whose communes a sentence counts: "toàn tỉnh có …", "… communes of the province"."""

    vi: str  # the subject: "toàn tỉnh", "toàn huyện", "cả nước"
    en: str  # the owner: "the province", "the district", "the country"


PROVINCE = Place("toàn tỉnh", "the province")
COUNTRY = Place("cả nước", "the country")
# Only the provinces with a result for the year are counted: never "cả nước" for part of it.
REPORTING = Place("các tỉnh, thành phố có số liệu", "the provinces reporting")

# A district-level unit's kind from its name, as reports write it ("toàn thành phố").
_DISTRICT_KINDS = (
    ("Thành phố ", "toàn thành phố", "the city"),
    ("Thị xã ", "toàn thị xã", "the town"),
    ("Quận ", "toàn quận", "the district"),
)


def district_place(name: str) -> Place:
    """ "Huyện Tràng Định" → toàn huyện; "Thành phố Lạng Sơn" → toàn thành phố."""
    for prefix, vi, en in _DISTRICT_KINDS:
        if name.startswith(prefix):
            return Place(vi, en)
    return Place("toàn huyện", "the district")


def communes(n: int, lang: Lang) -> str:
    """A number of communes as a phrase: "chưa có xã nào", "1 xã", "3.324 xã"."""
    if lang == "vi":
        return "chưa có xã nào" if n == 0 else f"{format_number(n)} xã"
    if n == 0:
        return "no commune"
    return f"{format_number(n)} commune" + ("" if n == 1 else "s")


def _out_of(x: int, y: int) -> str:
    return f"{format_number(x)}/{format_number(y)}"


def _share(x: int, y: int, key: str, trace: Trace, precision: Precision) -> Figure:
    return Figure(key, format_percent(x, y, precision.of("share", key)), trace)


def _average(value: Fraction | float, day: str, trace: Trace, precision: Precision) -> Figure:
    key = f"average@{day}"
    style = precision.of("average", key)
    return Figure(key, format_number(value, style.decimals, style.mode), trace)


def _signed(value: Fraction | float, key: str, trace: Trace, precision: Precision) -> Figure:
    style = precision.of("change", key)
    return Figure(key, format_signed(value, style.decimals, style.mode), trace)


# ---------------------------------------------------------------------------- sentences


def title(province: str, day: dt.date, lang: Lang) -> str:
    if lang == "vi":
        # "Tỉnh Lạng Sơn" inside a sentence: "… nông thôn mới tỉnh Lạng Sơn".
        name = province[:1].lower() + province[1:]
        return f"Kết quả xây dựng nông thôn mới {name} tính đến {format_date(day)}"
    return f"New rural development in {province} as of {format_date(day)}"


def country_title(day: dt.date, lang: Lang) -> str:
    if lang == "vi":
        return f"Kết quả xây dựng nông thôn mới toàn quốc tính đến {format_date(day)}"
    return f"New rural development in Viet Nam as of {format_date(day)}"


def reporting(
    day: dt.date, year: int, count: int, provinces: int, trace: Trace, lang: Lang
) -> Sentence:
    """How many provinces hold a result for the year: the country's figures count theirs."""
    figure = Figure(f"reporting@{format_date(day)}", _out_of(count, provinces), trace)
    if lang == "vi":
        parts: tuple[Part, ...] = (
            f"Tính đến {format_date(day)}, ",
            figure,
            f" tỉnh, thành phố có số liệu năm {year}.",
        )
    else:
        parts = (f"As of {format_date(day)}, ", figure, f" provinces had data for {year}.")
    return Sentence("reporting", parts)


def country_basis(day: dt.date, lang: Lang) -> Sentence:
    """Which units and which moment the country's figures are counted on."""
    d = format_date(day)
    if lang == "vi":
        text = f"Số liệu tính theo đơn vị hành chính của từng năm, theo dữ liệu đến hết ngày {d}."
    else:
        text = f"Figures are counted on each year's own administrative units, as recorded by {d}."
    return Sentence("basis", (text,))


@dataclass(frozen=True)
class ProvinceShare:
    """A province's communes at the standard, traced to its own page."""

    province: int
    name: str
    meeting: int
    communes: int
    trace: Trace


def by_province(
    day: dt.date, shares: Sequence[ProvinceShare], precision: Precision, lang: Lang
) -> Sentence:
    """The provinces by their share at the standard, as the caller ordered them."""
    d = format_date(day)
    parts: list[Part] = [
        "Tỷ lệ xã đạt chuẩn theo tỉnh, thành phố: "
        if lang == "vi"
        else "Share at the standard by province: "
    ]
    for i, p in enumerate(shares):
        if i:
            parts.append("; ")
        key = f"share_province_{p.province}@{d}"
        parts += [f"{p.name} ", _share(p.meeting, p.communes, key, p.trace, precision)]
        count = Figure(
            f"meeting_province_{p.province}@{d}", _out_of(p.meeting, p.communes), p.trace
        )
        parts += [" (", count, ")"]
    return Sentence("by_province", (*parts, "."))


def since_previous(
    previous: int,
    meeting: int,
    average: Fraction | float | None,
    trace: Trace,
    precision: Precision,
    lang: Lang,
) -> Sentence:
    """The change since the previous year: communes at the standard, and the average
    criteria per commune."""
    key = f"meeting_change@{previous}"
    if lang == "vi":
        if meeting == 0:
            what: list[Part] = ["số xã đạt chuẩn không đổi"]
        else:
            word = "tăng " if meeting > 0 else "giảm "
            what = ["số xã đạt chuẩn ", word, Figure(key, communes(abs(meeting), lang), trace)]
        parts: list[Part] = [f"So với năm {previous}, ", *what]
        if average is not None:
            change = _signed(average, f"change@{previous}", trace, precision)
            parts += [", bình quân tiêu chí/xã: ", change]
    else:
        if meeting == 0:
            what = ["the number of communes at the standard was unchanged"]
        else:
            word = "rose by " if meeting > 0 else "fell by "
            what = ["the number of communes at the standard ", word]
            what.append(Figure(key, communes(abs(meeting), lang), trace))
        parts = [f"Since {previous}, ", *what]
        if average is not None:
            change = _signed(average, f"change@{previous}", trace, precision)
            parts += ["; average criteria per commune: ", change]
    return Sentence("previous", (*parts, "."))


def standing(
    day: dt.date,
    meeting: int,
    in_scope: int,
    average: Fraction | float | None,
    trace: Trace,
    precision: Precision,
    lang: Lang,
    place: Place = PROVINCE,
) -> Sentence:
    """Communes at the standard at a date, X/Y and %, and the average criteria per commune."""
    d = format_date(day)
    count = Figure(f"meeting@{d}", _out_of(meeting, in_scope), trace)
    parts: list[Part]
    if lang == "vi":
        if meeting == 0:
            parts = [f"Tính đến {d}, {place.vi} chưa có xã nào đạt chuẩn nông thôn mới (", count]
            parts.append(" xã)")
        else:
            parts = [f"Tính đến {d}, {place.vi} có ", count, " xã đạt chuẩn nông thôn mới ("]
            parts += [_share(meeting, in_scope, f"share@{d}", trace, precision), ")"]
        if average is not None:
            parts += [", bình quân đạt ", _average(average, d, trace, precision), " tiêu chí/xã"]
    else:
        if meeting == 0:
            parts = [f"As of {d}, no commune of {place.en} met the new rural standard (", count]
            parts.append(" communes)")
        else:
            parts = [f"As of {d}, ", count, f" communes of {place.en} met the new rural "]
            parts += ["standard (", _share(meeting, in_scope, f"share@{d}", trace, precision), ")"]
        if average is not None:
            parts += [", with ", _average(average, d, trace, precision)]
            parts.append(" criteria met per commune on average")
    return Sentence("standing", (*parts, "."))


def other_units(
    day: dt.date,
    units_of: dt.date,
    meeting: int,
    in_scope: int,
    trace: Trace,
    precision: Precision,
    lang: Lang,
    place: Place = PROVINCE,
) -> Sentence:
    """The same count on the units of another date: "theo đơn vị hành chính cũ, …"."""
    d = format_date(day)
    count = Figure(f"meeting_units@{d}", _out_of(meeting, in_scope), trace)
    share = _share(meeting, in_scope, f"share_units@{d}", trace, precision)
    if lang == "vi":
        which = "cũ" if units_of < day else "mới"
        parts: list[Part] = [f"Theo đơn vị hành chính {which}, {place.vi} có ", count]
        parts += [" xã đạt chuẩn nông thôn mới (", share, ")."]
    else:
        which = "former" if units_of < day else "later"
        parts = [f"On the {which} administrative units, {place.en} had ", count]
        parts += [" communes at the standard (", share, ")."]
    return Sentence("other_units", tuple(parts))


def recognised(
    day: dt.date,
    count: int,
    in_scope: int,
    trace: Trace,
    precision: Precision,
    lang: Lang,
    place: Place = PROVINCE,
) -> Sentence:
    """Communes holding a recognition decision (*được công nhận*), X/Y and %."""
    d = format_date(day)
    figure = Figure(f"recognised@{d}", _out_of(count, in_scope), trace)
    share = _share(count, in_scope, f"share_recognised@{d}", trace, precision)
    if lang == "vi":
        if count == 0:
            return Sentence(
                "recognised",
                (f"Đến {d}, {place.vi} chưa có xã nào được công nhận đạt chuẩn nông thôn mới.",),
            )
        parts: list[Part] = [f"Đến {d}, {place.vi} có ", figure]
        parts += [" xã được công nhận đạt chuẩn nông thôn mới (", share, ")."]
    else:
        if count == 0:
            return Sentence(
                "recognised",
                (f"By {d}, no commune of {place.en} had been recognised at the standard.",),
            )
        parts = [f"By {d}, ", figure, f" communes of {place.en} had been recognised at the "]
        parts += ["new rural standard (", share, ")."]
    return Sentence("recognised", tuple(parts))


def since_baseline(
    day: dt.date,
    change: Fraction | float,
    baseline: int,
    years: int,
    trace: Trace,
    precision: Precision,
    lang: Lang,
) -> Sentence:
    """The change of the average since a baseline year, and the average gain per year (the
    change over the years between)."""
    d = format_date(day)
    total = _signed(change, f"change@{baseline}", trace, precision)
    per_year = _signed(Fraction(change) / years, f"change_per_year@{baseline}", trace, precision)
    if lang == "vi":
        parts: list[Part] = [f"Bình quân tiêu chí/xã đến {d}: ", total, f" so với năm {baseline}"]
        parts += [" (bình quân ", per_year, " tiêu chí/xã/năm)."]
    else:
        parts = [f"Average criteria per commune by {d}: ", total, f" since {baseline}"]
        parts += [" (", per_year, " criteria per commune a year on average)."]
    return Sentence("baseline", tuple(parts))


@dataclass(frozen=True)
class CriterionCount:
    number: int
    name: str
    met: int
    evaluated: int


def criteria(day: dt.date, counts: Sequence[CriterionCount], trace: Trace, lang: Lang) -> Sentence:
    """ "165/181 xã đạt tiêu chí số 19 (Quốc phòng và An ninh); …"."""
    d = format_date(day)
    parts: list[Part] = ["Về từng tiêu chí: " if lang == "vi" else "By criterion: "]
    for i, c in enumerate(counts):
        if i:
            parts.append("; ")
        parts.append(Figure(f"criterion_{c.number}@{d}", _out_of(c.met, c.evaluated), trace))
        if lang == "vi":
            parts.append(f" xã đạt tiêu chí số {c.number} ({c.name})")
        else:
            parts.append(f" communes met criterion {c.number} ({c.name})")
    return Sentence("criteria", (*parts, "."))


@dataclass(frozen=True)
class Decision:
    """Units recognised by one decision."""

    number: str
    signed: dt.date
    names: tuple[str, ...]


def _decision(number: str, signed: dt.date, lang: Lang) -> str:
    if lang == "vi":
        return f"Quyết định số {number} ngày {format_date(signed)}"
    return f"decision {number} of {format_date(signed)}"


def decided(year: int, decisions: Sequence[Decision], trace: Trace, lang: Lang) -> Sentence:
    """The communes recognised for the year, by decision."""
    total = sum(len(d.names) for d in decisions)
    if total == 0:
        if lang == "vi":
            return Sentence(
                "decided", (f"Năm {year}, chưa có xã nào được công nhận đạt chuẩn nông thôn mới.",)
            )
        return Sentence("decided", (f"In {year}, no commune was recognised at the standard.",))
    count = Figure(f"decided@{year}", communes(total, lang), trace)
    listed = "; ".join(
        f"{', '.join(d.names)} ({_decision(d.number, d.signed, lang)})" for d in decisions
    )
    if lang == "vi":
        return Sentence(
            "decided",
            (f"Năm {year}, ", count, f" được công nhận đạt chuẩn nông thôn mới: {listed}."),
        )
    return Sentence(
        "decided", (f"In {year}, ", count, f" recognised at the new rural standard: {listed}.")
    )


# What a district-level unit was recognised as, per tier (`ntm.recognition.models.Tier`).
_ACHIEVED: dict[tuple[str, Lang], str] = {
    ("completed", "vi"): "hoàn thành nhiệm vụ xây dựng nông thôn mới",
    ("completed", "en"): "completed the new rural development task",
    ("ntm", "vi"): "đạt chuẩn nông thôn mới",
    ("ntm", "en"): "met the new rural standard",
    ("advanced", "vi"): "đạt chuẩn nông thôn mới nâng cao",
    ("advanced", "en"): "met the advanced new rural standard",
}


def completed(
    name: str, tier: str, year: int, number: str, signed: dt.date, lang: Lang
) -> Sentence:
    """A district, town or city recognised: "Thành phố Lạng Sơn hoàn thành nhiệm vụ …"."""
    what = _ACHIEVED.get((tier, lang), tier)
    word = "năm" if lang == "vi" else "in"
    return Sentence(
        "completed", (f"{name} {what} {word} {year} ({_decision(number, signed, lang)}).",)
    )


def not_completed(name: str, day: dt.date, lang: Lang) -> Sentence:
    """A district, town or city without any recognition by the day."""
    d = format_date(day)
    city = name.startswith(("Thành phố ", "Thị xã ", "Quận "))
    if lang == "vi":
        what = "hoàn thành nhiệm vụ xây dựng" if city else "đạt chuẩn"
        return Sentence(
            "completed", (f"Đến {d}, {name} chưa được công nhận {what} nông thôn mới.",)
        )
    what = "as having completed the new rural development task" if city else "at the standard"
    return Sentence("completed", (f"By {d}, {name} had not been recognised {what}.",))


@dataclass(frozen=True)
class Progress:
    """A target of the year and how far the province has come, as the read layer gives it."""

    key: str  # kind, tier and group: one target of the year
    label: str
    tier: str
    group: str
    basis: str
    value: float
    value_max: float | None
    as_share: bool
    actual: float | None
    reached: bool | None
    unmeasured: str = ""


def _amount(value: float, as_share: bool) -> str:
    text = format_number(value, 2, strip_zeros=True)
    return f"{text} %" if as_share else text


# A target sentence: opening, unmeasured, actual, outcome, and the outcome's words.
_TARGET: dict[Lang, tuple[str, str, str, str, tuple[str, str]]] = {
    "vi": (
        "Mục tiêu năm {year} theo {basis}: {what}: {goal}; ",
        "chưa đo được ({why}).",
        "thực hiện ",
        " ({done} mục tiêu).",
        ("đạt", "chưa đạt"),
    ),
    "en": (
        "Target for {year} in {basis}: {what}: {goal}; ",
        "not measurable ({why}).",
        "actual ",
        " ({done}).",
        ("reached", "not reached"),
    ),
}


def target(year: int, p: Progress, trace: Trace, lang: Lang) -> Sentence:
    goal = _amount(p.value, p.as_share)
    if p.value_max is not None:
        goal += "–" + _amount(p.value_max, p.as_share)
    opening, unmeasured, actual, outcome, words = _TARGET[lang]
    what = f"{p.label} ({p.tier}, {p.group})"
    parts: list[Part] = [opening.format(year=year, basis=p.basis, what=what, goal=goal)]
    if p.actual is None:
        parts.append(unmeasured.format(why=p.unmeasured))
    else:
        figure = Figure(f"target_{p.key}@{year}", _amount(p.actual, p.as_share), trace)
        parts += [actual, figure, outcome.format(done=words[0] if p.reached else words[1])]
    return Sentence("target", tuple(parts))


@dataclass(frozen=True)
class Slip:
    name: str
    failing: tuple[int, ...]  # the criteria it no longer meets


def slipping(day: dt.date, slips: Sequence[Slip], trace: Trace, lang: Lang) -> Sentence:
    """Recognised communes that lost criteria (*đang tụt hạng*)."""
    d = format_date(day)
    if not slips:
        if lang == "vi":
            return Sentence(
                "slipping",
                (f"Đến {d}, chưa có xã nào đã được công nhận bị giảm tiêu chí.",),
            )
        return Sentence("slipping", (f"By {d}, no recognised commune had lost any criterion.",))
    count = Figure(f"slipping@{d}", communes(len(slips), lang), trace)
    word = "tiêu chí" if lang == "vi" else "criteria"
    listed = "; ".join(f"{s.name} ({word} {', '.join(str(k) for k in s.failing)})" for s in slips)
    if lang == "vi":
        return Sentence(
            "slipping",
            (
                f"Đến {d}, có ",
                count,
                f" đã được công nhận nhưng không còn đạt đủ tiêu chí: {listed}.",
            ),
        )
    return Sentence("slipping", (f"By {d}, ", count, f" recognised had lost criteria: {listed}."))
