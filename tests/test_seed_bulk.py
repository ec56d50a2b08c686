"""``manage.py seed_bulk``: proportions, determinism, --replace, the demo-mode guard and a query budget."""

import io
import statistics

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Sum

from activities.models import Activity, Attendance, MeetingPlace, Occurrence, Registration
from associations.models import AnnualDocument, Association, GrantApplication, Payment
from followup.models import PopulationFigure
from portal.models import Locality
from welfaretech.models import CareRecipient, CareTeam, Event

SCALE = 0.02  # 6 activities, 40 care recipients, about 10,000 events
YEAR = 2025
# Every table is written in batches (bulk_create, executemany or COPY), so the number of queries depends on
# the number of tables and batches, never on the number of rows. A per-row query anywhere would need
# thousands: SCALE alone writes more than 12,000 rows.
QUERY_BUDGET = 120

pytestmark = pytest.mark.django_db


def seed(scale: float = SCALE, seed: int = 7, **options) -> str:
    out = io.StringIO()
    call_command(
        "seed_bulk", scale=scale, seed=seed, year=YEAR, allow_production_settings=True, stdout=out, **options
    )
    return out.getvalue()


def snapshot() -> dict:
    """Counts of every bulk table and a few sampled values, comparable across runs."""
    events = Event.objects.filter(recipient__code__startswith="BULK-")
    return {
        "counts": {
            "places": MeetingPlace.objects.filter(slug__startswith="bulk-").count(),
            "activities": Activity.objects.filter(slug__startswith="bulk-").count(),
            "occurrences": Occurrence.objects.filter(activity__slug__startswith="bulk-").count(),
            "registrations": Registration.objects.filter(cancel_token__startswith="bulk-").count(),
            "attendance": Attendance.objects.filter(occurrence__activity__slug__startswith="bulk-").count(),
            "associations": Association.objects.filter(slug__startswith="bulk-").count(),
            "applications": GrantApplication.objects.filter(reference__startswith="BULK-").count(),
            "recipients": CareRecipient.objects.filter(code__startswith="BULK-").count(),
            "events": events.count(),
        },
        "titles": list(
            Activity.objects.filter(slug__startswith="bulk-").order_by("slug").values_list("title")
        ),
        "registrations": list(
            Registration.objects.filter(cancel_token__startswith="bulk-")
            .order_by("cancel_token")
            .values_list("cancel_token", "guest_name", "status", "created_at")[:20]
        ),
        "attendance": Attendance.objects.filter(occurrence__activity__slug__startswith="bulk-").aggregate(
            **{field: Sum(field) for field in Attendance.COUNT_FIELDS}
        ),
        "recipients": list(
            CareRecipient.objects.filter(code__startswith="BULK-")
            .order_by("code")
            .values_list("code", "birth_year", "sex", "locality__slug")
        ),
        "events": list(
            events.order_by("occurred_at", "client_uuid").values_list("client_uuid", "kind", "occurred_at")[
                :50
            ]
        ),
        "applications": list(
            GrantApplication.objects.filter(reference__startswith="BULK-")
            .order_by("reference")
            .values_list("reference", "status", "approved_amount")
        ),
    }


