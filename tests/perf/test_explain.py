"""Every key filter and sort path has an index: PostgreSQL's plans for the queries the pages, the API and
the indicators really run (built by the same selectors and filters) must not read a large table from end to
end.

The data is a municipality-year from ``seed_bulk`` (a tenth of one: about 2,000 occurrences, 13,000
sign-ups and 50,000 welfare-technology events), the occurrences again for five earlier years (as after a
few years in use, when upcoming ones are a small part of the table), 20,000 audit entries and 3,000 grant
applications, analysed so that the planner sees real statistics. Three checks per query:

- No ``Seq Scan`` of a *large* table (more than ``LARGE_ROWS`` rows) in the plan the planner picks: at that
  size only a missing or unusable index makes reading everything the cheapest plan.
- Run (EXPLAIN ANALYZE), no scan reads more than ``READ_SHARE`` of a large table's rows: this catches an
  index used only for its order and walked from one end while a filter throws rows away, which is a
  sequential scan in disguise (an "upcoming" filter on ``ends_at`` walking the ``starts_at`` index).
- On a *big* table (more than ``BIG_ROWS`` rows) an index must at least exist: the plan with sequential
  scans switched off (``enable_seqscan = off``, so that the planner takes any index it can use) must not
  contain one. This does not depend on the data's size, so it does not turn flaky where the planner rightly
  prefers reading a few pages to using an index at test sizes.

PostgreSQL only (skipped on SQLite): SQLite's planner and indexes are not what production runs.
"""

import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.filters import AuditEntryFilter
from accounts.models import AuditEntry, User
from accounts.roles import Role
from activities import selectors
from activities.models import Activity, Category, MeetingPlace, Occurrence, Registration
from associations.casework import casework_applications
from associations.forms_casework import QueueFilterForm
from associations.models import Association, GrantApplication, GrantProgramme
from followup.computations.activities import _held
from followup.computations.welfaretech import DIGITAL_CHECKS, _events
from followup.indicators import Query
from portal.models import Locality
from welfaretech.models import CareRecipient, CareTeam, Event
from welfaretech.selectors import recipients_for
from welfaretech.shift import _my_events_today

from ..factories import CategoryFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="EXPLAIN checks need PostgreSQL (DATABASE_URL); SQLite plans say nothing about production",
    ),
]

SCALE = 0.1
YEAR = 2025
LARGE_ROWS = 10_000
BIG_ROWS = 1_000
READ_SHARE = 0.2  # a key query may read at most this share of a large table's rows
HISTORY_YEARS = 5  # occurrences of earlier years, as a municipality has after a few years in use
AUDIT_ROWS = 20_000
APPLICATION_ROWS = 3_000


def scans(plan) -> list[dict]:
    """Every node of an EXPLAIN (FORMAT JSON) plan that reads a table."""
    found = []
    if isinstance(plan, dict):
        if plan.get("Relation Name"):
            found.append(plan)
        for value in plan.values():
            found.extend(scans(value))
    elif isinstance(plan, list):
        for value in plan:
            found.extend(scans(value))
    return found


def examined(scan: dict) -> int:
    """Rows a scan node of an EXPLAIN ANALYZE plan really read: returned plus thrown away, every loop."""
    kept = scan["Actual Rows"]
    removed = scan.get("Rows Removed by Filter", 0) + scan.get("Rows Removed by Index Recheck", 0)
    return (kept + removed) * scan["Actual Loops"]


def explain(queryset, *, seqscan: bool = True, analyze: bool = False) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"SET enable_seqscan = {'on' if seqscan else 'off'}")
        try:
            plan = json.loads(queryset.explain(format="json", analyze=analyze))
        finally:
            cursor.execute("RESET enable_seqscan")
    return scans(plan)


def table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class"
            " WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        return {name: int(rows) for name, rows in cursor.fetchall()}


def _add_audit_entries(users: list[int]) -> None:
    actions = [
        "auth.login",
        "grants.application.submitted",
        "activities.activity.published",
        "privacy.export",
    ]
    start = datetime(YEAR, 1, 1, tzinfo=timezone.get_current_timezone())
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                at=start + timedelta(minutes=26 * i),
                actor_id=users[i % len(users)],
                actor_label=f"person{i % 50}@example.org",
                action=actions[i % len(actions)],
                object_type="activities.activity",
                object_id=str(i % 700),
            )
            for i in range(AUDIT_ROWS)
        ),
        batch_size=5000,
    )


