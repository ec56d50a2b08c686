"""Events per second accepted through the welfare-tech batch API, and duplicates stored (must be 0).

Usage: ``.venv/bin/python bench/welfaretech_ingest.py [--seconds 10] [--concurrency 6] [--workers 4]``

On the configured database (PostgreSQL when DATABASE_URL is set, otherwise db.sqlite3) it creates a bench
home-care user, team and recipients, starts gunicorn on a free loopback port with production-like
settings (see ``bench/portal.py``; staff MFA is switched off so that the bench user can sign in with a
password through the login form), measures ``/healthz`` and then posts events in batches of 1 and of 50
from several threads for a bounded time. Every fifth request re-sends a batch already sent, as a client
that lost the answer would. It prints events/s accepted per batch size, the ratio to ``/healthz``
requests/s, and the duplicates stored: rows with the sent UUIDs minus the unique UUIDs sent. Gunicorn is
stopped and the bench's events deleted at the end whatever happens.
"""

import argparse
import http.client
import importlib.util
import json
import os
import secrets
import signal
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
RECIPIENTS = 50

# Reuse the server handling of bench/portal.py (loaded by path: "portal" is also a Django app's name).
_spec = importlib.util.spec_from_file_location("bench_portal", BASE_DIR / "bench" / "portal.py")
server_tools = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(server_tools)


def setup_django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(password: str) -> tuple[list[int], int]:
    """The bench user, team and recipients (created once, reused); returns (recipient ids, user id)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role
    from portal.models import Locality
    from welfaretech.models import CareRecipient, CareTeam

    user, _ = User.objects.get_or_create(email="bench-hemtjanst@example.org", defaults={"full_name": "Bench"})
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    user.groups.add(Group.objects.get_or_create(name=Role.HOMECARE_STAFF)[0])
    locality = Locality.objects.order_by("pk").first() or Locality.objects.create(
        slug="bench-by", name="Bench-by", latitude=59.0, longitude=16.0
    )
    team, _ = CareTeam.objects.get_or_create(name="Bench-teamet", defaults={"locality": locality})
    team.members.add(user)
    ids = []
    for number in range(RECIPIENTS):
        recipient, _ = CareRecipient.objects.get_or_create(
            code=f"BENCH-{number:03d}",
            defaults={"birth_year": 1940, "sex": "K", "locality": locality, "team": team},
        )
        ids.append(recipient.pk)
    return ids, user.pk


def sign_in(port: int, email: str, password: str) -> tuple[str, str]:
    """Sign in through the login form like a browser; returns (session id, CSRF token)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        page = response.read().decode()
        csrf = SimpleCookie(response.getheader("Set-Cookie"))["csrftoken"].value
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        form = urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"}
        connection.request("POST", "/accounts/login/", form, headers)
        response = connection.getresponse()
        response.read()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        if "sessionid" not in cookies:
            raise RuntimeError(f"Sign-in failed with status {response.status}")
        csrf = cookies["csrftoken"].value if "csrftoken" in cookies else csrf
        return cookies["sessionid"].value, csrf
    finally:
        connection.close()


def drive(
    port: int, auth: tuple[str, str], recipients: list[int], batch: int, seconds: float, threads: int
) -> dict:
    """``threads`` clients post batches back to back for ``seconds``; every fifth post repeats one."""
    session_key, csrf = auth
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Accept": "application/json",
    }
    totals = {"created": 0, "duplicate": 0, "error": 0, "requests": 0, "statuses": {}}
    sent: set[str] = set()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(offset: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        counts = {"created": 0, "duplicate": 0, "error": 0, "requests": 0}
        statuses: dict[int, int] = {}
        mine: set[str] = set()
        previous: list[dict] | None = None
        while time.monotonic() < deadline:
            if previous is not None and counts["requests"] % 5 == 4:
                items = previous
            else:
                now = datetime.now(UTC).isoformat()
                items = [
                    {
                        "client_uuid": str(uuid.uuid4()),
                        "recipient": recipients[(offset + n) % len(recipients)],
                        "kind": "camera_check_ok",
                        "occurred_at": now,
                    }
                    for n in range(batch)
                ]
                previous = items
            try:
                connection.request("POST", "/api/v1/welfaretech/events/", json.dumps(items), headers)
                response = connection.getresponse()
                body = response.read()
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=60)
                statuses[0] = statuses.get(0, 0) + 1
                continue
            statuses[response.status] = statuses.get(response.status, 0) + 1
            counts["requests"] += 1
            if response.status in (200, 201):
                mine.update(item["client_uuid"] for item in items)
                for result in json.loads(body)["results"]:
                    counts[result["status"]] += 1
        connection.close()
        with lock:
            for key, value in counts.items():
                totals[key] += value
            for code, count in statuses.items():
                totals["statuses"][code] = totals["statuses"].get(code, 0) + count
            sent.update(mine)

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(index * 7,)) for index in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    return {**totals, "batch": batch, "elapsed": elapsed, "sent": sent, "eps": totals["created"] / elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["REQUIRE_STAFF_MFA"] = "False"
    setup_django()
    from django.contrib.sessions.models import Session

    from welfaretech.models import Event

    password = secrets.token_urlsafe(16)
    recipients, user_id = prepare(password)
    auth = None
    port = server_tools.free_port()
    server = server_tools.start_server(port, args.workers)
    try:
        server_tools.wait_until_up(server, port)
        server_tools.load(port, "/healthz", 1, args.concurrency)
        healthz = server_tools.load(port, "/healthz", args.seconds, args.concurrency)
        auth = sign_in(port, "bench-hemtjanst@example.org", password)
        drive(port, auth, recipients, 1, 1, args.concurrency)  # warm-up
        results = [drive(port, auth, recipients, size, args.seconds, args.concurrency) for size in (1, 50)]
    finally:
        server_tools.stop_server(server)
    try:
        database = os.environ.get("DATABASE_URL", "db.sqlite3 (default)").split("@")[-1]
        print(
            f"gunicorn {args.workers} workers, {args.concurrency} client threads, "
            f"{args.seconds:g} s per batch size, database {database}; /healthz {healthz['rps']:.1f} req/s"
        )
        header = (
            f"{'batch':>5} {'requests':>9} {'statuses':<20} {'created':>8} {'dup answers':>11} {'errors':>7} "
            f"{'events/s':>9} {'ratio':>7} {'dups stored':>11}"
        )
        print(header)
        print("-" * len(header))
        worst = 0
        for result in results:
            stored = Event.objects.filter(client_uuid__in=list(result["sent"])).count()
            duplicates = stored - len(result["sent"])
            worst = max(worst, duplicates)
            statuses = ",".join(f"{code}×{count}" for code, count in sorted(result["statuses"].items()))
            print(
                f"{result['batch']:>5} {result['requests']:>9} {statuses:<20} {result['created']:>8} "
                f"{result['duplicate']:>11} {result['error']:>7} {result['eps']:>9.1f} "
                f"{result['eps'] / healthz['rps']:>7.3f} {duplicates:>11}"
            )
        print("events/s = events answered 'created' per second; ratio = events/s ÷ /healthz req/s")
    finally:
        Event.objects.filter(recorded_by_id=user_id).delete()
        if auth:
            Session.objects.filter(session_key=auth[0]).delete()
    return 1 if worst else 0


if __name__ == "__main__":
    sys.exit(main())
