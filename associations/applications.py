"""The grant application process: the only code that moves ``GrantApplication.status``.

    draft → submitted → (completion requested ⇄ resubmitted) → assessed → decided → paid
          → follow-up report due → report received → closed
    draft / submitted / completion requested / resubmitted → withdrawn;  decided (rejected) → closed

Every step is a function named for the business action. It checks who is acting and whether the step is
allowed from the current state (``TransitionError`` otherwise), locks the row, records a ``StatusChange``,
writes the audit log and e-mails the association once the transaction commits.

Four-eyes rule: a decision on an amount above the programme's delegation limit is taken by an official
(a coordinator decides only within the limit), and never by the person who assessed the application.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit
from accounts.models import User
from accounts.roles import Role, has_role
from accounts.tasks import send_email
from outbox import enqueue

from . import selectors
from .calculation import calculate_activity_grant
from .eligibility import for_programme
from .models import (
    ApplicationAttachment,
    ApplicationMessage,
    FollowUpReport,
    GrantApplication,
    GrantProgramme,
    Payment,
    ProgrammeQuestion,
    ReportLocality,
    Representative,
    StatusChange,
)
from .uploads import validate_upload

Status = GrantApplication.Status
Outcome = GrantApplication.Outcome

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.COMPLETION_REQUESTED, Status.ASSESSED, Status.WITHDRAWN}),
    Status.COMPLETION_REQUESTED: frozenset({Status.RESUBMITTED, Status.WITHDRAWN}),
    Status.RESUBMITTED: frozenset({Status.COMPLETION_REQUESTED, Status.ASSESSED, Status.WITHDRAWN}),
    Status.ASSESSED: frozenset({Status.DECIDED}),
    Status.DECIDED: frozenset({Status.PAID, Status.CLOSED}),
    Status.PAID: frozenset({Status.REPORT_DUE, Status.REPORT_RECEIVED}),
    Status.REPORT_DUE: frozenset({Status.REPORT_RECEIVED}),
    Status.REPORT_RECEIVED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

# A reminder goes out this many days before the follow-up report is due, and again once it is overdue.
REMINDER_DAYS_BEFORE = 14
REMINDER_DAYS_AFTER = 7
# A paid application's follow-up report becomes "due" (visible in work queues) this long before its date.
REPORT_DUE_WINDOW_DAYS = 30


class TransitionError(ValidationError):
    """An action that the process does not allow now, or not to this user; the message says why."""


@dataclass(frozen=True)
class Notice:
    subject: str
    headline: str


NOTICES = {
    Status.SUBMITTED: Notice(
        gettext_lazy("Application received"), gettext_lazy("We have received the application.")
    ),
    Status.COMPLETION_REQUESTED: Notice(
        gettext_lazy("Please complete your application"),
        gettext_lazy("The case officer needs more information before the application can be assessed."),
    ),
    Status.RESUBMITTED: Notice(
        gettext_lazy("Completed application received"),
        gettext_lazy("We have received the completed application."),
    ),
    Status.ASSESSED: Notice(
        gettext_lazy("Application assessed"),
        gettext_lazy("The application has been assessed and goes on to decision."),
    ),
    Status.DECIDED: Notice(
        gettext_lazy("Decision on your application"),
        gettext_lazy("A decision has been taken. The decision letter explains it and how to appeal."),
    ),
    Status.PAID: Notice(gettext_lazy("Grant paid"), gettext_lazy("The grant has been paid.")),
    Status.REPORT_DUE: Notice(
        gettext_lazy("Follow-up report due"), gettext_lazy("Please tell us what the grant was used for.")
    ),
    Status.REPORT_RECEIVED: Notice(
        gettext_lazy("Follow-up report received"),
        gettext_lazy("Thank you: we have received the follow-up report."),
    ),
    Status.CLOSED: Notice(gettext_lazy("Application closed"), gettext_lazy("The case is closed.")),
    Status.WITHDRAWN: Notice(
        gettext_lazy("Application withdrawn"), gettext_lazy("The application was withdrawn.")
    ),
}


# --- Who may act ------------------------------------------------------------------------------------------


def _require_applicant(user: User, application: GrantApplication) -> None:
    if not selectors.can_apply(user, application.association):
        raise TransitionError(
            _("Only the association's administrators and grant representatives may do this.")
        )


def _require_coordinator(user: User) -> None:
    if not has_role(user, Role.COORDINATOR):
        raise TransitionError(_("Only a coordinator may do this."))


def decision_block_reason(user: User, application: GrantApplication, amount: Decimal | None) -> str | None:
    """Why ``user`` may not decide ``application`` on ``amount``, or None when they may."""
    if application.status != Status.ASSESSED:
        return _("Only an assessed application can be decided.")
    if not has_role(user, Role.COORDINATOR, Role.OFFICIAL):
        return _("Only coordinators and officials with decision rights may decide on grants.")
    limit = application.programme.delegation_limit
    if limit is None or (amount or Decimal("0")) <= limit:
        return None
    if not has_role(user, Role.OFFICIAL):
        return _(
            "The amount is above the delegation limit of %(limit)s SEK: an official with decision rights "
            "must decide."
        ) % {"limit": _money(limit)}
    if application.assessed_by_id == user.pk:
        return _(
            "The amount is above the delegation limit of %(limit)s SEK and you assessed this application: "
            "another person must decide (four-eyes rule)."
        ) % {"limit": _money(limit)}
    return None


def can_decide(user: User, application: GrantApplication, amount: Decimal | None) -> bool:
    return decision_block_reason(user, application, amount) is None


# --- The state machine ------------------------------------------------------------------------------------


def _locked(application: GrantApplication) -> GrantApplication:
    """Lock the application's row and refresh the caller's instance, so two officers cannot move it at once
    and every rule below sees the state as it is now."""
    GrantApplication.objects.select_for_update().filter(pk=application.pk).values_list("pk").get()
    application.refresh_from_db()
    return application


def _transition(
    application: GrantApplication, to: str, *, actor: User | None, comment: str = "", **changes
) -> GrantApplication:
    """Move ``application`` (already locked) to ``to``; refuse anything ``TRANSITIONS`` does not allow."""
    current = application.status
    if to not in TRANSITIONS[current]:
        raise TransitionError(
            _("An application that is “%(current)s” cannot become “%(to)s”.")
            % {"current": Status(current).label, "to": Status(to).label},
            code="illegal_transition",
        )
    for name, value in changes.items():
        setattr(application, name, value)
    application.status = to
    application.save()
    StatusChange.objects.create(
        application=application, from_status=current, to_status=to, actor=actor, comment=comment
    )
    audit.record(
        f"grants.application.{to}",
        actor=actor,
        actor_label="" if actor else "system",
        obj=application,
        reference=application.reference,
        from_status=current,
        to_status=to,
    )
    notify_association(application, to, comment)
    return application


def _money(amount: Decimal) -> str:
    return f"{amount:,.0f}".replace(",", "\u00a0")


def _next_reference(programme: GrantProgramme) -> str:
    prefix = f"{programme.year}-"
    last = GrantApplication.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))[
        "last"
    ]
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


def create_application(
    *,
    programme: GrantProgramme,
    association,
    actor: User,
    title: str,
    description: str = "",
    requested_amount: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    answers: dict | None = None,
) -> GrantApplication:
    """Start a draft. Drafts may be saved incomplete; ``submit`` checks completeness."""
    if not selectors.can_apply(actor, association):
        raise TransitionError(_("Only the association's administrators and grant representatives may apply."))
    if not programme.is_published:
        raise TransitionError(_("This grant programme is not open for applications."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = GrantApplication.objects.create(
                    programme=programme,
                    association=association,
                    reference=_next_reference(programme),
                    title=title,
                    description=description,
                    requested_amount=requested_amount,
                    period_start=period_start,
                    period_end=period_end,
                    answers=answers or {},
                    created_by=actor,
                )
                break
        except IntegrityError:
            continue  # another application took the reference at the same moment; take the next one
    else:
        raise TransitionError(_("The application could not be created right now. Please try again."))
    audit.record("grants.application.created", actor=actor, obj=application, reference=application.reference)
    return application


EDITABLE_FIELDS = frozenset(
    {"title", "description", "requested_amount", "period_start", "period_end", "answers"}
)


@transaction.atomic
def update_draft(application: GrantApplication, *, actor: User, **fields) -> GrantApplication:
    """Save the applicant's changes while the application is a draft or waiting for completion."""
    _require_applicant(actor, application)
    application = _locked(application)
    if not application.is_editable_by_applicant:
        raise TransitionError(_("The application can no longer be changed."))
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable by the applicant: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean(
        exclude=[field.name for field in GrantApplication._meta.fields if field.name not in EDITABLE_FIELDS]
    )
    application.save()
    return application


