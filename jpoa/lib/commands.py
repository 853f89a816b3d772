"""What jpoa's management commands share: one-line errors and the "is it set up?" check."""

import sys

from django.core.management.base import BaseCommand, CommandError, SystemCheckError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class JpoaCommand(BaseCommand):
    """A management command whose errors read ``jpoa: <message>`` on the command line.

    Called from code (``call_command``) it raises CommandError as usual.
    """

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except SystemCheckError:
            raise
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(f"jpoa: {exc}")
            sys.exit(exc.returncode)


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations the code has and the database has not applied, as "app.name"."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def unknown_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations the database has applied that the code does not have (a newer jpoa's)."""
    executor = MigrationExecutor(connections[alias])
    known = executor.loader.disk_migrations
    return sorted(
        f"{app}.{name}"
        for app, name in executor.recorder.applied_migrations()
        if app in executor.loader.migrated_apps and (app, name) not in known
    )


def require_migrated_database() -> None:
    """Stop with a clear message when the database is missing tables the code needs."""
    pending = pending_migrations()
    if pending:
        raise CommandError(
            f"the database is not set up or is out of date ({len(pending)} migrations "
            "not applied); run `jpoa init` first"
        )


def date_option(option: str, value: str):
    """The date an option gives as YYYY-MM-DD, or a clear error naming the option."""
    import datetime

    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: expected a date as YYYY-MM-DD, got {value!r}") from None
