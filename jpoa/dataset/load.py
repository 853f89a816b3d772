"""Load a data set file, creating what is missing and never overwriting what is there.

Records are matched by their natural keys (a key, an ISO code, a number); a record
that already exists is kept as it is, so loading into a database whose data has
been edited never undoes those edits. The whole file is loaded in one transaction:
a file with an error changes nothing.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import Max

from jpoa.accounts.actors import DATASET_LOADER
from jpoa.accounts.audit import acting_as
from jpoa.core.models import Country, DatasetLoad, Organisation, Source
from jpoa.events.models import Event, EventDocument, EventParticipants, Finding, FindingStatusChange
from jpoa.lib.languages import LANGUAGES
from jpoa.lib.provenance import Basis
from jpoa.library.models import Resource, ResourceVersion
from jpoa.matrix.editions import build_edition_facts
from jpoa.matrix.models import Activity, Edition, EditionEntry
from jpoa.matrix.writes import NewActivity, write_activities
from jpoa.plan.models import (
    ActionItem,
    Framework,
    FrameworkArea,
    Participation,
    Phase,
    Pillar,
    Plan,
    PlanVersion,
    Strategy,
)
from jpoa.search import index as search_index

from . import FORMAT, FORMAT_VERSION, DatasetError
from .corrections import apply_corrections

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass
class LoadReport:
    dataset_key: str
    file_name: str
    revision: int = 1
    loaded_revision: int | None = None  # the newest revision loaded before, if any
    already_loaded: bool = False
    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    corrected: Counter = field(default_factory=Counter)
    corrections_kept: int = 0  # corrections not applied because an editor changed the value
    # Records of an older revision missing from the database (an editor deleted them):
    # a newer revision does not bring them back; `--force` does.
    not_restored: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return sum(self.created.values()) + sum(self.corrected.values()) > 0


def read_dataset_file(path: Path) -> dict:
    name = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DatasetError(name, "", f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(name, "", "no such file") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(name, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(name, f"line {exc.lineno} column {exc.colno}", exc.msg) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DatasetError(name, "format", f'expected "{FORMAT}": this is not a jpoa data set')
    if data.get("format_version") != FORMAT_VERSION:
        raise DatasetError(
            name, "format_version", f"expected {FORMAT_VERSION}, got {data.get('format_version')!r}"
        )
    return data


def load_dataset(path: Path, *, force: bool = False) -> LoadReport:
    """Load each revision of the data set in PATH once; with FORCE, add what is missing anyway.

    A newer revision than any loaded adds the records the database lacks and applies
    the file's corrections; records already present are kept as they are.
    """
    data = read_dataset_file(path)
    reader = _Reader(str(path), data, "")
    header = reader.child("dataset")
    key = header.slug("key")
    revision = header.integer("revision", minimum=1) or 1
    loaded = DatasetLoad.objects.filter(dataset_key=key).aggregate(newest=Max("revision"))
    report = LoadReport(
        dataset_key=key, file_name=path.name, revision=revision, loaded_revision=loaded["newest"]
    )
    if not force and report.loaded_revision is not None and report.loaded_revision >= revision:
        report.already_loaded = True
        return report
    upgrade_from = None if force else report.loaded_revision
    # Every record the loader writes is audited as written by it.
    with transaction.atomic(), search_index.suspend_updates(), acting_as(DATASET_LOADER):
        _Loader(reader, report, upgrade_from=upgrade_from).run()
        DatasetLoad.objects.create(
            dataset_key=key,
            revision=revision,
            file_name=path.name,
            created=dict(report.created),
            kept=dict(report.kept),
        )
        search_index.rebuild()
    return report


class _Reader:
    """Typed access to one JSON object, with errors that name the file and the path."""

    def __init__(self, file: str, obj: Any, path: str):
        if not isinstance(obj, dict):
            raise DatasetError(file, path or "(top)", f"expected an object, got {_kind(obj)}")
        self.file, self.obj, self.path = file, obj, path

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, message: str) -> DatasetError:
        return DatasetError(self.file, self.where(name), message)

    def raw(self, name: str, required: bool = True) -> Any:
        if name not in self.obj or self.obj[name] is None:
            if required:
                raise self.error(name, "required, missing")
            return None
        return self.obj[name]

    def child(self, name: str) -> "_Reader":
        return _Reader(self.file, self.raw(name), self.where(name))

    def children(self, name: str) -> list["_Reader"]:
        items = self.list(name)
        return [
            _Reader(self.file, item, f"{self.where(name)}[{i}]") for i, item in enumerate(items)
        ]

    def list(self, name: str) -> list:
        value = self.raw(name, required=False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(name, f"expected a list, got {_kind(value)}")
        return value

    def text(self, name: str, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw(name, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error(name, f"expected text, got {_kind(value)}")
        if required and not value.strip():
            raise self.error(name, "required, empty")
        if max_length and len(value) > max_length:
            raise self.error(name, f"at most {max_length} characters, got {len(value)}")
        return value

    def slug(self, name: str) -> str:
        value = self.text(name, required=True, max_length=150)
        if not all(c.isalnum() or c in "-_" for c in value) or not value.isascii():
            raise self.error(name, f"expected a key of letters, digits, - and _, got {value!r}")
        return value

    def translated(self, name: str, required: bool = False) -> dict[str, str]:
        value = self.raw(name, required)
        if value is None:
            return {lang: "" for lang in LANGUAGES}
        if not isinstance(value, dict):
            raise self.error(name, f'expected {{"en": ..., "ru": ...}}, got {_kind(value)}')
        out = {}
        for lang in LANGUAGES:
            text = value.get(lang) or ""
            if not isinstance(text, str):
                raise self.error(f"{name}.{lang}", f"expected text, got {_kind(text)}")
            out[lang] = text
        if required and not any(out.values()):
            raise self.error(name, "required: give the text in at least one language")
        return out

    def translated_or_text(self, name: str) -> dict[str, str]:
        """Translated text; plain text is taken as the English version."""
        value = self.raw(name, required=False)
        if isinstance(value, str):
            return {lang: value if lang == "en" else "" for lang in LANGUAGES}
        return self.translated(name)

    def integer(self, name: str, required: bool = False, minimum: int = 0) -> int | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.error(name, f"expected a whole number ≥ {minimum}, got {value!r}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.raw(name, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(name, f"expected true or false, got {value!r}")
        return value

    def date(self, name: str, required: bool = False) -> datetime.date | None:
        value = self.raw(name, required)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.error(name, f"expected a date YYYY-MM-DD, got {value!r}") from None

    def decimal(self, name: str) -> Decimal | None:
        value = self.raw(name, required=False)
        if value is None or value == "":
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise self.error(name, f"expected a number, got {value!r}") from None

    def choice(self, name: str, choices: type[models.TextChoices], default: str | None = None):
        value = self.raw(name, required=default is None)
        if value is None:
            return default
        if value not in choices.values:
            allowed = ", ".join(choices.values)
            raise self.error(name, f"expected one of {allowed}, got {value!r}")
        return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _translated_fields(name: str, values: dict[str, str]) -> dict[str, str]:
    return {f"{name}_{lang}": text for lang, text in values.items()}


class _Loader:
    def __init__(self, reader: _Reader, report: LoadReport, *, upgrade_from: int | None = None):
        self.r, self.report = reader, report
        self.upgrade_from = upgrade_from  # the revision loaded before, when updating from it
        self.sources: dict[str, Source] = {}
        self.countries: dict[str, Country] = {}
        self.organisations: dict[str, Organisation] = {}
        self.pillars: dict[int, Pillar] = {}
        self.events: dict[str, Event] = {}
        self.resources: dict[str, Resource] = {}
        self.items: dict[str, ActionItem] = {}
        self.areas: dict[str, FrameworkArea] = {}
        self.activities: dict[str, Activity] = {}
        self.deferred: list = []

    def run(self) -> None:
        for step in (
            self.load_sources,
            self.load_countries,
            self.load_organisations,
            self.load_strategies,
            self.load_frameworks,
            self.load_plans,
            self.load_phases,
            self.load_events,
            self.load_resources,
            self.load_activities,
            self.load_findings,
            self.load_editions,
        ):
            step()
        for fn in self.deferred:
            fn()
        apply_corrections(self.r, self.report)

    # -- helpers -------------------------------------------------------------

    def since(self, r: _Reader, parent: int = 1) -> int:
        """The data set revision that added the record R reads (its parent's by default)."""
        return r.integer("revision", minimum=1) or parent

    def upsert(
        self, model: type[models.Model], lookup: dict, build, *, since: int = 1
    ) -> tuple[Any, bool]:
        """The existing record for LOOKUP, kept as it is, or a new one from BUILD().

        Updating from an older revision, a missing record that revision already had
        (SINCE is not newer) was deleted by an editor: it is not created again, and
        (None, False) is returned.
        """
        existing, create = self.existing(model, lookup, since=since)
        if not create:
            return existing, False
        obj = model(**lookup, **build())
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        self.report.created[model._meta.label] += 1
        return obj, True

    def existing(self, model: type[models.Model], lookup: dict, *, since: int) -> tuple[Any, bool]:
        """(the record LOOKUP finds, False), or (None, True) when it is to be created, or
        (None, False) when an editor deleted it since the revision loaded before (see `upsert`)."""
        existing = model.objects.filter(**lookup).first()
        if existing is not None:
            self.report.kept[model._meta.label] += 1
            return existing, False
        if self.upgrade_from is not None and since <= self.upgrade_from:
            self.report.not_restored[model._meta.label] += 1
            return None, False
        return None, True

    def provenance(self, r: _Reader) -> dict:
        if r.raw("provenance", required=False) is None:
            return {}
        p = r.child("provenance")
        source_key = p.text("source")
        return {
            "source": self.ref(p, "source", self.sources, Source, "key") if source_key else None,
            "source_locator": p.text("locator", max_length=300),
            "classification_basis": p.choice("basis", Basis, default=Basis.STATED),
            **_translated_fields("provenance_note", p.translated_or_text("note")),
        }

    def ref(self, r: _Reader, name: str, cache: dict, model, field: str, value=None):
        value = r.raw(name) if value is None else value
        if value in cache:
            return cache[value]
        obj = model.objects.filter(**{field: value}).first()
        if obj is None:
            raise r.error(name, f"no {model._meta.verbose_name} with {field} {value!r}")
        cache[value] = obj
        return obj

    def refs(self, r: _Reader, name: str, cache: dict, model, field: str) -> list:
        return [self.ref(r, name, cache, model, field, value=v) for v in r.list(name)]

    def country(self, r: _Reader, name: str) -> Country | None:
        if r.raw(name, required=False) is None:
            return None
        return self.ref(r, name, self.countries, Country, "iso2")

    def organisation(self, r: _Reader, name: str) -> Organisation | None:
        if r.raw(name, required=False) is None:
            return None
        return self.ref(r, name, self.organisations, Organisation, "key")

    def pillar_refs(self, r: _Reader, name: str = "pillars") -> list[Pillar]:
        return self.refs(r, name, self.pillars, Pillar, "number")

    def item_refs(self, r: _Reader, name: str = "action_items") -> list[ActionItem]:
        out = []
        for ref in r.list(name):
            if ref not in self.items:
                parts = ref.split("/") if isinstance(ref, str) else []
                item = None
                if len(parts) == 3:
                    item = ActionItem.objects.filter(
                        version__plan__key=parts[0], version__label=parts[1], code=parts[2]
                    ).first()
                if item is None:
                    raise r.error(name, f"no action item {ref!r} (expected plan/version/code)")
                self.items[ref] = item
            out.append(self.items[ref])
        return out

    def area_refs(self, r: _Reader, name: str = "framework_areas") -> list[FrameworkArea]:
        out = []
        for ref in r.list(name):
            if ref not in self.areas:
                parts = ref.split("/") if isinstance(ref, str) else []
                area = None
                if len(parts) == 2:
                    area = FrameworkArea.objects.filter(
                        framework__key=parts[0], code=parts[1]
                    ).first()
                if area is None:
                    raise r.error(name, f"no framework area {ref!r} (expected framework/code)")
                self.areas[ref] = area
            out.append(self.areas[ref])
        return out

    # -- sections ------------------------------------------------------------

    def load_sources(self) -> None:
        for s in self.r.children("sources"):
            obj, _ = self.upsert(
                Source,
                {"key": s.slug("key")},
                lambda s=s: {
                    "kind": s.choice("kind", Source.Kind),
                    **_translated_fields("title", s.translated("title", required=True)),
                    **_translated_fields("publisher", s.translated_or_text("publisher")),
                    **_translated_fields("citation", s.translated("citation")),
                    "url": s.text("url"),
                    "date": s.date("date"),
                },
                since=self.since(s),
            )
            if obj is not None:
                self.sources[obj.key] = obj

    def load_countries(self) -> None:
        for c in self.r.children("countries"):
            iso2 = c.text("iso2", required=True).upper()
            obj, _ = self.upsert(
                Country,
                {"iso2": iso2},
                lambda c=c, iso2=iso2: self.country_fields(c, iso2),
                since=self.since(c),
            )
            if obj is not None:
                self.countries[iso2] = obj

    def country_fields(self, c: _Reader, iso2: str) -> dict:
        import pycountry

        known = pycountry.countries.get(alpha_2=iso2)
        if known is None:
            raise c.error("iso2", f"expected an ISO 3166 alpha-2 code, got {iso2!r}")
        names = c.translated("name")
        names["en"] = names["en"] or known.name
        return {
            "iso3": known.alpha_3,
            **_translated_fields("name", names),
            "in_region": c.boolean("in_region"),
            **self.provenance(c),
        }

    def load_organisations(self) -> None:
        rows = self.r.children("organisations")
        for o in rows:
            obj, created = self.upsert(
                Organisation,
                {"key": o.slug("key")},
                lambda o=o: {
                    **_translated_fields("acronym", o.translated("acronym")),
                    **_translated_fields("name", o.translated("name", required=True)),
                    **_translated_fields("description", o.translated("description")),
                    "type": o.choice("type", Organisation.Type),
                    "country": self.country(o, "country"),
                    "website": o.text("website"),
                    "iati_id": o.text("iati_id"),
                    **self.provenance(o),
                },
                since=self.since(o),
            )
            if obj is not None:
                self.organisations[obj.key] = obj
        for o in rows:  # parents may come later in the file
            if o.raw("parent", required=False):
                obj = self.organisations.get(o.slug("key"))
                if obj is not None and obj.parent_id is None:
                    obj.parent = self.organisation(o, "parent")
                    obj.save(update_fields=["parent"])

    def load_strategies(self) -> None:
        for s in self.r.children("strategies"):
            strategy, _ = self.upsert(
                Strategy,
                {"key": s.slug("key")},
                lambda s=s: {
                    **_translated_fields("title", s.translated("title", required=True)),
                    **_translated_fields("description", s.translated("description")),
                    "symbol": s.text("symbol"),
                    **self.provenance(s),
                },
                since=self.since(s),
            )
            if strategy is None:
                continue
            for p in s.children("pillars"):
                pillar, _ = self.upsert(
                    Pillar,
                    {"strategy": strategy, "number": p.integer("number", required=True, minimum=1)},
                    lambda p=p: {
                        **_translated_fields("short_title", p.translated("short_title", True)),
                        **_translated_fields("title", p.translated("title", required=True)),
                        **self.provenance(p),
                    },
                    since=self.since(p, self.since(s)),
                )
                if pillar is not None:
                    self.pillars[pillar.number] = pillar

    def load_frameworks(self) -> None:
        for position, f in enumerate(self.r.children("frameworks")):
            framework, _ = self.upsert(
                Framework,
                {"key": f.slug("key")},
                lambda f=f, position=position: {
                    **_translated_fields("title", f.translated("title", required=True)),
                    **_translated_fields("short_title", f.translated("short_title")),
                    **_translated_fields("description", f.translated("description")),
                    "symbol": f.text("symbol", max_length=50),
                    "position": f.integer("position") or position,
                    **self.provenance(f),
                },
                since=self.since(f),
            )
            if framework is None:
                continue
            for position, a in enumerate(f.children("areas")):
                area, _ = self.upsert(
                    FrameworkArea,
                    {"framework": framework, "code": a.text("code", required=True, max_length=30)},
                    lambda a=a, position=position: {
                        **_translated_fields("title", a.translated("title", required=True)),
                        "position": a.integer("position") or position,
                        **self.provenance(a),
                    },
                    since=self.since(a, self.since(f)),
                )
                if area is not None:
                    if "/" in area.code:
                        raise a.error("code", "a code may not hold '/'")
                    self.areas[f"{framework.key}/{area.code}"] = area

    def load_plans(self) -> None:
        for p in self.r.children("plans"):
            plan, created = self.upsert(
                Plan,
                {"key": p.slug("key")},
                lambda p=p: {
                    "strategy": self.ref(p, "strategy", {}, Strategy, "key"),
                    **_translated_fields("title", p.translated("title", required=True)),
                    **_translated_fields("short_title", p.translated("short_title")),
                    **_translated_fields("region", p.translated("region", required=True)),
                    **_translated_fields("description", p.translated("description")),
                    **self.provenance(p),
                },
                since=self.since(p),
            )
            if plan is None:
                continue
            if created:
                plan.countries.set(
                    [
                        self.ref(p, "countries", self.countries, Country, "iso2", c)
                        for c in p.list("countries")
                    ]
                )
            for v in p.children("versions"):
                self.load_plan_version(plan, v, self.since(v, self.since(p)))

    def load_plan_version(self, plan: Plan, v: _Reader, since: int) -> None:
        version, _ = self.upsert(
            PlanVersion,
            {"plan": plan, "label": v.text("label", required=True, max_length=50)},
            lambda: {
                "adopted_on": v.date("adopted_on"),
                **_translated_fields("adopted_at", v.translated("adopted_at")),
                **_translated_fields("notes", v.translated("notes")),
                **self.provenance(v),
            },
            since=since,
        )
        if version is None:
            return
        if v.raw("adopted_at_event", required=False) and version.adopted_at_event_id is None:

            def link_event(version=version, v=v):
                version.adopted_at_event = self.ref(
                    v, "adopted_at_event", self.events, Event, "key"
                )
                version.save(update_fields=["adopted_at_event"])

            self.deferred.append(link_event)
        for position, i in enumerate(v.children("items")):
            item, _ = self.upsert(
                ActionItem,
                {"version": version, "code": i.text("code", required=True, max_length=30)},
                lambda i=i, position=position: {
                    "pillar": self.ref(i, "pillar", self.pillars, Pillar, "number"),
                    **_translated_fields("title", i.translated("title", required=True)),
                    **_translated_fields("text", i.translated("text")),
                    "position": i.integer("position") or position,
                    **self.provenance(i),
                },
                since=self.since(i, since),
            )
            if item is not None:
                self.items[f"{plan.key}/{version.label}/{item.code}"] = item
        for s in v.children("participation"):
            self.upsert(
                Participation,
                {"version": version, "country": self.country(s, "country")},
                lambda s=s: {
                    "status": s.choice("status", Participation.Status),
                    "date": s.date("date"),
                    **_translated_fields("place", s.translated("place")),
                    **self.provenance(s),
                },
                since=self.since(s, since),
            )

    def load_phases(self) -> None:
        for p in self.r.children("phases"):
            phase, created = self.upsert(
                Phase,
                {"key": p.slug("key")},
                lambda p=p: {
                    "plan": self.ref(p, "plan", {}, Plan, "key"),
                    "number": p.integer("number", required=True, minimum=1),
                    **_translated_fields("title", p.translated("title", required=True)),
                    **_translated_fields("description", p.translated("description")),
                    **_translated_fields("end_note", p.translated("end_note")),
                    "start_year": p.integer("start_year", required=True, minimum=1900),
                    "end_year": p.integer("end_year", minimum=1900),
                    **self.provenance(p),
                },
                since=self.since(p),
            )
            if created:
                phase.implementing_offices.set(
                    self.refs(p, "implementing_offices", self.organisations, Organisation, "key")
                )
                phase.donors.set(self.refs(p, "donors", self.organisations, Organisation, "key"))

    def load_events(self) -> None:
        for e in self.r.children("events"):
            event, created = self.upsert(
                Event,
                {"key": e.slug("key")},
                lambda e=e: {
                    "kind": e.choice("kind", Event.Kind),
                    "number": e.integer("number", minimum=1),
                    **_translated_fields("title", e.translated("title", required=True)),
                    **_translated_fields("summary", e.translated("summary")),
                    **_translated_fields("outcome", e.translated("outcome")),
                    **_translated_fields("city", e.translated("city")),
                    "phase": self.ref(e, "phase", {}, Phase, "key")
                    if e.raw("phase", False)
                    else None,
                    "start_date": e.date("start_date", required=True),
                    "end_date": e.date("end_date"),
                    "country": self.country(e, "country"),
                    "participants_total": e.integer("participants_total"),
                    **self.provenance(e),
                },
                since=self.since(e),
            )
            if event is not None:
                self.events[event.key] = event
            if not created:
                continue
            if event.end_date and event.end_date < event.start_date:
                raise e.error("end_date", "expected a date on or after start_date")
            event.pillars.set(self.pillar_refs(e))
            event.action_items.set(self.item_refs(e))
            for name in ("organisers", "co_organisers", "donors"):
                getattr(event, name).set(
                    self.refs(e, name, self.organisations, Organisation, "key")
                )
            for g in e.children("participants"):
                EventParticipants.objects.create(
                    event=event,
                    country=self.country(g, "country"),
                    organisation=self.organisation(g, "organisation"),
                    women=g.integer("women"),
                    men=g.integer("men"),
                    total=g.integer("total", required=True),
                )
            for d in e.children("documents"):
                self.deferred.append(lambda d=d, event=event: self.load_event_document(event, d))

    def load_event_document(self, event: Event, d: _Reader) -> None:
        resource = None
        if d.raw("resource", required=False):
            resource = self.ref(d, "resource", self.resources, Resource, "key")
        EventDocument.objects.create(
            event=event,
            kind=d.choice("kind", EventDocument.Kind),
            **_translated_fields("title", d.translated("title", required=True)),
            resource=resource,
            url=d.text("url"),
        )

    def load_resources(self) -> None:
        for r in self.r.children("resources"):
            resource, created = self.upsert(
                Resource,
                {"key": r.slug("key")},
                lambda r=r: {
                    "kind": r.choice("kind", Resource.Kind),
                    **_translated_fields("title", r.translated("title", required=True)),
                    **_translated_fields("description", r.translated("description")),
                    "symbol": r.text("symbol"),
                    "date": r.date("date"),
                    "year": r.integer("year") or (r.date("date").year if r.date("date") else None),
                    "source_organisation": self.organisation(r, "source_organisation"),
                    "event": self.ref(r, "event", self.events, Event, "key")
                    if r.raw("event", False)
                    else None,
                    **self.provenance(r),
                },
                since=self.since(r),
            )
            if resource is not None:
                self.resources[resource.key] = resource
            if not created:
                continue
            resource.pillars.set(self.pillar_refs(r))
            resource.countries.set(
                [
                    self.ref(r, "countries", self.countries, Country, "iso2", c)
                    for c in r.list("countries")
                ]
            )
            for v in r.children("versions"):
                ResourceVersion.objects.create(
                    resource=resource, language=v.text("language", required=True), url=v.text("url")
                )

    def load_activities(self) -> None:
        """New activities go through the matrix's one write path (`jpoa.matrix.writes`),
        with the loader as actor: the same checks, keys, years and audit as an editor's."""
        adds = []
        for a in self.r.children("activities"):
            key = a.slug("key")
            activity, create = self.existing(Activity, {"key": key}, since=self.since(a))
            if activity is not None:
                self.activities[key] = activity
            if create:
                lead = self.organisation(a, "lead_organisation") or self.ref(
                    a, "lead_organisation", {}, Organisation, "key"
                )
                adds.append(NewActivity(lead.pk, self.activity_data(a, key)))
        if not adds:
            return
        written = write_activities(user=DATASET_LOADER, adds=adds, validate=True)
        for activity in Activity.objects.filter(pk__in=written.added):
            self.activities[activity.key] = activity
        self.report.created[Activity._meta.label] += len(written.added)

    def activity_data(self, a: _Reader, key: str) -> dict:
        return {
            "key": key,
            "iati_identifier": a.text("iati_identifier") or None,
            **_translated_fields("title", a.translated("title", required=True)),
            **_translated_fields("description", a.translated("description")),
            "region_wide": a.boolean("region_wide"),
            "start_date": a.date("start_date"),
            "end_date": a.date("end_date"),
            "status": a.choice("status", Activity.Status),
            "budget": a.decimal("budget"),
            "currency": a.text("currency", max_length=3),
            "source_url": a.text("source_url"),
            "last_verified": a.date("last_verified"),
            **self.provenance(a),
            "pillars": self.pillar_refs(a),
            "action_items": self.item_refs(a),
            "framework_areas": self.area_refs(a),
            "countries": [
                self.ref(a, "countries", self.countries, Country, "iso2", c)
                for c in a.list("countries")
            ],
            "partners": self.refs(a, "partners", self.organisations, Organisation, "key"),
            "donors": self.refs(a, "donors", self.organisations, Organisation, "key"),
        }

    def load_findings(self) -> None:
        for f in self.r.children("findings"):
            finding, created = self.upsert(
                Finding,
                {"key": f.slug("key")},
                lambda f=f: {
                    "kind": f.choice("kind", Finding.Kind),
                    **_translated_fields("text", f.translated("text", required=True)),
                    "event": self.ref(f, "event", self.events, Event, "key")
                    if f.raw("event", False)
                    else None,
                    "status": f.choice("status", Finding.Status, default=Finding.Status.OPEN),
                    **self.provenance(f),
                },
                since=self.since(f),
            )
            if not created:
                continue
            finding.pillars.set(self.pillar_refs(f))
            finding.action_items.set(self.item_refs(f))
            finding.addressed_to_countries.set(
                [
                    self.ref(f, "addressed_to_countries", self.countries, Country, "iso2", c)
                    for c in f.list("addressed_to_countries")
                ]
            )
            finding.addressed_to_organisations.set(
                self.refs(f, "addressed_to_organisations", self.organisations, Organisation, "key")
            )
            finding.follow_up_activities.set(
                self.refs(f, "follow_up_activities", self.activities, Activity, "key")
            )
            finding.follow_up_events.set(
                self.refs(f, "follow_up_events", self.events, Event, "key")
            )
            for c in f.children("status_changes"):
                FindingStatusChange.objects.create(
                    finding=finding,
                    date=c.date("date", required=True),
                    status=c.choice("status", Finding.Status),
                    **_translated_fields("explanation", c.translated("explanation", True)),
                )

    def load_editions(self) -> None:
        for e in self.r.children("editions"):
            edition, created = self.upsert(
                Edition,
                {"number": e.integer("number", required=True, minimum=1)},
                lambda e=e: {
                    **_translated_fields("title", e.translated("title", required=True)),
                    **_translated_fields("notes", e.translated("notes")),
                    "as_of": e.date("as_of", required=True),
                    # Editions of the past come from documents, not from publishing the
                    # current activities: the loader is recorded as their publisher.
                    "published_by_system": DATASET_LOADER.name,
                },
                since=self.since(e),
            )
            if not created:
                continue
            entries = []
            for x in e.children("entries"):
                key = x.slug("key")
                lead = self.ref(x, "lead_organisation", self.organisations, Organisation, "key")
                start, end = x.date("start_date"), x.date("end_date")
                entries.append(
                    EditionEntry(
                        edition=edition,
                        activity=Activity.objects.filter(key=key).first(),
                        activity_key=key,
                        lead_organisation_id_at=lead.pk,
                        status=x.choice("status", Activity.Status),
                        start_year=start.year if start else None,
                        end_year=end.year if end else None,
                        data=x.obj,
                    )
                )
            EditionEntry.objects.bulk_create(entries)
            build_edition_facts(edition)
            self.report.created[EditionEntry._meta.label] += len(entries)
