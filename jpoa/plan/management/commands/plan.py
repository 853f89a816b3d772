"""`jpoa plan import-items FILE --plan KEY --version LABEL [--yes]`: a plan version's items from a spreadsheet."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from jpoa.lib.commands import JpoaCommand, require_migrated_database
from jpoa.plan.items_import import COLUMNS, ItemsImportError, import_items, preview_items_import
from jpoa.plan.models import PlanVersion


class Command(JpoaCommand):
    help = "Work on the plan from the command line."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        text = (
            "import a plan version's action items from an XLSX or CSV file with the columns "
            f"{', '.join(COLUMNS)}; shows what would change, and writes only with --yes"
        )
        p = sub.add_parser("import-items", help=text, description=text)
        p.add_argument("file", help="the .xlsx or .csv file (at most 5 MB)")
        p.add_argument("--plan", required=True, help="the plan's key")
        p.add_argument("--version", required=True, dest="label", help="the version's label")
        p.add_argument("--yes", action="store_true", help="write the items (default: preview)")
        p.add_argument("--user", help="the coordinator's username, for the audit trail")

    def handle(self, *args, action, **options):
        require_migrated_database()
        if action == "import-items":
            self.import_items(**options)

    def import_items(self, *, file, plan, label, yes, user, **options):
        version = PlanVersion.objects.select_related("plan").filter(plan__key=plan, label=label)
        version = version.first()
        if version is None:
            raise CommandError(f"plan {plan!r} has no version {label!r}")
        coordinator = self.user(user) if user else None
        try:
            if yes:
                result = import_items(path=Path(file), version=version, user=coordinator)
            else:
                result = preview_items_import(path=Path(file), version=version)
        except ItemsImportError as exc:
            self.report_errors(exc.errors)
        except PermissionDenied as exc:
            raise CommandError(f"{user} is not a coordinator") from exc
        if result.errors:
            self.report_errors(result.errors)
        for row in result.rows:
            self.stdout.write(f"  row {row.row:>4}  {row.action:<9}  {row.values['code']}")
        counts = ", ".join(f"{result.count(a)} to {a}" for a in ("create", "update"))
        if result.written:
            self.stdout.write(
                f"Imported into {version}: {result.count('create')} created, "
                f"{result.count('update')} updated, {result.count('unchanged')} unchanged."
            )
        else:
            self.stdout.write(
                f"Preview for {version}: {counts}, {result.count('unchanged')} unchanged. "
                "Nothing written; run again with --yes to write."
            )

    def report_errors(self, errors) -> None:
        for error in errors:
            self.stderr.write(str(error))
        raise CommandError(f"{len(errors)} error(s); nothing written")

    def user(self, username: str):
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active user named {username!r}") from None