@transaction.atomic
def add_attachment(
    application: GrantApplication, *, actor: User, label: str, uploaded_file
) -> ApplicationAttachment:
    _require_applicant(actor, application)
    application = _locked(application)
    if not application.is_editable_by_applicant:
        raise TransitionError(_("Attachments can only be added while the application can be changed."))
    content_type, size = validate_upload(uploaded_file)
    attachment = ApplicationAttachment(
        application=application,
        label=label.strip() or uploaded_file.name,
        original_name=(uploaded_file.name or "file")[:200],
        content_type=content_type,
        size=size,
        uploaded_by=actor,
    )
    attachment.file.save(uploaded_file.name, uploaded_file, save=False)
    attachment.save()
    audit.record("grants.attachment.added", actor=actor, obj=attachment, application=application.reference)
    return attachment


@transaction.atomic
def remove_attachment(attachment: ApplicationAttachment, *, actor: User) -> None:
    application = _locked(attachment.application)
    _require_applicant(actor, application)
    if not application.is_editable_by_applicant:
        raise TransitionError(_("Attachments can only be removed while the application can be changed."))
    audit.record("grants.attachment.removed", actor=actor, obj=attachment, application=application.reference)
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def post_message(application: GrantApplication, *, actor: User, body: str) -> ApplicationMessage:
    """A message in the case's conversation; the other side is e-mailed."""
    body = (body or "").strip()
    if not body:
        raise TransitionError(_("Write a message before sending."))
    officer = has_role(actor, Role.COORDINATOR, Role.OFFICIAL)
    if not officer and not selectors.can_apply(actor, application.association):
        raise TransitionError(_("You cannot write in this case."))
    message = ApplicationMessage.objects.create(
        application=application, author=actor, from_case_officer=officer, body=body
    )
    audit.record("grants.message.posted", actor=actor, obj=application, reference=application.reference)
    if officer:
        notify_association(application, None, body, subject=_("New message"))
    else:
        notify_case_officers(application, _("New message from the association"))
    return message


