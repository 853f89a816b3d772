"""The API's record shapes: those of the data set format (`jpoa.dataset.export`), described.

An activity of an edition is exactly the record the edition keeps (and a data set
export writes), so the API, the export and the editions describe it in the same words.
"""

import datetime
from typing import Any, Literal

from django.db.models import BooleanField
from pydantic import BaseModel, Field, create_model

from jpoa.core.models import Organisation
from jpoa.events.models import Finding
from jpoa.library.models import Resource
from jpoa.matrix import fields as registry
from jpoa.matrix.fields import Published, RecordField
from jpoa.matrix.models import Activity


def choice(values) -> Any:
    """The type of a field that takes one of a model's choices (an enum in the schema)."""
    return Literal[tuple(values)]


KEY = "The record's stable key (a slug); use it in URLs and references."


class Translated(BaseModel):
    """A text in each language of the site."""

    en: str = Field(description="English.")
    ru: str = Field(description="Russian.")


class Provenance(BaseModel):
    source: str | None = Field(description="Key of the source the record cites (see /sources).")
    locator: str = Field(description="Where in the source (section, page, paragraph).")
    basis: str = Field(
        description="`stated` when the source states the classification, `inferred` when "
        "an editor inferred it."
    )
    note: Translated | str | None = Field(
        None,
        description="A note on the provenance, if any (a plain string in editions "
        "published before notes were kept in both languages).",
    )


class Country(BaseModel):
    iso2: str = Field(description="ISO 3166 alpha-2 code.")
    iso3: str = Field(description="ISO 3166 alpha-3 code.")
    name: Translated = Field(description="The country's name.")
    in_region: bool = Field(description="Whether the state is one of the plan's region.")
    provenance: Provenance = Field(description="Where the record comes from.")


class OrganisationRecord(BaseModel):
    key: str = Field(description=KEY)
    acronym: Translated = Field(description="Acronym (OSCE, UNODC, ...).")
    name: Translated = Field(description="Full name.")
    type: str = Field(
        description="Type: " + ", ".join(Organisation.Type.values) + ".",
    )
    parent: str | None = Field(description="Key of the parent organisation.")
    country: str | None = Field(description="For a state body: its state (ISO alpha-2).")
    website: str = Field(description="Website URL (may be empty).")
    iati_id: str = Field(description="IATI organisation identifier (may be empty).")
    description: Translated = Field(description="Description.")
    provenance: Provenance = Field(description="Where the record comes from.")


class Pillar(BaseModel):
    number: int = Field(description="The pillar's number (1 to 4).")
    numeral: str = Field(description="The pillar's Roman numeral (I to IV).")
    short_title: Translated = Field(description="Short title.")
    title: Translated = Field(description="Full title.")
    provenance: Provenance = Field(description="Where the record comes from.")


class FrameworkArea(BaseModel):
    code: str = Field(description="The area's code in its framework; `area=` takes it.")
    title: Translated = Field(description="Title.")
    position: int = Field(description="Its place in the framework's order.")
    provenance: Provenance = Field(description="Where the record comes from.")


class Framework(BaseModel):
    key: str = Field(description="Key; the matrix endpoints' `framework=` takes it.")
    title: Translated = Field(description="Title.")
    short_title: Translated = Field(description="Short title.")
    symbol: str = Field(description="Official document symbol (may be empty).")
    description: Translated = Field(description="Description.")
    position: int = Field(description="Its place among the frameworks.")
    provenance: Provenance = Field(description="Where the record comes from.")
    areas: list[FrameworkArea] = Field(description="Its areas, in order.")


class ActionItem(BaseModel):
    code: str = Field(description="The item's code in its plan version, e.g. II.3.")
    pillar: int = Field(description="The pillar the item belongs to.")
    title: Translated = Field(description="Short title.")
    text: Translated = Field(description="The item's text.")
    position: int = Field(description="Order within its pillar.")
    provenance: Provenance = Field(description="Where the record comes from.")


class Participation(BaseModel):
    country: str = Field(description="The state (ISO alpha-2).")
    status: str = Field(description="adopted, observer or not_party.")
    date: datetime.date | None = Field(description="Date of adoption (or of the decision).")
    place: Translated = Field(description="Where it was adopted.")
    provenance: Provenance = Field(description="Where the record comes from.")


