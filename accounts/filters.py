import django_filters
from django import forms
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
    date_from = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label=_("From date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label=_("To date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []
