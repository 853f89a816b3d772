"""Match the names a file uses to the organisations, countries and pillars jpoa knows.

An organisation is found first by identifier (an IATI ``ref``, or a cell holding one:
any of its `OrganisationIdentifier` rows or its IATI identifier, whatever the case and
spacing), then by name: exactly (ignoring case, spacing and punctuation) one of its key,
acronyms, names in English and Russian or other names in any language. A country
matches its ISO codes, names in both languages, pycountry's official and common
names, or one of a few well-known other names (`OTHER_COUNTRY_NAMES`). Anything else
is not matched: the caller proposes a new organisation (or reports an unknown country),
with the nearest known name as a suggestion when one is close (difflib).
"""

import difflib
import functools
import re
from dataclasses import dataclass, field
from typing import Any

import pycountry

from jpoa.core.models import Country, Organisation, OrganisationIdentifier, normalise_identifier
from jpoa.plan.models import ROMAN

# Names in use that neither ISO nor jpoa's data set spell: exonyms, transliterations,
# Soviet-era names. Exact matches; a misspelling of one of them gets a suggestion.
OTHER_COUNTRY_NAMES = {
    "KZ": ["Kazakstan", "Kazakh Republic", "Qazaqstan", "Казахская Республика", "Қазақстан"],
    "KG": [
        "Kyrgyz Republic",
        "Kirghizia",
        "Kirghizstan",
        "Kyrgyzia",
        "Киргизия",
        "Киргизстан",
        "Кыргызская Республика",
    ],
    "TJ": ["Tadjikistan", "Tadzhikistan", "Tajikstan", "Тоҷикистон", "Таджикская Республика"],
    "TM": ["Turkmenia", "Türkmenistan", "Туркмения"],
    "UZ": ["Uzbekstan", "O'zbekiston", "Oʻzbekiston", "Узбекская Республика"],
    "AF": ["Афганистан"],
    "RU": ["Russia", "Россия"],
}
# Words a country cell may hold to say "the whole region".
REGION_WORDS = {"region", "regional", "region wide", "весь регион", "регион", "региональный"}


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", str(text)).casefold().split())


def split_values(value: Any) -> list:
    """A cell holding several names: separated by semicolons, new lines or commas."""
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if v not in (None, "")]
    text = str(value)
    separator = ";" if ";" in text or "\n" in text else ","
    return [part.strip() for part in re.split(rf"[{separator}\n]", text) if part.strip()]


@dataclass
class Match:
    obj: Any = None
    suggestion: str = ""


@dataclass
class Index:
    """Names → objects, with the display name to suggest for each."""

    exact: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # normalised name → what to suggest

    def add(self, name: str, obj: Any, shown: str) -> None:
        key = normalise(name or "")
        if key and key not in self.exact:
            self.exact[key] = obj
            self.shown[key] = shown

    def match(self, name: str) -> Match:
        key = normalise(name)
        if key in self.exact:
            return Match(self.exact[key])
        close = difflib.get_close_matches(key, self.exact.keys(), n=1, cutoff=0.7)
        return Match(None, self.shown[close[0]] if close else "")


class Matcher:
    """Loaded once per import: every lookup afterwards is a dictionary read."""

    def __init__(self):
        self.organisations = Index()
        self.organisation_refs: dict[str, Organisation] = {}
        by_pk = {}
        for org in Organisation.objects.all():
            by_pk[org.pk] = org
            shown = org.acronym_en or org.name_en or org.key
            for name in (org.key, org.acronym_en, org.acronym_ru, org.name_en, org.name_ru):
                self.organisations.add(name, org, shown)
            if org.iati_id:
                self.organisation_refs.setdefault(normalise_identifier(org.iati_id), org)
        for pk, normalised in OrganisationIdentifier.objects.values_list(
            "organisation_id", "normalised"
        ):
            self.organisation_refs[normalised] = by_pk[pk]
        from jpoa.core.models import OrganisationName

        for pk, name in OrganisationName.objects.values_list("organisation_id", "name"):
            org = by_pk[pk]
            self.organisations.add(name, org, org.acronym_en or org.name_en or org.key)
        self.countries = Index()
        for country in Country.objects.all():
            shown = country.name_en or country.name
            for name in (country.iso2, country.iso3, country.name_en, country.name_ru):
                self.countries.add(name, country, shown)
            known = pycountry.countries.get(alpha_2=country.iso2)
            for attr in ("name", "official_name", "common_name"):
                if known is not None and getattr(known, attr, None):
                    self.countries.add(getattr(known, attr), country, shown)
            for name in OTHER_COUNTRY_NAMES.get(country.iso2, []):
                self.countries.add(name, country, shown)
        from jpoa.exchange.preview import site_pillar_objects

        self.pillars = Index()
        for pillar in site_pillar_objects():
            shown = f"{pillar.number}"
            for name in (
                str(pillar.number),
                ROMAN.get(pillar.number, ""),
                f"pillar {pillar.number}",
                f"pillar {ROMAN.get(pillar.number, '')}",
                f"столп {ROMAN.get(pillar.number, '')}",
                f"столп {pillar.number}",
                pillar.short_title_en if hasattr(pillar, "short_title_en") else pillar.short_title,
                getattr(pillar, "short_title_ru", ""),
            ):
                self.pillars.add(name, pillar, shown)

    def organisation(self, value: Any) -> Match:
        """A name, or an IATI (ref, name, ...) tuple: the identifier is tried first."""
        if isinstance(value, tuple):
            ref, name = value[0], value[1]
            if ref and normalise_identifier(ref) in self.organisation_refs:
                return Match(self.organisation_refs[normalise_identifier(ref)])
            found = self.organisations.match(name) if name else Match()
            if found.obj is None and ref:
                by_ref = self.organisations.match(ref)
                return by_ref if by_ref.obj else found
            return found
        text = str(value)
        by_ref = self.organisation_refs.get(normalise_identifier(text))
        if by_ref is not None:
            return Match(by_ref)
        return self.organisations.match(text)

    def knows_identifier(self, ref: str) -> bool:
        return normalise_identifier(ref) in self.organisation_refs

    def country(self, value: Any) -> Match:
        return self.countries.match(str(value))

    def pillar(self, value: Any) -> Match:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self.pillars.match(str(value))


@functools.cache
def _subdivisions() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for subdivision in pycountry.subdivisions:
        out.setdefault(normalise(subdivision.name), set()).add(subdivision.country_code)
    return out


def province_countries(name: Any) -> set[str]:
    """The countries with a first-level subdivision (ISO 3166-2) of this name, or its code."""
    text = str(name or "").strip()
    if not text:
        return set()
    by_code = pycountry.subdivisions.get(code=text.upper())
    if by_code is not None:
        return {by_code.country_code}
    return set(_subdivisions().get(normalise(text), ()))


def world_country(name: Any) -> str | None:
    """The ISO alpha-2 code of any country pycountry knows by this code or name, or None."""
    try:
        return pycountry.countries.lookup(str(name).strip()).alpha_2
    except LookupError:
        return None


def describe(value: Any) -> str:
    if isinstance(value, tuple):
        ref, name = value[0], value[1]
        return f"{name} ({ref})" if ref and name else ref or name
    return str(value)
