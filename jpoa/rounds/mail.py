"""The rounds' e-mails: who is told what, in their language, each recorded as a `Message`.

A message is composed at once (in the recipient's language, with the link to where
their next step happens), stored, and sent by a task (`tasks.send_message_task`) run
by `jpoa worker`: a slow or absent mail server never holds up a page. Each message has
a key saying what it is about, so a reminder the daily run (`jpoa round remind`) has
sent is never sent twice, and one it missed is sent on the next run.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jpoa.accounts.models import Role

from .models import Frequency, Message, MessagePreference, Submission, UpdateRound

Kind = Message.Kind


def focal_points_of(organisation_id: int) -> QuerySet:
    """The active focal points of an organisation."""
    return get_user_model().objects.filter(
        is_active=True,
        profile__role=Role.ORGANISATION_FOCAL_POINT,
        profile__organisation_id=organisation_id,
    )


def coordinators() -> QuerySet:
    return get_user_model().objects.filter(
        Q(is_superuser=True) | Q(profile__role=Role.COORDINATOR), is_active=True
    )


def preference_of(user) -> MessagePreference:
    """The user's choice, or the defaults (every message, in the site's default language)."""
    try:
        return user.round_messages
    except MessagePreference.DoesNotExist:
        return MessagePreference(user=user, language=settings.LANGUAGE_CODE[:2])


def wants(user, kind: str) -> bool:
    frequency = preference_of(user).frequency
    if frequency == Frequency.NONE:
        return False
    return frequency == Frequency.ALL or kind in Message.ESSENTIAL


def link(name: str, *args) -> str:
    """An absolute address on the site, in the active language."""
    return settings.JPOA_SITE_URL.rstrip("/") + reverse(name, args=args)


SUBJECTS = {
    Kind.INVITATION: lambda: _("Update round “%(round)s”: please answer by %(deadline)s"),
    Kind.REMINDER: lambda: _("Reminder: “%(round)s” closes on %(deadline)s"),
    Kind.DUE_TODAY: lambda: _("Today is the deadline of “%(round)s”"),
    Kind.OVERDUE: lambda: _("Overdue: your answer to “%(round)s” was due on %(deadline)s"),
    Kind.EXTENDED: lambda: _("“%(round)s”: the deadline is now %(deadline)s"),
    Kind.RETURNED: lambda: _("“%(round)s”: your answer was returned with a comment"),
    Kind.REOPENED: lambda: _("“%(round)s”: your answer is open for changes again"),
    Kind.ACCEPTED: lambda: _("“%(round)s”: your answer was accepted"),
    Kind.PUBLISHED: lambda: _("“%(round)s” is published"),
    Kind.ENDED: lambda: _("“%(round)s” has ended"),
    Kind.DIGEST: lambda: _("“%(round)s”: where the round stands today"),
}


def _compose(kind: str, update_round: UpdateRound, submission, user, extra: dict) -> tuple:
    context = {
        "round": update_round,
        "submission": submission,
        "user": user,
        "deadline": date_format(update_round.deadline, "DATE_FORMAT"),
        "mine_url": link("rounds:mine"),
        "round_url": link("rounds:dashboard", update_round.pk),
        "preferences_url": link("rounds:preferences"),
        "matrix_url": link("matrix:organisations"),
        **extra,
    }
    subject = SUBJECTS[kind]() % {"round": update_round.title, "deadline": context["deadline"]}
    body = render_to_string(f"rounds/email/{kind}.txt", context)
    return subject, body.strip() + "\n"


def queue(
    kind: str,
    *,
    update_round: UpdateRound,
    user,
    submission: Submission | None = None,
    key: str = "",
    extra: dict | None = None,
) -> Message | None:
    """Compose and queue one e-mail, unless the round sends none, the user has no address
    or wants fewer, or the message with this key was already queued."""
    from .tasks import send_message_task

    if not update_round.send_email or not user.email or not wants(user, kind):
        return None
    language = preference_of(user).language
    with translation.override(language):
        subject, body = _compose(kind, update_round, submission, user, extra or {})
    key = key or f"{kind}:{update_round.pk}:{user.pk}:{timezone.now().isoformat()}"
    try:
        with transaction.atomic():
            message = Message.objects.create(
                round=update_round,
                submission=submission,
                recipient=user,
                address=user.email,
                kind=kind,
                language=language,
                subject=subject[:300],
                body=body,
                key=key[:200],
            )
    except IntegrityError:  # already sent (the daily run, twice on one day)
        return None
    send_message_task.enqueue(message.pk)  # in the same transaction as the change it tells of
    return message


def tell_organisation(kind: str, submission: Submission, extra: dict | None = None) -> int:
    """Queue ``kind`` for every focal point of the submission's organisation; how many."""
    return sum(
        bool(
            queue(
                kind, update_round=submission.round, user=user, submission=submission, extra=extra
            )
        )
        for user in focal_points_of(submission.organisation_id)
    )


def tell_organisations(kind: str, update_round: UpdateRound, submissions, *, once: str = "") -> int:
    """Queue ``kind`` for the focal points of each submission's organisation.

    With ``once`` (what makes the message distinct, such as the deadline), a message
    already queued with the same key is not queued again.
    """
    sent = 0
    for submission in submissions:
        for user in focal_points_of(submission.organisation_id):
            key = f"{kind}:{update_round.pk}:{user.pk}:{once}" if once else ""
            sent += bool(
                queue(kind, update_round=update_round, user=user, submission=submission, key=key)
            )
    return sent


def send_digest(update_round: UpdateRound, today: datetime.date) -> int:
    """The coordinators' daily digest of an open round: who answered, who not, what waits."""
    from .selectors import round_dashboard

    dashboard = round_dashboard(update_round)
    extra = {"dashboard": dashboard}
    sent = 0
    for user in coordinators():
        key = f"digest:{update_round.pk}:{user.pk}:{today.isoformat()}"
        sent += bool(queue(Kind.DIGEST, update_round=update_round, user=user, key=key, extra=extra))
    return sent


def remind(today: datetime.date | None = None) -> dict[str, int]:
    """What a daily run sends for each open round: reminders to those who have not
    answered (N days before the deadline, on the day, once overdue), and the digest.

    Each reminder is keyed by the deadline: once per deadline, and again if extended.
    """
    today = today or timezone.localdate()
    counts = {"reminder": 0, "due_today": 0, "overdue": 0, "digest": 0}
    for update_round in UpdateRound.objects.filter(status=UpdateRound.Status.OPEN):
        waiting = update_round.submissions.filter(status__in=Submission.UNANSWERED).select_related(
            "organisation", "round"
        )
        deadline = update_round.deadline
        once = deadline.isoformat()
        days = update_round.reminder_days
        if days and deadline - datetime.timedelta(days=days) <= today < deadline:
            counts["reminder"] += tell_organisations(
                Kind.REMINDER, update_round, waiting, once=once
            )
        elif today == deadline:
            counts["due_today"] += tell_organisations(
                Kind.DUE_TODAY, update_round, waiting, once=once
            )
        elif today > deadline:
            counts["overdue"] += tell_organisations(Kind.OVERDUE, update_round, waiting, once=once)
        counts["digest"] += send_digest(update_round, today)
    return counts
