"""Bulk benchmark data for the association register and grants (``manage.py seed_bulk``).

Scale 1: 150 associations of every kind across the localities (pensioners' associations and sports clubs
most common), three board members each, member counts for two years, the four required annual documents
for last year for most of them (approved, waiting or returned; every file points at one shared placeholder),
six grant programmes for the year and about 225 applications in every state with their history,
decisions, payments, follow-up reports (most on time) and participants per locality.

Rows are marked: association slugs ``bulk-…``, programme names ``Bulk: …``, application references
``BULK-…``; everything else hangs off those and goes with them on ``delete()``.
"""

import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils.text import slugify

from portal.storage import private_storage

from .models import (
    AnnualDocument,
    Association,
    BoardMember,
    FollowUpReport,
    GrantApplication,
    GrantProgramme,
    MemberCount,
    Payment,
    ReportLocality,
    StatusChange,
)
from .validators import luhn_valid

ORDER = 10  # seed_bulk runs the apps' bulkseed modules in this order
LOCAL = ZoneInfo("Europe/Stockholm")
SLUG_PREFIX = "bulk-"
PROGRAMME_PREFIX = "Bulk: "
REFERENCE_PREFIX = "BULK-"
PLACEHOLDER = "associations/bulk/placeholder.pdf"
PLACEHOLDER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# kind, weight, name patterns ({place} is the locality)
KINDS = [
    (Association.Kind.PENSIONERS, 20, ["PRO {place}", "SPF Seniorerna {place}", "SKPF {place}"]),
    (Association.Kind.STUDY, 6, ["Vuxenskolan {place}", "ABF {place}", "Studiefrämjandet {place}"]),
    (Association.Kind.FAITH, 7, ["Svenska kyrkan {place}", "{place} missionsförsamling"]),
    (Association.Kind.AID, 5, ["Röda korset {place}", "Lions {place}"]),
    (Association.Kind.SPORTS, 15, ["{place} IF", "{place} bouleklubb", "{place} SK"]),
    (Association.Kind.CULTURE, 12, ["{place} kulturförening", "Teatergruppen {place}", "{place} kör"]),
    (Association.Kind.LOCAL_HISTORY, 10, ["{place} hembygdsförening"]),
    (Association.Kind.LOCAL_DEVELOPMENT, 10, ["{place} byalag", "{place} bygdegårdsförening"]),
    (Association.Kind.CARERS, 4, ["Anhörigföreningen {place}"]),
    (Association.Kind.INTEREST, 11, ["{place} trädgårdsförening", "Släktforskarna {place}"]),
]
# Share of associations per locality (the central town has most).
LOCALITY_WEIGHTS = {
    "vingaker": 40,
    "baggetorp": 10,
    "marmorbyn": 10,
    "osteraker": 10,
    "hogsjo": 10,
    "viala": 10,
    "lappe": 10,
}
BOARD_NAMES = ["Anna", "Birgitta", "Karin", "Lars", "Eva", "Per", "Margareta", "Bengt", "Kerstin", "Sven"]
SURNAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]

