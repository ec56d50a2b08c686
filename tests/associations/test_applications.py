"""The grant process as a specification: states, who may act, four-eyes, eligibility and the grant rule."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from activities.models import Attendance
from associations import applications
from associations.applications import TRANSITIONS, TransitionError
from associations.calculation import calculate_activity_grant
from associations.eligibility import eligibility, eligible_associations
from associations.models import AnnualDocument, FollowUpReport, GrantApplication, Representative, StatusChange

from ..factories import ActivityFactory, OccurrenceFactory, UserFactory
from .factories import (
    AnnualDocumentFactory,
    AssociationFactory,
    GrantApplicationFactory,
    GrantProgrammeFactory,
    ProgrammeQuestionFactory,
    eligible_association,
    representative,
)

Status = GrantApplication.Status
ALL_STATES = list(Status.values)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return UserFactory(role=Role.COORDINATOR)


@pytest.fixture
def official():
    return UserFactory(role=Role.OFFICIAL)


@pytest.fixture
def draft():
    association = eligible_association()
    application = GrantApplicationFactory(association=association)
    application.rep = representative(association)
    return application


# --- The transition table ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ALL_STATES, ALL_STATES)))
def test_every_transition_is_allowed_exactly_when_the_table_says_so(current, target, coordinator):
    application = GrantApplicationFactory(status=current)
    if target in TRANSITIONS[current]:
        applications._transition(application, target, actor=coordinator)
        application.refresh_from_db()
        assert application.status == target
        change = StatusChange.objects.get(application=application)
        assert (change.from_status, change.to_status) == (current, target)
        assert AuditEntry.objects.filter(action=f"grants.application.{target}").exists()
    else:
        with pytest.raises(TransitionError):
            applications._transition(application, target, actor=coordinator)
        application.refresh_from_db()
        assert application.status == current
        assert not StatusChange.objects.exists()


def test_the_table_covers_every_state_and_ends_in_closed_or_withdrawn():
    assert set(TRANSITIONS) == set(ALL_STATES)
    assert TRANSITIONS[Status.CLOSED] == TRANSITIONS[Status.WITHDRAWN] == frozenset()
    # every state can still reach an end state
    for state in ALL_STATES:
        seen, frontier = set(), {state}
        while frontier:
            seen |= frontier
            frontier = {nxt for s in frontier for nxt in TRANSITIONS[s]} - seen
        assert seen & {Status.CLOSED, Status.WITHDRAWN}, state


ACTIONS_BY_STATE = {
    "submit": {Status.DRAFT},
    "resubmit": {Status.COMPLETION_REQUESTED},
    "request_completion": {Status.SUBMITTED, Status.RESUBMITTED},
    "assess": {Status.SUBMITTED, Status.RESUBMITTED},
    "withdraw": {Status.DRAFT, Status.SUBMITTED, Status.COMPLETION_REQUESTED, Status.RESUBMITTED},
}


def _act(action, application, rep, coordinator):
    if action == "submit":
        return applications.submit(application, actor=rep)
    if action == "resubmit":
        return applications.resubmit(application, actor=rep)
    if action == "request_completion":
        return applications.request_completion(application, actor=coordinator, request_text="Bifoga budget.")
    if action == "assess":
        return applications.assess(
            application, actor=coordinator, assessment="Bra.", proposed_amount=Decimal("5000")
        )
    return applications.withdraw(application, actor=rep, reason="Vi ställer in.")


@pytest.mark.parametrize(("action", "state"), list(itertools.product(ACTIONS_BY_STATE, ALL_STATES)))
def test_business_actions_work_only_from_their_states(action, state, draft, coordinator):
    draft.status = state
    draft.save()
    if state in ACTIONS_BY_STATE[action]:
        _act(action, draft, draft.rep, coordinator)
        draft.refresh_from_db()
        assert draft.status != state
    else:
        with pytest.raises(TransitionError):
            _act(action, draft, draft.rep, coordinator)
        draft.refresh_from_db()
        assert draft.status == state


def test_a_whole_case_from_draft_to_closed(draft, coordinator, official, on_commit, mailoutbox):
    rep = draft.rep
    with on_commit(execute=True):
        applications.submit(draft, actor=rep)
        applications.request_completion(draft, actor=coordinator, request_text="Bifoga budget.")
        applications.resubmit(draft, actor=rep)
        applications.assess(
            draft, actor=coordinator, assessment="Uppfyller villkoren.", proposed_amount=Decimal("8000")
        )
        applications.decide(
            draft,
            actor=official,
            outcome=GrantApplication.Outcome.PARTLY,
            approved_amount=Decimal("8000"),
            reasons="Budget.",
        )
        applications.record_payment(
            draft, actor=coordinator, paid_on=timezone.localdate(), amount=Decimal("8000"), reference="V-1"
        )
        report = FollowUpReport.objects.get(application=draft)
        applications.submit_report(
            report,
            actor=rep,
            narrative="Vi höll 20 träffar.",
            money_used=Decimal("7900"),
            counts={"women_65_74": 12},
        )
        applications.close(draft, actor=coordinator)
    draft.refresh_from_db()
    assert draft.status == Status.CLOSED
    assert list(draft.history.values_list("to_status", flat=True)) == [
        Status.SUBMITTED,
        Status.COMPLETION_REQUESTED,
        Status.RESUBMITTED,
        Status.ASSESSED,
        Status.DECIDED,
        Status.PAID,
        Status.REPORT_RECEIVED,
        Status.CLOSED,
    ]
    assert report.due_on == timezone.localdate() + timedelta(days=draft.programme.report_due_days)
    # every step e-mails the association's representative
    assert len([m for m in mailoutbox if rep.email in m.to]) == 8
    assert all(draft.reference in m.subject for m in mailoutbox)


# --- Who may act ------------------------------------------------------------------------------------------


def test_a_representative_of_another_association_cannot_act(draft):
    stranger = representative()
    with pytest.raises(TransitionError):
        applications.submit(draft, actor=stranger)
    with pytest.raises(TransitionError):
        applications.update_draft(draft, actor=stranger, title="Kapat")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.title != "Kapat"


def test_an_activities_representative_cannot_apply(draft):
    activities_rep = representative(draft.association, role=Representative.Role.ACTIVITIES)
    with pytest.raises(TransitionError):
        applications.submit(draft, actor=activities_rep)


def test_representatives_cannot_assess_or_request_completion(draft):
    applications.submit(draft, actor=draft.rep)
    with pytest.raises(TransitionError):
        applications.assess(draft, actor=draft.rep, assessment="Själv", proposed_amount=Decimal("1"))
    with pytest.raises(TransitionError):
        applications.request_completion(draft, actor=draft.rep, request_text="x")


def test_a_draft_can_be_edited_but_not_after_submission(draft):
    applications.update_draft(draft, actor=draft.rep, title="Nytt namn")
    applications.submit(draft, actor=draft.rep)
    with pytest.raises(TransitionError):
        applications.update_draft(draft, actor=draft.rep, title="Sent")


# --- Submission rules -------------------------------------------------------------------------------------


def test_submission_is_refused_outside_the_window(draft):
    draft.programme.closes_on = timezone.localdate() - timedelta(days=1)
    draft.programme.save()
    with pytest.raises(TransitionError) as error:
        applications.submit(draft, actor=draft.rep)
    assert "from" in str(error.value) or draft.programme.closes_on.isoformat() in str(error.value)


def test_submission_needs_required_answers_and_attachments(draft, english):
    ProgrammeQuestionFactory(programme=draft.programme, text="Hur många deltar?")
    draft.programme.required_attachments = ["Budget"]
    draft.programme.save()
    with pytest.raises(TransitionError) as error:
        applications.submit(draft, actor=draft.rep)
    messages = error.value.messages
    assert any("Hur många deltar?" in m for m in messages)
    assert any("Budget" in m for m in messages)


def test_an_ineligible_association_cannot_submit_to_a_documents_programme(english):
    association = AssociationFactory(base_data_confirmed_at=timezone.now())
    application = GrantApplicationFactory(association=association)
    rep = representative(association)
    with pytest.raises(TransitionError) as error:
        applications.submit(application, actor=rep)
    assert any("documents are missing" in m for m in error.value.messages)


# --- Eligibility ------------------------------------------------------------------------------------------


def test_eligibility_needs_last_years_documents_approved_and_data_confirmed_this_year():
    year = timezone.localdate().year
    association = eligible_association(year)
    assert eligibility(association, year).eligible
    assert association in eligible_associations(year)
    # a document returned for correction breaks it
    document = association.documents.get(kind=AnnualDocument.Kind.AUDIT_REPORT)
    document.status = AnnualDocument.Status.RETURNED
    document.save()
    status = eligibility(association, year)
    assert not status.eligible
    assert status.missing_documents == [(year - 1, AnnualDocument.Kind.AUDIT_REPORT)]
    assert association not in eligible_associations(year)


def test_documents_for_the_wrong_year_do_not_count():
    year = timezone.localdate().year
    association = eligible_association(year - 1)  # documents for year-2
    assert not eligibility(association, year).eligible
    assert association not in eligible_associations(year)


def test_base_data_confirmed_last_year_is_not_enough():
    year = timezone.localdate().year
    association = eligible_association(year)
    association.base_data_confirmed_at = timezone.now() - timedelta(days=400)
    association.save()
    status = eligibility(association, year)
    assert not status.eligible and not status.base_data_confirmed
    assert association not in eligible_associations(year)


def test_eligibility_in_python_and_in_the_database_agree():
    year = timezone.localdate().year
    cases = [
        eligible_association(year),
        AssociationFactory(),
        eligible_association(year, is_active=False),
    ]
    partial = AssociationFactory(base_data_confirmed_at=timezone.now())
    AnnualDocumentFactory(association=partial, year=year - 1, status=AnnualDocument.Status.APPROVED)
    cases.append(partial)
    in_db = set(eligible_associations(year))
    for association in cases:
        assert eligibility(association, year).eligible == (association in in_db)


# --- Four-eyes --------------------------------------------------------------------------------------------


@pytest.fixture
def assessed(draft, coordinator):
    draft.programme.delegation_limit = Decimal("10000")
    draft.programme.save()
    draft.requested_amount = Decimal("50000")
    draft.save()
    applications.submit(draft, actor=draft.rep)
    applications.assess(draft, actor=coordinator, assessment="Bra.", proposed_amount=Decimal("40000"))
    return draft


def decide(application, user, amount):
    return applications.decide(
        application,
        actor=user,
        outcome=GrantApplication.Outcome.PARTLY,
        approved_amount=Decimal(amount),
        reasons="Delvis inom ramen.",
    )


def test_a_coordinator_decides_within_the_delegation_limit_even_on_their_own_assessment(
    assessed, coordinator
):
    decide(assessed, coordinator, "10000")
    assert assessed.status == Status.DECIDED and assessed.decided_by == coordinator


def test_a_coordinator_cannot_decide_above_the_limit(assessed, coordinator):
    other_coordinator = UserFactory(role=Role.COORDINATOR)
    for user in (coordinator, other_coordinator):
        with pytest.raises(TransitionError) as error:
            decide(assessed, user, "10001")
        assert error.value.code == "four_eyes"
    assessed.refresh_from_db()
    assert assessed.status == Status.ASSESSED


def test_nobody_decides_above_the_limit_on_their_own_assessment(draft):
    person = UserFactory(role=Role.COORDINATOR)
    person.groups.add(*UserFactory(role=Role.OFFICIAL).groups.all())
    draft.programme.delegation_limit = Decimal("1000")
    draft.programme.save()
    applications.submit(draft, actor=draft.rep)
    applications.assess(draft, actor=person, assessment="Bra.", proposed_amount=Decimal("5000"))
    assert not applications.can_decide(person, draft, Decimal("5000"))
    with pytest.raises(TransitionError):
        decide(draft, person, "5000")
    assert applications.can_decide(person, draft, Decimal("1000"))


def test_an_official_who_did_not_assess_decides_above_the_limit(assessed, official):
    decide(assessed, official, "40000")
    assert assessed.approved_amount == Decimal("40000")


def test_other_roles_never_decide(assessed):
    for role in (Role.ASSOCIATION_REP, Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN, Role.SENIOR):
        with pytest.raises(TransitionError):
            decide(assessed, UserFactory(role=role), "100")


def test_decision_amount_rules(assessed, official):
    with pytest.raises(TransitionError):
        decide(assessed, official, "50000")  # "partly" must be below the amount applied for
    with pytest.raises(TransitionError):
        applications.decide(
            assessed, actor=official, outcome="approved", approved_amount=Decimal("60000"), reasons="x"
        )
    applications.decide(
        assessed,
        actor=official,
        outcome="rejected",
        approved_amount=None,
        reasons="Ej förening för seniorer.",
    )
    assert assessed.approved_amount == Decimal("0")
    with pytest.raises(TransitionError):
        applications.record_payment(
            assessed,
            actor=UserFactory(role=Role.COORDINATOR),
            paid_on=date.today(),
            amount=Decimal("1"),
            reference="x",
        )
    applications.close(assessed, actor=UserFactory(role=Role.COORDINATOR))
    assert assessed.status == Status.CLOSED


def test_payments_never_exceed_the_approved_amount(assessed, official, coordinator):
    decide(assessed, official, "20000")
    applications.record_payment(
        assessed, actor=coordinator, paid_on=date.today(), amount=Decimal("15000"), reference="A"
    )
    with pytest.raises(TransitionError):
        applications.record_payment(
            assessed, actor=coordinator, paid_on=date.today(), amount=Decimal("5001"), reference="B"
        )
    applications.record_payment(
        assessed, actor=coordinator, paid_on=date.today(), amount=Decimal("5000"), reference="B"
    )
    assert assessed.payments.count() == 2
    assert assessed.status == Status.PAID


# --- The activity-grant rule ------------------------------------------------------------------------------


def _held(association, when, **counts):
    occurrence = OccurrenceFactory(
        activity=ActivityFactory(organiser_association=association),
        starts_at=when,
        ends_at=when + timedelta(hours=1),
    )
    Attendance.objects.create(occurrence=occurrence, **counts)
    return occurrence


def test_the_rule_counts_sessions_with_enough_participants_and_applies_the_ceiling():
    association = AssociationFactory()
    programme = GrantProgrammeFactory(
        activity=True,
        rate_per_participant_session=Decimal("25"),
        min_participants_per_session=3,
        ceiling_per_association=Decimal("1000"),
    )
    tz = timezone.get_current_timezone()
    _held(association, timezone.datetime(2025, 3, 1, 10, tzinfo=tz), women_65_74=4, men_75_84=2)  # 6 → 150
    _held(association, timezone.datetime(2025, 3, 8, 10, tzinfo=tz), women_85_plus=2)  # 2 < 3 → 0
    _held(association, timezone.datetime(2025, 3, 15, 10, tzinfo=tz), men_65_74=3, others=1)  # 4 → 100
    _held(association, timezone.datetime(2026, 1, 10, 10, tzinfo=tz), men_65_74=9)  # outside the period
    cancelled = _held(association, timezone.datetime(2025, 4, 1, 10, tzinfo=tz), men_65_74=9)
    cancelled.is_cancelled = True
    cancelled.save()
    _held(AssociationFactory(), timezone.datetime(2025, 3, 2, 10, tzinfo=tz), men_65_74=9)  # someone else's

    result = calculate_activity_grant(programme, association, date(2025, 1, 1), date(2025, 12, 31))
    assert [(line.participants, line.counted, line.amount) for line in result.lines] == [
        (6, True, Decimal("150.00")),
        (2, False, Decimal("0.00")),
        (4, True, Decimal("100.00")),
    ]
    assert (result.sessions, result.counted_sessions, result.participant_sessions) == (3, 2, 10)
    assert result.amount == Decimal("250.00") and not result.capped

    programme.ceiling_per_association = Decimal("200")
    capped = calculate_activity_grant(programme, association, date(2025, 1, 1), date(2025, 12, 31))
    assert capped.subtotal == Decimal("250.00") and capped.amount == Decimal("200") and capped.capped


def test_the_calculation_runs_in_one_query(django_assert_num_queries):
    association = AssociationFactory()
    programme = GrantProgrammeFactory(activity=True)
    tz = timezone.get_current_timezone()
    for day in range(1, 11):
        _held(association, timezone.datetime(2025, 5, day, 10, tzinfo=tz), women_65_74=day)
    with django_assert_num_queries(1):
        calculate_activity_grant(programme, association, date(2025, 1, 1), date(2025, 12, 31))


def test_assessing_an_activity_grant_stores_the_calculation_and_demands_a_reason_to_deviate(coordinator):
    association = eligible_association()
    programme = GrantProgrammeFactory(activity=True, rate_per_participant_session=Decimal("10"))
    year = timezone.localdate().year - 1
    tz = timezone.get_current_timezone()
    _held(association, timezone.datetime(year, 6, 1, 10, tzinfo=tz), women_65_74=10)
    application = GrantApplicationFactory(association=association, programme=programme, requested_amount=None)
    rep = representative(association)
    applications.submit(application, actor=rep)
    with pytest.raises(TransitionError):
        applications.assess(application, actor=coordinator, assessment="Ok", proposed_amount=Decimal("150"))
    applications.assess(
        application,
        actor=coordinator,
        assessment="Ok",
        proposed_amount=Decimal("150"),
        adjustment_reason="Extra träff i juni.",
    )
    assert application.calculated_amount == Decimal("100.00")
    assert application.calculation["participant_sessions"] == 10
    assert len(application.calculation["lines"]) == 1


# --- Follow-up report reminders ---------------------------------------------------------------------------


@pytest.fixture
def paid(assessed, official, coordinator):
    decide(assessed, official, "20000")
    applications.record_payment(
        assessed, actor=coordinator, paid_on=date(2026, 1, 1), amount=Decimal("20000"), reference="A"
    )
    return assessed


def test_reports_become_due_once(paid):
    due_on = paid.report.due_on
    assert applications.mark_reports_due(today=due_on - timedelta(days=60)) == 0
    assert applications.mark_reports_due(today=due_on - timedelta(days=20)) == 1
    assert applications.mark_reports_due(today=due_on - timedelta(days=19)) == 0
    paid.refresh_from_db()
    assert paid.status == Status.REPORT_DUE


def test_reminders_are_sent_once_before_and_once_after_the_due_date(paid, on_commit, mailoutbox):
    due_on = paid.report.due_on
    mailoutbox.clear()
    with on_commit(execute=True):
        assert applications.send_report_reminders(today=due_on - timedelta(days=30)) == 0
        assert applications.send_report_reminders(today=due_on - timedelta(days=10)) == 1
        assert applications.send_report_reminders(today=due_on - timedelta(days=9)) == 0
        assert applications.send_report_reminders(today=due_on + timedelta(days=3)) == 0
        assert applications.send_report_reminders(today=due_on + timedelta(days=8)) == 1
        assert applications.send_report_reminders(today=due_on + timedelta(days=9)) == 0
    assert len(mailoutbox) == 2


def test_no_reminder_once_the_report_is_in(paid):
    applications.submit_report(paid.report, actor=paid.rep, narrative="Klart.", money_used=None, counts={})
    assert applications.send_report_reminders(today=paid.report.due_on + timedelta(days=10)) == 0
