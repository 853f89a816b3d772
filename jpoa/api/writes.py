"""Write endpoints for editors with a personal token: the web's services, rules and permissions.

Input uses the read records' names (keys, ISO codes, pillar numbers, plan item references);
`_form_data` turns them into what the back office's forms take, so the same form rules
validate a write however it arrives.
"""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Schema
from pydantic import Field, create_model

from jpoa.accounts.access import can_edit_activity, require_coordinator
from jpoa.core.models import Country, Organisation
from jpoa.dataset import export
from jpoa.events.models import Event, Finding
from jpoa.events.services import change_finding_status
from jpoa.library.models import Resource
from jpoa.matrix import fields as registry
from jpoa.matrix.editing import ActivityFormMixin
from jpoa.matrix.fields import API_WRITE_FIELDS, Published, RecordField
from jpoa.matrix.models import Activity
from jpoa.matrix.writes import create_activity, delete_activity, update_activity
from jpoa.plan.models import ActionItem, Phase, Pillar
from jpoa.plan.published import pillars_of, site_plan

from . import schemas as s
from .reads import router
from .schemas import choice
from .security import TokenAuth
from .services import save_record

# Writes share the reads' router (one path, several methods); each needs a token.
AUTH = TokenAuth()


class InvalidInput(Exception):
    """The input breaks the editors' rules; `errors` as problem errors."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


# -- from API names to form values ------------------------------------------------------


def _pillars():
    return pillars_of(site_plan())


def _items_by_ref(refs: list[str]) -> dict[str, int]:
    codes = [r.rsplit("/", 1)[-1] for r in refs]
    items = ActionItem.objects.filter(code__in=codes).select_related("version__plan")
    return {export.item_ref(i): i.pk for i in items}


# API field -> (model field, how to read it). Lookups turn keys into primary keys.
LOOKUPS = {
    "organisation": lambda keys: dict(
        Organisation.objects.filter(key__in=keys).values_list("key", "pk")
    ),
    "country": lambda codes: dict(
        Country.objects.filter(iso2__in=[c.upper() for c in codes]).values_list("iso2", "pk")
    ),
    "pillar": lambda numbers: dict(
        _pillars().filter(number__in=numbers).values_list("number", "pk")
    ),
    "item": _items_by_ref,
    "event": lambda keys: dict(Event.objects.filter(key__in=keys).values_list("key", "pk")),
    "phase": lambda keys: dict(Phase.objects.filter(key__in=keys).values_list("key", "pk")),
    "activity": lambda keys: dict(Activity.objects.filter(key__in=keys).values_list("key", "pk")),
}


def _form_data(payload: dict, fields: dict[str, tuple[str, str | None]]) -> dict:
    """Form values for ``payload`` (only the fields given); unknown references are a 422."""
    data, errors = {}, []
    for name, value in payload.items():
        model_field, lookup = fields[name]
        if lookup == "translated":
            for lang, text in value.items():
                if text is not None:
                    data[f"{model_field}_{lang}"] = text
            continue
        if lookup is None or value is None:
            data[model_field] = "" if value is None else value
            continue
        many = isinstance(value, list)
        wanted = value if many else [value]
        if lookup == "country":
            wanted = [v.upper() for v in wanted]
        found = LOOKUPS[lookup](wanted)
        missing = [v for v in wanted if v not in found]
        if missing:
            errors.append(
                {
                    "field": f"body.{name}",
                    "message": f"Unknown {lookup}: {', '.join(map(str, missing))}.",
                }
            )
            continue
        data[model_field] = [found[v] for v in wanted] if many else found[value]
    if errors:
        raise InvalidInput(errors)
    return data


def _instance_data(instance: models.Model, names) -> dict:
    """An instance's current values as form data (primary keys for relations)."""
    data = {}
    for name in names:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            data[name] = [o.pk for o in getattr(instance, name).all()] if instance.pk else []
        elif field.is_relation:
            data[name] = getattr(instance, field.attname)
        else:
            value = getattr(instance, name)
            data[name] = "" if value is None else value
    return data


