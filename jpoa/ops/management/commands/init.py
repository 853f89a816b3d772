from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from jpoa.dataset import DEFAULT_DATASET, DatasetError
from jpoa.dataset.load import load_dataset
from jpoa.lib.commands import JpoaCommand
from jpoa.lib.database import database_vendor, describe_database
from jpoa.search import index as search_index

from ._report import describe_load


class Command(JpoaCommand):
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
        self.stdout.write(f"Database ready ({database_vendor()}): {describe_database()}")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not search_index.is_built():  # a database made before search, or with --no-data
            search_index.rebuild()
        if no_data:
            return
        try:
            report = load_dataset(Path(dataset))
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(describe_load(report))
