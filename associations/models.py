from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Association(models.Model):
    """A civil-society association in the register: identity, public profile and its representatives."""

    class Kind(models.TextChoices):
        PENSIONERS = "pensionarsforening", _("Pensioners' association")
        STUDY = "studieforbund", _("Study association")
        FAITH = "trossamfund", _("Faith community")
        AID = "hjalporganisation", _("Aid organisation")
        SPORTS = "idrottsforening", _("Sports club")
        CULTURE = "kulturforening", _("Cultural association")
        LOCAL_HISTORY = "hembygdsforening", _("Local heritage society")
        LOCAL_DEVELOPMENT = "lokal_utvecklingsgrupp", _("Local development group")
        CARERS = "anhorigforening", _("Carers' association")
        INTEREST = "intresseforening", _("Interest association")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    org_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.PENSIONERS)
    localities = models.ManyToManyField(
        "portal.Locality", related_name="associations", blank=True, verbose_name=_("localities served")
    )
    purpose = models.TextField(_("purpose"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    show_in_directory = models.BooleanField(
        _("shown in the public directory"),
        default=False,
        help_text=_("The association has agreed to be listed on the senior portal."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Representative",
        related_name="represented_associations",
        verbose_name=_("representatives"),
    )

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Representative(models.Model):
    """A user acting for an association, with what they may do for it."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        GRANTS = "grants", _("Grants")
        ACTIVITIES = "activities", _("Activities")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("association")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="association_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ADMIN)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(fields=["association", "user"], name="one_membership_per_association")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.association} ({self.get_role_display()})"