class PlanVersion(BaseModel):
    label: str = Field(description="The version's label, e.g. 2011.")
    adopted_on: datetime.date | None = Field(description="Date of adoption.")
    adopted_at: Translated = Field(description="Place of adoption.")
    adopted_at_event: str | None = Field(description="Key of the event that adopted it.")
    notes: Translated = Field(description="Notes.")
    provenance: Provenance = Field(description="Where the record comes from.")
    items: list[ActionItem] = Field(description="The version's action items, by pillar.")
    participation: list[Participation] = Field(
        description="Each state's participation in this version."
    )


class Plan(BaseModel):
    key: str = Field(description=KEY)
    strategy: str = Field(description="Key of the strategy the plan implements.")
    title: Translated = Field(description="Title.")
    short_title: Translated = Field(description="Short title.")
    region: Translated = Field(description="The region the plan covers.")
    countries: list[str] = Field(description="The region's states (ISO alpha-2).")
    description: Translated = Field(description="Description.")
    provenance: Provenance = Field(description="Where the record comes from.")
    versions: list[PlanVersion] = Field(description="Versions (adopted and updated).")


class Phase(BaseModel):
    key: str = Field(description=KEY)
    plan: str = Field(description="Key of the plan.")
    number: int = Field(description="The phase's number.")
    title: Translated = Field(description="Title.")
    description: Translated = Field(description="Description.")
    start_year: int | None = Field(description="First year.")
    end_year: int | None = Field(description="Last year (null while it runs).")
    end_note: Translated = Field(description="A note on the end, e.g. 'ongoing'.")
    implementing_offices: list[str] = Field(description="Keys of the implementing offices.")
    donors: list[str] = Field(description="Keys of the donors.")
    provenance: Provenance = Field(description="Where the record comes from.")


class ParticipantGroup(BaseModel):
    country: str | None = Field(description="The group's country (ISO alpha-2), if by country.")
    organisation: str | None = Field(description="The group's organisation key, if any.")
    women: int | None = Field(description="Women, where known.")
    men: int | None = Field(description="Men, where known.")
    total: int = Field(description="Participants in the group.")


class EventDocument(BaseModel):
    kind: str = Field(description="agenda, report, declaration, presentation or other.")
    title: Translated = Field(description="Title.")
    resource: str | None = Field(description="Key of the library resource, if any.")
    url: str = Field(description="Link (may be empty).")


class Event(BaseModel):
    key: str = Field(description=KEY)
    kind: str = Field(description="expert_meeting, high_level_meeting, regional_workshop, ...")
    number: int | None = Field(description="Number in its series (3 for Workshop III).")
    title: Translated = Field(description="Title.")
    summary: Translated = Field(description="Summary.")
    outcome: Translated = Field(description="Outcome.")
    phase: str | None = Field(description="Key of the programme phase.")
    start_date: datetime.date = Field(description="First day.")
    end_date: datetime.date | None = Field(description="Last day.")
    city: Translated = Field(description="City.")
    country: str | None = Field(description="Host country (ISO alpha-2).")
    pillars: list[int] = Field(description="Pillar numbers.")
    action_items: list[str] = Field(description="Plan items, as plan/version/code.")
    organisers: list[str] = Field(description="Keys of the organisers.")
    co_organisers: list[str] = Field(description="Keys of the co-organisers (partners).")
    donors: list[str] = Field(description="Keys of the donors.")
    participants_total: int | None = Field(description="Participants, where known.")
    participants: list[ParticipantGroup] = Field(
        description="Participants by country, organisation and sex, where known."
    )
    documents: list[EventDocument] = Field(description="Agenda, report, declaration, ...")
    provenance: Provenance = Field(description="Where the record comes from.")


class ResourceVersion(BaseModel):
    language: str = Field(description="ISO 639-1 language code.")
    url: str = Field(description="Link (may be empty).")
    file: str | None = Field(description="Path of the uploaded file under the media URL.")


