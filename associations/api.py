"""Public association directory for the open-data API: only associations that opted in and are active.

The fields are the public profile the association agreed to show on the portal (its own e-mail, phone and
website, not any person's); organisation number, representatives and grant data stay in the back office.
"""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from activities.api import LocalityBriefSerializer, OpenDataViewSet
from activities.filters import AssociationFilter
from portal.models import Locality

from .models import Association


def directory() -> QuerySet[Association]:
    return Association.objects.filter(is_active=True, show_in_directory=True).prefetch_related(
        Prefetch("localities", queryset=Locality.objects.order_by("name"))
    )


class AssociationSerializer(serializers.ModelSerializer):
    localities = LocalityBriefSerializer(many=True)

    class Meta:
        model = Association
        fields = ["slug", "name", "kind", "localities", "purpose", "email", "phone", "website"]


@extend_schema_view(
    list=extend_schema(
        summary="Association directory", description="Active associations that chose to be listed, by name."
    ),
    retrieve=extend_schema(summary="One listed association"),
)
class AssociationViewSet(OpenDataViewSet):
    """Associations listed in the public directory, with the contact details they chose to publish."""

    serializer_class = AssociationSerializer
    filterset_class = AssociationFilter

    def get_queryset(self):
        return directory().order_by("name", "pk")
