"""Demo data for the association register and grants: about 40 associations of every kind across the
localities, with board members, member counts and annual documents in every review state; grant
programmes of several kinds for last year and this year, with applications in every state, decisions,
payments and follow-up reports.

Deterministic (fixed random seed) and idempotent: every row is looked up by a natural key before it is
created, and an application's history (status changes, payments, report) is written only when the
application itself is created. The history is written directly rather than through
``associations.applications``, because those services e-mail the associations and check today's date;
the rows are the same ones the services would have written. ``forening@example.org`` is the
administrator representative of PRO Vingåker.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import demo_user
from activities.demo import ASSOCIATIONS as ACTIVITY_ORGANISERS
from activities.models import Attendance
from portal.models import Locality

from .calculation import calculate_activity_grant
from .models import (
    AnnualDocument,
    ApplicationAttachment,
    ApplicationMessage,
    Association,
    BoardMember,
    FollowUpReport,
    GrantApplication,
    GrantProgramme,
    MemberCount,
    Payment,
    PaymentAccountChange,
    ProgrammeQuestion,
    ReportLocality,
    Representative,
    StatusChange,
)
from .validators import luhn_valid

Status = GrantApplication.Status
Outcome = GrantApplication.Outcome
Kind = Association.Kind

# Beyond the associations that organise the demo activities (activities.demo keeps those in step).
MORE_ASSOCIATIONS = [
    ("SPF Seniorerna Vingåker", Kind.PENSIONERS, ["vingaker"]),
    ("PRO Österåker", Kind.PENSIONERS, ["osteraker"]),
    ("SKPF avd Högsjö", Kind.PENSIONERS, ["hogsjo"]),
    ("PRO Baggetorp", Kind.PENSIONERS, ["baggetorp"]),
    ("SPF Seniorerna Viala", Kind.PENSIONERS, ["viala"]),
    ("Studiefrämjandet Vingåker", Kind.STUDY, ["vingaker", "marmorbyn"]),
    ("Vingåkers pingstförsamling", Kind.FAITH, ["vingaker"]),
    ("Equmeniakyrkan Marmorbyn", Kind.FAITH, ["marmorbyn"]),
    ("Röda korset Högsjö", Kind.AID, ["hogsjo"]),
    ("Väntjänsten i Vingåker", Kind.AID, ["vingaker", "lappe", "viala"]),
    ("Vingåkers boulesällskap", Kind.SPORTS, ["vingaker"]),
    ("Högsjö GoIF seniorsektion", Kind.SPORTS, ["hogsjo"]),
    ("Läppe skidklubb", Kind.SPORTS, ["lappe"]),
    ("Vingåkers konstförening", Kind.CULTURE, ["vingaker"]),
    ("Baggetorps sångkör", Kind.CULTURE, ["baggetorp"]),
    ("Vingåkers dragspelsklubb", Kind.CULTURE, ["vingaker", "osteraker"]),
    ("Vingåkers hembygdsförening", Kind.LOCAL_HISTORY, ["vingaker"]),
    ("Högsjö hembygdsförening", Kind.LOCAL_HISTORY, ["hogsjo"]),
    ("Österåkers hembygdsförening", Kind.LOCAL_HISTORY, ["osteraker"]),
    ("Läppe byalag", Kind.LOCAL_DEVELOPMENT, ["lappe"]),
    ("Högsjö framtid", Kind.LOCAL_DEVELOPMENT, ["hogsjo"]),
    ("Demensföreningen Vingåker", Kind.CARERS, ["vingaker", "marmorbyn", "baggetorp"]),
    ("Anhöriga i Marmorbyn", Kind.CARERS, ["marmorbyn"]),
    ("Vingåkers släktforskarförening", Kind.INTEREST, ["vingaker"]),
    ("Reumatikerföreningen Vingåker", Kind.INTEREST, ["vingaker", "hogsjo"]),
    ("Hörselskadades förening Vingåker", Kind.INTEREST, ["vingaker"]),
    ("Trädgårdsföreningen Viala", Kind.INTEREST, ["viala"]),
    ("SRF Synskadade Vingåker", Kind.INTEREST, ["vingaker", "lappe"]),
]
# Inactive or unlisted, so the register shows both.
NOT_LISTED = {"Högsjö framtid", "Vingåkers pingstförsamling", "SKPF avd Högsjö"}
INACTIVE = {"Läppe skidklubb"}
STREETS = ["Storgatan", "Skolvägen", "Kyrkvägen", "Bygdevägen", "Parkvägen", "Södra vägen", "Ängsvägen"]
FIRST_NAMES = ["Anna", "Birgitta", "Karin", "Margareta", "Lars", "Karl", "Bengt", "Sven", "Inger", "Gunnel"]
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]
BOARD_ROLES = [
    BoardMember.Role.CHAIR,
    BoardMember.Role.TREASURER,
    BoardMember.Role.SECRETARY,
    BoardMember.Role.MEMBER,
]
DOCUMENT_NAMES = {
    AnnualDocument.Kind.AGM_MINUTES: "arsmotesprotokoll.pdf",
    AnnualDocument.Kind.ANNUAL_REPORT: "verksamhetsberattelse.pdf",
    AnnualDocument.Kind.FINANCIAL_STATEMENT: "ekonomisk-berattelse.pdf",
    AnnualDocument.Kind.AUDIT_REPORT: "revisionsberattelse.pdf",
    AnnualDocument.Kind.STATUTES: "stadgar.pdf",
}


def with_check_digit(digits: str) -> str:
    """``digits`` followed by the Luhn check digit that makes the whole number valid."""
    for check in "0123456789":
        if luhn_valid(digits + check):
            return digits + check
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def org_number(index: int) -> str:
    """A valid, invented organisation number for a non-profit association (they start with 8)."""
    number = with_check_digit(f"802{473 + index * 3:03d}{(559 + index * 17) % 1000:03d}")
    return f"{number[:6]}-{number[6:]}"


def bankgiro(index: int) -> str:
    return with_check_digit(f"5{index:03d}123")


def pdf(title: str) -> bytes:
    """A small, valid one-page PDF with ``title`` as its text (ASCII only, for the demo)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


