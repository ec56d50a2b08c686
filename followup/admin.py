from django.contrib import admin

from .models import Indicator, ManualValue, PopulationFigure, ReportRun, ReportSubscription


@admin.register(PopulationFigure)
class PopulationFigureAdmin(admin.ModelAdmin):
    list_display = ["year", "locality", "sex", "age_band", "count"]
    list_filter = ["year", "locality", "sex", "age_band"]
    list_select_related = ["locality"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_sv",
        "unit",
        "source",
        "domain",
        "is_key",
        "target_value",
        "target_year",
        "owner",
    ]
    list_filter = ["domain", "source", "is_key"]
    search_fields = ["code", "name_sv", "name_en"]
    readonly_fields = ["code", "source", "domain", "splits"]

    def has_add_permission(self, request) -> bool:
        return False  # the catalogue comes from the data migration; computations are code

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ManualValue)
class ManualValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period_start", "period_end", "value", "sample_size", "locality", "sex"]
    list_filter = ["indicator"]
    list_select_related = ["indicator", "locality"]
    raw_id_fields = ["entered_by"]


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["template", "status", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "template"]
    readonly_fields = ["parameters", "sha256", "error", "attempts", "started_at", "finished_at", "file"]
    raw_id_fields = ["requested_by"]


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "template", "frequency", "last_sent_period"]
    list_filter = ["template", "frequency"]
    raw_id_fields = ["user"]
