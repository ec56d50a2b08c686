import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import ADMIN, has_role, roles_of
from associations.selectors import associations_for
from portal.models import Locality, MunicipalityProfile
from welfaretech.selectors import recipients_for

pytestmark = pytest.mark.django_db

DEMO_EMAILS = [
    "senior@example.org",
    "forening@example.org",
    "samordnare@example.org",
    "hemtjanst@example.org",
    "valfardsteknik@example.org",
    "tjansteperson@example.org",
    "admin@example.org",
]


def test_seed_demo_creates_the_municipality_localities_and_demo_accounts():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert MunicipalityProfile.objects.get().code == "0428"
    assert set(Locality.objects.values_list("name", flat=True)) == {
        "Vingåker", "Läppe", "Österåker", "Marmorbyn", "Högsjö", "Viala", "Baggetorp",
    }  # fmt: skip
    assert not Locality.objects.get(name="Vingåker").is_rural
    assert Locality.objects.filter(is_rural=True).count() == 6
    for email in DEMO_EMAILS:
        assert authenticate(email=email, password="demo-senior-2026") is not None, email
    assert roles_of(User.objects.get(email="admin@example.org")) == {ADMIN}
    assert has_role(User.objects.get(email="hemtjanst@example.org"), "homecare_staff")


def test_the_demo_representative_and_home_care_member_have_their_objects():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [a.name for a in associations_for(User.objects.get(email="forening@example.org"))] == [
        "PRO Vingåker"
    ]
    staff_recipients = recipients_for(User.objects.get(email="hemtjanst@example.org"))
    assert staff_recipients.exists()
    assert (
        staff_recipients.count()
        < recipients_for(User.objects.get(email="valfardsteknik@example.org")).count()
    )


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (User.objects.count(), Locality.objects.count(), MunicipalityProfile.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (User.objects.count(), Locality.objects.count(), MunicipalityProfile.objects.count()) == counts


def test_seed_demo_prints_the_accounts(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert all(email in output for email in DEMO_EMAILS)
    assert "demo-senior-2026" in output


def test_seed_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs in demo mode"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_fills_the_portal_with_a_year_of_activities():
    from datetime import timedelta

    from django.utils import timezone

    from activities.models import Activity, Attendance, MeetingPlace, Occurrence, Registration

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    now = timezone.now()
    assert MeetingPlace.objects.values("locality").distinct().count() == Locality.objects.count()
    assert MeetingPlace.objects.count() >= 35
    assert Activity.objects.filter(status="published").count() == 120
    assert Activity.objects.filter(organiser_association__isnull=True).exists()
    assert Occurrence.objects.filter(starts_at__gt=now + timedelta(days=60)).exists()
    assert Occurrence.objects.filter(starts_at__lt=now - timedelta(days=300)).exists()
    assert Attendance.objects.count() == Occurrence.objects.filter(starts_at__lt=now).count()
    assert Registration.objects.filter(status="confirmed").exists()
    assert Registration.objects.filter(status="waiting").exists()
