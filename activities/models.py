"""Meeting places, activities and their occurrences, sign-ups and attendance.

An :class:`Activity` is what is offered ("Sittgymnastik i Högsjö"); its :class:`Occurrence` rows are the
dated sessions, generated from :class:`RecurrenceRule` rows or added one by one. Sign-ups
(:class:`Registration`) and head counts (:class:`Attendance`) belong to an occurrence.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A kind of activity (REFERENCE.md list), tagged with the healthy-ageing frameworks it serves."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    is_cornerstone = models.BooleanField(_("one of the four cornerstones"), default=False)
    is_finger = models.BooleanField(_("FINGER model component"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_sv


class MeetingPlace(models.Model):
    class Kind(models.TextChoices):
        DROP_IN = "traffpunkt", _("Drop-in centre")
        LIBRARY = "bibliotek", _("Library")
        VILLAGE_HALL = "bygdegard", _("Village hall")
        CHURCH = "kyrka", _("Church")
        SPORTS_HALL = "idrottshall", _("Sports hall")
        SCHOOL = "skola", _("School")
        RESTAURANT = "restaurang", _("Restaurant")
        DIGITAL = "digital", _("Digital meeting place")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    locality = models.ForeignKey(
        "portal.Locality", on_delete=models.PROTECT, related_name="meeting_places", verbose_name=_("locality")
    )
    address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    description = models.TextField(_("description"), blank=True)
    photo = models.FileField(_("photo"), upload_to="places/", blank=True)
    photo_alt = models.CharField(
        _("photo description"),
        max_length=200,
        blank=True,
        help_text=_("Describe the photo for people who cannot see it."),
    )
    step_free_entrance = models.BooleanField(_("step-free entrance"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    parking = models.BooleanField(_("parking nearby"), default=False)
    bus_stop_nearby = models.BooleanField(_("bus stop within 300 m"), default=False)
    seating = models.BooleanField(_("places to sit and rest"), default=False)
    lift = models.BooleanField(_("lift"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    ACCESSIBILITY_FIELDS = (
        "step_free_entrance",
        "accessible_toilet",
        "hearing_loop",
        "parking",
        "bus_stop_nearby",
        "seating",
        "lift",
    )

    class Meta:
        verbose_name = _("meeting place")
        verbose_name_plural = _("meeting places")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(photo="") | ~Q(photo_alt=""), name="meeting_place_photo_has_alt_text"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.photo and not self.photo_alt.strip():
            raise ValidationError(
                {"photo_alt": _("A photo needs a description for people who cannot see it.")}
            )

    @property
    def is_accessible(self) -> bool:
        return self.step_free_entrance and self.accessible_toilet


class Activity(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=170, unique=True)
    description = models.TextField(_("description"))
    organiser_association = models.ForeignKey(
        "associations.Association",
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
        verbose_name=_("organising association"),
    )
    organiser_unit = models.CharField(
        _("organising municipal unit"),
        max_length=150,
        blank=True,
        help_text=_("Fill in when the municipality itself organises the activity."),
    )
    place = models.ForeignKey(
        MeetingPlace,
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
        verbose_name=_("meeting place"),
    )
    online_url = models.URLField(_("link for online participation"), blank=True)
    categories = models.ManyToManyField(Category, related_name="activities", verbose_name=_("categories"))
    audience_note = models.CharField(_("who it is for"), max_length=200, blank=True)
    price_sek = models.DecimalField(
        _("price (SEK)"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    signup_required = models.BooleanField(_("sign-up needed"), default=False)
    capacity = models.PositiveIntegerField(
        _("places per occurrence"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    waiting_list = models.BooleanField(_("waiting list when full"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "title"], name="activity_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organiser_association__isnull=False) & Q(organiser_unit=""))
                | (Q(organiser_association__isnull=True) & ~Q(organiser_unit="")),
                name="activity_has_exactly_one_organiser",
            ),
            models.CheckConstraint(
                condition=Q(place__isnull=False) | ~Q(online_url=""), name="activity_has_place_or_link"
            ),
            models.CheckConstraint(
                condition=Q(signup_required=False) | Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="activity_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if bool(self.organiser_association_id) == bool(self.organiser_unit.strip()):
            errors["organiser_unit"] = _("Choose either an association or a municipal unit as organiser.")
        if not self.place_id and not self.online_url:
            errors["place"] = _("Choose a meeting place or give a link for online participation.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_free(self) -> bool:
        return self.price_sek == 0

    @property
    def organiser_name(self) -> str:
        return self.organiser_association.name if self.organiser_association_id else self.organiser_unit


class RecurrenceRule(models.Model):
    """How an activity repeats; :func:`activities.recurrence.dates` turns it into dates."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        BIWEEKLY = "biweekly", _("Every second week")
        MONTHLY = "monthly", _("Once a month")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="recurrence_rules", verbose_name=_("activity")
    )
    frequency = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices)
    weekdays = models.JSONField(
        _("weekdays"),
        default=list,
        help_text=_("Monday is 0, Sunday is 6. Monthly rules use the first only."),
    )
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-1), MaxValueValidator(5)],
        help_text=_("For monthly rules: 1–4 for the first to fourth weekday of the month, -1 for the last."),
    )
    start_date = models.DateField(_("first date"))
    end_date = models.DateField(_("last date"))
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))
    exceptions = models.JSONField(_("dates left out"), default=list, blank=True)

    class Meta:
        verbose_name = _("recurrence rule")
        verbose_name_plural = _("recurrence rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="rule_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="rule_times_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.get_frequency_display()}"


class Occurrence(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("activity")
    )
    rule = models.ForeignKey(
        RecurrenceRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("generated by"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.ForeignKey(
        MeetingPlace,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("other meeting place this time"),
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["starts_at"], name="occurrence_start_idx"),
            models.Index(fields=["activity", "starts_at"], name="occurrence_activity_start_idx"),
            # "Upcoming" (ends_at >= now) in search, place pages, sign-ups and the API.
            models.Index(fields=["ends_at"], name="occurrence_end_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["activity", "starts_at"], name="one_occurrence_per_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="occurrence_times_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def venue(self) -> MeetingPlace | None:
        return self.place or self.activity.place


def new_cancel_token() -> str:
    return secrets.token_urlsafe(24)


class Registration(models.Model):
    """A sign-up for one occurrence, by a signed-in user or a guest; cancelled through its secret token."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("occurrence")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("user"),
    )
    guest_name = models.CharField(_("name"), max_length=150, blank=True)
    guest_phone = models.CharField(_("phone"), max_length=40, blank=True)
    guest_email = models.EmailField(_("e-mail"), blank=True)
    party_size = models.PositiveSmallIntegerField(
        _("number of people"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    language = models.CharField(
        _("language for messages"), max_length=8, choices=settings.LANGUAGES, default="sv"
    )
    cancel_token = models.CharField(max_length=64, unique=True, default=new_cancel_token, editable=False)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["occurrence", "status"], name="registration_occ_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False)
                | (~Q(guest_name="") & (~Q(guest_phone="") | ~Q(guest_email=""))),
                name="registration_identifies_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} – {self.occurrence}"

    @property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.guest_name

    @property
    def email(self) -> str:
        return self.user.email if self.user_id else self.guest_email


class Attendance(models.Model):
    """Head count for one occurrence by sex and age band, entered by the organiser.

    The raw material for participant sessions (deltagartillfällen) in follow-up and activity grants.
    """

    occurrence = models.OneToOneField(
        Occurrence, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("occurrence")
    )
    women_65_74 = models.PositiveSmallIntegerField(_("women 65–74"), default=0)
    women_75_84 = models.PositiveSmallIntegerField(_("women 75–84"), default=0)
    women_85_plus = models.PositiveSmallIntegerField(_("women 85+"), default=0)
    men_65_74 = models.PositiveSmallIntegerField(_("men 65–74"), default=0)
    men_75_84 = models.PositiveSmallIntegerField(_("men 75–84"), default=0)
    men_85_plus = models.PositiveSmallIntegerField(_("men 85+"), default=0)
    others = models.PositiveSmallIntegerField(
        _("others"), default=0, help_text=_("Participants under 65 or whose sex or age is not known.")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    COUNT_FIELDS = (
        "women_65_74",
        "women_75_84",
        "women_85_plus",
        "men_65_74",
        "men_75_84",
        "men_85_plus",
        "others",
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.occurrence}: {self.total}"

    @property
    def total(self) -> int:
        return sum(getattr(self, field) for field in self.COUNT_FIELDS)


class ActivitySuggestion(models.Model):
    """An activity anyone suggested through "Tipsa om en aktivitet"; waits for a coordinator's moderation."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("what"), max_length=150)
    description = models.TextField(_("description"), max_length=4000)
    when_text = models.CharField(_("when"), max_length=200, blank=True)
    where_text = models.CharField(_("where"), max_length=200, blank=True)
    locality = models.ForeignKey(
        "portal.Locality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locality"),
    )
    organiser_text = models.CharField(_("organiser"), max_length=200, blank=True)
    contact_name = models.CharField(_("your name"), max_length=150)
    contact_email = models.EmailField(_("your e-mail"), blank=True)
    contact_phone = models.CharField(_("your phone"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("activity created from it"),
    )

    class Meta:
        verbose_name = _("activity suggestion")
        verbose_name_plural = _("activity suggestions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