def _add_history() -> None:
    """The seeded year's occurrences again in each of the ``HISTORY_YEARS`` years before (held)."""
    seeded = list(Occurrence.objects.values_list("activity_id", "starts_at", "ends_at", "place_id"))
    Occurrence.objects.bulk_create(
        (
            Occurrence(
                activity_id=activity,
                starts_at=starts - timedelta(weeks=52 * years),
                ends_at=ends - timedelta(weeks=52 * years),
                place_id=place,
            )
            for years in range(1, HISTORY_YEARS + 1)
            for activity, starts, ends, place in seeded
        ),
        batch_size=5000,
    )


def _add_applications() -> None:
    programmes = list(GrantProgramme.objects.order_by("pk"))
    associations = list(Association.objects.order_by("pk"))
    statuses = GrantApplication.Status.values
    start = datetime(YEAR, 1, 1, tzinfo=timezone.get_current_timezone())
    GrantApplication.objects.bulk_create(
        (
            GrantApplication(
                programme=programmes[i % len(programmes)],
                association=associations[i % len(associations)],
                reference=f"PERF-{i:05d}",
                status=statuses[i % len(statuses)],
                title="Träffar för seniorer",
                requested_amount=Decimal("10000"),
                submitted_at=start + timedelta(hours=2 * i),
            )
            for i in range(APPLICATION_ROWS)
        ),
        batch_size=1000,
    )


