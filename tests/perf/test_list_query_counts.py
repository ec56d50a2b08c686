"""No N+1 anywhere: every list page (public and back office) and every list endpoint of the API answers with
the same number of SQL queries whether it lists 2 or 12 of everything.

One data set grows in two steps: ``grow(2)``, then ``grow(10)`` more, and each page and endpoint is
fetched after each step by the role that uses it. ``grow`` adds rows of every kind a list shows, tied to the
users who see them (the senior's sign-ups, the representative's association and applications, the home-care
staff member's team, the administrators' audit entries), and children to the objects whose pages list them
(sign-ups of one occurrence, occasions of one activity, board members and documents of one association,
questions of one programme, recipients of one bulk message, messages, history and attachments of one grant
application, devices of one care recipient, the history of one device). A page whose count grows with the
data runs a query per row. The response cache is cleared before each request so that the database work is
measured, and each page must also show more at the second size (except ``NOT_GROWING``), so that a page
listing nothing cannot pass unnoticed.
"""

from datetime import timedelta
from itertools import count

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.roles import ADMIN, Role
from activities.models import Category
from associations.models import (
    ApplicationMessage,
    BulkMessage,
    BulkMessageRecipient,
    GrantApplication,
    Representative,
    StatusChange,
)
from config.urls import router
from followup.models import ReportRun
from welfaretech.models import DeviceHistory, Fault, TrainingRecord

from ..associations.factories import (
    PDF_BYTES,
    AnnualDocumentFactory,
    ApplicationAttachmentFactory,
    GrantProgrammeFactory,
    ProgrammeQuestionFactory,
    representative,
)
from ..associations.factories_casework import application_in
from ..associations.factories_register import BoardMemberFactory, MemberCountFactory
from ..factories import (
    ActivityFactory,
    ActivitySuggestionFactory,
    AssignmentFactory,
    AssociationFactory,
    CareRecipientFactory,
    CareTeamFactory,
    CategoryFactory,
    ContactMessageFactory,
    DeviceFactory,
    EventFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
    RegistrationFactory,
    UserFactory,
    technology,
)
from ..followup.factories import ManualValueFactory

pytestmark = pytest.mark.django_db

SMALL, MORE = 2, 10
# Pages whose content does not grow with ``grow``: fixed catalogues, dashboards of totals, the audit log
# (its first page of 50 is full before ``grow`` adds anything: viewing pages is audited too) and the
# privacy overview, which shows counts.
NOT_GROWING = {
    "/api/v1/categories/",
    "/api/v1/followup/indicators/",
    "/backoffice/",
    "/backoffice/uppfoljning/underlag/",
    "/backoffice/uppfoljning/underlag/indikatorer/",
    "/backoffice/valfardsteknik/teknik/",
    "/backoffice/granskningslogg/",
    "/mina-uppgifter/",
}
_serial = count()


@pytest.fixture
def world(municipality, settings):
    settings.REQUIRE_STAFF_MFA = False
    CategoryFactory(slug="fysisk-aktivitet")  # a transactional test before this one may have flushed it
    CategoryFactory(slug="social-gemenskap")
    locality = LocalityFactory(name="Högsjö", slug="hogsjo")
    association = AssociationFactory(name="Anchor", slug="anchor", is_active=True, show_in_directory=True)
    place = MeetingPlaceFactory(locality=locality, slug="anchor-place")
    activity = ActivityFactory(organiser_association=association, place=place, slug="anchor-activity")
    activity.categories.add(Category.objects.get(slug="fysisk-aktivitet"))
    team = CareTeamFactory(locality=locality)
    users = {
        Role.SENIOR: UserFactory(role=Role.SENIOR),
        Role.ASSOCIATION_REP: representative(association),
        Role.COORDINATOR: UserFactory(role=Role.COORDINATOR),
        Role.OFFICIAL: UserFactory(role=Role.OFFICIAL),
        Role.HOMECARE_STAFF: UserFactory(role=Role.HOMECARE_STAFF),
        Role.WELFARETECH_ADMIN: UserFactory(role=Role.WELFARETECH_ADMIN),
        ADMIN: UserFactory(role=ADMIN),
    }
    team.members.add(users[Role.HOMECARE_STAFF])
    return {
        "users": users,
        "locality": locality,
        "association": association,
        "place": place,
        "activity": activity,
        "occurrence": OccurrenceFactory(activity=activity, starts_at=timezone.now() + timedelta(days=1)),
        "team": team,
        "recipient": CareRecipientFactory(team=team, locality=locality),
        "programme": GrantProgrammeFactory(),
        "bulk": BulkMessage.objects.create(subject="Påminnelse", body="Glöm inte årsmötet."),
        "alarm": technology("safety_alarm"),
        "application": application_in(GrantApplication.Status.SUBMITTED, association=association),
        "device": DeviceFactory(technology=technology("safety_alarm")),
    }


