import time

from django.core.management.base import CommandError

from jpoa.lib.commands import JpoaCommand, require_migrated_database
from jpoa.search.index import rebuild


class Command(JpoaCommand):
    help = (
        "Rebuild the search index from the public records: library resources, the "
        "activities of the latest published matrix edition, events, findings and plan "
        "items. The index otherwise follows every change on its own; rebuild it after "
        "changing records outside jpoa (e.g. in SQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"], help="rebuild: index everything anew.")

    def handle(self, *args, action: str, **options):
        if action != "rebuild":
            raise CommandError(f"unknown action {action!r}")
        require_migrated_database()
        started = time.monotonic()
        counts = rebuild()
        summary = ", ".join(f"{n:,} {kind.label}" for kind, n in counts.items())
        self.stdout.write(
            f"Search index rebuilt in {time.monotonic() - started:.1f} s: "
            f"{sum(counts.values()):,} documents ({summary})."
        )
