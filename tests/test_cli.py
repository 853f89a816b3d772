"""The command line, run as an operator runs it: `python -m jpoa ...` in a subprocess,
with a data directory (and, under PostgreSQL, a database) of its own.

Under DATABASE_URL=postgres://... the backup and restore tests run against a
scratch PostgreSQL database copied from a migrated template; otherwise SQLite.
"""

import io
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql"}
PASSWORD = "correct-horse-battery-staple"
JPOA_COMMANDS = ["init", "serve", "createuser", "load", "export", "backup", "restore"]

# One worker runs the module: the migrated database its tests copy is made once.
pytestmark = pytest.mark.xdist_group("cli")

only_sqlite = pytest.mark.skipif(ON_POSTGRES, reason="SQLite backups only")
only_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL=postgres://...")


def jpoa_env(data_dir: Path, database_url: str = "", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JPOA_", "DATABASE_URL"))}
    env.update(JPOA_DATA_DIR=str(data_dir), **extra)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_jpoa(*args: str, env: dict[str, str], stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "jpoa", *args],
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(result, *expected: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("jpoa: ")
    for text in expected:
        assert text in lines[0]


def database_url_named(name: str) -> str:
    return urlsplit(DATABASE_URL)._replace(path=f"/{name}").geturl()


def postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(database_url_named("postgres"), autocommit=True) as connection:
        connection.execute(sql)


class Site:
    """One jpoa installation: a data directory and a migrated database."""

    def __init__(self, data_dir: Path, database_url: str = ""):
        self.data_dir = data_dir
        self.database_url = database_url

    def jpoa(self, *args: str, stdin: str | None = None, **env: str):
        return run_jpoa(*args, env=jpoa_env(self.data_dir, self.database_url, **env), stdin=stdin)

    def query(self, sql: str) -> list[tuple]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as connection:
                return connection.execute(sql).fetchall()
        with closing(sqlite3.connect(self.data_dir / "jpoa.sqlite3")) as connection:
            return connection.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as connection:
                connection.execute(sql)
            return
        with closing(sqlite3.connect(self.data_dir / "jpoa.sqlite3")) as connection, connection:
            connection.execute(sql)

    def usernames(self) -> list[str]:
        return [name for (name,) in self.query("SELECT username FROM auth_user ORDER BY username")]

    def add_user(self, username: str) -> None:
        result = self.jpoa(
            "createuser", "--username", username, "--noinput", JPOA_PASSWORD=PASSWORD
        )
        assert result.returncode == 0, result.stderr

    def backups(self) -> list[str]:
        return sorted(path.name for path in (self.data_dir / "backups").iterdir())


def copy_sqlite(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Iterator[str]:
    """A migrated database to copy: an SQLite file, or a PostgreSQL template's name."""
    data_dir = tmp_path_factory.mktemp("template")
    if not ON_POSTGRES:
        result = run_jpoa("migrate", "--noinput", env=jpoa_env(data_dir))
        assert result.returncode == 0, result.stderr
        yield str(data_dir / "jpoa.sqlite3")
        return
    name = f"jpoa_cli_template_{secrets.token_hex(4)}"
    postgres_admin(f"CREATE DATABASE {name}")
    try:
        result = run_jpoa("migrate", "--noinput", env=jpoa_env(data_dir, database_url_named(name)))
        assert result.returncode == 0, result.stderr
        yield name
    finally:
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def site(tmp_path, migrated_database) -> Iterator[Site]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if not ON_POSTGRES:
        copy_sqlite(Path(migrated_database), data_dir / "jpoa.sqlite3")
        yield Site(data_dir)
        return
    name = f"jpoa_cli_{secrets.token_hex(6)}"
    postgres_admin(f"CREATE DATABASE {name} TEMPLATE {migrated_database}")
    try:
        yield Site(data_dir, database_url_named(name))
    finally:
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# The overview and the checks made before any command runs


@pytest.mark.parametrize("args", [[], ["-h"], ["--help"]])
def test_it_prints_its_own_overview(tmp_path, args):
    result = run_jpoa(*args, env=jpoa_env(tmp_path))
    assert result.returncode == 0
    for command in JPOA_COMMANDS:
        assert f"\n  {command} " in result.stdout
    assert "jpoa check --deploy" in result.stdout
    assert "sendtestemail" not in result.stdout  # not Django's long list


def test_it_prints_its_version(tmp_path):
    from jpoa import __version__

    result = run_jpoa("--version", env=jpoa_env(tmp_path))
    assert result.stdout.strip() == __version__


def test_it_says_in_one_line_when_the_database_cannot_be_reached(tmp_path):
    url = "postgresql://postgres:s3cret-pw@127.0.0.1:1/none"
    result = run_jpoa("migrate", env=jpoa_env(tmp_path, url))
    assert_one_line_error(result, "cannot reach the database at postgresql://127.0.0.1:1/none: ")
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_it_says_in_one_line_when_the_data_dir_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("a file where a directory should be")
    data_dir = tmp_path / "file" / "sub"
    result = run_jpoa("migrate", env=jpoa_env(data_dir))
    assert_one_line_error(result, str(data_dir), "JPOA_DATA_DIR")


def test_it_runs_django_commands(tmp_path):
    result = run_jpoa("check", env=jpoa_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


# createuser


def test_createuser_creates_a_user_who_can_sign_in(site):
    result = site.jpoa(
        "createuser",
        *["--username", "alice", "--email", "alice@example.org", "--superuser", "--noinput"],
        JPOA_PASSWORD=PASSWORD,
    )
    assert result.returncode == 0, result.stderr
    assert "Created superuser 'alice'" in result.stdout

    check = site.jpoa(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.contrib.auth import authenticate;"
        f"user = authenticate(username='alice', password='{PASSWORD}');"
        "print(user.email, user.is_staff, user.is_superuser)",
    )
    assert check.stdout.strip() == "alice@example.org True True"


def test_createuser_reads_the_password_from_the_variable_named(site):
    result = site.jpoa(
        "createuser", "--username", "bob", "--password-env", "BOB_PW", "--noinput", BOB_PW=PASSWORD
    )
    assert result.returncode == 0, result.stderr
    assert site.query("SELECT is_staff, is_superuser FROM auth_user") == [(False, False)]


def test_createuser_refuses_an_existing_username(site):
    site.add_user("alice")
    result = site.jpoa("createuser", "--username", "alice", "--noinput", JPOA_PASSWORD=PASSWORD)
    assert_one_line_error(result, "a user named 'alice' already exists")
    assert site.usernames() == ["alice"]


def test_createuser_refuses_a_weak_password(site):
    result = site.jpoa("createuser", "--username", "alice", "--noinput", JPOA_PASSWORD="12345678")
    assert_one_line_error(result, "password rejected: ", "too common")
    assert site.usernames() == []


def test_createuser_without_a_password_says_where_to_put_it(site):
    result = site.jpoa("createuser", "--username", "alice", "--noinput")
    assert_one_line_error(result, "$JPOA_PASSWORD")
    assert site.usernames() == []


@pytest.mark.django_db
def test_createuser_asks_at_a_terminal_until_the_passwords_match(monkeypatch, capsys):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["carol", "carol@example.org"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    passwords = iter([PASSWORD, "a typo", "carol", "carol", PASSWORD, PASSWORD])
    monkeypatch.setattr(
        "jpoa.ops.management.commands.createuser.getpass", lambda prompt="": next(passwords)
    )

    call_command("createuser", "--staff")

    user = get_user_model().objects.get(username="carol")
    assert (user.email, user.is_staff, user.is_superuser) == ("carol@example.org", True, False)
    assert user.check_password(PASSWORD)
    errors = capsys.readouterr().err
    assert "do not match" in errors
    assert "too similar to the username" in errors


@pytest.mark.django_db
def test_createuser_from_code_raises_command_error():
    with pytest.raises(CommandError, match="give --username"):
        call_command("createuser", "--noinput")


# backup and restore


def test_a_restore_brings_back_the_data_of_the_backup(site, tmp_path):
    site.add_user("alice")
    backup = tmp_path / "before-bob.backup"
    result = site.jpoa("backup", str(backup))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Backup written to {backup} (")
    site.add_user("bob")

    result = site.jpoa("restore", str(backup), "--yes")

    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout
    assert "jpoa init" not in result.stdout  # the backup is as new as the code
    assert site.usernames() == ["alice"]
    if not site.database_url:  # stamped, for the search memory of a running server
        assert site.query("PRAGMA user_version") != [(0,)]


def test_a_restore_asks_for_confirmation(site, tmp_path):
    backup = tmp_path / "empty.backup"
    site.jpoa("backup", str(backup))
    site.add_user("alice")

    result = site.jpoa("restore", str(backup))  # not at a terminal, no --yes

    assert_one_line_error(result, "--yes")
    assert site.usernames() == ["alice"]


def test_backup_names_files_by_time_and_keeps_the_newest(site):
    def new_backup(*args: str) -> str:
        before = set(site.backups()) if (site.data_dir / "backups").exists() else set()
        result = site.jpoa("backup", *args)
        assert result.returncode == 0, result.stderr
        (name,) = set(site.backups()) - before
        return name

    made = [new_backup() for _ in range(3)]  # within a second or two: jpoa-<time>-2.* etc.
    suffix = ".pgdump" if ON_POSTGRES else ".sqlite3"
    assert all(name.startswith("jpoa-2") and name.endswith(suffix) for name in made)
    (site.data_dir / "backups" / "notes.txt").write_text("not a backup: left alone")

    made.append(new_backup("--keep", "2"))

    assert site.backups() == sorted([made[2], made[3], "notes.txt"])


def test_backup_refuses_keep_zero(site):
    result = site.jpoa("backup", "--keep", "0")
    assert result.returncode != 0
    assert "--keep" in result.stderr


@only_sqlite
def test_an_sqlite_backup_is_one_checked_file(site, tmp_path):
    site.add_user("alice")
    backup = tmp_path / "copy.sqlite3"
    site.jpoa("backup", str(backup))
    with closing(sqlite3.connect(backup)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT username FROM auth_user").fetchall() == [("alice",)]
    assert list(tmp_path.glob("*.tmp")) == []


@only_sqlite
def test_a_backup_restores_into_a_new_data_dir(site, tmp_path):
    site.add_user("alice")
    backup = tmp_path / "copy.sqlite3"
    site.jpoa("backup", str(backup))
    new_site = Site(tmp_path / "new-server")

    result = new_site.jpoa("restore", str(backup), "--yes")

    assert result.returncode == 0, result.stderr
    assert new_site.usernames() == ["alice"]


def test_a_restore_of_an_older_backup_suggests_jpoa_init(site, tmp_path):
    site.execute("DELETE FROM django_migrations WHERE app = 'events'")  # as if made before
    backup = tmp_path / "old.backup"
    site.jpoa("backup", str(backup))

    result = site.jpoa("restore", str(backup), "--yes")

    assert result.returncode == 0, result.stderr
    assert "older than this version of jpoa" in result.stdout
    assert "run `jpoa init`" in result.stdout


def make_not_a_backup(kind: str, path: Path) -> Path:
    if kind == "text file":
        path.write_text("name,acronym\nOrganization for Security and Co-operation,OSCE\n")
    elif kind == "random bytes":
        path.write_bytes(secrets.token_bytes(64 * 1024))
    elif kind == "empty file":
        path.write_bytes(b"")
    elif kind == "foreign SQLite database":
        with closing(sqlite3.connect(path)) as connection, connection:
            connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    elif kind == "directory":
        path.mkdir()
    return path  # "missing file": nothing there


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(site, tmp_path):
    site.add_user("alice")
    path = make_not_a_backup("text file", tmp_path / "suspect")

    result = site.jpoa("restore", str(path), "--yes")

    assert_one_line_error(result, f"jpoa: {path} is not a jpoa backup (")
    assert site.usernames() == ["alice"]


@pytest.mark.parametrize(
    "kind", ["random bytes", "empty file", "foreign SQLite database", "directory", "missing file"]
)
def test_restore_refuses_any_other_file_that_is_not_a_backup(db, tmp_path, kind):
    """The same refusal as above, for other files, in this process (a subprocess apiece
    would only add the start of `jpoa`, which the test above already runs)."""
    get_user_model().objects.create_user("alice")
    path = make_not_a_backup(kind, tmp_path / "suspect")

    with pytest.raises(CommandError, match="is not a jpoa backup \\("):
        call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["alice"]


def test_a_truncated_backup_changes_nothing(site, tmp_path):
    full, truncated = tmp_path / "full", tmp_path / "truncated"
    site.jpoa("backup", str(full))
    truncated.write_bytes(full.read_bytes()[: full.stat().st_size * 6 // 10])
    site.add_user("alice")

    result = site.jpoa("restore", str(truncated), "--yes")

    assert result.returncode == 1
    # Refused when checked, or (PostgreSQL) rolled back when pg_restore hits the end.
    assert "is not a jpoa backup" in result.stderr or "data is unchanged" in result.stderr
    assert site.usernames() == ["alice"]


def test_restore_refuses_a_backup_for_the_other_kind_of_database(site, tmp_path):
    site.add_user("alice")
    path = tmp_path / "other-kind"
    if ON_POSTGRES:
        with closing(sqlite3.connect(path)) as connection, connection:
            connection.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY)")
        expected = "it is an SQLite database and this site uses PostgreSQL"
    else:
        path.write_bytes(b"PGDMP\x01\x0f\x00" + secrets.token_bytes(1000))
        expected = "it is a PostgreSQL dump and this site uses SQLite"

    result = site.jpoa("restore", str(path), "--yes")

    assert_one_line_error(result, expected)
    assert site.usernames() == ["alice"]


@only_postgres
def test_restore_refuses_a_dump_of_another_postgres_database(site, tmp_path):
    site.add_user("alice")
    dump = tmp_path / "other.pgdump"
    other = urlsplit(database_url_named("postgres"))
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}"],
        env={
            **os.environ,
            "PGHOST": other.hostname or "localhost",
            "PGPORT": str(other.port or 5432),
            "PGUSER": other.username or "postgres",
            "PGPASSWORD": other.password or "",
            "PGDATABASE": "postgres",
        },
        check=True,
    )

    result = site.jpoa("restore", str(dump), "--yes")

    assert_one_line_error(result, "a PostgreSQL dump without jpoa's tables")
    assert site.usernames() == ["alice"]


# serve


def test_serve_refuses_a_database_that_is_not_set_up(tmp_path):
    result = run_jpoa("serve", env=jpoa_env(tmp_path))
    assert_one_line_error(result, "run `jpoa init` first")


def test_serve_refuses_to_run_without_collected_static_files(site):
    result = site.jpoa("serve")
    assert_one_line_error(result, "static files are not collected")


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str) -> int | None:
    """The HTTP status of a GET, or None when nothing answers yet."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


QUEUE_A_REPORT = (
    "from jpoa.analysis.models import ReportRequest\n"
    "from jpoa.analysis.report import find_phase\n"
    "from jpoa.analysis.tasks import start_report\n"
    "start_report(ReportRequest.objects.create(phase=find_phase('II'), format='xlsx', "
    "language='en'))"
)


def test_serve_serves_the_site_that_init_set_up(site, tmp_path):
    assert site.jpoa("init").returncode == 0  # collects static files, loads the data set
    # A page cached by the code that ran before: the cache is on disk, so it survives.
    stale = site.data_dir / "cache" / "0123456789abcdef.djcache"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"a page of the previous version")
    # Work queued while no server ran (a report asked for on the web) waits for the worker.
    queued = site.jpoa("shell", "-c", QUEUE_A_REPORT)
    assert queued.returncode == 0, queued.stderr
    port = free_port()
    env = jpoa_env(site.data_dir, site.database_url)
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "jpoa", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        status, deadline = None, time.monotonic() + 20
        while status is None and server.poll() is None and time.monotonic() < deadline:
            status = http_status(f"http://127.0.0.1:{port}/en/")
            if status is None:
                time.sleep(0.1)
        assert status == 200, log.read_text()
        assert http_status(f"http://127.0.0.1:{port}/en/admin/login/") == 200
        assert not stale.exists()  # the server starts with none of the old code's pages
        written, deadline = [], time.monotonic() + 60
        while not written and time.monotonic() < deadline:  # `serve` started `jpoa worker`
            written = site.query("SELECT file_name FROM analysis_reportrequest WHERE size > 0")
            if not written:
                time.sleep(0.2)
        assert written, log.read_text()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    output = log.read_text()
    assert f"serving http://127.0.0.1:{port}/" in output
    assert "GET /en/admin/login/" in output  # the access log


@pytest.mark.parametrize(
    "options, expected",
    [
        (["--role", "organisation_focal_point", "--organisation", "osce"], ("osce", None)),
        (["--role", "state_focal_point", "--country", "kz"], (None, "KZ")),
        (["--role", "coordinator"], (None, None)),
    ],
)
def test_createuser_gives_a_programme_role(default_data, monkeypatch, options, expected):
    from jpoa.accounts.models import Profile

    monkeypatch.setenv("JPOA_PASSWORD", PASSWORD)
    call_command("createuser", "--username", "fp", "--noinput", *options, stdout=io.StringIO())
    profile = Profile.objects.select_related("organisation", "country").get(user__username="fp")
    assert profile.role == options[1]
    organisation, country = expected
    assert (profile.organisation and profile.organisation.key) == organisation
    assert (profile.country and profile.country.iso2) == country


@pytest.mark.parametrize(
    "options, message",
    [
        (["--role", "organisation_focal_point"], "needs --organisation"),
        (["--role", "organisation_focal_point", "--organisation", "osec"], "no organisation"),
        (["--role", "state_focal_point", "--country", "XX"], "no country"),
        (["--organisation", "osce"], "go with --role"),
    ],
)
def test_createuser_refuses_a_role_it_cannot_give_and_creates_no_one(
    default_data, monkeypatch, options, message
):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("JPOA_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match=message):
        call_command("createuser", "--username", "fp", "--noinput", *options)
    assert not get_user_model().objects.exists()


def test_what_jpoa_writes_is_not_readable_by_other_users(site, tmp_path):
    backup = tmp_path / "jpoa.backup"
    result = subprocess.run(
        [sys.executable, "-m", "jpoa", "backup", str(backup)],
        env=jpoa_env(site.data_dir, site.database_url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # the usual shell default: files readable by all
    )
    assert result.returncode == 0, result.stderr
    assert backup.stat().st_mode & 0o007 == 0