# --- Register ---------------------------------------------------------------------------------------


def _register(rng: random.Random, this_year: int) -> list[Association]:
    localities = {locality.slug: locality for locality in Locality.objects.all()}
    entries = [(name, Kind(kind), slugs) for name, kind, slugs in ACTIVITY_ORGANISERS] + MORE_ASSOCIATIONS
    confirmed = min(_aware(date(this_year, 1, 20)), timezone.now() - timedelta(hours=1))
    associations = []
    for index, (name, kind, slugs) in enumerate(entries):
        slug = slugify(name)
        locality = localities.get(slugs[0])
        town = locality.name if locality else "Vingåker"
        # Those organising demo activities keep the profile activities.demo gives them.
        organiser = index < len(ACTIVITY_ORGANISERS)
        association, _ = Association.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "org_number": org_number(index),
                "purpose": f"{name} ordnar aktiviteter för seniorer."
                if organiser
                else f"{name} samlar seniorer i {town} kring gemenskap, kunskap och aktiviteter.",
                "street_address": f"{STREETS[index % len(STREETS)]} {index % 30 + 1}",
                "postal_code": f"643 {30 + index % 9}{index % 10}",
                "city": town,
                "email": f"info@{slug}.example.org",
                "phone": f"0151-{100 + index * 7:03d} {10 + index:02d}",
                "website": f"https://{slug}.example.org",
                "show_in_directory": organiser or name not in NOT_LISTED,
                "is_active": name not in INACTIVE,
                "payment_method": Association.PaymentMethod.BANKGIRO,
                "payment_account": bankgiro(index),
                # Every tenth association has not confirmed its details this year.
                "base_data_confirmed_at": None if index % 10 == 9 else confirmed,
            },
        )
        association.localities.set([localities[s] for s in slugs if s in localities])
        _board(rng, association, index, this_year)
        _member_counts(association, index, this_year)
        associations.append(association)
    Representative.objects.update_or_create(
        association=associations[0],
        user=demo_user("forening@example.org"),
        defaults={"role": Representative.Role.ADMIN},
    )
    return associations


