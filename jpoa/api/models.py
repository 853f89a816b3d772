"""Personal API tokens: an editor's key to the write API, kept only as a hash."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import OperationalError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jpoa.lib.busy import is_busy, short_wait

TOKEN_PREFIX = "jpoa_"
TOUCH_EVERY = datetime.timedelta(minutes=5)  # how precise "last used" is


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token; the token itself is shown once, at creation, and never stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “IATI sync script”.")
    )
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True)
    prefix = models.CharField(
        _("first characters"), max_length=12, help_text=_("To recognise the token in a list.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def set_new_token(self) -> str:
        """Give this (unsaved) record a fresh token; return the token, which is never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.prefix = token[:12]
        return token

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        """A new token for ``user``: the record and the token, which is never seen again."""
        record = cls(user=user, name=name)
        token = record.set_new_token()
        record.save()
        return record, token

    @classmethod
    def user_for(cls, token: str):
        """The active user a presented token belongs to, or None."""
        record = (
            cls.objects.active().select_related("user").filter(token_hash=hash_token(token)).first()
        )
        if record is None or not record.user.is_active:
            return None
        record.touch()
        return record.user

    def touch(self) -> None:
        """Note the token's use, at most once every TOUCH_EVERY and never by waiting.

        A read with a token must not queue behind a long write (an import holds SQLite's
        write lock for many seconds): the stamp is written only when it is old, and if
        the lock is taken it is left for a later use (`jpoa.lib.busy.short_wait`).
        """
        now = timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < TOUCH_EVERY:
            return
        try:
            with short_wait(), transaction.atomic():
                ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
