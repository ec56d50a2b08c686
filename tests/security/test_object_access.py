"""Object-level access: one association's representative against another association's objects, guessing
neighbouring IDs, home-care staff against another team's recipients, and report runs between users.

Every refusal is paired with the same request for the user's own object answering 200, so a broken URL or
missing fixture cannot make a refusal pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from associations.models import ApplicationAttachment, GrantApplication
from followup.models import ReportRun

from ..associations.factories import (
    PDF_BYTES,
    AnnualDocumentFactory,
    ApplicationAttachmentFactory,
    GrantProgrammeFactory,
    representative,
)
from ..associations.factories_casework import application_in
from ..associations.factories_register import BoardMemberFactory, InvitationFactory
from ..factories import (
    ActivityFactory,
    AssignmentFactory,
    AssociationFactory,
    CareRecipientFactory,
    CareTeamFactory,
    EventFactory,
    MunicipalityFactory,
    OccurrenceFactory,
    RegistrationFactory,
    UserFactory,
    technology,
)

REFUSED = (403, 404)
GUESS_RANGE = 20


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.REQUIRE_STAFF_MFA = False


@dataclass
class Owned:
    """An association with one of each object its representatives can reach."""

    association: object
    rep: object
    application: GrantApplication
    attachment: ApplicationAttachment
    document: object
    board_member: object
    invitation: object
    activity: object
    occurrence: object


def _owned(programme, *, listed: bool = True) -> Owned:
    association = AssociationFactory(is_active=True, show_in_directory=listed)
    rep = representative(association)
    application = application_in(GrantApplication.Status.PAID, association=association, programme=programme)
    attachment = ApplicationAttachmentFactory(application=application, uploaded_by=rep)
    activity = ActivityFactory(organiser_association=association)
    occurrence = OccurrenceFactory(activity=activity)
    RegistrationFactory(occurrence=occurrence, guest_name="Hemlig Gäst", guest_phone="070-999 99 99")
    return Owned(
        association=association,
        rep=rep,
        application=application,
        attachment=attachment,
        document=AnnualDocumentFactory(association=association),
        board_member=BoardMemberFactory(association=association),
        invitation=InvitationFactory(association=association),
        activity=activity,
        occurrence=occurrence,
    )


@pytest.fixture
def associations(db):
    """Association A (ours) and three others whose objects are created in turn, so the IDs next to A's
    belong to other associations."""
    MunicipalityFactory()
    programme = GrantProgrammeFactory()
    ours = _owned(programme)
    others = [_owned(programme, listed=False) for _ in range(3)]
    return ours, others


def _urls(owned: Owned, *, association_pk: int | None = None) -> dict[str, str]:
    """Every GET page and file a representative may open for ``owned``'s objects."""
    pk = association_pk or owned.association.pk
    return {
        "association": reverse("register:detail", args=[owned.association.pk]),
        "association edit": reverse("register:edit", args=[owned.association.pk]),
        "board": reverse("register:board", args=[owned.association.pk]),
        "member counts": reverse("register:members", args=[owned.association.pk]),
        "payment account": reverse("register:payment", args=[owned.association.pk]),
        "people": reverse("register:people", args=[owned.association.pk]),
        "documents": reverse("register:documents", args=[owned.association.pk]),
        "board member": reverse("register:board-member", args=[pk, owned.board_member.pk]),
        "annual document file": reverse("register:document-download", args=[owned.document.pk]),
        "application": reverse("grants:application", args=[owned.application.pk]),
        "application attachments": reverse("grants:attachments", args=[owned.application.pk]),
        "follow-up report": reverse("grants:report", args=[owned.application.pk]),
        "decision letter": reverse("grants:decision-letter", args=[owned.application.pk]),
        "attachment file": reverse("grants:attachment", args=[owned.attachment.pk]),
        "activity": reverse("activities_backoffice:detail", args=[owned.activity.pk]),
        "activity edit": reverse("activities_backoffice:edit", args=[owned.activity.pk]),
        "occurrence": reverse("activities_backoffice:occurrence", args=[owned.occurrence.pk]),
        "sign-up list CSV": reverse("activities_backoffice:occurrence-export", args=[owned.occurrence.pk]),
        "attendance sheet": reverse("activities_backoffice:occurrence-print", args=[owned.occurrence.pk]),
    }


def _status(client, url: str) -> int:
    response = client.get(url)
    if response.streaming:
        # Consumed, not closed: the test client's wrapper then closes the file without firing the
        # request_finished handler that would drop the database connection inside the test transaction.
        b"".join(response.streaming_content)
    return response.status_code