def _api_names(fields: dict) -> dict[str, str]:
    """Form field name -> API field name, for error messages."""
    names = {}
    for api_name, (model_field, lookup) in fields.items():
        if lookup == "translated":
            for lang in ("en", "ru"):
                names[f"{model_field}_{lang}"] = f"{api_name}.{lang}"
        else:
            names[model_field] = api_name
    return names


def _validated(form_class, fields: dict, payload: dict, instance) -> forms.ModelForm:
    names = list(form_class.base_fields)
    data = {**_instance_data(instance, names), **_form_data(payload, fields)}
    form = form_class(data=data, instance=instance)
    if not form.is_valid():
        api = _api_names(fields)
        raise InvalidInput(
            [
                {
                    "field": "__all__" if n == "__all__" else f"body.{api.get(n, n)}",
                    "message": str(m),
                }
                for n, messages in form.errors.items()
                for m in messages
            ]
        )
    return form


# -- activities -------------------------------------------------------------------------


class TranslatedIn(Schema):
    en: str | None = Field(None, max_length=20000, description="English.")
    ru: str | None = Field(None, max_length=20000, description="Russian.")


# The model each linked field names, and the lookup reading its names (`LOOKUPS`).
_LOOKUP_OF_MODEL = {
    Organisation: "organisation",
    Country: "country",
    Pillar: "pillar",
    ActionItem: "item",
}
_LOOKUP_OF_KIND = {Published.TRANSLATED: "translated"}


def activity_fields() -> dict[str, tuple[str, str | None]]:
    """API field -> (model field, how to read it): the record's fields the API writes
    (`jpoa.matrix.fields`), in the record's order, named as the record names them."""
    out = {}
    for field in registry.RECORD_FIELDS:
        if not field.api:
            continue
        if field.published in (Published.KEY, Published.LINKS):
            lookup = _LOOKUP_OF_MODEL[field.model_field.related_model]
        else:
            lookup = _LOOKUP_OF_KIND.get(field.published)
        out[field.name] = (field.model_name, lookup)
    return out


ACTIVITY_FIELDS = activity_fields()


# What the API says of each field it writes. The fields, their order (the record's) and
# their types are the field registry's (`activity_fields`); a text's length the model's.
ACTIVITY_CHANGE_DOCS = {
    "key": "Key (made from the title if omitted).",
    "iati_identifier": "IATI identifier.",
    "lead_organisation": "Key of the lead organisation (a focal point: their own).",
    "partners": "Keys of partner organisations.",
    "donors": "Keys of donors.",
    "title": "Title; English required.",
    "description": "Description.",
    "pillars": "Pillar numbers.",
    "action_items": "Plan items as plan/version/code.",
    "countries": "Countries (ISO alpha-2).",
    "region_wide": "Serves the whole region.",
    "start_date": "Start date.",
    "end_date": "End date (not before the start).",
    "status": "Status.",
    "budget": "Budget (give the currency too).",
    "currency": "ISO 4217 currency.",
    "source_url": "Where it is described.",
    "last_verified": "When last verified.",
}


def _change_type(field: RecordField) -> tuple[Any, dict]:
    """The type the API takes for a field it writes, and the limits of its values."""
    match field.published:
        case Published.TRANSLATED:
            return TranslatedIn, {}
        case Published.DATE:
            return datetime.date, {}
        case Published.DECIMAL:
            return Decimal, {}
        case Published.KEY:
            return str, {}
        case Published.LINKS:
            return (list[int] if field.numbered else list[str]), {}
    model_field = field.model_field
    if isinstance(model_field, models.BooleanField):
        return bool, {}
    if model_field.choices:
        return choice(value for value, _label in model_field.choices), {}
    return str, {"max_length": model_field.max_length}


def _activity_changes() -> type[Schema]:
    written = {f.name: f for f in registry.RECORD_FIELDS if f.api}
    if set(written) != set(ACTIVITY_CHANGE_DOCS):
        raise ValueError("Document each field the API writes: ACTIVITY_CHANGE_DOCS")
    types = {name: _change_type(field) for name, field in written.items()}
    return create_model(
        "ActivityChanges",
        __base__=Schema,
        __doc__="Fields of an activity; on a change, only those given are changed.",
        **{
            name: (kind | None, Field(None, description=ACTIVITY_CHANGE_DOCS[name], **limits))
            for name, (kind, limits) in types.items()
        },
    )


