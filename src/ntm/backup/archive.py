"""The backup archive: a zip holding

- `manifest.json`: the archive format, the ntm version that wrote it, when, from which database
  backend, the schema (every migration applied), the rows per model, and the SHA-256 and size of
  every other member;
- `data/<app>.<model>.jsonl`: each model's rows in Django's JSON-lines serialisation (content
  types and permissions by natural key: `migrate` creates them again, under other ids);
- `files/<name>`: every stored file a row refers to (evidence, recognition scans, imported files).

Sessions, login-throttling records and content types are left out: they are rebuilt or
transient, not the record. A restore checks everything before it writes anything: the format,
the schema against this code's migrations (an archive of a newer release is refused; one of an
older release is restored with that release, then upgraded with `migrate`), every checksum, and
that the database is empty; then it loads the rows and the files in one transaction and writes
an audit row. The archive is written beside its destination and renamed into place, so a
failed backup leaves no half-written file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import ntm
from ntm.audit.services import record

FORMAT = 1
MANIFEST = "manifest.json"
# Rebuilt by `migrate` (content types, permissions) or transient (sessions, login throttling).
LEFT_OUT_APPS = {"contenttypes", "sessions", "axes"}
LEFT_OUT_MODELS = {"auth.permission"}
CHUNK = 1 << 20
BATCH = 2000  # rows per insert while restoring


class BackupError(Exception):
    """A backup or restore refused, with why in Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} ({en})")
        self.vi, self.en = vi, en


@dataclass(frozen=True)
class Summary:
    path: Path
    rows: dict[str, int]  # model label -> rows
    files: int
    missing_files: tuple[str, ...]  # referred to by a row, absent from storage


def _models() -> list[type[models.Model]]:
    """Every model of the record, in an order where natural keys resolve."""
    chosen = [
        (config, [m for m in config.get_models() if _kept(m)])
        for config in apps.get_app_configs()
        if config.label not in LEFT_OUT_APPS
    ]
    return serializers.sort_dependencies([(c, ms) for c, ms in chosen if ms], allow_cycles=True)


def _kept(model: type[models.Model]) -> bool:
    meta = model._meta
    return meta.managed and not meta.proxy and meta.label_lower not in LEFT_OUT_MODELS


def _schema_of_database() -> list[list[str]]:
    return sorted([a, n] for a, n in MigrationRecorder(connection).applied_migrations())


