from pathlib import Path

from django.core.management.base import CommandError

from jpoa.dataset import DatasetError
from jpoa.dataset.load import load_dataset
from jpoa.lib.commands import JpoaCommand

from ._report import describe_load


class Command(JpoaCommand):
    help = (
        "Load a data set file in jpoa's JSON format (docs/data-format.md), such as one written "
        "by `jpoa export json`. Records already in the database are kept as they are; the "
        "whole file is loaded or, on any error, nothing is."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The data set file (.json).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if a data set with this key was loaded before (adds what is missing).",
        )

    def handle(self, *args, file: str, force: bool, **options):
        try:
            report = load_dataset(Path(file), force=force)
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(describe_load(report))
