"""Workloads run in a jpoa installation of their own, as separate processes.

    python workload.py coordinator      a coordinator, "coord"
    python workload.py seed N           N activities more (bulk, for size)
    python workload.py editors P R      P editor processes, R rounds each (JSON report)
    python workload.py fingerprint      row count and checksum of every table (JSON)
    python workload.py hold-lock        SQLite: hold the write lock until a line on stdin
    python workload.py visitors TOKEN   token reads, pages and a sign-in through Django (JSON)

The environment (JPOA_DATA_DIR, DATABASE_URL) names the installation, as for `jpoa`.
"""

import hashlib
import json
import multiprocessing
import os
import sys
import time


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jpoa.settings")
    import django

    django.setup()


def add_coordinator() -> None:
    from django.contrib.auth import get_user_model

    from jpoa.accounts.models import Profile, Role

    user = get_user_model().objects.create_user("coord", password="a long passphrase 4 tests")
    Profile.objects.create(user=user, role=Role.COORDINATOR)


def seed(count: int) -> None:
    from jpoa.core.models import Country, Organisation
    from jpoa.matrix.models import Activity
    from jpoa.plan.models import Pillar

    organisations = list(Organisation.objects.all())
    Activity.objects.bulk_create(
        Activity(
            key=f"seeded-{n}",
            version=1,
            lead_organisation=organisations[n % len(organisations)],
            title_en=f"Seeded activity {n}",
            status=Activity.Status.ONGOING,
            start_year=2015,
        )
        for n in range(count)
    )
    pillar, country = Pillar.objects.first(), Country.objects.filter(in_region=True).first()
    ids = list(Activity.objects.filter(key__startswith="seeded-").values_list("pk", flat=True))
    Activity.pillars.through.objects.bulk_create(
        Activity.pillars.through(activity_id=pk, pillar_id=pillar.pk) for pk in ids
    )
    Activity.countries.through.objects.bulk_create(
        Activity.countries.through(activity_id=pk, country_id=country.pk) for pk in ids
    )


def fingerprint() -> dict[str, list]:
    """Each table's row count and a checksum of its rows in primary-key order."""
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            digest, rows = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
                rows += 1
            result[table] = [rows, digest.hexdigest()]
    return result


# -- concurrent editors ---------------------------------------------------------------


def editor(number: int, rounds: int, own_id: int, shared_id: int, barrier, queue) -> None:
    """One editor: each round, a save of its own activity, then a race on the shared one."""
    setup()
    from django.contrib.auth import get_user_model
    from django.db import OperationalError, connection

    from jpoa.matrix.editing import EditConflict
    from jpoa.matrix.models import Activity
    from jpoa.matrix.writes import update_activity

    user = get_user_model().objects.get(username="coord")
    tally = {"saved": 0, "conflicts": 0, "errors": [], "own_saved": 0, "shared_saved": 0}
    connection.close()
    for n in range(rounds):
        for activity_id, kind in ((own_id, "own"), (shared_id, "shared")):
            version = Activity.objects.values_list("version", flat=True).get(pk=activity_id)
            barrier.wait()  # everyone has read the same version: now all save at once
            asked = time.perf_counter()
            try:
                update_activity(
                    activity_id=activity_id,
                    data={"title_en": f"Editor {number}, round {n}, {kind}"},
                    expected_version=version,
                    user=user,
                )
                tally["saved"] += 1
                tally[f"{kind}_saved"] += 1
            except EditConflict:
                tally["conflicts"] += 1
            except OperationalError as exc:
                tally["errors"].append(str(exc))
            finally:
                tally["waited_ms"] = max(
                    tally.get("waited_ms", 0), round((time.perf_counter() - asked) * 1000)
                )
    queue.put(tally)


def editors(processes: int, rounds: int) -> dict:
    from jpoa.matrix.models import Activity

    ids = list(Activity.objects.order_by("pk").values_list("pk", flat=True)[: processes + 1])
    shared, own = ids[0], ids[1:]
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=editor, args=(n, rounds, own[n], shared, barrier, queue))
        for n in range(processes)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    tallies = [queue.get(timeout=300) for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    versions = dict(Activity.objects.filter(pk__in=ids).values_list("pk", "version"))
    return {
        "processes": processes,
        "rounds": rounds,
        "attempts": processes * rounds * 2,
        "saved": sum(t["saved"] for t in tallies),
        "conflicts": sum(t["conflicts"] for t in tallies),
        "errors": [e for t in tallies for e in t["errors"]],
        "seconds": round(elapsed, 2),
        "own_saved": [t["own_saved"] for t in tallies],
        "shared_saved": sum(t["shared_saved"] for t in tallies),
        "own_versions": [versions[pk] for pk in own],
        "shared_version": versions[shared],
        "longest_wait_ms": max(t.get("waited_ms", 0) for t in tallies),
    }


# -- a long write and the requests that come meanwhile ----------------------------------------


def hold_lock() -> None:
    """Take SQLite's write lock as a long import does, say so, and keep it until told."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        sys.stdin.readline()
        cursor.execute("COMMIT")


def visitors(token: str) -> dict:
    """What people do while a long write runs, through Django's whole request handling."""
    from django.test import Client

    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = {}

    def ask(name: str, response) -> None:
        answers[name] = {
            "status": response.status_code,
            "retry_after": response.get("Retry-After"),
            "seconds": round(time.perf_counter() - started, 2),
        }

    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for name, path, headers in (
        ("token read, first use", "/api/v1/countries", bearer),
        ("token read, again", "/api/v1/organisations", bearer),
        ("anonymous API read", "/api/v1/events", {}),
        ("home page", "/en/", {}),
    ):
        started = time.perf_counter()
        ask(name, client.get(path, **headers))
    started = time.perf_counter()
    ask(
        "sign-in",
        client.post(
            "/en/accounts/login/",
            {"username": "coord", "password": "a long passphrase 4 tests"},
        ),
    )
    return answers


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    command, *args = sys.argv[1:]
    setup()
    if command == "coordinator":
        add_coordinator()
    elif command == "seed":
        seed(int(args[0]))
    elif command == "fingerprint":
        print(json.dumps(fingerprint()))
    elif command == "hold-lock":
        hold_lock()
    elif command == "visitors":
        print(json.dumps(visitors(args[0])))
    elif command == "editors":
        print(json.dumps(editors(int(args[0]), int(args[1]))))
    else:
        sys.exit(f"unknown workload: {command}")
