from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from accounts.roles import ADMIN
from activities.models import Activity, MeetingPlace, Occurrence
from associations.models import Association, Representative
from portal.models import Locality, MunicipalityProfile
from welfaretech.models import CareRecipient, CareTeam

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="sv_SE")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        """``UserFactory(role=Role.COORDINATOR)``; ``role=ADMIN`` makes a superuser."""
        if not create or not extracted:
            return
        if extracted == ADMIN:
            self.is_superuser = self.is_staff = True
            self.save(update_fields=["is_superuser", "is_staff"])
        else:
            # get_or_create: transactional tests flush the groups the data migration made.
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalityProfile
        django_get_or_create = ("id",)

    id = 1
    name = "Vingåkers kommun"
    code = "0428"
    contact_phone = "0151-191 00"
    contact_email = "kontaktcenter@example.org"
    contact_hours_sv = "Måndag–fredag kl. 8.00–16.30"
    contact_hours_en = "Monday–Friday 8.00–16.30"


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Ort {n}")
    slug = factory.Sequence(lambda n: f"ort-{n}")
    is_rural = True
    latitude = "59.04000"
    longitude = "15.87000"


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Förening {n}")
    slug = factory.Sequence(lambda n: f"forening-{n}")


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    association = factory.SubFactory(AssociationFactory)
    user = factory.SubFactory(UserFactory)


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeam

    name = factory.Sequence(lambda n: f"Hemtjänstgrupp {n}")
    locality = factory.SubFactory(LocalityFactory)


class CareRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareRecipient

    code = factory.Sequence(lambda n: f"T-{n:04d}")
    birth_year = 1940
    sex = CareRecipient.Sex.WOMAN
    locality = factory.SubFactory(LocalityFactory)
    team = factory.SubFactory(CareTeamFactory)


class MeetingPlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingPlace

    name = factory.Sequence(lambda n: f"Träffpunkt {n}")
    slug = factory.Sequence(lambda n: f"traffpunkt-{n}")
    kind = MeetingPlace.Kind.DROP_IN
    locality = factory.SubFactory(LocalityFactory)
    address = "Storgatan 1"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"Sittgymnastik {n}")
    slug = factory.Sequence(lambda n: f"sittgymnastik-{n}")
    description = "Lugn gymnastik på stol."
    organiser_association = factory.SubFactory(AssociationFactory)
    place = factory.SubFactory(MeetingPlaceFactory)
    status = Activity.Status.PUBLISHED
    contact_email = "arrangor@example.org"


class OccurrenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occurrence

    activity = factory.SubFactory(ActivityFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1, minutes=30))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Category"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kategori-{n}")
    name_sv = factory.Sequence(lambda n: f"Kategori {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Registration"

    occurrence = factory.SubFactory(OccurrenceFactory)
    guest_name = factory.Sequence(lambda n: f"Gäst {n}")
    guest_phone = "070-123 45 67"
    guest_email = factory.Sequence(lambda n: f"gast{n}@example.org")
    status = "confirmed"


class ActivitySuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ActivitySuggestion"

    title = factory.Sequence(lambda n: f"Boule i byn {n}")
    description = "Vi spelar boule på torget varje torsdag."
    when_text = "Torsdagar kl. 10"
    where_text = "Torget"
    contact_name = "Greta Svensson"
    contact_email = "greta@example.org"


class ContactMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.ContactMessage"

    name = "Karl Andersson"
    email = factory.Sequence(lambda n: f"fraga{n}@example.org")
    message = "Finns det färdtjänst till träffpunkten?"


class TechnologyTypeFactory(factory.django.DjangoModelFactory):
    """The catalogue row for ``code`` (created by a data migration; get-or-create keeps it unique)."""

    class Meta:
        model = "welfaretech.TechnologyType"
        django_get_or_create = ("code",)

    code = "digital_supervision"
    name_sv = factory.LazyAttribute(lambda o: o.code)
    name_en = factory.LazyAttribute(lambda o: o.code)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "welfaretech.Assignment"

    recipient = factory.SubFactory(CareRecipientFactory)
    technology = factory.SubFactory(TechnologyTypeFactory)
    decision_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "welfaretech.Device"

    technology = factory.SubFactory(TechnologyTypeFactory)
    serial = factory.Sequence(lambda n: f"SN-{n:06d}")
    status = "installed"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "welfaretech.Event"

    client_uuid = factory.Faker("uuid4", cast_to=None)
    recipient = factory.SubFactory(CareRecipientFactory)
    team = factory.LazyAttribute(lambda o: o.recipient.team)
    kind = "camera_check_ok"
    occurred_at = factory.LazyFunction(timezone.now)


# --- Welfare technology (catalogue rows via get_or_create: transactional tests flush migrated data) ---


def technology(code: str = "safety_alarm"):
    """The catalogue row for ``code`` with its benefit values, created when a flush removed it."""
    from welfaretech.catalogue import install
    from welfaretech.models import EventBenefit, TechnologyType

    if not TechnologyType.objects.filter(code=code).exists():
        install(TechnologyType, EventBenefit)
    return TechnologyType.objects.get(code=code)
