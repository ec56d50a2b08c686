"""The authoring rules: who may write what, the status flow, dates from rules, attendance and moderation."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from activities import authoring
from activities.authoring import AuthoringError
from activities.models import Activity, ActivitySuggestion, Attendance, RecurrenceRule
from tests.factories import (
    ActivityFactory,
    ActivitySuggestionFactory,
    AssociationFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
    RegistrationFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def rep(association):
    user = UserFactory(role=Role.ASSOCIATION_REP)
    RepresentativeFactory(user=user, association=association, role="activities")
    return user


@pytest.fixture
def coordinator():
    return UserFactory(role=Role.COORDINATOR)


def draft_with_date(association, **kwargs):
    activity = ActivityFactory(organiser_association=association, status=Activity.Status.DRAFT, **kwargs)
    OccurrenceFactory(activity=activity)
    return activity


def activity_fields(association, **overrides):
    return {
        "title": "Stavgång i Högsjö",
        "description": "Vi går en timme i lugnt tempo.",
        "organiser_association": association,
        "organiser_unit": "",
        "place": MeetingPlaceFactory(),
        **overrides,
    }


# --- Scopes ------------------------------------------------------------------------------------------


def test_representatives_reach_only_their_own_associations_activities(rep, association, coordinator):
    own = ActivityFactory(organiser_association=association)
    other = ActivityFactory()
    assert list(authoring.manageable_activities(rep)) == [own]
    assert list(authoring.editable_activities(rep)) == [own]
    assert set(authoring.editable_activities(coordinator)) == {own, other}


def test_a_grants_only_representative_may_read_but_not_write(association):
    user = UserFactory(role=Role.ASSOCIATION_REP)
    RepresentativeFactory(user=user, association=association, role="grants")
    activity = ActivityFactory(organiser_association=association)
    assert list(authoring.manageable_activities(user)) == [activity]
    assert not authoring.editable_activities(user).exists()


# --- Writing -----------------------------------------------------------------------------------------


def test_create_makes_a_draft_with_a_unique_slug(rep, association):
    first = authoring.create_activity(user=rep, fields=activity_fields(association))
    second = authoring.create_activity(user=rep, fields=activity_fields(association))
    assert (first.status, first.slug, second.slug) == ("draft", "stavgang-i-hogsjo", "stavgang-i-hogsjo-2")
    assert first.created_by == rep


def test_a_representative_cannot_create_for_another_association(rep):
    with pytest.raises(PermissionDenied):
        authoring.create_activity(user=rep, fields=activity_fields(AssociationFactory()))


def test_only_coordinators_may_name_a_municipal_unit_as_organiser(rep, coordinator):
    fields = activity_fields(None, organiser_association=None, organiser_unit="Kulturenheten")
    with pytest.raises(AuthoringError):
        authoring.create_activity(user=rep, fields=fields)
    assert authoring.create_activity(user=coordinator, fields=fields).organiser_name == "Kulturenheten"


def test_a_representatives_edit_of_a_published_activity_stays_published_and_is_audited(rep, association):
    activity = ActivityFactory(organiser_association=association, status=Activity.Status.PUBLISHED)
    authoring.update_activity(
        activity, user=rep, fields={"title": "Ny titel", "organiser_association": association}
    )
    activity.refresh_from_db()
    assert (activity.title, activity.status) == ("Ny titel", "published")
    entry = AuditEntry.objects.get(action="activities.activity.update")
    assert entry.detail == {"status": "published", "changed": ["title"]}


def test_a_cancelled_activity_cannot_be_edited(coordinator):
    activity = ActivityFactory(status=Activity.Status.CANCELLED)
    with pytest.raises(AuthoringError):
        authoring.update_activity(activity, user=coordinator, fields={"title": "X"})


# --- Status flow -------------------------------------------------------------------------------------


def test_the_happy_path_draft_pending_published_cancelled(rep, coordinator, association):
    activity = draft_with_date(association)
    authoring.submit_for_review(activity, user=rep)
    assert activity.status == "pending"
    authoring.publish(activity, user=coordinator)
    assert (activity.status, activity.published_at is not None) == ("published", True)
    authoring.cancel_activity(activity, user=coordinator, reason="Ledaren har flyttat.")
    activity.refresh_from_db()
    assert activity.status == "cancelled"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "activities.activity.submit",
        "activities.activity.publish",
        "activities.activity.cancel",
    } <= actions


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("pending", "submit"),
        ("published", "submit"),
        ("cancelled", "submit"),
        ("published", "publish"),
        ("cancelled", "publish"),
        ("draft", "return"),
        ("published", "return"),
        ("draft", "cancel"),
        ("pending", "cancel"),
        ("cancelled", "cancel"),
    ],
)
def test_illegal_transitions_raise(coordinator, association, status, action):
    activity = draft_with_date(association)
    Activity.objects.filter(pk=activity.pk).update(status=status)
    activity.refresh_from_db()
    call = {
        "submit": lambda: authoring.submit_for_review(activity, user=coordinator),
        "publish": lambda: authoring.publish(activity, user=coordinator),
        "return": lambda: authoring.return_to_draft(activity, user=coordinator, comment="Mer text"),
        "cancel": lambda: authoring.cancel_activity(activity, user=coordinator, reason="Sjukdom"),
    }[action]
    with pytest.raises(AuthoringError):
        call()
    activity.refresh_from_db()
    assert activity.status == status


@pytest.mark.parametrize("action", ["publish", "return", "cancel"])
def test_representatives_may_not_publish_return_or_cancel(rep, association, action):
    activity = draft_with_date(association)
    with pytest.raises(PermissionDenied):
        {
            "publish": lambda: authoring.publish(activity, user=rep),
            "return": lambda: authoring.return_to_draft(activity, user=rep, comment="x"),
            "cancel": lambda: authoring.cancel_activity(activity, user=rep, reason="x"),
        }[action]()


def test_an_activity_without_dates_cannot_be_submitted_or_published(rep, coordinator, association):
    activity = ActivityFactory(organiser_association=association, status=Activity.Status.DRAFT)
    with pytest.raises(AuthoringError):
        authoring.submit_for_review(activity, user=rep)
    with pytest.raises(AuthoringError):
        authoring.publish(activity, user=coordinator)


def test_the_organiser_is_told_when_the_activity_is_returned_or_published(
    rep, coordinator, association, on_commit
):
    activity = draft_with_date(association, created_by=rep, contact_email="kontakt@example.org")
    authoring.submit_for_review(activity, user=rep)
    with on_commit(execute=True):
        authoring.return_to_draft(activity, user=coordinator, comment="Saknar telefonnummer.")
    assert mail.outbox[0].to == sorted(["kontakt@example.org", rep.email])
    assert "Saknar telefonnummer." in mail.outbox[0].body
    with on_commit(execute=True):
        authoring.publish(activity, user=coordinator)
    assert f"/aktiviteter/{activity.slug}/" in mail.outbox[1].body


def test_returning_needs_a_comment_which_the_organiser_then_sees(coordinator, association):
    activity = draft_with_date(association)
    Activity.objects.filter(pk=activity.pk).update(status="pending")
    activity.refresh_from_db()
    with pytest.raises(AuthoringError):
        authoring.return_to_draft(activity, user=coordinator, comment="  ")
    authoring.return_to_draft(activity, user=coordinator, comment="Ange ett telefonnummer.")
    assert activity.status == "draft"
    assert authoring.latest_review_comment(activity) == "Ange ett telefonnummer."


def test_cancelling_an_activity_cancels_future_dates_and_tells_everyone(coordinator, on_commit):
    activity = ActivityFactory(signup_required=True)
    past = OccurrenceFactory(activity=activity, starts_at=timezone.now() - timedelta(days=2))
    future = OccurrenceFactory(activity=activity)
    RegistrationFactory(occurrence=future, guest_email="a@example.org")
    RegistrationFactory(occurrence=future, guest_email="b@example.org")
    with on_commit(execute=True):
        told = authoring.cancel_activity(activity, user=coordinator, reason="Lokalen renoveras.")
    future.refresh_from_db()
    past.refresh_from_db()
    assert (told, future.is_cancelled, future.cancel_reason, past.is_cancelled) == (
        2,
        True,
        "Lokalen renoveras.",
        False,
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]


def test_a_single_occasion_is_cancelled_with_a_reason(rep, association):
    occurrence = OccurrenceFactory(activity=ActivityFactory(organiser_association=association))
    with pytest.raises(AuthoringError):
        authoring.cancel_occurrence(occurrence, user=rep, reason=" ")
    authoring.cancel_occurrence(occurrence, user=rep, reason="Ledaren är sjuk.")
    occurrence.refresh_from_db()
    assert occurrence.is_cancelled
    with pytest.raises(AuthoringError):
        authoring.cancel_occurrence(occurrence, user=rep, reason="Igen")


# --- Dates from rules --------------------------------------------------------------------------------


def weekly_rule(**overrides):
    today = timezone.localdate()
    return RecurrenceRule(
        frequency="weekly",
        weekdays=[today.weekday()],
        start_date=today + timedelta(days=7),
        end_date=today + timedelta(days=7 * 4),
        start_time=time(10),
        end_time=time(11, 30),
        **overrides,
    )


def test_saving_rules_generates_dates_and_a_change_removes_dates_nobody_signed_up_for(rep, association):
    activity = ActivityFactory(organiser_association=association, status=Activity.Status.DRAFT)
    rule = weekly_rule()
    assert authoring.save_recurrence_rules(activity, user=rep, rules=[rule]) == 4
    first, second, *_rest = activity.occurrences.order_by("starts_at")
    RegistrationFactory(occurrence=second)
    rule.exceptions = [timezone.localtime(first.starts_at).date().isoformat()]
    rule.end_date = rule.start_date + timedelta(days=7)
    authoring.save_recurrence_rules(activity, user=rep, rules=[rule])
    # The first date is left out, the last two are beyond the new end; the second keeps its sign-up.
    assert list(activity.occurrences.values_list("pk", flat=True)) == [second.pk]


def test_a_new_end_time_moves_the_end_of_future_dates(rep, association):
    activity = ActivityFactory(organiser_association=association)
    rule = weekly_rule()
    authoring.save_recurrence_rules(activity, user=rep, rules=[rule])
    rule.end_time = time(12)
    authoring.save_recurrence_rules(activity, user=rep, rules=[rule])
    ends = {timezone.localtime(o.ends_at).time() for o in activity.occurrences.all()}
    assert (activity.occurrences.count(), ends) == (4, {time(12)})


def test_deleting_a_rule_removes_its_future_dates(rep, association):
    activity = ActivityFactory(organiser_association=association)
    rule = weekly_rule()
    authoring.save_recurrence_rules(activity, user=rep, rules=[rule])
    authoring.save_recurrence_rules(activity, user=rep, rules=[], deleted=[rule])
    assert not activity.occurrences.exists()
    assert not RecurrenceRule.objects.exists()


def test_an_extra_date_cannot_duplicate_or_end_before_it_starts(rep, association):
    activity = ActivityFactory(organiser_association=association)
    start = timezone.now() + timedelta(days=10)
    authoring.add_occurrence(activity, user=rep, starts_at=start, ends_at=start + timedelta(hours=1))
    with pytest.raises(AuthoringError):
        authoring.add_occurrence(activity, user=rep, starts_at=start, ends_at=start + timedelta(hours=2))
    with pytest.raises(AuthoringError):
        authoring.add_occurrence(activity, user=rep, starts_at=start + timedelta(days=1), ends_at=start)


# --- Attendance --------------------------------------------------------------------------------------


@pytest.fixture
def past_occurrence(association):
    return OccurrenceFactory(
        activity=ActivityFactory(organiser_association=association),
        starts_at=timezone.now() - timedelta(hours=3),
    )


def test_attendance_is_stored_replaced_and_audited(rep, past_occurrence):
    authoring.record_attendance(past_occurrence, user=rep, counts={"women_75_84": 6, "men_65_74": 2})
    attendance = authoring.record_attendance(
        past_occurrence, user=rep, counts={"women_75_84": 7, "others": 1}
    )
    assert Attendance.objects.count() == 1
    assert (attendance.total, attendance.entered_by) == (10, rep)
    assert AuditEntry.objects.filter(action="activities.attendance.record").count() == 2


@pytest.mark.parametrize(
    "counts", [{"women_65_74": -1}, {"men_85_plus": 2.5}, {"children": 3}, {"others": True}]
)
def test_attendance_counts_must_be_known_whole_and_not_negative(rep, past_occurrence, counts):
    with pytest.raises(AuthoringError):
        authoring.record_attendance(past_occurrence, user=rep, counts=counts)
    assert not Attendance.objects.exists()


def test_attendance_waits_until_the_occasion_has_started(rep, association):
    occurrence = OccurrenceFactory(activity=ActivityFactory(organiser_association=association))
    with pytest.raises(AuthoringError):
        authoring.record_attendance(occurrence, user=rep, counts={"others": 1})


def test_another_associations_representative_cannot_record_attendance(past_occurrence):
    stranger = UserFactory(role=Role.ASSOCIATION_REP)
    RepresentativeFactory(user=stranger)
    with pytest.raises(PermissionDenied):
        authoring.record_attendance(past_occurrence, user=stranger, counts={"others": 1})


# --- Suggestions -------------------------------------------------------------------------------------


def test_accepting_a_suggestion_creates_a_prefilled_draft_and_thanks_the_sender(coordinator, on_commit):
    suggestion = ActivitySuggestionFactory()
    place = MeetingPlaceFactory()
    with on_commit(execute=True):
        activity = authoring.accept_suggestion(
            suggestion, user=coordinator, place=place, organiser_unit="Fritidsenheten"
        )
    suggestion.refresh_from_db()
    assert (activity.status, activity.title, activity.place) == ("draft", suggestion.title, place)
    assert "Torsdagar kl. 10" in activity.description
    assert (suggestion.status, suggestion.activity, suggestion.handled_by) == (
        "accepted",
        activity,
        coordinator,
    )
    assert [m.to for m in mail.outbox] == [["greta@example.org"]]
    assert suggestion.title in mail.outbox[0].subject


def test_rejecting_a_suggestion_tells_the_sender_once(coordinator, on_commit):
    suggestion = ActivitySuggestionFactory()
    with on_commit(execute=True):
        authoring.reject_suggestion(suggestion, user=coordinator)
    assert suggestion.status == ActivitySuggestion.Status.REJECTED
    assert len(mail.outbox) == 1
    with pytest.raises(AuthoringError):
        authoring.reject_suggestion(suggestion, user=coordinator)


def test_a_suggestion_without_an_address_is_handled_silently(coordinator, on_commit):
    suggestion = ActivitySuggestionFactory(contact_email="")
    with on_commit(execute=True):
        authoring.reject_suggestion(suggestion, user=coordinator)
    assert mail.outbox == []
