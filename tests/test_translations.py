"""The Russian catalogue: complete, compiled, placeholders kept, and used by Django."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

import jpoa

LOCALE_DIR = Path(jpoa.__file__).resolve().parent / "locale"
PO_PATH = LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Named placeholders (%(n)s, {name}) must survive translation; positional %s too.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def describe(entry: polib.POEntry) -> str:
    where = entry.occurrences[0][0] if entry.occurrences else "?"
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
    return f"{entry.msgid!r}{context} [{where}]"


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


@pytest.fixture(scope="module")
def entries(po) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def test_catalogue_header(po):
    assert po.metadata["Language"] == "ru"
    assert po.metadata["Project-Id-Version"] == "jpoa"
    assert po.metadata["Plural-Forms"].startswith("nplurals=4;")
    assert not po.metadata_is_fuzzy, "the header is fuzzy: Django would ignore the catalogue"


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    assert entries, f"{PO_PATH} has no messages"
    untranslated = [describe(e) for e in entries if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [describe(e) for e in entries if "fuzzy" in e.flags]
    problems = []
    if untranslated:
        problems.append(
            f"{len(untranslated)} message(s) without a Russian translation:\n  "
            + "\n  ".join(untranslated)
        )
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} fuzzy message(s) to check and unflag:\n  " + "\n  ".join(fuzzy)
        )
    assert not problems, "\n".join(problems)


def test_plural_messages_have_all_four_russian_forms(entries):
    incomplete = [
        describe(e)
        for e in entries
        if e.msgid_plural and sorted(k for k, v in e.msgstr_plural.items() if v) != [0, 1, 2, 3]
    ]
    assert not incomplete, "plural message(s) without all 4 Russian forms:\n  " + "\n  ".join(
        incomplete
    )


def test_compiled_catalogue_is_up_to_date(entries):
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run `django-admin compilemessages -l ru`"
    compiled = {key(e): e for e in polib.mofile(str(MO_PATH)) if e.msgid}
    stale = []
    for entry in entries:
        if not entry.translated():
            continue
        found = compiled.get(key(entry))
        if found is None:
            stale.append(f"{describe(entry)}: not in the .mo")
        elif entry.msgid_plural:
            if {int(k): v for k, v in found.msgstr_plural.items()} != {
                int(k): v for k, v in entry.msgstr_plural.items()
            }:
                stale.append(f"{describe(entry)}: plural forms differ")
        elif found.msgstr != entry.msgstr:
            stale.append(f"{describe(entry)}: {found.msgstr!r} in the .mo")
    assert not stale, (
        f"{MO_PATH.name} is out of date with {PO_PATH.name}; run "
        "`django-admin compilemessages -l ru` in jpoa/:\n  " + "\n  ".join(stale)
    )


def test_translations_keep_the_placeholders(entries):
    broken = []
    for entry in entries:
        if entry.msgid_plural:
            wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
            for index, form in entry.msgstr_plural.items():
                if form and placeholders(form) != wanted:
                    broken.append(f"{describe(entry)} form {index}: {sorted(placeholders(form))}")
        elif entry.msgstr and placeholders(entry.msgstr) != placeholders(entry.msgid):
            broken.append(
                f"{describe(entry)}: msgid has {sorted(placeholders(entry.msgid))}, "
                f"msgstr has {sorted(placeholders(entry.msgstr))}"
            )
    assert not broken, "translation(s) that change the placeholders:\n  " + "\n  ".join(broken)


def test_django_uses_the_russian_catalogue():
    with translation.override("ru"):
        assert translation.gettext("Regional Workshop %(n)s") == "Региональный семинар %(n)s"
        assert translation.gettext("Regional Workshop %(n)s") % {"n": "III"} == (
            "Региональный семинар III"
        )
        assert translation.pgettext("participants", "all") == "все"
    with translation.override("en"):
        assert translation.gettext("Regional Workshop %(n)s") == "Regional Workshop %(n)s"
