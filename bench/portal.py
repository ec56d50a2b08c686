"""Requests per second and latency of the portal search against ``/healthz``, on one server in one run.

Usage: ``.venv/bin/python bench/portal.py [--seconds 10] [--concurrency 10] [--workers 4]``

Starts gunicorn on a free loopback port with the current environment and database (DEBUG off, a generated
SECRET_KEY), warms up, drives each URL with a fixed number of threads for a fixed time and prints a table
with each result as a ratio to ``/healthz``. Gunicorn is stopped at the end whatever happens.
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Language": "sv"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "False",
        "DEMO_MODE": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "False",
        "STATIC_MANIFEST": "False",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    # A session of its own, so that stopping it reaches the workers too.
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)  # noqa: S603 fixed argv


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def wait_until_up(server: subprocess.Popen, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            if get(port, "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def load(port: int, path: str, seconds: float, concurrency: int) -> dict:
    """``concurrency`` threads request ``path`` back to back for ``seconds``; latencies in milliseconds."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        mine, codes = [], {}
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, _ = get(port, path)
            except OSError:
                status = 0
            mine.append((time.perf_counter() - started) * 1000)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {
        "path": path,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": quantiles[49],
        "p95": quantiles[94],
        "statuses": statuses,
    }


def print_table(results: list[dict]) -> None:
    base = results[0]
    header = f"{'URL':<58} {'status':<14} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'rps/healthz':>12}"
    print(header)
    print("-" * len(header))
    for result in results:
        statuses = ",".join(f"{code}×{count}" for code, count in sorted(result["statuses"].items()))
        print(
            f"{result['path']:<58} {statuses:<14} {result['rps']:>8.1f} {result['p50']:>8.1f} "
            f"{result['p95']:>8.1f} {result['rps'] / base['rps']:>12.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()

    # A plain "kill" of this script must still stop gunicorn: turn SIGTERM into an exception.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    port = free_port()
    server = start_server(port, args.workers)
    try:
        wait_until_up(server, port)
        status, body = get(port, "/api/v1/localities/")
        localities = json.loads(body) if status == 200 else []
        locality = localities[0]["slug"] if localities else ""
        paths = [
            "/healthz",
            f"/aktiviteter/?q=promenad&ort={locality}",
            "/api/v1/occurrences/?search=promenad",
            f"/api/v1/occurrences/?locality={locality}",
        ]
        for path in paths:
            load(port, path, args.warmup, args.concurrency)
        results = [load(port, path, args.seconds, args.concurrency) for path in paths]
        database = os.environ.get("DATABASE_URL", "db.sqlite3 (default)").split("@")[-1]
        print(
            f"gunicorn {args.workers} workers, {args.concurrency} concurrent clients, "
            f"{args.seconds:g} s per URL, database {database}"
        )
        print_table(results)
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