ActivityChanges = _activity_changes()


class ActivityCreate(ActivityChanges):
    lead_organisation: str = Field(description="Key of the lead organisation.")
    title: TranslatedIn = Field(description="Title; English required.")
    status: choice(Activity.Status.values) = Field(description="Status.")


class ActivityUpdate(ActivityChanges):
    version: int = Field(
        ge=1, description="The `version` you read; a save after someone else's is a 409."
    )


class ActivityDraft(s.ActivityRecord):
    """The current (unpublished) activity as its editors see it."""

    version: int = Field(description="Send it back with a change, for conflict detection.")


class ApiActivityForm(ActivityFormMixin, forms.ModelForm):
    """The back office's activity rules (ActivityEditForm) without its hidden version field:
    the API sends the version in the body and `update_activity` checks it."""

    class Meta:
        model = Activity
        fields = API_WRITE_FIELDS


def _draft(activity: Activity) -> dict:
    activity = export.activities_to_export().get(pk=activity.pk)
    return {**export.activity_record(activity), "version": activity.version}


def _editable(request: HttpRequest, key: str) -> Activity:
    activity = get_object_or_404(Activity, key=key)
    if not can_edit_activity(request.auth, activity):
        raise PermissionDenied("You may not edit this activity.")
    return activity


@router.post("/activities", response={201: ActivityDraft}, auth=AUTH, tags=["editing"])
def activity_create(request: HttpRequest, payload: ActivityCreate):
    """Add an activity (a focal point: for their own organisation; a coordinator: any)."""
    given = payload.dict(exclude_unset=True)
    form_class = ApiActivityForm
    if not given.get("key"):  # create_activity makes one from the title
        fields = [f for f in ApiActivityForm.Meta.fields if f != "key"]
        form_class = forms.modelform_factory(Activity, form=ApiActivityForm, fields=fields)
    form = _validated(form_class, ACTIVITY_FIELDS, given, Activity())
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("key", "lead_organisation")}
    data = {k: v for k, v in data.items() if k in _form_data(given, ACTIVITY_FIELDS)}
    extra = {"key": form.cleaned_data["key"]} if given.get("key") else {}
    activity = create_activity(
        lead_organisation=form.cleaned_data["lead_organisation"],
        data=data,
        user=request.auth,
        **extra,
    )
    return 201, _draft(activity)


@router.get("/activities/{key}/draft", response=ActivityDraft, auth=AUTH, tags=["editing"])
def activity_draft(request: HttpRequest, key: str):
    """The current activity with its `version`, for its editors."""
    return _draft(_editable(request, key))


@router.patch("/activities/{key}", response=ActivityDraft, auth=AUTH, tags=["editing"])
def activity_update(request: HttpRequest, key: str, payload: ActivityUpdate):
    """Change the fields given; 409 if someone saved since you read `version`."""
    activity = _editable(request, key)
    given = payload.dict(exclude_unset=True)
    version = given.pop("version")
    form = _validated(ApiActivityForm, ACTIVITY_FIELDS, given, activity)
    changed = _form_data(given, ACTIVITY_FIELDS)
    data = {}
    for name in changed:
        value = form.cleaned_data[name]
        field = Activity._meta.get_field(name)
        data[name] = value.pk if field.is_relation and not field.many_to_many else value
    return _draft(
        update_activity(
            activity_id=activity.pk, data=data, expected_version=version, user=request.auth
        )
    )


class DeleteQuery(Schema):
    version: int | None = Field(None, ge=1, description="If given, 409 when it moved on.")


@router.delete("/activities/{key}", response={204: None}, auth=AUTH, tags=["editing"])
def activity_delete(request: HttpRequest, key: str, version: int | None = None):
    """Delete an activity; published editions keep their copies."""
    activity = _editable(request, key)
    delete_activity(activity_id=activity.pk, user=request.auth, expected_version=version)
    return 204, None


# -- events, findings, resources (coordinators) ------------------------------------------


