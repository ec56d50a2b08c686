import logging

from django.core.cache import cache

from .models import Locality, MunicipalityProfile

PROFILE_CACHE_KEY = "portal:municipality-profile:v1"

logger = logging.getLogger(__name__)


def municipality() -> MunicipalityProfile | None:
    """The municipality profile, cached because every page shows it; a cache that fails is bypassed."""
    try:
        profile = cache.get(PROFILE_CACHE_KEY)
    except Exception:  # every page shows the profile: a broken cache must not take the site down
        logger.warning("Municipality profile read from the database: the cache failed", exc_info=True)
        return MunicipalityProfile.objects.filter(pk=1).first()
    if profile is None:
        profile = MunicipalityProfile.objects.filter(pk=1).first()
        if profile is not None:
            try:
                cache.set(PROFILE_CACHE_KEY, profile, timeout=60 * 60)
            except Exception:
                logger.warning("Municipality profile not cached: the cache failed", exc_info=True)
    return profile


def localities():
    return Locality.objects.all()
