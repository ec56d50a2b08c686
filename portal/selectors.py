from django.core.cache import cache

from .models import Locality, MunicipalityProfile

PROFILE_CACHE_KEY = "portal:municipality-profile:v1"


def municipality() -> MunicipalityProfile | None:
    """The municipality profile, cached because every page shows it."""
    profile = cache.get(PROFILE_CACHE_KEY)
    if profile is None:
        profile = MunicipalityProfile.objects.filter(pk=1).first()
        if profile is not None:
            cache.set(PROFILE_CACHE_KEY, profile, timeout=60 * 60)
    return profile


def localities():
    return Locality.objects.all()