# kind, name, budget per scale unit (SEK), applications per 150 associations, delegation limit
PROGRAMMES = [
    (GrantProgramme.Kind.ACTIVITY, "Aktivitetsbidrag", 900_000, 80, 50_000),
    (GrantProgramme.Kind.BASIC, "Grundbidrag", 600_000, 70, 30_000),
    (GrantProgramme.Kind.PROJECT, "Projektbidrag", 400_000, 30, 50_000),
    (GrantProgramme.Kind.PREMISES, "Lokalbidrag", 500_000, 25, 50_000),
    (GrantProgramme.Kind.CONTACT_PERSONS, "Arvode till lokala kontaktombud", 150_000, 12, None),
    (GrantProgramme.Kind.IOP, "IOP Mötesplatser på landsbygden", 700_000, 8, 100_000),
]
S = GrantApplication.Status
# Final status → weight and the path of transitions that led there.
STATES = [
    (S.DRAFT, 4, []),
    (S.SUBMITTED, 4, [S.SUBMITTED]),
    (S.COMPLETION_REQUESTED, 3, [S.SUBMITTED, S.COMPLETION_REQUESTED]),
    (S.RESUBMITTED, 2, [S.SUBMITTED, S.COMPLETION_REQUESTED, S.RESUBMITTED]),
    (S.ASSESSED, 4, [S.SUBMITTED, S.ASSESSED]),
    (S.DECIDED, 8, [S.SUBMITTED, S.ASSESSED, S.DECIDED]),
    (S.PAID, 8, [S.SUBMITTED, S.ASSESSED, S.DECIDED, S.PAID]),
    (S.REPORT_DUE, 10, [S.SUBMITTED, S.ASSESSED, S.DECIDED, S.PAID, S.REPORT_DUE]),
    (
        S.REPORT_RECEIVED,
        15,
        [S.SUBMITTED, S.ASSESSED, S.DECIDED, S.PAID, S.REPORT_DUE, S.REPORT_RECEIVED],
    ),
    (
        S.CLOSED,
        37,
        [S.SUBMITTED, S.ASSESSED, S.DECIDED, S.PAID, S.REPORT_DUE, S.REPORT_RECEIVED, S.CLOSED],
    ),
    (S.WITHDRAWN, 5, [S.SUBMITTED, S.WITHDRAWN]),
]
AFTER_DECISION = {S.DECIDED, S.PAID, S.REPORT_DUE, S.REPORT_RECEIVED, S.CLOSED}
AFTER_PAYMENT = {S.PAID, S.REPORT_DUE, S.REPORT_RECEIVED, S.CLOSED}
REPORTED = {S.REPORT_RECEIVED, S.CLOSED}
COUNT_FIELDS = FollowUpReport.COUNT_FIELDS


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=LOCAL)


def _org_number(rng) -> str:
    digits = "802" + "".join(str(rng.randint(0, 9)) for _ in range(6))
    check = next(d for d in "0123456789" if luhn_valid(digits + d))
    return f"{digits[:6]}-{digits[6:]}{check}"


def _bankgiro(rng) -> str:
    digits = "".join(str(rng.randint(0, 9)) for _ in range(6))
    digits = str(rng.randint(1, 9)) + digits
    return digits + next(d for d in "0123456789" if luhn_valid(digits + d))


def exists() -> bool:
    return Association.objects.filter(slug__startswith=SLUG_PREFIX).exists()


def _raw_delete(label: str, queryset) -> tuple[str, int, float]:
    started = time.perf_counter()
    rows = queryset._raw_delete(queryset.db)  # one DELETE … WHERE, no per-row collection
    return label, rows, time.perf_counter() - started


def delete() -> list[tuple[str, int, float]]:
    applications = GrantApplication.objects.filter(reference__startswith=REFERENCE_PREFIX)
    associations = Association.objects.filter(slug__startswith=SLUG_PREFIX)
    return [
        _raw_delete(
            "associations_reportlocality", ReportLocality.objects.filter(report__application__in=applications)
        ),
        _raw_delete(
            "associations_followupreport", FollowUpReport.objects.filter(application__in=applications)
        ),
        _raw_delete("associations_payment", Payment.objects.filter(application__in=applications)),
        _raw_delete("associations_statuschange", StatusChange.objects.filter(application__in=applications)),
        _raw_delete("associations_grantapplication", applications),
        _raw_delete(
            "associations_grantprogramme",
            GrantProgramme.objects.filter(name__startswith=PROGRAMME_PREFIX),
        ),
        _raw_delete(
            "associations_annualdocument", AnnualDocument.objects.filter(association__in=associations)
        ),
        _raw_delete("associations_membercount", MemberCount.objects.filter(association__in=associations)),
        _raw_delete("associations_boardmember", BoardMember.objects.filter(association__in=associations)),
        _raw_delete(
            "associations_association_localities",
            Association.localities.through.objects.filter(association__in=associations),
        ),
        _raw_delete("associations_association", associations),
    ]


