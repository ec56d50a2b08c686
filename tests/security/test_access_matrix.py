"""Every URL pattern × every role, requested with GET and compared with the declared table.

One dataset is built once for the module (a module-scoped fixture, rolled back at the end), with an object
behind every path argument that the role would be allowed to see; staff MFA enforcement is switched off
(REQUIRE_STAFF_MFA) and every user has an authenticator, so the MFA pages have something to show.
The table lives in ``access_table.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.roles import ADMIN, Role
from associations.models import BulkMessage, GrantApplication, Representative
from followup.indicators import visible_indicators
from followup.models import Indicator, ReportRun
from followup.reports import templates_for
from welfaretech.models import Fault

from ..associations.factories import (
    PDF_BYTES,
    AnnualDocumentFactory,
    ApplicationAttachmentFactory,
    GrantProgrammeFactory,
    ProgrammeQuestionFactory,
    representative,
)
from ..associations.factories_casework import application_in
from ..associations.factories_register import (
    BoardMemberFactory,
    InvitationFactory,
    PaymentAccountChangeFactory,
)
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
    MunicipalityFactory,
    OccurrenceFactory,
    RegistrationFactory,
    UserFactory,
    technology,
)
from ..followup.factories import ManualValueFactory
from .access_table import ALLOW, ANONYMOUS, DENY, POST_ONLY, ROLES, SKIPPED, TABLE, expected


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the project, with its full route and the name the table knows it by."""

    name: str
    namespace: str
    route: str
    view: str
    arguments: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            callback = entry.callback
            view = f"{callback.__module__}.{getattr(callback, '__name__', '')}"
            arguments = tuple(entry.pattern.regex.groupindex)
            yield Pattern(name, namespace, prefix + str(entry.pattern), view, arguments)


def skip_reason(pattern: Pattern) -> str | None:
    for key, reason in SKIPPED.items():
        if (key.endswith(":") and f"{pattern.namespace}:".startswith(key)) or key == pattern.view:
            return reason
    return None


def project_patterns() -> list[Pattern]:
    """Every URL pattern the table must decide (the skipped ones left out)."""
    return [pattern for pattern in _walk(get_resolver()) if skip_reason(pattern) is None]


def test_table_mentions_every_url_pattern_and_nothing_else():
    patterns = list(_walk(get_resolver()))
    unnamed = [p.route for p in patterns if not p.name and skip_reason(p) is None]
    assert not unnamed, f"URL patterns without a name cannot be put in the table: {unnamed}"
    missing = sorted({p.name for p in patterns if skip_reason(p) is None and p.name not in TABLE})
    assert not missing, f"URL patterns missing from tests/security/access_table.py: {missing}"
    existing = {p.name for p in patterns}
    stale = sorted(set(TABLE) - existing)
    assert not stale, f"Table entries whose URL no longer exists: {stale}"
    assert set(TABLE) >= POST_ONLY, sorted(POST_ONLY - set(TABLE))


def test_every_role_is_in_the_matrix():
    assert set(ROLES) == {ANONYMOUS, ADMIN, *Role.values}


# --- The dataset -------------------------------------------------------------------------------------------


