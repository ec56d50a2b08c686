"""Sign-up rules: capacity, waiting list, cancellation with promotion, cancelled occasions, reminders."""

import threading
from datetime import UTC, date, time, timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone, translation

from activities import services
from activities.models import Activity, Occurrence, RecurrenceRule, Registration
from activities.tasks import send_reminders

from ..factories import ActivityFactory, OccurrenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English; the Swedish wording is the translators' to change."""
    with translation.override("en"):
        yield


def occurrence_with(capacity: int | None, waiting_list: bool = True, **activity) -> Occurrence:
    return OccurrenceFactory(
        activity=ActivityFactory(
            signup_required=True, capacity=capacity, waiting_list=waiting_list, **activity
        )
    )


def guest(occurrence, name="Gäst", party_size=1, email=None):
    return services.register(
        occurrence, guest_name=name, guest_email=email or f"{name.lower()}@example.org", party_size=party_size
    )


class TestGenerateOccurrences:
    def test_a_weekly_rule_creates_local_times_and_is_idempotent(self):
        activity = ActivityFactory()
        rule = RecurrenceRule.objects.create(
            activity=activity,
            frequency="weekly",
            weekdays=[1],
            start_date=date(2026, 3, 1),
            end_date=date(2026, 3, 31),
            start_time=time(10, 0),
            end_time=time(11, 30),
            exceptions=["2026-03-17"],
        )
        assert services.generate_occurrences(rule) == 4
        assert services.generate_occurrences(rule) == 0
        first = activity.occurrences.first()
        local = timezone.localtime(first.starts_at)
        assert (local.date(), local.hour, local.minute) == (date(2026, 3, 3), 10, 0)
        assert timezone.localtime(first.ends_at).time() == time(11, 30)

    def test_times_follow_summer_time(self):
        activity = ActivityFactory()
        rule = RecurrenceRule.objects.create(
            activity=activity, frequency="weekly", weekdays=[5], start_date=date(2026, 3, 21),
            end_date=date(2026, 4, 4), start_time=time(10), end_time=time(11),
        )  # fmt: skip
        services.generate_occurrences(rule)
        hours_utc = [o.starts_at.astimezone(UTC).hour for o in activity.occurrences.all()]
        assert hours_utc == [9, 9, 8]  # 21 and 28 March in CET; 4 April in CEST (from 29 March)


class TestRegister:
    def test_confirmed_while_places_last_then_waiting_list(self, on_commit):
        occurrence = occurrence_with(capacity=3)
        with on_commit(execute=True):
            first = guest(occurrence, "Anna", party_size=2)
            second = guest(occurrence, "Bertil", party_size=2)
            third = guest(occurrence, "Cecilia")
        assert [first.status, second.status, third.status] == ["confirmed", "waiting", "confirmed"]
        assert services.confirmed_places(occurrence) == 3
        assert sorted(m.to[0] for m in mail.outbox if "arrangor" not in m.to[0]) == [
            "anna@example.org", "bertil@example.org", "cecilia@example.org",
        ]  # fmt: skip

    def test_the_organiser_is_told_when_it_becomes_full(self, on_commit):
        occurrence = occurrence_with(capacity=1)
        with on_commit(execute=True):
            guest(occurrence, "Anna")
        assert any(m.to == ["arrangor@example.org"] for m in mail.outbox)

    def test_without_waiting_list_a_full_occasion_refuses(self):
        occurrence = occurrence_with(capacity=1, waiting_list=False)
        guest(occurrence, "Anna")
        with pytest.raises(services.SignupError, match="fully booked"):
            guest(occurrence, "Bertil")

    def test_a_guest_must_give_a_name_and_a_way_to_be_reached(self):
        occurrence = occurrence_with(capacity=5)
        with pytest.raises(services.SignupError):
            services.register(occurrence, guest_name="Anna")
        with pytest.raises(services.SignupError):
            services.register(occurrence, guest_phone="070-123 45 67")
        assert (
            services.register(occurrence, guest_name="Anna", guest_phone="070-123 45 67").status
            == "confirmed"
        )

    def test_a_user_cannot_sign_up_twice(self, user_with_role):
        occurrence = occurrence_with(capacity=5)
        user = user_with_role("senior")
        services.register(occurrence, user=user)
        with pytest.raises(services.SignupError, match="already signed up"):
            services.register(occurrence, user=user)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"is_cancelled": True}, "cancelled"),
            ({"starts_at": timezone.now() - timedelta(hours=1)}, "already started"),
        ],
    )
    def test_cancelled_or_past_occasions_refuse(self, change, message):
        occurrence = occurrence_with(capacity=5)
        for field, value in change.items():
            setattr(occurrence, field, value)
        occurrence.save()
        with pytest.raises(services.SignupError, match=message):
            guest(occurrence)

    @pytest.mark.parametrize(
        ("activity", "message"),
        [
            ({"status": Activity.Status.PENDING}, "not open"),
            ({"signup_required": False}, "No sign-up is needed"),
        ],
    )
    def test_unpublished_or_drop_in_activities_refuse(self, activity, message):
        occurrence = OccurrenceFactory(activity=ActivityFactory(**{"signup_required": True, **activity}))
        with pytest.raises(services.SignupError, match=message):
            guest(occurrence)


