"""`jpoa round open|status|extend|close|cancel|publish|remind`: an update round from the
command line, acting as a named coordinator; `remind` is run daily (cron or a systemd timer)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils import translation

from jpoa.lib.commands import JpoaCommand, date_option, require_migrated_database
from jpoa.matrix.editing import EditConflict
from jpoa.rounds import mail, services
from jpoa.rounds.models import UpdateRound
from jpoa.rounds.selectors import round_dashboard

ACTIONS = (
    ("open", "open a round: every organisation is asked to confirm its activities"),
    ("status", "show each organisation's answer to the latest round, and who is overdue"),
    ("extend", "move the open round's deadline later; those who have not answered are told"),
    ("close", "stop the open round without publishing (its accepted answers can be published)"),
    ("cancel", "cancel the latest round: nothing of it is published"),
    ("publish", "apply the accepted submissions and publish the next edition"),
    ("remind", "queue the e-mails due today: reminders, overdue notices, coordinators' digest"),
)
NEEDS_USER = {"open", "extend", "close", "cancel", "publish"}


class Command(JpoaCommand):
    help = "Open, follow, correct and publish an update round, acting as a named coordinator."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in ACTIONS:
            p = sub.add_parser(name, help=text, description=text)
            if name in NEEDS_USER:
                p.add_argument("--user", required=True, help="the coordinator's username")
            if name == "open":
                p.add_argument("--title", required=True)
                p.add_argument("--deadline", required=True, help="YYYY-MM-DD, today or later")
                p.add_argument(
                    "--reminder-days",
                    type=int,
                    default=7,
                    help="remind those who have not answered this many days before the "
                    "deadline (and on the day); default 7",
                )
            if name == "extend":
                p.add_argument("--deadline", required=True, help="the new deadline, YYYY-MM-DD")
            if name in ("close", "cancel"):
                p.add_argument("--reason", required=True, help="told to the organisations")
            if name == "publish":
                p.add_argument("--title", required=True, help="the new edition's title")
                p.add_argument("--as-of", help="the date the edition describes (default today)")
            if name == "remind":
                p.add_argument("--date", help="act as if today were DATE (YYYY-MM-DD)")

    def handle(self, *args, action, **options):
        require_migrated_database()
        try:
            with translation.override("en"):
                getattr(self, f"do_{action}")(**options)
        except (services.RoundError, EditConflict) as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{options.get('user')} is not a coordinator") from exc

    def user(self, username: str):
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active user named {username!r}") from None

    def latest_round(self) -> UpdateRound:
        update_round = UpdateRound.objects.order_by("-opened_at", "-pk").first()
        if update_round is None:
            raise CommandError("no round has been opened; run `jpoa round open` first")
        return update_round

    def open_round(self) -> UpdateRound:
        update_round = services.current_round()
        if update_round is None:
            raise CommandError("no round is open; see `jpoa round status`")
        return update_round

    def do_open(self, *, user, title, deadline, reminder_days, **options):
        update_round = services.open_round(
            title=title,
            deadline=date_option("--deadline", deadline),
            user=self.user(user),
            reminder_days=reminder_days,
        )
        count = update_round.submissions.count()
        invited = update_round.messages.count()
        self.stdout.write(
            f"Opened round {update_round.pk} “{update_round.title}”, deadline "
            f"{update_round.deadline}; {count} organisations asked to answer, "
            f"{invited} invitations queued."
        )

    def do_status(self, **options):
        dashboard = round_dashboard(self.latest_round())
        r = dashboard.round
        overdue = " (overdue)" if r.is_overdue else ""
        self.stdout.write(
            f"Round {r.pk} “{r.title}”: {r.get_status_display()}, deadline {r.deadline}{overdue}"
        )
        if r.end_reason:
            self.stdout.write(f"  reason: {r.end_reason}")
        for s in dashboard.submissions:
            flag = ", overdue" if s.is_overdue else ""
            self.stdout.write(f"  {str(s.organisation):<20} {s.get_status_display()}{flag}")
        self.stdout.write(
            f"{dashboard.answered_count} of {len(dashboard.submissions)} answered; "
            f"{len(dashboard.awaiting_review)} awaiting review."
        )
        if dashboard.unanswered:
            names = ", ".join(str(s.organisation) for s in dashboard.unanswered)
            self.stdout.write(f"Not answered yet: {names}")
        if dashboard.awaiting_review:
            self.stdout.write(
                f"Review them on the round's page, /en/rounds/{r.pk}/ (accept or return each)."
            )

    def do_extend(self, *, user, deadline, **options):
        update_round = services.extend_deadline(
            round=self.open_round(),
            deadline=date_option("--deadline", deadline),
            user=self.user(user),
        )
        self.stdout.write(f"The deadline of “{update_round.title}” is now {update_round.deadline}.")

    def do_close(self, *, user, reason, **options):
        update_round = services.close_round(
            round=self.open_round(), reason=reason, user=self.user(user)
        )
        self.stdout.write(
            f"Closed “{update_round.title}”: answers can no longer change; its accepted "
            "answers can still be published with `jpoa round publish`."
        )

    def do_cancel(self, *, user, reason, **options):
        update_round = services.cancel_round(
            round=self.latest_round(), reason=reason, user=self.user(user)
        )
        self.stdout.write(f"Cancelled “{update_round.title}”: nothing of it will be published.")

    def do_publish(self, *, user, title, as_of=None, **options):
        coordinator = self.user(user)
        update_round = services.publish_round(
            round=self.latest_round(),
            title=title,
            user=coordinator,
            as_of=date_option("--as-of", as_of) if as_of else None,
        )
        edition = update_round.edition
        self.stdout.write(
            f"Published edition {edition.number} “{edition.title}” as of {edition.as_of} from "
            f"round “{update_round.title}”."
        )

    def do_remind(self, *, date=None, **options):
        today = date_option("--date", date) if date else None
        counts = mail.remind(today)
        self.stdout.write(
            f"Queued {counts['reminder']} reminders, {counts['due_today']} due-today notices, "
            f"{counts['overdue']} overdue notices and {counts['digest']} digests."
        )
