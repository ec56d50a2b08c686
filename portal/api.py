from rest_framework import permissions, serializers, viewsets

from activities.api import ConditionalGetMixin

from .models import Locality


class LocalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Locality
        fields = ["id", "name", "slug", "is_rural", "latitude", "longitude"]


class LocalityViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """Localities (towns and village areas) of the municipality."""

    queryset = Locality.objects.all()
    serializer_class = LocalitySerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    pagination_class = None
    lookup_field = "slug"
