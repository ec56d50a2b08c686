from django.contrib import admin

from .models import (
    CareRecipient,
    CareTeam,
    Device,
    DeviceHistory,
    EventBenefit,
    Fault,
    TechnologyType,
    TrainingRecord,
)


@admin.register(CareTeam)
class CareTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "locality"]
    filter_horizontal = ["members"]


@admin.register(CareRecipient)
class CareRecipientAdmin(admin.ModelAdmin):
    """Pseudonymous data only; reading individual recipients belongs in the audited back office."""

    list_display = ["code", "birth_year", "sex", "locality", "housing", "team", "is_active"]
    list_filter = ["team", "locality", "housing", "is_active"]
    search_fields = ["code"]
    list_select_related = ["team", "locality"]


class EventBenefitInline(admin.TabularInline):
    model = EventBenefit
    extra = 0


@admin.register(TechnologyType)
class TechnologyTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_sv", "stage", "owner", "consent_required"]
    inlines = [EventBenefitInline]


class DeviceHistoryInline(admin.TabularInline):
    """Read-only: the history is append-only and written by the services."""

    model = DeviceHistory
    extra = 0
    can_delete = False
    readonly_fields = ["action", "at", "recipient", "recorded_by", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["serial", "technology", "status", "next_service_on"]
    list_filter = ["technology", "status"]
    search_fields = ["serial"]
    readonly_fields = ["status", "recipient", "installed_on"]
    inlines = [DeviceHistoryInline]


@admin.register(Fault)
class FaultAdmin(admin.ModelAdmin):
    list_display = ["device", "description", "is_urgent", "reported_at", "repaired_at"]
    list_filter = ["is_urgent"]
    list_select_related = ["device__technology"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "completed_on", "valid_until"]
    list_select_related = ["user"]
