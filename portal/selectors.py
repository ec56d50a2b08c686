from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Locality, MunicipalityProfile

_PROFILE_KEY = "portal:municipality-profile:v1"


def municipality() -> MunicipalityProfile | None:
    """The municipality profile, cached because every page shows it."""
    profile = cache.get(_PROFILE_KEY)
    if profile is None:
        profile = MunicipalityProfile.objects.filter(pk=1).first()
        if profile is not None:
            cache.set(_PROFILE_KEY, profile, timeout=60 * 60)
    return profile


@receiver([post_save, post_delete], sender=MunicipalityProfile)
def _forget_profile(**kwargs) -> None:
    cache.delete(_PROFILE_KEY)


def localities():
    return Locality.objects.all()
