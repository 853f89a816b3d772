"""What an import would do, row by row, before anything is written.

`build_preview` reads a file (`readers`), matches its names (`matching`), finds the
activity each row is about, and validates the row with the editor's own rules
(`jpoa.matrix.editing.ActivityFormMixin`, the same form fields and checks as the
back office). Each row's fate is *add*, *update*, *unchanged*, *skipped* (outside the
region) or *error*; every problem names the file, the row and the column.

A row is about an existing activity when it has that activity's IATI identifier,
else its explicit key, else the key derived from the lead organisation and English
title (the key `create_activity` gives a new activity): so importing the same file
twice updates instead of duplicating.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django import forms
from django.core import validators
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jpoa.core.models import Organisation, normalise_identifier
from jpoa.lib.database import rows_where_in
from jpoa.matrix.editing import ActivityFormMixin, check_activity_rules
from jpoa.matrix.fields import IMPORTED_FIELDS
from jpoa.matrix.models import Activity
from jpoa.matrix.writes import derived_key, numbered_key

from .columns import BY_FIELD
from .matching import (
    REGION_WORDS,
    Matcher,
    describe,
    normalise,
    province_countries,
    split_values,
    world_country,
)
from .readers import (
    Issue,
    ReadError,
    SourceRow,
    Table,
    outside_reason,
    read_date,
    read_file,
    sector_pillars,
)

ADD, UPDATE, UNCHANGED, SKIPPED, ERROR = "add", "update", "unchanged", "skipped", "error"
FATES = (ADD, UPDATE, UNCHANGED, SKIPPED, ERROR)
FATE_LABELS = {
    ADD: gettext_lazy("add"),
    UPDATE: gettext_lazy("update"),
    UNCHANGED: gettext_lazy("unchanged"),
    SKIPPED: gettext_lazy("skipped"),
    ERROR: gettext_lazy("error"),
}
FORM_FIELDS = IMPORTED_FIELDS
FORM_FIELD_NAMES = frozenset(FORM_FIELDS)
MANY = ("partners", "donors", "pillars", "countries")
MANY_NAMES = frozenset(MANY)
IDENTITY = ("key", "iati_identifier")
TRUE = {"yes", "y", "true", "1", "x", "да", "д"}
FALSE = {"no", "n", "false", "0", "нет", "н", ""}
STATUS_SYNONYMS = {
    "pipeline": "planned",
    "identification": "planned",
    "active": "ongoing",
    "implementation": "ongoing",
    "in progress": "ongoing",
    "finished": "completed",
    "complete": "completed",
    "closed": "completed",
    "finalisation": "completed",
    "canceled": "cancelled",
}
CHUNK = 500
# A pillars cell value meant as a pillar number, which is an error when there is no such
# pillar; any other text is a sector (a warning when no mapping gives it a pillar).
PILLAR_LIKE = re.compile(r"((pillar|столп) )?([0-9]{1,2}|[ivx]{1,4})")
# IATI OrganisationType codes → jpoa's organisation type, and the code's own name.
IATI_ORGANISATION_TYPES = {
    "10": ("state", gettext_lazy("government")),
    "11": ("state", gettext_lazy("local government")),
    "15": ("state", gettext_lazy("other public sector")),
    "21": ("ngo", gettext_lazy("international NGO")),
    "22": ("ngo", gettext_lazy("national NGO")),
    "23": ("ngo", gettext_lazy("regional NGO")),
    "24": ("ngo", gettext_lazy("partner country based NGO")),
    "30": ("other", gettext_lazy("public private partnership")),
    "40": ("international", gettext_lazy("multilateral")),
    "60": ("ngo", gettext_lazy("foundation")),
    "70": ("other", gettext_lazy("private sector")),
    "71": ("other", gettext_lazy("private sector in provider country")),
    "72": ("other", gettext_lazy("private sector in aid recipient country")),
    "73": ("other", gettext_lazy("private sector in third country")),
    "80": ("other", gettext_lazy("academic, training and research")),
    "90": ("other", gettext_lazy("other")),
}


class _Known:
    """A model choice field whose valid choices may be given as ``{pk: object}``.

    Copying the field for each form shares its (never evaluated) queryset instead of
    cloning it: with one form per row, that copy would be the dearest part of a row.
    """

    objects: dict | None = None

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)


class _KnownChoiceField(_Known, forms.ModelChoiceField):
    def to_python(self, value):
        if self.objects is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return self.objects[int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class _KnownMultipleChoiceField(_Known, forms.ModelMultipleChoiceField):
    def clean(self, value):
        if self.objects is not None and not value and not self.required:
            return []
        return super().clean(value)

    def _check_values(self, value):
        if self.objects is None:
            return super()._check_values(value)
        out = []
        for pk in dict.fromkeys(value):
            try:
                out.append(self.objects[int(pk)])
            except (KeyError, TypeError, ValueError):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                ) from None
        return out


class ImportActivityForm(ActivityFormMixin, forms.ModelForm):
    """The editor's rules for one imported row (no version field: the import checks it).

    The fields, their validation and `check_activity_rules` are the back office's; only
    where the answers come from differs: the valid choices (organisations, pillars,
    countries) are dictionaries loaded once per import, and the uniqueness of the key
    and IATI identifier is checked against the activities the planner loaded for its
    chunk of rows, so that validating a row costs no query.
    """

    class Meta:
        model = Activity
        fields = FORM_FIELDS
        field_classes = {
            "lead_organisation": _KnownChoiceField,
            **dict.fromkeys(MANY, _KnownMultipleChoiceField),
        }

    def __init__(self, *args, choices: "Choices | None" = None, taken=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = taken
        if choices is not None:
            for name, objects in choices.by_field().items():
                self.fields[name].objects = objects

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.taken is not None:
            # The form field has checked it against the same organisations, in memory.
            exclude.add("lead_organisation")
        return exclude

    def validate_unique(self):
        if self.taken is None:
            return super().validate_unique()
        for name in ("key", "iati_identifier"):
            value = self.cleaned_data.get(name)
            other = self.taken[name].get(value) if value else None
            if other is not None and other.pk != self.instance.pk:
                self.add_error(
                    name,
                    _("%(field)s “%(value)s” is already used by another activity")
                    % {"field": Activity._meta.get_field(name).verbose_name, "value": value},
                )


class RowValidator:
    """The rules of `ImportActivityForm` for one row, at a fraction of a form's cost.

    Binding a form to each row copies every field and widget and builds a model
    instance; for a file of 100,000 rows that costs more than reading, matching and
    writing together. The rules are the form's own: each row goes through the same
    field objects (`field.clean`: required, lengths, choices, dates, numbers), the
    editor's cross-field rules (`check_activity_rules`) and the uniqueness check of
    the form. What a field makes of a value that repeats across rows (a status, a
    date, a list of countries) is remembered instead of being worked out again, and
    a text that passes its field's checks as it is (see `plain_text_check`) is not
    sent through the field's machinery to come back unchanged.
    """

    UNIQUE_TEXT = (
        "key",
        "iati_identifier",
        "title_en",
        "title_ru",
        "description_en",
        "description_ru",
        "source_url",
    )
    MEMO_LIMIT = 100_000

    def __init__(self, choices: "Choices", taken: dict[str, dict]):
        self.form = ImportActivityForm(choices=choices, taken=taken)
        self.fields = self.form.fields
        self.plan = [
            (name, field, name not in self.UNIQUE_TEXT, plain_text_check(field))
            for name, field in self.fields.items()
        ]
        self.memo: dict[tuple, tuple[bool, Any]] = {}
        self.blank = Activity()  # building one per new row costs more than validating it

    def clean(self, name: str, field: forms.Field, raw: Any, remember: bool = True):
        """(True, cleaned value) or (False, error messages)."""
        memo_key = None
        if remember or raw == "":
            memo_key = (name, tuple(raw) if raw.__class__ is list else raw)
            try:
                return self.memo[memo_key]
            except KeyError:
                pass
        try:
            result = (True, field.clean(raw))
        except forms.ValidationError as error:
            result = (False, error.messages)
        if memo_key is not None:
            if len(self.memo) > self.MEMO_LIMIT:
                self.memo.clear()
            self.memo[memo_key] = result
        return result

    def validate(self, data: dict, instance: Activity | None) -> tuple[dict, dict[str, list]]:
        """The cleaned values of a row and its errors by field (``{}`` if none)."""
        form = self.form
        cleaned, errors = {}, forms.utils.ErrorDict()
        form.cleaned_data, form._errors = cleaned, errors
        form.instance = instance if instance is not None else self.blank
        for name, form_field, remember, passes in self.plan:
            raw = data.get(name)
            if raw is None:
                raw = ""
            elif passes is not None and raw.__class__ is str and passes(raw):
                cleaned[name] = raw
                continue
            ok, value = self.clean(name, form_field, raw, remember)
            if ok:
                cleaned[name] = value
            else:
                errors[name] = form.error_class(value)
        check_activity_rules(form)
        form.validate_unique()
        return cleaned, {name: list(messages) for name, messages in errors.items()}


def plain_text_check(field: forms.Field) -> Callable[[str], bool] | None:
    """A test that a text is valid for ``field`` and cleans to itself, or None.

    True only where `field.clean` is certain to return the text unchanged without an
    error: a non-empty text without surrounding spaces that passes each of the
    field's validators, all of kinds whose rule the test repeats exactly (lengths,
    NUL characters, a pattern). A field of another kind, or with another validator,
    gets None, and so does every text the test is not sure of: those go through
    `field.clean`, which gives the value or the error.
    """
    if type(field) not in (forms.CharField, forms.SlugField) or not field.strip:
        return None
    longest, shortest, searches = None, 0, []  # searches: each true of a refused text
    for validator in field.validators:
        kind, limit = type(validator), getattr(validator, "limit_value", None)
        if kind is validators.MaxLengthValidator and isinstance(limit, int):
            longest = limit if longest is None else min(longest, limit)
        elif kind is validators.MinLengthValidator and isinstance(limit, int):
            shortest = max(shortest, limit)
        elif kind is validators.ProhibitNullCharactersValidator:
            searches.append(lambda text: "\x00" in text)
        elif kind is validators.RegexValidator and not validator.inverse_match:
            pattern = re.compile(validator.regex.pattern, validator.regex.flags)
            searches.append(lambda text, search=pattern.search: not search(text))
        else:
            return None
    empty = field.empty_values

    def passes(text: str) -> bool:
        if text in empty or text.strip() != text or len(text) < shortest:
            return False
        if longest is not None and len(text) > longest:
            return False
        for refuses in searches:
            if refuses(text):
                return False
        return True

    return passes


@dataclass
class Choices:
    """What an activity may refer to, loaded once per import."""

    organisations: dict
    pillars: dict
    countries: dict

    @classmethod
    def load(cls) -> "Choices":
        from jpoa.core.models import Country, Organisation
        from jpoa.plan.models import Pillar

        return cls(
            Organisation.objects.in_bulk(), Pillar.objects.in_bulk(), Country.objects.in_bulk()
        )

    def by_field(self) -> dict[str, dict]:
        o = self.organisations
        return {
            "lead_organisation": o,
            "partners": o,
            "donors": o,
            "pillars": self.pillars,
            "countries": self.countries,
        }


@dataclass
class RowPlan:
    row: int
    fate: str
    label: str = ""
    issues: list[Issue] = field(default_factory=list)
    activity_id: int | None = None
    expected_version: int | None = None
    data: dict[str, Any] = field(default_factory=dict)  # add: every field; update: the changes
    needs_pillar: bool = False
    reason: str = ""  # why a row is skipped

    @property
    def fate_label(self) -> str:
        return str(FATE_LABELS[self.fate])

    @property
    def changed(self) -> list[str]:
        return sorted(self.data) if self.fate == UPDATE else []


@dataclass
class NewOrganisation:
    """An organisation a file names that jpoa does not know: added when the import is
    confirmed, marked as added by that import and not yet reviewed."""

    temporary_id: int  # negative: stands for it in the rows until it is written
    key: str
    name: str
    ref: str = ""  # its IATI organisation identifier, as the file writes it
    iati_type: str = ""  # the IATI organisation type code
    type: str = "other"
    names: tuple = ()  # ((language, name), ...)
    row: int = 0  # where the file first names it
    activity: str = ""
    similar: str = ""  # a known organisation with a close name: perhaps the same one
    instance: Any = field(default=None, repr=False)  # unsaved, with the temporary id

    @property
    def type_label(self) -> str:
        from jpoa.core.models import Organisation

        return str(Organisation.Type(self.type).label)

    @property
    def iati_type_label(self) -> str:
        return str(IATI_ORGANISATION_TYPES.get(self.iati_type, ("", ""))[1])

    def describe(self) -> str:
        kind = self.iati_type_label or self.type_label
        details = ", ".join(p for p in (self.ref, kind) if p)
        return f"{self.name} ({details})" if details else self.name

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "ref": self.ref,
            "iati_type": self.iati_type,
            "iati_type_label": self.iati_type_label,
            "type": self.type,
            "type_label": self.type_label,
            "row": self.row,
            "activity": self.activity,
            "similar": self.similar,
            "described": self.describe(),
        }


@dataclass
class Preview:
    file_name: str
    format: str
    rows: list[RowPlan] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # about the whole file
    new_organisations: list[NewOrganisation] = field(default_factory=list)
    # (organisation, identifier): a known organisation the file found by name, with the
    # IATI identifier the file gives it; written with the import.
    new_identifiers: list[tuple[Any, str]] = field(default_factory=list)
    skip_reasons: list[tuple[str, int]] = field(default_factory=list)  # (why, how many rows)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(FATES, 0)
        for row in self.rows:
            out[row.fate] += 1
        out["errors"] = len(self.errors)
        out["warnings"] = len(self.warnings)
        out["read"] = len(self.rows)
        out["in_region"] = len(self.rows) - out[SKIPPED]
        out["new_organisations"] = len(self.new_organisations)
        out["needs_pillar"] = len(self.needs_pillar)
        return out

    @property
    def needs_pillar(self) -> list[RowPlan]:
        """Rows to add or update that will have no pillar: a coordinator gives them one."""
        return [r for r in self.rows if r.needs_pillar]

    def summary(self) -> list[str]:
        """The lines a user reads first: what was read, what is kept, what is skipped and why."""
        c = self.counts
        lines = [
            _("%(read)d read, %(in_region)d in the region, %(skipped)d skipped")
            % {"read": c["read"], "in_region": c["in_region"], "skipped": c[SKIPPED]}
        ]
        lines += [
            _("skipped: %(why)s (%(n)d)") % {"why": why, "n": n} for why, n in self.skip_reasons
        ]
        if self.new_organisations:
            lines.append(
                ngettext(
                    "%(n)d new organisation: %(list)s",
                    "%(n)d new organisations: %(list)s",
                    len(self.new_organisations),
                )
                % {
                    "n": len(self.new_organisations),
                    "list": "; ".join(o.describe() for o in self.new_organisations),
                }
            )
        if self.new_identifiers:
            lines.append(
                _("identifiers to add to known organisations: %s")
                % "; ".join(f"{ref} → {org}" for org, ref in self.new_identifiers)
            )
        if self.needs_pillar:
            lines.append(
                ngettext(
                    "%(n)d activity needs a pillar: %(list)s",
                    "%(n)d activities need a pillar: %(list)s",
                    len(self.needs_pillar),
                )
                % {
                    "n": len(self.needs_pillar),
                    "list": "; ".join(r.label for r in self.needs_pillar[:20]),
                }
            )
        return lines

    def all_issues(self) -> list[Issue]:
        return self.issues + [i for row in self.rows for i in row.issues]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.all_issues() if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.all_issues() if i.level == "warning"]

    @property
    def has_errors(self) -> bool:
        return any(i.level == "error" for i in self.issues) or any(
            r.fate == ERROR for r in self.rows
        )

    def to_json(self, *, max_rows: int = 500, max_issues: int = 2000) -> dict:
        """What the preview page shows, kept with a pending import.

        A large file keeps its first ``max_rows`` rows, every row with an error (up
        to ``max_issues``) and its first ``max_issues`` errors and warnings; the
        counts are always whole.
        """
        issues = self.all_issues()
        rows = [r for r in self.rows[:max_rows]]
        rows += [r for r in self.rows[max_rows:] if r.fate == ERROR][:max_issues]
        return {
            "counts": self.counts,
            "has_errors": self.has_errors,
            "summary": self.summary(),
            "skip_reasons": [{"reason": why, "rows": n} for why, n in self.skip_reasons],
            "new_organisations": [o.to_json() for o in self.new_organisations[:max_issues]],
            "needs_pillar": [{"row": r.row, "label": r.label} for r in self.needs_pillar][
                :max_issues
            ],
            "issues": [_issue_json(i) for i in issues[:max_issues]],
            "issues_left_out": max(0, len(issues) - max_issues),
            "rows": [
                {
                    "row": r.row,
                    "fate": r.fate,
                    "label": r.label,
                    "changed": r.changed,
                    "reason": r.reason,
                }
                for r in rows
            ],
            "rows_left_out": len(self.rows) - len(rows),
        }


def _issue_json(issue: Issue) -> dict:
    return {
        "file": issue.file,
        "row": issue.row,
        "field": issue.field,
        "message": issue.message,
        "level": issue.level,
        "suggestion": issue.suggestion,
        "activity": issue.activity,
    }


def site_pillar_objects():
    from jpoa.matrix.selectors import site_pillars

    return site_pillars()


def build_preview(
    path: Path,
    *,
    file_name: str | None = None,
    format: str | None = None,
    include_outside_region: bool = False,
    date_format: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Preview:
    name = file_name or path.name
    try:
        table = read_file(
            path,
            file_name=name,
            format=format,
            **(
                {"include_outside_region": include_outside_region}
                if format == "iati" or (format is None and name.lower().endswith(".xml"))
                else {}
            ),
        )
    except ReadError as exc:
        return Preview(name, format or "", issues=[Issue(name, None, "", exc.message)])
    return plan_rows(
        table,
        progress=progress,
        date_format=date_format,
        include_outside_region=include_outside_region,
    )


def plan_rows(
    table: Table, *, progress=None, date_format: str = "", include_outside_region: bool = False
) -> Preview:
    preview = Preview(table.file_name, table.format, issues=list(table.issues))
    planner = _Planner(
        table, date_format=date_format, include_outside_region=include_outside_region
    )
    total = len(table.rows)
    for start in range(0, total, CHUNK):
        chunk = table.rows[start : start + CHUNK]
        preview.rows.extend(planner.plan_chunk(chunk))
        if progress:
            progress(start + len(chunk), total)
    if not table.rows and not preview.issues:
        preview.issues.append(Issue(table.file_name, None, "", _("the file holds no rows")))
    preview.new_organisations = list({id(o): o for o in planner.proposed.values()}.values())
    preview.new_identifiers = list(planner.new_identifiers.values())
    preview.skip_reasons = planner.skip_summary()
    return preview


class _Planner:
    def __init__(
        self, table: Table, *, date_format: str = "", include_outside_region: bool = False
    ):
        self.table = table
        self.date_format = date_format
        self.include_outside_region = include_outside_region
        self.matcher = Matcher()
        self.choices = Choices.load()
        self.proposed: dict[str, NewOrganisation] = {}  # by normalised identifier or name
        self.new_identifiers: dict[str, tuple[Organisation, str]] = {}  # of known ones
        self.taken_org_keys = set(Organisation.objects.values_list("key", flat=True))
        self.mapping = sector_pillars()
        self.pillar_pks = {p.number: p.pk for p in self.choices.pillars.values()}
        self.skipped_outside: dict[str, int] = {}  # country → rows skipped for it
        self.skipped_other: dict[str, int] = {}
        self.outside_memo: dict[Any, list[str]] = {}
        self.skipped_outside_rows = 0
        self.statuses = _status_names()
        self.seen: dict[Any, int] = {}  # activity id, or ("key", k) for a new one → row
        self.reserved_keys: set[str] = set()
        self.outcomes: dict[tuple, tuple[dict, list[Issue]]] = {}
        self.taken: dict[str, dict] = {"key": {}, "iati_identifier": {}}
        self.validator = RowValidator(self.choices, self.taken)
        self.handlers: dict[str, tuple[Callable | None, bool]] = {}

    def label(self, name: str) -> str:
        return self.table.labels.get(name) or (BY_FIELD[name].label if name in BY_FIELD else name)

    def issue(
        self,
        source: SourceRow,
        name: str,
        message: str,
        suggestion: str = "",
        level: str = "error",
    ) -> None:
        source.issues.append(
            Issue(
                self.table.file_name,
                source.row,
                self.label(name),
                message,
                level,
                suggestion,
                source.activity,
            )
        )

    def countries_outside(self, source: SourceRow) -> list[str]:
        """A sheet's row whose countries are all outside the region: those countries."""
        value = source.values.get("countries")
        if self.table.format == "iati":
            return []
        if value in (None, "") and source.values.get("adm1") not in (None, ""):
            return self.province_outside(source)
        if value in (None, ""):
            return []
        wide = source.values.get("region_wide")
        if wide is True or normalise(str(wide or "")) in TRUE:
            return []
        memo_key = tuple(value) if isinstance(value, list) else value
        if memo_key not in self.outside_memo:
            probe, found = SourceRow(source.row, {}), {}
            self._value_countries(probe, found, value)
            clean = not probe.issues and not found.get("countries") and not found.get("region_wide")
            self.outside_memo[memo_key] = found.get("_outside", []) if clean else []
        return self.outside_memo[memo_key]

    def province_outside(self, source: SourceRow) -> list[str]:
        """A row that names a province but no country (a one-country 3W file): the country
        is that of the province (ISO 3166-2 names), said in a warning; outside: skipped."""
        province = source.values["adm1"]
        found = province_countries(province)
        region = {c.iso2 for c in self.choices.countries.values() if c.in_region}
        inside = sorted(found & region) if not self.include_outside_region else sorted(found)
        if len(inside) == 1:
            source.values["countries"] = inside[0]
            self.issue(
                source,
                "countries",
                _("no country given: %(country)s, the country of the province %(province)s")
                % {"country": inside[0], "province": province},
                level="warning",
            )
            return []
        return sorted(found) if found and not inside else []

    def skip_summary(self) -> list[tuple[str, int]]:
        out = []
        if self.skipped_outside:
            countries = sorted(self.skipped_outside)
            rows = self.skipped_outside_rows
            out.append(
                (_("recipient countries %s are outside the region") % ", ".join(countries), rows)
            )
        out += sorted(self.skipped_other.items())
        return out

    # -- names and values -> the form's data

    # Columns whose reading depends on the cell alone: a value seen before (a country
    # list, a status, a date) is read once per file, its outcome replayed for each row.
    SAME_VALUE_SAME_OUTCOME = frozenset(
        (
            "lead_organisation",
            "partners",
            "donors",
            "countries",
            "pillars",
            "status",
            "start_date",
            "end_date",
            "budget",
            "currency",
        )
    )

    def handler(self, name: str) -> tuple[Callable | None, bool]:
        """How a column is read: its ``_value_`` method, if any, and whether by value."""
        try:
            return self.handlers[name]
        except KeyError:
            found = getattr(self, f"_value_{name}", None)
            self.handlers[name] = (found, name in self.SAME_VALUE_SAME_OUTCOME)
            return self.handlers[name]

    def resolve(self, source: SourceRow) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in source.values.items():
            handler, by_value = self.handler(name)
            if handler is None:
                if name in FORM_FIELD_NAMES:
                    data[name] = "" if value is None else str(value).strip()
                continue
            if not by_value:
                handler(source, data, value)
                continue
            # An IATI file gives lists (of countries, of organisations): keyed as tuples.
            memo_key = (name, tuple(value) if value.__class__ is list else value)
            try:
                found, issues = self.outcomes[memo_key]
            except KeyError:
                found = {}
                before = len(source.issues)
                handler(source, found, value)
                self.outcomes[memo_key] = (found, source.issues[before:])
            except TypeError:  # an unhashable cell: read it each time
                handler(source, data, value)
                continue
            else:
                if issues:
                    source.issues.extend(replace(i, row=source.row) for i in issues)
            for key, read in found.items():
                data[key] = list(read) if read.__class__ is list else read
        return data

    def _organisation(self, source, name, value):
        found = self.matcher.organisation(value)
        if found.obj is None:
            return self.propose(source, name, value, found.suggestion)
        ref = value[0] if isinstance(value, tuple) else ""
        if ref and found.obj.pk > 0 and not self.matcher.knows_identifier(ref):
            # Found by name: its identifier is noted, so that next time it is found by it.
            self.new_identifiers.setdefault(normalise_identifier(ref), (found.obj, ref))
        return found.obj

    def propose(self, source: SourceRow, name: str, value, similar: str) -> Organisation:
        """A new organisation for a name (or IATI ref) no known one has: one per identifier."""
        ref, text, iati_type, names = (
            value if isinstance(value, tuple) else ("", str(value).strip(), "", ())
        )
        identity = f"ref:{normalise_identifier(ref)}" if ref else f"name:{normalise(text)}"
        proposal = self.proposed.get(identity)
        if proposal is None and ref and text:
            # Named before without its identifier: the same organisation, now identified.
            proposal = self.proposed.get(f"name:{normalise(text)}")
            if proposal is not None and proposal.ref:
                proposal = None  # another identifier: another organisation of the same name
            elif proposal is not None:
                proposal.ref, proposal.iati_type = ref, iati_type or proposal.iati_type
                proposal.type = organisation_type(proposal.iati_type, ref)
                self.proposed[identity] = proposal
        if proposal is None:
            proposal = self.new_organisation(source, ref, text, iati_type, names, similar)
            self.proposed[identity] = proposal
            self.choices.organisations[proposal.temporary_id] = proposal.instance
        elif names:  # named again, perhaps in another language: keep each language's name
            known = dict(proposal.names)
            for language, other in names:
                known.setdefault(language, other)
            proposal.names = tuple(sorted(known.items()))
        # Each of its names finds it again in the rest of the file, however it is identified.
        for other in {text, *(n for _language, n in proposal.names)} - {""}:
            self.proposed.setdefault(f"name:{normalise(other)}", proposal)
        if similar and similar != proposal.name:
            self.issue(
                source,
                name,
                _(
                    "“%(name)s” is new; it resembles %(known)s: if it is the same, correct the file "
                    "or merge the two after the import"
                )
                % {"name": describe(value), "known": similar},
                similar,
                "warning",
            )
        return proposal.instance

    def new_organisation(self, source, ref, text, iati_type, names, similar) -> NewOrganisation:
        name = text or ref
        stem = slugify(name)[:90].strip("-") or "organisation"
        key, n = stem, 1
        while key in self.taken_org_keys:
            n += 1
            key = f"{stem}-{n}"
        self.taken_org_keys.add(key)
        type_code = organisation_type(iati_type, ref)
        proposal = NewOrganisation(
            temporary_id=-(len(set(map(id, self.proposed.values()))) + 1),
            key=key,
            name=name,
            ref=ref,
            iati_type=iati_type,
            type=type_code,
            names=names,
            row=source.row,
            activity=source.activity,
            similar=similar,
        )
        proposal.instance = Organisation(pk=proposal.temporary_id, key=key, name=name)
        return proposal

    def _value_lead_organisation(self, source, data, value):
        if value in (None, "") or (isinstance(value, tuple) and not value[0] and not value[1]):
            data["lead_organisation"] = ""
            return
        org = self._organisation(source, "lead_organisation", value)
        data["lead_organisation"] = org.pk if org else ""
        data["_lead"] = org

    def _many_organisations(self, source, data, name, value):
        orgs = [self._organisation(source, name, v) for v in split_values(value)]
        data[name] = [o.pk for o in orgs if o]

    def _value_partners(self, source, data, value):
        self._many_organisations(source, data, "partners", value)

    def _value_donors(self, source, data, value):
        self._many_organisations(source, data, "donors", value)

    def _value_countries(self, source, data, value):
        pks, outside = [], []
        for name in split_values(value):
            if normalise(name) in REGION_WORDS:
                data["region_wide"] = True
                continue
            found = self.matcher.country(name)
            if found.obj is not None and (found.obj.in_region or self.include_outside_region):
                pks.append(found.obj.pk)
            elif found.obj is not None:
                outside.append(found.obj.iso2)
            elif (iso2 := world_country(name)) is not None:
                outside.append(iso2)
            else:
                self.issue(source, "countries", _("unknown country “%s”") % name, found.suggestion)
        data["countries"] = pks
        if outside and pks:
            self.issue(
                source,
                "countries",
                _("countries outside the region left out: %s") % ", ".join(outside),
                level="warning",
            )
        elif outside:
            data["_outside"] = outside

    def _value_pillars(self, source, data, value):
        """Pillars by number or name, or sectors: a DAC code the sector mapping knows gives
        its pillars; a sector the mapping does not know is a warning (the activity is kept
        and needs a pillar); only a number that is no pillar (5, VI) is an error."""
        pks, unmapped = [], []
        for name in split_values(value):
            text = str(int(name)) if isinstance(name, float) and name.is_integer() else str(name)
            found = self.matcher.pillar(text)
            if found.obj is not None:
                pks.append(found.obj.pk)
            elif (code := text.strip()) and any((v, code) in self.mapping for v in ("1", "2")):
                data.setdefault("_pillars_from_sectors", []).append(code)
                for vocabulary in ("1", "2"):
                    for number in self.mapping.get((vocabulary, code), ()):
                        if number in self.pillar_pks:
                            pks.append(self.pillar_pks[number])
            elif PILLAR_LIKE.fullmatch(normalise(text)):
                self.issue(
                    source,
                    "pillars",
                    _("unknown pillar “%s”; give 1-4 or I-IV") % text,
                    found.suggestion,
                )
            else:
                unmapped.append(text)
        if unmapped and not pks:
            self.issue(
                source,
                "pillars",
                _("no pillar for the sector %s: the activity needs a pillar") % ", ".join(unmapped),
                level="warning",
            )
        data["pillars"] = sorted(set(pks))

    def _value_region_wide(self, source, data, value):
        if isinstance(value, bool):
            data["region_wide"] = value or data.get("region_wide", False)
            return
        text = normalise(value if value is not None else "")
        if text in TRUE:
            data["region_wide"] = True
        elif text in FALSE:
            data.setdefault("region_wide", False)
        else:
            self.issue(source, "region_wide", _("expected yes or no, not “%s”") % value)

    def _date(self, source, data, name, value):
        try:
            parsed, ambiguous = read_date(value, self.date_format)
        except ValueError:
            expected = {
                "DMY": _("a date as DD/MM/YYYY or YYYY-MM-DD"),
                "MDY": _("a date as MM/DD/YYYY or YYYY-MM-DD"),
            }.get(self.date_format, _("a date as YYYY-MM-DD"))
            self.issue(
                source,
                name,
                _("expected %(what)s, not “%(value)s”") % {"what": expected, "value": value},
            )
            return
        if ambiguous:
            self.issue(source, name, ambiguous, level="warning")
        data[name] = parsed.isoformat() if parsed else ""

    def _value_start_date(self, source, data, value):
        self._date(source, data, "start_date", value)

    def _value_end_date(self, source, data, value):
        self._date(source, data, "end_date", value)

    def _value_status(self, source, data, value):
        text = normalise(value or "")
        status = self.statuses.get(text) or STATUS_SYNONYMS.get(text)
        if status is None:
            self.issue(
                source,
                "status",
                _(
                    "unknown status “%s”; expected planned, ongoing, completed, suspended or cancelled"
                )
                % (value or ""),
            )
            return
        data["status"] = status

    def _value_budget(self, source, data, value):
        if value in (None, ""):
            data["budget"] = ""
            return
        if isinstance(value, Decimal | int | float):
            data["budget"] = str(Decimal(str(value)))
            return
        text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", "")
        try:
            data["budget"] = str(Decimal(text))
        except InvalidOperation:
            self.issue(source, "budget", _("expected a number, not “%s”") % value)

    def _value_currency(self, source, data, value):
        data["currency"] = str(value or "").strip().upper()

    # -- which activity a row is about

    def match_keys(self, data: dict) -> tuple[str, str]:
        iati = (data.get("iati_identifier") or "").strip()
        key = (data.get("key") or "").strip()
        if not key and data.get("_lead") is not None and data.get("title_en"):
            key = derived_key(data["_lead"].key, data["title_en"])
            data["_derived"] = True
        return iati, key

    def existing(self, datas: list[dict]) -> tuple[dict, dict]:
        iatis = {d["_match"][0] for d in datas if d["_match"][0]}
        keys = {d["_match"][1] for d in datas if d["_match"][1]}
        found = Existing.load("iati_identifier", sorted(iatis)) if iatis else []
        found += Existing.load("key", sorted(keys)) if keys else []
        return (
            {a.iati_identifier: a for a in found if a.iati_identifier in iatis},
            {a.key: a for a in found if a.key in keys},
        )

    def find(self, data: dict, by_iati: dict, by_key: dict) -> "Existing | None":
        iati, key = data["_match"]
        if iati and iati in by_iati:
            return by_iati[iati]
        found = by_key.get(key) if key else None
        if (
            found is not None
            and data.get("_derived")
            and iati
            and found.iati_identifier not in (None, "", iati)
        ):
            return None  # another activity of the same title: a new one
        return found

    def new_key(self, key: str, by_key: dict) -> str:
        """A free key: ``key`` itself was looked up with its chunk (``by_key``)."""
        candidate, n = key, 1
        while (
            candidate in self.reserved_keys
            or candidate in by_key
            or (n > 1 and Activity.objects.filter(key=candidate).exists())
        ):
            n += 1
            candidate = numbered_key(key, n)
        return candidate

    # -- one chunk of rows

    def plan_chunk(self, rows: list[SourceRow]) -> list[RowPlan]:
        datas = []
        for source in rows:
            if not source.skip_reason:
                outside = self.countries_outside(source)
                if outside:
                    source.skip_reason = outside_reason(outside, [])
                    source.outside = outside
            data = self.resolve(source) if not source.skip_reason else {}
            data["_match"] = self.match_keys(data) if not source.skip_reason else ("", "")
            datas.append(data)
        by_iati, by_key = self.existing(datas)
        return [self.plan_row(s, d, by_iati, by_key) for s, d in zip(rows, datas, strict=True)]

    def plan_row(self, source: SourceRow, data: dict, by_iati: dict, by_key: dict) -> RowPlan:
        label = str(
            data.get("title_en")
            or source.values.get("title_en")
            or source.values.get("iati_identifier")
            or ""
        )
        if source.skip_reason:
            for country in source.outside:
                self.skipped_outside[country] = self.skipped_outside.get(country, 0) + 1
            self.skipped_outside_rows += bool(source.outside)
            if not source.outside:
                reason = source.skip_reason
                self.skipped_other[reason] = self.skipped_other.get(reason, 0) + 1
            # Why it is skipped goes in the summary, counted apart: not a warning of its own.
            return RowPlan(
                source.row,
                SKIPPED,
                label or str(source.values.get("iati_identifier", "")),
                reason=source.skip_reason,
            )
        activity = self.find(data, by_iati, by_key)
        seen_as = activity.pk if activity else ("key", data["_match"][1] or data["_match"][0])
        if seen_as in self.seen and seen_as != ("key", ""):
            self.issue(
                source,
                "key" if data["_match"][1] else "iati_identifier",
                _("the same activity as row %d") % self.seen[seen_as],
            )
        else:
            self.seen[seen_as] = source.row
        form_data, originals = self.form_data(data, activity)
        if activity is None and data.get("_derived"):
            form_data["key"] = self.new_key(form_data["key"], by_key)
        self.taken.update(key=by_key, iati_identifier=by_iati)
        cleaned, errors = self.validator.validate(form_data, activity)
        self.form_issues(source, errors)
        if errors or any(i.level == "error" for i in source.issues):
            return RowPlan(source.row, ERROR, label, source.issues)
        no_pillar = not cleaned.get("pillars")
        if activity is None:
            values = self.values(cleaned, FORM_FIELDS)
            self.reserved_keys.add(values["key"])
            codes = source.values.get("pillars_from_sectors") or data.get("_pillars_from_sectors")
            if codes and values.get("pillars"):
                values.update(inferred_pillars(codes))
            return RowPlan(
                source.row, ADD, label, source.issues, data=values, needs_pillar=no_pillar
            )
        changes = {
            name: value
            for name, value in self.values(cleaned, FORM_FIELDS).items()
            if not _same(value, originals[name])
        }
        fate = UPDATE if changes else UNCHANGED
        return RowPlan(
            source.row,
            fate,
            label,
            source.issues,
            activity.pk,
            activity.version,
            changes,
            needs_pillar=no_pillar and fate == UPDATE,
        )

    def form_data(self, data: dict, activity: "Existing | None") -> tuple[dict, dict]:
        originals = activity.values if activity else {}
        form_data = {k: ("" if v is None else v) for k, v in originals.items()}
        for k, v in data.items():
            # An empty key or identifier cell means "not given", never "clear it".
            if k[0] != "_" and not (activity and k in IDENTITY and not v):
                form_data[k] = "" if v is None else v
        if activity is None and data.get("_derived"):
            form_data["key"] = data["_match"][1]
        return form_data, originals

    def form_issues(self, source: SourceRow, form_errors: dict[str, list]) -> None:
        reported = {i.field for i in source.issues}
        for name, errors in form_errors.items():
            shown = self.label(name) if name != "__all__" else ""
            if shown in reported or (name == "key" and "key" not in source.values and reported):
                continue  # already said why (an unknown name, no derived key without it)
            for error in errors:
                self.issue(source, name if name != "__all__" else "", str(error))

    @staticmethod
    def values(cleaned: dict, names) -> dict[str, Any]:
        out = {}
        for name in names:
            value = cleaned.get(name)
            if name in MANY_NAMES:
                value = sorted([o.pk for o in value]) if value is not None else []
            elif name == "lead_organisation":
                value = value.pk if value is not None else None
            out[name] = value
        return out