def missing_for_submission(application: GrantApplication, today: date | None = None) -> list[str]:
    """What stops the application from being submitted now, in plain words (empty when nothing does)."""
    today = today or timezone.localdate()
    programme = application.programme
    problems = []
    if not programme.is_open_on(today):
        problems.append(
            _("Applications to this programme can be sent from %(opens)s to %(closes)s.")
            % {"opens": programme.opens_on.isoformat(), "closes": programme.closes_on.isoformat()}
        )
    problems.extend(for_programme(programme, application.association).reasons)
    if not application.title.strip():
        problems.append(_("Say what the grant is for."))
    if programme.kind == GrantProgramme.Kind.ACTIVITY and not (
        application.period_start and application.period_end
    ):
        problems.append(_("Give the period the activities were held in."))
    elif programme.kind != GrantProgramme.Kind.ACTIVITY and not application.requested_amount:
        problems.append(_("Give the amount you apply for."))
    answers = application.answers or {}
    for question in programme.questions.all():
        if question.required and _blank(answers.get(str(question.pk))):
            problems.append(_("Answer the question “%(question)s”.") % {"question": question.text})
    labels = {attachment.label for attachment in application.attachments.all()}
    for required in programme.required_attachments:
        if required not in labels:
            problems.append(_("Attach “%(label)s”.") % {"label": required})
    return problems


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_answer(question: ProgrammeQuestion, value):
    """The answer in its stored form, or ``ValidationError``; used by forms and by ``submit`` alike."""
    if _blank(value):
        return None
    if question.kind == ProgrammeQuestion.Kind.NUMBER:
        try:
            return str(Decimal(str(value)))
        except ArithmeticError as error:
            raise ValidationError(_("Enter a number.")) from error
    if question.kind == ProgrammeQuestion.Kind.YES_NO:
        if value not in (True, False, "yes", "no"):
            raise ValidationError(_("Answer yes or no."))
        return value in (True, "yes")
    if question.kind == ProgrammeQuestion.Kind.CHOICE and value not in question.choices:
        raise ValidationError(_("Choose one of the alternatives."))
    return str(value)