def _board(rng: random.Random, association: Association, index: int, this_year: int) -> None:
    roles = BOARD_ROLES + ([BoardMember.Role.SIGNATORY] if index % 3 == 0 else [])
    for position, role in enumerate(roles):
        first = FIRST_NAMES[(index + position * 3) % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 2 + position) % len(LAST_NAMES)]
        BoardMember.objects.get_or_create(
            association=association,
            role=role,
            name=f"{first} {last}",
            defaults={
                "email": f"{slugify(first)}.{slugify(last)}@example.org",
                "phone": f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "period_start": date(this_year - 1 - position % 2, 3, 1),
            },
        )


def _member_counts(association: Association, index: int, this_year: int) -> None:
    for year in (this_year - 2, this_year - 1):
        total = 40 + (index * 37) % 260 + (year - this_year) * 3
        women = total * 3 // 5
        men = total - women - total // 20
        MemberCount.objects.update_or_create(
            association=association,
            year=year,
            defaults={"total": total, "women": women, "men": men, "aged_65_plus": total * 4 // 5},
        )


def _document_states(index: int) -> dict[str, str | None]:
    """The review state of each of last year's documents (None: not filed), by the association's place."""
    approved = AnnualDocument.Status.APPROVED
    states: dict[str, str | None] = dict.fromkeys(AnnualDocument.Kind.values, approved)
    pattern = index % 10
    if pattern == 6:
        states[AnnualDocument.Kind.AUDIT_REPORT] = AnnualDocument.Status.SUBMITTED
    elif pattern == 7:
        states[AnnualDocument.Kind.ANNUAL_REPORT] = AnnualDocument.Status.RETURNED
    elif pattern == 8:
        states.update(
            {
                AnnualDocument.Kind.ANNUAL_REPORT: AnnualDocument.Status.SUBMITTED,
                AnnualDocument.Kind.FINANCIAL_STATEMENT: AnnualDocument.Status.SUBMITTED,
                AnnualDocument.Kind.AUDIT_REPORT: None,
            }
        )
    elif pattern == 9:
        states = dict.fromkeys(states)
        states[AnnualDocument.Kind.STATUTES] = approved
    return states


def _documents(associations: list[Association], this_year: int, coordinator) -> None:
    for index, association in enumerate(associations):
        years = {this_year - 1: _document_states(index)}
        if index % 2 == 0:  # a longer history for every other association
            years[this_year - 2] = dict.fromkeys(AnnualDocument.Kind.values, AnnualDocument.Status.APPROVED)
            years[this_year - 2][AnnualDocument.Kind.STATUTES] = None  # statutes are filed once
        for year, states in years.items():
            for kind, state in states.items():
                if state is None or association.documents.filter(year=year, kind=kind).exists():
                    continue
                _document(association, year, kind, state, coordinator)


def _document(association: Association, year: int, kind: str, state: str, coordinator) -> None:
    name = DOCUMENT_NAMES[kind]
    content = pdf(f"{slugify(association.name)} {year} {name}")
    uploaded = _aware(date(year + 1, 3, 15))
    document = AnnualDocument(
        association=association,
        year=year,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        status=state,
    )
    if state != AnnualDocument.Status.SUBMITTED:
        document.reviewed_by = coordinator
        document.reviewed_at = min(uploaded + timedelta(days=14), timezone.now())
        if state == AnnualDocument.Status.RETURNED:
            document.review_comment = (
                "Verksamhetsberättelsen saknar underskrifter. Ladda upp en underskriven version."
            )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    # auto_now_add sets the upload time; give it the demo date.
    AnnualDocument.objects.filter(pk=document.pk).update(uploaded_at=min(uploaded, timezone.now()))


def _account_changes(associations: list[Association]) -> None:
    for index in (3, 17):
        association = associations[index]
        if not association.payment_account_changes.exists():
            PaymentAccountChange.objects.create(
                association=association,
                method=Association.PaymentMethod.BANKGIRO,
                account=bankgiro(900 + index),
                previous_method=association.payment_method,
                previous_account=association.payment_account,
            )


# --- Programmes -------------------------------------------------------------------------------------

# key, kind, name, budget, delegation limit, required attachments
PROGRAMMES = [
    ("activity", GrantProgramme.Kind.ACTIVITY, "Aktivitetsbidrag", "400000", "30000", []),
    ("basic", GrantProgramme.Kind.BASIC, "Grundbidrag", "250000", "15000", []),
    ("project", GrantProgramme.Kind.PROJECT, "Projektbidrag för äldres hälsa", "300000", "25000", ["Budget"]),
    ("premises", GrantProgramme.Kind.PREMISES, "Lokalbidrag", "150000", "20000", ["Hyresavtal"]),
    ("contact", GrantProgramme.Kind.CONTACT_PERSONS, "Arvode till lokala kontaktpersoner", "84000", None, []),
    ("iop", GrantProgramme.Kind.IOP, "IOP Träffpunkt på landsbygden", "500000", "50000", ["Verksamhetsplan"]),
]
QUESTIONS = {
    "activity": [("Hur når ni seniorer som inte redan är med?", ProgrammeQuestion.Kind.TEXT, [], True)],
    "basic": [("Hur många av medlemmarna är 65 år eller äldre?", ProgrammeQuestion.Kind.NUMBER, [], True)],
    "project": [
        ("Vad vill ni uppnå med projektet?", ProgrammeQuestion.Kind.TEXT, [], True),
        ("Samarbetar ni med någon annan förening?", ProgrammeQuestion.Kind.YES_NO, [], False),
        (
            "Vilket av kommunens mål stödjer projektet mest?",
            ProgrammeQuestion.Kind.CHOICE,
            ["Minskad ensamhet", "Fysisk aktivitet", "Digital delaktighet"],
            True,
        ),
    ],
    "premises": [("Hur många timmar i veckan används lokalen?", ProgrammeQuestion.Kind.NUMBER, [], True)],
    "contact": [],
    "iop": [("Beskriv hur ni och kommunen delar ansvaret.", ProgrammeQuestion.Kind.TEXT, [], True)],
}


def _programmes(this_year: int) -> dict[tuple[int, str], GrantProgramme]:
    result = {}
    for year in (this_year - 1, this_year):
        for key, kind, name, budget, limit, attachments in PROGRAMMES:
            # Last year's windows are closed; this year's activity, project and IOP grants are open all year.
            open_all_year = year == this_year and key in ("activity", "project", "iop")
            programme, _ = GrantProgramme.objects.update_or_create(
                name=name,
                year=year,
                defaults={
                    "kind": kind,
                    "budget": Decimal(budget),
                    "opens_on": date(year, 1, 1) if open_all_year else date(year, 2, 1),
                    "closes_on": date(year, 12, 31) if open_all_year else date(year, 3, 31),
                    "rules": f"{name} {year} kan sökas av föreningar i Vingåkers kommun som arbetar för och "
                    "med äldre. Bidraget ska användas under året och återrapporteras.",
                    "eligibility": GrantProgramme.Eligibility.OPEN
                    if key == "contact"
                    else GrantProgramme.Eligibility.DOCUMENTS,
                    "required_attachments": attachments,
                    "delegation_limit": Decimal(limit) if limit else None,
                    "rate_per_participant_session": Decimal("12") if key == "activity" else None,
                    "min_participants_per_session": 3 if key == "activity" else None,
                    "ceiling_per_association": Decimal("30000") if key == "activity" else None,
                    "report_due_days": 90,
                    "is_published": True,
                },
            )
            for order, (text, question_kind, choices, required) in enumerate(QUESTIONS[key]):
                ProgrammeQuestion.objects.update_or_create(
                    programme=programme,
                    text=text,
                    defaults={
                        "kind": question_kind,
                        "choices": choices,
                        "required": required,
                        "order": order,
                    },
                )
            result[(year, key)] = programme
    return result


# --- Applications -----------------------------------------------------------------------------------

FLOW = [
    Status.SUBMITTED,
    Status.COMPLETION_REQUESTED,
    Status.RESUBMITTED,
    Status.ASSESSED,
    Status.DECIDED,
    Status.PAID,
    Status.REPORT_DUE,
    Status.REPORT_RECEIVED,
    Status.CLOSED,
]
# Days from the previous step; paid to report due is the report period minus the 30-day due window.
STEP_DAYS = {Status.PAID: 14, Status.REPORT_DUE: 60, Status.REPORT_RECEIVED: 20, Status.CLOSED: 10}
TITLES = {
    "activity": "Aktiviteter för seniorer under året",
    "basic": "Grundbidrag för föreningens verksamhet",
    "project": "Stark och säker – balansträning i byarna",
    "premises": "Hyra för föreningslokalen",
    "contact": "Lokal kontaktperson för seniorer",
    "iop": "Träffpunkt med fika och digital hjälp",
}


@dataclass(frozen=True)
class Case:
    year_offset: int  # 0 this year, -1 last year
    programme: str
    association: int  # index in the register
    state: str
    outcome: str = Outcome.APPROVED
    completion: bool = False  # went through a completion request


def _cases() -> list[Case]:
    cases = [
        # PRO Vingåker, the demo representative's association.
        Case(-1, "activity", 0, Status.CLOSED),
        Case(-1, "project", 0, Status.CLOSED, completion=True),
        Case(0, "activity", 0, Status.COMPLETION_REQUESTED, completion=True),
        Case(0, "basic", 0, Status.DECIDED),
        Case(0, "project", 0, Status.DRAFT),
    ]
    last_year_states = [
        Status.CLOSED,
        Status.CLOSED,
        Status.CLOSED,
        Status.REPORT_RECEIVED,
        Status.REPORT_DUE,  # overdue: due last autumn
        Status.CLOSED,
        Status.WITHDRAWN,
    ]
    this_year_states = [
        Status.DRAFT,
        Status.SUBMITTED,
        Status.SUBMITTED,
        Status.COMPLETION_REQUESTED,
        Status.RESUBMITTED,
        Status.ASSESSED,
        Status.ASSESSED,
        Status.DECIDED,
        Status.PAID,
        Status.PAID,
        Status.REPORT_DUE,
        Status.REPORT_RECEIVED,
        Status.CLOSED,
        Status.WITHDRAWN,
    ]
    keys = [key for key, *_ in PROGRAMMES]
    for n in range(24):
        state = last_year_states[n % len(last_year_states)]
        outcome = Outcome.REJECTED if n % 8 == 5 else (Outcome.PARTLY if n % 4 == 1 else Outcome.APPROVED)
        cases.append(Case(-1, keys[n % len(keys)], 1 + (n * 7) % 38, state, outcome, completion=n % 5 == 2))
    for n in range(28):
        state = this_year_states[n % len(this_year_states)]
        outcome = Outcome.PARTLY if n % 5 == 3 else Outcome.APPROVED
        if state == Status.CLOSED and n % 2:
            outcome = Outcome.REJECTED
        cases.append(Case(0, keys[n % len(keys)], 2 + (n * 11) % 37, state, outcome, completion=n % 4 == 0))
    return cases


def _path(case: Case) -> list[str]:
    """The states the application passed through to ``case.state``, oldest first."""
    if case.state == Status.DRAFT:
        return []
    if case.state == Status.WITHDRAWN:
        return [Status.SUBMITTED, Status.WITHDRAWN]
    flow = [s for s in FLOW if case.completion or s not in (Status.COMPLETION_REQUESTED, Status.RESUBMITTED)]
    if case.state in (Status.COMPLETION_REQUESTED, Status.RESUBMITTED) and not case.completion:
        flow = FLOW
    path = flow[: flow.index(case.state) + 1]
    if case.outcome == Outcome.REJECTED and Status.DECIDED in path:
        path = [*path[: path.index(Status.DECIDED) + 1], Status.CLOSED]
    return path


def _timeline(path: list[str], end: datetime) -> list[datetime]:
    """When each step happened, the last at ``end``."""
    if not path:
        return []
    times = [end]
    for state in reversed(path[1:]):
        times.append(times[-1] - timedelta(days=STEP_DAYS.get(state, 9)))
    return list(reversed(times))


def _reference(year: int) -> str:
    prefix = f"{year}-"
    last = GrantApplication.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))[
        "last"
    ]
    return f"{prefix}{int(last.removeprefix(prefix)) + 1 if last else 1:04d}"