def grow(world: dict, n: int) -> None:
    """``n`` more rows of everything the list pages and endpoints show."""
    users = world["users"]
    today = timezone.localdate()
    for _ in range(n):
        i = next(_serial)
        # Activities: places, activities with categories and occasions, sign-ups, suggestions, questions.
        locality = LocalityFactory()
        place = MeetingPlaceFactory(locality=locality if i % 2 else world["locality"])
        activity = ActivityFactory(organiser_association=world["association"], place=place)
        activity.categories.add(*Category.objects.order_by("pk")[:2])
        occurrence = OccurrenceFactory(
            activity=activity, starts_at=timezone.now() + timedelta(days=1, hours=i)
        )
        OccurrenceFactory(activity=world["activity"], starts_at=timezone.now() + timedelta(days=2, hours=i))
        OccurrenceFactory(
            activity=ActivityFactory(organiser_association=AssociationFactory(), place=world["place"]),
            starts_at=timezone.now() + timedelta(days=3, hours=i),
        )
        RegistrationFactory(
            occurrence=occurrence, user=users[Role.SENIOR], guest_name="", guest_phone="", guest_email=""
        )
        RegistrationFactory(occurrence=world["occurrence"], user=UserFactory())
        RegistrationFactory(occurrence=world["occurrence"])
        ActivitySuggestionFactory(locality=locality)
        ContactMessageFactory(locality=locality)
        # Associations: the directory and register, board, member counts, documents to review.
        other = AssociationFactory(is_active=True, show_in_directory=True)
        other.localities.add(locality)
        BoardMemberFactory(association=world["association"])
        MemberCountFactory(association=world["association"], year=today.year - 2 - i)
        AnnualDocumentFactory(association=other)
        AnnualDocumentFactory(association=world["association"], year=today.year - 3 - i)
        representative(world["association"], role=Representative.Role.GRANTS)
        # Grants: applications in every state the queues show, questions, bulk messages.
        own = AssociationFactory(is_active=True)
        Representative.objects.create(association=own, user=users[Role.ASSOCIATION_REP])
        application_in(
            GrantApplication.Status.SUBMITTED,
            association=own,
            programme=world["programme"],
            reference=f"Q{i:06d}",
        )
        application_in(GrantApplication.Status.PAID, association=other, reference=f"P{i:06d}")
        ProgrammeQuestionFactory(programme=world["programme"])
        GrantProgrammeFactory()
        BulkMessageRecipient.objects.create(message=world["bulk"], association=other)
        BulkMessage.objects.create(subject=f"Utskick {i}", body="Hej!")
        application = world["application"]
        ApplicationMessage.objects.create(
            application=application, author=users[Role.ASSOCIATION_REP], body="?"
        )
        ApplicationMessage.objects.create(
            application=application, author=users[Role.COORDINATOR], from_case_officer=True, body="!"
        )
        StatusChange.objects.create(
            application=application,
            from_status=GrantApplication.Status.SUBMITTED,
            to_status=GrantApplication.Status.SUBMITTED,
            actor=users[Role.COORDINATOR],
        )
        ApplicationAttachmentFactory(
            application=application, uploaded_by=users[Role.ASSOCIATION_REP], label=f"Bilaga {i}"
        )
        # Welfare technology: recipients of the staff member's team with devices, assignments, events.
        recipient = CareRecipientFactory(team=world["team"], locality=locality)
        device = DeviceFactory(
            technology=world["alarm"], recipient=recipient, next_service_on=today + timedelta(days=5)
        )
        AssignmentFactory(recipient=recipient, technology=world["alarm"], device=device)
        AssignmentFactory(recipient=world["recipient"], technology=technology("digital_supervision"))
        Fault.objects.create(device=device, description="Larmet piper")
        DeviceFactory(technology=world["alarm"], recipient=world["recipient"])
        DeviceHistory.objects.create(
            device=world["device"],
            action=DeviceHistory.Action.values[i % len(DeviceHistory.Action.values)],
            recipient=recipient,
            recorded_by=users[Role.WELFARETECH_ADMIN],
        )
        TrainingRecord.objects.create(
            user=users[Role.HOMECARE_STAFF],
            course=f"Kurs {i}",
            technology=world["alarm"],
            completed_on=today - timedelta(days=300),
            valid_until=today + timedelta(days=30),
        )
        for role in (Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN):
            EventFactory(recipient=recipient, recorded_by=users[role])
            EventFactory(recipient=world["recipient"], recorded_by=users[role])
        # Follow-up: report runs, manual survey values; the audit log.
        for role in (Role.COORDINATOR, Role.OFFICIAL, Role.WELFARETECH_ADMIN):
            ReportRun.objects.create(
                template="kvartalsrapport",
                requested_by=users[role],
                status=ReportRun.Status.DONE,
                progress=100,
                finished_at=timezone.now(),
                file=ContentFile(PDF_BYTES, name="rapport.pdf"),
            )
        ManualValueFactory(period_start=today.replace(day=1) - timedelta(days=400 + 40 * i))
        audit.record("test.listed", actor=users[ADMIN], obj=activity, number=i)