@transaction.atomic
def submit(application: GrantApplication, *, actor: User, today: date | None = None) -> GrantApplication:
    _require_applicant(actor, application)
    application = _locked(application)
    if application.status != Status.DRAFT:
        raise TransitionError(_("Only a draft can be submitted."))
    problems = missing_for_submission(application, today)
    if problems:
        raise TransitionError(problems, code="incomplete")
    return _transition(application, Status.SUBMITTED, actor=actor, submitted_at=timezone.now())


@transaction.atomic
def withdraw(application: GrantApplication, *, actor: User, reason: str = "") -> GrantApplication:
    _require_applicant(actor, application)
    return _transition(_locked(application), Status.WITHDRAWN, actor=actor, comment=reason)


@transaction.atomic
def request_completion(application: GrantApplication, *, actor: User, request_text: str) -> GrantApplication:
    _require_coordinator(actor)
    if not (request_text or "").strip():
        raise TransitionError(_("Say what the association needs to complete."))
    return _transition(
        _locked(application),
        Status.COMPLETION_REQUESTED,
        actor=actor,
        comment=request_text.strip(),
        completion_request=request_text.strip(),
    )


@transaction.atomic
def resubmit(application: GrantApplication, *, actor: User) -> GrantApplication:
    _require_applicant(actor, application)
    return _transition(_locked(application), Status.RESUBMITTED, actor=actor, submitted_at=timezone.now())


@transaction.atomic
def assess(
    application: GrantApplication,
    *,
    actor: User,
    assessment: str,
    proposed_amount: Decimal,
    adjustment_reason: str = "",
) -> GrantApplication:
    """Record the case officer's assessment. For activity grants the rule's amount is computed and kept with
    its lines; proposing another amount needs a reason."""
    _require_coordinator(actor)
    application = _locked(application)
    if not (assessment or "").strip():
        raise TransitionError(_("Write the assessment."))
    if proposed_amount is None or proposed_amount < 0:
        raise TransitionError(_("Propose an amount (0 to propose a rejection)."))
    changes = {
        "assessment": assessment.strip(),
        "proposed_amount": proposed_amount,
        "assessed_by": actor,
        "assessed_at": timezone.now(),
        "adjustment_reason": (adjustment_reason or "").strip(),
    }
    programme = application.programme
    if programme.uses_calculation and application.period_start and application.period_end:
        calculation = calculate_activity_grant(
            programme, application.association, application.period_start, application.period_end
        )
        changes["calculated_amount"] = calculation.amount
        changes["calculation"] = calculation.as_json()
        if proposed_amount != calculation.amount and not changes["adjustment_reason"]:
            raise TransitionError(
                _("The proposed amount differs from the calculated %(amount)s SEK: give the reason.")
                % {"amount": _money(calculation.amount)}
            )
    return _transition(application, Status.ASSESSED, actor=actor, **changes)


@transaction.atomic
def decide(
    application: GrantApplication, *, actor: User, outcome: str, approved_amount: Decimal | None, reasons: str
) -> GrantApplication:
    application = _locked(application)
    amount = Decimal("0") if outcome == Outcome.REJECTED else approved_amount
    if outcome not in Outcome.values:
        raise TransitionError(_("Choose approved, partly approved or rejected."))
    if outcome != Outcome.REJECTED and (amount is None or amount <= 0):
        raise TransitionError(_("Give the approved amount."))
    requested = application.requested_amount
    if outcome == Outcome.PARTLY and requested is not None and amount >= requested:
        raise TransitionError(_("A partly approved grant is less than the amount applied for."))
    if outcome == Outcome.APPROVED and requested is not None and amount > requested:
        raise TransitionError(_("The approved amount cannot exceed the amount applied for."))
    if not (reasons or "").strip():
        raise TransitionError(_("Give the reasons for the decision."))
    blocked = decision_block_reason(actor, application, amount)
    if blocked:
        raise TransitionError(blocked, code="four_eyes")
    return _transition(
        application,
        Status.DECIDED,
        actor=actor,
        outcome=outcome,
        approved_amount=amount,
        decision_reasons=reasons.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )


