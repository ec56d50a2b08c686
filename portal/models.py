from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class MunicipalityProfile(models.Model):
    """The municipality this installation serves. There is exactly one row (pk 1)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("municipality code"),
        max_length=4,
        validators=[RegexValidator(r"^\d{4}$", _("A municipality code has four digits, e.g. 0428."))],
    )
    contact_phone = models.CharField(_("contact centre phone"), max_length=40)
    contact_email = models.EmailField(_("contact centre e-mail"))
    contact_hours_sv = models.CharField(_("contact centre opening hours (Swedish)"), max_length=200)
    contact_hours_en = models.CharField(_("contact centre opening hours (English)"), max_length=200)
    address = models.CharField(_("visiting address"), max_length=200, blank=True)
    website = models.URLField(_("municipality website"), blank=True)

    class Meta:
        verbose_name = _("municipality profile")
        verbose_name_plural = _("municipality profile")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="single_municipality_profile")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @property
    def contact_hours(self) -> str:
        return self.contact_hours_en if get_language() == "en" else self.contact_hours_sv


class Locality(models.Model):
    """A town or village area of the municipality; ``is_rural`` separates the countryside from the centre."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_rural = models.BooleanField(_("countryside"), default=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(55), MaxValueValidator(70)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(10), MaxValueValidator(25)],
    )

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["is_rural", "name"]

    def __str__(self) -> str:
        return self.name


class ContactMessage(models.Model):
    """A question sent through "Fråga kommunen"; lands in the coordinators' inbox in the back office."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    locality = models.ForeignKey(
        Locality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locality"),
    )
    message = models.TextField(_("message"), max_length=4000)
    language = models.CharField(_("language"), max_length=8, default="sv")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    handled_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    note = models.TextField(_("internal note"), blank=True)

    class Meta:
        verbose_name = _("question to the municipality")
        verbose_name_plural = _("questions to the municipality")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="contact_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="") | ~models.Q(phone=""), name="contact_reachable"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.message[:40]}"
