"""A province's decisions on a criteria set (`ntm.decisions`), all or nothing:

- `ntm decisions import FILE --province P --user USERNAME [--effective-from DD/MM/YYYY]`:
  an overlay file (YAML) recorded as a decision;
- `ntm decisions gaps --province P --set S --year Y -o FILE`: the workbook of the set's
  missing and unconfirmed cells as the province reads the year (*Ô cần bổ sung*);
- `ntm decisions import-gaps FILE --province P --user USERNAME`: that workbook, filled,
  recorded as one decision;
- `ntm decisions import-set FILE --province P --user USERNAME`: a whole set of the province
  (YAML, kind: set), recorded under its own legal basis."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ntm.cli.lookups import active_user, province_today
from ntm.decisions.gaps import commune_set, import_gaps
from ntm.decisions.services import DecisionError, Recorded, import_overlay, import_province_set
from ntm.exchange.gaps import gap_rows, write_gaps
from ntm.exchange.workbook import InputError
from ntm.results.sets import with_province_decisions
from ntm.units.models import Unit
from ntm.vn.dates import format_date, parse_date


class Command(BaseCommand):
    help = "Quyết định của tỉnh về bộ tiêu chí: ghi từ tệp YAML, tất cả hoặc không gì cả."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Ghi tệp bổ sung (overlay) YAML của tỉnh.")
        imp.add_argument("file", help="Tệp .yaml (kind: overlay)")
        imp.add_argument("--province", required=True, help="Mã hoặc tên tỉnh")
        imp.add_argument("--user", required=True, help="Tên đăng nhập (Văn phòng Điều phối tỉnh)")
        imp.add_argument(
            "--effective-from",
            help="Ngày có hiệu lực (dd/mm/yyyy); mặc định ngày trong tệp, hoặc ngày ký",
        )
        gaps = sub.add_parser("gaps", help="Ghi tệp các ô ngưỡng còn thiếu hoặc chưa xác minh.")
        gaps.add_argument("--province", required=True, help="Mã hoặc tên tỉnh")
        gaps.add_argument("--set", required=True, help="Mã bộ tiêu chí")
        gaps.add_argument("--year", required=True, type=int, help="Năm đánh giá")
        gaps.add_argument("-o", "--output", required=True, help="Tệp .xlsx")
        whole = sub.add_parser(
            "import-set", help="Ghi cả một bộ tiêu chí riêng của tỉnh (tệp YAML, kind: set)."
        )
        whole.add_argument("file", help="Tệp .yaml (kind: set), mã bộ khác các bộ quốc gia")
        whole.add_argument("--province", required=True, help="Mã hoặc tên tỉnh")
        whole.add_argument("--user", required=True, help="Tên đăng nhập (Văn phòng Điều phối tỉnh)")
        fill = sub.add_parser("import-gaps", help="Ghi tệp “Ô cần bổ sung” đã điền.")
        fill.add_argument("file", help="Tệp .xlsx hoặc .csv")
        fill.add_argument("--province", required=True, help="Mã hoặc tên tỉnh")
        fill.add_argument("--user", required=True, help="Tên đăng nhập (Văn phòng Điều phối tỉnh)")

    def handle(self, *args: Any, **options: Any) -> None:
        province = province_today(options["province"])
        if options["action"] == "gaps":
            self._gaps(province, options["set"], options["year"], Path(options["output"]))
            return
        user = active_user(options["user"])
        if options["action"] == "import-gaps":
            path = Path(options["file"])
            try:
                self._done(import_gaps(path, province, acting_user=user))
            except InputError as exc:
                raise CommandError(exc.message("vi")) from None
            except DecisionError as exc:
                raise CommandError("\n".join(exc.problems)) from None
            return
        if options["action"] == "import-set":
            name, text = _read_text(Path(options["file"]))
            try:
                done, cset = import_province_set(province, text, name, acting_user=user)
            except DecisionError as exc:
                lines = "\n".join(f"- {p}" for p in exc.problems)
                raise CommandError(f"Không ghi gì: tệp bị từ chối.\n{lines}") from None
            self.stdout.write(
                f"Đã ghi bộ tiêu chí {cset.id} của {province.name} theo quyết định "
                f"{done.decision.number} ngày {format_date(done.decision.date_signed)}"
                f"{'' if done.written else ' (không đổi)'}."
            )
            return
        try:
            start = parse_date(options["effective_from"]) if options["effective_from"] else None
        except ValueError as exc:
            raise CommandError(f"--effective-from: {exc}") from None
        name, text = _read_text(Path(options["file"]))
        try:
            done = import_overlay(province, text, name, effective_from=start, acting_user=user)
        except DecisionError as exc:
            lines = "\n".join(f"- {p}" for p in exc.problems)
            raise CommandError(f"Không ghi gì: tệp bị từ chối.\n{lines}") from None
        self._done(done)

    def _gaps(self, province: Unit, set_id: str, year: int, out: Path) -> None:
        national = commune_set(set_id)
        if national is None:
            raise CommandError(f"Không có bộ tiêu chí cấp xã “{set_id}”.")
        if not national.applies_to(year):
            raise CommandError(f"Bộ tiêu chí {set_id} không áp dụng cho năm {year}.")
        cset = with_province_decisions(national, province, year)
        rows = gap_rows(cset, year)
        write_gaps(out, cset, year, rows, title=province.name)
        self.stdout.write(f"Đã ghi {out.name}: {len(rows)} ô cần bổ sung.")

    def _done(self, done: Recorded) -> None:
        d = done.decision
        self.stdout.write(
            f"Đã ghi quyết định {d.number} ngày {format_date(d.date_signed)} ({d.issuer}): "
            f"{done.written} ô mới, {done.unchanged} ô không đổi."
        )


def _read_text(path: Path) -> tuple[str, str]:
    try:
        return path.name, path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path.name}: không đọc được tệp ({exc}).") from None
