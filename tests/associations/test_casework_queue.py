"""The case officers' queue and application page: filters, sorting, paging, content and constant queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from associations.models import (
    ApplicationAttachment,
    ApplicationMessage,
    GrantApplication,
    ProgrammeQuestion,
    StatusChange,
)

from ..factories import LocalityFactory, UserFactory
from .factories import (
    PDF_BYTES,
    AssociationFactory,
    GrantApplicationFactory,
    GrantProgrammeFactory,
    ProgrammeQuestionFactory,
    eligible_association,
)
from .factories_casework import application_in

pytestmark = pytest.mark.django_db
Status = GrantApplication.Status
QUEUE = "/backoffice/handlaggning/"


@pytest.fixture
def coordinator(client):
    user = UserFactory(role=Role.COORDINATOR)
    client.force_login(user)
    return user


def references(response) -> list[str]:
    return [application.reference for application in response.context["page"]]


def test_queue_lists_submitted_applications_but_never_drafts(client, coordinator):
    application_in(Status.SUBMITTED, reference="2026-0001")
    application_in(Status.DECIDED, reference="2026-0002")
    application_in(Status.DRAFT, reference="2026-0003")
    response = client.get(QUEUE)
    assert sorted(references(response)) == ["2026-0001", "2026-0002"]
    assert "2026-0003" not in response.content.decode()


def test_queue_filters_by_programme_status_locality_and_search(client, coordinator):
    activity = GrantProgrammeFactory(activity=True)
    project = GrantProgrammeFactory()
    village = LocalityFactory(name="Högsjö", slug="hogsjo")
    in_village = AssociationFactory(name="PRO Högsjö", org_number="802000-1112")
    in_village.localities.add(village, LocalityFactory())
    elsewhere = AssociationFactory(name="SPF Marmorbyn")
    application_in(Status.SUBMITTED, programme=activity, association=in_village, reference="A-1")
    application_in(Status.ASSESSED, programme=project, association=in_village, reference="A-2")
    application_in(Status.CLOSED, programme=project, association=elsewhere, reference="A-3")
    application_in(Status.RESUBMITTED, programme=activity, association=elsewhere, reference="A-4")

    def found(**query):
        return sorted(references(client.get(QUEUE, query)))

    assert found(programme=activity.pk) == ["A-1", "A-4"]
    assert found(status=Status.CLOSED) == ["A-3"]
    assert found(status="to_handle") == ["A-1", "A-2", "A-4"]
    # An association serving two localities is listed once.
    assert found(locality=village.pk) == ["A-1", "A-2"]
    assert found(q="högsjö") == ["A-1", "A-2"]
    assert found(q="802000") == ["A-1", "A-2"]
    assert found(q="A-3") == ["A-3"]
    assert found(programme=project.pk, locality=village.pk) == ["A-2"]


def test_queue_sorts_and_pages(client, coordinator):
    now = timezone.now()
    for number in range(30):
        application_in(
            Status.SUBMITTED,
            reference=f"S-{number:02d}",
            submitted_at=now - timedelta(days=number),
            requested_amount=Decimal(1000 + number),
        )
    oldest_first = client.get(QUEUE)
    assert references(oldest_first)[:2] == ["S-29", "S-28"]
    assert len(references(oldest_first)) == 25
    assert references(client.get(QUEUE, {"page": 2})) == [f"S-{n:02d}" for n in range(4, -1, -1)]
    assert references(client.get(QUEUE, {"sort": "-submitted"}))[0] == "S-00"
    assert references(client.get(QUEUE, {"sort": "-amount"}))[0] == "S-29"
    assert references(client.get(QUEUE, {"sort": "reference"}))[0] == "S-00"
    # The filter is kept in the paging links.
    page = client.get(QUEUE, {"sort": "reference"}).content.decode()
    assert "?sort=reference&amp;page=2" in page


def test_an_unknown_filter_value_shows_everything_instead_of_failing(client, coordinator):
    application_in(Status.SUBMITTED)
    response = client.get(QUEUE, {"status": "nonsense", "sort": "nonsense", "programme": "x"})
    assert response.status_code == 200


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow_with_the_data(client, coordinator):
    application_in(Status.SUBMITTED)
    few = _queue_queries(client)
    for status in [Status.SUBMITTED, Status.ASSESSED, Status.DECIDED, Status.PAID] * 5:
        application_in(status)
    assert _queue_queries(client) == few


# --- The application page -------------------------------------------------------------------------------


def _attach(application, label):
    attachment = ApplicationAttachment(
        application=application,
        label=label,
        original_name=f"{label}.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    attachment.file.save("x.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


def _fill(application, coordinator, count: int) -> None:
    for number in range(count):
        _attach(application, f"Bilaga {number}")
        ApplicationMessage.objects.create(
            application=application,
            author=coordinator,
            from_case_officer=number % 2 == 0,
            body=f"Hej {number}",
        )
        StatusChange.objects.create(
            application=application, from_status=Status.DRAFT, to_status=Status.SUBMITTED, actor=coordinator
        )
        ProgrammeQuestionFactory(programme=application.programme)


def _detail_queries(client, application) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{QUEUE}{application.pk}/").status_code == 200
    return len(queries)


def test_application_page_query_count_does_not_grow_with_the_case(client, coordinator):
    small = application_in(Status.PAID)
    large = application_in(Status.PAID)
    _fill(small, coordinator, 1)
    _fill(large, coordinator, 12)
    assert _detail_queries(client, large) == _detail_queries(client, small)


def test_application_page_shows_answers_attachments_conversation_history_and_eligibility(
    client, coordinator, english
):
    programme = GrantProgrammeFactory(required_attachments=["Budget", "Verksamhetsplan"])
    text_question = ProgrammeQuestionFactory(programme=programme, text="Hur många träffar planeras?")
    yes_no = ProgrammeQuestionFactory(
        programme=programme, text="Samarbetar ni med kyrkan?", kind=ProgrammeQuestion.Kind.YES_NO
    )
    association = eligible_association(name="PRO Baggetorp")
    application = application_in(
        Status.SUBMITTED,
        programme=programme,
        association=association,
        answers={str(text_question.pk): "Tolv", str(yes_no.pk): True},
    )
    budget = _attach(application, "Budget")
    ApplicationMessage.objects.create(
        application=application, author=None, from_case_officer=False, body="Vi har en fråga om lokalen."
    )
    StatusChange.objects.create(
        application=application,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        actor=UserFactory(full_name="Karin Ordförande"),
    )
    page = client.get(f"{QUEUE}{application.pk}/").content.decode()
    assert "Hur många träffar planeras?" in page and "Tolv" in page
    assert "Samarbetar ni med kyrkan?" in page and "Yes" in page
    assert f"{QUEUE}{application.pk}/bilagor/{budget.pk}/" in page
    assert "Required attachments missing:" in page and "Verksamhetsplan" in page
    assert "Vi har en fråga om lokalen." in page
    assert "Karin Ordförande" in page
    assert "The association is eligible for grants this year." in page


def test_application_page_says_why_an_association_is_not_eligible(client, coordinator, english):
    application = application_in(Status.SUBMITTED, association=AssociationFactory())
    page = client.get(f"{QUEUE}{application.pk}/").content.decode()
    assert "The association is not eligible for grants this year" in page
    assert "have not been confirmed this year" in page


@pytest.mark.parametrize(
    ("status", "role", "offered", "not_offered"),
    [
        (Status.SUBMITTED, Role.COORDINATOR, ["bedomning/", "komplettering/"], ["beslut/", "utbetalningar/"]),
        (Status.SUBMITTED, Role.OFFICIAL, [], ["bedomning/", "komplettering/", "beslut/"]),
        (Status.ASSESSED, Role.OFFICIAL, ["beslut/"], ["bedomning/", "komplettering/"]),
        (Status.ASSESSED, Role.COORDINATOR, ["beslut/"], ["bedomning/", "utbetalningar/"]),
        (Status.DECIDED, Role.COORDINATOR, ["utbetalningar/", "beslut/brev.pdf"], ["avsluta/"]),
        (Status.DECIDED, Role.OFFICIAL, ["beslut/brev.pdf"], ["utbetalningar/"]),
        (Status.REPORT_RECEIVED, Role.COORDINATOR, ["avsluta/"], ["utbetalningar/"]),
    ],
)
def test_application_page_offers_the_steps_the_user_may_take_now(client, status, role, offered, not_offered):
    client.force_login(UserFactory(role=role))
    application = application_in(status)
    page = client.get(f"{QUEUE}{application.pk}/").content.decode()
    for step in offered:
        assert f'href="{QUEUE}{application.pk}/{step}"' in page
    for step in not_offered:
        assert f'href="{QUEUE}{application.pk}/{step}"' not in page
    assert ('name="body"' in page) is (role == Role.COORDINATOR)


def test_draft_factory_is_not_in_any_queue_state(client, coordinator):
    GrantApplicationFactory()
    assert references(client.get(QUEUE)) == []