def _schema_of_code() -> list[list[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted([a, n] for a, n in loader.graph.nodes)


def _file_names(model: type[models.Model]) -> Iterator[str]:
    fields = [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]
    for field in fields:
        for name in model._base_manager.exclude(**{field: ""}).values_list(field, flat=True):
            if name:
                yield str(name)


class _Exact(DjangoJSONEncoder):
    """Django's encoder keeps milliseconds only; the record's time axis needs every digit
    (two versions may be a few microseconds apart)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class _Hashing(io.RawIOBase):
    """A binary sink into a zip member that keeps the SHA-256, the size and the lines of what
    passes through it."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.digest, self.size, self.lines = out, hashlib.sha256(), 0, 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.out.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)
        self.lines += chunk.count(b"\n")
        return len(chunk)


def _sha256(member: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := member.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def write_backup(out: Path, *, actor: str) -> Summary:
    """Write the archive of the whole record to `out` (replaced only once complete)."""
    out = Path(out)
    if out.is_dir():
        raise BackupError(
            f"{out} là một thư mục: hãy cho tên tệp lưu trữ (.zip)",
            f"{out} is a directory: give the archive's file name (.zip)",
        )
    if not out.parent.is_dir():
        raise BackupError(
            f"Không có thư mục {out.parent}", f"The directory {out.parent} does not exist"
        )
    handle, temporary = tempfile.mkstemp(prefix=".ntm-backup-", suffix=".zip", dir=out.parent)
    os.close(handle)
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                # One snapshot for every table: writes during the backup are not half in it.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # Recorded first, so that the archive carries the row of its own making.
            record(action="system.backup", object_type="database", actor=actor)
            summary = _write(Path(temporary))
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return Summary(out, summary.rows, summary.files, summary.missing_files)


def _write(path: Path) -> Summary:
    members: dict[str, dict[str, Any]] = {}
    rows: dict[str, int] = {}
    names: set[str] = set()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for model in _models():
            label = model._meta.label_lower
            member = f"data/{label}.jsonl"
            # Streamed: a national table never sits whole in memory.
            with zf.open(member, "w", force_zip64=True) as raw:
                sink = _Hashing(raw)
                text = io.TextIOWrapper(io.BufferedWriter(sink, CHUNK), encoding="utf-8")
                serializers.serialize(
                    "jsonl",
                    model._base_manager.order_by("pk").iterator(),
                    stream=text,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=False,
                    cls=_Exact,
                )
                text.flush()
                text.detach().detach()  # the zip member is closed by its own `with`
            members[member] = {"sha256": sink.digest.hexdigest(), "size": sink.size}
            rows[label] = sink.lines
            names.update(_file_names(model))
        missing = []
        for name in sorted(names):
            if not default_storage.exists(name):
                missing.append(name)
                continue
            member = f"files/{name}"
            with default_storage.open(name, "rb") as src, zf.open(member, "w") as dst:
                sink = _Hashing(dst)
                while chunk := src.read(CHUNK):
                    sink.write(chunk)
            members[member] = {"sha256": sink.digest.hexdigest(), "size": sink.size}
        manifest = {
            "format": FORMAT,
            "ntm_version": ntm.__version__,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "schema": _schema_of_database(),
            "rows": rows,
            # Natural keys resolve only in this order (a user before its role assignments).
            "order": list(rows),
            "members": members,
            "missing_files": missing,
        }
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return Summary(path, rows, len(names) - len(missing), tuple(missing))


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except (KeyError, ValueError):
        raise BackupError(
            "Tệp không phải bản sao lưu của ntm (thiếu hoặc hỏng manifest.json)",
            "Not an ntm backup archive (manifest.json missing or unreadable)",
        ) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("format"), int):
        raise BackupError(
            "manifest.json không đúng dạng của ntm", "manifest.json is not in ntm's form"
        )
    return manifest


def _check(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Refuse, before anything is written, an archive this code cannot restore faithfully."""
    version = manifest.get("ntm_version", "?")
    if manifest["format"] > FORMAT:
        raise BackupError(
            f"Bản sao lưu có định dạng {manifest['format']} của ntm {version}, mới hơn phiên bản "
            f"này ({ntm.__version__}, định dạng {FORMAT}): hãy khôi phục bằng phiên bản mới hơn",
            f"The archive has format {manifest['format']} of ntm {version}, newer than this "
            f"release ({ntm.__version__}, format {FORMAT}): restore it with a newer release",
        )
    theirs = {tuple(m) for m in manifest.get("schema", [])}
    ours = {tuple(m) for m in _schema_of_code()}
    if theirs - ours:
        raise BackupError(
            f"Bản sao lưu được tạo bởi ntm {version} với {len(theirs - ours)} bước chuyển đổi cơ "
            "sở dữ liệu mà phiên bản này không có: hãy khôi phục bằng phiên bản mới hơn",
            f"The archive was made by ntm {version} with {len(theirs - ours)} database "
            "migrations this release does not have: restore it with a newer release",
        )
    if ours - theirs:
        raise BackupError(
            f"Bản sao lưu được tạo bởi ntm {version}, cũ hơn phiên bản này: hãy khôi phục bằng "
            "phiên bản đã tạo ra nó, rồi nâng cấp (ntm migrate)",
            f"The archive was made by ntm {version}, older than this release: restore it with "
            "the release that made it, then upgrade (ntm migrate)",
        )
    members = manifest.get("members", {})
    present = set(zf.namelist()) - {MANIFEST}
    if present != set(members):
        raise BackupError(
            "Các tệp trong bản sao lưu không khớp với manifest.json",
            "The archive's members do not match its manifest",
        )
    for name, meta in sorted(members.items()):
        with zf.open(name) as member:
            found = _sha256(member)
        if found != meta.get("sha256"):
            raise BackupError(
                f"Sai mã kiểm tra (SHA-256) của {name}: bản sao lưu bị hỏng hoặc đã bị sửa",
                f"Checksum (SHA-256) mismatch for {name}: the archive is damaged or was altered",
            )


def _not_empty() -> list[str]:
    return [m._meta.label for m in _models() if m._base_manager.exists()]


def restore(path: Path, *, actor: str) -> dict[str, int]:
    """Restore the archive at `path` into this (empty) database and storage; returns the rows
    per model. Nothing is written unless everything is."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"Không có tệp {path}", f"No file {path}") from None
    except zipfile.BadZipFile:
        raise BackupError(
            f"{path} không phải tệp zip của ntm", f"{path} is not an ntm zip archive"
        ) from None
    with zf:
        manifest = read_manifest(zf)
        _check(zf, manifest)
        call_command("migrate", verbosity=0, interactive=False)
        held = _not_empty()
        if held:
            raise BackupError(
                "Cơ sở dữ liệu đích không trống (" + ", ".join(held[:5]) + "): chỉ khôi phục vào "
                "một cơ sở dữ liệu trống",
                "The target database is not empty (" + ", ".join(held[:5]) + "): restore only "
                "into an empty database",
            )
        written: list[str] = []
        try:
            with transaction.atomic():
                _load(zf, manifest)
                _put_files(zf, manifest, written)
                record(
                    action="system.restored",
                    object_type="database",
                    actor=actor,
                    after={
                        "archive": Path(path).name,
                        "created_at": manifest.get("created_at"),
                        "ntm_version": manifest.get("ntm_version"),
                        "database": manifest.get("database"),
                        "rows": sum(manifest["rows"].values()),
                    },
                )
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    # Figures cached (in a shared cache) from another database under the same stamps must not
    # be served; app servers running beside the restore are restarted (README: Deployment).
    cache.clear()
    return dict(manifest["rows"])


def _load(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every model's rows, in the manifest's order, inserted in batches (one save per row, as
    `loaddata` does, takes minutes for a province and hours for the country)."""
    loaded = []
    with connection.constraint_checks_disabled():
        for label in manifest.get("order", []):
            name = f"data/{label}.jsonl"
            if not manifest["members"].get(name, {}).get("size"):
                continue
            model = apps.get_model(label)
            loaded.append(model)
            with zf.open(name) as member:
                _insert(model, io.TextIOWrapper(member, encoding="utf-8"))
    # SQLite checked nothing while loading; PostgreSQL checks its deferred keys at commit.
    connection.check_constraints(table_names=[m._meta.db_table for m in loaded])
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
            cursor.execute(sql)
    for label, expected in manifest["rows"].items():
        found = apps.get_model(label)._base_manager.count()
        if found != expected:
            raise BackupError(
                f"Khôi phục {label} được {found} dòng, cần {expected}",
                f"Restored {found} rows of {label}, expected {expected}",
            )


def _insert(model: type[models.Model], lines: IO[str]) -> None:
    batch: list[models.Model] = []
    for found in serializers.deserialize("jsonl", lines, ignorenonexistent=False):
        if found.m2m_data:  # a user's groups and permissions: few rows, saved one by one
            found.save()
            continue
        batch.append(found.object)
        if len(batch) >= BATCH:
            model._base_manager.bulk_create(batch)
            batch.clear()
    if batch:
        model._base_manager.bulk_create(batch)


def _put_files(zf: zipfile.ZipFile, manifest: dict[str, Any], written: list[str]) -> None:
    for member in sorted(manifest["members"]):
        if not member.startswith("files/"):
            continue
        name = member.removeprefix("files/")
        content = zf.read(member)
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as existing:
                if existing.read() == content:
                    continue
            raise BackupError(
                f"Tệp {name} đã có trong kho lưu trữ với nội dung khác",
                f"The file {name} already exists in storage with other content",
            )
        saved = default_storage.save(name, ContentFile(content))
        written.append(saved)
        if saved != name:
            raise BackupError(
                f"Không ghi được tệp {name} đúng tên", f"Could not store {name} under its name"
            )