@pytest.fixture(scope="module")
def bulk(django_db_setup, django_db_blocker):
    """The seeded data for the whole module, in one transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        # The reference categories, in case a transactional test before this one flushed them.
        for slug, name_sv, name_en, *_tags in import_module(
            "activities.migrations.0002_categories"
        ).CATEGORIES:
            CategoryFactory(slug=slug, name_sv=name_sv, name_en=name_en)
        call_command(
            "seed_bulk",
            scale=SCALE,
            seed=7,
            year=YEAR,
            allow_production_settings=True,
            stdout=io.StringIO(),
        )
        senior = UserFactory(role=Role.SENIOR)
        occurrences = Occurrence.objects.order_by("pk").values_list("pk", flat=True)[:60]
        Registration.objects.bulk_create(
            Registration(occurrence_id=pk, user=senior, status=Registration.Status.CONFIRMED)
            for pk in occurrences
        )
        _add_history()
        _add_audit_entries(list(User.objects.values_list("pk", flat=True)[:25]))
        _add_applications()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        rows = table_rows()
        yield {
            "rows": rows,
            "senior": senior,
            "coordinator": UserFactory(role=Role.COORDINATOR),
            "welfaretech_admin": UserFactory(role=Role.WELFARETECH_ADMIN),
        }
        transaction.set_rollback(True)


def _aware(day: date) -> datetime:
    return selectors.start_of_day(day)


def key_queries(bulk) -> dict:
    """name -> queryset, as the pages, the API and the indicators build them."""
    locality = Locality.objects.filter(meeting_places__slug__startswith="bulk-").order_by("pk").first()
    category = Category.objects.filter(activities__slug__startswith="bulk-").order_by("pk").first()
    place = MeetingPlace.objects.filter(slug__startswith="bulk-").order_by("pk").first()
    activity = Activity.objects.filter(slug__startswith="bulk-").order_by("pk").first()
    occurrence = Occurrence.objects.filter(activity=activity).order_by("pk").first()
    team = CareTeam.objects.filter(name__startswith="Bulk").order_by("pk").first()
    recipient = CareRecipient.objects.filter(code__startswith="BULK-").order_by("pk").first()
    staff = team.members.order_by("pk").first()
    day = date(YEAR, 5, 5)
    week = selectors.OccurrenceSearch(
        date_from=day, date_to=day + timedelta(days=6), localities=[locality.slug], categories=[category.slug]
    )
    upcoming, past = selectors.upcoming_and_past_registrations(bulk["senior"])
    month = Query(date_from=date(YEAR, 5, 1), date_to=date(YEAR, 5, 31), granularity="month")
    night = (_aware(day) + timedelta(hours=22), _aware(day) + timedelta(hours=30))
    audit = {
        "audit log": {},
        "audit log, one day": {"date_from": "2025-05-05", "date_to": "2025-05-05"},
        "audit log, one object": {"object_type": "activities.activity", "object_id": "42"},
    }
    queue = QueueFilterForm({"status": GrantApplication.Status.SUBMITTED})
    return {
        "activity search: week, locality, category": selectors.search_occurrences(week)[:20],
        "activity search: upcoming": selectors.search_occurrences(selectors.OccurrenceSearch())[:20],
        "activity search: text": selectors.search_occurrences(selectors.OccurrenceSearch(text="promenad"))[
            :20
        ],
        "occurrences at a place": selectors.occurrences_at_place(place)[:20],
        "occurrences this week": selectors.occurrences_this_week(locality.slug)[:20],
        "bookable occurrences of an activity": selectors.bookable_occurrences_of(activity),
        "my sign-ups: upcoming": upcoming,
        "my sign-ups: past": past[:20],
        "sign-ups of an occurrence": occurrence.registrations.select_related("user").order_by(
            "status", "created_at", "id"
        ),
        "casework queue": QueueFilterForm({}).apply(casework_applications(bulk["coordinator"]))[:25],
        "casework queue by status": queue.apply(casework_applications(bulk["coordinator"]))[:25],
        **{
            name: AuditEntryFilter(data, queryset=AuditEntry.objects.all()).qs[:50]
            for name, data in audit.items()
        },
        "events of a recipient": recipient.events.order_by("-occurred_at")[:50],
        "events of a team in a week": Event.objects.filter(
            team=team, occurred_at__gte=_aware(day), occurred_at__lt=_aware(day + timedelta(days=7))
        ),
        "my events today (shift, API)": _my_events_today(staff),
        "night checks (shift)": Event.objects.filter(
            recipient__in=recipients_for(bulk["welfaretech_admin"]).filter(team=team),
            kind__in=DIGITAL_CHECKS,
            superseded=False,
            occurred_at__range=night,
        ),
        "indicator: events of a month by kind": _events(month).filter(kind__in=list(DIGITAL_CHECKS)),
        "indicator: occurrences held in a month": _held(Occurrence, month),
        "indicator: attendance of a month": _held(Occurrence, month).filter(attendance__isnull=False),
    }


QUERY_NAMES = [
    "activity search: week, locality, category",
    "activity search: upcoming",
    "activity search: text",
    "occurrences at a place",
    "occurrences this week",
    "bookable occurrences of an activity",
    "my sign-ups: upcoming",
    "my sign-ups: past",
    "sign-ups of an occurrence",
    "casework queue",
    "casework queue by status",
    "audit log",
    "audit log, one day",
    "audit log, one object",
    "events of a recipient",
    "events of a team in a week",
    "my events today (shift, API)",
    "night checks (shift)",
    "indicator: events of a month by kind",
    "indicator: occurrences held in a month",
    "indicator: attendance of a month",
]


def test_the_data_is_big_enough_to_mean_something(bulk):
    rows = bulk["rows"]
    assert rows["welfaretech_event"] > LARGE_ROWS
    assert rows["activities_registration"] > LARGE_ROWS
    assert rows["accounts_auditentry"] > LARGE_ROWS
    assert rows["activities_occurrence"] > LARGE_ROWS
    assert rows["associations_grantapplication"] > BIG_ROWS


def test_every_key_query_is_checked(bulk):
    names = [name if isinstance(name, str) else name.values[0] for name in QUERY_NAMES]
    assert sorted(key_queries(bulk)) == sorted(names)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_key_query_reads_large_tables_through_an_index(bulk, name):
    queryset = key_queries(bulk)[name]
    rows = bulk["rows"]
    executed = explain(queryset, analyze=True)
    chosen = [s["Relation Name"] for s in executed if s["Node Type"] == "Seq Scan"]
    large = [table for table in chosen if rows.get(table, 0) > LARGE_ROWS]
    assert not large, f"{name}: sequential scan of {large} ({[rows[t] for t in large]} rows)"
    # An index used only for its order, walked from one end while a filter throws rows away, is a
    # sequential scan in disguise.
    read = {
        s["Relation Name"]: examined(s)
        for s in executed
        if rows.get(s["Relation Name"], 0) > LARGE_ROWS
        and examined(s) > rows[s["Relation Name"]] * READ_SHARE
    }
    assert not read, f"{name}: reads most of a large table {read}"
    forced = [s["Relation Name"] for s in explain(queryset, seqscan=False) if s["Node Type"] == "Seq Scan"]
    unindexed = [table for table in forced if rows.get(table, 0) > BIG_ROWS]
    assert not unindexed, f"{name}: no index serves {unindexed} ({[rows[t] for t in unindexed]} rows)"


def test_the_check_fails_without_an_index(bulk):
    """The test can fail: a filter on a column without an index is caught."""
    queryset = AuditEntry.objects.filter(actor_label="person7@example.org").order_by()
    assert "accounts_auditentry" in [
        s["Relation Name"] for s in explain(queryset) if s["Node Type"] == "Seq Scan"
    ]
