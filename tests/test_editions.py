"""Publishing matrix editions: frozen snapshots, their facts, comparing two editions."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from jpoa.dataset.export import activity_record
from jpoa.matrix.editions import (
    FACT_COLUMNS,
    ITEM_FACT_COLUMNS,
    activity_history,
    build_edition_facts,
    compare_editions,
    publish_edition,
)
from jpoa.matrix.models import (
    Activity,
    Edition,
    EditionEntry,
    EditionFact,
    EditionItemFact,
    ImmutableEditionError,
)
from jpoa.plan.models import Pillar
from tests.factories import PUBLISHER, make_activity, make_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def activities(default_data):
    make_items()
    return [
        make_activity(
            "osce-border",
            "osce",
            pillars=(2, 3),
            countries=("KZ", "KG"),
            items=("II.1",),
            partners=("unodc",),
            donors=("eu", "norway"),
            title_ru="Граница",
        ),
        make_activity("unodc-prisons", "unodc", pillars=(1,), countries=(), region_wide=True),
        make_activity(
            "eu-nowhere", "eu", pillars=(), countries=(), status="planned", start=None, end=None
        ),
    ]


def test_it_freezes_every_activity_as_its_data_set_record(activities):
    user = get_user_model().objects.create_user("coordinator", is_superuser=True)
    edition = publish_edition(title="As of October 2015", as_of=datetime.date(2015, 10, 1), by=user)
    assert (edition.number, edition.title_en, edition.published_by) == (
        1,
        "As of October 2015",
        user,
    )
    assert edition.activity_count == 3
    # The first edition's activities are all new; the next one's all the same.
    assert set(edition.entries.values_list("same_as_previous", flat=True)) == {False}
    later = publish_edition(by=PUBLISHER, title="As of November 2015")
    assert set(later.entries.values_list("same_as_previous", flat=True)) == {True}
    for activity in Activity.objects.all():
        entry = EditionEntry.objects.get(edition=edition, activity_key=activity.key)
        assert entry.data == activity_record(activity)
        assert entry.activity == activity
        assert entry.lead_organisation_id_at == activity.lead_organisation_id


def test_it_numbers_editions_one_after_another(activities):
    assert [publish_edition(by=PUBLISHER, title=t).number for t in ("a", "b", "c")] == [1, 2, 3]


def test_later_edits_do_not_change_a_published_edition(activities):
    edition = publish_edition(by=PUBLISHER, title="First")
    before = list(EditionEntry.objects.filter(edition=edition).values_list("data", flat=True))
    activity = Activity.objects.get(key="osce-border")
    activity.title_en = "Renamed"
    activity.save()
    activity.countries.clear()
    Activity.objects.get(key="eu-nowhere").delete()
    after = list(EditionEntry.objects.filter(edition=edition).values_list("data", flat=True))
    assert after == before
    assert EditionFact.objects.filter(edition=edition, country__iso2="KG").exists()


def test_published_entries_refuse_changes_and_deletion(activities):
    edition = publish_edition(by=PUBLISHER, title="First")
    entry = EditionEntry.objects.filter(edition=edition).first()
    entry.status = "completed"
    with pytest.raises(ImmutableEditionError):
        entry.save()
    with pytest.raises(ImmutableEditionError):
        entry.delete()
    with pytest.raises(ImmutableEditionError):
        EditionEntry.objects.filter(edition=edition).update(status="completed")
    with pytest.raises(ImmutableEditionError):
        EditionFact.objects.filter(edition=edition).delete()
    assert not EditionEntry.objects.filter(status="completed").exists()


def test_the_facts_hold_one_row_per_activity_pillar_and_place(activities):
    edition = publish_edition(by=PUBLISHER, title="First")
    rows = set(
        EditionFact.objects.filter(edition=edition).values_list(
            "entry__activity_key",
            "pillar_number",
            "country__iso2",
            "region_wide",
            "organisation_type",
            "status",
            "start_year",
            "end_year",
        )
    )
    assert rows == {
        ("osce-border", 2, "KZ", False, "regional", "ongoing", 2014, 2016),
        ("osce-border", 2, "KG", False, "regional", "ongoing", 2014, 2016),
        ("osce-border", 3, "KZ", False, "regional", "ongoing", 2014, 2016),
        ("osce-border", 3, "KG", False, "regional", "ongoing", 2014, 2016),
        ("unodc-prisons", 1, None, True, "un_entity", "ongoing", 2014, 2016),
        ("eu-nowhere", None, None, False, "regional", "planned", None, None),
    }
    items = set(
        EditionItemFact.objects.filter(edition=edition).values_list(
            "entry__activity_key", "action_item__code", "item_pillar", "country__iso2"
        )
    )
    assert items == {("osce-border", "II.1", 2, "KZ"), ("osce-border", "II.1", 2, "KG")}


def test_facts_can_be_rebuilt_from_the_snapshots_alone(activities):
    # Publishing writes the facts from the activities' links in SQL; the data set loader
    # from the snapshots in Python. Both must give the same rows.
    make_activity(
        "osce-both", "osce", pillars=(4,), countries=("TJ",), region_wide=True, items=("II.1",)
    )
    edition = publish_edition(by=PUBLISHER, title="First")
    columns = [c for c in FACT_COLUMNS if c != "edition_id"]
    item_columns = [c for c in ITEM_FACT_COLUMNS if c != "edition_id"]

    def facts():
        return (
            sorted(EditionFact.objects.filter(edition=edition).values_list(*columns), key=str),
            sorted(
                EditionItemFact.objects.filter(edition=edition).values_list(*item_columns),
                key=str,
            ),
        )

    before = facts()
    assert len(before[0]) == 8 and len(before[1]) == 4
    assert build_edition_facts(edition) == 4
    assert facts() == before


def test_compare_lists_added_ended_and_changed_activities_field_by_field(activities):
    first = publish_edition(by=PUBLISHER, title="First")
    changed = Activity.objects.get(key="osce-border")
    changed.title_ru = "Границы"
    changed.status = "completed"
    changed.save()
    changed.pillars.remove(Pillar.objects.get(number=3))
    Activity.objects.get(key="eu-nowhere").delete()
    make_activity("unodc-new", "unodc")
    second = publish_edition(by=PUBLISHER, title="Second")

    result = compare_editions(first, second)

    assert [r["key"] for r in result.added] == ["unodc-new"]
    assert [r["key"] for r in result.ended] == ["eu-nowhere"]
    assert [c.key for c in result.changed] == ["osce-border"]
    changes = {(c.field, c.language): (c.before, c.after) for c in result.changed[0].changes}
    assert changes == {
        ("title", "ru"): ("Граница", "Границы"),
        ("pillars", None): ([2, 3], [2]),
        ("status", None): ("ongoing", "completed"),
    }
    assert result.changed[0].changes[1].removed == [3] or any(
        c.removed == [3] for c in result.changed[0].changes
    )
    assert result.unchanged_count == 1


def test_an_activity_history_shows_each_edition_and_what_changed(activities):
    first = publish_edition(by=PUBLISHER, title="First")
    activity = Activity.objects.get(key="unodc-prisons")
    activity.status = "completed"
    activity.save()
    second = publish_edition(by=PUBLISHER, title="Second")
    activity.delete()
    third = publish_edition(by=PUBLISHER, title="Third")

    history = activity_history("unodc-prisons")

    assert [(s.edition, s.present, s.is_new) for s in history] == [
        (third, False, False),
        (second, True, False),
        (first, True, True),
    ]
    assert [(c.field, c.before, c.after) for c in history[1].changes] == [
        ("status", "ongoing", "completed")
    ]


def test_the_publish_command_publishes_and_prints_the_edition(activities):
    out = io.StringIO()
    call_command(
        "publish",
        "--title",
        "As of October 2015",
        "--as-of",
        "2015-10-01",
        "--notes",
        "n",
        stdout=out,
    )
    edition = Edition.objects.get()
    assert (edition.number, edition.as_of, edition.notes_en) == (1, datetime.date(2015, 10, 1), "n")
    assert (
        "Published edition 1: As of October 2015 (as of 2015-10-01), 3 activities" in out.getvalue()
    )


def test_the_publish_command_rejects_a_bad_date(activities):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("publish", "--title", "x", "--as-of", "October")
    assert not Edition.objects.exists()


def test_the_database_writes_each_snapshot_as_the_data_set_record(activities):
    """Publishing builds the snapshots in SQL: the same record, whatever the values."""
    from decimal import Decimal

    from jpoa.core.models import Organisation, Source

    # Sorted by code point as Python sorts ("un-women" < "unodc"), not by a locale's
    # collation, which would skip the hyphen.
    for key in ("un-women", "unodc-x"):
        Organisation.objects.create(key=key, name_en=key, type="un_entity")
    odd = make_activity(
        "odd-values",
        "osce",
        pillars=(3, 1, 2),
        countries=("TJ", "KZ", "UZ"),
        items=("II.1", "I.1"),
        partners=("unodc-x", "un-women", "eu"),
        donors=("norway",),
    )
    Activity.objects.filter(pk=odd.pk).update(
        title_en='Line one\nline two\t"quoted" \\ back\x01slash',
        title_ru="Граница — пограничный контроль 🛂",
        budget=Decimal("1234567890123.25"),
        currency="EUR",
        iati_identifier="XM-DAC-1-odd",
        last_verified=datetime.date(2015, 9, 30),
        source=Source.objects.first(),
        source_locator="p. 12",
        provenance_note_ru="Только по-русски",
    )
    # Sixteen digits are more than SQLite keeps: the snapshot says what the ORM reads.
    budgets = ("1250", "98765432109876.54")  # and the third has none
    for activity, budget in zip(activities, budgets, strict=False):
        Activity.objects.filter(pk=activity.pk).update(budget=Decimal(budget))

    edition = publish_edition(by=PUBLISHER, title="SQL snapshots")

    entries = {e.activity_key: e for e in EditionEntry.objects.filter(edition=edition)}
    assert len(entries) == 4
    for activity in Activity.objects.all():
        entry = entries[activity.key]
        assert entry.data == activity_record(activity)
        assert (entry.start_year, entry.end_year) == (
            activity.start_date and activity.start_date.year,
            activity.end_date and activity.end_date.year,
        )
    odd_record = entries["odd-values"].data
    assert odd_record["partners"] == ["eu", "un-women", "unodc-x"]
    assert odd_record["budget"] == "1234567890123.25"
    assert odd_record["provenance"]["note"] == {"en": "", "ru": "Только по-русски"}
    assert "note" not in entries["osce-border"].data["provenance"]


def test_an_unchanged_snapshot_keeps_its_text_byte_for_byte(activities):
    """Search carries an unchanged activity over by comparing snapshot texts (SQLite)."""
    import json

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps snapshots as jsonb, compared as values")
    Activity.objects.filter(key="osce-border").update(title_en='Tab\there, "quote", \x1f ✓')
    first = publish_edition(by=PUBLISHER, title="First")
    second = publish_edition(by=PUBLISHER, title="Second")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT activity_key, edition_id, data FROM matrix_editionentry ORDER BY 1, 2"
        )
        texts = {(key, edition): data for key, edition, data in cursor.fetchall()}
    for activity in Activity.objects.all():
        # The compact UTF-8 form, as json.dumps writes it with these options.
        expected = json.dumps(activity_record(activity), ensure_ascii=False, separators=(",", ":"))
        assert texts[activity.key, first.pk] == texts[activity.key, second.pk] == expected


def test_publishing_gives_back_the_memory_it_borrows(activities):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache")

    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    during = []
    publish_edition(
        by=PUBLISHER, title="First", progress=lambda done, total: during.append(cache_size())
    )
    assert during == [-262_144]  # 256 MB while the one chunk of activities is written
    assert cache_size() == before == -64000  # settings.py's 64 MB again


def test_the_publish_command_gives_sqlite_more_memory_than_a_server_worker(activities, monkeypatch):
    """`jpoa publish` is a process of its own: 1 GB of page cache; the admin keeps 256 MB."""
    import contextlib

    from jpoa.matrix import editions

    asked = []
    borrowing = editions._page_cache_for_publishing

    @contextlib.contextmanager
    def recorded(megabytes):
        asked.append(megabytes)
        with borrowing(megabytes):
            yield

    monkeypatch.setattr(editions, "_page_cache_for_publishing", recorded)
    call_command("publish", "--title", "From the command line", stdout=io.StringIO())
    publish_edition(by=PUBLISHER, title="From a server worker")
    assert asked == [1024, 256]


def test_publishing_leaves_postgresql_statistics_of_what_it_wrote(activities):
    """Without them the planner expects one row under the new edition and joins its
    facts' sources row by row: minutes at 100,000 activities."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")

    def estimated(model) -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table]
            )
            return cursor.fetchone()[0]

    edition = publish_edition(by=PUBLISHER, title="First")
    assert estimated(EditionEntry) == edition.entries.count() == 3
    assert estimated(EditionFact) == EditionFact.objects.count() > 0
    assert estimated(EditionItemFact) == EditionItemFact.objects.count() > 0
