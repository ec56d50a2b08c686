"""Throwaway servers for the fault tests: each test starts its own Redis, PostgreSQL cluster, gunicorn or
Celery worker on free loopback ports, so stopping one never disturbs the rest of the suite."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer
from urllib.parse import quote

import pytest
import requests
from django.conf import settings

from ..worker import wait_for

BASE_DIR = Path(__file__).resolve().parents[2]
NEEDS_REAL_SERVICES = "needs real PostgreSQL, Redis and a worker: runs in CI's PostgreSQL pass"


def real_services() -> bool:
    return bool(os.environ.get("CI_REAL_SERVICES"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def suite_database_url() -> str:
    """The suite's (test) database, for processes that must see what the test wrote."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("The fault tests need PostgreSQL (CI's PostgreSQL pass).")
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    return f"postgres://{user}:{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Process:
    """A subprocess with its output in a log file, stopped (and its log shown on failure) at the end."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Process":
        log = open(self.log_path, "a")  # noqa: SIM115 (the child keeps it; closed by the OS when it ends)
        self.process = subprocess.Popen(  # noqa: S603 (our own executables)
            self.args, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_until(self, predicate, timeout: float, what: str) -> None:
        def ready() -> bool:
            if not self.alive():
                pytest.fail(f"{self.name} stopped while waiting for {what}:\n{self.log()[-3000:]}")
            return predicate()

        if not wait_for(ready, timeout):
            pytest.fail(f"{self.name}: no {what} within {timeout}s:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()


class Redis:
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.dir = log_dir
        self.process: Process | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "Redis":
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        args += ["no", "--dir", str(self.dir)]
        self.process = Process(f"redis-{self.port}", args, dict(os.environ), self.dir).start()
        self.process.wait_until(lambda: port_open(self.port), 10, "Redis listening")
        return self

    def stop(self) -> None:
        if self.process:
            self.process.stop()
            assert wait_for(lambda: not port_open(self.port), 10)


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        pytest.fail("No PostgreSQL server binaries under /usr/lib/postgresql.")
    return found[-1].parent


class Postgres:
    """A PostgreSQL cluster of its own. PostgreSQL refuses to run as root, so as root it runs as the system
    user "postgres" (as .ci/run does), from a directory that user owns."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://ci@127.0.0.1:{self.port}/ci"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], cwd=self.dir, check=True, capture_output=True, timeout=60)  # noqa: S603

    def start(self) -> "Postgres":
        self._run(
            str(self.bin / "initdb"), f"--pgdata={self.dir}/data", "--username=postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        self._pg_ctl("start")
        psql = [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q"]
        subprocess.run(  # noqa: S603
            [
                *psql,
                "-c",
                "CREATE ROLE ci LOGIN SUPERUSER PASSWORD 'ci'",
                "-c",
                "CREATE DATABASE ci OWNER ci",
            ],
            check=True,
            capture_output=True,
        )
        return self

    def _pg_ctl(self, action: str) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), action, f"--pgdata={self.dir}/data", f"--log={self.dir}/server.log",
            "--wait", "--timeout=30", "--mode=fast", f"--options={options}",
        )  # fmt: skip

    def restart(self) -> None:
        self._pg_ctl("restart")

    def copy_schema_from(self, source_url: str) -> None:
        """The tables of the (migrated) test database, without its rows: faster than migrating again."""
        dump = subprocess.run(  # noqa: S603
            [str(self.bin / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", source_url],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(  # noqa: S603
            [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url],
            input=dump,
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(  # noqa: S603
            [
                *self.as_user,
                str(self.bin / "pg_ctl"),
                "stop",
                f"--pgdata={self.dir}/data",
                "--mode=immediate",
            ],
            cwd=self.dir,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def app_env(**overrides: str) -> dict:
    """The environment of an app process (gunicorn, worker, manage.py) started by a fault test."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "PYTEST_CURRENT_TEST"}
    }
    env.update({"CONN_MAX_AGE": "60", "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)})
    env.update(overrides)
    return env


class Gunicorn(Process):
    def __init__(self, env: dict, log_dir: Path) -> None:
        self.port = free_port()
        args = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        args += ["--workers", "1", "--threads", "2", "--timeout", "30", "--graceful-timeout", "2"]
        super().__init__(f"gunicorn-{self.port}", args, env, log_dir)
        self.base = f"http://127.0.0.1:{self.port}"
        self.http = requests.Session()

    def start(self) -> "Gunicorn":
        super().start()
        self.wait_until(lambda: port_open(self.port), 30, "gunicorn listening")
        return self

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base + path, timeout=15, allow_redirects=False, **kwargs)

    def post_form(self, path: str, data: dict) -> requests.Response:
        """POST a form the way a browser does: fetch it first for the CSRF cookie and token."""
        page = self.get(path)
        assert page.status_code == 200, page.status_code
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.http.post(
            self.base + path,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": self.base + path},
            timeout=15,
            allow_redirects=False,
        )


class Worker(Process):
    """A Celery worker (solo pool) running the fault tests' app: the project's app with test timings."""

    def __init__(self, env: dict, log_dir: Path, name: str = "worker") -> None:
        args = [sys.executable, "-m", "celery", "-A", "tests.faults.celery_app", "worker", "--pool", "solo"]
        args += ["-l", "info", "-n", f"{name}-{free_port()}@%h", "--without-gossip", "--without-mingle"]
        args += ["--without-heartbeat"]
        super().__init__(f"{name}-{time.monotonic_ns()}", args, env, log_dir)

    def start(self) -> "Worker":
        super().start()
        self.wait_until(lambda: "ready." in self.log(), 60, "worker ready")
        return self


def manage(env: dict, *args: str, code: str | None = None) -> str:
    """Run manage.py (or ``manage.py shell -c code``) with ``env``; returns its output."""
    command = [sys.executable, "manage.py", *(["shell", "-c", code] if code else args)]
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class RefusingSMTPServer(ThreadingTCPServer):
    """An SMTP server that greets, then refuses every recipient with 554; records when each try came."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.refused_at: list[float] = []
        super().__init__(("127.0.0.1", 0), _RefusingHandler)
        self.port = self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> "RefusingSMTPServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


class _RefusingHandler(StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 refusing.test ESMTP")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 refusing.test")
            elif verb in ("MAIL", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "RCPT":
                self.server.refused_at.append(time.monotonic())
                self.reply("554 5.7.1 Relay access denied")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("503 Bad sequence of commands")