def _record_endpoints(
    *, model, path, fields, form_fields, create_schema, update_schema, record, out, tag
):
    form_class = forms.modelform_factory(model, fields=form_fields)

    def create(request: HttpRequest, payload: create_schema):
        require_coordinator(request.auth)
        form = _validated(form_class, fields, payload.dict(exclude_unset=True), model())
        obj = save_record(form=form, user=request.auth)
        return 201, record(obj)

    def update(request: HttpRequest, key: str, payload: update_schema):
        require_coordinator(request.auth)
        obj = get_object_or_404(model, key=key)
        form = _validated(form_class, fields, payload.dict(exclude_unset=True), obj)
        return record(save_record(form=form, user=request.auth))

    name = model._meta.model_name
    create.__doc__ = f"Add a {model._meta.verbose_name} (coordinators)."
    update.__doc__ = f"Change the given fields of a {model._meta.verbose_name} (coordinators)."
    router.post(path, response={201: out}, auth=AUTH, tags=[tag], operation_id=f"{name}_create")(
        create
    )
    router.patch(
        path + "/{key}", response=out, auth=AUTH, tags=[tag], operation_id=f"{name}_update"
    )(update)


EVENT_FIELDS = {
    "key": ("key", None),
    "kind": ("kind", None),
    "number": ("number", None),
    "title": ("title", "translated"),
    "summary": ("summary", "translated"),
    "outcome": ("outcome", "translated"),
    "phase": ("phase", "phase"),
    "start_date": ("start_date", None),
    "end_date": ("end_date", None),
    "city": ("city", "translated"),
    "country": ("country", "country"),
    "pillars": ("pillars", "pillar"),
    "organisers": ("organisers", "organisation"),
    "co_organisers": ("co_organisers", "organisation"),
    "donors": ("donors", "organisation"),
    "participants_total": ("participants_total", None),
}


class EventChanges(Schema):
    key: str | None = Field(None, max_length=100, description="Key (a slug).")
    kind: choice(Event.Kind.values) | None = Field(None, description="Kind.")
    number: int | None = Field(None, ge=0, le=32767, description="Number in its series.")
    title: TranslatedIn | None = Field(None, description="Title.")
    summary: TranslatedIn | None = Field(None, description="Summary.")
    outcome: TranslatedIn | None = Field(None, description="Outcome.")
    phase: str | None = Field(None, description="Key of the phase.")
    start_date: datetime.date | None = Field(None, description="First day.")
    end_date: datetime.date | None = Field(None, description="Last day.")
    city: TranslatedIn | None = Field(None, description="City.")
    country: str | None = Field(None, description="Host country (ISO alpha-2).")
    pillars: list[int] | None = Field(None, description="Pillar numbers.")
    organisers: list[str] | None = Field(None, description="Keys of the organisers.")
    co_organisers: list[str] | None = Field(None, description="Keys of the co-organisers.")
    donors: list[str] | None = Field(None, description="Keys of the donors.")
    participants_total: int | None = Field(
        None, ge=0, le=2_147_483_647, description="Participants."
    )


class EventCreate(EventChanges):
    key: str = Field(max_length=100, description="Key (a slug).")
    kind: choice(Event.Kind.values) = Field(description="Kind.")
    title: TranslatedIn = Field(description="Title.")
    start_date: datetime.date = Field(description="First day.")


FINDING_FIELDS = {
    "key": ("key", None),
    "kind": ("kind", None),
    "text": ("text", "translated"),
    "event": ("event", "event"),
    "pillars": ("pillars", "pillar"),
    "action_items": ("action_items", "item"),
    "addressed_to_countries": ("addressed_to_countries", "country"),
    "addressed_to_organisations": ("addressed_to_organisations", "organisation"),
    "follow_up_activities": ("follow_up_activities", "activity"),
    "follow_up_events": ("follow_up_events", "event"),
}


class FindingChanges(Schema):
    """A finding's fields; its status changes through /findings/{key}/status."""

    key: str | None = Field(None, max_length=100, description="Key (a slug).")
    kind: choice(Finding.Kind.values) | None = Field(None, description="Kind.")
    text: TranslatedIn | None = Field(None, description="The finding's text.")
    event: str | None = Field(None, description="Key of the event that raised it.")
    pillars: list[int] | None = Field(None, description="Pillar numbers.")
    action_items: list[str] | None = Field(None, description="Plan items as plan/version/code.")
    addressed_to_countries: list[str] | None = Field(None, description="States addressed.")
    addressed_to_organisations: list[str] | None = Field(
        None, description="Organisations addressed."
    )
    follow_up_activities: list[str] | None = Field(None, description="Keys of activities.")
    follow_up_events: list[str] | None = Field(None, description="Keys of later events.")


