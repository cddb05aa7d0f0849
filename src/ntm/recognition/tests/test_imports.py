"""Importing a recognition list into Lạng Sơn's real units: the reference list's recognitions
are written and its other rows reported as notes; every bad input is refused with its place
and reason and writes nothing; the clean rows alone, when chosen, with the choice audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from ntm.accounts.models import Role
from ntm.accounts.services import create_user
from ntm.audit.models import AuditLog
from ntm.exchange import recognitions as reader
from ntm.recognition.imports import ImportRefused, import_recognitions
from ntm.recognition.models import Recognition, RecognitionDecision, Status, Tier
from ntm.recognition.services import DecisionBasis, RecognitionError, record_recognised
from ntm.units.loader import LoadResult
from ntm.units.models import Unit, UnitKind

REFERENCE = Path(__file__).resolve().parents[5] / "shared" / "reference"
HEAD = "Xã,Huyện,Mức công nhận,Năm đạt chuẩn,Số quyết định,Ngày quyết định"

pytestmark = pytest.mark.django_db


def _province() -> Unit:
    return Unit.objects.valid_on(dt.date(2026, 1, 1)).get(kind=UnitKind.PROVINCE, code="20")


@pytest.fixture
def office(units: LoadResult) -> User:
    return create_user(
        "vp-dieu-phoi-ls",
        password=None,
        role=Role.PROVINCE_OFFICE,
        unit=_province(),
        valid_from=dt.date(2010, 1, 1),
        actor="test",
    )


def _file(tmp_path: Path, *rows: str, head: str = HEAD) -> Path:
    path = tmp_path / "cong-nhan.csv"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


class _Nothing:
    """Asserts that a block wrote no recognition, decision or audit row."""

    def __enter__(self) -> None:
        self.audit = AuditLog.objects.count()

    def __exit__(self, *exc: object) -> None:
        assert not Recognition.objects.exists()
        assert not RecognitionDecision.objects.exists()
        assert AuditLog.objects.count() == self.audit


def _refused(path: Path, office: User, **kw: object) -> ImportRefused:
    with _Nothing(), pytest.raises(ImportRefused) as e:
        import_recognitions(path, _province(), acting_user=office, **kw)  # type: ignore[arg-type]
    return e.value


def test_the_tiers_are_the_models(units: LoadResult) -> None:
    assert {reader.NTM, reader.ADVANCED, reader.MODEL, reader.MODERN} <= set(Tier.values)


def test_the_reference_list(office: User) -> None:
    if not REFERENCE.is_dir():
        pytest.skip(f"the shared reference folder is not beside the repo ({REFERENCE})")
    path = REFERENCE / "langson_recognitions.csv"

    report = import_recognitions(path, _province(), acting_user=office)

    got = sorted(
        (w.row, w.unit.name, w.unit.parent.name, w.recognition.tier, w.recognition.year)  # type: ignore[union-attr]
        for w in report.written
    )
    assert got == [
        (6, "Xã Bính Xá", "Huyện Đình Lập", Tier.NTM, 2018),
        (7, "Xã Văn An", "Huyện Văn Quan", Tier.NTM, 2018),
        (11, "Xã Chi Lăng", "Huyện Tràng Định", Tier.ADVANCED, 2022),
        (12, "Xã Sơn Hà", "Huyện Hữu Lũng", Tier.ADVANCED, 2022),
        (13, "Xã Bắc Lãng", "Huyện Đình Lập", Tier.ADVANCED, 2022),
    ]
    chi_lang = Recognition.objects.get(unit__name="Xã Chi Lăng", tier=Tier.ADVANCED)
    assert chi_lang.status == Status.RECOGNISED and chi_lang.decision is not None
    assert (chi_lang.decision.number, chi_lang.decision.date_signed) == (
        "99/QĐ-UBND",
        dt.date(2023, 1, 26),
    )
    assert chi_lang.decision.issuer == "UBND tỉnh Lạng Sơn" and not chi_lang.decision.simulated
    # Appraisals, targets and mentions are notes, not errors; so is a January decision.
    reasons = [n.reason_en for n in report.notes]
    assert sum("not a recognition" in r for r in reasons) == 22
    assert sum("often signed early in the following year" in r for r in reasons) == 3
    assert "the name “Bính Xá” is read as Xã Bính Xá (" in " ".join(reasons)
    assert report.skipped == []
    after = AuditLog.objects.get(action="recognition.import").after or {}
    assert (after["source"], after["clean_only"], len(after["written"])) == (
        "langson_recognitions.csv",
        False,
        5,
    )

    again = import_recognitions(path, _province(), acting_user=office)
    assert again.written == []
    assert sum("already recorded with this decision" in n.reason_en for n in again.notes) == 5
    assert Recognition.objects.count() == 5


def test_names_without_diacritics_or_xa_and_one_decision_for_three(
    tmp_path: Path, office: User
) -> None:
    path = _file(
        tmp_path,
        "binh xa,Dinh Lap,NTM,2019,1/QĐ-UBND,20/12/2019",
        "Xã Văn An,Văn Quan,NTM,2019,1/QĐ-UBND,20/12/2019",
        "VAN LINH,huyện Chi Lăng,ntm,2019,1/QĐ-UBND,20/12/2019",
    )
    report = import_recognitions(path, _province(), acting_user=office)
    assert len(report.written) == 3
    assert RecognitionDecision.objects.count() == 1
    texts = [n.text("vi") for n in report.notes]
    assert any("có trên 3 dòng (2, 3, 4): hợp lệ" in t for t in texts)
    assert any("tên “binh xa” được hiểu là Xã Bính Xá" in t for t in texts)
    assert any("tên “VAN LINH” được hiểu là Xã Vạn Linh" in t for t in texts)
    assert not any("“Xã Văn An” được hiểu" in t for t in texts)  # as the unit writes it


@pytest.mark.parametrize(
    ("rows", "where", "reason"),
    [
        (
            ["Hạnh Phúc,Đình Lập,NTM,2018,2165/QĐ-UBND,31/10/2018"],
            "dòng 2, cột A “Xã”, giá trị “Hạnh Phúc”",
            "không có xã nào tên này thuộc Tỉnh Lạng Sơn vào ngày 31/10/2018",
        ),
        (
            ["Chi Lăng,,NC,2022,99/QĐ-UBND,26/01/2023"],
            "dòng 2, cột A “Xã”, giá trị “Chi Lăng”",
            "tên này khớp với 2 xã: Xã Chi Lăng (",
        ),
        (
            ["Chi Lăng,Văn Quan,NC,2022,99/QĐ-UBND,26/01/2023"],
            "dòng 2, cột A “Xã”",
            "huyện “Văn Quan” không có xã tên này vào ngày 26/01/2023",
        ),
        (
            ["Bính Xá,Đình Lập,NTM,2011,12/QĐ-UBND,8/12/20114"],
            "dòng 2, cột F “Ngày quyết định”, giá trị “8/12/20114”",
            "năm “20114” không có thật",
        ),
        (
            ["Bính Xá,Đình Lập,xuất sắc,2018,2165/QĐ-UBND,31/10/2018"],
            "dòng 2, cột C “Mức công nhận”, giá trị “xuất sắc”",
            "mức công nhận không rõ",
        ),
        (
            [
                "Bính Xá,Đình Lập,NTM,2018,2165/QĐ-UBND,31/10/2018",
                "Xa Binh Xa,Đình Lập,NTM,2018,2170/QĐ-UBND,05/11/2018",
            ],
            "dòng 3, cột E “Số quyết định”, giá trị “2170/QĐ-UBND”",
            "Xã Bính Xá (NTM) có quyết định khác ở dòng 2: 2165/QĐ-UBND (31/10/2018), năm "
            "2018; dòng này ghi 2170/QĐ-UBND (05/11/2018), năm 2018",
        ),
        (
            ["Đồng Đăng,Cao Lộc,NTM,2018,2165/QĐ-UBND,31/10/2018"],
            "dòng 2, cột A “Xã”",
            "là thị trấn, không phải xã",
        ),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(
    tmp_path: Path, office: User, rows: list[str], where: str, reason: str
) -> None:
    refused = _refused(_file(tmp_path, *rows), office)
    assert any(where in line and reason in line for line in str(refused).splitlines()), str(refused)
    assert "không ghi kết quả nào" in str(refused)
    assert refused.message("en").startswith("File cong-nhan.csv cannot be used")


def test_a_missing_column_is_refused(tmp_path: Path, office: User) -> None:
    path = _file(
        tmp_path,
        "Bính Xá,Đình Lập,NTM,2018,31/10/2018",
        head="Xã,Huyện,Mức công nhận,Năm đạt chuẩn,Ngày quyết định",
    )
    refused = _refused(path, office, clean_only=True)  # a file's own problem: never partial
    assert "thiếu cột bắt buộc “Số quyết định”" in str(refused)


def test_a_list_without_any_recognition_is_refused(tmp_path: Path, office: User) -> None:
    path = _file(
        tmp_path, "Bính Xá,Đình Lập,NTM,target,2019,,", head=HEAD.replace("Huyện,", "Huyện,event,")
    )
    refused = _refused(path, office)
    assert "danh sách không có dòng công nhận nào" in str(refused)
    assert refused.notes and "not a recognition" in refused.notes[0].reason_en


def test_a_different_decision_against_the_record_names_both(tmp_path: Path, office: User) -> None:
    binh_xa = Unit.objects.valid_on(dt.date(2018, 10, 31)).get(
        name="Xã Bính Xá", kind=UnitKind.COMMUNE
    )
    record_recognised(
        binh_xa,
        Tier.NTM,
        2018,
        DecisionBasis("2165/QĐ-UBND", dt.date(2018, 10, 31), "UBND tỉnh Lạng Sơn"),
        acting_user=office,
    )
    before = (Recognition.objects.count(), AuditLog.objects.count())
    path = _file(tmp_path, "Bính Xá,Đình Lập,NTM,2018,2999/QĐ-UBND,30/11/2018")
    with pytest.raises(ImportRefused) as e:
        import_recognitions(path, _province(), acting_user=office)
    assert (
        "Xã Bính Xá (NTM) đã được ghi công nhận năm 2018 theo quyết định 2165/QĐ-UBND "
        "(31/10/2018); dòng này ghi 2999/QĐ-UBND (30/11/2018), năm 2018"
    ) in str(e.value)
    assert (Recognition.objects.count(), AuditLog.objects.count()) == before


def test_clean_only_writes_the_clean_rows_and_records_the_choice(
    tmp_path: Path, office: User
) -> None:
    path = _file(
        tmp_path,
        "Bính Xá,Đình Lập,NTM,2018,2165/QĐ-UBND,31/10/2018",
        "Văn An,Văn Quan,NTM,2018,2166/QĐ-UBND,8/12/20114",
        "Hạnh Phúc,Đình Lập,NTM,2018,2167/QĐ-UBND,31/10/2018",
        "Sơn Hà,Hữu Lũng,NC,2022,103/QĐ-UBND,26/01/2023",
    )
    report = import_recognitions(path, _province(), acting_user=office, clean_only=True)

    assert sorted(w.unit.name for w in report.written) == ["Xã Bính Xá", "Xã Sơn Hà"]
    assert [p.row for p in report.skipped] == [3, 4]
    assert Recognition.objects.count() == 2
    row = AuditLog.objects.get(action="recognition.import")
    after = row.after or {}
    assert row.acting_user == office and after["clean_only"] is True
    assert [s["row"] for s in after["skipped"]] == [3, 4]
    assert "năm “20114” không có thật" in after["skipped"][0]["problem"]
    assert row.reason.startswith("Chỉ nhập các dòng không có lỗi (người nhập chọn)")


def test_clean_only_with_no_clean_row_writes_nothing(tmp_path: Path, office: User) -> None:
    path = _file(tmp_path, "Văn An,Văn Quan,NTM,2018,2166/QĐ-UBND,8/12/20114")
    refused = _refused(path, office, clean_only=True)
    assert "không còn dòng nào không có lỗi để nhập" in str(refused)


def test_only_the_province_office_imports(tmp_path: Path, units: LoadResult) -> None:
    path = _file(tmp_path, "Bính Xá,Đình Lập,NTM,2018,2165/QĐ-UBND,31/10/2018")
    binh_xa = Unit.objects.valid_on(dt.date(2018, 10, 31)).get(name="Xã Bính Xá")
    officer = create_user(
        "can-bo-binh-xa",
        password=None,
        role=Role.COMMUNE_OFFICER,
        unit=binh_xa,
        valid_from=dt.date(2010, 1, 1),
        actor="test",
    )
    with _Nothing(), pytest.raises(RecognitionError):
        import_recognitions(path, _province(), acting_user=officer)
    with _Nothing(), pytest.raises(RecognitionError):
        import_recognitions(path, _province())
    # A loading program names itself (the demo).
    report = import_recognitions(path, _province(), actor="test:loader")
    assert len(report.written) == 1
