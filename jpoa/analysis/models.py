"""What the analysis keeps: the overlap suggestions a coordinator has dismissed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OverlapDismissal(models.Model):
    """A suggested overlap of two activities that a coordinator judged not to be one.

    Keyed by the activities' keys (in sorted order), not by rows of an edition, so a
    dismissal holds in every later edition that has both activities.
    """

    first_key = models.CharField(_("first activity key"), max_length=150)
    second_key = models.CharField(_("second activity key"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed overlap")
        verbose_name_plural = _("dismissed overlaps")
        ordering = ["-dismissed_at"]
        constraints = [
            models.UniqueConstraint(fields=["first_key", "second_key"], name="overlap_pair_once"),
            models.CheckConstraint(
                condition=models.Q(first_key__lt=models.F("second_key")),
                name="overlap_pair_sorted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_key} / {self.second_key}"