def _build(users: dict[str, object]) -> dict[str, object]:
    """Objects behind every path argument. Representatives own association ``a``; the home-care staff member
    is in ``team``; every follow-up role has a report run of its own."""
    today = timezone.localdate()
    MunicipalityFactory()
    locality = LocalityFactory(slug="matrisby", name="Matrisby")
    category = CategoryFactory(slug="matris-kategori")
    place = MeetingPlaceFactory(locality=locality, slug="matris-traffpunkt")
    association = users["_association"]
    activity = ActivityFactory(organiser_association=association, place=place, slug="matris-aktivitet")
    activity.categories.add(category)
    occurrence = OccurrenceFactory(activity=activity)
    registrations = {
        role: RegistrationFactory(
            occurrence=occurrence, user=user, guest_name="", guest_phone="", guest_email=""
        )
        for role, user in users.items()
        if role not in (ANONYMOUS, "_association")
    }
    guest_registration = RegistrationFactory(occurrence=occurrence)
    suggestion = ActivitySuggestionFactory()
    message = ContactMessageFactory()

    team = CareTeamFactory(locality=locality)
    team.members.add(users[Role.HOMECARE_STAFF])
    recipient = CareRecipientFactory(team=team, locality=locality)
    alarm = technology("safety_alarm")
    device = DeviceFactory(technology=alarm, recipient=recipient)
    assignment = AssignmentFactory(recipient=recipient, technology=alarm, device=device)
    fault = Fault.objects.create(device=device, description="Larmet piper")
    events = {
        role: EventFactory(recipient=recipient, recorded_by=users[role])
        for role in (Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN)
    }

    board_member = BoardMemberFactory(association=association)
    account_change = PaymentAccountChangeFactory(association=association)
    colleague = representative(association, role=Representative.Role.GRANTS)
    colleague_membership = Representative.objects.get(association=association, user=colleague)
    invitation = InvitationFactory(association=association)
    document = AnnualDocumentFactory(association=association)

    programme = GrantProgrammeFactory()
    question = ProgrammeQuestionFactory(programme=programme)
    application = application_in(GrantApplication.Status.PAID, association=association, programme=programme)
    attachment = ApplicationAttachmentFactory(
        application=application, uploaded_by=users[Role.ASSOCIATION_REP]
    )
    bulk = BulkMessage.objects.create(subject="Påminnelse", body="Glöm inte årsmötet.")

    manual = Indicator.objects.filter(source=Indicator.Source.MANUAL).order_by("code").first()
    manual_value = ManualValueFactory(indicator=manual)
    any_indicator = Indicator.objects.order_by("code").first()
    any_template = "kvartalsrapport"

    per_role: dict[str, dict[str, object]] = {}
    for role, user in users.items():
        if role.startswith("_"):
            continue
        visible = visible_indicators(user).order_by("code").first() if role != ANONYMOUS else None
        templates = templates_for(user) if role != ANONYMOUS else []
        template = templates[0].slug if templates else any_template
        run = None
        if role != ANONYMOUS:
            run = ReportRun.objects.create(
                template=template,
                requested_by=user,
                status=ReportRun.Status.DONE,
                progress=100,
                finished_at=timezone.now(),
                file=ContentFile(PDF_BYTES, name="rapport.pdf"),
            )
        per_role[role] = {
            "indicator": (visible or any_indicator).code,
            "template": template,
            "run": run.pk
            if run
            else ReportRun.objects.order_by("pk").values_list("pk", flat=True).first() or 1,
            "event": (events.get(role) or events[Role.HOMECARE_STAFF]).pk,
            "registration": (registrations.get(role) or registrations[Role.SENIOR]).pk,
        }

    arguments = {
        "portal:place-detail": {"slug": place.slug},
        "activities:signup": {"pk": occurrence.pk},
        "activities:signup-done": {"pk": occurrence.pk},
        "activities:cancel-registration": {"token": guest_registration.cancel_token},
        "activities:detail": {"slug": activity.slug},
        "welfaretech:shift-recipient": {"pk": recipient.pk},
        "associations:detail": {"slug": association.slug},
        "feeds:activity-ics": {"slug": activity.slug},
        "feeds:locality-ics": {"slug": locality.slug},
        "feeds:category-ics": {"slug": category.slug},
        "feeds:programme-month": {"locality": locality.slug, "month": today.strftime("%Y-%m")},
        "feeds:programme-pdf": {"locality": locality.slug, "month": today.strftime("%Y-%m")},
        "account_confirm_email": {"key": "not-a-real-key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "set-password"},
        "locality-detail": {"slug": locality.slug},
        "recipient-detail": {"pk": recipient.pk},
        "activity-detail": {"slug": activity.slug},
        "occurrence-detail": {"pk": occurrence.pk},
        "place-detail": {"slug": place.slug},
        "category-detail": {"slug": category.slug},
        "association-detail": {"slug": association.slug},
        **{f"activities_backoffice:{n}": {"pk": activity.pk} for n in _ACTIVITY_PK},
        **{f"activities_backoffice:{n}": {"pk": occurrence.pk} for n in _OCCURRENCE_PK},
        "activities_backoffice:suggestion": {"pk": suggestion.pk},
        "activities_backoffice:suggestion-reject": {"pk": suggestion.pk},
        "activities_backoffice:place-edit": {"pk": place.pk},
        "activities_backoffice:place-delete": {"pk": place.pk},
        "activities_backoffice:category-edit": {"pk": category.pk},
        "activities_backoffice:locality-edit": {"pk": locality.pk},
        "welfaretech_backoffice:technology": {"pk": alarm.pk},
        "welfaretech_backoffice:device": {"pk": device.pk},
        "welfaretech_backoffice:recipient": {"pk": recipient.pk},
        "welfaretech_backoffice:consent-create": {"pk": recipient.pk},
        "welfaretech_backoffice:assignment-create": {"pk": recipient.pk},
        "welfaretech_backoffice:assignment-end": {"pk": assignment.pk},
        "welfaretech_backoffice:fault-close": {"pk": fault.pk},
        "portal_backoffice:message": {"pk": message.pk},
        **{f"register:{n}": {"pk": association.pk} for n in _ASSOCIATION_PK},
        "register:board-member": {"pk": association.pk, "member_pk": board_member.pk},
        "register:board-member-remove": {"pk": association.pk, "member_pk": board_member.pk},
        "register:payment-decide": {"pk": association.pk, "change_pk": account_change.pk},
        "register:representative-remove": {"pk": association.pk, "rep_pk": colleague_membership.pk},
        "register:invitation-cancel": {"pk": association.pk, "invitation_pk": invitation.pk},
        "register:invitation": {"token": invitation.token},
        "register:document-review": {"pk": document.pk},
        "register:document-download": {"pk": document.pk},
        **{f"grants:{n}": {"pk": application.pk} for n in _APPLICATION_PK},
        "grants:attachment": {"pk": attachment.pk},
        "grants:attachment-remove": {"pk": attachment.pk},
        **{f"casework:{n}": {"pk": application.pk} for n in _CASEWORK_PK},
        "casework:attachment": {"pk": application.pk, "attachment_pk": attachment.pk},
        **{f"coordinator:{n}": {"pk": programme.pk} for n in _PROGRAMME_PK},
        **{f"coordinator:{n}": {"pk": programme.pk, "question_pk": question.pk} for n in _QUESTION_PK},
        "coordinator:bulk-detail": {"pk": bulk.pk},
        "followup_data:indicator-edit": {"code": any_indicator.code},
        "followup_data:manual-values": {"code": manual.code},
        "followup_data:manual-value-edit": {"pk": manual_value.pk},
        "followup_data:manual-value-delete": {"pk": manual_value.pk},
    }
    per_role_arguments = {
        "welfaretech:shift-correct": lambda own: {"pk": own["event"]},
        "followup_data:export": lambda own: {"code": own["indicator"]},
        "followup:indicator": lambda own: {"code": own["indicator"]},
        "followup-indicator-detail": lambda own: {"code": own["indicator"]},
        "activities:cancel-my-registration": lambda own: {"pk": own["registration"]},
        "followup:report-create": lambda own: {"slug": own["template"]},
        "followup:subscription": lambda own: {"slug": own["template"]},
        **{f"followup:{n}": (lambda own: {"pk": own["run"]}) for n in _RUN_PK},
    }
    return {
        "arguments": arguments,
        "per_role": per_role,
        "per_role_arguments": per_role_arguments,
        "guest_registration": guest_registration.pk,
    }


_ACTIVITY_PK = ("detail", "edit", "preview", "submit", "publish", "return", "cancel", "occurrence-add")
_OCCURRENCE_PK = (
    "occurrence",
    "occurrence-export",
    "occurrence-print",
    "occurrence-cancel",
    "occurrence-attendance",
)
_ASSOCIATION_PK = ("detail", "edit", "confirm", "board", "members", "payment", "people", "documents")
_APPLICATION_PK = (
    "application",
    "edit",
    "attachments",
    "message",
    "submit",
    "withdraw",
    "decision-letter",
    "report",
)
_CASEWORK_PK = (
    "application",
    "message",
    "request-completion",
    "assess",
    "decide",
    "letter",
    "payments",
    "close",
)
_PROGRAMME_PK = ("programme", "programme-edit", "programme-publish", "question-create")
_QUESTION_PK = ("question-edit", "question-move", "question-delete")
_RUN_PK = ("run", "run-status", "run-retry", "run-download")


def _with_mfa(user) -> None:
    """An authenticator app and recovery codes, so the MFA management pages have something to manage."""
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)


