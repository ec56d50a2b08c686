from rest_framework import serializers, viewsets

from accounts import audit
from accounts.access import HasRole, ScopedQuerysetMixin
from accounts.roles import Role

from .models import CareRecipient
from .selectors import recipients_for


class CareRecipientSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    locality_name = serializers.CharField(source="locality.name", read_only=True)

    class Meta:
        model = CareRecipient
        fields = [
            "id",
            "code",
            "birth_year",
            "sex",
            "housing",
            "locality",
            "locality_name",
            "team",
            "team_name",
        ]


class CareRecipientViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Care recipients of the caller's own teams (every recipient for the welfare-tech administrator)."""

    serializer_class = CareRecipientSerializer
    permission_classes = [HasRole.of(Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN)]
    filterset_fields = ["team", "locality"]

    @staticmethod
    def scope(user):
        return recipients_for(user).filter(is_active=True).select_related("team", "locality")

    def list(self, request, *args, **kwargs):
        audit.record("welfaretech.recipient.list", request=request, object_type="welfaretech.carerecipient")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        audit.record(
            "welfaretech.recipient.read",
            request=request,
            object_type="welfaretech.carerecipient",
            object_id=kwargs["pk"],
        )
        return response
