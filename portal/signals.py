from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import MunicipalityProfile
from .selectors import PROFILE_CACHE_KEY


@receiver([post_save, post_delete], sender=MunicipalityProfile)
def _forget_profile(**kwargs) -> None:
    cache.delete(PROFILE_CACHE_KEY)
