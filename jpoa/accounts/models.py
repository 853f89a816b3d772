"""Roles and the organisation or country a user speaks for."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("coordinator")
    ORGANISATION_FOCAL_POINT = "organisation_focal_point", _("organisation focal point")
    STATE_FOCAL_POINT = "state_focal_point", _("state focal point")
    REVIEWER = "reviewer", _("reviewer")


class Profile(models.Model):
    """A user's role in the programme; superusers are coordinators without one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="focal_points",
        verbose_name=_("organisation"),
        help_text=_("For an organisation focal point: the organisation whose rows they edit."),
    )
    country = models.ForeignKey(
        "core.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="focal_points",
        verbose_name=_("country"),
        help_text=_("For a state focal point: the state they speak for."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.ORGANISATION_FOCAL_POINT) | Q(organisation__isnull=False),
                name="profile_org_focal_point_has_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.STATE_FOCAL_POINT) | Q(country__isnull=False),
                name="profile_state_focal_point_has_country",
            ),
        ]

    def __str__(self) -> str:
        speaks_for = self.organisation or self.country
        label = f"{self.user}: {self.get_role_display()}"
        return f"{label} ({speaks_for})" if speaks_for else label
