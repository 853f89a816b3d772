import logging

from django.core.management import call_command

from jpoa.lib.commands import JpoaCommand, require_migrated_database
from jpoa.lib.tasks import requeue_interrupted

logger = logging.getLogger(__name__)


class Command(JpoaCommand):
    help = (
        "Run the long work started from the web (checking and writing imports, publishing "
        "an edition) as it is queued. `jpoa serve` starts one beside the web server; run it "
        "yourself with `jpoa serve --no-worker`. Run one worker per site: at start it puts "
        "back in the queue the work a stopped worker left half done (each such task is all "
        "or nothing, so nothing of it was kept)."
    )

    # The site's checks import every URL pattern, and with them every view, the API and
    # its schemas: some 50 MB the task worker, a process of its own beside the web
    # server, would keep and never use (issue #20). A task that needs a URL loads them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="run what is queued, then stop (for cron, scripts and tests)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="how often to look for queued work (default: %(default)s)",
        )

    def handle(self, *args, batch, interval, verbosity, **options):
        require_migrated_database()
        again = requeue_interrupted()
        if again:
            self.stdout.write(f"jpoa worker: {again} interrupted task(s) queued again")
        call_command(
            "db_worker",
            batch=batch,
            interval=interval,
            startup_delay=False,
            reload=False,
            verbosity=verbosity,
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
