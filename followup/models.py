"""Follow-up: population figures, the indicator catalogue, manual (survey) values and report runs.

Computed indicators are Python functions registered in :mod:`followup.indicators`; an :class:`Indicator`
row holds what officials edit about them (baseline, target, owner) and how they are shown. Report
templates are a Python registry in :mod:`followup.reports`; a :class:`ReportRun` is one generation of one.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.storage import private_storage


class Sex(models.TextChoices):
    WOMEN = "K", _("Women")
    MEN = "M", _("Men")


class AgeBand(models.TextChoices):
    """The five-year bands Statistics Sweden publishes, merged above 85; 75–84 and 80+ are derived."""

    A65_74 = "65_74", _("65–74")
    A75_79 = "75_79", _("75–79")
    A80_84 = "80_84", _("80–84")
    A85_PLUS = "85_plus", _("85+")


class PopulationFigure(models.Model):
    """Inhabitants of one locality in one sex and age band at the end of a year."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    locality = models.ForeignKey(
        "portal.Locality",
        on_delete=models.CASCADE,
        related_name="population_figures",
        verbose_name=_("locality"),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("inhabitants"))

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["-year", "locality__is_rural", "locality__name", "sex", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "locality", "sex", "age_band"], name="one_population_figure_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.locality} {self.sex} {self.age_band}: {self.count}"


class Indicator(models.Model):
    """One indicator of the catalogue (REFERENCE.md), computed by a registered function or entered by hand."""

    class Unit(models.TextChoices):
        COUNT = "count", _("Count")
        PERCENT = "percent", _("Percent")
        RATE = "rate", _("Rate")
        SEK = "sek", _("SEK")
        HOURS = "hours", _("Hours")
        KM = "km", _("Kilometres")
        MINUTES = "minutes", _("Minutes")

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed from the platform's data")
        MANUAL = "manual", _("Entered by hand (survey)")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Domain(models.TextChoices):
        ACTIVITIES = "activities", _("Activities")
        ASSOCIATIONS = "associations", _("Associations and grants")
        WELFARETECH = "welfaretech", _("Welfare technology")
        SURVEY = "survey", _("Surveys")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.COMPUTED)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    domain = models.CharField(_("domain"), max_length=15, choices=Domain.choices)
    splits = models.JSONField(_("supported splits"), default=list, blank=True)
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_period = models.CharField(
        _("baseline period"), max_length=20, blank=True, help_text=_("For example 2024 or 2024-Q4.")
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(
        _("target year"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    owner = models.CharField(
        _("owner"), max_length=150, blank=True, help_text=_("Who answers for this indicator.")
    )
    is_key = models.BooleanField(_("key indicator"), default=False, help_text=_("Shown as a dashboard card."))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_sv

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_sv

    @property
    def is_manual(self) -> bool:
        return self.source == self.Source.MANUAL


class ManualValue(models.Model):
    """A value entered by hand for a manual (survey) indicator, for one period."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="manual_values", verbose_name=_("indicator")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    sample_size = models.PositiveIntegerField(
        _("number of respondents"), null=True, blank=True, help_text=_("How many answered.")
    )
    source = models.CharField(_("source"), max_length=200, help_text=_("For example the survey's name."))
    locality = models.ForeignKey(
        "portal.Locality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locality"),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        verbose_name = _("manual value")
        verbose_name_plural = _("manual values")
        ordering = ["indicator", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="manual_value_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start}–{self.period_end}: {self.value}"


class ReportRun(models.Model):
    """One generation of a report template: parameters, progress and the resulting PDF."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    template = models.CharField(_("report template"), max_length=60)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("requested by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Moved on whenever the worker making the PDF reports progress: a running run whose heartbeat stopped
    # lost its worker, and a redelivered task may take it over.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", storage=private_storage, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="report_run_user_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_run_progress_max_100")
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk} ({self.status})"


class ReportSubscription(models.Model):
    """An official's wish to receive a report template regularly by e-mail."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Every month")
        QUARTERLY = "quarterly", _("Every quarter")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("user"),
    )
    template = models.CharField(_("report template"), max_length=60)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_sent_period = models.CharField(_("last period sent"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["template", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "template"], name="one_subscription_per_template")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.template} ({self.frequency})"
