"""The published matrix, as every public reader reads it.

The public never sees drafts: pages, their JSON twins, the API, exports, the search and
the static site read activities from the latest published edition (its entries'
snapshots and its fact tables), never from the current `Activity` table. This module
says which edition that is, and how a snapshot reads.
"""

from dataclasses import dataclass

from django.utils.translation import get_language

from jpoa.core.models import Country, Organisation

from .models import Activity, Edition

CURRENT_STATUSES = (Activity.Status.PLANNED, Activity.Status.ONGOING)


def latest_edition() -> Edition | None:
    """The latest published edition of the matrix: what the public sees."""
    return Edition.objects.order_by("-number").first()


def record_text(value: dict | None) -> str:
    """A snapshot's translated text ({"en": ..., "ru": ...}) in the current language."""
    value = value or {}
    return value.get(get_language() or "en") or value.get("en") or next(iter(value.values()), "")


@dataclass
class PublishedActivity:
    """An activity as a published edition has it."""

    entry_id: int
    key: str
    title: str
    lead_organisation: Organisation | None
    status: str
    countries: list[Country]
    region_wide: bool


def published_activities(entries) -> list[PublishedActivity]:
    """Snapshots (an `EditionEntry` queryset) as `PublishedActivity` rows, in title order.

    Two queries beyond the entries': their lead organisations and countries.
    """
    rows = list(entries.values("pk", "data"))
    records = [row["data"] for row in rows]
    orgs = {
        o.key: o
        for o in Organisation.objects.filter(key__in={r["lead_organisation"] for r in records})
    }
    isos = {iso for r in records for iso in r["countries"]}
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in=isos)} if isos else {}
    activities = [
        PublishedActivity(
            entry_id=row["pk"],
            key=r["key"],
            title=record_text(r["title"]),
            lead_organisation=orgs.get(r["lead_organisation"]),
            status=r["status"],
            countries=[countries[c] for c in r["countries"] if c in countries],
            region_wide=r["region_wide"],
        )
        for row in rows
        for r in [row["data"]]
    ]
    return sorted(activities, key=lambda a: a.title.casefold())