def _answers(programme: GrantProgramme) -> dict[str, object]:
    answers: dict[str, object] = {}
    for question in programme.questions.all():
        if question.kind == ProgrammeQuestion.Kind.NUMBER:
            answers[str(question.pk)] = "45"
        elif question.kind == ProgrammeQuestion.Kind.YES_NO:
            answers[str(question.pk)] = True
        elif question.kind == ProgrammeQuestion.Kind.CHOICE:
            answers[str(question.pk)] = question.choices[0]
        else:
            answers[str(question.pk)] = "Vi sprider information via kyrkan, affären och bygdegården."
    return answers


def _applications(
    rng: random.Random, associations: list[Association], programmes, this_year: int, people: dict
) -> int:
    created = 0
    now = timezone.now()
    # This year's applications beyond a draft passed the eligibility check: only eligible associations.
    eligible = [i for i, a in enumerate(associations) if i % 10 <= 5 and a.is_active]
    for number, case in enumerate(_cases()):
        year = this_year + case.year_offset
        programme = programmes[(year, case.programme)]
        index = case.association
        if case.year_offset == 0 and index:
            index = eligible[index % len(eligible)]
        association = associations[index]
        title = TITLES[case.programme]
        if GrantApplication.objects.filter(
            programme=programme, association=association, title=title
        ).exists():
            continue
        path = _path(case)
        # Last year's cases ended in December (the overdue one in the autumn); this year's recently.
        if case.year_offset:
            end = _aware(date(year, 10, 1) if case.state == Status.REPORT_DUE else date(year, 12, 10))
        else:
            end = now - timedelta(days=2 + number % 5)
            if case.state == Status.PAID:
                end = now - timedelta(days=20)
        _create_case(rng, case, programme, association, title, path, _timeline(path, end), people)
        created += 1
    return created


