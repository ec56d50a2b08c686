from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label=_("Actor"))
    action = django_filters.CharFilter(lookup_expr="istartswith", label=_("Action begins with"))
    object_type = django_filters.CharFilter(lookup_expr="iexact", label=_("Object type"))
    object_id = django_filters.CharFilter(lookup_expr="exact", label=_("Object id"))
    outcome = django_filters.ChoiceFilter(
        choices=AuditEntry.Outcome.choices, label=_("Outcome"), empty_label=_("All outcomes")
    )
    # Whole local days as a range on ``at`` (not ``at__date``), so the index on ``at`` serves them.
    date_from = django_filters.DateFilter(
        field_name="at",
        method="filter_from",
        label=_("From date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="at",
        method="filter_to",
        label=_("To date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of_day(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of_day(value + timedelta(days=1)))


def _start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the municipality's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
