"""Coordinators manage grant programmes: fields and rules, questions in order, publishing."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from associations.models import GrantApplication, GrantProgramme, ProgrammeQuestion

from ..factories import UserFactory
from .factories import GrantApplicationFactory, GrantProgrammeFactory, ProgrammeQuestionFactory

pytestmark = pytest.mark.django_db
BASE = "/backoffice/samordning/program/"


@pytest.fixture
def coordinator(client):
    user = UserFactory(role=Role.COORDINATOR)
    client.force_login(user)
    return user


def _data(**overrides) -> dict:
    year = timezone.localdate().year
    data = {
        "name": "Aktivitetsbidrag",
        "kind": GrantProgramme.Kind.ACTIVITY,
        "year": year,
        "budget": "250000",
        "opens_on": f"{year}-02-01",
        "closes_on": f"{year}-03-31",
        "rules": "Bidrag per deltagartillfälle.",
        "eligibility": GrantProgramme.Eligibility.DOCUMENTS,
        "required_attachments": "Budget\n\nVerksamhetsplan\nBudget\n",
        "delegation_limit": "20000",
        "rate_per_participant_session": "15",
        "min_participants_per_session": "3",
        "ceiling_per_association": "40000",
        "report_due_days": "60",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.ASSOCIATION_REP, Role.OFFICIAL, Role.HOMECARE_STAFF])
def test_only_coordinators_manage_programmes(client, role):
    programme = GrantProgrammeFactory()
    client.force_login(UserFactory(role=role))
    for url in [BASE, f"{BASE}nytt/", f"{BASE}{programme.pk}/", f"{BASE}{programme.pk}/andra/"]:
        assert client.get(url).status_code == 403
    assert client.post(f"{BASE}{programme.pk}/publicera/", {"publish": "0"}).status_code == 403


def test_create_activity_programme_with_rule_limit_and_attachments(coordinator, client):
    response = client.post(f"{BASE}nytt/", _data())

    programme = GrantProgramme.objects.get()
    assert response.status_code == 302 and response.url == f"{BASE}{programme.pk}/"
    assert programme.required_attachments == ["Budget", "Verksamhetsplan"]
    assert programme.delegation_limit == Decimal("20000")
    assert programme.rate_per_participant_session == Decimal("15")
    assert programme.min_participants_per_session == 3
    assert programme.ceiling_per_association == Decimal("40000")
    assert programme.report_due_days == 60
    assert programme.opens_on == date(programme.year, 2, 1)
    assert not programme.is_published
    assert AuditEntry.objects.filter(
        action="associations.programme.create", object_id=str(programme.pk)
    ).exists()


def test_activity_grant_needs_a_rate(coordinator, client, english):
    response = client.post(f"{BASE}nytt/", _data(rate_per_participant_session=""))
    assert response.status_code == 200
    assert "kronor per participant session" in response.content.decode()
    assert not GrantProgramme.objects.exists()


def test_window_must_be_in_order(coordinator, client):
    year = timezone.localdate().year
    response = client.post(f"{BASE}nytt/", _data(opens_on=f"{year}-05-01", closes_on=f"{year}-04-01"))
    assert response.status_code == 200
    assert "closes_on" in response.context["form"].errors


def test_other_kinds_keep_no_calculation_rule(coordinator, client):
    client.post(f"{BASE}nytt/", _data(kind=GrantProgramme.Kind.PROJECT))
    programme = GrantProgramme.objects.get()
    assert programme.rate_per_participant_session is None
    assert programme.min_participants_per_session is None
    assert programme.ceiling_per_association is None
    assert not programme.uses_calculation


def test_edit_changes_fields_and_is_audited(coordinator, client):
    programme = GrantProgrammeFactory(kind=GrantProgramme.Kind.BASIC, budget=Decimal("1000"))
    response = client.get(f"{BASE}{programme.pk}/andra/")
    assert response.status_code == 200
    response = client.post(
        f"{BASE}{programme.pk}/andra/",
        _data(kind=GrantProgramme.Kind.BASIC, budget="2000", delegation_limit="", required_attachments=""),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.budget == Decimal("2000") and programme.delegation_limit is None
    assert programme.required_attachments == []
    entry = AuditEntry.objects.get(action="associations.programme.update")
    assert "budget" in entry.detail["changed"]


def test_list_shows_the_year(coordinator, client):
    this_year = GrantProgrammeFactory(name="Årets bidrag")
    GrantProgrammeFactory(name="Fjolårets bidrag", year=this_year.year - 1)
    content = client.get(BASE).content.decode()
    assert "Årets bidrag" in content and "Fjolårets bidrag" not in content
    content = client.get(BASE, {"year": this_year.year - 1}).content.decode()
    assert "Fjolårets bidrag" in content


def test_publish_and_unpublish(coordinator, client):
    programme = GrantProgrammeFactory(is_published=False)
    client.post(f"{BASE}{programme.pk}/publicera/", {"publish": "1"})
    programme.refresh_from_db()
    assert programme.is_published
    client.post(f"{BASE}{programme.pk}/publicera/", {"publish": "0"})
    programme.refresh_from_db()
    assert not programme.is_published
    assert AuditEntry.objects.filter(action__startswith="associations.programme.").count() == 2


def test_a_programme_with_applications_stays_published(coordinator, client):
    programme = GrantProgrammeFactory(is_published=True)
    GrantApplicationFactory(programme=programme)
    client.post(f"{BASE}{programme.pk}/publicera/", {"publish": "0"})
    programme.refresh_from_db()
    assert programme.is_published


def test_add_questions_in_order_with_choices(coordinator, client):
    programme = GrantProgrammeFactory()
    client.post(f"{BASE}{programme.pk}/fragor/ny/", {"text": "Hur många medlemmar?", "kind": "number"})
    response = client.post(
        f"{BASE}{programme.pk}/fragor/ny/",
        {"text": "Var?", "kind": "choice", "choices": "Vingåker\nLäppe\n\n", "required": "on"},
    )
    assert response.status_code == 302
    first, second = programme.questions.all()
    assert (first.text, first.order, first.required) == ("Hur många medlemmar?", 0, False)
    assert (second.order, second.choices, second.required) == (1, ["Vingåker", "Läppe"], True)


def test_choice_question_needs_two_choices(coordinator, client):
    programme = GrantProgrammeFactory()
    response = client.post(
        f"{BASE}{programme.pk}/fragor/ny/", {"text": "Var?", "kind": "choice", "choices": "A"}
    )
    assert response.status_code == 200
    assert not programme.questions.exists()


def test_edit_question(coordinator, client):
    question = ProgrammeQuestionFactory(text="Gammal")
    url = f"{BASE}{question.programme_id}/fragor/{question.pk}/"
    assert client.get(url).status_code == 200
    client.post(url, {"text": "Ny", "kind": "text", "required": "on"})
    question.refresh_from_db()
    assert question.text == "Ny"


def test_answer_type_is_fixed_once_applications_are_submitted(coordinator, client):
    question = ProgrammeQuestionFactory(kind=ProgrammeQuestion.Kind.TEXT)
    GrantApplicationFactory(programme=question.programme, status=GrantApplication.Status.SUBMITTED)
    response = client.post(
        f"{BASE}{question.programme_id}/fragor/{question.pk}/", {"text": "Ny", "kind": "number"}
    )
    assert response.status_code == 200
    question.refresh_from_db()
    assert question.kind == ProgrammeQuestion.Kind.TEXT


def test_reorder_questions(coordinator, client):
    programme = GrantProgrammeFactory()
    a, b, c = (ProgrammeQuestionFactory(programme=programme, order=i) for i in range(3))
    client.post(f"{BASE}{programme.pk}/fragor/{c.pk}/flytta/", {"direction": "up"})
    assert list(programme.questions.all()) == [a, c, b]
    client.post(f"{BASE}{programme.pk}/fragor/{a.pk}/flytta/", {"direction": "up"})  # already first
    client.post(f"{BASE}{programme.pk}/fragor/{a.pk}/flytta/", {"direction": "down"})
    assert list(programme.questions.all()) == [c, a, b]


def test_question_of_another_programme_is_not_found(coordinator, client):
    question = ProgrammeQuestionFactory()
    other = GrantProgrammeFactory()
    assert (
        client.post(f"{BASE}{other.pk}/fragor/{question.pk}/flytta/", {"direction": "up"}).status_code == 404
    )
    assert client.get(f"{BASE}{other.pk}/fragor/{question.pk}/").status_code == 404


def test_remove_question_until_applications_are_submitted(coordinator, client):
    question = ProgrammeQuestionFactory()
    url = f"{BASE}{question.programme_id}/fragor/{question.pk}/ta-bort/"
    assert client.get(url).status_code == 200
    GrantApplicationFactory(programme=question.programme, status=GrantApplication.Status.SUBMITTED)
    assert client.post(url).status_code == 200
    assert ProgrammeQuestion.objects.filter(pk=question.pk).exists()
    GrantApplication.objects.update(status=GrantApplication.Status.DRAFT)
    assert client.post(url).status_code == 302
    assert not ProgrammeQuestion.objects.filter(pk=question.pk).exists()
    assert AuditEntry.objects.filter(action="associations.question.delete").exists()


def test_detail_page_lists_questions(coordinator, client, django_assert_max_num_queries):
    programme = GrantProgrammeFactory(
        kind=GrantProgramme.Kind.ACTIVITY, rate_per_participant_session=Decimal("15")
    )
    for i in range(5):
        ProgrammeQuestionFactory(programme=programme, text=f"Fråga nummer {i}", order=i)
    with django_assert_max_num_queries(15):
        content = client.get(f"{BASE}{programme.pk}/").content.decode()
    assert "Fråga nummer 4" in content


def test_list_query_count_is_constant(coordinator, client, django_assert_max_num_queries):
    for _ in range(2):
        GrantApplicationFactory(programme=GrantProgrammeFactory(), status=GrantApplication.Status.SUBMITTED)
    with django_assert_max_num_queries(12) as first:
        client.get(BASE)
    for _ in range(6):
        GrantApplicationFactory(programme=GrantProgrammeFactory(), status=GrantApplication.Status.SUBMITTED)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(BASE)
    assert len(response.context["programmes"]) == 8
    assert all(programme.application_count == 1 for programme in response.context["programmes"])


def test_kind_and_year_are_fixed_once_applications_are_submitted(coordinator, client):
    programme = GrantProgrammeFactory(kind=GrantProgramme.Kind.PROJECT)
    GrantApplicationFactory(programme=programme, status=GrantApplication.Status.SUBMITTED)
    response = client.post(
        f"{BASE}{programme.pk}/andra/",
        _data(kind=GrantProgramme.Kind.ACTIVITY, year=programme.year + 1, budget="123"),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.kind, programme.year, programme.budget) == (
        GrantProgramme.Kind.PROJECT,
        timezone.localdate().year,
        Decimal("123"),
    )