def _requested(rng: random.Random, programme: GrantProgramme) -> Decimal | None:
    """Activity grants are calculated from attendance; the others ask for an amount."""
    requested = Decimal(rng.randrange(6000, 60000, 500))
    return None if programme.kind == GrantProgramme.Kind.ACTIVITY else requested


def _create_case(rng, case, programme, association, title, path, times, people) -> None:
    coordinator, official, representative = (
        people["coordinator"],
        people["official"],
        people["representative"],
    )
    applicant = representative if association.slug == "pro-vingaker" else None
    start = times[0] if times else timezone.now() - timedelta(days=5)
    year = programme.year
    application = GrantApplication.objects.create(
        programme=programme,
        association=association,
        reference=_reference(year),
        # A rejection closes the case, whatever state the case list asked for.
        status=path[-1] if path else Status.DRAFT,
        title=title,
        description=f"{association.name} söker {programme.name.lower()} för {year}. "
        "Pengarna används till lokalhyra, material och fika vid träffarna.",
        period_start=date(year - 1, 1, 1)
        if programme.kind == GrantProgramme.Kind.ACTIVITY
        else date(year, 1, 1),
        period_end=date(year - 1, 12, 31)
        if programme.kind == GrantProgramme.Kind.ACTIVITY
        else date(year, 12, 31),
        answers=_answers(programme),
        created_by=applicant,
        requested_amount=_requested(rng, programme),
    )
    at = dict(zip(path, times, strict=True))
    fields: dict = {}
    if Status.SUBMITTED in at:
        fields["submitted_at"] = at[Status.SUBMITTED]
        for label in programme.required_attachments:
            _attachment(application, label, at[Status.SUBMITTED], applicant)
    if Status.COMPLETION_REQUESTED in at:
        fields["completion_request"] = "Bifoga en budget där hyran och fikat står på egna rader."
        _message(
            application, coordinator, True, fields["completion_request"], at[Status.COMPLETION_REQUESTED]
        )
    if Status.RESUBMITTED in at:
        fields["submitted_at"] = at[Status.RESUBMITTED]
        _message(
            application, applicant, False, "Nu har vi lagt till en uppdelad budget.", at[Status.RESUBMITTED]
        )
    if Status.ASSESSED in at:
        fields.update(_assessment(application, programme, at[Status.ASSESSED], coordinator))
    if Status.DECIDED in at:
        proposed = fields["proposed_amount"]
        if case.outcome == Outcome.REJECTED:
            approved = Decimal("0")
            reasons = "Ansökan avslås eftersom verksamheten inte riktar sig till äldre i kommunen."
        elif case.outcome == Outcome.PARTLY:
            approved = (proposed * Decimal("0.7")).quantize(Decimal("1"))
            reasons = "Ansökan beviljas delvis: budgeten för programmet räcker inte till hela beloppet."
        else:
            approved = proposed
            reasons = "Ansökan beviljas. Verksamheten uppfyller programmets villkor."
        limit = programme.delegation_limit
        above = limit is not None and approved > limit
        fields.update(
            outcome=case.outcome,
            approved_amount=approved,
            decision_reasons=reasons,
            decided_by=official if above else coordinator,
            decided_at=at[Status.DECIDED],
        )
    if Status.CLOSED in at:
        fields["closed_at"] = at[Status.CLOSED]
    if Status.WITHDRAWN in at:
        fields["closed_at"] = at[Status.WITHDRAWN]
    GrantApplication.objects.filter(pk=application.pk).update(created_at=start - timedelta(days=3), **fields)
    application.refresh_from_db()
    previous = Status.DRAFT
    for state in path:
        actor = (
            applicant if state in (Status.SUBMITTED, Status.RESUBMITTED, Status.WITHDRAWN) else coordinator
        )
        if state == Status.DECIDED:
            actor = application.decided_by
        StatusChange.objects.create(
            application=application, from_status=previous, to_status=state, actor=actor, at=at[state]
        )
        previous = state
    if Status.PAID in at:
        _payment_and_report(rng, application, at, coordinator, applicant)


