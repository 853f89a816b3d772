import time

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from jpoa.accounts.access import is_coordinator
from jpoa.accounts.actors import COMMAND_LINE
from jpoa.accounts.audit import acting_as
from jpoa.lib.commands import JpoaCommand, date_option, require_migrated_database
from jpoa.matrix.editions import PUBLISHING_CACHE_MB_ALONE, publish_edition
from jpoa.matrix.models import EditionFact, EditionItemFact
from jpoa.search import index


class Command(JpoaCommand):
    help = (
        "Publish the next matrix edition: freeze all current activities as an immutable, "
        "dated snapshot that the public matrix shows. Then index its activities for "
        "search (the task the publication queues finds it done)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--title", required=True, help="The edition's title (English).")
        parser.add_argument("--title-ru", default="", help="The edition's title in Russian.")
        parser.add_argument(
            "--as-of", help="The date the edition describes, YYYY-MM-DD (default: today)."
        )
        parser.add_argument("--notes", default="", help="Notes shown with the edition.")
        parser.add_argument(
            "--user", help="The coordinator the edition is recorded and audited as published by."
        )

    def handle(self, *args, title: str, title_ru: str, as_of, notes: str, user, **options):
        if not title.strip():
            raise CommandError("--title: the title must not be empty")
        as_of = date_option("--as-of", as_of) if as_of else None
        require_migrated_database()
        # Without --user, the operator's command line publishes (and is recorded as such).
        actor = coordinator_named(user) if user else COMMAND_LINE
        started = time.perf_counter()
        with acting_as(actor):
            edition = publish_edition(
                title=title.strip(),
                title_ru=title_ru.strip(),
                as_of=as_of,
                notes=notes,
                by=actor,
                progress=self.progress,
                cache_mb=PUBLISHING_CACHE_MB_ALONE,
            )
        published = time.perf_counter() - started
        facts = EditionFact.objects.filter(edition=edition).count()
        item_facts = EditionItemFact.objects.filter(edition=edition).count()
        self.stdout.write(
            f"Published edition {edition.number}: {edition.title_en} (as of "
            f"{edition.as_of:%Y-%m-%d}), {edition.activity_count:,} activities, "
            f"{facts:,} pillar facts, {item_facts:,} plan item facts, in {published:.1f} s."
        )
        # No worker may be running: the search is brought up to date here, not later.
        if index.is_behind():
            started = time.perf_counter()
            written = index.reindex_activities()
            self.stdout.write(
                f"Search: {written:,} activities indexed in {time.perf_counter() - started:.1f} s."
            )

    def progress(self, done: int, total: int) -> None:
        if total >= 500:
            self.stderr.write(f"\r{done:,}/{total:,} activities", ending="")
            if done == total:
                self.stderr.write("")


def coordinator_named(username: str):
    found = get_user_model().objects.filter(username=username).first()
    if found is None or not is_coordinator(found):
        raise CommandError(f"{username} is no coordinator")
    return found
