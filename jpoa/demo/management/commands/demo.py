from django.core.management.base import CommandError

from jpoa.demo.load import AlreadyLoaded, DemoError, load_demo, remove_demo
from jpoa.lib.commands import JpoaCommand
from jpoa.search import index as search_index


class Command(JpoaCommand):
    help = (
        "Load the demonstration data set: about 30 invented organisations, a few hundred "
        "invented activities, three editions a year apart, an update round, events with "
        "participants, findings and library files, all labelled 'demonstration data, "
        "invented'. Refuses a database that holds real activities. --remove deletes it all."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--remove", action="store_true", help="Delete the demonstration data set entirely."
        )
        parser.add_argument(
            "--activities", type=int, default=400, help="How many activities (default 400)."
        )

    def handle(self, *args, remove: bool, activities: int, **options):

        try:
            if remove:
                counts = remove_demo()
            else:
                summary = load_demo(activities=activities, progress=self.stdout.write)
        except AlreadyLoaded:
            self.stdout.write("The demonstration data is loaded already; nothing changed.")
            return
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        search_index.rebuild()
        if remove:
            removed = ", ".join(f"{n} {name}" for name, n in counts.items())
            self.stdout.write(f"Removed the demonstration data: {removed}.")
            return
        self.stdout.write(
            f"Loaded the demonstration data (invented): {summary.organisations} organisations, "
            f"{summary.activities} activities, editions {', '.join(map(str, summary.editions))}, "
            f"{summary.events} events, {summary.findings} findings, {summary.resources} "
            "library resources. Every page says it is invented; `jpoa demo --remove` deletes it."
        )