def _placeholder() -> None:
    """One tiny PDF that every bulk annual document points at (downloads work, no file per row)."""
    storage = private_storage()
    if not storage.exists(PLACEHOLDER):
        storage.save(PLACEHOLDER, ContentFile(PLACEHOLDER_PDF))


def seed(ctx) -> None:
    rng = ctx.rng("associations")
    year = ctx.year
    localities = ctx.localities
    slugs = list(LOCALITY_WEIGHTS)
    weights = [LOCALITY_WEIGHTS[s] for s in slugs]
    kind_weights = [weight for _kind, weight, _names in KINDS]
    created = _at(date(year - 8, 3, 1))

    # Associations: every locality gets some, the central town most.
    count = ctx.n(150, minimum=len(slugs))
    associations, homes = [], []
    for number in range(count):
        home = slugs[number] if number < len(slugs) else rng.choices(slugs, weights)[0]
        kind, _weight, names = rng.choices(KINDS, kind_weights)[0]
        name = f"{rng.choice(names).format(place=localities[home].name)} ({number + 1})"
        confirmed = rng.random() < 0.85
        has_account = rng.random() < 0.95
        associations.append(
            Association(
                name=name,
                slug=f"{SLUG_PREFIX}{number + 1:05d}-{slugify(name)}"[:200],
                org_number=_org_number(rng),
                kind=kind,
                purpose="Föreningen samlar seniorer i bygden till gemenskap och aktiviteter.",
                street_address=f"Föreningsvägen {number % 40 + 1}",
                postal_code="643 30",
                city=localities[home].name,
                email=f"bulk-{number + 1:05d}@forening.example.org",
                show_in_directory=rng.random() < 0.8,
                is_active=rng.random() < 0.96,
                payment_method=Association.PaymentMethod.BANKGIRO if has_account else "",
                payment_account=_bankgiro(rng) if has_account else "",
                base_data_confirmed_at=_at(date(year, 1, 10) + timedelta(days=rng.randint(0, 80)))
                if confirmed
                else None,
                created_at=created,
                updated_at=created,
            )
        )
        homes.append(home)
    ctx.insert(Association, associations)
    ctx.shared["associations"] = list(zip(associations, homes, strict=True))

    through = Association.localities.through
    links = []
    for association, home in zip(associations, homes, strict=True):
        served = {home}
        if home != "vingaker" and rng.random() < 0.3:
            served.add("vingaker")
        links += [
            through(association_id=association.pk, locality_id=localities[s].pk) for s in sorted(served)
        ]
    ctx.insert(through, links, "associations_association_localities")

    board, counts, documents = [], [], []
    roles = [BoardMember.Role.CHAIR, BoardMember.Role.TREASURER, BoardMember.Role.SECRETARY]
    for association in associations:
        for role in roles:
            board.append(
                BoardMember(
                    association=association,
                    name=f"{rng.choice(BOARD_NAMES)} {rng.choice(SURNAMES)}",
                    role=role,
                    email=f"{role}.{association.pk}@forening.example.org",
                    period_start=date(year - 1, 3, 15),
                )
            )
        members = (
            rng.randint(15, 400) if association.kind == Association.Kind.PENSIONERS else rng.randint(8, 250)
        )
        for member_year in (year - 1, year):
            total = max(5, members + rng.randint(-10, 10))
            women = round(total * rng.uniform(0.5, 0.7))
            men = total - women - rng.randint(0, max(0, total // 20))
            seniors = round(
                total * (0.9 if association.kind == Association.Kind.PENSIONERS else rng.uniform(0.2, 0.7))
            )
            counts.append(
                MemberCount(
                    association=association,
                    year=member_year,
                    total=total,
                    women=women,
                    men=max(0, men),
                    aged_65_plus=seniors,
                )
            )
        if rng.random() < 0.85:  # files last year's documents
            roll = rng.random()
            status = (
                AnnualDocument.Status.APPROVED
                if roll < 0.85
                else AnnualDocument.Status.SUBMITTED
                if roll < 0.95
                else AnnualDocument.Status.RETURNED
            )
            uploaded = _at(date(year, 3, 1) + timedelta(days=rng.randint(0, 60)))
            for kind in (
                AnnualDocument.Kind.AGM_MINUTES,
                AnnualDocument.Kind.ANNUAL_REPORT,
                AnnualDocument.Kind.FINANCIAL_STATEMENT,
                AnnualDocument.Kind.AUDIT_REPORT,
            ):
                reviewed = status != AnnualDocument.Status.SUBMITTED
                documents.append(
                    AnnualDocument(
                        association=association,
                        year=year - 1,
                        kind=kind,
                        file=PLACEHOLDER,
                        original_name=f"{kind}-{year - 1}.pdf",
                        content_type="application/pdf",
                        size=len(PLACEHOLDER_PDF),
                        uploaded_at=uploaded,
                        status=status,
                        reviewed_at=uploaded + timedelta(days=7) if reviewed else None,
                        review_comment="Underskrift saknas."
                        if status == AnnualDocument.Status.RETURNED
                        else "",
                    )
                )
    ctx.insert(BoardMember, board)
    ctx.insert(MemberCount, counts)
    _placeholder()
    ctx.insert(AnnualDocument, documents)

    # Grant programmes of the year and applications in every state.
    programmes = [
        GrantProgramme(
            kind=kind,
            name=f"{PROGRAMME_PREFIX}{name}",
            year=year,
            budget=Decimal(round(budget * ctx.scale, -3) or 1000),
            opens_on=date(year, 2, 1),
            closes_on=date(year, 3, 31),
            rules="Regler för bidraget, se kommunens riktlinjer.",
            eligibility=GrantProgramme.Eligibility.DOCUMENTS
            if kind != GrantProgramme.Kind.IOP
            else GrantProgramme.Eligibility.OPEN,
            delegation_limit=Decimal(limit) if limit else None,
            rate_per_participant_session=Decimal(25) if kind == GrantProgramme.Kind.ACTIVITY else None,
            min_participants_per_session=3 if kind == GrantProgramme.Kind.ACTIVITY else None,
            ceiling_per_association=Decimal(40_000) if kind == GrantProgramme.Kind.ACTIVITY else None,
            is_published=True,
        )
        for kind, name, budget, _applications, limit in PROGRAMMES
    ]
    ctx.insert(GrantProgramme, programmes)

    state_weights = [weight for _status, weight, _path in STATES]
    applications, plans = [], []
    for programme, (_kind, name, _budget, per_150, _limit) in zip(programmes, PROGRAMMES, strict=True):
        for _ in range(ctx.n(per_150)):
            association = rng.choice(associations)
            status, _weight, path = rng.choices(STATES, state_weights)[0]
            outcome = ""
            if status in AFTER_DECISION:
                roll = rng.random()
                outcome = "approved" if roll < 0.75 else "partly" if roll < 0.92 else "rejected"
                if outcome == "rejected":
                    status, path = S.CLOSED, [S.SUBMITTED, S.ASSESSED, S.DECIDED, S.CLOSED]
            requested = Decimal(rng.randrange(5_000, 80_000, 500))
            created_at = _at(date(year, 2, 1) + timedelta(days=rng.randint(0, 55)), rng.randint(8, 20))
            submitted_at = created_at + timedelta(days=rng.randint(0, 6)) if path else None
            assessed_at = (submitted_at or created_at) + timedelta(days=rng.randint(10, 30))
            decided_at = assessed_at + timedelta(days=rng.randint(3, 20))
            proposed = (requested * Decimal(rng.choice([1, 1, 0.9, 0.75, 0.5]))).quantize(Decimal(1))
            approved = None
            if outcome:
                approved = requested if outcome == "approved" else proposed
                approved = Decimal(0) if outcome == "rejected" else approved
            applications.append(
                GrantApplication(
                    programme=programme,
                    association=association,
                    reference=f"{REFERENCE_PREFIX}{year}-{len(applications) + 1:05d}",
                    status=status,
                    title=f"{name} {year}",
                    description="Träffar för seniorer i bygden under året.",
                    requested_amount=requested,
                    period_start=date(year, 1, 1),
                    period_end=date(year, 12, 31),
                    created_at=created_at,
                    updated_at=created_at,
                    submitted_at=submitted_at,
                    completion_request="Bifoga budget för året." if S.COMPLETION_REQUESTED in path else "",
                    assessed_at=assessed_at if S.ASSESSED in path else None,
                    assessment="Uppfyller villkoren." if S.ASSESSED in path else "",
                    proposed_amount=proposed if S.ASSESSED in path else None,
                    outcome=outcome,
                    approved_amount=approved,
                    decision_reasons="Beslut enligt riktlinjerna." if outcome else "",
                    decided_at=decided_at if outcome else None,
                    closed_at=decided_at + timedelta(days=200) if status == S.CLOSED else None,
                )
            )
            plans.append((path, created_at, submitted_at, assessed_at, decided_at))
    ctx.insert(GrantApplication, applications)

    history, payments, reports, report_plans = [], [], [], []
    for application, (path, created_at, submitted_at, assessed_at, decided_at) in zip(
        applications, plans, strict=True
    ):
        previous, at = S.DRAFT, created_at
        paid_on = decided_at.date() + timedelta(days=rng.randint(7, 20))
        for step in path:
            at = {
                S.SUBMITTED: submitted_at,
                S.ASSESSED: assessed_at,
                S.DECIDED: decided_at,
                S.PAID: _at(paid_on),
                S.REPORT_DUE: _at(paid_on + timedelta(days=90), 6),
            }.get(step, at + timedelta(days=rng.randint(1, 20)))
            history.append(StatusChange(application=application, from_status=previous, to_status=step, at=at))
            previous = step
        if application.status in AFTER_PAYMENT and application.outcome != "rejected":
            payments.append(
                Payment(
                    application=application,
                    paid_on=paid_on,
                    amount=application.approved_amount,
                    reference=f"BULK-UTB-{application.pk}",
                    recorded_at=_at(paid_on, 14),
                )
            )
            due_on = paid_on + timedelta(days=90)
            report = FollowUpReport(application=application, due_on=due_on)
            if application.status in REPORTED:
                late = rng.random() < 0.2
                report.submitted_at = _at(
                    due_on + timedelta(days=rng.randint(1, 40) if late else -rng.randint(0, 45))
                )
                report.narrative = "Vi har haft träffar varje vecka under året."
                report.money_used = application.approved_amount
                participants = rng.randint(10, 120)
                shares = (0.28, 0.2, 0.07, 0.16, 0.12, 0.04, 0.13)  # fewer men than women, oldest fewest
                for field, share in zip(COUNT_FIELDS, shares, strict=True):
                    setattr(report, field, round(participants * share))
                report_plans.append((report, participants))
            reports.append(report)
    ctx.insert(StatusChange, history)
    ctx.insert(Payment, payments)
    ctx.insert(FollowUpReport, reports)

    homes_by_id = {association.pk: home for association, home in zip(associations, homes, strict=True)}
    rows = []
    for report, participants in report_plans:
        home = homes_by_id[report.application.association_id]
        local = round(participants * 0.8)
        rows.append(ReportLocality(report=report, locality=localities[home], participants=local))
        if home != "vingaker" and participants - local > 0:
            rows.append(
                ReportLocality(
                    report=report, locality=localities["vingaker"], participants=participants - local
                )
            )
    ctx.insert(ReportLocality, rows)