class FindingCreate(FindingChanges):
    key: str = Field(max_length=100, description="Key (a slug).")
    kind: choice(Finding.Kind.values) = Field(description="Kind.")
    text: TranslatedIn = Field(description="The finding's text.")


RESOURCE_FIELDS = {
    "key": ("key", None),
    "kind": ("kind", None),
    "title": ("title", "translated"),
    "description": ("description", "translated"),
    "symbol": ("symbol", None),
    "date": ("date", None),
    "year": ("year", None),
    "source_organisation": ("source_organisation", "organisation"),
    "pillars": ("pillars", "pillar"),
    "countries": ("countries", "country"),
    "event": ("event", "event"),
}


class ResourceChanges(Schema):
    key: str | None = Field(None, max_length=150, description="Key (a slug).")
    kind: choice(Resource.Kind.values) | None = Field(None, description="Kind.")
    title: TranslatedIn | None = Field(None, description="Title.")
    description: TranslatedIn | None = Field(None, description="Description.")
    symbol: str | None = Field(None, max_length=100, description="Official document symbol.")
    date: datetime.date | None = Field(None, description="Date.")
    year: int | None = Field(None, ge=1900, le=2200, description="Year.")
    source_organisation: str | None = Field(None, description="Key of the source organisation.")
    pillars: list[int] | None = Field(None, description="Pillar numbers.")
    countries: list[str] | None = Field(None, description="Countries (ISO alpha-2).")
    event: str | None = Field(None, description="Key of the event.")


class ResourceCreate(ResourceChanges):
    key: str = Field(max_length=150, description="Key (a slug).")
    kind: choice(Resource.Kind.values) = Field(description="Kind.")
    title: TranslatedIn = Field(description="Title.")


def _form_fields(fields: dict) -> list[str]:
    out = []
    for model_field, lookup in fields.values():
        out += (
            [f"{model_field}_en", f"{model_field}_ru"] if lookup == "translated" else [model_field]
        )
    return out


_record_endpoints(
    model=Event,
    path="/events",
    fields=EVENT_FIELDS,
    form_fields=_form_fields(EVENT_FIELDS),
    create_schema=EventCreate,
    update_schema=EventChanges,
    record=lambda o: export.event_record(export.events_to_export().get(pk=o.pk)),
    out=s.Event,
    tag="events",
)
_record_endpoints(
    model=Finding,
    path="/findings",
    fields=FINDING_FIELDS,
    form_fields=_form_fields(FINDING_FIELDS),
    create_schema=FindingCreate,
    update_schema=FindingChanges,
    record=lambda o: export.finding_record(export.findings_to_export().get(pk=o.pk)),
    out=s.FindingRecord,
    tag="events",
)
_record_endpoints(
    model=Resource,
    path="/resources",
    fields=RESOURCE_FIELDS,
    form_fields=_form_fields(RESOURCE_FIELDS),
    create_schema=ResourceCreate,
    update_schema=ResourceChanges,
    record=lambda o: export.resource_record(export.resources_to_export().get(pk=o.pk)),
    out=s.ResourceRecord,
    tag="library",
)


class StatusChangeIn(Schema):
    status: choice(Finding.Status.values) = Field(description="New status.")
    date: datetime.date = Field(description="When it changed.")
    explanation: str = Field(min_length=1, max_length=20000, description="Why it changed.")


@router.post("/findings/{key}/status", response={201: s.FindingRecord}, auth=AUTH, tags=["events"])
def finding_status(request: HttpRequest, key: str, payload: StatusChangeIn):
    """Record a dated, explained change of a finding's status (coordinators)."""
    finding = get_object_or_404(Finding, key=key)
    change_finding_status(finding=finding, user=request.auth, **payload.dict())
    return 201, export.finding_record(export.findings_to_export().get(pk=finding.pk))


__all__ = ["router", "InvalidInput", "ValidationError", "Http404"]
