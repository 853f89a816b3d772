"""The fields of an activity: who writes each, and how the published record holds it.

The one declaration of an activity's fields. `FIELDS` lists them in the order the back
office's form shows them, each with who may write it and how it is published
(`Published`: a plain value, a translated pair, a date, a decimal, a linked record's
key or a sorted list of them, a part of the provenance; `None`: never published).
`RECORD` gives the published record's order (it is not the form's, and published
records must not change). Derived from here:

- the forms: the editor's (`EDITOR_FIELDS`), the focal point's rule
  (`FOCAL_POINT_FIELDS`, which round proposals hold too), the write API's
  (`API_WRITE_FIELDS`) and the import's (`IMPORTED_FIELDS`);
- from `RECORD_FIELDS`, the published record's fields in order with their kinds: the
  data set's activity record (`jpoa.dataset.export.activity_record`), the snapshot an
  edition writes in SQL (`jpoa.matrix.editions`, a few lines of SQL per kind), the
  fields the write API takes and how it reads each (`jpoa.api.writes.ACTIVITY_FIELDS`),
  the API's schemas of the record and of a change (their types; `jpoa.api.schemas`,
  `jpoa.api.writes`), and what the tabular exports write in each column and its type
  (`jpoa.exchange.columns.published`);
- the internal fields (`INTERNAL_FIELDS`: those never published), declared to
  `jpoa.accounts.internal` when the app starts.

Declared beside their use, and refused or failed by a test when they do not follow
(tests/test_field_registry.py): the file columns (`jpoa.exchange.columns.COLUMNS`: their
order, hashtags and headers are the file format's), the words the API documents each
field with (`ACTIVITY_RECORD_DOCS`, `ACTIVITY_CHANGE_DOCS`; the record's schema lists them
in their order), the order changes are listed in (`jpoa.matrix.editions.FIELD_ORDER`)
and the provenance object, which every kind of record shares
(`jpoa.dataset.export.provenance_of`).
"""

import enum
from dataclasses import dataclass

from django.db.models import IntegerField

from jpoa.lib.languages import LANGUAGES


class Published(enum.Enum):
    """How the published record writes a field."""

    VALUE = "value"  # as it is: a text, a choice, a boolean
    TRANSLATED = "translated"  # {"en": ..., "ru": ...} of NAME_en, NAME_ru
    DATE = "date"  # ISO text, or null
    DECIMAL = "decimal"  # as str(Decimal) writes it, or null
    KEY = "key"  # the linked record, by its name (`by`)
    LINKS = "links"  # the linked records, by their names (`by`), sorted
    PROVENANCE = "provenance"  # in the record's "provenance" object, as `record`


@dataclass(frozen=True)
class ActivityField:
    name: str  # the form's and the model's name (one per language for a translated text)
    published: Published | None  # None: never published, the back office only (internal)
    focal_point: bool = False  # an organisation's focal point may change it in its own rows
    api: bool = False  # the write API takes it
    imported: bool = False  # an imported file sets it
    record: str = ""  # its name in the record (default: NAME, without a language suffix)
    by: str = "key"  # KEY, LINKS: what names a linked record ("key", "number", "iso2", "ref")
    when_any: bool = False  # LINKS: in the record (last) only when there are some

    @property
    def internal(self) -> bool:
        return self.published is None

    @property
    def record_name(self) -> str:
        if self.record:
            return self.record
        if self.published is Published.TRANSLATED:
            return self.name.rsplit("_", 1)[0]
        return self.name


def _shared(name: str, published: Published = Published.VALUE, **kwargs) -> ActivityField:
    """A field the focal point, the API and imports all write."""
    return ActivityField(name, published, focal_point=True, api=True, imported=True, **kwargs)


_V, _T, _D, _L = Published.VALUE, Published.TRANSLATED, Published.DATE, Published.LINKS

