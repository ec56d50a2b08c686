"""The association register and the grant process.

Register: ``Association`` with its ``BoardMember``s, ``MemberCount``s per year, ``Representative`` users,
``Invitation``s, ``PaymentAccountChange`` requests and ``AnnualDocument``s.
Grants: ``GrantProgramme`` (with ``ProgrammeQuestion``s) → ``GrantApplication`` (with attachments,
messages and its ``StatusChange`` history) → ``Payment``s → ``FollowUpReport``. The rules that move an
application between states live in ``associations.applications``; nothing else changes
``GrantApplication.status``.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import Attendance
from portal.storage import private_storage

from .validators import format_giro, validate_org_number

SEK = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Association(models.Model):
    """A civil-society association in the register: identity, public profile and its representatives."""

    class Kind(models.TextChoices):
        PENSIONERS = "pensionarsforening", _("Pensioners' association")
        STUDY = "studieforbund", _("Study association")
        FAITH = "trossamfund", _("Faith community")
        AID = "hjalporganisation", _("Aid organisation")
        SPORTS = "idrottsforening", _("Sports club")
        CULTURE = "kulturforening", _("Cultural association")
        LOCAL_HISTORY = "hembygdsforening", _("Local heritage society")
        LOCAL_DEVELOPMENT = "lokal_utvecklingsgrupp", _("Local development group")
        CARERS = "anhorigforening", _("Carers' association")
        INTEREST = "intresseforening", _("Interest association")

    class PaymentMethod(models.TextChoices):
        BANKGIRO = "bankgiro", _("Bankgiro")
        PLUSGIRO = "plusgiro", _("Plusgiro")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    org_number = models.CharField(
        _("organisation number"), max_length=11, blank=True, validators=[validate_org_number]
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.PENSIONERS)
    localities = models.ManyToManyField(
        "portal.Locality", related_name="associations", blank=True, verbose_name=_("localities served")
    )
    purpose = models.TextField(_("purpose"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="associations/logos/", blank=True)
    logo_alt = models.CharField(
        _("logo description"),
        max_length=200,
        blank=True,
        help_text=_("What the logo shows, for people who cannot see it."),
    )
    show_in_directory = models.BooleanField(
        _("shown in the public directory"),
        default=False,
        help_text=_("The association has agreed to be listed on the senior portal."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Only ``services.approve_payment_account_change`` and coordinators' own edits write these two.
    payment_method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices, blank=True
    )
    payment_account = models.CharField(_("account number"), max_length=12, blank=True)
    base_data_confirmed_at = models.DateTimeField(
        _("base data confirmed"),
        null=True,
        blank=True,
        help_text=_("When a representative last confirmed that the association's details are correct."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Representative",
        related_name="represented_associations",
        verbose_name=_("representatives"),
    )

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "is_active"], name="association_kind_active_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def payment_account_display(self) -> str:
        return format_giro(self.payment_method, self.payment_account)

    def base_data_confirmed_in(self, year: int) -> bool:
        return bool(self.base_data_confirmed_at) and (
            timezone.localtime(self.base_data_confirmed_at).year == year
        )


class Representative(models.Model):
    """A user acting for an association, with what they may do for it."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        GRANTS = "grants", _("Grants")
        ACTIVITIES = "activities", _("Activities")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("association")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="association_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ADMIN)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(fields=["association", "user"], name="one_membership_per_association")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.association} ({self.get_role_display()})"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An association administrator's invitation of a person, by e-mail, to represent the association."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("association")
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        _("role"), max_length=16, choices=Representative.Role.choices, default=Representative.Role.ACTIVITIES
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.association}"

    @property
    def is_open(self) -> bool:
        return not self.accepted_at and not self.cancelled_at and self.expires_at > timezone.now()


class BoardMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        TREASURER = "treasurer", _("Treasurer")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Board member")
        SIGNATORY = "signatory", _("Authorised signatory")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="board_members", verbose_name=_("association")
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("board member")
        verbose_name_plural = _("board members")
        ordering = ["association", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="board_member_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class MemberCount(models.Model):
    """The association's members on 31 December of ``year``."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="member_counts", verbose_name=_("association")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total = models.PositiveIntegerField(_("members in total"))
    women = models.PositiveIntegerField(_("women"))
    men = models.PositiveIntegerField(_("men"))
    aged_65_plus = models.PositiveIntegerField(_("aged 65 or over"))

    class Meta:
        verbose_name = _("member count")
        verbose_name_plural = _("member counts")
        ordering = ["association", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="one_member_count_per_year"),
            models.CheckConstraint(
                condition=Q(total__gte=F("women") + F("men")), name="member_count_sexes_within_total"
            ),
            models.CheckConstraint(
                condition=Q(total__gte=F("aged_65_plus")), name="member_count_seniors_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year}: {self.total}"


class PaymentAccountChange(models.Model):
    """A representative's request to change where grants are paid; a coordinator approves or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="payment_account_changes",
        verbose_name=_("association"),
    )
    method = models.CharField(_("payment method"), max_length=10, choices=Association.PaymentMethod.choices)
    account = models.CharField(_("account number"), max_length=12)
    previous_method = models.CharField(max_length=10, blank=True, editable=False)
    previous_account = models.CharField(max_length=12, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("payment account change")
        verbose_name_plural = _("payment account changes")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["association"],
                condition=Q(status="pending"),
                name="one_pending_payment_account_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.association}: {self.account_display}"

    @property
    def account_display(self) -> str:
        return format_giro(self.method, self.account)


def annual_document_path(document: "AnnualDocument", filename: str) -> str:
    # The stored name carries no user input: the original name is kept in a field for downloads.
    return f"associations/{document.association_id}/documents/{secrets.token_hex(16)}"


class AnnualDocument(models.Model):
    """A document an association files for a financial year, reviewed by a coordinator."""

    class Kind(models.TextChoices):
        AGM_MINUTES = "agm_minutes", _("Minutes of the annual general meeting")
        ANNUAL_REPORT = "annual_report", _("Annual report")
        FINANCIAL_STATEMENT = "financial_statement", _("Financial statement")
        AUDIT_REPORT = "audit_report", _("Audit report")
        STATUTES = "statutes", _("Statutes")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for correction")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="documents", verbose_name=_("association")
    )
    year = models.PositiveSmallIntegerField(_("financial year"))
    kind = models.CharField(_("document"), max_length=24, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=annual_document_path, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("comment from the review"), blank=True)

    class Meta:
        verbose_name = _("annual document")
        verbose_name_plural = _("annual documents")
        ordering = ["association", "-year", "kind", "-uploaded_at"]
        indexes = [
            models.Index(fields=["association", "year", "kind", "status"], name="annual_document_lookup_idx"),
            models.Index(fields=["status"], name="annual_document_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year}: {self.get_kind_display()}"


# The documents an association must have approved for the year before the one it applies for.
REQUIRED_DOCUMENT_KINDS = (
    AnnualDocument.Kind.AGM_MINUTES,
    AnnualDocument.Kind.ANNUAL_REPORT,
    AnnualDocument.Kind.FINANCIAL_STATEMENT,
    AnnualDocument.Kind.AUDIT_REPORT,
)


class GrantProgramme(models.Model):
    """A grant the municipality offers for one year, with its budget, window and rules."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Activity grant")
        BASIC = "basic", _("Basic grant")
        PROJECT = "project", _("Project grant")
        PREMISES = "premises", _("Premises grant")
        CONTACT_PERSONS = "contact_persons", _("Fee to local contact persons")
        IOP = "iop", _("IOP partnership")

    class Eligibility(models.TextChoices):
        DOCUMENTS = (
            "documents",
            _("Approved annual documents for last year and base data confirmed this year"),
        )
        OPEN = "open", _("Open to every active association")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    budget = models.DecimalField(_("budget (SEK)"), **SEK)
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("last day to apply"))
    rules = models.TextField(_("rules"), blank=True)
    eligibility = models.CharField(
        _("who may apply"), max_length=12, choices=Eligibility.choices, default=Eligibility.DOCUMENTS
    )
    required_attachments = models.JSONField(
        _("required attachments"),
        default=list,
        blank=True,
        help_text=_("One label per attachment every application must include, e.g. “Budget”."),
    )
    delegation_limit = models.DecimalField(
        _("delegation limit (SEK)"),
        null=True,
        blank=True,
        help_text=_(
            "Decisions above this amount need an official with decision rights who did not assess the "
            "application. Empty: no limit."
        ),
        **SEK,
    )
    rate_per_participant_session = models.DecimalField(
        _("SEK per participant session"), null=True, blank=True, **SEK
    )
    min_participants_per_session = models.PositiveSmallIntegerField(
        _("minimum participants per session"), null=True, blank=True
    )
    ceiling_per_association = models.DecimalField(
        _("ceiling per association (SEK)"), null=True, blank=True, **SEK
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("days after payment until the follow-up report is due"), default=90
    )
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("grant programme")
        verbose_name_plural = _("grant programmes")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="programme_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    @property
    def uses_calculation(self) -> bool:
        return self.kind == self.Kind.ACTIVITY and self.rate_per_participant_session is not None

    def is_open_on(self, day) -> bool:
        return self.is_published and self.opens_on <= day <= self.closes_on


class ProgrammeQuestion(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        YES_NO = "yes_no", _("Yes or no")
        CHOICE = "choice", _("Choice from a list")

    programme = models.ForeignKey(
        GrantProgramme, on_delete=models.CASCADE, related_name="questions", verbose_name=_("grant programme")
    )
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("answer type"), max_length=8, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["programme", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class GrantApplication(models.Model):
    """An association's application to a programme; ``status`` moves only through ``applications``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        COMPLETION_REQUESTED = "completion_requested", _("Completion requested")
        RESUBMITTED = "resubmitted", _("Completed and resubmitted")
        ASSESSED = "assessed", _("Assessed")
        DECIDED = "decided", _("Decided")
        PAID = "paid", _("Paid")
        REPORT_DUE = "report_due", _("Follow-up report due")
        REPORT_RECEIVED = "report_received", _("Follow-up report received")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        APPROVED = "approved", pgettext_lazy("grant decision", "Approved")
        PARTLY = "partly", _("Partly approved")
        REJECTED = "rejected", pgettext_lazy("grant decision", "Rejected")

    programme = models.ForeignKey(
        GrantProgramme,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("grant programme"),
    )
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="applications", verbose_name=_("association")
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("what the grant is for"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    requested_amount = models.DecimalField(_("amount applied for (SEK)"), null=True, blank=True, **SEK)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until"), null=True, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    completion_request = models.TextField(_("what needs completing"), blank=True)
    # Assessment (case officer)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    proposed_amount = models.DecimalField(_("proposed amount (SEK)"), null=True, blank=True, **SEK)
    calculated_amount = models.DecimalField(_("calculated amount (SEK)"), null=True, blank=True, **SEK)
    calculation = models.JSONField(_("calculation"), default=dict, blank=True)
    adjustment_reason = models.TextField(_("reason for adjusting the calculated amount"), blank=True)
    # Decision
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True)
    approved_amount = models.DecimalField(_("approved amount (SEK)"), null=True, blank=True, **SEK)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status"], name="application_status_idx"),
            models.Index(fields=["programme", "status"], name="application_programme_idx"),
            models.Index(fields=["association", "status"], name="application_association_idx"),
            # The casework queue's default order (oldest submitted first), read a page at a time.
            models.Index(fields=["submitted_at"], name="application_submitted_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="application_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.association}"

    @property
    def is_editable_by_applicant(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.COMPLETION_REQUESTED)


def attachment_path(attachment: "ApplicationAttachment", filename: str) -> str:
    return f"associations/applications/{attachment.application_id}/{secrets.token_hex(16)}"


class ApplicationAttachment(models.Model):
    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("application")
    )
    label = models.CharField(_("what it is"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.label


class ApplicationMessage(models.Model):
    """A message in the application's conversation between the association and the case officer."""

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="messages", verbose_name=_("application")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    from_case_officer = models.BooleanField(_("from the case officer"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.body[:40]}"


class StatusChange(models.Model):
    """One step in an application's history, written by ``applications.transition`` only."""

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="history", verbose_name=_("application")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=GrantApplication.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=GrantApplication.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status} → {self.to_status}"


class Payment(models.Model):
    application = models.ForeignKey(
        GrantApplication, on_delete=models.PROTECT, related_name="payments", verbose_name=_("application")
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (SEK)"), **SEK)
    reference = models.CharField(_("payment reference"), max_length=60)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.amount} SEK {self.paid_on}"


class FollowUpReport(models.Model):
    """What the association did with the grant: due after payment, reminded before and after the due date."""

    application = models.OneToOneField(
        GrantApplication, on_delete=models.CASCADE, related_name="report", verbose_name=_("application")
    )
    due_on = models.DateField(_("due"))
    narrative = models.TextField(_("what was done"), blank=True)
    money_used = models.DecimalField(_("money used (SEK)"), null=True, blank=True, **SEK)
    women_65_74 = models.PositiveIntegerField(_("women 65–74"), default=0)
    women_75_84 = models.PositiveIntegerField(_("women 75–84"), default=0)
    women_85_plus = models.PositiveIntegerField(_("women 85+"), default=0)
    men_65_74 = models.PositiveIntegerField(_("men 65–74"), default=0)
    men_75_84 = models.PositiveIntegerField(_("men 75–84"), default=0)
    men_85_plus = models.PositiveIntegerField(_("men 85+"), default=0)
    others = models.PositiveIntegerField(
        _("others"), default=0, help_text=_("Participants under 65 or whose sex or age is not known.")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reminder_before_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_after_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    COUNT_FIELDS = Attendance.COUNT_FIELDS

    class Meta:
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        ordering = ["due_on"]
        indexes = [models.Index(fields=["due_on", "submitted_at"], name="report_due_idx")]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.due_on}"

    @property
    def on_time(self) -> bool | None:
        if not self.submitted_at:
            return None
        return timezone.localdate(self.submitted_at) <= self.due_on

    @property
    def participants_total(self) -> int:
        return sum(getattr(self, name) for name in self.COUNT_FIELDS)


class ReportLocality(models.Model):
    """Participants of a follow-up report per locality (the sex/age breakdown is on the report itself)."""

    report = models.ForeignKey(
        FollowUpReport, on_delete=models.CASCADE, related_name="localities", verbose_name=_("report")
    )
    locality = models.ForeignKey("portal.Locality", on_delete=models.PROTECT, verbose_name=_("locality"))
    participants = models.PositiveIntegerField(_("participants"))

    class Meta:
        verbose_name = _("participants per locality")
        verbose_name_plural = _("participants per locality")
        constraints = [
            models.UniqueConstraint(fields=["report", "locality"], name="one_report_row_per_locality")
        ]

    def __str__(self) -> str:
        return f"{self.locality}: {self.participants}"


class BulkMessage(models.Model):
    """An e-mail a coordinator sent to the contacts of many associations at once, with who got it."""

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    filters = models.JSONField(_("recipients chosen by"), default=dict, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message to associations")
        verbose_name_plural = _("messages to associations")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.subject


class BulkMessageRecipient(models.Model):
    message = models.ForeignKey(
        BulkMessage, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("message")
    )
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="+", verbose_name=_("association")
    )
    email = models.EmailField(_("e-mail"))

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return self.email