@dataclass
class Existing:
    """An activity a row may be about: its identity and the values the import compares.

    Loaded as plain values (one query per chunk and relation), not as model
    instances with their relations prefetched, which for a re-import of a large
    file cost more than everything else.
    """

    pk: int
    key: str
    iati_identifier: str | None
    version: int
    values: dict[str, Any]

    @classmethod
    def load(cls, name: str, values: list[str]) -> list["Existing"]:
        """The activities whose ``name`` (key or IATI identifier) is one of ``values``."""
        plain = [n for n in FORM_FIELDS if n not in MANY and n != "lead_organisation"]
        columns = ["id", "version", "lead_organisation", *plain]
        rows = rows_where_in(Activity, columns, name, values)
        ids = [row[0] for row in rows]
        many: dict[str, dict[int, list[int]]] = {}
        for relation in MANY:
            model_field = Activity._meta.get_field(relation)
            through = model_field.remote_field.through
            own, other = model_field.m2m_field_name(), model_field.m2m_reverse_field_name()
            links = many[relation] = {}
            for activity_id, pk in rows_where_in(through, [own, other], own, ids):
                links.setdefault(activity_id, []).append(pk)
        out = []
        for pk, version, lead, *rest in rows:
            values = {
                name: value.isoformat() if isinstance(value, datetime.date) else value
                for name, value in zip(plain, rest, strict=True)
            }
            values["lead_organisation"] = lead
            for relation in MANY:
                values[relation] = sorted(many[relation].get(pk, ()))
            out.append(cls(pk, values["key"], values["iati_identifier"], version, values))
        return out


