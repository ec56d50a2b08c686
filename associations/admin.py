"""Django admin for the register and grants: for the system administrator's corrections and look-ups.

The grant process owns its data: application status, decisions, payments and history are written by
:mod:`associations.applications` (audited, e-mailed), so here they are read-only. Payment accounts are only
changed through the audited coordinator pages, so they are read-only too.
"""

from django.contrib import admin
from django.db import models

from .models import (
    AnnualDocument,
    ApplicationAttachment,
    ApplicationMessage,
    Association,
    BoardMember,
    BulkMessage,
    BulkMessageRecipient,
    FollowUpReport,
    GrantApplication,
    GrantProgramme,
    Invitation,
    MemberCount,
    Payment,
    PaymentAccountChange,
    ProgrammeQuestion,
    ReportLocality,
    Representative,
    StatusChange,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the process writes; the admin may look, not change."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    raw_id_fields = ["user"]


class BoardMemberInline(admin.TabularInline):
    model = BoardMember
    extra = 0


class MemberCountInline(admin.TabularInline):
    model = MemberCount
    extra = 0


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "org_number", "show_in_directory", "is_active"]
    list_filter = ["kind", "show_in_directory", "is_active", "localities"]
    search_fields = ["name", "org_number"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["localities"]
    readonly_fields = ["payment_method", "payment_account", "base_data_confirmed_at", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [RepresentativeInline, BoardMemberInline, MemberCountInline]


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["user", "association", "role"]
    list_filter = ["role"]
    search_fields = ["user__email", "association__name"]
    raw_id_fields = ["user", "association"]
    list_select_related = ["user", "association"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "association", "role", "created_at", "expires_at", "accepted_at", "cancelled_at"]
    search_fields = ["email", "association__name"]
    readonly_fields = ["association", "email", "role", "invited_by", "accepted_at"]
    list_select_related = ["association"]


@admin.register(BoardMember)
class BoardMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "association", "period_start", "period_end"]
    list_filter = ["role"]
    search_fields = ["name", "association__name"]
    list_select_related = ["association"]


@admin.register(MemberCount)
class MemberCountAdmin(admin.ModelAdmin):
    list_display = ["association", "year", "total", "women", "men", "aged_65_plus"]
    list_filter = ["year"]
    search_fields = ["association__name"]
    list_select_related = ["association"]


@admin.register(PaymentAccountChange)
class PaymentAccountChangeAdmin(ReadOnlyAdmin):
    list_display = ["association", "method", "account", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["association__name"]
    list_select_related = ["association"]


@admin.register(AnnualDocument)
class AnnualDocumentAdmin(admin.ModelAdmin):
    """Files are served only through the permission-checked back office, so no file field here."""

    list_display = ["association", "year", "kind", "status", "uploaded_at", "reviewed_at"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["association__name", "original_name"]
    fields = [
        "association",
        "year",
        "kind",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "status",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
    ]
    readonly_fields = fields
    list_select_related = ["association"]

    def has_add_permission(self, request) -> bool:
        return False


class ProgrammeQuestionInline(admin.TabularInline):
    model = ProgrammeQuestion
    extra = 0


@admin.register(GrantProgramme)
class GrantProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "year", "budget", "opens_on", "closes_on", "is_published"]
    list_filter = ["kind", "year", "is_published"]
    search_fields = ["name"]
    inlines = [ProgrammeQuestionInline]


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "actor", "comment"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["paid_on", "amount", "reference", "recorded_by"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = ApplicationAttachment
    fields = ["label", "original_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class MessageInline(ReadOnlyInline):
    model = ApplicationMessage
    fields = ["created_at", "author", "from_case_officer", "body"]
    readonly_fields = fields


PROCESS_FIELDS = [
    "status",
    "submitted_at",
    "completion_request",
    "assessed_by",
    "assessed_at",
    "assessment",
    "proposed_amount",
    "calculated_amount",
    "calculation",
    "adjustment_reason",
    "outcome",
    "approved_amount",
    "decision_reasons",
    "decided_by",
    "decided_at",
    "closed_at",
]


@admin.register(GrantApplication)
class GrantApplicationAdmin(admin.ModelAdmin):
    """Applicants' own texts may be corrected; everything the process decided is read-only."""

    list_display = ["reference", "association", "programme", "status", "approved_amount", "submitted_at"]
    list_filter = ["status", "programme__year", "programme__kind", "outcome"]
    search_fields = ["reference", "association__name", "title"]
    list_select_related = ["association", "programme"]
    readonly_fields = ["programme", "association", "reference", "created_by", *PROCESS_FIELDS]
    inlines = [StatusChangeInline, PaymentInline, AttachmentInline, MessageInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["application", "from_status", "to_status", "actor", "at"]
    list_filter = ["to_status"]
    search_fields = ["application__reference"]
    list_select_related = ["application__association", "actor"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["application", "paid_on", "amount", "reference", "recorded_by"]
    list_filter = ["paid_on"]
    search_fields = ["application__reference", "reference"]
    list_select_related = ["application", "recorded_by"]


class ReportLocalityInline(ReadOnlyInline):
    model = ReportLocality
    fields = ["locality", "participants"]
    readonly_fields = fields


@admin.register(FollowUpReport)
class FollowUpReportAdmin(ReadOnlyAdmin):
    list_display = [
        "application",
        "due_on",
        "submitted_at",
        "reminder_before_sent_at",
        "reminder_after_sent_at",
    ]
    list_filter = ["due_on"]
    search_fields = ["application__reference"]
    list_select_related = ["application"]
    inlines = [ReportLocalityInline]


class BulkMessageRecipientInline(ReadOnlyInline):
    model = BulkMessageRecipient
    fields = ["association", "email"]
    readonly_fields = fields


@admin.register(BulkMessage)
class BulkMessageAdmin(ReadOnlyAdmin):
    list_display = ["subject", "sent_by", "sent_at"]
    search_fields = ["subject"]
    inlines = [BulkMessageRecipientInline]
