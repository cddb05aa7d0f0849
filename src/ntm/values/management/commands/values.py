"""`ntm values import FILE --set SET --year YYYY --user USERNAME [--stage claimed|verified]`:
a values template or a criterion-level workbook (declared statuses), told apart by its
headers; `ntm values import-counts FILE --set SET --year YYYY --province CODE --user
USERNAME`: a count-only list (commune, district, "14/19"), all rows or none."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import get_language, gettext

from ntm.criteria.loader import CriteriaError, load_set
from ntm.criteria.schema import CriteriaSet
from ntm.exchange.workbook import InputError
from ntm.jobs import Progress
from ntm.units.models import UnitKind
from ntm.units.queries import UnitLookupError, province_on, units_of
from ntm.values.models import Stage
from ntm.values.services.count_import import import_counts
from ntm.values.services.imports import STATUSES, import_file
from ntm.vn.numbers import format_number


class Command(BaseCommand):
    help = "Số liệu chỉ tiêu: nhập từ tệp mẫu (.xlsx) hoặc CSV, tất cả hoặc không gì cả."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="Nhập tệp mẫu của `ntm criteria template` (số liệu chỉ tiêu, hoặc kết quả "
            "từng tiêu chí với --level criterion) hoặc CSV.",
        )
        imp.add_argument("file", help="Tệp .xlsx hoặc .csv")
        imp.add_argument("--set", required=True, dest="set_id", help="Mã bộ tiêu chí")
        imp.add_argument("--year", required=True, type=int, help="Năm số liệu")
        imp.add_argument("--user", required=True, help="Tên đăng nhập của người nhập")
        imp.add_argument(
            "--stage",
            choices=Stage.values,
            default=Stage.CLAIMED,
            help="claimed (xã tự đánh giá, mặc định) hoặc verified (thẩm định)",
        )
        counts = sub.add_parser(
            "import-counts",
            help="Nhập danh sách số tiêu chí đạt của các xã (xã, huyện, 14/19): chỉ có số "
            "tiêu chí đạt, không có kết quả từng tiêu chí.",
        )
        counts.add_argument("file", help="Tệp .xlsx hoặc .csv")
        counts.add_argument("--set", required=True, dest="set_id", help="Mã bộ tiêu chí")
        counts.add_argument("--year", required=True, type=int, help="Năm của danh sách")
        counts.add_argument("--province", required=True, help="Mã hoặc tên tỉnh (vào năm đó)")
        counts.add_argument("--user", required=True, help="Tên đăng nhập của người nhập")
        counts.add_argument("--note", default="", help="Nguồn của danh sách")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cset = load_set(options["set_id"])
        except CriteriaError as exc:
            raise CommandError(str(exc)) from None
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=options["user"], is_active=True)
        except user_model.DoesNotExist:
            raise CommandError(f"Không có người dùng “{options['user']}”.") from None
        if options["action"] == "import-counts":
            self._import_counts(cset, user, options)
            return

        def progress(p: Progress) -> None:
            phase = gettext(p.phase)
            if p.total:
                self.stderr.write(f"{phase}: {format_number(p.done)}/{format_number(p.total)}")
            else:
                self.stderr.write(phase)

        try:
            result = import_file(
                options["file"],
                cset,
                options["year"],
                acting_user=user,
                stage=options["stage"],
                progress=progress,
            )
        except InputError as exc:
            raise CommandError(exc.message(get_language())) from None
        if result.kind == STATUSES:
            self.stdout.write(
                f"Đã nhập {format_number(result.values)} trạng thái tiêu chí của "
                f"{format_number(result.units)} xã: {format_number(result.changed)} thay đổi, "
                f"{format_number(result.unchanged)} không đổi; {format_number(result.cleared)} "
                f"khai báo được rút lại (nhật ký #{result.audit_id})."
            )
            return
        self.stdout.write(
            f"Đã nhập {format_number(result.values)} giá trị của {format_number(result.units)} "
            f"xã: {format_number(result.changed)} thay đổi, {format_number(result.unchanged)} "
            f"không đổi; {format_number(result.blank)} ô trống (chưa có số liệu), trong đó "
            f"{format_number(result.cleared)} ô xóa giá trị đã lưu (nhật ký #{result.audit_id})."
        )

    def _import_counts(self, cset: CriteriaSet, user: Any, options: dict[str, Any]) -> None:
        year = options["year"]
        # The communes counted in the year: those in force at its end (today, this year).
        day = min(dt.date(year, 12, 31), timezone.localdate())
        try:
            province = province_on(options["province"], day)
        except UnitLookupError as exc:
            raise CommandError(str(exc)) from None
        communes = units_of(province, day, kinds=[UnitKind.COMMUNE])
        try:
            result = import_counts(
                options["file"], cset, year, communes, acting_user=user, note=options["note"]
            )
        except InputError as exc:
            raise CommandError(exc.message(get_language())) from None
        self.stdout.write(
            f"Đã nhập số tiêu chí đạt của {format_number(result.units)} xã: "
            f"{format_number(result.created)} mới, {format_number(result.changed)} thay đổi, "
            f"{format_number(result.unchanged)} không đổi (nhật ký #{result.audit_id})."
        )