def _assessment(application, programme, when, coordinator) -> dict:
    values = {
        "assessed_by": coordinator,
        "assessed_at": when,
        "assessment": "Föreningen uppfyller villkoren och verksamheten når äldre i flera byar.",
    }
    if programme.kind == GrantProgramme.Kind.ACTIVITY:
        calculation = calculate_activity_grant(
            programme, application.association, application.period_start, application.period_end
        )
        if calculation.sessions:
            values.update(calculated_amount=calculation.amount, calculation=calculation.as_json())
            proposed = calculation.amount
            if not proposed:
                proposed = Decimal("3000")
                values["adjustment_reason"] = "Ett grundbelopp för föreningens första år med närvarolistor."
        else:
            # No recorded attendance in the period (the demo has none that far back): assessed by hand.
            proposed = Decimal(1500 + (application.pk * 977) % 20000).quantize(Decimal("1"))
            values["adjustment_reason"] = (
                "Närvaron fördes på papper; beloppet bygger på föreningens redovisning."
            )
        values["proposed_amount"] = proposed
    else:
        values["proposed_amount"] = application.requested_amount
    return values


def _attachment(application, label: str, when, applicant) -> None:
    content = pdf(f"{label} {application.reference}")
    attachment = ApplicationAttachment(
        application=application,
        label=label,
        original_name=f"{slugify(label)}.pdf",
        content_type="application/pdf",
        size=len(content),
        uploaded_by=applicant,
    )
    attachment.file.save(f"{slugify(label)}.pdf", ContentFile(content), save=False)
    attachment.save()