def test_representative_reaches_own_association_objects(client, associations):
    ours, _ = associations
    client.force_login(ours.rep)
    statuses = {name: _status(client, url) for name, url in _urls(ours).items()}
    assert statuses == dict.fromkeys(statuses, 200)


def test_representative_cannot_reach_another_associations_objects(client, associations):
    ours, others = associations
    client.force_login(ours.rep)
    statuses = {name: _status(client, url) for name, url in _urls(others[0]).items()}
    assert {name: status for name, status in statuses.items() if status not in REFUSED} == {}


def test_own_association_id_does_not_unlock_another_associations_child_objects(client, associations):
    """The association in the path is ours, the board member / invitation belongs to another one."""
    ours, others = associations
    client.force_login(ours.rep)
    theirs = others[0]
    assert (
        _status(client, reverse("register:board-member", args=[ours.association.pk, ours.board_member.pk]))
        == 200
    )
    assert (
        _status(client, reverse("register:board-member", args=[ours.association.pk, theirs.board_member.pk]))
        in REFUSED
    )
    for name, args in {
        "register:board-member-remove": [ours.association.pk, theirs.board_member.pk],
        "register:invitation-cancel": [ours.association.pk, theirs.invitation.pk],
    }.items():
        response = client.post(reverse(name, args=args))
        assert response.status_code in REFUSED, name
    theirs.board_member.refresh_from_db()
    theirs.invitation.refresh_from_db()
    assert theirs.invitation.cancelled_at is None


def test_another_associations_data_is_not_in_the_api(client, associations):
    """The association API is the public directory: an unlisted association is not found, and a listed one
    shows only the fields it chose to publish (no organisation number, bank account or board)."""
    ours, others = associations
    client.force_login(ours.rep)
    assert client.get(f"/api/v1/associations/{others[0].association.slug}/").status_code == 404
    listed = client.get("/api/v1/associations/").json()
    slugs = {row["slug"] for row in listed.get("results", listed)}
    assert others[0].association.slug not in slugs
    own = client.get(f"/api/v1/associations/{ours.association.slug}/").json()
    assert set(own) <= {"slug", "name", "kind", "localities", "purpose", "email", "phone", "website"}


def test_representative_cannot_change_another_associations_objects(client, associations):
    """Each state-changing view, POSTed by A's representative against B's objects: refused, unchanged."""
    ours, others = associations
    theirs = others[0]
    client.force_login(ours.rep)
    posts = {
        "grants:edit": theirs.application.pk,
        "grants:attachments": theirs.application.pk,
        "grants:message": theirs.application.pk,
        "grants:submit": theirs.application.pk,
        "grants:withdraw": theirs.application.pk,
        "grants:report": theirs.application.pk,
        "grants:attachment-remove": theirs.attachment.pk,
        "register:edit": theirs.association.pk,
        "register:confirm": theirs.association.pk,
        "register:board": theirs.association.pk,
        "register:members": theirs.association.pk,
        "register:payment": theirs.association.pk,
        "register:people": theirs.association.pk,
        "register:documents": theirs.association.pk,
        "activities_backoffice:edit": theirs.activity.pk,
        "activities_backoffice:submit": theirs.activity.pk,
        "activities_backoffice:occurrence-add": theirs.activity.pk,
        "activities_backoffice:occurrence-cancel": theirs.occurrence.pk,
        "activities_backoffice:occurrence-attendance": theirs.occurrence.pk,
    }
    answered = {name: client.post(reverse(name, args=[pk])).status_code for name, pk in posts.items()}
    assert {name: status for name, status in answered.items() if status not in REFUSED} == {}
    theirs.application.refresh_from_db()
    assert theirs.application.status == GrantApplication.Status.PAID
    assert ApplicationAttachment.objects.filter(pk=theirs.attachment.pk).exists()
    theirs.occurrence.refresh_from_db()
    assert theirs.occurrence.activity.occurrences.count() == 1


def test_senior_cannot_cancel_someone_elses_registration(client, associations):
    ours, _ = associations
    mine, theirs = UserFactory(role=Role.SENIOR), UserFactory(role=Role.SENIOR)
    their_registration = RegistrationFactory(
        occurrence=ours.occurrence, user=theirs, guest_name="", guest_phone="", guest_email=""
    )
    client.force_login(mine)
    response = client.post(reverse("activities:cancel-my-registration", args=[their_registration.pk]))
    assert response.status_code == 404
    their_registration.refresh_from_db()
    assert their_registration.cancelled_at is None


