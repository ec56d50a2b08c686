"""Versions of the page cache that :mod:`activities.signals` does not move.

An activity's public page shows how many places are left on each occasion. Sign-ups are left out of the
public data version on purpose (they would throw away every cached page and programme many times a day), so
each activity page also depends on its own sign-up version, moved here whenever one of its sign-ups is made,
changed or removed.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from activities.models import Occurrence, Registration

from . import pagecache


def signups_version(slug: str) -> str:
    return f"signups:{slug}"


def _signups_changed(instance: Registration, **kwargs) -> None:
    occurrence = Occurrence.objects.filter(pk=instance.occurrence_id)
    slug = occurrence.values_list("activity__slug", flat=True).first()
    if slug is None:  # the occasion went with it; its activity's change moves the public data version
        return
    name = signups_version(slug)
    # Now, so that later reads in this request see it, and after the commit, so that a page rendered from the
    # old rows in between is not kept.
    pagecache.bump(name)
    transaction.on_commit(lambda: pagecache.bump(name))


def connect() -> None:
    """Called once from :meth:`portal.apps.PortalConfig.ready`."""
    post_save.connect(_signups_changed, sender=Registration, dispatch_uid="pagecache-signups-save")
    post_delete.connect(_signups_changed, sender=Registration, dispatch_uid="pagecache-signups-delete")