def can_close(application: GrantApplication) -> bool:
    """A case closes after its follow-up report was received, or once it was decided as a rejection."""
    if application.status == Status.DECIDED:
        return application.outcome == Outcome.REJECTED
    return Status.CLOSED in TRANSITIONS[application.status]


@transaction.atomic
def close(application: GrantApplication, *, actor: User | None, comment: str = "") -> GrantApplication:
    """Close a case: after the follow-up report was received, or after a rejection."""
    if actor is not None:
        _require_coordinator(actor)
    application = _locked(application)
    if not can_close(application):
        raise TransitionError(_("A granted application is closed after its follow-up report."))
    return _transition(application, Status.CLOSED, actor=actor, comment=comment, closed_at=timezone.now())


@transaction.atomic
def record_payment(
    application: GrantApplication, *, actor: User, paid_on: date, amount: Decimal, reference: str
) -> Payment:
    """Record a payment; the first one moves the case to *paid* and sets the follow-up report's due date."""
    _require_coordinator(actor)
    application = _locked(application)
    if application.status not in (Status.DECIDED, Status.PAID) or application.outcome == Outcome.REJECTED:
        raise TransitionError(_("Payments can only be recorded for a granted application."))
    if amount is None or amount <= 0:
        raise TransitionError(_("The amount must be more than 0."))
    if not (reference or "").strip():
        raise TransitionError(_("Give the payment reference."))
    paid = application.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if paid + amount > application.approved_amount:
        raise TransitionError(
            _("Payments would exceed the approved %(approved)s SEK (%(paid)s SEK is already paid).")
            % {"approved": _money(application.approved_amount), "paid": _money(paid)}
        )
    payment = Payment.objects.create(
        application=application,
        paid_on=paid_on,
        amount=amount,
        reference=reference.strip(),
        recorded_by=actor,
    )
    audit.record(
        "grants.payment.recorded",
        actor=actor,
        obj=payment,
        reference=application.reference,
        amount=str(amount),
    )
    if application.status == Status.DECIDED:
        FollowUpReport.objects.get_or_create(
            application=application,
            defaults={"due_on": paid_on + timedelta(days=application.programme.report_due_days)},
        )
        _transition(application, Status.PAID, actor=actor)
    return payment


@transaction.atomic
def submit_report(
    report: FollowUpReport,
    *,
    actor: User,
    narrative: str,
    money_used: Decimal | None,
    counts: dict[str, int],
    localities: dict | None = None,
) -> FollowUpReport:
    application = _locked(report.application)
    _require_applicant(actor, application)
    if application.status not in (Status.PAID, Status.REPORT_DUE):
        raise TransitionError(_("The follow-up report cannot be sent now."))
    if not (narrative or "").strip():
        raise TransitionError(_("Describe what was done with the grant."))
    report = FollowUpReport.objects.select_for_update().get(pk=report.pk)
    report.narrative = narrative.strip()
    report.money_used = money_used
    for name in FollowUpReport.COUNT_FIELDS:
        setattr(report, name, int(counts.get(name) or 0))
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.save()
    report.localities.all().delete()
    ReportLocality.objects.bulk_create(
        ReportLocality(report=report, locality=locality, participants=participants)
        for locality, participants in (localities or {}).items()
        if participants
    )
    _transition(application, Status.REPORT_RECEIVED, actor=actor)
    return report


# --- Scheduled work (Celery beat) -------------------------------------------------------------------------


def mark_reports_due(today: date | None = None) -> int:
    """Move paid applications whose report date is near into *report due*. Safe to run any number of times."""
    today = today or timezone.localdate()
    moved = 0
    due = GrantApplication.objects.filter(
        status=Status.PAID, report__due_on__lte=today + timedelta(days=REPORT_DUE_WINDOW_DAYS)
    ).values_list("pk", flat=True)
    for pk in due:
        with transaction.atomic():
            application = GrantApplication.objects.select_for_update().get(pk=pk)
            if application.status == Status.PAID:
                _transition(application, Status.REPORT_DUE, actor=None)
                moved += 1
    return moved