def organisation_type(iati_type: str, ref: str) -> str:
    """jpoa's type of an organisation, inferred from its IATI organisation type."""
    type_code = IATI_ORGANISATION_TYPES.get(iati_type, ("other", ""))[0]
    if type_code == "international" and normalise_identifier(ref).startswith("XM-DAC-41"):
        type_code = "un_entity"  # DAC channel codes 41xxx are the UN's entities
    return type_code


def inferred_pillars(codes) -> dict[str, str]:
    """A new activity whose pillars come from its sectors: marked inferred, saying from which."""
    codes = ", ".join(dict.fromkeys(codes))
    return {
        "classification_basis": "inferred",
        "provenance_note_en": f"Pillars inferred from the sectors {codes} by jpoa's sector "
        "to pillar mapping; no source states them.",
        "provenance_note_ru": f"Столпы выведены из секторов {codes} по таблице соответствия "
        "секторов и столпов jpoa; источник их не указывает.",
    }


def _same(new: Any, old: Any) -> bool:
    if new in (None, "") and old in (None, ""):
        return True
    if isinstance(new, datetime.date):
        new = new.isoformat()
    if isinstance(new, Decimal) and old is not None:
        try:
            return new == Decimal(str(old))
        except InvalidOperation:
            return False
    return new == old


def _status_names() -> dict[str, str]:
    """Statuses by value and by label in every language of the site."""
    out = {}
    for value, label in Activity.Status.choices:
        out[normalise(value)] = value
        for language in ("en", "ru"):
            with translation.override(language):
                out[normalise(str(label))] = value
    return out
