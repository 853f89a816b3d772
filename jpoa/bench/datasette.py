"""The same activities as one denormalised SQLite table, as a user would give Datasette.

One row per activity, pillar and place (as a 3W spreadsheet has it), with the columns the
matrix filters by, each indexed: Datasette's facets on `country` and `pillar` then count
what the heatmap counts, and on `lead_organisation` and `pillar` for one country what
the organisations matrix counts.
"""

import sqlite3
from pathlib import Path

from jpoa.matrix.models import Edition, EditionFact

FILE_NAME = "datasette.sqlite3"
TABLE = "activities"
COLUMNS = (
    "key",
    "title",
    "lead_organisation",
    "organisation_type",
    "status",
    "start_year",
    "end_year",
    "country",
    "pillar",
)
INDEXED = (
    "lead_organisation",
    "organisation_type",
    "status",
    "start_year",
    "end_year",
    "country",
    "pillar",
)


def export(path: Path) -> int:
    """Write the latest edition as the table; returns the number of rows."""
    edition = Edition.objects.order_by("-number").first()
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE {TABLE} ({', '.join(COLUMNS)})")
    facts = (
        EditionFact.objects.filter(edition=edition)
        .order_by()
        .values_list(
            "entry__activity_key",
            "entry__activity__title_en",
            "lead_organisation__key",
            "organisation_type",
            "status",
            "start_year",
            "end_year",
            "country__iso2",
            "region_wide",
            "pillar_number",
        )
    )
    rows = 0
    batch = []
    marks = ", ".join("?" * len(COLUMNS))
    for key, title, org, org_type, status, start, end, iso2, region, pillar in facts.iterator(
        chunk_size=20_000
    ):
        place = iso2 or ("region" if region else "none")
        batch.append((key, title, org, org_type, status, start, end, place, pillar))
        if len(batch) >= 20_000:
            db.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", batch)
            rows += len(batch)
            batch = []
    db.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", batch)
    rows += len(batch)
    for column in INDEXED:
        db.execute(f"CREATE INDEX {TABLE}_{column} ON {TABLE} ({column})")
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return rows
