"""Hostile text in every free-text field that is shown somewhere: script and an event-handler image in
pages and PDFs, a spreadsheet formula in exports.

Pages must show the text escaped (the escaped form is asserted too, so that a page which simply leaves the
field out cannot pass); PDFs must carry it as literal text with no JavaScript, launch or open action; CSV
cells and Excel cells that start with ``= + - @``, a tab or a carriage return must be neutralised (a
leading apostrophe, and an Excel cell typed as text).
"""

import csv
import io
import re
import zlib
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.roles import Role
from activities import notifications
from associations.letters import render_decision_letter
from associations.models import ApplicationMessage, GrantApplication
from followup.models import Indicator
from welfaretech.models import Fault

from ..associations.factories import (
    AssociationFactory,
    GrantProgrammeFactory,
    ProgrammeQuestionFactory,
    representative,
)
from ..associations.factories_casework import application_in
from ..associations.factories_register import BoardMemberFactory
from ..factories import (
    ActivityFactory,
    ActivitySuggestionFactory,
    CareRecipientFactory,
    CareTeamFactory,
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

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
RAW = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "onerror=alert(1)>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULAS = (
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
)
CONTROL_FORMULAS = ("\t=cmd|' /C calc'!A0", "\r=cmd|' /C calc'!A0")
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def p(short: int | None = None) -> str:
    """The payload, cut to a field's length (the dangerous part comes first)."""
    return PAYLOAD if short is None else PAYLOAD[:short]


def assert_escaped(response, *, expect_shown: bool = True) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    for raw in RAW:
        assert raw not in html, f"unescaped {raw!r} in {response.request['PATH_INFO']}"
    if expect_shown:
        assert ESCAPED in html, f"the payload is not shown on {response.request['PATH_INFO']}"
    return html


