from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CareTeam(models.Model):
    """A home-care team (hemtjänstgrupp); its staff see and log for its recipients only."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    locality = models.ForeignKey(
        "portal.Locality", on_delete=models.PROTECT, related_name="care_teams", verbose_name=_("locality")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="care_teams", blank=True, verbose_name=_("staff")
    )

    class Meta:
        verbose_name = _("home-care team")
        verbose_name_plural = _("home-care teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CareRecipient(models.Model):
    """A care recipient, pseudonymous by design: a code and coarse facts, never a name or ID number."""

    class Sex(models.TextChoices):
        WOMAN = "K", _("Woman")
        MAN = "M", _("Man")

    class Housing(models.TextChoices):
        OWN_HOME = "own_home", _("Own home")
        RESIDENTIAL = "residential", _("Residential care")

    code = models.CharField(_("code"), max_length=20, unique=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), validators=[MinValueValidator(1900), MaxValueValidator(2010)]
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    locality = models.ForeignKey(
        "portal.Locality",
        on_delete=models.PROTECT,
        related_name="care_recipients",
        verbose_name=_("locality"),
    )
    housing = models.CharField(_("housing"), max_length=16, choices=Housing.choices, default=Housing.OWN_HOME)
    team = models.ForeignKey(
        CareTeam, on_delete=models.PROTECT, related_name="recipients", verbose_name=_("home-care team")
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_active_on = models.DateField(_("last active"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("care recipient")
        verbose_name_plural = _("care recipients")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TechnologyType(models.Model):
    """A kind of welfare technology in the catalogue, with what it is expected to save per event."""

    class Code(models.TextChoices):
        SAFETY_ALARM = "safety_alarm", _("Safety alarm")
        PASSIVE_ALARM = "passive_alarm", _("Passive alarm / sensor")
        GPS_ALARM = "gps_alarm", _("GPS alarm")
        MEDICATION_DISPENSER = "medication_dispenser", _("Medication dispenser")
        DIGITAL_SUPERVISION = "digital_supervision", _("Camera supervision")
        DIGITAL_LOCK = "digital_lock", _("Digital lock")
        VIDEO_PLATFORM = "video_platform", _("Video platform / digital visit")
        TABLET = "tablet", _("Tablet on loan")

    class Stage(models.TextChoices):
        PILOT = "pilot", _("Pilot")
        ROLLOUT = "rollout", _("Rollout")
        OPERATION = "operation", _("Operation")

    code = models.CharField(_("code"), max_length=24, choices=Code.choices, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.OPERATION)
    owner = models.CharField(_("owner"), max_length=150, blank=True)
    supplier = models.CharField(_("supplier"), max_length=150, blank=True)
    product = models.CharField(_("product"), max_length=150, blank=True)
    consent_required = models.BooleanField(_("consent required"), default=False)

    class Meta:
        verbose_name = _("technology type")
        verbose_name_plural = _("technology types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_sv


class EventKind(models.TextChoices):
    """Everything home-care staff can log. Published as an enum in the API schema."""

    CAMERA_CHECK_OK = "camera_check_ok", _("Camera check: seen, all well")
    CAMERA_CHECK_NOT_SEEN = "camera_check_not_seen", _("Camera check: not seen")
    CAMERA_CHECK_RETRIED_OK = "camera_check_retried_ok", _("Camera check retried: seen, all well")
    CAMERA_CHECK_VISIT = "camera_check_visit", _("Camera check: physical visit made")
    ALARM = "alarm", _("Safety alarm")
    PASSIVE_ALARM = "passive_alarm", _("Passive alarm triggered")
    PASSIVE_ALARM_FALSE = "passive_alarm_false", _("Passive alarm: false alarm")
    GPS_ALARM = "gps_alarm", _("GPS alarm")
    GPS_GEOFENCE_EXIT = "gps_geofence_exit", _("GPS: left the safe area")
    GPS_LOCATED = "gps_located", _("GPS: person located")
    DOSE_TAKEN = "dose_taken", _("Medication dose taken")
    DOSE_MISSED = "dose_missed", _("Medication dose missed")
    LOCK_OPENED = "lock_opened", _("Door opened with digital lock")
    LOCK_FAULT = "lock_fault", _("Digital lock fault")
    DIGITAL_VISIT = "digital_visit", _("Digital visit done")
    SOCIAL_CALL = "social_call", _("Social video call")
    CONNECTION_FAILED = "connection_failed", _("Video connection failed")
    TABLET_LENT = "tablet_lent", _("Tablet lent")
    TABLET_RETURNED = "tablet_returned", _("Tablet returned")
    TABLET_SUPPORT = "tablet_support", _("Tablet support given")
    DEVICE_FAULT = "device_fault", _("Device fault")


class EventBenefit(models.Model):
    """Expected benefit per event kind of a technology: staff minutes saved and travel km avoided."""

    technology = models.ForeignKey(
        TechnologyType, on_delete=models.CASCADE, related_name="event_kinds", verbose_name=_("technology")
    )
    kind = models.CharField(_("event kind"), max_length=32, choices=EventKind.choices)
    staff_minutes_saved = models.DecimalField(
        _("staff minutes saved"), max_digits=6, decimal_places=1, default=0
    )
    travel_km_avoided = models.DecimalField(_("travel km avoided"), max_digits=6, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("event kind")
        verbose_name_plural = _("event kinds")
        constraints = [models.UniqueConstraint(fields=["technology", "kind"], name="one_benefit_per_kind")]

    def __str__(self) -> str:
        return f"{self.technology}: {self.get_kind_display()}"


class Device(models.Model):
    """A physical device. Its status and recipient are derived from its append-only history."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("In stock")
        INSTALLED = "installed", _("Installed")
        IN_SERVICE = "in_service", _("In service")
        OUT_OF_ORDER = "out_of_order", _("Out of order")
        RETIRED = "retired", _("Retired")

    technology = models.ForeignKey(
        TechnologyType, on_delete=models.PROTECT, related_name="devices", verbose_name=_("technology")
    )
    product = models.CharField(_("product"), max_length=150, blank=True)
    serial = models.CharField(_("serial number"), max_length=80, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_STOCK)
    recipient = models.ForeignKey(
        CareRecipient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("current recipient"),
    )
    installed_on = models.DateField(_("installed"), null=True, blank=True)
    next_service_on = models.DateField(_("next service"), null=True, blank=True)
    battery_change_on = models.DateField(_("battery change"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["technology", "serial"]
        indexes = [models.Index(fields=["status", "next_service_on"], name="device_service_idx")]

    def __str__(self) -> str:
        return f"{self.technology} {self.serial}"


class DeviceHistory(models.Model):
    """One thing that happened to a device. Append-only: the device's state is replayed from these rows."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received into stock")
        INSTALLED = "installed", _("Installed")
        SERVICED = "serviced", _("Serviced")
        REPLACED = "replaced", _("Replaced")
        MOVED = "moved", _("Moved")
        RETURNED = "returned", _("Returned")
        FAULT = "fault", _("Fault")
        REPAIRED = "repaired", _("Repaired")
        RETIRED = "retired", _("Retired")

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="history", verbose_name=_("device")
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    recipient = models.ForeignKey(
        CareRecipient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("device history entry")
        verbose_name_plural = _("device history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.device}: {self.get_action_display()}"


class Consent(models.Model):
    """A recipient's consent to one technology, given or withdrawn. The latest row is the one in force."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written")
        VERBAL = "verbal", _("Verbal, with witness")

    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.CASCADE, related_name="consents", verbose_name=_("recipient")
    )
    technology = models.ForeignKey(
        TechnologyType, on_delete=models.PROTECT, related_name="consents", verbose_name=_("technology")
    )
    given = models.BooleanField(_("consent given"), help_text=_("Unticked records a withdrawal."))
    date = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=8, choices=Method.choices)
    witness = models.CharField(_("witness"), max_length=150, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["recipient", "technology", "-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="verbal") | ~models.Q(witness=""),
                name="verbal_consent_has_witness",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.technology} {'+' if self.given else '-'} {self.date}"


class Assignment(models.Model):
    """A technology granted to a recipient by a needs-assessment decision, optionally with a device."""

    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("recipient")
    )
    technology = models.ForeignKey(
        TechnologyType, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("technology")
    )
    device = models.ForeignKey(
        Device,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("device"),
    )
    decision_date = models.DateField(_("needs-assessment decision"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    # Camera supervision: local times of the night checks, e.g. ["23:00", "02:00", "05:00"].
    night_schedule = models.JSONField(_("night check times"), default=list, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["recipient", "technology", "-starts_on"]
        indexes = [models.Index(fields=["technology", "starts_on", "ends_on"], name="assignment_period_idx")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.technology}"


class Event(models.Model):
    """One thing logged during a shift. Stored once per client-generated UUID, whatever the retries.

    A correction is a new event pointing at the one it corrects (``corrects``); the original stays, marked
    ``superseded``, so figures use only events that are not superseded.
    """

    class Cause(models.TextChoices):
        FALL = "fall", _("Fall")
        UNWELL = "unwell", _("Feeling unwell")
        ANXIETY = "anxiety", _("Worry or loneliness")
        ACCIDENTAL = "accidental", _("Pressed by mistake")
        TECHNICAL = "technical", _("Technical fault")
        OTHER = "other", _("Other")

    client_uuid = models.UUIDField(_("client id"), unique=True)
    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, null=True, related_name="events", verbose_name=_("recipient")
    )
    team = models.ForeignKey(
        CareTeam, on_delete=models.PROTECT, related_name="events", verbose_name=_("team")
    )
    kind = models.CharField(_("what happened"), max_length=32, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    received_at = models.DateTimeField(_("received by the server"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    # Safety alarms: when staff arrived, or that it was resolved remotely, and why it went off.
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    resolved_remotely = models.BooleanField(_("resolved remotely"), default=False)
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices, blank=True)
    # Digital visits and camera checks that replaced a physical visit (benefits realisation).
    replaces_visit = models.BooleanField(_("replaced a physical visit"), default=False)
    action = models.CharField(_("action taken"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    device = models.ForeignKey(
        Device,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("device"),
    )
    is_urgent = models.BooleanField(_("urgent"), default=False)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    superseded = models.BooleanField(_("corrected later"), default=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "occurred_at"], name="event_kind_time_idx"),
            # Follow-up reads a period's events of every kind at once (one query for all indicators).
            models.Index(fields=["occurred_at"], name="event_time_idx"),
            # A staff member's events of today: the shift page and the events API.
            models.Index(fields=["recorded_by", "received_at"], name="event_recorder_time_idx"),
            models.Index(fields=["recipient", "-occurred_at"], name="event_recipient_idx"),
            models.Index(fields=["team", "occurred_at"], name="event_team_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class Fault(models.Model):
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="faults", verbose_name=_("device")
    )
    event = models.OneToOneField(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fault",
        verbose_name=_("reported by event"),
    )
    description = models.CharField(_("description"), max_length=300)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    repaired_at = models.DateTimeField(_("repaired"), null=True, blank=True)
    repair_note = models.CharField(_("repair note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("fault")
        verbose_name_plural = _("faults")
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return f"{self.device}: {self.description}"


class TrainingRecord(models.Model):
    """A staff member's welfare-technology course and how long it is valid."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name=_("staff"),
    )
    course = models.CharField(_("course"), max_length=150)
    technology = models.ForeignKey(
        TechnologyType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("technology"),
    )
    completed_on = models.DateField(_("completed"))
    valid_until = models.DateField(_("valid until"))
    reminder_sent_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["user", "-valid_until"]

    def __str__(self) -> str:
        return f"{self.user}: {self.course}"