class ResourceRecord(BaseModel):
    key: str = Field(description=KEY)
    kind: str = Field(description="Kind: " + ", ".join(Resource.Kind.values) + ".")
    title: Translated = Field(description="Title.")
    description: Translated = Field(description="Description.")
    symbol: str = Field(description="Official document symbol (may be empty).")
    date: datetime.date | None = Field(description="Date.")
    year: int | None = Field(description="Year.")
    source_organisation: str | None = Field(description="Key of the source organisation.")
    pillars: list[int] = Field(description="Pillar numbers.")
    countries: list[str] = Field(description="Countries (ISO alpha-2).")
    event: str | None = Field(description="Key of the event it comes from.")
    versions: list[ResourceVersion] = Field(description="Language versions: file or link.")
    provenance: Provenance = Field(description="Where the record comes from.")


class StatusChange(BaseModel):
    date: datetime.date = Field(description="Date of the change.")
    status: str = Field(description="The new status.")
    explanation: Translated = Field(description="Why.")


class FindingRecord(BaseModel):
    key: str = Field(description=KEY)
    kind: str = Field(description="Kind: " + ", ".join(Finding.Kind.values) + ".")
    text: Translated = Field(description="The finding or recommendation.")
    event: str | None = Field(description="Key of the event that raised it.")
    status: str = Field(description="Status: " + ", ".join(Finding.Status.values) + ".")
    pillars: list[int] = Field(description="Pillar numbers.")
    action_items: list[str] = Field(description="Plan items, as plan/version/code.")
    addressed_to_countries: list[str] = Field(description="States it is addressed to.")
    addressed_to_organisations: list[str] = Field(description="Organisations addressed.")
    follow_up_activities: list[str] = Field(description="Keys of the activities following it up.")
    follow_up_events: list[str] = Field(description="Keys of later events following it up.")
    status_changes: list[StatusChange] = Field(description="Its status over time.")
    provenance: Provenance = Field(description="Where the record comes from.")


# What the API says of each field of an activity's record, in the order it lists them.
# The fields and their types are the field registry's (`jpoa.matrix.fields`).
ACTIVITY_RECORD_DOCS = {
    "key": KEY,
    "iati_identifier": "IATI activity identifier, if any.",
    "lead_organisation": "Key of the lead organisation.",
    "partners": "Keys of the partner organisations.",
    "donors": "Keys of the donors.",
    "title": "Title.",
    "description": "Description.",
    "pillars": "Pillar numbers.",
    "action_items": "Plan items, as plan/version/code.",
    "framework_areas": "Areas of other frameworks, as framework/code (e.g. pve-plan-of-action/4).",
    "countries": "Countries (ISO alpha-2).",
    "region_wide": "Serves the whole region rather than named countries.",
    "start_date": "Start date.",
    "end_date": "End date.",
    "status": "Status: " + ", ".join(Activity.Status.values) + ".",
    "budget": "Budget as a decimal string, where known.",
    "currency": "ISO 4217 currency of the budget (may be empty).",
    "source_url": "Where the activity is described.",
    "last_verified": "When it was last verified.",
    "provenance": "Where the record comes from.",
}


def _record_type(field: RecordField) -> Any:
    """The type of a field of the record, from how the registry publishes it."""
    match field.published:
        case Published.TRANSLATED:
            return Translated
        case Published.PROVENANCE:
            return Provenance
        case Published.DATE:
            return datetime.date | None
        case Published.DECIMAL:
            return str | None  # as str(Decimal) writes it
        case Published.LINKS:
            return list[int] if field.numbered else list[str]
    if isinstance(field.model_field, BooleanField):
        return bool
    return str | None if field.model_field.null else str


def _activity_record() -> type[BaseModel]:
    published = {f.name: f for f in registry.RECORD_FIELDS}
    if set(published) != set(ACTIVITY_RECORD_DOCS):
        raise ValueError("Document each field of the activity record: ACTIVITY_RECORD_DOCS")
    return create_model(
        "ActivityRecord",
        __base__=BaseModel,
        __doc__="An activity as a published edition keeps it (the data set's activity record).",
        **{
            name: (
                _record_type(published[name]),
                # A field published only when there are some is empty when absent.
                Field([], description=doc) if published[name].when_any else Field(description=doc),
            )
            for name, doc in ACTIVITY_RECORD_DOCS.items()
        },
    )


ActivityRecord = _activity_record()