def login(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.REQUIRE_STAFF_MFA = False


# --- Activities, places, associations: public pages and the back office -------------------------------


@pytest.fixture
def hostile_activity(municipality):
    locality = LocalityFactory(slug="xssby", name=p(40))
    place = MeetingPlaceFactory(
        locality=locality,
        slug="xss-plats",
        name=p(),
        address=p(),
        description=p(),
        opening_hours=p(),
    )
    association = AssociationFactory(
        slug="xss-forening", name=p(), purpose=p(), is_active=True, show_in_directory=True
    )
    association.localities.add(locality)
    activity = ActivityFactory(
        slug="xss-aktivitet",
        title=p(),
        description=p(),
        audience_note=p(),
        accessibility_notes=p(),
        contact_name=p(),
        place=place,
        organiser_association=association,
    )
    occurrence = OccurrenceFactory(activity=activity, cancel_reason=p())
    RegistrationFactory(occurrence=occurrence, guest_name=FORMULAS[0], guest_phone=CONTROL_FORMULAS[0])
    return {"activity": activity, "occurrence": occurrence, "place": place, "association": association}


def test_public_pages_escape_activity_place_and_association_text(client, hostile_activity):
    activity, place = hostile_activity["activity"], hostile_activity["place"]
    association = hostile_activity["association"]
    month = timezone.localtime(hostile_activity["occurrence"].starts_at).strftime("%Y-%m")
    for url in (
        reverse("activities:detail", kwargs={"slug": activity.slug}),
        reverse("activities:search") + "?q=script",
        reverse("activities:search") + "?q=" + PAYLOAD,  # the search box echoes the query
        reverse("portal:place-detail", kwargs={"slug": place.slug}),
        reverse("portal:place-list"),
        reverse("associations:directory"),
        reverse("associations:detail", kwargs={"slug": association.slug}),
        reverse("feeds:programme-month", kwargs={"locality": "alla", "month": month}),
        reverse("activities:signup", kwargs={"pk": hostile_activity["occurrence"].pk}),
    ):
        assert_escaped(client.get(url))


def test_back_office_pages_escape_activity_text(client, hostile_activity):
    login(client, Role.COORDINATOR)
    activity, occurrence = hostile_activity["activity"], hostile_activity["occurrence"]
    for url in (
        reverse("activities_backoffice:list"),
        reverse("activities_backoffice:detail", kwargs={"pk": activity.pk}),
        reverse("activities_backoffice:preview", kwargs={"pk": activity.pk}),
        reverse("activities_backoffice:occurrence", kwargs={"pk": occurrence.pk}),
        reverse("activities_backoffice:places"),
    ):
        assert_escaped(client.get(url))


def test_suggestions_and_questions_from_the_public_are_escaped(client, municipality):
    suggestion = ActivitySuggestionFactory(
        title=p(), description=p(), when_text=p(), where_text=p(), contact_name=p()
    )
    message = ContactMessageFactory(name=p(), message=p())
    login(client, Role.COORDINATOR)
    assert_escaped(client.get(reverse("activities_backoffice:suggestion", kwargs={"pk": suggestion.pk})))
    assert_escaped(client.get(reverse("activities_backoffice:moderation")))
    assert_escaped(client.get(reverse("portal_backoffice:message", kwargs={"pk": message.pk})))
    assert_escaped(client.get(reverse("portal_backoffice:inbox")))


def test_the_programme_pdf_carries_the_text_literally_and_no_actions(client, hostile_activity):
    month = timezone.localtime(hostile_activity["occurrence"].starts_at).strftime("%Y-%m")
    response = client.get(reverse("feeds:programme-pdf", kwargs={"locality": "alla", "month": month}))
    assert response.status_code == 200
    pdf = response.content if not response.streaming else b"".join(response.streaming_content)
    assert_pdf_is_inert(pdf, must_contain="alert(1)")


# --- PDFs -----------------------------------------------------------------------------------------------


ACTIONS = re.compile(rb"/(JavaScript|JS|Launch|OpenAction|AA|SubmitForm|ImportData|RichMedia|EmbeddedFile)\b")


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, so actions hidden in object streams are seen too."""
    text = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            continue
    return text


def assert_pdf_is_inert(pdf: bytes, *, must_contain: str) -> None:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    assert must_contain in text, text[:500]
    assert "<script>" in text.replace(" ", "") or "script" in text, "the payload is not printed literally"
    found = ACTIONS.findall(_pdf_objects(pdf))
    assert not found, f"PDF carries actions: {set(found)}"
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                assert action.get_object().get("/S") == "/URI", action
                uri = str(action.get_object().get("/URI"))
                assert uri.startswith(("http://", "https://", "mailto:", "tel:")), uri


def test_the_decision_letter_carries_the_text_literally(municipality):
    association = AssociationFactory(name=p(), org_number="")
    application = application_in(
        GrantApplication.Status.DECIDED,
        association=association,
        title=p(),
        decision_reasons=p(),
    )
    assert_pdf_is_inert(render_decision_letter(application, language="en"), must_contain="alert(1)")


def test_the_decision_letter_download_is_a_pdf_attachment(client, municipality):
    association = AssociationFactory(name=p())
    rep = representative(association)
    application = application_in(
        GrantApplication.Status.DECIDED, association=association, title=p(), decision_reasons=p()
    )
    client.force_login(rep)
    response = client.get(reverse("grants:decision-letter", kwargs={"pk": application.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content if not response.streaming else b"".join(response.streaming_content)
    assert_pdf_is_inert(pdf, must_contain="alert(1)")


# --- Associations: register, applications and casework --------------------------------------------------


def test_association_register_and_casework_pages_escape_text(client, municipality):
    association = AssociationFactory(name=p(), purpose=p())
    BoardMemberFactory(association=association, name=p(150))
    programme = (
        GrantProgrammeFactory(name=p(), description=p())
        if _has_field("associations.GrantProgramme", "description")
        else GrantProgrammeFactory(name=p())
    )
    question = ProgrammeQuestionFactory(programme=programme, text=p(), kind="text")
    application = application_in(
        GrantApplication.Status.SUBMITTED,
        association=association,
        programme=programme,
        title=p(),
        description=p(),
        answers={str(question.pk): p()},
    )
    ApplicationMessage.objects.create(application=application, body=p(), from_case_officer=False)
    login(client, Role.COORDINATOR)
    for url in (
        reverse("register:list"),
        reverse("register:detail", kwargs={"pk": association.pk}),
        reverse("register:board", kwargs={"pk": association.pk}),
        reverse("casework:queue"),
        reverse("casework:application", kwargs={"pk": application.pk}),
        reverse("coordinator:programmes"),
        reverse("coordinator:programme", kwargs={"pk": programme.pk}),
    ):
        assert_escaped(client.get(url))


def _has_field(label: str, name: str) -> bool:
    from django.apps import apps

    return any(field.name == name for field in apps.get_model(label)._meta.get_fields())


# --- Welfare tech and follow-up ----------------------------------------------------------------------------


def test_welfaretech_notes_and_fault_descriptions_are_escaped(client, municipality):
    staff = UserFactory(role=Role.HOMECARE_STAFF)
    team = CareTeamFactory()
    team.members.add(staff)
    recipient = CareRecipientFactory(team=team, locality=team.locality)
    device = DeviceFactory(technology=technology("safety_alarm"), recipient=recipient)
    event = EventFactory(recipient=recipient, recorded_by=staff, note=p(200), action=p(200), device=device)
    Fault.objects.create(device=device, description=p())
    action = device.history.model._meta.get_field("action").choices[0][0]
    device.history.create(action=action, note=p(), recipient=recipient)
    client.force_login(staff)
    assert_escaped(client.get(reverse("welfaretech:shift-correct", kwargs={"pk": event.pk})))
    assert_escaped(
        client.get(reverse("welfaretech:shift-recipient", kwargs={"pk": recipient.pk})), expect_shown=False
    )
    login(client, Role.WELFARETECH_ADMIN)
    assert_escaped(client.get(reverse("welfaretech_backoffice:faults")))
    assert_escaped(client.get(reverse("welfaretech_backoffice:device", kwargs={"pk": device.pk})))
    assert_escaped(
        client.get(reverse("welfaretech_backoffice:recipient", kwargs={"pk": recipient.pk})),
        expect_shown=False,
    )


def test_a_manual_value_source_is_escaped(client, municipality):
    manual = Indicator.objects.filter(source=Indicator.Source.MANUAL).order_by("code").first()
    ManualValueFactory(indicator=manual, source=p(200))
    login(client, Role.OFFICIAL)
    assert_escaped(client.get(reverse("followup_data:manual-values", kwargs={"code": manual.code})))


# --- E-mails -----------------------------------------------------------------------------------------------


def test_e_mails_carry_no_unescaped_html(hostile_activity, on_commit):
    registration = RegistrationFactory(
        occurrence=hostile_activity["occurrence"], guest_name=p(100), guest_email="gast@example.org"
    )
    with on_commit(execute=True):
        notifications.registration_received(registration)
    assert mail.outbox, "no e-mail was sent"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                for raw in RAW:
                    assert raw not in content


# --- Exports -----------------------------------------------------------------------------------------------


def _neutral(value: object) -> bool:
    return not (isinstance(value, str) and value.startswith(DANGEROUS_STARTS))


def test_the_sign_up_export_neutralises_formulas(client, hostile_activity):
    occurrence = hostile_activity["occurrence"]
    for formula in FORMULAS + CONTROL_FORMULAS:
        RegistrationFactory(occurrence=occurrence, guest_name=formula, guest_phone=formula)
    login(client, Role.COORDINATOR)
    response = client.get(reverse("activities_backoffice:occurrence-export", kwargs={"pk": occurrence.pk}))
    assert response.status_code == 200
    content = response.content if not response.streaming else b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert all(_neutral(cell) for cell in cells), [c for c in cells if not _neutral(c)]


@pytest.mark.parametrize("formula", FORMULAS + CONTROL_FORMULAS)
def test_association_exports_neutralise_formulas_in_csv_and_excel(client, municipality, formula):
    association = AssociationFactory(name=formula)
    application = application_in(GrantApplication.Status.SUBMITTED, association=association, title=formula)
    login(client, Role.COORDINATOR)
    for file_format in ("csv", "xlsx"):
        response = client.get(
            reverse("coordinator:exports"),
            {
                "download": "1",
                "what": "applications",
                "file_format": file_format,
                "year": application.programme.year,
            },
        )
        assert response.status_code == 200, response.content[:300]
        if file_format == "csv":
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
            cells = [cell for row in rows for cell in row]
        else:
            sheet = load_workbook(io.BytesIO(response.content)).active
            cells = [cell.value for row in sheet.iter_rows() for cell in row]
            assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), (
                "a cell is stored as a formula"
            )
        # (Excel's XML turns a carriage return into a line feed when read back; the apostrophe stays first.)
        assert any(
            isinstance(cell, str) and cell.startswith("'") and cell.endswith(formula.strip())
            for cell in cells
        ), (file_format, cells[:40])
        assert all(_neutral(cell) for cell in cells), [c for c in cells if not _neutral(c)]


@pytest.mark.parametrize("formula", FORMULAS[:1] + CONTROL_FORMULAS[:1])
def test_follow_up_exports_neutralise_formulas_in_names(client, municipality, formula):
    """A locality's name (typed by a coordinator) becomes a row label when a figure is split by
    locality."""
    central = LocalityFactory(slug="xss-ort", name=formula)
    activity = ActivityFactory(place=MeetingPlaceFactory(locality=central))
    OccurrenceFactory(activity=activity, starts_at=timezone.now() - timedelta(days=2))
    login(client, Role.OFFICIAL)
    year = timezone.localdate().year
    code = "ACT-03"
    query = f"date_from={year}-01-01&date_to={year}-12-31&granularity=year&split=locality"
    base = reverse("followup_data:export", kwargs={"code": code})
    response = client.get(f"{base}?{query}&format=csv")
    assert response.status_code == 200, response.content[:300]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert any(cell.endswith(formula.strip()) for cell in cells), cells
    assert all(_neutral(cell) for cell in cells), [c for c in cells if not _neutral(c)]

    response = client.get(f"{base}?{query}&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), "a formula cell"
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert all(_neutral(value) for value in values), [v for v in values if not _neutral(v)]


def test_the_follow_up_report_pdf_carries_names_literally(
    client, municipality, on_commit, settings, tmp_path
):
    from followup.models import ReportRun

    from ..followup.factories_ui import held

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    village = LocalityFactory(name=p(60), slug="xss-by")
    held(12, year=2026, month=2, locality=village, women=4, men=3)
    login(client, Role.OFFICIAL)
    # The report for one locality names it on the title page and in its headings.
    data = {"date_from": "2026-01-01", "date_to": "2026-03-31", "locality": village.slug, "sex": ""}
    with on_commit(execute=True):
        response = client.post(reverse("followup:report-create", args=["kvartalsrapport"]), data)
    assert response.status_code == 302
    run = ReportRun.objects.latest("id")
    download = client.get(reverse("followup:run-download", args=[run.pk]))
    assert download.status_code == 200
    assert_pdf_is_inert(b"".join(download.streaming_content), must_contain="alert(1)")
