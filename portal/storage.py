"""Storage for files that must never be reachable by URL: annual documents, grant attachments, reports."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, outside every web root. ``url()`` refuses: these files are only ever
    sent by views that have checked who is asking.

    The location is read from settings on every use rather than cached, so a changed PRIVATE_MEDIA_ROOT (as
    in tests) applies to the instance that model fields captured when they were loaded.
    """

    def __init__(self, location=None, **kwargs):
        kwargs["base_url"] = None
        super().__init__(location=location, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks permissions.")


def private_storage() -> Storage:
    """The ``private`` storage from settings.STORAGES (a callable, so the field stays migration-stable)."""
    return storages["private"]
