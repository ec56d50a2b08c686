"""What ``bench/run.py`` measured and how it is written to bench/RESULTS.md: the result rows, the machine's
facts and the Markdown tables."""

# ruff: noqa: S603, S607 (fixed command lines: git, wrk, gunicorn)

import os
import platform
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stack import Stack

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
BEFORE_START = "<!-- before:start -->"
BEFORE_END = "<!-- before:end -->"


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# ------------------------------------------------------------------------------------------------ results
@dataclass
class Result:
    group: str
    name: str
    path: str
    connections: int = 0
    probe: str = ""
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    errors: int = 0
    ratio: float | None = None
    events_per_s: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- facts
def machine_facts(stack: "Stack") -> dict[str, str]:
    cpu_model = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu_model = match.group(1).strip() if match else "?"
    ram = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        ram = f"{int(match.group(1)) / 1024 / 1024:.1f} GiB" if match else "?"

    def output(*command: str) -> str:
        try:
            return subprocess.run(
                command, capture_output=True, text=True, cwd=BASE_DIR, check=False
            ).stdout.strip()
        except OSError:
            return "?"

    import django

    commit = output("git", "rev-parse", "--short", "HEAD") or "?"
    if output("git", "status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    wrk_version = output("wrk", "--version").split("[")[0].strip() or (
        subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        .stderr.split("[")[0]
        .strip()
    )
    gunicorn = output(str(Path(sys.executable).with_name("gunicorn")), "--version")
    os_name = "?"
    os_release = Path("/etc/os-release")
    if os_release.exists():
        match = re.search(r'^PRETTY_NAME="?([^"\n]+)', os_release.read_text(), re.MULTILINE)
        os_name = match.group(1) if match else "?"
    return {
        "CPUs": f"{os.cpu_count()} × {cpu_model}",
        "RAM": ram,
        "OS": f"{os_name}, Linux {platform.release()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        **stack.versions(),
        "gunicorn": gunicorn.replace("gunicorn (version ", "").rstrip(")") or "?",
        "wrk": wrk_version.replace("wrk ", ""),
        "git commit": commit,
        "load average (1, 5, 15 min) at start": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


# --------------------------------------------------------------------------------------------- report
def yes_no(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "**no**")


def ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def results_table(results: list[Result]) -> list[str]:
    lines = [
        "| group | scenario | conns | req/s | p50 ms | p95 ms | p99 ms | errors | × /healthz | target | met "
        "| first answer / notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in results:
        rps = f"{r.rps:,.1f}" if r.requests > 1 else "—"
        if r.events_per_s is not None:
            rps += f" ({r.events_per_s:,.0f} events/s)"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None and r.requests > 1 else "—"
        single = r.requests == 1
        p95, p99 = ("—", "—") if single else (ms(r.p95), ms(r.p99))
        notes = "; ".join(part for part in (r.probe, r.note) if part).replace("|", "/")
        lines.append(
            f"| {r.group} | {r.name} | {r.connections} | {rps} | {ms(r.p50)} | {p95} | {p99} | {r.errors} "
            f"| {ratio} | {r.target} | {yes_no(r.met)} | {notes} |"
        )
    return lines


def series_table(series: list[tuple[float, dict[str, Result]]]) -> list[str]:
    scales = [scale for scale, _ in series]
    header = (
        "| measure | "
        + " | ".join(f"×{scale:g}" for scale in scales)
        + " | growth (linear = "
        + (f"{scales[-1] / scales[0]:g}" if len(scales) > 1 else "1")
        + ") |"
    )
    lines = [header, "|---|" + "---:|" * (len(scales) + 1)]
    keys = list(series[0][1])
    for key in keys:
        values = []
        for _, measures in series:
            r = measures.get(key)
            values.append(None if r is None else (r.extra.get("value")))
        cells = [("—" if v is None else f"{v:,.2f}" if v < 10 else f"{v:,.1f}") for v in values]
        growth = f"{values[-1] / values[0]:.2f}" if len(values) > 1 and values[0] and values[-1] else "—"
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {growth} |")
    return lines


def write_results(
    path: Path, *, facts, started, args, year, data, results, series, as_before, static_note=""
) -> None:
    setup = SETUP.format(
        scale=f"{args.scale:g}",
        year=year,
        rows=", ".join(f"{n:,} {name}" for name, n in data[0].items()),
        web=args.web_concurrency,
        static_note=f"- **Note:** {static_note}\n" if static_note else "",
        connections=args.connections,
        backoffice=args.backoffice_connections,
    )
    setup = "\n".join(
        textwrap.fill(
            " ".join(bullet.split()),
            width=106,
            subsequent_indent="  ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        for bullet in ("\n" + setup).split("\n- ")[1:]
        for bullet in ["- " + bullet]
    )
    warm_up = 1 if args.quick else 2
    body = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`); see `bench/README.md` for what each scenario does.",
        "Numbers depend on the machine: compare the ratios to `/healthz` across machines, and the seconds",
        "only on the same machine.",
        "",
        f"Run: {started:%Y-%m-%d %H:%M} UTC, {args.duration:g} s per scenario after a {warm_up} s warm-up"
        f"{' (--quick)' if args.quick else ''}.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in facts.items()],
        "",
        "## Set-up",
        "",
        setup.rstrip("\n"),
        "",
        f"## Results at scale {args.scale:g}",
        "",
        *results_table(results),
        "",
    ]
    if series and len(series) > 1:
        body += [
            f"## Scale series (×{series[0][0]:g} → ×{series[-1][0]:g})",
            "",
            "Same server, data reseeded with `seed_bulk --replace` at each scale (then `VACUUM ANALYZE`, an",
            f"empty cache and a gunicorn restart). Search at {args.connections} connections; dashboard first",
            "request and annual report in seconds. Growth is the last scale's value over the first's (for",
            "req/s below 1 means slower; `/healthz` shows how much the machine itself varied).",
            "",
            *series_table(series),
            "",
            "Rows per scale: "
            + "; ".join(
                f"×{scale:g}: " + ", ".join(f"{n:,} {name}" for name, n in counts.items())
                for (scale, _), counts in zip(series, data, strict=False)
            )
            + ".",
            "",
        ]
    failing = [r for r in results if r.met is False]
    body += ["## Targets not met", ""]
    body += [f"- {r.group}: {r.name} — {r.target}" for r in failing] or ["- none"]
    body.append("")
    summary = (
        body[body.index("## Machine") : body.index("## Set-up")]
        + body[body.index(f"## Results at scale {args.scale:g}") :]
    )

    before = ""
    if path.exists():
        text = path.read_text()
        if BEFORE_START in text and BEFORE_END in text:
            before = text[text.index(BEFORE_START) : text.index(BEFORE_END) + len(BEFORE_END)]
    if as_before:
        commit = facts["git commit"]
        block = [
            BEFORE_START,
            f"## Before: commit {commit}, {started:%Y-%m-%d %H:%M} UTC",
            "",
            "The first full run, on the code before the performance work; later runs of `make bench` keep",
            "this block.",
            "",
            *[line.replace("## ", "### ", 1) if line.startswith("## ") else line for line in summary],
            BEFORE_END,
        ]
        before = "\n".join(block)
    text = "\n".join(body) + ("\n" + before + "\n" if before else "")
    path.write_text(text)


SETUP = """\
- Data: `seed_bulk --scale {scale} --year {year}` (the current year: the portal shows upcoming occasions
  and the follow-up has the months already past), then `VACUUM ANALYZE`: {rows}.
- gunicorn with the production image's arguments except `--max-requests` (`WEB_CONCURRENCY={web}`
  processes × 4 threads) and a Celery worker (concurrency 2); `DEBUG=False`, static files collected by
  `collectstatic`, Redis cache and broker, PostgreSQL with durability off (fsync, synchronous commit and
  full-page writes off, as in CI), memory settings at their defaults; all on 127.0.0.1, on the same
  machine as wrk.
{static_note}- Requests carry `X-Forwarded-Proto: https` as the TLS proxy in front of gunicorn sends it, so
  the production HTTPS redirect and secure cookies stay on. Staff have TOTP set up (production requires MFA)
  and a database session as `django.contrib.auth.login` stores it.
- × /healthz: requests/s of the scenario ÷ the mean requests/s of `/healthz` measured at the start and at
  the end of the scenarios (the scale series uses its own `/healthz` row).
- wrk: 2 threads; anonymous pages and API with {connections} connections, back-office pages with
  {backoffice} (a few staff at once), the dashboard with 1. Latency percentiles from wrk's `done` hook. The
  first request of each scenario is checked: *first answer* gives status, type, size and time.
- Programme PDF: the first request queues a Celery task and answers 202 with a page that reloads; that
  row times first request → PDF. Afterwards the PDF is served from the cache (next row).
- Event ingest: every request POSTs new events (unique `client_uuid`) as a seeded home-care member;
  events/s = answered requests × batch size ÷ seconds of the run (0 if any request failed); the rows
  counted in the database afterwards are in the notes.
- Indicator dashboard: after a warm-up of the server processes the cache is flushed; *first request* is
  one request on the empty cache, then one client requests the page back to back (p50/p95).
- Annual report: queued with `followup.reports.start_report` (what the report page's form does) for the
  whole year; timed from queueing to the finished PDF, rendered by the real Celery worker.
"""
