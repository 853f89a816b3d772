"""An event's participant breakdown and documents, written as whole lists.

A breakdown is a table (groups by country, organisation and sex) that only makes sense
whole, so `PUT /events/{key}/participants` replaces it, as does `PUT
/events/{key}/documents` for the documents: idempotent, no row ids to track. Each
row is checked by the model's own rules (women and men within the total), unknown
countries, organisations and resources are named, and nothing is changed unless every
row is valid. Coordinators only, audited under the token's user.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Schema
from pydantic import Field

from jpoa.accounts.access import require_coordinator
from jpoa.accounts.audit import acting_as
from jpoa.core.models import Country, Organisation
from jpoa.dataset import export
from jpoa.events.models import Event, EventDocument, EventParticipants
from jpoa.library.models import Resource

from . import schemas as s
from .reads import router
from .schemas import choice
from .writes import AUTH, InvalidInput, TranslatedIn


class ParticipantGroupIn(Schema):
    country: str | None = Field(None, max_length=2, description="ISO alpha-2, if by country.")
    organisation: str | None = Field(None, max_length=100, description="Organisation key.")
    women: int | None = Field(None, ge=0, le=1_000_000, description="Women, where known.")
    men: int | None = Field(None, ge=0, le=1_000_000, description="Men, where known.")
    total: int = Field(ge=0, le=1_000_000, description="Participants in the group.")


class EventDocumentIn(Schema):
    kind: choice(EventDocument.Kind.values) = Field(description="Kind of document.")
    title: TranslatedIn = Field(description="Title, in English and/or Russian.")
    resource: str | None = Field(None, max_length=150, description="Library resource key.")
    url: str = Field("", max_length=1000, description="Link (may be empty).")


def _lookup(model, field: str, wanted: set[str]) -> dict[str, object]:
    return {getattr(o, field): o for o in model.objects.filter(**{f"{field}__in": wanted})}


def _replace(event: Event, relation: str, rows: list, user) -> None:
    errors = []
    for n, row in enumerate(rows):
        try:
            row.full_clean(exclude=["event"])
        except ValidationError as exc:
            errors += [
                {"field": f"body.{n}.{name}", "message": str(m)}
                for name, messages in exc.message_dict.items()
                for m in messages
            ]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(user):
        getattr(event, relation).all().delete()
        for row in rows:
            row.event = event
            row.save()


def _unknown(errors: list, n: int, name: str, value) -> None:
    errors.append({"field": f"body.{n}.{name}", "message": f"Unknown {name}: {value}."})


@router.put("/events/{key}/participants", response=s.Event, auth=AUTH, tags=["events"])
def event_participants(request: HttpRequest, key: str, payload: list[ParticipantGroupIn]):
    """Replace the event's participants by country, organisation and sex (coordinators)."""
    require_coordinator(request.auth)
    event = get_object_or_404(Event, key=key)
    countries = _lookup(Country, "iso2", {g.country.upper() for g in payload if g.country})
    organisations = _lookup(
        Organisation, "key", {g.organisation for g in payload if g.organisation}
    )
    rows, errors = [], []
    for n, group in enumerate(payload):
        country = countries.get(group.country.upper()) if group.country else None
        organisation = organisations.get(group.organisation) if group.organisation else None
        if group.country and country is None:
            _unknown(errors, n, "country", group.country)
        if group.organisation and organisation is None:
            _unknown(errors, n, "organisation", group.organisation)
        rows.append(
            EventParticipants(
                country=country,
                organisation=organisation,
                women=group.women,
                men=group.men,
                total=group.total,
            )
        )
    if errors:
        raise InvalidInput(errors)
    _replace(event, "participant_groups", rows, request.auth)
    return export.event_record(export.events_to_export().get(pk=event.pk))


@router.put("/events/{key}/documents", response=s.Event, auth=AUTH, tags=["events"])
def event_documents(request: HttpRequest, key: str, payload: list[EventDocumentIn]):
    """Replace the event's documents: agenda, report, declaration, ... (coordinators)."""
    require_coordinator(request.auth)
    event = get_object_or_404(Event, key=key)
    resources = _lookup(Resource, "key", {d.resource for d in payload if d.resource})
    rows, errors = [], []
    for n, document in enumerate(payload):
        resource = resources.get(document.resource) if document.resource else None
        if document.resource and resource is None:
            _unknown(errors, n, "resource", document.resource)
        if not (document.title.en or document.title.ru):
            errors.append({"field": f"body.{n}.title", "message": "Give a title."})
        rows.append(
            EventDocument(
                kind=document.kind,
                title_en=document.title.en or "",
                title_ru=document.title.ru or "",
                resource=resource,
                url=document.url,
            )
        )
    if errors:
        raise InvalidInput(errors)
    _replace(event, "documents", rows, request.auth)
    return export.event_record(export.events_to_export().get(pk=event.pk))