GUESSED = {
    # URL name → (attribute of Owned holding the object, the attribute's own pk)
    "register:detail": "association",
    "register:edit": "association",
    "register:board": "association",
    "register:members": "association",
    "register:payment": "association",
    "register:people": "association",
    "register:documents": "association",
    "register:document-download": "document",
    "grants:application": "application",
    "grants:edit": "application",
    "grants:attachments": "application",
    "grants:report": "application",
    "grants:decision-letter": "application",
    "grants:attachment": "attachment",
    "activities_backoffice:detail": "activity",
    "activities_backoffice:edit": "activity",
    "activities_backoffice:preview": "activity",
    "activities_backoffice:occurrence": "occurrence",
    "activities_backoffice:occurrence-export": "occurrence",
    "activities_backoffice:occurrence-print": "occurrence",
    "activities_backoffice:occurrence-attendance": "occurrence",
}


def test_guessing_neighbouring_ids_never_answers_200(client, associations):
    """pk−20 … pk+20 around each of our objects: only our own ID may answer, every other one is refused."""
    ours, others = associations
    client.force_login(ours.rep)
    leaks, tried, existing = [], 0, 0
    for name, attribute in GUESSED.items():
        own_pk = getattr(ours, attribute).pk
        theirs = {getattr(other, attribute).pk for other in others}
        for pk in range(max(1, own_pk - GUESS_RANGE), own_pk + GUESS_RANGE + 1):
            if pk == own_pk:
                continue
            status = _status(client, reverse(name, args=[pk]))
            tried += 1
            existing += pk in theirs
            if status not in REFUSED:
                leaks.append(f"{name} pk={pk}: {status}")
    assert existing >= 3 * len(GUESSED), "the guessed range must contain other associations' objects"
    assert tried >= len(GUESSED) * GUESS_RANGE
    assert leaks == []


# --- Home care: another team's recipient ------------------------------------------------------------------


@pytest.fixture
def teams(db):
    MunicipalityFactory()
    alarm = technology("safety_alarm")
    ours, theirs = CareTeamFactory(), CareTeamFactory()
    staff, colleague_elsewhere = UserFactory(role=Role.HOMECARE_STAFF), UserFactory(role=Role.HOMECARE_STAFF)
    ours.members.add(staff)
    theirs.members.add(colleague_elsewhere)
    recipients = {}
    for key, team in (("ours", ours), ("theirs", theirs)):
        recipient = CareRecipientFactory(team=team, locality=team.locality)
        AssignmentFactory(recipient=recipient, technology=alarm)
        recipients[key] = recipient
    event = EventFactory(recipient=recipients["theirs"], recorded_by=colleague_elsewhere)
    return staff, recipients, event


def test_homecare_staff_see_own_teams_recipient(client, teams):
    staff, recipients, _ = teams
    client.force_login(staff)
    assert client.get(reverse("welfaretech:shift-recipient", args=[recipients["ours"].pk])).status_code == 200
    assert client.get(f"/api/v1/welfaretech/recipients/{recipients['ours'].pk}/").status_code == 200


