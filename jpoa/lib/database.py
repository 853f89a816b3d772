"""The configured database, described for people and for PostgreSQL's client programs."""

import os

from django.conf import settings


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
