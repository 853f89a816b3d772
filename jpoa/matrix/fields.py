"""The fields of an activity that people and files write, and who may write each.

One list, in the order the back office's form shows them. The editor's form, the
focal point's rule (which fields an organisation may change in its own rows), the
write API's form, the import's form and the update round's proposal all take their
fields from here; the published record (`jpoa.dataset.export.activity_record`) and
the internal-field marker (`jpoa.accounts.internal`) are checked against it by the
tests (tests/test_activity_writes.py).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivityField:
    name: str  # the form's and the model's name (one per language for a translated text)
    focal_point: bool = False  # an organisation's focal point may change it in its own rows
    api: bool = False  # the write API takes it
    imported: bool = False  # an imported file sets it
    internal: bool = False  # never published: the back office only


def _shared(name: str) -> ActivityField:
    """A field the focal point, the API and imports all write."""
    return ActivityField(name, focal_point=True, api=True, imported=True)


FIELDS: tuple[ActivityField, ...] = (
    ActivityField("key", api=True, imported=True),
    ActivityField("iati_identifier", api=True, imported=True),
    ActivityField("lead_organisation", api=True, imported=True),
    *(
        _shared(name)
        for name in (
            "title_en",
            "title_ru",
            "description_en",
            "description_ru",
            "pillars",
            "countries",
            "region_wide",
            "start_date",
            "end_date",
            "status",
            "partners",
            "donors",
            "budget",
            "currency",
        )
    ),
    ActivityField("action_items", api=True),
    ActivityField("framework_areas"),
    ActivityField("source_url", api=True, imported=True),
    ActivityField("last_verified", api=True),
    ActivityField("internal_notes", internal=True),
    ActivityField("source"),
    ActivityField("source_locator"),
    ActivityField("classification_basis"),
    ActivityField("provenance_note"),
)

# The back office's form: every field.
EDITOR_FIELDS = tuple(f.name for f in FIELDS)
# What an organisation's focal point may change (round proposals hold these too).
FOCAL_POINT_FIELDS = tuple(f.name for f in FIELDS if f.focal_point)
API_WRITE_FIELDS = tuple(f.name for f in FIELDS if f.api)
IMPORTED_FIELDS = tuple(f.name for f in FIELDS if f.imported)
INTERNAL_FIELDS = tuple(f.name for f in FIELDS if f.internal)
