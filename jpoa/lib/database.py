"""The configured database, described for people and for PostgreSQL's client programs."""

import os
from collections.abc import Callable
from typing import Any

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
    field itself (`get_db_prep_save`), a column at a time: text goes as it is (what a
    text field's preparation returns for a str or None), a value of another kind
    (dates, choices, foreign keys) is prepared once for each distinct value, and a
    JSON value once for each object (an audit entry's ``additional_data`` is one
    dictionary shared by every row). No signals are sent and no ids returned.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.utils import timezone

    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]  # the object itself: the proxy costs per use
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.name in rows[0]]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    now = timezone.now()
    plan = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            default = now
        elif f.has_default() or f.null or f.blank:
            default = f.get_default()
        else:
            default = None
        plan.append((f.name, default, _column_kind(f), f.get_db_prep_save))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            prepared = [
                _prepare_column(
                    [row.get(name, default) for row in chunk], kind, prepare, connection
                )
                for name, default, kind, prepare in plan
            ]
            cursor.executemany(sql, list(zip(*prepared, strict=True)))


_TEXT, _JSON, _REPEATED = "text", "json", "repeated"


def _column_kind(f: models.Field) -> str:
    plain = (
        type(f).get_db_prep_save is models.Field.get_db_prep_save
        and type(f).get_db_prep_value is models.Field.get_db_prep_value
        and type(f).get_prep_value
        in (models.CharField.get_prep_value, models.TextField.get_prep_value)
    )
    if plain and isinstance(f, models.CharField | models.TextField):
        return _TEXT
    if isinstance(f, models.JSONField):
        return _JSON
    return _REPEATED


def _prepare_column(values: list, kind: str, prepare, connection) -> list:
    """One column of a batch, ready for the database (see `insert_rows`)."""
    if kind == _TEXT:
        # A plain text field prepares a str as itself and None as None.
        return [v if v.__class__ is str or v is None else prepare(v, connection) for v in values]
    if kind == _JSON:
        out, last, last_prepared = [], object(), None
        for v in values:
            if v is not last:
                last, last_prepared = v, prepare(v, connection)
            out.append(last_prepared)
        return out
    return _each_once(values, lambda v: prepare(v, connection))


def _each_once(values: list, function) -> list:
    """FUNCTION of each value, called once for each distinct (hashable) value."""
    memo: dict = {}
    out = []
    for value in values:
        try:
            out.append(memo[value])
        except KeyError:
            out.append(memo.setdefault(value, function(value)))
        except TypeError:  # not hashable: called for this one alone
            out.append(function(value))
    return out


def orm_reader(model, name: str, connection) -> Callable[[Any], Any]:
    """A function giving a value of field NAME's column as the ORM reads it (for SQL
    functions that must agree with it, such as the decimals of SQLite's REAL)."""
    functions, column = _orm_converters(model._meta.get_field(name), model, connection)

    def read(value):
        for function in functions:
            value = function(value, column, connection)
        return value

    return read


def _orm_converters(field, model, connection) -> tuple[list, Any]:
    """The backend's and the field's converters of FIELD's column, and the column."""
    column = field.get_col(model._meta.db_table)
    return connection.ops.get_db_converters(column) + column.get_db_converters(connection), column


def _converted(rows: list, converters: dict, connection) -> list[tuple]:
    """ROWS with the ORM's converters applied: {column index: (functions, expression)}.

    A column at a time, each distinct value converted once (a date column of a hundred
    thousand rows holds a few thousand dates).
    """
    if not rows or not converters:
        return [tuple(row) for row in rows]
    columns = [list(column) for column in zip(*rows, strict=True)]
    for i, (functions, expression) in converters.items():
        columns[i] = _converted_column(columns[i], functions, expression, connection)
    return list(zip(*columns, strict=True))


def _converted_column(values: list, functions, expression, connection) -> list:
    def convert(value):
        for function in functions:
            value = function(value, expression, connection)
        return value

    return _each_once(values, convert)


def rows_where_in(model, names: list[str], name: str, values: list) -> list[tuple]:
    """The ``names`` fields of each row whose ``name`` field is one of ``values``.

    Values come back as the ORM gives them (the backend's and the fields' converters
    are applied), without the ORM's work per value of a long ``IN`` list; for the
    thousands of keys an import looks up. ``values`` are plain values of ``name``'s
    column (text, integers), passed to the database as they are, 500 to a query.
    """
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(n) for n in names]
    converters = {}
    for i, f in enumerate(fields):
        found, column = _orm_converters(f, model, connection)
        if found:
            converters[i] = (found, column)
    select = ", ".join(quote(f.column) for f in fields)
    where = quote(meta.get_field(name).column)
    out = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), 500):
            chunk = list(values[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {select} FROM {quote(meta.db_table)} WHERE {where} IN ({marks})", chunk
            )
            out.extend(_converted(cursor.fetchall(), converters, connection))
    return out