class TestCancel:
    def test_cancelling_promotes_the_waiting_list_in_order_as_far_as_places_allow(self, on_commit):
        occurrence = occurrence_with(capacity=2)
        anna = guest(occurrence, "Anna", party_size=2)
        bertil = guest(occurrence, "Bertil")
        cecilia = guest(occurrence, "Cecilia")
        david = guest(occurrence, "David", party_size=2)
        mail.outbox.clear()

        with on_commit(execute=True):
            promoted = services.cancel_registration(anna)

        assert promoted == [bertil, cecilia]
        statuses = dict(Registration.objects.values_list("guest_name", "status"))
        assert statuses == {
            "Anna": "cancelled",
            "Bertil": "confirmed",
            "Cecilia": "confirmed",
            "David": "waiting",
        }
        assert sorted(m.to[0] for m in mail.outbox) == ["bertil@example.org", "cecilia@example.org"]
        assert david.pk

    def test_cancelling_twice_is_refused(self):
        registration = guest(occurrence_with(capacity=2))
        services.cancel_registration(registration)
        with pytest.raises(services.SignupError, match="already cancelled"):
            services.cancel_registration(registration)

    def test_the_cancel_link_asks_then_cancels(self, client):
        registration = guest(occurrence_with(capacity=2), "Anna")
        url = f"/aktiviteter/avanmal/{registration.cancel_token}/"
        page = client.get(url)
        assert page.status_code == 200 and registration.occurrence.activity.title in page.content.decode()
        assert client.post(url).status_code == 302
        registration.refresh_from_db()
        assert registration.status == "cancelled"

    def test_an_unknown_cancel_token_is_404(self, client):
        assert client.get("/aktiviteter/avanmal/not-a-token/").status_code == 404

    def test_cancelling_an_occasion_tells_everyone_signed_up(self, on_commit):
        occurrence = occurrence_with(capacity=1)
        guest(occurrence, "Anna")
        guest(occurrence, "Bertil")
        mail.outbox.clear()
        with on_commit(execute=True):
            told = services.cancel_occurrence(occurrence, reason="Ledaren är sjuk")
        assert told == 2
        assert all("Ledaren är sjuk" in m.body for m in mail.outbox) and len(mail.outbox) == 2

    def test_cancelling_an_occasion_needs_a_reason(self):
        with pytest.raises(services.SignupError):
            services.cancel_occurrence(occurrence_with(capacity=1), reason="  ")


class TestReminders:
    def test_reminders_go_once_to_confirmed_sign_ups_for_tomorrow(self, on_commit):
        tomorrow_noon = timezone.localtime().replace(hour=12, minute=0) + timedelta(days=1)
        tomorrow = occurrence_with(capacity=1)
        Occurrence.objects.filter(pk=tomorrow.pk).update(
            starts_at=tomorrow_noon, ends_at=tomorrow_noon + timedelta(hours=1)
        )
        later = occurrence_with(capacity=5)
        guest(tomorrow, "Anna")
        guest(tomorrow, "Bertil")  # waiting list: no reminder
        guest(later, "Cecilia")  # in three days: not yet
        mail.outbox.clear()

        with on_commit(execute=True):  # the reminder is stored in the outbox and sent once that commits
            assert send_reminders() == 1
            assert send_reminders() == 0
        assert [m.to for m in mail.outbox] == [["anna@example.org"]]
        assert "anna" in mail.outbox[0].body.lower() or "Anna" in mail.outbox[0].body


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI's second pass runs it"
)
@pytest.mark.django_db(transaction=True)
def test_parallel_sign_ups_never_exceed_capacity():
    occurrence = occurrence_with(capacity=10)
    errors: list[Exception] = []
    barrier = threading.Barrier(30)

    def sign_up(i: int) -> None:
        try:
            barrier.wait()
            guest(occurrence, f"Person{i}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counts = {s: Registration.objects.filter(status=s).count() for s in ("confirmed", "waiting")}
    assert counts == {"confirmed": 10, "waiting": 20}
