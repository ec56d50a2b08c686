from datetime import date, timedelta

from django.db.models import QuerySet

from accounts.roles import Role, has_role

from .models import CareRecipient, Device, Fault, TrainingRecord


def recipients_for(user) -> QuerySet[CareRecipient]:
    """Recipients ``user`` may see: all for the welfare-tech administrator, own teams' for home care."""
    if has_role(user, Role.WELFARETECH_ADMIN):
        return CareRecipient.objects.all()
    if has_role(user, Role.HOMECARE_STAFF):
        return CareRecipient.objects.filter(team__members=user)
    return CareRecipient.objects.none()


def devices_due_for_service(today: date, within_days: int = 30) -> QuerySet[Device]:
    """Devices in use whose next service is within ``within_days`` or already past."""
    return (
        Device.objects.exclude(status=Device.Status.RETIRED)
        .filter(next_service_on__lte=today + timedelta(days=within_days))
        .select_related("technology", "recipient")
        .order_by("next_service_on", "serial")
    )


def devices_to_retrieve() -> QuerySet[Device]:
    """Installed devices whose assignments have all ended (e.g. consent withdrawn): to be fetched."""
    return (
        Device.objects.filter(status=Device.Status.INSTALLED, assignments__ends_on__isnull=False)
        .exclude(assignments__ends_on__isnull=True)
        .select_related("technology", "recipient")
        .distinct()
    )


def open_faults() -> QuerySet[Fault]:
    return Fault.objects.filter(repaired_at__isnull=True).select_related("device__technology")


def training_expiring(today: date, within_days: int = 60) -> QuerySet[TrainingRecord]:
    return (
        TrainingRecord.objects.filter(valid_until__lte=today + timedelta(days=within_days))
        .select_related("user", "technology")
        .order_by("valid_until")
    )
