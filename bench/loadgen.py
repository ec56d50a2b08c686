"""The load side of ``bench/run.py``: single requests as the TLS proxy sends them, and wrk runs whose
results come back as one JSON line (see wrk.lua)."""

# ruff: noqa: S603 (wrk, a fixed command line)

import http.client
import json
import subprocess
import time
from pathlib import Path

from stack import HOST

LUA = Path(__file__).resolve().parent / "wrk.lua"


class Client:
    """Requests as a browser behind the TLS-terminating proxy sends them (X-Forwarded-Proto: https)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.base_headers = {"X-Forwarded-Proto": "https", "Accept-Language": "sv"}

    def headers_for(self, session: dict | None, api: bool = False) -> dict[str, str]:
        headers = dict(self.base_headers)
        if session:
            headers["Cookie"] = f"sessionid={session['key']}; csrftoken={session['csrf']}"
            headers["X-CSRFToken"] = session["csrf"]
            headers["Origin"] = f"https://{HOST}:{self.port}"
        if api:
            headers["Accept"] = "application/json"
        return headers

    def get(self, path: str, headers: dict[str, str], timeout: float = 120) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def probe(self, path: str, headers: dict[str, str]) -> tuple[str, bool, float]:
        """One request: a short description of the answer, whether it is a 200, and the seconds it took."""
        started = time.perf_counter()
        try:
            status, response_headers, body = self.get(path, headers)
        except OSError as error:
            return f"error {error}", False, time.perf_counter() - started
        spent = time.perf_counter() - started
        kind = response_headers.get("Content-Type", "").split(";")[0]
        text = f"{status} {kind} {len(body) // 1024} KB"
        if status in (301, 302, 303, 307, 308):
            text += f" → {response_headers.get('Location', '')}"
        return text, status == 200, spent


def run_wrk(url: str, *, seconds: float, connections: int, args: list[str]) -> dict:
    threads = max(1, min(2, connections))
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "-s",
        str(LUA),
        url,
        "--",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 180, check=False)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = data["duration_us"] / 1e6
    return {
        "requests": data["requests"],
        "seconds": seconds_run,
        "rps": data["requests"] / seconds_run if seconds_run else 0.0,
        "p50": data["latency_us"]["p50"] / 1000,
        "p95": data["latency_us"]["p95"] / 1000,
        "p99": data["latency_us"]["p99"] / 1000,
        "errors": sum(data["errors"].values()),
        "error_detail": {key: value for key, value in data["errors"].items() if value},
    }


def header_args(headers: dict[str, str]) -> list[str]:
    return [f"header={name}: {value}" for name, value in headers.items()]