FIELDS: tuple[ActivityField, ...] = (
    ActivityField("key", _V, api=True, imported=True),
    ActivityField("iati_identifier", _V, api=True, imported=True),
    ActivityField("lead_organisation", Published.KEY, api=True, imported=True),
    *(_shared(f"title_{lang}", _T) for lang in LANGUAGES),
    *(_shared(f"description_{lang}", _T) for lang in LANGUAGES),
    _shared("pillars", _L, by="number"),
    _shared("countries", _L, by="iso2"),
    _shared("region_wide"),
    _shared("start_date", _D),
    _shared("end_date", _D),
    _shared("status"),
    _shared("partners", _L),
    _shared("donors", _L),
    _shared("budget", Published.DECIMAL),
    _shared("currency"),
    ActivityField("action_items", _L, api=True, by="ref"),
    ActivityField("framework_areas", _L, by="ref", when_any=True),
    ActivityField("source_url", _V, api=True, imported=True),
    ActivityField("last_verified", _D, api=True),
    ActivityField("internal_notes", None),
    ActivityField("source", Published.PROVENANCE, record="source"),
    ActivityField("source_locator", Published.PROVENANCE, record="locator"),
    ActivityField("classification_basis", Published.PROVENANCE, record="basis"),
    ActivityField("provenance_note", Published.PROVENANCE, record="note"),
)

# The published record's fields in its order, which the API's record and the snapshot
# keep too. Fields published only when there are some (`when_any`) come last: a record
# without them is the record written before they existed.
RECORD = (
    "key",
    "iati_identifier",
    "lead_organisation",
    "partners",
    "donors",
    "title",
    "description",
    "pillars",
    "action_items",
    "countries",
    "region_wide",
    "start_date",
    "end_date",
    "status",
    "budget",
    "currency",
    "source_url",
    "last_verified",
    "provenance",
    "framework_areas",
)


@dataclass(frozen=True)
class RecordField:
    """One field of the published record, of one activity field (or of several: a
    translated text's languages, the provenance's parts)."""

    name: str
    published: Published
    fields: tuple[ActivityField, ...]

    @property
    def model_name(self) -> str:
        """The model's field (a translated text: its name without the language)."""
        return self.fields[0].name if len(self.fields) == 1 else self.name

    @property
    def by(self) -> str:
        return self.fields[0].by

    @property
    def when_any(self) -> bool:
        return self.fields[0].when_any

    @property
    def api(self) -> bool:
        return any(f.api for f in self.fields)

    @property
    def model_field(self):
        """The model's field (Django's), for what the registry leaves to it: its type,
        its null, its length, the model it links to."""
        from .models import Activity

        return Activity._meta.get_field(self.model_name)

    @property
    def numbered(self) -> bool:
        """Whether the records a KEY or LINKS field links to are named by numbers."""
        if self.by == "ref" or not self.model_field.is_relation:
            return False
        return isinstance(self.model_field.related_model._meta.get_field(self.by), IntegerField)


def _record_fields() -> tuple[RecordField, ...]:
    grouped: dict[str, list[ActivityField]] = {}
    for f in FIELDS:
        if not f.internal:
            name = "provenance" if f.published is Published.PROVENANCE else f.record_name
            grouped.setdefault(name, []).append(f)
    if set(grouped) != set(RECORD) or len(RECORD) != len(set(RECORD)):
        raise ValueError(f"RECORD must name each published field once: {sorted(grouped)}")
    optional = [name for name in RECORD if grouped[name][0].when_any]
    if RECORD[len(RECORD) - len(optional) :] != tuple(optional):
        raise ValueError("A field published only when there are some must come last in RECORD.")
    return tuple(
        RecordField(name, grouped[name][0].published, tuple(grouped[name])) for name in RECORD
    )


RECORD_FIELDS = _record_fields()

# The back office's form: every field.
EDITOR_FIELDS = tuple(f.name for f in FIELDS)
# What an organisation's focal point may change (round proposals hold these too).
FOCAL_POINT_FIELDS = tuple(f.name for f in FIELDS if f.focal_point)
API_WRITE_FIELDS = tuple(f.name for f in FIELDS if f.api)
IMPORTED_FIELDS = tuple(f.name for f in FIELDS if f.imported)
INTERNAL_FIELDS = tuple(f.name for f in FIELDS if f.internal)