def _message(application, author, from_officer: bool, body: str, when) -> None:
    message = ApplicationMessage.objects.create(
        application=application, author=author, from_case_officer=from_officer, body=body
    )
    ApplicationMessage.objects.filter(pk=message.pk).update(
        created_at=when, read_at=when + timedelta(hours=5)
    )


def _payment_and_report(rng, application, at, coordinator, applicant) -> None:
    paid_on = timezone.localdate(at[Status.PAID])
    Payment.objects.create(
        application=application,
        paid_on=paid_on,
        amount=application.approved_amount,
        reference=f"BG-{application.reference}",
        recorded_by=coordinator,
    )
    report = FollowUpReport.objects.create(
        application=application, due_on=paid_on + timedelta(days=application.programme.report_due_days)
    )
    if Status.REPORT_DUE in at and timezone.localdate(at[Status.REPORT_DUE]) >= report.due_on - timedelta(
        days=16
    ):
        report.reminder_before_sent_at = at[Status.REPORT_DUE]
    if Status.REPORT_RECEIVED not in at:
        report.save()
        return
    counts = {
        "women_65_74": rng.randint(4, 30),
        "women_75_84": rng.randint(2, 20),
        "women_85_plus": rng.randint(0, 6),
        "men_65_74": rng.randint(2, 18),
        "men_75_84": rng.randint(0, 10),
        "men_85_plus": rng.randint(0, 3),
        "others": rng.randint(0, 5),
    }
    for name, value in counts.items():
        setattr(report, name, value)
    report.narrative = (
        "Vi har haft träffar varannan vecka med fika, promenader och en föreläsning om fallprevention."
    )
    report.money_used = application.approved_amount
    report.submitted_at = at[Status.REPORT_RECEIVED]
    report.submitted_by = applicant
    report.save()
    localities = list(application.association.localities.order_by("name"))
    total = sum(counts.values())
    for position, locality in enumerate(localities):
        share = total // len(localities) + (total % len(localities) if position == 0 else 0)
        ReportLocality.objects.create(report=report, locality=locality, participants=share)


def seed() -> list[str]:
    rng = random.Random(4280)
    this_year = timezone.localdate().year
    people = {
        "coordinator": demo_user("samordnare@example.org"),
        "official": demo_user("tjansteperson@example.org"),
        "representative": demo_user("forening@example.org"),
    }
    associations = _register(rng, this_year)
    _documents(associations, this_year, people["coordinator"])
    _account_changes(associations)
    programmes = _programmes(this_year)
    created = _applications(rng, associations, programmes, this_year, people)
    attended = Attendance.objects.filter(
        occurrence__activity__organiser_association__in=associations
    ).exists()
    return [
        f"Associations: {len(associations)} (PRO Vingåker represented by forening@example.org), "
        f"documents: {AnnualDocument.objects.count()}, programmes: {len(programmes)}, "
        f"applications: {GrantApplication.objects.count()} ({created} added"
        f"{'' if attended else '; activity grants assessed without attendance'})"
    ]
