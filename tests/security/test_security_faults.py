"""Nothing lost: failures injected mid-way, processes killed mid-way, concurrent editors,
backups under load and a restore drill.

The in-process tests patch a function to fail half-way through an import or a
publication. The others run jpoa as an operator does, in separate processes, on
an installation of their own (SQLite, or PostgreSQL under DATABASE_URL), seeded
with the default data set and thousands of activities.
"""

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from test_cli import ON_POSTGRES, Site, copy_sqlite, database_url_named, jpoa_env, postgres_admin

from jpoa.dataset import DEFAULT_DATASET
from jpoa.exchange import apply
from jpoa.exchange.apply import ImportFailed, apply_import, start_import_from_path
from jpoa.exchange.models import ImportRecord
from jpoa.matrix import editions, writes
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity, Edition
from tests.factories import PUBLISHER, coordinator, titled_activity

HERE = Path(__file__).resolve().parent
SEEDED_ACTIVITIES = 6000  # more than one chunk of a publication (editions.CHUNK)
IMPORT_ROWS = (
    3000  # the import reports progress a batch (1,000 rows) at a time: kill after the first
)
HEADER = "organisation,title,country,status,start\n"


def import_csv(path: Path, rows: int, prefix: str = "Imported") -> Path:
    organisations = ["OSCE", "UNODC", "UNRCCA"]
    lines = (
        f"{organisations[n % 3]},{prefix} activity {n},KZ,ongoing,2015-01-01\n" for n in range(rows)
    )
    path.write_text(HEADER + "".join(lines))
    return path


def database_state() -> dict:
    """Row count and checksum of every table, read in this process."""
    sys.path.insert(0, str(HERE))
    from workload import fingerprint

    return fingerprint()


# -- failures injected mid-way ---------------------------------------------------------


