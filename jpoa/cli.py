"""The `jpoa` command: jpoa's own commands and every Django management command.

`jpoa X args` is `manage.py X args`. Before handing over to Django it checks
the two things an operator most often gets wrong (a data directory it cannot
write, a database it cannot reach) and says so in one line instead of a
traceback.
"""

import os
import sys
import tempfile
from pathlib import Path

from jpoa import __version__

OVERVIEW = f"""\
jpoa {__version__}: keep, analyse and publish a Joint Plan of Action for the
UN Global Counter-Terrorism Strategy.

Usage: jpoa COMMAND [options]      (jpoa COMMAND --help for its options)

Commands:
  init         create or update the database and load the default data set
  demo         load (or --remove) the invented demonstration data set, to try jpoa
  serve        run the site with gunicorn, a production web server
  createuser   add a user account (--superuser for a coordinator)
  load         load a data set file (JSON); all or nothing, existing records kept
  import       import activities from CSV, XLSX (3W, HXL) or IATI XML: preview, then confirm
  export       write the data set or the published matrix (json, xlsx, csv, datapackage, parquet, template)
  backup       write a consistent copy of the database while the site runs
  restore      replace all data with a backup (asks first)
  publish      publish the current activities as a new edition of the matrix
  round        open, follow and publish an update round (open | status | publish)
  plan         import a plan version's action items from a spreadsheet
  report       write the donor progress report (pdf, docx, xlsx) for a phase or dates
  token        create, list and revoke personal API tokens
  library      attach a file to a library resource (add-file KEY LANG PATH)
  screenshots  write PNGs of the main pages, desktop and phone, both languages
  site         write the public site as static files (site build DIR)
  search       rebuild the search index (search rebuild)
  bench        benchmark on synthetic data (generate | run) in a database of its own

Any Django management command works too, e.g. `jpoa check --deploy`,
`jpoa migrate`, `jpoa shell`; `jpoa help` lists them all.

Configuration is read from the environment: JPOA_DATA_DIR (default ./var),
DATABASE_URL (default SQLite in the data directory), SECRET_KEY, DEBUG,
ALLOWED_HOSTS. See the README.
"""

# Commands that never touch the database, so need not reach it (e.g. in a build step).
NO_DATABASE = {
    "check",
    "collectstatic",
    "compilemessages",
    "diffsettings",
    "help",
    "makemessages",
    "makemigrations",
    "version",
}


class SetupError(Exception):
    """The environment is not usable; the message is the one line the operator sees."""


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in {"-h", "--help"}:
        sys.stdout.write(OVERVIEW)
        return
    if args[0] == "--version":
        print(__version__)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jpoa.settings")
    if not ({"-h", "--help"} & set(args) or args[0] in {"help", "version"}):
        try:
            check_setup(needs_database=args[0] not in NO_DATABASE)
        except SetupError as exc:
            print(f"jpoa: {exc}", file=sys.stderr)
            sys.exit(1)

    from django.core.management import execute_from_command_line

    execute_from_command_line(["jpoa", *args])


def check_setup(needs_database: bool) -> None:
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise SetupError(f"configuration error: {exc}") from exc
    except OSError as exc:  # a file the settings read: the secret key, a *_FILE secret
        raise SetupError(
            f"cannot read {exc.filename}: {exc.strerror} "
            "(check JPOA_DATA_DIR and any *_FILE variable)"
        ) from exc
    if not settings.DATABASE_URL:
        check_data_dir(settings.DATA_DIR)
    elif needs_database:
        check_database()


def check_data_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise SetupError(
            f"cannot use the data directory {path}: {exc.strerror or exc}; "
            "set JPOA_DATA_DIR to a writable directory"
        ) from exc


def check_database() -> None:
    from django.conf import settings
    from django.db import OperationalError, connections

    from jpoa.lib.database import describe_database

    connection = connections["default"]
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        reason = " ".join(str(exc).split())
        password = settings.DATABASES["default"].get("PASSWORD")
        if password:
            reason = reason.replace(str(password), "***")
        raise SetupError(f"cannot reach the database at {describe_database()}: {reason}") from exc
    finally:
        connection.close()


if __name__ == "__main__":
    main()
