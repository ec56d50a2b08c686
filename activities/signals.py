"""Keep :func:`activities.selectors.data_version` moving whenever public activity data changes.

Everything public that is cached or answered with an ETag (API lists, iCalendar feeds, printed programmes)
is keyed by that version, so a change anywhere below makes the next request see fresh data.

Sign-ups (:class:`~activities.models.Registration`) are left out on purpose: nothing cached shows them, and
bumping on every sign-up would throw away programme PDFs many times a day for nothing.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from associations.models import Association
from portal.models import Locality, MunicipalityProfile

from .models import Activity, Category, MeetingPlace, Occurrence, RecurrenceRule
from .selectors import bump_data_version

WATCHED = (
    Activity,
    Occurrence,
    RecurrenceRule,
    MeetingPlace,
    Category,
    Association,
    Locality,
    MunicipalityProfile,
)


def data_changed(**kwargs) -> None:
    # Bumped now, so that later reads in this request see a new version, and again after the commit,
    # so that a reader who cached the old rows under the new version in between is not believed for long.
    bump_data_version()
    transaction.on_commit(bump_data_version)


def connect() -> None:
    """Called once from :meth:`activities.apps.ActivitiesConfig.ready`.

    Occurrences created with ``bulk_create`` send no signal; :func:`activities.services.generate_occurrences`
    bumps the version itself.
    """
    for model in WATCHED:
        post_save.connect(data_changed, sender=model, dispatch_uid=f"data-version-save-{model._meta.label}")
        post_delete.connect(
            data_changed, sender=model, dispatch_uid=f"data-version-delete-{model._meta.label}"
        )
    m2m_changed.connect(
        data_changed, sender=Activity.categories.through, dispatch_uid="data-version-activity-categories"
    )
    m2m_changed.connect(
        data_changed,
        sender=Association.localities.through,
        dispatch_uid="data-version-association-localities",
    )