def failing_after(calls: int, real, error: Exception):
    count = {"n": 0}

    def wrapper(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise error
        return real(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("error", [RuntimeError("disk full"), apply.IntegrityError("duplicate")])
def test_an_import_failing_half_way_leaves_no_trace(default_data, tmp_path, error):
    user = coordinator()
    record, preview = start_import_from_path(import_csv(tmp_path / "a.csv", 40), user=user)
    before = database_state()
    # The activities and their links are written, then their audit entries fail.
    failing = failing_after(1, writes.insert_rows, error)
    with (
        mock.patch.object(writes, "insert_rows", failing),
        pytest.raises((RuntimeError, ImportFailed)),
    ):
        apply_import(record=record, user=user, preview=preview)
    after = database_state()
    # Only the import's own record may tell that it failed; nothing else changed.
    changed = {table for table in before if before[table] != after[table]}
    assert changed <= {"exchange_importrecord"}
    record.refresh_from_db()
    if isinstance(error, RuntimeError):
        assert record.status == ImportRecord.Status.PENDING
        apply_import(record=record, user=user, preview=preview)  # the re-run works
        assert Activity.objects.filter(title_en__startswith="Imported").count() == 40
    else:
        assert record.status == ImportRecord.Status.FAILED and "duplicate" in record.message


def test_a_publication_failing_half_way_leaves_no_trace(default_data):
    for n in range(30):
        titled_activity(["osce", "unodc"][n % 2], f"Activity {n}")
    before = database_state()
    # The entries are written, then writing their facts fails.
    failing = failing_after(0, editions._write_facts_in_sql, RuntimeError("connection lost"))
    with mock.patch.object(editions, "_write_facts_in_sql", failing), pytest.raises(RuntimeError):
        publish_edition(by=PUBLISHER, title="Half-way")
    assert database_state() == before
    edition = publish_edition(by=PUBLISHER, title="Again")
    assert edition.activity_count == 30
    assert Edition.objects.filter(title_en="Half-way").count() == 0


def test_a_publication_failing_in_its_last_step_leaves_no_trace(default_data):
    titled_activity("osce", "Police reform")
    before = database_state()
    with (
        mock.patch.object(Edition, "save", side_effect=RuntimeError("killed")),
        pytest.raises(RuntimeError),
    ):
        publish_edition(by=PUBLISHER, title="Almost")
    assert database_state() == before


# -- installations of their own -------------------------------------------------------


def jpoa(site: Site, *args: str) -> subprocess.CompletedProcess:
    """`jpoa ARGS` in the installation, with time for a slow, shared machine."""
    return subprocess.run(
        [sys.executable, "-m", "jpoa", *args],
        env=jpoa_env(site.data_dir, site.database_url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
    )


def workload(site: Site, *args: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, str(HERE / "workload.py"), *args],
        env=jpoa_env(site.data_dir, site.database_url, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def state_of(site: Site) -> dict:
    return json.loads(workload(site, "fingerprint"))


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory):
    """A migrated installation with the default data and a coordinator."""
    data_dir = tmp_path_factory.mktemp("seeded")
    name = f"jpoa_seeded_{os.getpid()}"
    if ON_POSTGRES:
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres_admin(f"CREATE DATABASE {name}")
    template = Site(data_dir, database_url_named(name) if ON_POSTGRES else "")
    for args in (["migrate", "--noinput"], ["load", str(DEFAULT_DATASET)]):
        result = jpoa(template, *args)
        assert result.returncode == 0, result.stderr
    workload(template, "coordinator")
    yield template
    if ON_POSTGRES:
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def site(tmp_path, seeded_template):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if not ON_POSTGRES:
        copy_sqlite(seeded_template.data_dir / "jpoa.sqlite3", data_dir / "jpoa.sqlite3")
        yield Site(data_dir)
        return
    name = f"jpoa_big_{os.getpid()}_{tmp_path.name[-12:].replace('-', '_')}".lower()
    postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres_admin(
        f"CREATE DATABASE {name} TEMPLATE {seeded_template.database_url.rsplit('/', 1)[1]}"
    )
    try:
        yield Site(data_dir, database_url_named(name))
    finally:
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


PROGRESS = re.compile(rb"\r([\d,]+)/([\d,]+) (rows|activities)")


def kill_mid_way(site: Site, args: list[str], writing_started, deadline: float = 300) -> int:
    """Run `jpoa ARGS`, read its progress as it comes, SIGKILL it once WRITING_STARTED says so.

    The progress lines (on stderr) are read with select() as the process writes
    them: no sleeping, and a deadline in case the process never gets there.
    Returns how many items it had written when it was killed.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "jpoa", *args],
        env=jpoa_env(site.data_dir, site.database_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen, buffer, end = [], b"", time.monotonic() + deadline
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([process.stderr], [], [], end - time.monotonic())
            chunk = os.read(process.stderr.fileno(), 4096) if ready else b""
            if not chunk:
                pytest.fail(f"jpoa {args[0]} ended before it was killed: {buffer[-500:]!r}")
            buffer += chunk
            seen = [
                (int(d.replace(b",", b"")), int(t.replace(b",", b"")))
                for d, t, _ in PROGRESS.findall(buffer)
            ]
            if writing_started(seen):
                process.send_signal(signal.SIGKILL)
                break
        else:
            pytest.fail(f"jpoa {args[0]} did not get half-way in {deadline} s")
    finally:
        process.kill()
        returncode = process.wait()
        process.stderr.close()
    assert returncode == -signal.SIGKILL
    return seen[-1][0]


def applying(seen: list[tuple[int, int]]) -> bool:
    """The preview has counted every row (done == total) and the writing has begun."""
    finished_preview = next((i for i, (done, total) in enumerate(seen) if done == total), None)
    return finished_preview is not None and any(
        0 < done < total for done, total in seen[finished_preview + 1 :]
    )


@pytest.mark.drill
def test_an_import_killed_mid_way_leaves_the_data_as_before(site, tmp_path):
    big_site = site
    csv = import_csv(tmp_path / "big.csv", IMPORT_ROWS)
    before = state_of(big_site)
    args = ["import", str(csv), "--yes", "--user", "coord"]
    written = kill_mid_way(big_site, args, applying)
    assert 0 < written < IMPORT_ROWS
    after = state_of(big_site)
    changed = {table for table in before if before[table] != after[table]}
    # What the killed import left: its pending record (as after a preview), nothing else.
    assert changed <= {"exchange_importrecord"}
    [(status,)] = big_site.query("SELECT status FROM exchange_importrecord")
    assert status == "pending"

    result = jpoa(big_site, *args)
    assert result.returncode == 0, result.stderr
    added = big_site.query("SELECT COUNT(*) FROM matrix_activity WHERE title_en LIKE 'Imported%'")
    assert added == [(IMPORT_ROWS,)]


@pytest.mark.drill
def test_a_publication_killed_mid_way_leaves_the_data_as_before(site):
    big_site = site
    workload(big_site, "seed", str(SEEDED_ACTIVITIES))
    before = state_of(big_site)
    args = ["publish", "--title", "Killed", "--user", "coord"]
    written = kill_mid_way(big_site, args, lambda seen: any(d < t for d, t in seen))
    assert 0 < written < SEEDED_ACTIVITIES
    assert state_of(big_site) == before

    result = jpoa(big_site, *args)
    assert result.returncode == 0, result.stderr
    assert f"{SEEDED_ACTIVITIES:,} activities" in result.stdout
    [(number, count)] = big_site.query(
        "SELECT number, activity_count FROM matrix_edition WHERE title_en = 'Killed'"
    )
    assert count == SEEDED_ACTIVITIES


# -- concurrent editors -----------------------------------------------------------------

EDITORS, ROUNDS = 8, 10
BACKUP_ACTIVITIES = 2000


@pytest.mark.drill
def test_eight_concurrent_editors(site, record_property):
    big_site = site
    workload(big_site, "seed", str(EDITORS + 1))
    report = json.loads(workload(big_site, "editors", str(EDITORS), str(ROUNDS)))
    record_property("editors", report)
    print(json.dumps(report))
    assert report["errors"] == []  # never "database is locked"
    # Each editor's own activity: every save kept.
    assert report["own_saved"] == [ROUNDS] * EDITORS
    assert report["own_versions"] == [1 + ROUNDS] * EDITORS
    # The shared one: each round exactly one of the eight saves wins; seven are told.
    assert report["shared_saved"] == ROUNDS
    assert report["conflicts"] == (EDITORS - 1) * ROUNDS
    assert report["shared_version"] == 1 + ROUNDS


# -- long writes and everyone else -------------------------------------------------------------


# Django's test client in a workload process: its host name, static files by plain names.
VISITING = {"ALLOWED_HOSTS": "testserver", "JPOA_PLAIN_STATIC": "1"}


@pytest.mark.drill
@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL's writers lock rows, not the database")
def test_while_a_long_write_holds_the_lock_reads_answer_and_writes_are_asked_to_retry(site):
    """As during a 60,000-row import: reads, token reads included, never wait for the write
    lock; a write that waited the whole busy timeout is a 503 with Retry-After, not a 500."""
    created = jpoa(site, "token", "create", "--user", "coord", "--name", "drill")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    holder = subprocess.Popen(
        [sys.executable, str(HERE / "workload.py"), "hold-lock"],
        env=jpoa_env(site.data_dir),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        answers = json.loads(
            workload(site, "visitors", token, JPOA_SQLITE_BUSY_SECONDS="1", **VISITING)
        )
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    for read in ("token read, first use", "token read, again", "anonymous API read", "home page"):
        assert answers[read]["status"] == 200, (read, answers)
    assert answers["sign-in"]["status"] == 503 and answers["sign-in"]["retry_after"] == "15"
    # Once the long write is over, the same sign-in goes through.
    again = json.loads(workload(site, "visitors", token, **VISITING))
    assert again["sign-in"]["status"] == 302


@pytest.mark.drill
def test_eight_editors_lose_nothing_while_an_import_and_a_publication_run(site, tmp_path):
    """The editors' drill again, while a large import writes and an edition is published."""
    big_site = site
    workload(big_site, "seed", str(SEEDED_ACTIVITIES))
    csv = import_csv(tmp_path / "big.csv", 4 * IMPORT_ROWS, prefix="Meanwhile")
    env = jpoa_env(big_site.data_dir, big_site.database_url)
    long_writes = [
        subprocess.Popen(
            [sys.executable, "-m", "jpoa", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in (
            ["import", str(csv), "--yes", "--user", "coord"],
            ["publish", "--title", "Published meanwhile", "--user", "coord"],
        )
    ]
    try:
        report = json.loads(workload(big_site, "editors", str(EDITORS), str(ROUNDS)))
    finally:
        outcomes = [process.communicate(timeout=600) for process in long_writes]
    for process, (_out, err) in zip(long_writes, outcomes, strict=True):
        assert process.returncode == 0, err
    print(json.dumps(report))
    assert report["errors"] == []  # no save failed: each waited its turn
    assert report["own_saved"] == [ROUNDS] * EDITORS  # and none was lost
    assert report["own_versions"] == [1 + ROUNDS] * EDITORS
    assert report["shared_saved"] == ROUNDS and report["shared_version"] == 1 + ROUNDS
    [(imported,)] = big_site.query(
        "SELECT COUNT(*) FROM matrix_activity WHERE title_en LIKE 'Meanwhile%'"
    )
    assert imported == 4 * IMPORT_ROWS
    assert big_site.query(
        "SELECT COUNT(*) FROM matrix_edition WHERE title_en = 'Published meanwhile'"
    ) == [(1,)]
    assert audited_versions_agree(big_site)


# -- backups under load, and a restore drill -------------------------------------------------


def audited_versions_agree(site: Site) -> bool:
    """Each saved edit raised an activity's version and wrote its audit entry, together."""
    [(raised,)] = site.query("SELECT COALESCE(SUM(version - 1), 0) FROM matrix_activity")
    [(logged,)] = site.query(
        "SELECT COUNT(*) FROM auditlog_logentry e JOIN django_content_type t "
        "ON e.content_type_id = t.id WHERE t.app_label = 'matrix' AND t.model = 'activity' "
        "AND e.action = 1"
    )
    return raised == logged


def restored_site(tmp_path: Path, backup: Path, template: Site) -> Site:
    data_dir = tmp_path / "restored"
    data_dir.mkdir(parents=True)
    if ON_POSTGRES:
        name = f"jpoa_restored_{os.getpid()}"
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres_admin(f"CREATE DATABASE {name}")
        site = Site(data_dir, database_url_named(name))
    else:
        site = Site(data_dir)
    result = jpoa(site, "restore", str(backup), "--yes")
    assert result.returncode == 0, result.stderr
    return site


@pytest.mark.drill
def test_a_backup_under_load_is_consistent_and_restores(site, tmp_path):
    big_site = site
    workload(big_site, "seed", str(BACKUP_ACTIVITIES))
    load = subprocess.Popen(
        # Twice the rounds of the editors' test: long enough for several backups.
        [sys.executable, str(HERE / "workload.py"), "editors", str(EDITORS), str(2 * ROUNDS)],
        env=jpoa_env(big_site.data_dir, big_site.database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    backups = []
    try:
        while load.poll() is None and len(backups) < 3:
            backup = tmp_path / f"under-load-{len(backups)}.backup"
            result = jpoa(big_site, "backup", str(backup))
            assert result.returncode == 0, result.stderr
            backups.append(backup)
    finally:
        out, err = load.communicate(timeout=600)
    assert load.returncode == 0, err
    assert json.loads(out)["errors"] == []
    assert len(backups) >= 2
    print(f"{len(backups)} backups taken under load")

    # The restore drill: each backup brings back a consistent installation.
    versions = set()
    for backup in backups:
        site = restored_site(tmp_path / backup.stem, backup, big_site)
        try:
            assert audited_versions_agree(site)
            [(seeded,)] = site.query("SELECT COUNT(*) FROM matrix_activity")
            assert seeded == BACKUP_ACTIVITIES
            versions.add(site.query("SELECT SUM(version) FROM matrix_activity")[0][0])
            result = jpoa(site, "publish", "--title", "After the restore")
            assert result.returncode == 0, result.stderr
        finally:
            if site.database_url:
                postgres_admin(
                    f"DROP DATABASE IF EXISTS {site.database_url.rsplit('/', 1)[1]} WITH (FORCE)"
                )
    assert audited_versions_agree(big_site)
