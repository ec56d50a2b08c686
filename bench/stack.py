"""Throwaway services for ``bench/run.py``: PostgreSQL, Redis, gunicorn and a Celery worker on loopback.

Everything lives in one temporary directory and listens on free ports of 127.0.0.1. ``Stack`` is a context
manager: leaving it (normally, on an exception, on SIGTERM turned into ``SystemExit``) stops every process
it started and removes the directory.
"""

# ruff: noqa: S603, S607 (fixed command lines of the bench's own tools)

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_ROOT = Path("/usr/lib/postgresql")
# As in the production image (Dockerfile): WEB_CONCURRENCY worker processes with four threads each. Only
# --max-requests is left out: under a benchmark's load every worker reaches it within seconds of the others
# and they all restart at once, which would measure gunicorn's start-up instead of the pages.
GUNICORN_ARGS = [
    "--threads",
    "4",
    "--timeout",
    "60",
    "--graceful-timeout",
    "30",
    "--keep-alive",
    "5",
    "--worker-tmp-dir",
    "/dev/shm",  # noqa: S108 as in the Dockerfile: heartbeat files in memory
    "--no-control-socket",
    "--reuse-port",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    """The newest PostgreSQL server binaries under /usr/lib/postgresql (15 on Debian 12)."""
    found = sorted(PG_ROOT.glob("*/bin/initdb"), key=lambda path: int(path.parent.parent.name))
    if not found:
        raise RuntimeError(
            "No PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)."
        )
    return found[-1].parent


def _stop_group(process: subprocess.Popen | None, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


class Stack:
    """PostgreSQL + Redis in a temporary directory, then gunicorn and a Celery worker on demand."""

    def __init__(self, *, web_concurrency: int = 3, log=print) -> None:
        self.log = log
        self.web_concurrency = web_concurrency
        self.dir = Path(tempfile.mkdtemp(prefix="bench-"))
        self.pg_bin = postgres_bin()
        self.pg_user = None
        self.pg_port = self.redis_port = self.web_port = None
        self.pg_started = self.redis_started = False
        self.gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.env: dict[str, str] = {}

    # ------------------------------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "Stack":
        try:
            self._start_postgres()
            self._start_redis()
        except BaseException:
            self.close()
            raise
        password = secrets.token_hex(16)
        self._psql(
            f"CREATE ROLE bench LOGIN SUPERUSER PASSWORD '{password}'", "CREATE DATABASE bench OWNER bench"
        )
        for name in ("static", "media", "private-media"):
            (self.dir / name).mkdir()
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("PYTEST")},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "False",
            "DEMO_MODE": "False",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": f"postgres://bench:{password}@{HOST}:{self.pg_port}/bench",
            "REDIS_URL": f"redis://{HOST}:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://{HOST}:{self.redis_port}/1",
            "STATIC_ROOT": str(self.dir / "static"),
            "MEDIA_ROOT": str(self.dir / "media"),
            "PRIVATE_MEDIA_ROOT": str(self.dir / "private-media"),
            "EMAIL_URL": "consolemail://",
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": str(self.web_concurrency),
        }
        for key in ("CI_REAL_SERVICES", "STATIC_MANIFEST", "SECURE_SSL_REDIRECT", "REQUIRE_STAFF_MFA"):
            self.env.pop(key, None)  # production defaults, whatever the caller's shell holds
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        _stop_group(self.gunicorn)
        _stop_group(self.worker, timeout=30)
        if self.redis_started:
            subprocess.run(
                ["redis-cli", "-h", HOST, "-p", str(self.redis_port), "shutdown", "nosave"],
                capture_output=True,
                check=False,
            )
            pidfile = self.dir / "redis" / "redis.pid"
            if pidfile.exists():
                pid = int(pidfile.read_text().strip() or 0)
                for _ in range(50):
                    try:
                        os.kill(pid, 0)
                    except OSError:
                        break
                    time.sleep(0.1)
                else:
                    os.kill(pid, signal.SIGKILL)
        if self.pg_started:
            self._as_postgres(
                [
                    str(self.pg_bin / "pg_ctl"),
                    "stop",
                    "--pgdata",
                    str(self.dir / "pg" / "data"),
                    "--mode=fast",
                    "--wait",
                ],
                check=False,
            )
        shutil.rmtree(self.dir, ignore_errors=True)

    # ------------------------------------------------------------------------------------------- services
    def _as_postgres(self, command: list[str], check: bool = True) -> subprocess.CompletedProcess:
        if self.pg_user:
            command = ["runuser", "-u", self.pg_user, "--", *command]
        return subprocess.run(command, cwd=self.dir / "pg", capture_output=True, text=True, check=check)

    def _start_postgres(self) -> None:
        pg_dir = self.dir / "pg"
        pg_dir.mkdir()
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.pg_user = "postgres"
            try:
                pwd.getpwnam(self.pg_user)
            except KeyError:
                subprocess.run(
                    [
                        "useradd",
                        "--system",
                        "--no-create-home",
                        "--home-dir",
                        "/nonexistent",
                        "--shell",
                        "/usr/sbin/nologin",
                        self.pg_user,
                    ],
                    check=True,
                )
            shutil.chown(self.dir, self.pg_user)
            shutil.chown(pg_dir, self.pg_user)
        self._as_postgres(
            [
                str(self.pg_bin / "initdb"),
                "--pgdata",
                str(pg_dir / "data"),
                "--username=postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ]
        )
        self.pg_port = free_port()
        # Durability off: the cluster lives for one run. Memory settings stay at their defaults.
        options = (
            f"-c listen_addresses={HOST} -p {self.pg_port} -k {pg_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.pg_started = True
        self._as_postgres(
            [
                str(self.pg_bin / "pg_ctl"),
                "start",
                "--pgdata",
                str(pg_dir / "data"),
                "--log",
                str(pg_dir / "server.log"),
                "--wait",
                "--timeout=60",
                "--options",
                options,
            ]
        )

    def _connection(self, database: str) -> list[str]:
        """psql's arguments for the bench's server, as the superuser, over its socket directory."""
        host, port = str(self.dir / "pg"), str(self.pg_port)
        return ["--host", host, "--port", port, "--username", "postgres", "--dbname", database]

    def _psql(self, *statements: str, capture: bool = False) -> str:
        command = [
            str(self.pg_bin / "psql"),
            "--no-psqlrc",
            "--quiet",
            "--tuples-only",
            "--no-align",
            "-v",
            "ON_ERROR_STOP=1",
            *self._connection("postgres"),
        ]
        for statement in statements:
            command += ["-c", statement]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    def _start_redis(self) -> None:
        redis_dir = self.dir / "redis"
        redis_dir.mkdir()
        self.redis_port = free_port()
        self.redis_started = True
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(redis_dir / "redis.pid"),
                "--dir",
                str(redis_dir),
                "--logfile",
                str(redis_dir / "redis.log"),
            ],
            check=True,
        )
        for _ in range(100):
            if self.redis("ping") == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError(f"redis-server did not answer on port {self.redis_port}")

    def redis(self, *command: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-h", HOST, "-p", str(self.redis_port), *command],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip()

    def flush_cache(self) -> None:
        """Empty the cache database (Redis db 0); the broker (db 1) is left alone."""
        self.redis("-n", "0", "flushdb")

    def versions(self) -> dict[str, str]:
        postgres = self._psql("SHOW server_version").split()[0]
        info = self.redis("info", "server")
        redis = next(
            (line.split(":", 1)[1] for line in info.splitlines() if line.startswith("redis_version:")), "?"
        )
        return {"PostgreSQL": postgres, "Redis": redis}

    def analyze(self) -> None:
        """What autovacuum would do soon after a bulk load: fresh planner statistics."""
        command = [
            str(self.pg_bin / "psql"),
            "--no-psqlrc",
            "--quiet",
            *self._connection("bench"),
            "-c",
            "VACUUM ANALYZE",
        ]
        subprocess.run(command, capture_output=True, check=True)

    # ------------------------------------------------------------------------------------ Django commands
    def manage(self, *args: str, quiet: bool = True) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        return result.stdout

    # ------------------------------------------------------------------------------------- app processes
    def start_web(self) -> None:
        self.web_port = free_port()
        log = open(self.dir / "gunicorn.log", "ab")  # noqa: SIM115 kept open for the process's life
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{self.web_port}",
            *GUNICORN_ARGS,
            "--access-logfile",
            str(self.dir / "access.log"),
            "--error-logfile",
            "-",
        ]
        self.gunicorn = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with status {self.gunicorn.returncode}:\n{self.tail('gunicorn.log')}"
                )
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.web_port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def start_worker(self) -> None:
        log = open(self.dir / "celery.log", "ab")  # noqa: SIM115
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.worker = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        time.sleep(1)
        if self.worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{self.tail('celery.log')}")

    def restart_web(self) -> None:
        _stop_group(self.gunicorn)
        self.start_web()

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.dir / name
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.web_port}"