def send_report_reminders(today: date | None = None) -> int:
    """E-mail a reminder before the due date and one after it. Each report is claimed by a conditional update
    before its message goes out, so overlapping or repeated runs never send a reminder twice."""
    today = today or timezone.localdate()
    now = timezone.now()
    sent = 0
    open_reports = FollowUpReport.objects.filter(
        submitted_at__isnull=True, application__status__in=(Status.PAID, Status.REPORT_DUE)
    )
    before = open_reports.filter(
        reminder_before_sent_at__isnull=True,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
    )
    for report in before.select_related("application__association", "application__programme"):
        if FollowUpReport.objects.filter(pk=report.pk, reminder_before_sent_at__isnull=True).update(
            reminder_before_sent_at=now
        ):
            _remind(report, overdue=False)
            sent += 1
    after = open_reports.filter(
        reminder_after_sent_at__isnull=True, due_on__lte=today - timedelta(days=REMINDER_DAYS_AFTER)
    )
    for report in after.select_related("application__association", "application__programme"):
        if FollowUpReport.objects.filter(pk=report.pk, reminder_after_sent_at__isnull=True).update(
            reminder_after_sent_at=now
        ):
            _remind(report, overdue=True)
            sent += 1
    return sent


def _remind(report: FollowUpReport, *, overdue: bool) -> None:
    application = report.application
    if overdue:
        subject = _("The follow-up report is overdue")
        headline = _("The follow-up report was due on %(date)s. Please send it as soon as you can.")
    else:
        subject = _("Reminder: follow-up report")
        headline = _("The follow-up report is due on %(date)s.")
    audit.record(
        "grants.report.reminded",
        actor_label="system",
        obj=report,
        reference=application.reference,
        overdue=overdue,
    )
    _send_to_association(
        application,
        subject=str(subject),
        headline=str(headline) % {"date": report.due_on.isoformat()},
        detail="",
        path=reverse("grants:report", args=[application.pk]),
    )


# --- E-mail -----------------------------------------------------------------------------------------------


def association_recipients(application: GrantApplication) -> list[str]:
    """The association's own address and its administrators' and grant representatives' addresses."""
    association = application.association
    emails = list(
        Representative.objects.filter(
            association=association, role__in=(Representative.Role.ADMIN, Representative.Role.GRANTS)
        ).values_list("user__email", flat=True)
    )
    if association.email:
        emails.insert(0, association.email)
    return list(dict.fromkeys(email for email in emails if email))


def _send_to_association(application, *, subject: str, headline: str, detail: str, path: str) -> None:
    recipients = association_recipients(application)
    if not recipients:
        return
    context = {
        "application": application,
        "headline": headline,
        "detail": detail,
        "url": settings.SITE_URL.rstrip("/") + path,
    }
    body = render_to_string("associations/email/application_update.txt", context)
    enqueue(send_email, subject=f"{subject} – {application.reference}", body=body, to=recipients)


def notify_association(
    application: GrantApplication, status: str | None, detail: str = "", subject=None
) -> None:
    """E-mail the association about a step in its case, in the municipality's language."""
    with translation.override(settings.LANGUAGE_CODE):
        notice = NOTICES.get(status) if status else None
        if status and notice is None:
            return
        _send_to_association(
            application,
            subject=str(subject or notice.subject),
            headline=str(notice.headline) if notice else "",
            detail=detail,
            path=reverse("grants:application", args=[application.pk]),
        )


def notify_case_officers(application: GrantApplication, subject: str) -> None:
    """E-mail the officer who assessed the case, or every coordinator when nobody has yet."""
    if application.assessed_by_id:
        recipients = [application.assessed_by.email]
    else:
        recipients = list(
            User.objects.filter(groups__name=Role.COORDINATOR, is_active=True).values_list("email", flat=True)
        )
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "associations/email/application_update.txt",
            {
                "application": application,
                "headline": str(subject),
                "detail": "",
                "url": settings.SITE_URL.rstrip("/") + reverse("casework:application", args=[application.pk]),
            },
        )
        enqueue(send_email, subject=f"{subject} – {application.reference}", body=body, to=recipients)


def open_filter() -> Q:
    """Applications still being handled (not closed or withdrawn)."""
    return ~Q(status__in=(Status.CLOSED, Status.WITHDRAWN))