class EditionOut(BaseModel):
    number: int = Field(description="The edition's number (1, 2, ...); use it as `?edition=`.")
    title: Translated = Field(description="Title, e.g. 'The matrix as of October 2015'.")
    notes: Translated = Field(description="Notes.")
    as_of: datetime.date = Field(description="The date the edition describes.")
    published_at: datetime.datetime = Field(description="When it was published.")
    activity_count: int = Field(description="Activities in the edition.")


class FieldChange(BaseModel):
    field: str = Field(description="The field that differs (dotted for provenance parts).")
    language: str | None = Field(description="For a translated field: the language.")
    before: Any = Field(description="The value in the earlier edition.")
    after: Any = Field(description="The value in the later edition.")


class ChangedActivity(BaseModel):
    key: str = Field(description="The activity's key.")
    changes: list[FieldChange] = Field(description="What changed, field by field.")


class Comparison(BaseModel):
    from_edition: int = Field(alias="from", description="The earlier edition's number.")
    to_edition: int = Field(alias="to", description="The later edition's number.")
    added: list[ActivityRecord] = Field(description="Activities in the later edition only.")
    ended: list[ActivityRecord] = Field(description="Activities in the earlier edition only.")
    changed: list[ChangedActivity] = Field(description="Activities in both that changed.")
    unchanged_count: int = Field(description="Activities in both that did not change.")

    model_config = {"populate_by_name": True}


class HistoryStep(BaseModel):
    edition: int = Field(description="The edition's number.")
    present: bool = Field(description="Whether the activity is in this edition.")
    is_new: bool = Field(description="Whether it first appears (or reappears) here.")
    changes: list[FieldChange] = Field(description="What changed since the edition before.")


class ActivityInEdition(BaseModel):
    edition: int = Field(description="The edition the record is taken from.")
    in_requested_edition: bool = Field(
        description="False when the activity is not in the requested edition and the record "
        "is the last published one."
    )
    record: ActivityRecord = Field(description="The activity as that edition has it.")
    history: list[HistoryStep] = Field(description="Its history across editions, newest first.")


class CellActivity(BaseModel):
    key: str = Field(description="The activity's key.")
    title: str = Field(description="Its title in the request's language.")


class Cell(BaseModel):
    count: int = Field(description="Activities in the cell.")
    params: dict[str, str | int] = Field(
        description="The filters that list the cell's activities at /activities."
    )
    activities: list[CellActivity] = Field(
        description="The cell's activities, when the matrix is small enough to list them."
    )


class Column(BaseModel):
    label: str = Field(description="Short label (a pillar numeral, a country name).")
    title: str = Field(description="Full title.")
    params: dict[str, str | int] = Field(description="The filters of the column.")


class Row(BaseModel):
    label: str = Field(description="The row's label in the request's language.")
    kind: str = Field(description="`region`, `unstated`, or empty for an ordinary row.")
    note: str = Field(description="A note (organisation type, plan version).")
    params: dict[str, str | int] = Field(description="The filters of the row.")
    total: int = Field(description="Sum of the row's cells.")
    cells: list[Cell] = Field(description="One cell per column.")


class Matrix(BaseModel):
    edition: int = Field(description="The edition counted.")
    filters: dict[str, str | int] = Field(description="The filters applied.")
    columns: list[Column] = Field(description="The columns.")
    rows: list[Row] = Field(description="The rows, in the pages' order.")
    activity_count: int = Field(description="Distinct activities that pass the filters.")
    framework: str | None = Field(
        None, description="The framework whose areas are the columns; absent: the pillars."
    )


class Source(BaseModel):
    key: str = Field(description=KEY)
    kind: str = Field(description="document, web_page, import or editor.")
    title: Translated = Field(description="Title.")
    publisher: Translated = Field(description="Who published it (may be empty).")
    url: str = Field(description="Link (may be empty).")
    date: datetime.date | None = Field(description="Date (null where the source is not dated).")
    citation: Translated = Field(description="How to cite it.")


def page_of(record: type[BaseModel], name: str) -> type[BaseModel]:
    """A page of records with the links to the pages around it."""
    return create_model(
        name,
        count=(int, Field(description="Records in all pages.")),
        next=(str | None, Field(description="Absolute URL of the next page (null on the last).")),
        previous=(str | None, Field(description="Absolute URL of the previous page.")),
        results=(list[record], Field(description="This page's records, in a stable order.")),
    )
