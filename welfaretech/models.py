from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
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

    class Meta:
        verbose_name = _("care recipient")
        verbose_name_plural = _("care recipients")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
