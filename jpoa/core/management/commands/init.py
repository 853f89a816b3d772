from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jpoa.dataset import DEFAULT_DATASET, DatasetError
from jpoa.dataset.load import load_dataset

from ._report import describe_load


class Command(BaseCommand):
    help = (
        "Create or migrate the database, collect static files and load the default "
        "Central Asia data set once. Safe to run again: it then changes nothing and says so, "
        "and it never overwrites records that editors have changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-data",
            action="store_true",
            help="Create the database without loading the default data set.",
        )
        parser.add_argument(
            "--dataset",
            default=str(DEFAULT_DATASET),
            help="Data set file to load instead of the default (jpoa's JSON data set format).",
        )

    def handle(self, *args, no_data: bool, dataset: str, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Database ready: {_database_label()}")
        call_command("collectstatic", interactive=False, verbosity=0)
        if no_data:
            return
        from pathlib import Path

        try:
            report = load_dataset(Path(dataset))
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(describe_load(report))


def _database_label() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or 'localhost'}/{db['NAME']}"
