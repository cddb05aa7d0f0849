"""`ntm backup` and `ntm restore`: the archive, a faithful restore (same statistics, same audit
history, same files) on the test's own backend, the round trip SQLite -> PostgreSQL -> SQLite
through the commands, and every refusal writing nothing."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from ntm.audit.models import AuditLog
from ntm.backup import archive
from ntm.backup.archive import BackupError, restore, write_backup
from ntm.values.models import Evidence, Value
from ntm.values.testing import PNG, YEAR, make_world

PROVINCE = "99"  # the persona world's province


def _stats() -> str:
    out = io.StringIO()
    call_command("stats", "--province", PROVINCE, "--period", str(YEAR), "--json", stdout=out)
    return out.getvalue()


def _audit() -> list[dict[str, Any]]:
    return [dict(row) for row in AuditLog.objects.order_by("id").values()]


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "media"
    with override_settings(MEDIA_ROOT=root):
        yield root


@pytest.fixture
def archived(db: None, media: Path, tmp_path: Path) -> tuple[Path, str, list[dict[str, Any]]]:
    """The persona world backed up, then rolled back (the database empty again, its files
    gone): (archive, statistics, audit rows) as they were."""
    out = tmp_path / "ntm.zip"
    with transaction.atomic():
        make_world()
        stats = _stats()
        write_backup(out, actor="test")
        audit = _audit()
        transaction.set_rollback(True)
    shutil.rmtree(media)
    return out, stats, audit


def test_the_archive_has_a_manifest_checksums_rows_and_files(
    archived: tuple[Path, str, list[dict[str, Any]]],
) -> None:
    path, _, audit = archived
    with zipfile.ZipFile(path) as zf:
        manifest = archive.read_manifest(zf)
        assert manifest["format"] == archive.FORMAT
        assert manifest["database"] == connection.vendor
        assert set(zf.namelist()) == {archive.MANIFEST, *manifest["members"]}
        assert manifest["rows"]["audit.auditlog"] == len(audit)
        assert audit[-1]["action"] == "system.backup"  # the archive carries its own making
        evidence = [n for n in manifest["members"] if n.startswith("files/evidence")]
        assert len(evidence) == 1 and zf.read(evidence[0]) == PNG
        # The world's import job names a file that was never stored: listed, not hidden.
        assert manifest["missing_files"] == ["imports/xa.csv"]
        assert not any(n.startswith("data/sessions.") for n in manifest["members"])


def test_a_restore_gives_the_same_statistics_audit_history_and_files(
    archived: tuple[Path, str, list[dict[str, Any]]], media: Path
) -> None:
    path, stats, audit = archived
    assert not AuditLog.objects.exists()
    rows = restore(path, actor="test")
    assert rows["values.value"] == Value.objects.count() == 2  # communes A's and B's income
    assert _stats() == stats
    after = _audit()
    assert after[: len(audit)] == audit
    assert [a["action"] for a in after[len(audit) :]] == ["system.restored"]
    evidence = Evidence.objects.get()
    assert (media / str(evidence.file.name)).read_bytes() == PNG


def test_a_restored_database_takes_new_rows_after_the_old_ones(
    archived: tuple[Path, str, list[dict[str, Any]]],
) -> None:
    path, _, audit = archived
    restore(path, actor="test")
    # PostgreSQL's sequences were reset: the next row does not collide with a restored one.
    with transaction.atomic():
        made = AuditLog.objects.create(action="test.next", object_type="test", actor="test")
    assert made.pk > max(a["id"] for a in audit)


def _rewritten(path: Path, out: Path, change: Any) -> Path:
    """A copy of the archive at `path` with `change(name, data, manifest) -> data | None`
    applied to each member (None drops it); the manifest is written as changed."""
    with zipfile.ZipFile(path) as zf:
        manifest = archive.read_manifest(zf)
        members = {n: zf.read(n) for n in zf.namelist() if n != archive.MANIFEST}
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            changed = change(name, data, manifest)
            if changed is not None:
                zf.writestr(name, changed)
        zf.writestr(archive.MANIFEST, json.dumps(manifest))
    return out


def _altered_row(name: str, data: bytes, manifest: dict[str, Any]) -> bytes:
    return data.replace(b"46.0", b"96.0") if name == "data/values.value.jsonl" else data


def _newer_format(name: str, data: bytes, manifest: dict[str, Any]) -> bytes:
    manifest["format"] = archive.FORMAT + 1
    return data


def _newer_schema(name: str, data: bytes, manifest: dict[str, Any]) -> bytes:
    if ["values", "9999_later"] not in manifest["schema"]:
        manifest["schema"].append(["values", "9999_later"])
    return data


def _older_schema(name: str, data: bytes, manifest: dict[str, Any]) -> bytes:
    manifest["schema"] = [m for m in manifest["schema"] if m[0] != "recognition"]
    return data


def _dropped_member(name: str, data: bytes, manifest: dict[str, Any]) -> bytes | None:
    return None if name.startswith("files/") else data


@pytest.mark.parametrize(
    ("change", "vi", "en"),
    [
        (_altered_row, "Sai mã kiểm tra (SHA-256) của data/values.value.jsonl", "Checksum"),
        (_newer_format, "mới hơn phiên bản này", "restore it with a newer release"),
        (_newer_schema, "mà phiên bản này không có", "restore it with a newer release"),
        (_older_schema, "cũ hơn phiên bản này", "then upgrade (ntm migrate)"),
        (_dropped_member, "không khớp với manifest.json", "do not match its manifest"),
    ],
)
def test_a_damaged_or_foreign_archive_is_refused_and_nothing_is_written(
    archived: tuple[Path, str, list[dict[str, Any]]],
    tmp_path: Path,
    media: Path,
    change: Any,
    vi: str,
    en: str,
) -> None:
    bad = _rewritten(archived[0], tmp_path / "bad.zip", change)
    with pytest.raises(BackupError) as refused:
        restore(bad, actor="test")
    assert vi in refused.value.vi and en in refused.value.en
    assert not AuditLog.objects.exists() and not media.exists()


@pytest.mark.parametrize(
    ("content", "vi"),
    [(b"not a zip", "không phải tệp zip"), (None, "thiếu hoặc hỏng manifest.json")],
)
def test_a_file_that_is_no_archive_is_refused(
    db: None, tmp_path: Path, content: bytes | None, vi: str
) -> None:
    path = tmp_path / "x.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("data/x.jsonl", b"")
    else:
        path.write_bytes(content)
    with pytest.raises(BackupError, match=vi):
        restore(path, actor="test")
    assert not AuditLog.objects.exists()


def test_a_database_that_is_not_empty_is_refused(
    archived: tuple[Path, str, list[dict[str, Any]]], media: Path
) -> None:
    with transaction.atomic():
        make_world()
    before = _audit()
    with pytest.raises(BackupError, match="không trống"):
        restore(archived[0], actor="test")
    assert _audit() == before


def test_a_failed_backup_leaves_no_file(
    db: None, media: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction.atomic():
        make_world()

    def broken(model: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(archive, "_file_names", broken)
    with pytest.raises(OSError, match="disk full"):
        write_backup(tmp_path / "ntm.zip", actor="test")
    assert list(tmp_path.glob("*.zip")) == []


def test_the_commands_say_what_they_did_and_refuse_in_both_languages(
    archived: tuple[Path, str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("restore", str(archived[0]), stdout=out)
    assert "Đã khôi phục" in out.getvalue()
    with pytest.raises(CommandError, match=r"không trống.*\(The target database is not empty"):
        call_command("restore", str(archived[0]))
    with pytest.raises(CommandError, match="Không có thư mục"):
        call_command("backup", "--out", str(tmp_path / "nowhere" / "x.zip"))
    call_command("backup", "--out", str(tmp_path / "again.zip"), stdout=out)
    assert "Đã ghi" in out.getvalue()


# The round trip across backends runs the commands in fresh processes, each on its own
# database; it needs a PostgreSQL server and runs once, in the SQLite pass.
POSTGRES = os.environ.get("NTM_TEST_POSTGRES", "")


def _ntm(env: dict[str, str], *args: str) -> str:
    """`ntm *args` in a fresh process on the database `env` names (SQLite under its
    NTM_VAR_DIR unless it sets DATABASE_URL)."""
    inherited = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    Path(env["NTM_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", "from ntm.cli import main; main()", *args],
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not POSTGRES, reason="NTM_TEST_POSTGRES is not set: no PostgreSQL server")
@pytest.mark.django_db(transaction=True)
def test_round_trip_sqlite_postgresql_sqlite(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("runs once, in the SQLite pass (it uses both backends itself)")
    import psycopg

    source = {"NTM_VAR_DIR": str(tmp_path / "first")}
    _ntm(source, "migrate", "-v0")
    # The persona world, written by the services in the first SQLite database.
    _ntm(source, "shell", "-c", "from ntm.values.testing import make_world; make_world()")
    stats_args = ("stats", "--province", PROVINCE, "--period", str(YEAR), "--json")
    expected = _ntm(source, *stats_args)
    _ntm(source, "backup", "--out", str(tmp_path / "a.zip"))

    name = f"ntm_restore_{os.getpid()}"
    admin = psycopg.connect(POSTGRES, autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        server = POSTGRES.rsplit("/", 1)[0]
        pg = {"NTM_VAR_DIR": str(tmp_path / "pg"), "DATABASE_URL": f"{server}/{name}"}
        _ntm(pg, "restore", str(tmp_path / "a.zip"))
        assert _ntm(pg, *stats_args) == expected
        _ntm(pg, "backup", "--out", str(tmp_path / "b.zip"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    back = {"NTM_VAR_DIR": str(tmp_path / "back")}
    _ntm(back, "restore", str(tmp_path / "b.zip"))
    assert _ntm(back, *stats_args) == expected

    def rows(path: Path) -> list[dict[str, Any]]:
        with zipfile.ZipFile(path) as zf:
            lines = zf.read("data/audit.auditlog.jsonl").decode().splitlines()
        return [json.loads(line) for line in lines]

    _ntm(back, "backup", "--out", str(tmp_path / "c.zip"))
    a, c = rows(tmp_path / "a.zip"), rows(tmp_path / "c.zip")
    assert c[: len(a)] == a  # the history as it was, then what the trip itself recorded
    assert [r["fields"]["action"] for r in c[len(a) :]] == [
        "system.restored",
        "system.backup",
        "system.restored",
        "system.backup",
    ]
    evidence = next((tmp_path / "back" / "media" / "evidence").rglob("*.png"))
    assert evidence.read_bytes() == PNG
