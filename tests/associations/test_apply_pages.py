"""A representative's grant pages, as a specification: what they show and what each form does."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from associations import applications
from associations.models import (
    AnnualDocument,
    ApplicationAttachment,
    ApplicationMessage,
    FollowUpReport,
    GrantApplication,
    GrantProgramme,
    ProgrammeQuestion,
    ReportLocality,
    Representative,
)

from ..factories import LocalityFactory, UserFactory
from .factories import (
    PDF_BYTES,
    AssociationFactory,
    GrantApplicationFactory,
    GrantProgrammeFactory,
    ProgrammeQuestionFactory,
    eligible_association,
    representative,
)

Status = GrantApplication.Status
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }


@pytest.fixture
def association():
    return eligible_association(name="PRO Högsjö")


@pytest.fixture
def rep(association):
    return representative(association)


@pytest.fixture
def signed_in(client, rep, english):
    client.force_login(rep)
    return client


@pytest.fixture
def programme():
    programme = GrantProgrammeFactory(
        name="Projektbidrag", required_attachments=["Budget"], rules="Högst 20 000 kr per förening."
    )
    ProgrammeQuestionFactory(programme=programme, text="How many volunteers take part?", kind="number")
    ProgrammeQuestionFactory(
        programme=programme, text="Is the activity free of charge?", kind=ProgrammeQuestion.Kind.YES_NO
    )
    ProgrammeQuestionFactory(
        programme=programme,
        text="Who is it mainly for?",
        kind=ProgrammeQuestion.Kind.CHOICE,
        choices=["Women", "Men", "Everyone"],
        required=False,
    )
    return programme


@pytest.fixture
def draft(programme, association, rep):
    return applications.create_application(
        programme=programme, association=association, actor=rep, title="Boule i byn"
    )


def pdf(name="budget.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def complete(application, rep):
    questions = {question.text: question for question in application.programme.questions.all()}
    applications.update_draft(
        application,
        actor=rep,
        requested_amount=Decimal("12000"),
        answers={
            str(questions["How many volunteers take part?"].pk): "4",
            str(questions["Is the activity free of charge?"].pk): True,
        },
    )
    applications.add_attachment(application, actor=rep, label="Budget", uploaded_file=pdf())


# --- The overview -------------------------------------------------------------------------------------


def test_overview_shows_open_grants_with_the_associations_eligibility(signed_in, programme, association):
    response = signed_in.get(reverse("grants:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Projektbidrag" in body
    assert "PRO Högsjö meets the requirements for this grant." in body
    start = reverse("grants:start") + f"?programme={programme.pk}&amp;association={association.pk}"
    assert start in body


def test_overview_explains_why_an_association_is_not_eligible_and_what_to_do(client, english, programme):
    unconfirmed = AssociationFactory(name="SPF Baggetorp")
    client.force_login(representative(unconfirmed))
    body = client.get(reverse("grants:index")).content.decode()
    assert "SPF Baggetorp cannot receive this grant yet." in body
    assert "Approved documents are missing" in body
    assert "have not been confirmed this year" in body
    assert reverse("register:documents", args=[unconfirmed.pk]) in body
    assert reverse("register:confirm", args=[unconfirmed.pk]) in body


def test_overview_lists_only_published_grants_not_yet_closed(signed_in, programme):
    GrantProgrammeFactory(name="Hemligt bidrag", is_published=False)
    today = timezone.localdate()
    GrantProgrammeFactory(
        name="Gammalt bidrag", opens_on=today - timedelta(days=60), closes_on=today - timedelta(days=1)
    )
    GrantProgrammeFactory(
        name="Kommande bidrag", opens_on=today + timedelta(days=10), closes_on=today + timedelta(days=40)
    )
    body = signed_in.get(reverse("grants:index")).content.decode()
    assert "Hemligt bidrag" not in body
    assert "Gammalt bidrag" not in body
    assert "Kommande bidrag" in body and "Opens" in body


def test_overview_lists_the_users_applications_with_status_and_next_step(signed_in, draft):
    body = signed_in.get(reverse("grants:index")).content.decode()
    assert reverse("grants:application", args=[draft.pk]) in body
    assert "Draft" in body
    assert "Finish the application and send it in by" in body


def test_a_member_without_grant_rights_is_told_who_may_apply(client, english, programme, association):
    client.force_login(representative(association, role="activities"))
    body = client.get(reverse("grants:index")).content.decode()
    assert "Only the association's administrators and grant representatives may apply." in body
    assert reverse("grants:start") + "?" not in body


def test_overview_query_count_does_not_grow_with_applications(
    signed_in, programme, association, django_assert_max_num_queries
):
    for _number in range(3):
        GrantApplicationFactory(programme=programme, association=association)
    with django_assert_max_num_queries(20) as few:
        signed_in.get(reverse("grants:index"))
    for _number in range(12):
        GrantApplicationFactory(programme=GrantProgrammeFactory(), association=association)
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(reverse("grants:index"))


# --- Starting and editing ----------------------------------------------------------------------------


def test_start_creates_a_draft_and_opens_it_for_editing(signed_in, programme, association):
    response = signed_in.post(
        reverse("grants:start"),
        {"programme": programme.pk, "association": association.pk, "title": "Boule i byn"},
    )
    application = GrantApplication.objects.get()
    assert response.url == reverse("grants:edit", args=[application.pk])
    assert application.status == Status.DRAFT
    assert application.association == association
    assert AuditEntry.objects.filter(action="grants.application.created").exists()


def test_start_offers_only_open_grants_and_associations_the_user_may_apply_for(
    signed_in, rep, programme, association
):
    other = AssociationFactory(name="Bara aktiviteter")
    Representative.objects.create(association=other, user=rep, role="activities")
    closed = GrantProgrammeFactory(name="Stängt", closes_on=timezone.localdate() - timedelta(days=1))
    form = signed_in.get(reverse("grants:start")).context["form"]
    assert list(form.fields["association"].queryset) == [association]
    assert closed not in form.fields["programme"].queryset
    response = signed_in.post(
        reverse("grants:start"), {"programme": programme.pk, "association": other.pk, "title": "X"}
    )
    assert response.status_code == 200
    assert not GrantApplication.objects.exists()


def test_edit_shows_the_programmes_questions_and_saves_an_incomplete_draft(signed_in, draft):
    response = signed_in.get(reverse("grants:edit", args=[draft.pk]))
    body = response.content.decode()
    assert "How many volunteers take part?" in body
    assert "Who is it mainly for? (optional)" in body
    response = signed_in.post(
        reverse("grants:edit", args=[draft.pk]), {"title": "Boule i byn", "next": "save"}
    )
    assert response.url == reverse("grants:application", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.answers == {}


def test_edit_stores_answers_of_every_kind(signed_in, draft):
    questions = {question.kind: question for question in draft.programme.questions.all()}
    response = signed_in.post(
        reverse("grants:edit", args=[draft.pk]),
        {
            "title": "Boule i byn",
            "description": "Varje tisdag.",
            "requested_amount": "12000",
            "period_start": "2026-05-01",
            "period_end": "2026-09-30",
            f"question_{questions['number'].pk}": "4",
            f"question_{questions['yes_no'].pk}": "no",
            f"question_{questions['choice'].pk}": "Everyone",
            "next": "submit",
        },
    )
    assert response.url == reverse("grants:submit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.requested_amount == Decimal("12000")
    assert draft.answers == {
        str(questions["number"].pk): "4",
        str(questions["yes_no"].pk): False,
        str(questions["choice"].pk): "Everyone",
    }
    # A saved "no" is shown as the chosen radio button again.
    form = signed_in.get(reverse("grants:edit", args=[draft.pk])).context["form"]
    assert form[f"question_{questions['yes_no'].pk}"].value() == "no"


def test_edit_refuses_a_choice_that_is_not_offered_and_a_period_that_ends_before_it_starts(signed_in, draft):
    choice = draft.programme.questions.get(kind="choice")
    response = signed_in.post(
        reverse("grants:edit", args=[draft.pk]),
        {
            "title": "Boule i byn",
            "period_start": "2026-05-01",
            "period_end": "2026-04-01",
            f"question_{choice.pk}": "Children",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"period_end", f"question_{choice.pk}"}
    assert 'class="error-summary"' in response.content.decode()


def test_a_submitted_application_can_no_longer_be_edited(signed_in, draft, rep):
    complete(draft, rep)
    applications.submit(draft, actor=rep)
    response = signed_in.post(reverse("grants:edit", args=[draft.pk]), {"title": "Ändrat"})
    assert response.url == reverse("grants:application", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.title == "Boule i byn"


# --- Attachments ---------------------------------------------------------------------------------------


def test_upload_list_download_and_remove_an_attachment(signed_in, draft):
    url = reverse("grants:attachments", args=[draft.pk])
    assert "Missing" in signed_in.get(url).content.decode()
    response = signed_in.post(url, {"label": "Budget", "file": pdf()})
    assert response.url == url
    attachment = ApplicationAttachment.objects.get()
    assert attachment.label == "Budget"

    download = signed_in.get(reverse("grants:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(action="associations.attachment.download").exists()

    response = signed_in.post(reverse("grants:attachment-remove", args=[attachment.pk]))
    assert response.url == url
    assert not ApplicationAttachment.objects.exists()


def test_another_attachment_needs_a_description(signed_in, draft):
    url = reverse("grants:attachments", args=[draft.pk])
    response = signed_in.post(url, {"label": "__other__", "other_label": "", "file": pdf()})
    assert "other_label" in response.context["form"].errors
    response = signed_in.post(url, {"label": "__other__", "other_label": "Program", "file": pdf("p.pdf")})
    assert ApplicationAttachment.objects.get().label == "Program"


def test_a_renamed_executable_is_refused(signed_in, draft):
    fake = SimpleUploadedFile("budget.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = signed_in.post(
        reverse("grants:attachments", args=[draft.pk]), {"label": "Budget", "file": fake}
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not ApplicationAttachment.objects.exists()


def test_attachments_cannot_be_added_or_removed_once_sent_in(signed_in, draft, rep):
    complete(draft, rep)
    applications.submit(draft, actor=rep)
    attachment = draft.attachments.get()
    url = reverse("grants:attachments", args=[draft.pk])
    assert signed_in.get(url).context["form"] is None
    signed_in.post(url, {"label": "Budget", "file": pdf("again.pdf")})
    signed_in.post(reverse("grants:attachment-remove", args=[attachment.pk]))
    assert list(draft.attachments.all()) == [attachment]


# --- Conversation ---------------------------------------------------------------------------------------


def test_a_message_goes_to_the_case_officer(signed_in, draft, on_commit, mailoutbox):
    UserFactory(role=Role.COORDINATOR, email="samordnare@example.org")
    with on_commit(execute=True):
        response = signed_in.post(reverse("grants:message", args=[draft.pk]), {"body": "Hej! En fråga."})
    assert response.url.endswith("#conversation")
    message = ApplicationMessage.objects.get()
    assert not message.from_case_officer
    assert mailoutbox[-1].to == ["samordnare@example.org"]
    assert "Hej! En fråga." in signed_in.get(reverse("grants:application", args=[draft.pk])).content.decode()


def test_an_empty_message_shows_an_error(signed_in, draft):
    response = signed_in.post(reverse("grants:message", args=[draft.pk]), {"body": " "})
    assert response.status_code == 400
    assert response.context["message_form"].errors
    assert not ApplicationMessage.objects.exists()


# --- Sending in -----------------------------------------------------------------------------------------


def test_check_page_lists_what_is_missing_with_links_to_where_to_fix_it(signed_in, draft):
    response = signed_in.get(reverse("grants:submit", args=[draft.pk]))
    body = response.content.decode()
    volunteers = draft.programme.questions.get(kind="number")
    edit = reverse("grants:edit", args=[draft.pk])
    assert 'class="error-summary"' in body
    assert f'href="{edit}#id_question_{volunteers.pk}"' in body
    assert f'href="{reverse("grants:attachments", args=[draft.pk])}"' in body
    assert "Attach “Budget”." in body
    assert "Give the amount you apply for." in body
    assert "Who is it mainly for?" not in [problem["message"] for problem in response.context["problems"]]
    # Nothing can be sent while something is missing.
    assert "Send in the application</button>" not in body


def test_ineligibility_links_to_the_register(client, english, programme):
    association = AssociationFactory()
    rep = representative(association)
    application = applications.create_application(
        programme=programme, association=association, actor=rep, title="Boule"
    )
    client.force_login(rep)
    problems = client.get(reverse("grants:submit", args=[application.pk])).context["problems"]
    urls = {problem["url"] for problem in problems}
    assert reverse("register:documents", args=[association.pk]) in urls
    assert reverse("register:confirm", args=[association.pk]) in urls


def test_a_complete_application_is_sent_in(signed_in, draft, rep, on_commit, mailoutbox):
    complete(draft, rep)
    url = reverse("grants:submit", args=[draft.pk])
    assert signed_in.get(url).context["problems"] == []
    with on_commit(execute=True):
        response = signed_in.post(url)
    assert response.url == reverse("grants:application", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert rep.email in mailoutbox[-1].to


def test_sending_in_an_incomplete_application_shows_the_error_summary(signed_in, draft):
    response = signed_in.post(reverse("grants:submit", args=[draft.pk]))
    assert response.status_code == 400
    assert "The application could not be sent in" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_answering_a_completion_request_and_sending_in_again(signed_in, draft, rep):
    complete(draft, rep)
    applications.submit(draft, actor=rep)
    coordinator = UserFactory(role=Role.COORDINATOR)
    applications.request_completion(draft, actor=coordinator, request_text="Bifoga en tidsplan.")

    detail = signed_in.get(reverse("grants:application", args=[draft.pk])).content.decode()
    assert "Bifoga en tidsplan." in detail
    assert reverse("grants:edit", args=[draft.pk]) in detail

    signed_in.post(
        reverse("grants:attachments", args=[draft.pk]),
        {"label": "__other__", "other_label": "Tidsplan", "file": pdf("tidsplan.pdf")},
    )
    page = signed_in.get(reverse("grants:submit", args=[draft.pk])).content.decode()
    assert "Bifoga en tidsplan." in page
    response = signed_in.post(reverse("grants:submit", args=[draft.pk]))
    assert response.url == reverse("grants:application", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.RESUBMITTED


# --- Withdrawing -----------------------------------------------------------------------------------------


def test_withdrawing_asks_for_confirmation_first(signed_in, draft):
    url = reverse("grants:withdraw", args=[draft.pk])
    response = signed_in.get(url)
    assert "Yes, withdraw the application" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    response = signed_in.post(url, {"reason": "Vi hinner inte."})
    assert response.url == reverse("grants:application", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    assert draft.history.get().comment == "Vi hinner inte."


def test_a_decided_application_cannot_be_withdrawn(signed_in, association):
    decided = GrantApplicationFactory(association=association, status=Status.DECIDED, outcome="approved")
    response = signed_in.post(reverse("grants:withdraw", args=[decided.pk]))
    assert response.url == reverse("grants:application", args=[decided.pk])
    decided.refresh_from_db()
    assert decided.status == Status.DECIDED


# --- Decision and follow-up report ------------------------------------------------------------------------


def decided(association, **fields):
    defaults = {
        "status": Status.DECIDED,
        "outcome": GrantApplication.Outcome.PARTLY,
        "approved_amount": Decimal("8000"),
        "decision_reasons": "Budgeten räcker till hälften.",
        "decided_at": timezone.now(),
    }
    return GrantApplicationFactory(association=association, **{**defaults, **fields})


def test_the_decision_is_shown_with_reasons_and_the_letter_link(signed_in, association):
    application = decided(association)
    body = signed_in.get(reverse("grants:application", args=[application.pk])).content.decode()
    assert "Partly approved" in body
    assert "Budgeten räcker till hälften." in body
    assert reverse("grants:decision-letter", args=[application.pk]) in body


def test_the_decision_letter_is_a_pdf(signed_in, association):
    application = decided(association)
    response = signed_in.get(reverse("grants:decision-letter", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"beslut-{application.reference}.pdf" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="grants.letter.downloaded").exists()


def test_there_is_no_letter_before_a_decision(signed_in, draft):
    body = signed_in.get(reverse("grants:application", args=[draft.pk])).content.decode()
    assert reverse("grants:decision-letter", args=[draft.pk]) not in body
    assert signed_in.get(reverse("grants:decision-letter", args=[draft.pk])).status_code == 404


def test_follow_up_report_by_sex_age_band_and_locality(signed_in, association, rep):
    hogsjo = LocalityFactory(name="Högsjö")
    association.localities.add(hogsjo, LocalityFactory(name="Baggetorp"))
    application = decided(association)
    applications.record_payment(
        application,
        actor=UserFactory(role=Role.COORDINATOR),
        paid_on=timezone.localdate(),
        amount=Decimal("8000"),
        reference="UB-1",
    )
    detail = signed_in.get(reverse("grants:application", args=[application.pk])).content.decode()
    url = reverse("grants:report", args=[application.pk])
    assert url in detail
    form = signed_in.get(url).context["form"]
    assert [field.label for field in form.locality_fields()] == ["Baggetorp", "Högsjö"]
    counts = dict.fromkeys(FollowUpReport.COUNT_FIELDS, "0")
    counts.update({"women_75_84": "9", "men_65_74": "4"})
    response = signed_in.post(
        url,
        {
            "narrative": "Vi spelade boule varje tisdag.",
            "money_used": "7800",
            f"locality_{hogsjo.pk}": "13",
            **counts,
        },
    )
    assert response.url == reverse("grants:application", args=[application.pk])
    report = FollowUpReport.objects.get()
    assert report.participants_total == 13
    assert report.money_used == Decimal("7800")
    assert ReportLocality.objects.get().locality == hogsjo
    application.refresh_from_db()
    assert application.status == Status.REPORT_RECEIVED
    assert signed_in.get(url).url == reverse("grants:application", args=[application.pk])


def test_report_form_needs_narrative_money_and_counts(signed_in, association):
    application = decided(association, status=Status.PAID)
    FollowUpReport.objects.create(application=application, due_on=timezone.localdate())
    response = signed_in.post(reverse("grants:report", args=[application.pk]), {"women_65_74": "-1"})
    assert response.status_code == 200
    assert {"narrative", "money_used", "women_65_74", "men_85_plus"} <= set(response.context["form"].errors)


def test_open_programmes_show_eligibility_without_documents(client, english):
    GrantProgrammeFactory(name="Öppet bidrag", eligibility=GrantProgramme.Eligibility.OPEN)
    unconfirmed = AssociationFactory(name="Ny förening")
    client.force_login(representative(unconfirmed))
    body = client.get(reverse("grants:index")).content.decode()
    assert "Ny förening meets the requirements for this grant." in body
    assert AnnualDocument.objects.count() == 0


def test_application_page_query_count_does_not_grow_with_messages_and_attachments(
    signed_in, draft, rep, django_assert_max_num_queries
):
    url = reverse("grants:application", args=[draft.pk])
    applications.post_message(draft, actor=rep, body="Första")
    with django_assert_max_num_queries(30) as few:
        assert signed_in.get(url).status_code == 200
    for number in range(6):
        applications.post_message(draft, actor=rep, body=f"Meddelande {number}")
        applications.add_attachment(
            draft, actor=rep, label=f"Bilaga {number}", uploaded_file=pdf(f"{number}.pdf")
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = signed_in.get(url).content.decode()
    assert "Meddelande 5" in body and "Bilaga 5" in body
