"""The recognition-list reader on its own: every messy case of a real list is a problem with
its sheet, row, column, value and reason, or a note saying why it is accepted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ntm.exchange.recognitions import (
    ADVANCED,
    MODEL,
    MODERN,
    NTM,
    DateProblem,
    RecognitionList,
    parse_day,
    parse_tier,
    read_recognitions,
)

TODAY = dt.date(2026, 12, 7)
HEAD = "Xã,Huyện,Mức công nhận,Năm đạt chuẩn,Số quyết định,Ngày quyết định"
REFERENCE = Path(__file__).resolve().parents[5] / "shared" / "reference"


def _read(tmp_path: Path, *rows: str, head: str = HEAD) -> RecognitionList:
    path = tmp_path / "cong-nhan.csv"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return read_recognitions(path, today=TODAY)


def _texts(items: list) -> list[str]:  # type: ignore[type-arg]
    return [p.text("vi") for p in items]


def test_a_clean_list(tmp_path: Path) -> None:
    found = _read(
        tmp_path,
        "Xã Bính Xá,Đình Lập,NTM,2018,2165/QĐ-UBND,31/10/2018",
        "van an,Văn Quan,nông thôn mới,2018,2166/QĐ-UBND,2018-10-31",
    )
    assert found.problems == [] and found.notes == []
    assert [
        (r.row, r.commune, r.district, r.tier, r.year, r.number, r.date) for r in found.rows
    ] == [
        (2, "Xã Bính Xá", "Đình Lập", NTM, 2018, "2165/QĐ-UBND", dt.date(2018, 10, 31)),
        (3, "van an", "Văn Quan", NTM, 2018, "2166/QĐ-UBND", dt.date(2018, 10, 31)),
    ]


def test_an_impossible_date_is_reported_with_its_place(tmp_path: Path) -> None:
    found = _read(tmp_path, "Bính Xá,Đình Lập,NTM,2011,12/QĐ-UBND,8/12/20114")
    assert _texts(found.problems) == [
        "trang “cong-nhan.csv”, dòng 2, cột F “Ngày quyết định”, giá trị “8/12/20114”: "
        "năm “20114” không có thật: năm ghi đủ 4 chữ số"
    ]
    assert (
        found.problems[0]
        .text("en")
        .endswith("the year “20114” is impossible: a year has four digits")
    )
    assert found.rows[0].date is None


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("31/02/2023", "tháng 2/2023 không có ngày 31 (có 28 ngày)"),
        ("12/13/2023", "tháng 13 không có thật (1 đến 12)"),
        ("tháng giêng", "không đọc được ngày; dùng dd/mm/yyyy, d/m/yyyy hoặc yyyy-mm-dd"),
        ("8/12/14", "năm “14” không có thật: năm ghi đủ 4 chữ số"),
        ("10/01/2027", "ngày quyết định 10/01/2027 chưa đến"),
        ("20/12/2021", "quyết định ký ngày 20/12/2021, trước năm đạt chuẩn 2022"),
        ("20/03/2024", "hơn một năm sau năm đạt chuẩn 2022"),
    ],
)
def test_bad_dates(tmp_path: Path, cell: str, reason: str) -> None:
    found = _read(tmp_path, f"Chi Lăng,Tràng Định,NC,2022,99/QĐ-UBND,{cell}")
    assert len(found.problems) == 1
    assert found.problems[0].header == "Ngày quyết định" and found.problems[0].row == 2
    assert reason in found.problems[0].reason


def test_a_decision_in_the_january_after_its_year_is_accepted_and_said_so(
    tmp_path: Path,
) -> None:
    found = _read(tmp_path, "Chi Lăng,Tràng Định,NC,2022,99/QĐ-UBND,26/01/2023")
    assert found.problems == []
    assert found.rows[0].date == dt.date(2023, 1, 26)
    assert _texts(found.notes) == [
        "trang “cong-nhan.csv”, dòng 2, cột F “Ngày quyết định”, giá trị “26/01/2023”: "
        "quyết định ký ngày 26/01/2023 công nhận đạt chuẩn năm 2022: hợp lệ, quyết định "
        "thường ký đầu năm sau"
    ]


def test_one_decision_for_three_communes_is_a_note(tmp_path: Path) -> None:
    found = _read(
        tmp_path,
        "Tân Thành,Cao Lộc,NTM,2019,1/QĐ-UBND,20/12/2019",
        "Nhất Tiến,Bắc Sơn,NTM,2019,1/QĐ-UBND,20/12/2019",
        "Vạn Linh,Chi Lăng,NTM,2019,1/qđ-ubnd ,20/12/2019",
    )
    assert found.problems == []
    assert [n.reason for n in found.notes] == [
        "quyết định 1/QĐ-UBND ngày 20/12/2019 có trên 3 dòng (2, 3, 4): hợp lệ, một quyết "
        "định có thể công nhận nhiều xã"
    ]


def test_one_number_with_two_dates_in_a_year_is_a_problem_on_each_row(tmp_path: Path) -> None:
    found = _read(
        tmp_path,
        "Tân Thành,Cao Lộc,NTM,2019,1/QĐ-UBND,20/12/2019",
        "Nhất Tiến,Bắc Sơn,NTM,2019,1/QĐ-UBND,21/12/2019",
        # The same number in another year is another decision (numbers restart each year).
        "Vạn Linh,Chi Lăng,NTM,2015,1/QĐ-UBND,20/12/2015",
    )
    assert [(p.row, p.header) for p in found.problems] == [
        (2, "Số quyết định"),
        (3, "Số quyết định"),
    ]
    assert "ghi với 2 ngày khác nhau (20/12/2019, 21/12/2019) ở các dòng 2, 3" in (
        found.problems[0].reason
    )


@pytest.mark.parametrize(
    ("row", "header", "reason"),
    [
        (",Cao Lộc,NTM,2019,1/QĐ-UBND,20/12/2019", "Xã", "thiếu tên xã"),
        (
            "Tân Thành,Cao Lộc,xuất sắc,2019,1/QĐ-UBND,20/12/2019",
            "Mức công nhận",
            "mức công nhận không rõ",
        ),
        ("Tân Thành,Cao Lộc,NTM,,1/QĐ-UBND,20/12/2019", "Năm đạt chuẩn", "thiếu năm đạt chuẩn"),
        (
            "Tân Thành,Cao Lộc,NTM,2019 (target),1/QĐ-UBND,20/12/2019",
            "Năm đạt chuẩn",
            "phải là một năm",
        ),
        (
            "Tân Thành,Cao Lộc,NTM,2009,1/QĐ-UBND,20/12/2009",
            "Năm đạt chuẩn",
            "phải từ 2010 đến 2026",
        ),
        ("Tân Thành,Cao Lộc,NTM,2019,,20/12/2019", "Số quyết định", "thiếu số quyết định"),
        ("Tân Thành,Cao Lộc,NTM,2019,1/QĐ-UBND,", "Ngày quyết định", "thiếu ngày quyết định"),
    ],
)
def test_each_bad_cell(tmp_path: Path, row: str, header: str, reason: str) -> None:
    found = _read(tmp_path, row)
    assert [(p.row, p.header) for p in found.problems] == [(2, header)]
    assert reason in found.problems[0].reason
    assert found.problems[0].reason_en


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    found = _read(
        tmp_path,
        "Bính Xá,NTM,2018,31/10/2018",
        head="Xã,Mức công nhận,Năm đạt chuẩn,Ngày quyết định",
    )
    assert _texts(found.problems) == [
        "trang “cong-nhan.csv”, dòng 1: thiếu cột bắt buộc “Số quyết định” (hoặc “decision_number”)"
    ]
    assert found.rows == []


def test_no_header_row(tmp_path: Path) -> None:
    found = _read(tmp_path, "Bính Xá,NTM", head="tên,mức")
    assert "không tìm thấy dòng tiêu đề có cột “Xã”" in found.problems[0].reason


def test_the_reference_list_keeps_its_recognitions_only() -> None:
    if not REFERENCE.is_dir():
        pytest.skip(f"the shared reference folder is not beside the repo ({REFERENCE})")
    found = read_recognitions(REFERENCE / "langson_recognitions.csv", today=TODAY)
    assert found.problems == []
    assert [(r.commune, r.district, r.tier, r.year, r.number) for r in found.rows] == [
        ("Bính Xá", "Đình Lập", NTM, 2018, "2165/QĐ-UBND"),
        ("Văn An", "Văn Quan", NTM, 2018, "2166/QĐ-UBND"),
        ("Chi Lăng", "Tràng Định", ADVANCED, 2022, "99/QĐ-UBND"),
        ("Sơn Hà", "Hữu Lũng", ADVANCED, 2022, "103/QĐ-UBND"),
        ("Bắc Lãng", "Đình Lập", ADVANCED, 2022, "105/QĐ-UBND"),
    ]
    # The columns as the file names them.
    assert found.problems == [] and found.headers["tier"] == "level"
    left_out = [n for n in found.notes if "not imported" in n.reason_en]
    assert len(left_out) == 27 - 5  # appraisals, targets, mentions: notes, not errors
    assert {n.header for n in left_out} == {"event"}
    january = [n.row for n in found.notes if "often signed early" in n.reason_en]
    assert january == [11, 12, 13]


def test_an_xlsx_list_with_date_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Công nhận"
    ws.append(["Danh sách xã đạt chuẩn"])
    ws.append(
        ["tên xã", "Huyện", "Mức đạt chuẩn", "Năm đạt chuẩn", "Số quyết định", "Ngày quyết định"]
    )
    ws.append(
        ["Xã Sơn Hà", "Hữu Lũng", "NTM nâng cao", 2022, "103/QĐ-UBND", dt.datetime(2023, 1, 26)]
    )
    ws.append(["Đồng Ý", "Bắc Sơn", "KM", 2023.0, "9/QĐ-UBND", 45316])
    path = tmp_path / "cong-nhan.xlsx"
    wb.save(path)
    found = read_recognitions(path, today=TODAY)
    assert (found.rows[0].tier, found.rows[0].year, found.rows[0].date) == (
        ADVANCED,
        2022,
        dt.date(2023, 1, 26),
    )
    assert [(p.row, p.letter, p.header) for p in found.problems] == [(4, "F", "Ngày quyết định")]
    assert "ô là một con số, không phải một ngày" in found.problems[0].reason


# ---------------------------------------------------------------------------- properties

_SPELLINGS = {
    NTM: ["NTM", "nông thôn mới", "Nong thon moi", "đạt chuẩn NTM", "Xã đạt chuẩn nông thôn mới"],
    ADVANCED: ["NC", "nâng cao", "NTM nâng cao", "ntm-nc", "Xã đạt chuẩn NTM nâng cao", "advanced"],
    MODEL: ["KM", "kiểu mẫu", "NTM kiểu mẫu", "Kieu mau", "model"],
    MODERN: ["hiện đại", "NTM hiện đại", "Hien Dai", "modern"],
}


@given(st.sampled_from([(t, s) for t, ss in _SPELLINGS.items() for s in ss]), st.booleans())
def test_every_spelling_of_a_tier(case: tuple[str, str], upper: bool) -> None:
    tier, spelling = case
    assert parse_tier(f"  {spelling.upper() if upper else spelling} ") == tier


@given(st.text(max_size=30))
def test_a_tier_is_known_or_none(text: str) -> None:
    assert parse_tier(text) in {None, NTM, ADVANCED, MODEL, MODERN}


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_every_written_form_of_a_day_reads_back(day: dt.date) -> None:
    for text in (
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day:%Y}",
        day.isoformat(),
        f"{day.day}.{day.month}.{day:%Y}",
    ):
        assert parse_day(text) == day


@given(st.text(max_size=20))
def test_any_text_is_a_day_or_a_reason(text: str) -> None:
    try:
        parse_day(text)
    except DateProblem as e:
        assert e.reason.vi and e.reason.en


def test_with_an_event_column_only_recognitions_are_read(tmp_path: Path) -> None:
    found = _read(
        tmp_path,
        "Bính Xá,Đình Lập,NTM,recognised,2018,,31/10/2018",
        "Văn An,Văn Quan,NTM,appraised 23/1/2024,2018,2166/QĐ-UBND,31/10/2018",
        "Nhân Lý,Chi Lăng,NTM,appraised 23/1/2024,2023,,",
        "Quảng Lạc,TP Lạng Sơn,NTM,mentioned as already recognised,,,",
        head="Xã,Huyện,Mức công nhận,Sự kiện,Năm đạt chuẩn,Số quyết định,Ngày quyết định",
    )
    # "recognised" without its number is a recognition that cannot be recorded: a problem.
    assert [(p.row, p.header, p.reason) for p in found.problems] == [
        (2, "Số quyết định", "thiếu số quyết định")
    ]
    # A numbered decision is a recognition whatever the event says.
    assert [r.row for r in found.rows] == [2, 3]
    assert [(n.row, n.header, n.value) for n in found.notes] == [
        (4, "Sự kiện", "appraised 23/1/2024"),
        (5, "Sự kiện", "mentioned as already recognised"),
    ]
