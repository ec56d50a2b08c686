"""``make bench``: measure the site on PostgreSQL + Redis with production settings and write bench/RESULTS.md.

Usage: ``.venv/bin/python bench/run.py [--quick] [--duration 10] [--scale 1] [--series 4] [--output PATH]``

1. Installs ``wrk`` from Debian when it is missing (``scripts/ensure-debian-packages``).
2. Starts a throwaway PostgreSQL and Redis on free loopback ports in a temporary directory (bench/stack.py);
   they are stopped and removed at the end whatever happens.
3. Migrates, loads ``seed_bulk --scale S`` for the current year (so that the portal has upcoming occasions
   and the follow-up has past ones), runs ``VACUUM ANALYZE`` and ``collectstatic``.
4. Creates the signed-in users it needs (coordinator, official, welfare-tech administrator, one seeded
   home-care member) with TOTP set up, as production requires, and a database session for each.
5. Starts gunicorn with the arguments of the production image and a Celery worker, on loopback.
6. Drives every scenario with wrk for ``--duration`` seconds (after a one-second warm-up), always
   measuring ``/healthz`` on the same server in the same run; times the programme PDF and the annual
   report through the real Celery path.
7. Reseeds at ``--series`` × the scale and measures search, dashboard and annual report again.
8. Writes the results (Markdown) to ``--output``; a "before" block already in that file is kept.

The parts: ``stack.py`` (servers), ``django_side.py`` (users, targets, seeding, the annual report),
``loadgen.py`` (requests and wrk), ``results.py`` (result rows, machine facts, the Markdown).
"""

# ruff: noqa: S607 (fixed command lines of the bench's own tools)

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(1, str(BASE_DIR))

from django_side import (  # noqa: E402
    annual_report,
    collect_static,
    count_rows,
    django_setup,
    event_count,
    pick_targets,
    prepare_users,
    release_seeded_users,
    seed,
)
from loadgen import Client, header_args, run_wrk  # noqa: E402
from results import Result, log, machine_facts, write_results  # noqa: E402
from stack import HOST, Stack  # noqa: E402

# Targets of issue 7.
PORTAL_RATIO = 0.5
PORTAL_P95_MS = 100
BACKOFFICE_P95_MS = 250
INGEST_EVENTS_PER_S = 1000
INDICATORS_S = 2
REPORT_S = 10