def _users() -> dict[str, object]:
    """One user per role (the representative represents ``_association``), each with MFA set up."""
    association = AssociationFactory(
        name="Matrisföreningen", slug="matrisforeningen", is_active=True, show_in_directory=True
    )
    users: dict[str, object] = {ANONYMOUS: None}
    for role in ROLES[1:]:
        users[role] = representative(association) if role == Role.ASSOCIATION_REP else UserFactory(role=role)
        _with_mfa(users[role])
    users["_association"] = association
    return users


# --- Requests and outcomes ---------------------------------------------------------------------------------


def _url(pattern: Pattern, kwargs: dict) -> str:
    kwargs = dict(kwargs)
    if "format" in pattern.arguments:
        kwargs["format"] = "json"
    kwargs = {key: value for key, value in kwargs.items() if key in pattern.arguments}
    url = reverse(pattern.name, kwargs=kwargs)
    found = resolve(url.split("?")[0])
    assert re.sub(r"[\^$]", "", found.route) == re.sub(r"[\^$]", "", pattern.route), (
        f"{url} resolves to {found.route}, not {pattern.route}"
    )
    return url


def outcome(response, *, post: bool = False) -> str:
    """``allow``, ``deny`` or the bare status for anything that is neither. For an empty POST, 400 (the view
    let the caller in and then refused the missing data) counts as allowed."""
    status = response.status_code
    if post and status == 400:
        return ALLOW
    if status in (401, 403, 404):
        return DENY
    if 300 <= status < 400:
        location = response["Location"]
        return DENY if location.split("?")[0].endswith(reverse("account_login")) else ALLOW
    if 200 <= status < 300:
        return ALLOW
    return f"HTTP {status}"