def test_homecare_staff_get_404_for_another_teams_recipient(client, teams):
    staff, recipients, event = teams
    client.force_login(staff)
    theirs = recipients["theirs"]
    assert client.get(reverse("welfaretech:shift-recipient", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/v1/welfaretech/recipients/{theirs.pk}/").status_code == 404
    listed = client.get("/api/v1/welfaretech/recipients/").json()
    assert theirs.code not in str(listed)
    assert client.get(reverse("welfaretech:shift-correct", args=[event.pk])).status_code == 404
    # The administrator's register is a different role altogether.
    assert client.get(reverse("welfaretech_backoffice:recipient", args=[theirs.pk])).status_code == 403


def test_homecare_staff_cannot_log_events_for_another_teams_recipient(client, teams):
    staff, recipients, event = teams
    client.force_login(staff)
    theirs = recipients["theirs"]
    before = theirs.events.count()
    item = {
        "client_uuid": "6f1c1f0e-8d1b-4c55-9a4e-2f0a3c1d7b21",
        "recipient": theirs.pk,
        "kind": "camera_check_ok",
        "occurred_at": timezone.now().isoformat(),
    }
    response = client.post("/api/v1/welfaretech/events/", [item], content_type="application/json")
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "error"
    assert theirs.events.count() == before
    # Resending another member's event id does not reveal it either.
    response = client.post(
        "/api/v1/welfaretech/events/",
        [{**item, "client_uuid": str(event.client_uuid), "recipient": recipients["ours"].pk}],
        content_type="application/json",
    )
    assert "id" not in response.json()["results"][0]
    listed = client.get("/api/v1/welfaretech/events/").json()
    assert str(event.client_uuid) not in str(listed)


def test_homecare_staff_guessing_recipient_ids_never_answers_200(client, teams):
    staff, recipients, _ = teams
    client.force_login(staff)
    extra = [CareRecipientFactory() for _ in range(5)]
    own = recipients["ours"].pk
    leaks = []
    for pk in range(max(1, own - GUESS_RANGE), own + GUESS_RANGE + 1):
        if pk == own:
            continue
        for url in (
            reverse("welfaretech:shift-recipient", args=[pk]),
            f"/api/v1/welfaretech/recipients/{pk}/",
        ):
            status = client.get(url).status_code
            if status not in REFUSED:
                leaks.append(f"{url}: {status}")
    assert extra and leaks == []


# --- Report runs (followup/report_views.py: the requester's own runs, every run for officials) -------------


@pytest.fixture
def runs(db):
    MunicipalityFactory()
    people = {
        role: UserFactory(role=role) for role in (Role.COORDINATOR, Role.OFFICIAL, Role.WELFARETECH_ADMIN)
    }
    people["second official"] = UserFactory(role=Role.OFFICIAL)
    made = {}
    for who, user in people.items():
        made[who] = ReportRun.objects.create(
            template="kvartalsrapport",
            requested_by=user,
            status=ReportRun.Status.DONE,
            progress=100,
            finished_at=timezone.now(),
            file=ContentFile(PDF_BYTES, name="rapport.pdf"),
        )
    return people, made


def _run_urls(run) -> list[str]:
    return [
        reverse("followup:run", args=[run.pk]),
        reverse("followup:run-status", args=[run.pk]),
        reverse("followup:run-download", args=[run.pk]),
    ]


@pytest.mark.parametrize(
    ("viewer", "owner", "allowed"),
    [
        (Role.OFFICIAL, Role.COORDINATOR, True),
        (Role.OFFICIAL, Role.WELFARETECH_ADMIN, True),
        (Role.OFFICIAL, "second official", True),
        (Role.COORDINATOR, Role.COORDINATOR, True),
        (Role.COORDINATOR, Role.OFFICIAL, False),
        (Role.COORDINATOR, Role.WELFARETECH_ADMIN, False),
        (Role.WELFARETECH_ADMIN, Role.COORDINATOR, False),
        (Role.WELFARETECH_ADMIN, Role.OFFICIAL, False),
    ],
)
def test_report_run_reachable_by_its_requester_and_officials_only(client, runs, viewer, owner, allowed):
    people, made = runs
    client.force_login(people[viewer])
    statuses = [_status(client, url) for url in _run_urls(made[owner])]
    if allowed:
        assert statuses == [200, 200, 200]
    else:
        assert statuses == [404, 404, 404]


def test_report_run_download_is_refused_to_other_roles(client, runs):
    _, made = runs
    for role in (Role.SENIOR, Role.ASSOCIATION_REP, Role.HOMECARE_STAFF):
        client.force_login(UserFactory(role=role))
        assert _status(client, reverse("followup:run-download", args=[made[Role.OFFICIAL].pk])) == 403


# --- Unpublished things stay out of the public pages and the open-data API --------------------------------


@pytest.mark.parametrize("status", ["draft", "pending"])
def test_unpublished_activity_is_not_public(client, associations, status):
    ours, others = associations
    draft = ActivityFactory(organiser_association=ours.association, status=status)
    hidden = OccurrenceFactory(activity=draft)
    published = ours.activity
    assert client.get(reverse("activities:detail", args=[published.slug])).status_code == 200
    assert client.get(reverse("activities:detail", args=[draft.slug])).status_code == 404
    assert client.get(f"/api/v1/activities/{published.slug}/").status_code == 200
    assert client.get(f"/api/v1/activities/{draft.slug}/").status_code == 404
    assert client.get(f"/api/v1/occurrences/{hidden.pk}/").status_code == 404
    assert client.get(reverse("feeds:activity-ics", args=[draft.slug])).status_code == 404
    # Another association's representative cannot open it in the back office either.
    client.force_login(others[0].rep)
    assert client.get(reverse("activities_backoffice:preview", args=[draft.pk])).status_code in REFUSED


def test_unlisted_association_has_no_public_page(client, associations):
    ours, others = associations
    assert client.get(reverse("associations:detail", args=[ours.association.slug])).status_code == 200
    assert client.get(reverse("associations:detail", args=[others[0].association.slug])).status_code == 404
