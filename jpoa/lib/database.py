"""The configured database, described for people and for PostgreSQL's client programs."""

import os

from django.conf import settings
from django.db import models


def database_vendor() -> str:
    """ "sqlite" or "postgresql" (or another Django vendor name) for the default database."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    return engine.rsplit(".", 1)[-1]


def describe_database() -> str:
    """Where the default database is, without the password: a file or scheme://host:port/name."""
    db = settings.DATABASES["default"]
    vendor = database_vendor()
    if vendor == "sqlite":
        return str(db["NAME"])
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{vendor}://{host}{port}/{db.get('NAME') or ''}"


# Connection options that libpq's programs (pg_dump, pg_restore) read from the environment.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def libpq_environment() -> dict[str, str]:
    """os.environ plus PGHOST, PGPASSWORD, ... for the default database.

    The password goes in the environment, not on the command line, where any
    user of the machine could read it in the process list.
    """
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        if db.get(key):
            env[variable] = str(db[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return env


def insert_rows(model, rows: list[dict], *, batch: int = 1000) -> None:
    """Insert plain rows (field name -> Python value) with one ``executemany`` a batch.

    For the bulk writes of imports, where `QuerySet.bulk_create` spends most of its
    time building a model instance per row and preparing each value through it.
    Every concrete field of the model gets a value: the row's, else the field's
    default (``auto_now`` fields: now). Values are prepared for the database by the
    field itself (`get_db_prep_save`), once for each distinct value of a repeated
    kind (dates, choices, foreign keys). No signals are sent and no ids returned.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.utils import timezone

    connection = connections[DEFAULT_DB_ALIAS]  # the object itself: the proxy costs per use
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.name in rows[0]]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.name] = now
        elif f.has_default() or f.null or f.blank:
            defaults[f.name] = f.get_default()
    # Text goes to the database as it is (what a text field's preparation returns for a
    # str); values of other kinds repeat (dates, choices, keys) and are prepared once each.
    TEXT, OTHER, MEMO = 0, 1, 2
    plan = []
    for f in fields:
        plain = (
            type(f).get_db_prep_save is models.Field.get_db_prep_save
            and type(f).get_db_prep_value is models.Field.get_db_prep_value
            and type(f).get_prep_value
            in (models.CharField.get_prep_value, models.TextField.get_prep_value)
        )
        if plain and isinstance(f, models.CharField | models.TextField):
            kind = TEXT
        elif isinstance(f, models.JSONField):
            kind = OTHER
        else:
            kind = MEMO
        plan.append((f.name, defaults.get(f.name), f.get_db_prep_save, kind, {}))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            values = []
            for row in rows[start : start + batch]:
                line = []
                for name, default, prepare, kind, memo in plan:
                    value = row.get(name, default)
                    if kind == TEXT and value.__class__ is str:
                        line.append(value)
                    elif kind == MEMO:
                        try:
                            line.append(memo[value])
                        except KeyError:
                            memo[value] = prepare(value, connection)
                            line.append(memo[value])
                        except TypeError:  # not hashable
                            line.append(prepare(value, connection))
                    else:
                        line.append(prepare(value, connection))
                values.append(line)
            cursor.executemany(sql, values)
            for *_, memo in plan:
                if len(memo) > 10_000:
                    memo.clear()