def _arguments(data: dict, pattern: Pattern, role: str) -> dict:
    kwargs = dict(data["arguments"].get(pattern.name, {}))
    per_role = data["per_role_arguments"].get(pattern.name)
    if per_role:
        kwargs.update(per_role(data["per_role"][role if role != ANONYMOUS else ADMIN]))
    return kwargs


def _get(client: Client, url: str):
    response = client.get(url)
    if response.streaming:
        # Consumed, not closed: the test client's wrapper then closes the file without firing the
        # request_finished handler that would drop the database connection inside the test transaction.
        b"".join(response.streaming_content)
    return response


def _post_rolled_back(client: Client, url: str):
    """An empty POST whose database changes are undone, so the shared dataset stays as built."""
    with transaction.atomic():
        response = client.post(url)
        transaction.set_rollback(True)
    return response


def _describe(role: str, url: str, want: str, got: str, response) -> str:
    return (
        f"{role:18} {url:72} want {want:5} got {got} ({response.status_code} {response.get('Location', '')})"
    )


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The dataset and one signed-in client per role, built once for the module inside a transaction that
    is rolled back at the end (each test's own transaction nests in it as a savepoint)."""
    private_media = tmp_path_factory.getbasetemp() / "private-media"  # where tests/conftest.py puts it
    with (
        django_db_blocker.unblock(),
        override_settings(
            REQUIRE_STAFF_MFA=False,
            PRIVATE_MEDIA_ROOT=private_media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        users = _users()
        data = _build(users)
        clients = {}
        for role in ROLES:
            client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
            if role != ANONYMOUS:
                client.force_login(users[role])
            session = client.session
            session["signed_up"] = data["guest_registration"]
            session.save()
            client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
            clients[role] = client
        yield clients, data
        transaction.set_rollback(True)


@pytest.fixture
def _mfa_off(settings):
    settings.REQUIRE_STAFF_MFA = False


@pytest.mark.django_db
@pytest.mark.usefixtures("_mfa_off")
def test_access_matrix(matrix, capsys):
    clients, data = matrix
    patterns = project_patterns()
    mismatches, posts, requests = [], [], 0
    for pattern in patterns:
        for role in ROLES:
            url = _url(pattern, _arguments(data, pattern, role))
            response = _get(clients[role], url)
            requests += 1
            got = outcome(response)
            if pattern.name not in TABLE:
                mismatches.append(_describe(role, url, "(not in the table)", got, response))
                continue
            want = expected(pattern.name, role)
            if pattern.name in POST_ONLY:
                if got == ALLOW or (got != DENY and response.status_code != 405):
                    mismatches.append(_describe(role, url, "405 or deny for GET", got, response))
                posts.append((pattern, role, url, want))
            elif got != want:
                mismatches.append(_describe(role, url, want, got, response))
    # POSTs last: even rolled back, a POST may touch files that later GETs need.
    for _pattern, role, url, want in posts:
        response = _post_rolled_back(clients[role], url)
        requests += 1
        got = outcome(response, post=True)
        if got != want:
            mismatches.append(_describe(role, "POST " + url, want, got, response))

    with capsys.disabled():
        print(
            f"\naccess matrix: {len(patterns)} URL patterns ({len({p.name for p in patterns})} names) × "
            f"{len(ROLES)} roles = {len(patterns) * len(ROLES)} cells; {requests} requests "
            f"({len(posts)} of them rolled-back POSTs to POST-only views)"
        )
    assert not mismatches, f"{len(mismatches)} access matrix mismatches:\n" + "\n".join(mismatches)
