from django.contrib import admin

from .models import Association, Representative


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "org_number", "show_in_directory", "is_active"]
    list_filter = ["kind", "show_in_directory", "is_active", "localities"]
    search_fields = ["name", "org_number"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["localities"]
    inlines = [RepresentativeInline]
