"""``make backup`` / ``make restore``: back up, wipe, restore, and find every row and file again.

The scripts run as subprocesses against a database of their own (never the test database): on SQLite a
small file made here, on PostgreSQL (CI's real-services pass) a freshly created database with the real
schema and bulk data. A changed archive is refused before anything is touched.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
PG_TESTS = pytest.mark.skipif(
    not (os.environ.get("CI_REAL_SERVICES") and ON_POSTGRESQL),
    reason="needs the PostgreSQL server of CI's real-services pass (CI_REAL_SERVICES)",
)


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (fixed commands of this repository)
        args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def site_env(database_url: str, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private-media"),
        "BACKUP_DIR": str(tmp / "backups"),
        "BACKUP_PYTHON": sys.executable,
    }


def put_files(tmp: Path) -> Path:
    """A public upload and a private document; returns the private one."""
    (tmp / "media" / "places").mkdir(parents=True)
    (tmp / "media" / "places" / "hall.jpg").write_bytes(os.urandom(2048))
    document = tmp / "private-media" / "annual-documents" / "2026" / "arsredovisning.pdf"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-1.7\n" + os.urandom(50_000))
    return document


def wipe_files(tmp: Path) -> None:
    shutil.rmtree(tmp / "media")
    shutil.rmtree(tmp / "private-media")
    (tmp / "private-media").mkdir()
    (tmp / "private-media" / "left-over.txt").write_text("not in the backup")


def backup(env: dict[str, str]) -> Path:
    result = run("bash", "scripts/backup", env=env)
    assert result.returncode == 0, result.stderr
    [archive] = Path(env["BACKUP_DIR"]).glob("backup-*")
    return archive


def tampered_copy(archive: Path, name: str) -> Path:
    copy = archive.with_name(archive.name + "-tampered")
    shutil.copytree(archive, copy)
    data = bytearray((copy / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / name).write_bytes(bytes(data))
    return copy


class TestSQLite:
    @pytest.fixture
    def site(self, tmp_path):
        database = tmp_path / "site.sqlite3"
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)")
            db.executemany("INSERT INTO person (name) VALUES (?)", [(f"Person {i}",) for i in range(120)])
        document = put_files(tmp_path)
        return site_env(f"sqlite:///{database}", tmp_path), database, document

    @staticmethod
    def people(database: Path) -> int:
        with sqlite3.connect(database) as db:
            return db.execute("SELECT count(*) FROM person").fetchone()[0]

    def test_backup_wipe_restore_gives_back_rows_and_files(self, site, tmp_path):
        env, database, document = site
        digest = sha256(document)
        archive = backup(env)
        assert sorted(p.name for p in archive.iterdir()) == [
            "SHA256SUMS", "database.sqlite3", "info", "media.tar.gz", "private-media.tar.gz",
        ]  # fmt: skip
        assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by the owner only

        with sqlite3.connect(database) as db:
            db.execute("DELETE FROM person")
        wipe_files(tmp_path)
        result = run("bash", "scripts/restore", str(archive), "--yes", env=env)

        assert result.returncode == 0, result.stderr
        assert self.people(database) == 120
        assert sha256(document) == digest
        assert (tmp_path / "media" / "places" / "hall.jpg").is_file()
        assert not (tmp_path / "private-media" / "left-over.txt").exists()

    @pytest.mark.parametrize("name", ["database.sqlite3", "private-media.tar.gz", "info"])
    def test_a_changed_file_is_refused_before_anything_is_touched(self, site, name):
        env, database, _ = site
        archive = tampered_copy(backup(env), name)
        with sqlite3.connect(database) as db:
            db.execute("DELETE FROM person WHERE id > 100")

        result = run("bash", "scripts/restore", str(archive), "--yes", env=env)

        assert result.returncode != 0
        assert "checksums do not match" in result.stderr
        assert self.people(database) == 100

    def test_a_file_missing_from_the_checksums_is_refused(self, site):
        env, _, _ = site
        archive = backup(env)
        sums = archive / "SHA256SUMS"
        sums.write_text("".join(line for line in sums.read_text().splitlines(True) if "media" not in line))

        result = run("bash", "scripts/restore", str(archive), "--yes", env=env)

        assert result.returncode != 0
        assert "does not list exactly" in result.stderr

    def test_without_yes_and_without_a_terminal_nothing_is_restored(self, site):
        env, database, _ = site
        archive = backup(env)
        with sqlite3.connect(database) as db:
            db.execute("DELETE FROM person")

        result = run("bash", "scripts/restore", str(archive), env=env)

        assert result.returncode != 0
        assert "--yes" in result.stderr
        assert self.people(database) == 0


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory):
    """A database of its own on the test server: the real schema, bulk data and an audit entry."""
    import psycopg

    db = settings.DATABASES["default"]
    server = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    name = f"backup_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    tmp = tmp_path_factory.mktemp("pg-site")
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    env = site_env(f"postgres://{user}:{password}@{db['HOST']}:{db['PORT']}/{name}", tmp)
    try:
        for command in (
            ["migrate", "--noinput"],
            ["seed_bulk", "--scale", "0.005"],
            ["shell", "-c", "from accounts import audit; audit.record('ops.backup_test')"],
        ):
            result = run(sys.executable, "manage.py", *command, env=env)
            assert result.returncode == 0, result.stderr
        document = put_files(tmp)
        with psycopg.connect(**server, dbname=name, autocommit=True) as conn:
            yield env, tmp, conn, document
    finally:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_archive(pg_site):
    env, *_ = pg_site
    return backup(env)


def row_counts(conn) -> dict[str, int]:
    tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for (t,) in tables}  # noqa: S608


@PG_TESTS
class TestPostgreSQL:
    def test_backup_wipe_restore_gives_back_every_row_and_file(self, pg_site, pg_archive):
        env, tmp, conn, document = pg_site
        before = row_counts(conn)
        digest = sha256(document)
        assert before["welfaretech_event"] > 1000 and before["accounts_auditentry"] >= 1

        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
        wipe_files(tmp)
        assert row_counts(conn) == {}
        result = run("bash", "scripts/restore", str(pg_archive), "--yes", env=env)

        assert result.returncode == 0, result.stderr
        assert row_counts(conn) == before
        assert sha256(document) == digest
        assert not (tmp / "private-media" / "left-over.txt").exists()
        # The database-level guard of the audit log came back with the schema.
        trigger = "SELECT count(*) FROM pg_trigger WHERE tgname = 'auditentry_append_only'"
        assert conn.execute(trigger).fetchone()[0] == 1

    def test_a_changed_dump_is_refused_and_the_database_left_alone(self, pg_site, pg_archive):
        env, _, conn, _ = pg_site
        before = row_counts(conn)
        conn.execute("DELETE FROM welfaretech_eventbenefit")
        changed = tampered_copy(pg_archive, "database.dump")

        result = run("bash", "scripts/restore", str(changed), "--yes", env=env)

        assert result.returncode != 0
        assert "checksums do not match" in result.stderr
        assert row_counts(conn) == {**before, "welfaretech_eventbenefit": 0}
