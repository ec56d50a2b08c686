"""The Django side of ``bench/run.py``: users and sessions, the pages to measure, seeding and the annual
report, run in the bench's own process against the bench's database."""

import os
import secrets
import string
import time
from datetime import date
from urllib.parse import quote

from results import log
from stack import Stack


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
