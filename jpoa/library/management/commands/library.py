from pathlib import Path

from django.core.management.base import CommandError

from jpoa.lib.commands import JpoaCommand, require_migrated_database
from jpoa.library.models import Resource
from jpoa.library.services import version_attach_file
from jpoa.library.uploads import UploadRejected


class Command(JpoaCommand):
    help = "Work with the resource library: add-file KEY LANG PATH attaches a file to a resource."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser(
            "add-file",
            help="Attach a PDF, DOCX or HTML file as one language version of a resource "
            "(replacing that language's earlier file) and extract its text for search.",
        )
        add.add_argument("key", help="The resource's key, e.g. jpoa-2011.")
        add.add_argument("language", help="ISO 639-1 language code, e.g. en or ru.")
        add.add_argument("path", type=Path, help="The file to attach.")

    def handle(self, *args, action: str, key: str, language: str, path: Path, **options):
        require_migrated_database()
        resource = Resource.objects.filter(key=key).first()
        if resource is None:
            raise CommandError(f"no resource with the key {key!r} (see /en/library/)")
        try:
            with path.open("rb") as stream:
                version = version_attach_file(
                    resource=resource,
                    language=language,
                    name=path.name,
                    stream=stream,
                    size=path.stat().st_size,
                )
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from exc
        except UploadRejected as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(
            f"Attached {version.file.name} as the {language} version of {key}: "
            f"{len(version.text):,} characters of text extracted."
        )
