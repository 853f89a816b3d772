"""The rounds' work as tasks run by `jpoa worker` (jpoa.lib.tasks): e-mails and publishing."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from jpoa.lib.tasks import enqueue_for

from .models import Message, UpdateRound

logger = logging.getLogger(__name__)


@task()
def send_message_task(message_pk: int) -> None:
    """Send one queued e-mail and record whether the mail server took it."""
    message = Message.objects.filter(pk=message_pk, status=Message.Status.QUEUED).first()
    if message is None:
        return  # sent already, or its round was deleted
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
    )
    try:
        email.send()
    except Exception as exc:  # noqa: BLE001 (any failure of the mail server is recorded)
        logger.warning("e-mail %s to %s failed: %s", message.pk, message.address, exc)
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), error=""
    )


@task()
def publish_round_task(round_pk: int, user_pk: int, title: str, as_of: str = "") -> None:
    """Publish a round as ``user`` would; a refusal is kept on the round for its page."""
    from jpoa.matrix.editing import EditConflict

    from .services import RoundError, publish_round

    user = get_user_model().objects.get(pk=user_pk)
    update_round = UpdateRound.objects.get(pk=round_pk)
    try:
        publish_round(
            round=update_round,
            title=title,
            user=user,
            as_of=datetime.date.fromisoformat(as_of) if as_of else None,
        )
    except (RoundError, EditConflict) as exc:
        UpdateRound.objects.filter(pk=round_pk).update(publish_error=str(exc))


def start_publishing(*, update_round: UpdateRound, title: str, user, as_of=None) -> None:
    """Queue the publication of a round; the round remembers its task."""
    UpdateRound.objects.filter(pk=update_round.pk).update(publish_error="", publish_task_id="")
    enqueue_for(
        update_round,
        "publish_task_id",
        publish_round_task,
        update_round.pk,
        user.pk,
        title,
        as_of.isoformat() if as_of else "",
    )