def pages(world: dict) -> list[tuple[str, str | None]]:
    """(url, role) of every list page and API list endpoint; ``None`` is an anonymous visitor."""
    month = timezone.localdate().strftime("%Y-%m")
    activity, occurrence = world["activity"], world["occurrence"]
    association, programme = world["association"], world["programme"]
    public = [
        "/",
        "/aktiviteter/",
        "/aktiviteter/?q=gymnastik&locality=hogsjo&category=fysisk-aktivitet&free=on",
        f"/aktiviteter/{activity.slug}/",
        "/motesplatser/",
        f"/motesplatser/{world['place'].slug}/",
        "/foreningar/",
        f"/foreningar/{association.slug}/",
        reverse("feeds:programme"),
        reverse("feeds:programme-month", kwargs={"locality": "alla", "month": month}),
        reverse("feeds:locality-ics", kwargs={"slug": "hogsjo"}),
        reverse("feeds:category-ics", kwargs={"slug": "fysisk-aktivitet"}),
        reverse("feeds:activity-ics", kwargs={"slug": activity.slug}),
    ]
    coordinator = [
        "/backoffice/",
        "/backoffice/aktiviteter/",
        f"/backoffice/aktiviteter/{activity.pk}/",
        f"/backoffice/aktiviteter/tillfalle/{occurrence.pk}/",
        f"/backoffice/aktiviteter/tillfalle/{occurrence.pk}/narvarolista/",
        "/backoffice/aktiviteter/granskning/",
        "/backoffice/aktiviteter/motesplatser/",
        "/backoffice/aktiviteter/kategorier/",
        "/backoffice/aktiviteter/orter/",
        "/backoffice/fragor/",
        "/backoffice/foreningar/",
        f"/backoffice/foreningar/{association.pk}/",
        f"/backoffice/foreningar/{association.pk}/styrelse/",
        f"/backoffice/foreningar/{association.pk}/medlemmar/",
        f"/backoffice/foreningar/{association.pk}/personer/",
        f"/backoffice/foreningar/{association.pk}/dokument/",
        "/backoffice/foreningar/dokument/granska/",
        "/backoffice/handlaggning/",
        "/backoffice/handlaggning/?status=submitted&sort=association",
        f"/backoffice/handlaggning/{world['application'].pk}/",
        "/backoffice/samordning/",
        "/backoffice/samordning/program/",
        f"/backoffice/samordning/program/{programme.pk}/",
        "/backoffice/samordning/utskick/",
        f"/backoffice/samordning/utskick/{world['bulk'].pk}/",
        "/backoffice/samordning/export/",
        "/backoffice/uppfoljning/",
        "/backoffice/uppfoljning/rapporter/",
        "/backoffice/uppfoljning/underlag/",
    ]
    official = [
        "/backoffice/handlaggning/",
        "/backoffice/uppfoljning/underlag/befolkning/",
        "/backoffice/uppfoljning/underlag/indikatorer/",
        "/backoffice/uppfoljning/underlag/enkater/SRV-01/",
        "/backoffice/uppfoljning/rapporter/",
    ]
    welfaretech = [
        "/backoffice/valfardsteknik/teknik/",
        "/backoffice/valfardsteknik/enheter/",
        "/backoffice/valfardsteknik/enheter/service/",
        f"/backoffice/valfardsteknik/enheter/{world['device'].pk}/",
        "/backoffice/valfardsteknik/brukare/",
        f"/backoffice/valfardsteknik/brukare/{world['recipient'].pk}/",
        "/backoffice/valfardsteknik/fel/",
        "/backoffice/valfardsteknik/utbildning/",
        "/backoffice/valfardsteknik/nytta/",
        "/backoffice/uppfoljning/rapporter/",
    ]
    rep = [
        "/backoffice/aktiviteter/",
        "/backoffice/foreningar/mina/",
        "/backoffice/bidrag/",
        f"/backoffice/bidrag/{world['application'].pk}/",
        f"/backoffice/bidrag/{world['application'].pk}/bilagor/",
    ]
    api = [f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry]
    api_roles = {
        "followup/indicators": Role.OFFICIAL,
        "followup/kolada": Role.OFFICIAL,
        "welfaretech/recipients": Role.HOMECARE_STAFF,
        "welfaretech/events": Role.HOMECARE_STAFF,
    }
    return [
        *((url, None) for url in public),
        ("/aktiviteter/mina-anmalningar/", Role.SENIOR),
        ("/mina-uppgifter/", Role.SENIOR),
        *((url, Role.COORDINATOR) for url in coordinator),
        *((url, Role.OFFICIAL) for url in official),
        *((url, Role.WELFARETECH_ADMIN) for url in welfaretech),
        ("/hemtjanst/pass/", Role.HOMECARE_STAFF),
        (f"/hemtjanst/pass/mottagare/{world['recipient'].pk}/", Role.HOMECARE_STAFF),
        *((url, Role.ASSOCIATION_REP) for url in rep),
        ("/backoffice/granskningslogg/", ADMIN),
        *(
            (f"/api/v1/{prefix}/", api_roles.get(prefix))
            for prefix, _viewset, _basename in router.registry
            if f"/api/v1/{prefix}/" in api
        ),
    ]