# ------------------------------------------------------------------------------------------------- runner
class Bench:
    def __init__(self, stack: Stack, args) -> None:
        self.stack = stack
        self.args = args
        self.client = Client(stack.web_port)
        self.results: list[Result] = []
        self.healthz_rps = 0.0
        self.warm_up = 1 if args.quick else 2

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.stack.web_port}"

    def measure(
        self,
        group: str,
        name: str,
        path: str,
        *,
        connections: int,
        session=None,
        api=False,
        lua: list[str] | None = None,
        check: bool = True,
        warm_up: bool = True,
    ) -> Result:
        headers = self.client.headers_for(session, api)
        result = Result(group=group, name=name, path=path, connections=connections)
        if check:
            result.probe, ok, spent = self.client.probe(path, headers)
            result.probe += f" in {spent:.2f} s"
            if not ok:
                result.note = "first request was not a 200"
        args = header_args(headers) + (lua or [])
        if warm_up:
            run_wrk(self.url + path, seconds=self.warm_up, connections=connections, args=args)
        measured = run_wrk(self.url + path, seconds=self.args.duration, connections=connections, args=args)
        for key in ("requests", "seconds", "rps", "p50", "p95", "p99", "errors"):
            setattr(result, key, measured[key])
        if measured["error_detail"]:
            result.note = (result.note + "; " if result.note else "") + ", ".join(
                f"{kind} {count}" for kind, count in measured["error_detail"].items()
            )
        if result.requests == 0:
            result.note = (result.note + "; " if result.note else "") + "no request finished within the run"
        if self.healthz_rps:
            result.ratio = result.rps / self.healthz_rps
        log(
            f"{name}: {result.rps:.1f} req/s, p95 {result.p95:.0f} ms, errors {result.errors} "
            f"({result.probe})"
        )
        return result

    def healthz(self, group: str) -> Result:
        self.healthz_rps = 0.0
        result = self.measure(group, "/healthz", "/healthz", connections=self.args.connections)
        self.healthz_rps = result.rps
        result.ratio = 1.0
        return result

    # -------------------------------------------------------------------------------------- scale 1
    def portal(self, t: dict, year: int) -> None:
        c = self.args.connections
        search = (
            f"/aktiviteter/?q={t['word']}&locality={t['locality']}&category={t['category']}"
            f"&date_from={year}-01-01&date_to={year}-12-31"
        )
        scenarios = [
            ("home", "/"),
            ("activity search: text + locality + category + dates", search),
            ("activity search: upcoming, text only", f"/aktiviteter/?q={t['word']}"),
            ("activity page", f"/aktiviteter/{t['activity']}/"),
            ("meeting place page", f"/motesplatser/{t['place']}/"),
            ("API occurrences list (upcoming)", "/api/v1/occurrences/"),
            (
                "API occurrences list (locality, year, search)",
                f"/api/v1/occurrences/?locality={t['locality']}&date_from={year}-01-01&date_to={year}-12-31"
                f"&search={t['word']}",
            ),
        ]
        for name, path in scenarios:
            result = self.measure("portal", name, path, connections=c, api=path.startswith("/api/"))
            self.portal_target(result)
            self.results.append(result)
        self.programme(t)

    def portal_target(self, result: Result) -> None:
        result.target = f"≥ {PORTAL_RATIO:.0%} of /healthz, p95 ≤ {PORTAL_P95_MS} ms"
        result.met = (
            result.errors == 0
            and result.requests > 0
            and not result.note.startswith("first")
            and (result.ratio or 0) >= PORTAL_RATIO
            and result.p95 <= PORTAL_P95_MS
        )

    def programme(self, t: dict) -> None:
        """The printed programme: first request to PDF through the worker, then served from the cache."""
        path = f"/program/{t['locality']}/{t['month']}.pdf"
        headers = self.client.headers_for(None)
        started = time.perf_counter()
        status, answer = 0, {}
        while time.perf_counter() - started < 300:
            status, answer, body = self.client.get(path, headers)
            if status != 202:
                break
            time.sleep(0.1)
        cold = time.perf_counter() - started
        first = Result("portal", "programme PDF: first request until rendered (worker)", path, connections=1)
        first.probe = f"{status} {answer.get('Content-Type', '')} {len(body) // 1024} KB"
        first.requests, first.seconds, first.p50 = 1, cold, cold * 1000
        first.note = "202 'being prepared' page, then the PDF once the Celery task has rendered it"
        self.results.append(first)
        log(f"programme PDF rendered in {cold:.2f} s ({first.probe})")
        result = self.measure("portal", "programme PDF (cached)", path, connections=self.args.connections)
        self.portal_target(result)
        self.results.append(result)

    def backoffice(self, sessions: dict) -> None:
        from accounts.roles import Role

        c = self.args.backoffice_connections
        pages = [
            (Role.COORDINATOR, "back-office home (coordinator)", "/backoffice/"),
            (Role.COORDINATOR, "activities list", "/backoffice/aktiviteter/"),
            (Role.COORDINATOR, "moderation queue", "/backoffice/aktiviteter/granskning/"),
            (Role.COORDINATOR, "meeting places list", "/backoffice/aktiviteter/motesplatser/"),
            (Role.COORDINATOR, "association register", "/backoffice/foreningar/"),
            (Role.OFFICIAL, "grant casework queue", "/backoffice/handlaggning/"),
            (Role.OFFICIAL, "report list", "/backoffice/uppfoljning/rapporter/"),
            (Role.WELFARETECH_ADMIN, "care recipients list", "/backoffice/valfardsteknik/brukare/"),
            (Role.WELFARETECH_ADMIN, "devices list", "/backoffice/valfardsteknik/enheter/"),
            (Role.WELFARETECH_ADMIN, "faults list", "/backoffice/valfardsteknik/fel/"),
            (Role.HOMECARE_STAFF, "home-care shift page", "/hemtjanst/pass/"),
        ]
        for role, name, path in pages:
            result = self.measure("back office", name, path, connections=c, session=sessions[role])
            result.target = f"p95 ≤ {BACKOFFICE_P95_MS} ms"
            result.met = (
                result.errors == 0
                and result.requests > 0
                and not result.note.startswith("first")
                and result.p95 <= BACKOFFICE_P95_MS
            )
            self.results.append(result)

    def ingest(self, session: dict) -> None:
        path = "/api/v1/welfaretech/events/"
        recipients = ",".join(str(pk) for pk in session["recipients"])
        for batch in (1, 50):
            headers = self.client.headers_for(session, api=True)
            warm = [f"batch={batch}", f"recipients={recipients}", f"nonce={secrets.token_hex(4)}"]
            run_wrk(
                self.url + path,
                seconds=self.warm_up,
                connections=self.args.connections,
                args=header_args(headers) + warm,
            )
            before = event_count(session["user"])
            lua = [f"batch={batch}", f"recipients={recipients}", f"nonce={secrets.token_hex(4)}"]
            result = self.measure(
                "ingest",
                f"event ingest, batch {batch}",
                path,
                connections=self.args.connections,
                session=session,
                api=True,
                lua=lua,
                check=False,
                warm_up=False,
            )
            stored = event_count(session["user"]) - before
            sent = result.requests * batch
            # Events answered within the run; the database count also has the batches still in flight
            # when wrk stopped, so it is only a check that every answered event was stored.
            result.events_per_s = sent / result.seconds if result.errors == 0 else 0.0
            result.probe = "POST 201 (application/json)" if stored else "nothing stored"
            result.note = (result.note + "; " if result.note else "") + (
                f"{sent:,} events answered within the run, {stored:,} rows stored including those in flight"
            )
            if batch == 50:
                result.target = f"≥ {INGEST_EVENTS_PER_S:,} events/s"
                result.met = result.errors == 0 and result.events_per_s >= INGEST_EVENTS_PER_S
            log(f"  {result.events_per_s:.0f} events/s ({stored} rows stored)")
            self.results.append(result)

    def dashboard(self, official: dict, year: int, scale_label: str) -> list[Result]:
        """The indicator dashboard, default selection and the whole year, one client after a cache flush."""
        out = []
        for name, path in (
            ("indicator dashboard (default: last complete quarter)", "/backoffice/uppfoljning/"),
            (
                "indicator dashboard (whole year by quarter)",
                f"/backoffice/uppfoljning/?year={year}&period=year&granularity=quarter",
            ),
        ):
            headers = self.client.headers_for(official)
            # Warm the server processes (imports, templates), then time one request on an empty cache.
            run_wrk(self.url + path, seconds=self.warm_up, connections=3, args=header_args(headers))
            self.stack.flush_cache()
            probe, ok, first = self.client.probe(path, headers)
            result = self.measure(
                "follow-up",
                f"{name} {scale_label}".strip(),
                path,
                connections=1,
                session=official,
                check=False,
                warm_up=False,
            )
            result.probe = probe
            result.extra["first"] = first
            result.target = f"≤ {INDICATORS_S} s (first request and p95)"
            result.met = (
                ok
                and result.errors == 0
                and first <= INDICATORS_S
                and (result.requests == 0 or result.p95 / 1000 <= INDICATORS_S)
            )
            result.note = (result.note + "; " if result.note else "") + f"first request {first:.2f} s"
            out.append(result)
        return out

    def report(self, official: dict, year: int, scale_label: str) -> Result:
        """The annual report for the year, queued and rendered by the Celery worker (one run)."""
        outcome = annual_report(official["user"], year)
        result = Result("follow-up", f"annual report PDF {scale_label}".strip(), "arsrapport", connections=1)
        result.requests, result.seconds, result.p50 = 1, outcome["wall"], outcome["wall"] * 1000
        result.probe = f"{outcome['status']}, {outcome['kb']} KB"
        result.extra = outcome
        result.target = f"≤ {REPORT_S} s"
        result.met = outcome["status"] == "done" and outcome["wall"] <= REPORT_S
        worker = (
            f"{outcome['worker']:.2f} s in the task" if outcome["worker"] is not None else "no task timing"
        )
        result.note = f"queued → done {outcome['wall']:.2f} s ({worker})" + (
            f"; error: {outcome['error']}" if outcome["error"] else ""
        )
        log(f"annual report: {result.note} ({result.probe})")
        return result


