from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Association(models.Model):
    """A civil-society association in the register. First version: identity and its representatives."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    org_number = models.CharField(_("organisation number"), max_length=11, blank=True)
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
