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
"""

# ruff: noqa: S603, S607 (fixed command lines of the bench's own tools)

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import string
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(1, str(BASE_DIR))

from stack import HOST, Stack  # noqa: E402

LUA = BENCH_DIR / "wrk.lua"
BEFORE_START = "<!-- before:start -->"
BEFORE_END = "<!-- before:end -->"

# Targets of issue 7.
PORTAL_RATIO = 0.5
PORTAL_P95_MS = 100
BACKOFFICE_P95_MS = 250
INGEST_EVENTS_PER_S = 1000
INDICATORS_S = 2
REPORT_S = 10


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


# --------------------------------------------------------------------------------------------------- HTTP
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


# ------------------------------------------------------------------------------------------- Django side
def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def count_rows() -> dict[str, int]:
    from activities.models import Activity, Occurrence, Registration
    from associations.models import Association
    from welfaretech.models import CareRecipient, Event

    return {
        "activities": Activity.objects.count(),
        "occurrences": Occurrence.objects.count(),
        "sign-ups": Registration.objects.count(),
        "associations": Association.objects.count(),
        "care recipients": CareRecipient.objects.count(),
        "welfare-tech events": Event.objects.count(),
    }


def make_session(user) -> dict[str, str]:
    """A signed-in session as django.contrib.auth.login stores it, and a CSRF secret for the cookie."""
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    alphabet = string.ascii_letters + string.digits
    return {
        "key": store.session_key,
        "csrf": "".join(secrets.choice(alphabet) for _ in range(32)),
        "user": user.pk,
    }


def staff_user(email: str, role: str):
    """A staff user holding ``role`` with TOTP activated (production requires MFA for staff)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    from accounts.models import User

    user, _ = User.objects.get_or_create(email=email, defaults={"full_name": f"Bench {role}"})
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def prepare_users() -> dict[str, dict]:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db.models import Count, Q

    from accounts.roles import Role
    from welfaretech.models import CareTeam

    sessions = {
        role: make_session(staff_user(f"bench-{role.replace('_', '-')}@bench.example.org", role))
        for role in (Role.COORDINATOR, Role.OFFICIAL, Role.WELFARETECH_ADMIN)
    }
    # Home care: a seeded member of the team with the most active recipients.
    team = (
        CareTeam.objects.filter(name__startswith="Bulk")
        .annotate(active=Count("recipients", filter=Q(recipients__is_active=True)))
        .order_by("-active", "pk")
        .first()
    )
    member = team.members.order_by("pk").first()
    if not Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(member, generate_totp_secret())
    sessions[Role.HOMECARE_STAFF] = make_session(member)
    sessions[Role.HOMECARE_STAFF]["recipients"] = list(
        team.recipients.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:200]
    )
    return sessions


def pick_targets(year: int) -> dict[str, str]:
    """URLs of typical pages: the busiest locality, its most common activity word, place and activity."""
    from collections import Counter

    from django.db.models import Count
    from django.utils import timezone

    from activities.models import Activity, Category, MeetingPlace

    published = Activity.objects.filter(status=Activity.Status.PUBLISHED, slug__startswith="bulk-")
    locality = (
        published.exclude(place__isnull=True)
        .values_list("place__locality__slug", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    words = Counter(title.split()[0].lower() for title in published.values_list("title", flat=True))
    word = quote(words.most_common(1)[0][0])  # percent-encoded: it goes into query strings as it is
    category = (
        Category.objects.annotate(n=Count("activities")).order_by("-n").values_list("slug", flat=True)[0]
    )
    now = timezone.now()
    activity = (
        published.annotate(n=Count("occurrences", filter=models_q(occurrences__starts_at__gte=now)))
        .order_by("-n", "pk")
        .values_list("slug", flat=True)[0]
    )
    place = (
        MeetingPlace.objects.filter(is_active=True)
        .annotate(n=Count("activities"))
        .order_by("-n", "pk")
        .values_list("slug", flat=True)[0]
    )
    today = timezone.localdate()
    month = f"{today:%Y-%m}" if year == today.year else f"{year}-12"
    return {
        "locality": locality,
        "word": word,
        "category": category,
        "activity": activity,
        "place": place,
        "month": month,
    }


def models_q(**lookups):
    from django.db.models import Q

    return Q(**lookups)


def release_seeded_users(session_keys: list[str]) -> None:
    """Remove what the bench added to seeded users (TOTP, session), so that ``seed_bulk --replace`` can
    delete them."""
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session

    Authenticator.objects.filter(user__email__startswith="bulk-").delete()
    Session.objects.filter(session_key__in=session_keys).delete()


def event_count(user_id: int) -> int:
    from welfaretech.models import Event

    return Event.objects.filter(recorded_by_id=user_id).count()


def annual_report(official_id: int, year: int, timeout: float = 900) -> dict:
    """Queue the annual report as the report page does and wait for the Celery worker to finish it."""
    from django.db import close_old_connections

    from accounts.models import User
    from followup import reports
    from followup.models import ReportRun

    started = time.perf_counter()
    run = reports.start_report(
        reports.TEMPLATES["arsrapport"],
        user=User.objects.get(pk=official_id),
        date_from=date(year, 1, 1),
        date_to=date(year, 12, 31),
        language="sv",
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        run.refresh_from_db()
        if run.status in (ReportRun.Status.DONE, ReportRun.Status.FAILED):
            break
        time.sleep(0.2)
    wall = time.perf_counter() - started
    worker = (
        (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else None
    )
    size = run.file.size if run.status == ReportRun.Status.DONE and run.file else 0
    return {
        "status": run.status,
        "wall": wall,
        "worker": worker,
        "kb": size // 1024,
        "error": run.error[:300],
    }


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


# --------------------------------------------------------------------------------------------- seeding
def collect_static(stack: Stack) -> str:
    """``collectstatic`` with the production manifest storage; without the manifest if that fails."""
    try:
        stack.manage("collectstatic", "--noinput")
        return ""
    except RuntimeError as error:
        reason = next(
            (line for line in str(error).splitlines() if "could not be found" in line or "failed!" in line),
            "",
        )
        log(f"collectstatic with the manifest failed ({reason.strip()}); serving static files without it")
        stack.env["STATIC_MANIFEST"] = "False"
        stack.manage("collectstatic", "--noinput", "--clear")
        return (
            "`collectstatic` failed with the production manifest storage ("
            + (reason.strip().rstrip("!") or "see the log")
            + "), so this run serves static files without the manifest (`STATIC_MANIFEST=False`)."
        )


def seed(stack: Stack, scale: float, year: int, replace: bool) -> float:
    log(f"seed_bulk --scale {scale:g} --year {year}{' --replace' if replace else ''} …")
    started = time.perf_counter()
    args = ["seed_bulk", "--scale", f"{scale:g}", "--year", str(year), "--allow-production-settings"]
    stack.manage(*args, *(["--replace"] if replace else []))
    seconds = time.perf_counter() - started
    stack.analyze()
    log(f"seeded in {seconds:.0f} s (then VACUUM ANALYZE)")
    return seconds


# ---------------------------------------------------------------------------------------------- facts
def machine_facts(stack: Stack) -> dict[str, str]:
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