def measure(client, world: dict) -> dict[tuple[str, str | None], tuple[int, int]]:
    """(url, role) -> (SQL queries, bytes of the response)."""
    measured = {}
    for url, role in pages(world):
        client.logout()
        if role is not None:
            client.force_login(world["users"][role])
        cache.clear()  # measure the database work, not the response cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, role, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        measured[(url, role)] = (len(queries.captured_queries), len(body))
    return measured


def test_every_list_is_covered(world):
    urls = {url for url, _role in pages(world)}
    api = {f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry}
    assert api <= urls, api - urls


def test_list_query_counts_do_not_grow_with_the_data(client, world):
    grow(world, SMALL)
    small = measure(client, world)
    grow(world, MORE)
    large = measure(client, world)
    name = {key: f"{key[0]} ({key[1] or 'anonymous'})" for key in small}
    grown = {name[key]: (small[key][0], large[key][0]) for key in small if large[key][0] != small[key][0]}
    assert not grown, f"query counts at {SMALL} → {SMALL + MORE} rows: {grown}"
    # The pages really list what was added (else the comparison proves nothing); a few show totals only.
    unchanged = {key for key in small if large[key][1] == small[key][1]}
    assert {name[key] for key in unchanged} <= {name[key] for key in small if key[0] in NOT_GROWING}