def judge_growth(small: dict[str, Result], big: dict[str, Result], factor: float) -> None:
    """The target of the dashboard and the report at the larger scale is the issue's "no worse than
    linear": the larger scale's time over the smaller's at most ``factor`` (its absolute targets are set
    for scale 1 only)."""
    for key, result in big.items():
        if not key.startswith(("dashboard", "annual report")) or key not in small:
            continue
        before, after = small[key].extra.get("value"), result.extra.get("value")
        if not before or after is None:
            continue
        result.target = f"grows at most linearly (≤ ×{factor:g})"
        result.met = after / before <= factor
        result.note = f"{result.note}; ×{after / before:.2f} the smaller scale's".lstrip("; ")


# ------------------------------------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="Seconds per wrk scenario (default 10).")
    parser.add_argument("--quick", action="store_true", help="Smoke run: 3 s per scenario.")
    parser.add_argument("--scale", type=float, default=1, help="seed_bulk scale of the main run (default 1).")
    parser.add_argument(
        "--series", type=float, default=4, help="Second scale as a multiple of --scale (default 4; 0: none)."
    )
    parser.add_argument(
        "--year", type=int, default=None, help="Year of the data (default: the current year)."
    )
    parser.add_argument(
        "--connections", type=int, default=20, help="Connections for anonymous pages and API."
    )
    parser.add_argument("--backoffice-connections", type=int, default=5)
    parser.add_argument("--web-concurrency", type=int, default=3, help="gunicorn processes (default 3).")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md")
    parser.add_argument(
        "--as-before", action="store_true", help="Also store this run as the 'before' block of the output."
    )
    parser.add_argument(
        "--only", default="", help="Comma-separated groups to run (portal,backoffice,ingest,followup)."
    )
    args = parser.parse_args()
    if args.quick:
        args.duration = 3
    only = set(filter(None, args.only.split(",")))

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if subprocess.run(
        ["bash", "scripts/ensure-debian-packages", "wrk"], cwd=BASE_DIR, check=False
    ).returncode:
        return 1
    started = datetime.now(UTC)
    year = args.year or date.today().year
    with Stack(web_concurrency=args.web_concurrency, log=log) as stack:
        log(f"PostgreSQL on port {stack.pg_port}, Redis on port {stack.redis_port}")
        stack.manage("migrate", "--noinput")
        static_note = collect_static(stack)
        seed(stack, args.scale, year, replace=False)
        django_setup(stack.env)
        facts = machine_facts(stack)
        data = [count_rows()]
        sessions = prepare_users()
        targets = pick_targets(year)
        log(f"targets: {targets}")
        stack.start_web()
        stack.start_worker()
        bench = Bench(stack, args)

        from accounts.roles import Role

        official = sessions[Role.OFFICIAL]
        results = [bench.healthz("portal")]
        if not only or "portal" in only:
            bench.portal(targets, year)
        if not only or "backoffice" in only:
            bench.backoffice(sessions)
        if not only or "ingest" in only:
            bench.ingest(sessions[Role.HOMECARE_STAFF])
        series_measures: dict[str, Result] = {}
        if not only or "followup" in only:
            dashboards = bench.dashboard(official, year, "")
            report = bench.report(official, year, "")
            bench.results += [*dashboards, report]
        # /healthz again at the end: the ratios use the mean of both, which evens out a machine whose
        # other load changed during the run.
        start_rps = results[0].rps
        end = bench.healthz("portal")
        end.name = "/healthz (again, after the scenarios)"
        mean = (start_rps + end.rps) / 2
        for r in [results[0], *bench.results, end]:
            if r.requests > 1:
                r.ratio = r.rps / mean
        for r in bench.results:
            if r.group == "portal" and r.target:
                bench.portal_target(r)
        results += [*bench.results, end]
        bench.results = []
        search_path = (
            f"/aktiviteter/?q={targets['word']}&locality={targets['locality']}&category={targets['category']}"
            f"&date_from={year}-01-01&date_to={year}-12-31"
        )
        series = []

        def collect(label: str, measured: list[Result]) -> dict[str, Result]:
            keyed = {}
            for r in measured:
                if r.name.startswith("activity search"):
                    r.extra["value"] = r.rps
                    keyed["activity search (req/s)"] = r
                    keyed["activity search p95 (ms)"] = Result(
                        r.group, r.name, r.path, extra={"value": r.p95}
                    )
                elif r.name.startswith("indicator dashboard ("):
                    which = "default quarter" if "(default" in r.name else "whole year"
                    r.extra["value"] = r.extra["first"]
                    keyed[f"dashboard, {which}: first request (s)"] = r
                    p50 = r.p50 / 1000 if r.requests else None
                    keyed[f"dashboard, {which}: p50 (s)"] = Result(
                        r.group, r.name, r.path, extra={"value": p50}
                    )
                elif r.name.startswith("annual report"):
                    r.extra["value"] = r.extra["wall"]
                    keyed["annual report (s)"] = r
                elif r.name == "/healthz":
                    r.extra["value"] = r.rps
                    keyed["/healthz (req/s)"] = r
            return keyed

        if args.series and (not only or "followup" in only):
            first = [
                r
                for r in results
                if r.name in ("/healthz",)
                or r.name.startswith(("activity search: text", "indicator dashboard", "annual report"))
            ]
            series_measures = collect("", first)
            series.append((args.scale, series_measures))
            big = args.scale * args.series
            from django.db import connections

            release_seeded_users([sessions[Role.HOMECARE_STAFF]["key"]])
            connections.close_all()
            seed(stack, big, year, replace=True)
            data.append(count_rows())
            stack.flush_cache()
            stack.restart_web()
            bench.client = Client(stack.web_port)
            label = f"(×{big:g})"
            measured = [bench.healthz("series")]
            search = bench.measure(
                "series",
                f"activity search: text + locality + category + dates {label}",
                search_path,
                connections=args.connections,
            )
            bench.portal_target(search)
            measured.append(search)
            measured += bench.dashboard(official, year, label)
            measured.append(bench.report(official, year, label))
            for r in measured:
                r.group = "series"
            series.append((big, collect(label, measured)))
            judge_growth(series[0][1], series[-1][1], args.series)
            results += measured

        from django.db import connections

        connections.close_all()
        facts["load average (1, 5, 15 min) at the end"] = " ".join(
            f"{value:.2f}" for value in os.getloadavg()
        )
        write_results(
            args.output,
            facts=facts,
            started=started,
            args=args,
            year=year,
            data=data,
            results=results,
            series=series,
            as_before=args.as_before,
            static_note=static_note,
        )
        log(f"wrote {args.output}")
        for line in stack.tail("gunicorn.log", 10).splitlines():
            if "Error" in line or "Traceback" in line:
                log(f"gunicorn log: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
