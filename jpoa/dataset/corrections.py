"""Corrections: a newer revision of a data set fixing a value it shipped before.

Loading never overwrites a record that exists, so a fact the data set got wrong, or a
text that has aged ("to be completed by June 2017"), would stay wrong in every database
that loaded the older revision. A correction names the record, the field, the value the
older revision shipped (`was`) and the value that replaces it (`now`). It is applied only
where the database still holds the shipped value: what an editor has changed is kept,
and a database loaded fresh from the newer revision already holds the new value.
"""

from dataclasses import dataclass

from django.db import models

from jpoa.core.models import Organisation, Source
from jpoa.events.models import Event
from jpoa.lib.languages import LANGUAGES
from jpoa.library.models import Resource, ResourceVersion
from jpoa.plan.models import Phase

PROVENANCE_NOTE = "provenance_note"


@dataclass(frozen=True)
class Correctable:
    model: type[models.Model]
    translated: frozenset[str]
    plain: frozenset[str] = frozenset()
    organisations: frozenset[str] = frozenset()  # many-to-many to organisations, by key
    events: frozenset[str] = frozenset()  # a link to an event, by key


CORRECTABLE = {
    "source": Correctable(
        Source, frozenset({"title", "publisher", "citation"}), frozenset({"url", "date"})
    ),
    "organisation": Correctable(
        Organisation,
        frozenset({"acronym", "name", "description", PROVENANCE_NOTE}),
        frozenset({"website"}),
    ),
    "phase": Correctable(
        Phase,
        frozenset({"title", "description", "end_note", PROVENANCE_NOTE}),
        frozenset({"end_year"}),
        frozenset({"implementing_offices", "donors"}),
    ),
    "event": Correctable(
        Event,
        frozenset({"title", "summary", "outcome", "city", PROVENANCE_NOTE}),
        frozenset({"participants_total"}),
        frozenset({"organisers", "co_organisers", "donors"}),
    ),
    "resource": Correctable(
        Resource,
        frozenset({"title", "description", PROVENANCE_NOTE}),
        frozenset({"symbol", "date", "year", "versions"}),
        events=frozenset({"event"}),
    ),
}


def apply_corrections(reader, report) -> None:
    """Apply each correction of the file read by READER whose record still has the old value."""
    for c in reader.children("corrections"):
        kind = c.text("record", required=True)
        spec = CORRECTABLE.get(kind)
        if spec is None:
            raise c.error("record", f"expected one of {', '.join(CORRECTABLE)}, got {kind!r}")
        key = c.slug("key")
        obj = spec.model.objects.filter(key=key).first()
        if obj is None:
            raise c.error("key", f"no {kind} with key {key!r}")
        name = c.text("field", required=True)
        if name in spec.translated:
            changed, kept = _translated(c, obj, name)
        elif name == "versions" and "versions" in spec.plain:
            changed, kept = _versions(c, obj)
        elif name in spec.plain:
            changed, kept = _plain(c, obj, name)
        elif name in spec.organisations:
            changed, kept = _organisations(c, obj, name)
        elif name in spec.events:
            changed, kept = _event(c, obj, name)
        else:
            fields = sorted(spec.translated | spec.plain | spec.organisations | spec.events)
            raise c.error("field", f"a {kind}'s correctable fields are {', '.join(fields)}")
        if changed:
            report.corrected[spec.model._meta.label] += 1
        report.corrections_kept += kept


def _translated(c, obj, name: str) -> tuple[bool, int]:
    was, now = c.translated("was"), c.translated("now", required=True)
    changed, kept = [], 0
    for lang in LANGUAGES:
        column = f"{name}_{lang}"
        current = getattr(obj, column) or ""
        if not now[lang] or current == now[lang]:
            continue
        if current == was[lang]:
            setattr(obj, column, now[lang])
            changed.append(column)
        else:
            kept += 1
    if changed:
        obj.save(update_fields=changed)
    return bool(changed), kept


def _plain(c, obj, name: str) -> tuple[bool, int]:
    kind = obj._meta.get_field(name).get_internal_type()
    read_value = c.date if kind == "DateField" else c.integer if "Integer" in kind else c.text
    was, now = read_value("was"), read_value("now", required=True)
    current = getattr(obj, name)
    if current == now:
        return False, 0
    if current != was and not (current in (None, "") and was in (None, "")):
        return False, 1
    setattr(obj, name, now)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save(update_fields=[name])
    return True, 0


def _organisations(c, obj, name: str) -> tuple[bool, int]:
    relation = getattr(obj, name)
    current = set(relation.values_list("key", flat=True))
    was, now = set(c.list("was")), set(c.list("now"))
    if current == now:
        return False, 0
    if current != was:
        return False, 1
    found = list(Organisation.objects.filter(key__in=now))
    missing = now - {o.key for o in found}
    if missing:
        raise c.error("now", f"no organisation with key {sorted(missing)[0]!r}")
    relation.set(found)
    return True, 0


def _event(c, obj, name: str) -> tuple[bool, int]:
    current = getattr(obj, name)
    current_key = current.key if current else None
    was, now = c.raw("was", required=False), c.slug("now")
    if current_key == now:
        return False, 0
    if current_key != was:
        return False, 1
    event = Event.objects.filter(key=now).first()
    if event is None:
        raise c.error("now", f"no event with key {now!r}")
    setattr(obj, name, event)
    obj.save(update_fields=[name])
    return True, 0


def _versions(c, obj: Resource) -> tuple[bool, int]:
    """A resource's links by language; replaced only while they are exactly the old ones."""

    def pairs(name: str) -> set[tuple[str, str]]:
        return {(v.text("language", required=True), v.text("url")) for v in c.children(name)}

    current = set(obj.versions.values_list("language", "url"))
    was, now = pairs("was"), pairs("now")
    if current == now:
        return False, 0
    if current != was or obj.versions.exclude(file="").exists():
        return False, 1
    obj.versions.all().delete()
    ResourceVersion.objects.bulk_create(
        ResourceVersion(resource=obj, language=lang, url=url) for lang, url in sorted(now)
    )
    return True, 0