def test_proportions_of_a_municipality_year():
    output = seed(scale=2 * SCALE)
    assert "welfaretech_event" in output and "rows in" in output

    counts = snapshot()["counts"]
    activities = counts["activities"]
    assert counts["places"] >= Locality.objects.count() == 7
    # Recurring activities: about 50 occurrences a year each (weekly with a summer break, some twice a week).
    assert 30 <= counts["occurrences"] / activities <= 80
    # About 85,000 sign-ups per 15,000 occurrences at scale 1, one attendance row per occurrence held.
    assert counts["attendance"] <= counts["occurrences"]
    assert counts["attendance"] >= 0.8 * counts["occurrences"]
    assert 2 <= counts["registrations"] / counts["occurrences"] <= 12
    # About 250 welfare-technology events per care recipient and year.
    assert 150 <= counts["events"] / counts["recipients"] <= 400

    # More activities in the central town, but every village has some.
    per_locality = dict(
        Activity.objects.filter(slug__startswith="bulk-", place__isnull=False)
        .values_list("place__locality__slug")
        .annotate(n=Count("id"))
    )
    assert set(per_locality) == set(Locality.objects.values_list("slug", flat=True))
    assert max(per_locality, key=per_locality.get) == "vingaker"
    assert per_locality["vingaker"] > sum(per_locality.values()) / 3

    # Fewer men than women among participants; most participants 65–84.
    totals = snapshot()["attendance"]
    women = totals["women_65_74"] + totals["women_75_84"] + totals["women_85_plus"]
    men = totals["men_65_74"] + totals["men_75_84"] + totals["men_85_plus"]
    assert 0.15 < men / (women + men) < 0.45
    assert totals["women_85_plus"] < totals["women_65_74"]

    # Digital supervision: night checks every night; alarm response times log-normal around 20 minutes.
    checks = Event.objects.filter(recipient__code__startswith="BULK-", kind="camera_check_ok")
    assert checks.exists()
    assert {timestamp.hour for timestamp in checks.values_list("occurred_at", flat=True)[:500]} <= {
        21,
        22,
        23,
        0,
        1,
        2,
        3,
        4,
    }  # UTC: 22:30–05:38 Stockholm time
    responses = [
        (arrived - occurred).total_seconds() / 60
        for occurred, arrived in Event.objects.filter(
            recipient__code__startswith="BULK-", kind="alarm", arrived_at__isnull=False
        ).values_list("occurred_at", "arrived_at")
    ]
    assert len(responses) > 20
    assert 10 < statistics.median(responses) < 40
    assert max(responses) > 1.5 * statistics.median(responses)  # a long tail
    assert Event.objects.filter(
        recipient__code__startswith="BULK-", kind="alarm", resolved_remotely=True
    ).exists()

    # Associations: documents filed, grants paid; population figures for the year and the one before.
    assert AnnualDocument.objects.filter(association__slug__startswith="bulk-", status="approved").exists()
    assert Payment.objects.filter(application__reference__startswith="BULK-").exists()
    assert PopulationFigure.objects.filter(year__in=(YEAR - 1, YEAR)).count() == 2 * 7 * 2 * 4
    # Every care recipient belongs to a team of their own locality.
    assert (
        not CareRecipient.objects.filter(code__startswith="BULK-")
        .exclude(team__locality=F("locality"))
        .exists()
    )


def test_same_seed_same_data_other_seed_other_data():
    seed(seed=11)
    first = snapshot()
    seed(seed=11, replace=True)
    assert snapshot() == first
    seed(seed=12, replace=True)
    other = snapshot()
    assert other["events"] != first["events"]
    assert other["recipients"] != first["recipients"]


def test_the_bulk_create_fallback_writes_the_same_rows():
    seed(seed=5)
    fast = snapshot()
    seed(seed=5, replace=True, writer="bulk_create")
    assert snapshot() == fast


def test_refuses_to_seed_twice_and_replace_touches_only_bulk_rows():
    locality = Locality.objects.create(
        name="Vingåker", slug="vingaker", is_rural=False, latitude="59.04", longitude="15.87"
    )
    own_association = Association.objects.create(name="Egen förening", slug="egen-forening")
    own_team = CareTeam.objects.create(name="Hemtjänst centrum", locality=locality)
    seed()
    counts = snapshot()["counts"]
    with pytest.raises(CommandError, match="--replace"):
        seed()
    output = seed(replace=True)
    assert "Deleted the earlier bulk data" in output
    assert snapshot()["counts"] == counts  # replaced, not doubled
    assert Association.objects.filter(pk=own_association.pk).exists()
    assert CareTeam.objects.filter(pk=own_team.pk).exists()
    assert Locality.objects.count() == 7  # the existing one reused, the six others created


def test_refused_outside_demo_mode_without_the_flag(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed_bulk", scale=SCALE, stdout=io.StringIO())
    assert not Activity.objects.exists()
    seed()  # --allow-production-settings
    assert Activity.objects.filter(slug__startswith="bulk-").exists()


@pytest.mark.parametrize("scale", [SCALE, 2 * SCALE])
def test_query_count_does_not_grow_with_the_rows(scale, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERY_BUDGET):
        seed(scale=scale)
    assert Event.objects.count() > 8000 * scale / SCALE
