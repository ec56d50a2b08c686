"""Query filters of the open-data API (DESIGN.md: locality, category, date_from, date_to, search, is_free).

An invalid value is an error, never silently ignored: the filter backend raises a validation error that the
project exception handler turns into ``{"message", "field", "errors"}`` with status 400.
"""

from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from associations.models import Association
from portal.models import Locality

from .models import Activity, Category, MeetingPlace, Occurrence
from .selectors import _venue_q, start_of_day, text_matching_activities


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error instead of "no filter"."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(_("Use true or false."), code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class DateRangeForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned


def _slug_filter(model, help_text: str) -> django_filters.ModelChoiceFilter:
    """Filter by slug; a slug that does not exist is a 400, so that a typo does not look like "nothing"."""
    schema = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "description": str(help_text)}
    return extend_schema_field(schema)(
        django_filters.ModelChoiceFilter(
            queryset=model.objects.all(),
            to_field_name="slug",
            method=f"filter_{model._meta.model_name}",
            label=help_text,
        )
    )


LOCALITY_HELP = "Slug of a locality, as listed by /api/v1/localities/."
CATEGORY_HELP = "Slug of a category, as listed by /api/v1/categories/."
SEARCH_HELP = _("Free text; Swedish full-text search in titles, descriptions, places and organisers.")
FREE_HELP = _("true: only activities without a fee; false: only those with a fee.")


def _category_exists(category: Category, activity_ref: str) -> Exists:
    return Exists(
        Activity.categories.through.objects.filter(activity_id=OuterRef(activity_ref), category=category)
    )


class OccurrenceFilter(django_filters.FilterSet):
    locality = _slug_filter(Locality, LOCALITY_HELP)
    category = _slug_filter(Category, CATEGORY_HELP)
    date_from = django_filters.DateFilter(
        method="filter_dates", label=_("First day (YYYY-MM-DD). Without it, only occasions not yet over.")
    )
    date_to = django_filters.DateFilter(method="filter_dates", label=_("Last day (YYYY-MM-DD), inclusive."))
    search = django_filters.CharFilter(method="filter_search", label=SEARCH_HELP)
    is_free = StrictBooleanFilter(field_name="activity__price_sek", method="filter_free", label=FREE_HELP)
    is_cancelled = StrictBooleanFilter(
        field_name="is_cancelled", label=_("Cancelled occasions only, or none.")
    )

    class Meta:
        model = Occurrence
        fields = ["locality", "category", "date_from", "date_to", "search", "is_free", "is_cancelled"]
        form = DateRangeForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Without a start date the list is what is still to come, as on the portal.
        if not self.form.cleaned_data.get("date_from"):
            queryset = queryset.filter(ends_at__gte=timezone.now())
        return super().filter_queryset(queryset)

    def filter_locality(self, queryset, name, value: Locality):
        return queryset.filter(_venue_q(locality=value))

    def filter_category(self, queryset, name, value: Category):
        return queryset.filter(_category_exists(value, "activity_id"))

    def filter_dates(self, queryset, name, value: date):
        if name == "date_from":
            return queryset.filter(starts_at__gte=start_of_day(value))
        return queryset.filter(starts_at__lt=start_of_day(value + timedelta(days=1)))

    def filter_search(self, queryset, name, value: str):
        if not value.strip():
            return queryset
        return queryset.filter(activity__in=text_matching_activities(value.strip()).values("pk"))

    def filter_free(self, queryset, name, value: bool):
        return queryset.filter(activity__price_sek=0) if value else queryset.filter(activity__price_sek__gt=0)


class ActivityFilter(django_filters.FilterSet):
    locality = _slug_filter(Locality, LOCALITY_HELP)
    category = _slug_filter(Category, CATEGORY_HELP)
    date_from = django_filters.DateFilter(
        method="filter_dates", label=_("Only activities with an occasion starting on or after this day.")
    )
    date_to = django_filters.DateFilter(
        method="filter_dates", label=_("Only activities with an occasion starting on or before this day.")
    )
    search = django_filters.CharFilter(method="filter_search", label=SEARCH_HELP)
    is_free = StrictBooleanFilter(field_name="price_sek", method="filter_free", label=FREE_HELP)

    class Meta:
        model = Activity
        fields = ["locality", "category", "date_from", "date_to", "search", "is_free"]
        form = DateRangeForm

    def filter_locality(self, queryset, name, value: Locality):
        elsewhere = Occurrence.objects.filter(activity_id=OuterRef("pk"), place__locality=value)
        return queryset.filter(Q(place__locality=value) | Exists(elsewhere))

    def filter_category(self, queryset, name, value: Category):
        return queryset.filter(_category_exists(value, "pk"))

    def filter_dates(self, queryset, name, value: date):
        # Both dates are applied here together, so that one occasion must lie inside the whole range.
        if name == "date_to" and self.form.cleaned_data.get("date_from"):
            return queryset
        date_from = self.form.cleaned_data.get("date_from")
        date_to = self.form.cleaned_data.get("date_to")
        occasions = Occurrence.objects.filter(activity_id=OuterRef("pk"), is_cancelled=False)
        if date_from:
            occasions = occasions.filter(starts_at__gte=start_of_day(date_from))
        if date_to:
            occasions = occasions.filter(starts_at__lt=start_of_day(date_to + timedelta(days=1)))
        return queryset.filter(Exists(occasions))

    def filter_search(self, queryset, name, value: str):
        if not value.strip():
            return queryset
        return queryset.filter(pk__in=text_matching_activities(value.strip()).values("pk"))

    def filter_free(self, queryset, name, value: bool):
        return queryset.filter(price_sek=0) if value else queryset.filter(price_sek__gt=0)


class PlaceFilter(django_filters.FilterSet):
    locality = _slug_filter(Locality, LOCALITY_HELP)
    kind = django_filters.ChoiceFilter(choices=MeetingPlace.Kind.choices, label=_("Kind of meeting place."))
    search = django_filters.CharFilter(method="filter_search", label=_("Free text in name and description."))

    class Meta:
        model = MeetingPlace
        fields = ["locality", "kind", "search"]

    def filter_locality(self, queryset, name, value: Locality):
        return queryset.filter(locality=value)

    def filter_search(self, queryset, name, value: str):
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(description__icontains=word))
        return queryset


class AssociationFilter(django_filters.FilterSet):
    locality = _slug_filter(Locality, LOCALITY_HELP)
    kind = django_filters.ChoiceFilter(choices=Association.Kind.choices, label=_("Kind of association."))
    search = django_filters.CharFilter(method="filter_search", label=_("Free text in name and purpose."))

    class Meta:
        model = Association
        fields = ["locality", "kind", "search"]

    def filter_locality(self, queryset, name, value: Locality):
        served = Association.localities.through.objects.filter(association_id=OuterRef("pk"), locality=value)
        return queryset.filter(Exists(served))

    def filter_search(self, queryset, name, value: str):
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(purpose__icontains=word))
        return queryset
