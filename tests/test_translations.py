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


def _choice_labels():
    from django.apps import apps

    for model in apps.get_models():
        if not model.__module__.startswith("jpoa."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                yield f"{model._meta.label}.{field.name}={value}", label


def test_every_model_choice_label_has_a_russian_translation():
    """A status or kind shown in Russian must not read `ongoing` or `planned`."""
    missing = []
    for where, label in _choice_labels():
        with translation.override("en"):
            english = str(label)
        with translation.override("ru"):
            russian = str(label)
        # Same text in both languages: a name or a code (IATI, CSV) is fine only if it
        # holds no Latin word of two letters or more.
        if russian == english and re.search(r"[a-z]{2,}", english):
            missing.append(f"{where}: {english!r}")
    assert not missing, "choice label(s) without Russian:\n  " + "\n  ".join(missing)


def test_a_published_activity_status_reads_in_russian(client, default_data):
    from jpoa.matrix.editions import publish_edition
    from tests.factories import PUBLISHER, make_activity

    make_activity("kz-1", "osce", status="ongoing")
    make_activity("kz-2", "unodc", status="planned")
    publish_edition(by=PUBLISHER, title="Test")
    page = client.get("/ru/matrix/activities/").content.decode()
    assert "осуществляется" in page and "запланировано" in page
    assert "<td>ongoing</td>" not in page and "<td>planned</td>" not in page
    detail = client.get("/ru/matrix/activities/kz-1/").content.decode()
    assert "осуществляется" in detail


def test_an_english_edition_title_says_so_on_a_russian_page(client, default_data):
    from jpoa.matrix.editions import publish_edition
    from tests.factories import PUBLISHER, make_activity

    make_activity("kz-1", "osce")
    publish_edition(by=PUBLISHER, title="The matrix as of June 2016")
    page = client.get("/ru/matrix/").content.decode()
    assert '<span lang="en">The matrix as of June 2016</span> (на английском)' in page


def test_matrix_activities_are_not_called_events_in_russian():
    """«Мероприятия» are the programme's events; the matrix's rows are «проекты»."""
    with translation.override("ru"):
        assert translation.gettext("Activities") == "Проекты"
        assert translation.gettext("Events") == "Мероприятия"
        assert "мероприят" not in translation.gettext("List of activities")
