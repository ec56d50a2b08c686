from django.contrib import admin

from .models import Locality, MunicipalityProfile


@admin.register(MunicipalityProfile)
class MunicipalityProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "contact_phone", "contact_email"]

    def has_add_permission(self, request) -> bool:
        return not MunicipalityProfile.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_rural", "latitude", "longitude"]
    list_filter = ["is_rural"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
