from django.contrib import admin

from .models import Activity, Attendance, Category, MeetingPlace, Occurrence, RecurrenceRule, Registration


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_sv", "name_en", "slug", "is_cornerstone", "is_finger", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name_sv"]}


@admin.register(MeetingPlace)
class MeetingPlaceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "locality",
        "step_free_entrance",
        "accessible_toilet",
        "hearing_loop",
        "is_active",
    ]
    list_filter = ["kind", "locality", "is_active", "step_free_entrance", "hearing_loop"]
    search_fields = ["name", "address"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["locality"]


class RecurrenceRuleInline(admin.TabularInline):
    model = RecurrenceRule
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "organiser_name", "place", "status", "signup_required", "capacity"]
    list_filter = ["status", "categories", "signup_required", "place__locality"]
    search_fields = ["title", "description", "organiser_unit", "organiser_association__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organiser_association", "place"]
    filter_horizontal = ["categories"]
    inlines = [RecurrenceRuleInline]
    list_select_related = ["organiser_association", "place"]


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["activity", "starts_at", "ends_at", "place", "is_cancelled"]
    list_filter = ["is_cancelled"]
    date_hierarchy = "starts_at"
    search_fields = ["activity__title"]
    autocomplete_fields = ["activity", "place"]
    list_select_related = ["activity", "place"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["display_name", "occurrence", "party_size", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["guest_name", "guest_email", "user__email", "occurrence__activity__title"]
    raw_id_fields = ["occurrence", "user"]
    list_select_related = ["occurrence__activity", "user"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["occurrence", "total", "entered_by", "entered_at"]
    raw_id_fields = ["occurrence", "entered_by"]
    list_select_related = ["occurrence__activity", "entered_by"]
