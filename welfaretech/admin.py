from django.contrib import admin

from .models import CareRecipient, CareTeam


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
