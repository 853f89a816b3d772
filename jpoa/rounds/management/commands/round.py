"""`jpoa round open|status|publish`: run an update round from the command line."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from jpoa.lib.commands import JpoaCommand, date_option, require_migrated_database
from jpoa.matrix.editing import EditConflict
from jpoa.rounds import services
from jpoa.rounds.models import UpdateRound
from jpoa.rounds.selectors import round_dashboard


class Command(JpoaCommand):
    help = "Open, follow and publish an update round, acting as a named coordinator."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in (
            ("open", "open a round: every organisation is asked to confirm its activities"),
            ("status", "show each organisation's answer to the latest round"),
            ("publish", "apply the accepted submissions and publish the next edition"),
        ):
            p = sub.add_parser(name, help=text, description=text)
            p.add_argument("--user", required=name != "status", help="the coordinator's username")
            if name == "open":
                p.add_argument("--title", required=True)
                p.add_argument("--deadline", required=True, type=str, help="YYYY-MM-DD")
            if name == "publish":
                p.add_argument("--title", required=True, help="the new edition's title")

    def handle(self, *args, action, **options):
        require_migrated_database()
        try:
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
        update_round = UpdateRound.objects.order_by("-opened_at").first()
        if update_round is None:
            raise CommandError("no round has been opened; run `jpoa round open` first")
        return update_round

    def do_open(self, *, user, title, deadline, **options):
        update_round = services.open_round(
            title=title, deadline=date_option("--deadline", deadline), user=self.user(user)
        )
        count = update_round.submissions.count()
        self.stdout.write(
            f"Opened round {update_round.pk} “{update_round.title}”, deadline "
            f"{update_round.deadline}; {count} organisations asked to answer."
        )

    def do_status(self, **options):
        dashboard = round_dashboard(self.latest_round())
        r = dashboard.round
        self.stdout.write(f"Round {r.pk} “{r.title}”: {r.status}, deadline {r.deadline}")
        for s in dashboard.submissions:
            self.stdout.write(f"  {str(s.organisation):<20} {s.status}")
        answered = len(dashboard.submissions) - len(dashboard.unanswered)
        self.stdout.write(
            f"{answered} of {len(dashboard.submissions)} answered; "
            f"{len(dashboard.awaiting_review)} awaiting review."
        )
        if dashboard.unanswered:
            names = ", ".join(str(s.organisation) for s in dashboard.unanswered)
            self.stdout.write(f"Not answered yet: {names}")

    def do_publish(self, *, user, title, **options):
        coordinator = self.user(user)
        update_round = self.latest_round()
        update_round = services.publish_round(round=update_round, title=title, user=coordinator)
        edition = update_round.edition
        self.stdout.write(
            f"Published edition {edition.number} “{edition.title}” from round "
            f"“{update_round.title}”."
        )
