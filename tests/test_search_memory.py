"""Search from each server process's memory of the index (SQLite, outside a transaction):
it must say exactly what the database's own SQL says, and follow every change."""

import random

import pytest
from django.db import DatabaseError, connection

from jpoa.search import backends, memory
from jpoa.search.models import Document, spaced
from jpoa.search.services import SearchFilters, search

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = ["border", "police", "youth", "prison", "cyber", "law", "court", "dialog"]
KINDS = ["activity", "event", "finding", "resource"]


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the memory serves SQLite; PostgreSQL searches with its GIN index")


def document(rnd: random.Random, number: int) -> Document:
    title = rnd.sample(WORDS, rnd.randint(1, 3))
    body = [rnd.choice(WORDS) for _ in range(rnd.randint(0, 12))]
    return Document.objects.create(
        kind=rnd.choice(KINDS),
        object_id=number,
        title_en=" ".join(title),
        url_en=f"/en/{number}/",
        url_ru=f"/ru/{number}/",
        title_stems=" ".join(title),
        body_stems=" ".join(body),
        pillars=spaced(rnd.sample("1234", rnd.randint(0, 2))),
        countries=spaced(rnd.sample(["KZ", "KG", "TJ", "TM", "UZ"], rnd.randint(0, 2))),
        languages=spaced(rnd.sample(["en", "ru"], rnd.randint(1, 2))),
        years=spaced(str(y) for y in range(2010 + rnd.randint(0, 5), 2010 + rnd.randint(5, 9))),
    )


def fill(seed: int, count: int) -> random.Random:
    """COUNT random documents; the generator, to make more."""
    rnd = random.Random(seed)
    for number in range(count):
        document(rnd, number)
    return rnd


def start_again(count: int, kind: str, word: str, countries: str) -> None:
    """Other documents under the ids given out before, from 1: a database put back."""
    Document.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'search_document'")
    for number in range(count):
        Document.objects.create(
            kind=kind,
            object_id=number,
            url_en="/",
            url_ru="/",
            title_stems=word,
            countries=countries,
        )


def both(terms, filters=(), limit=20, offset=0):
    """What the memory and the database's SQL say of one search."""
    from_memory = memory.search_page(terms, list(filters), limit, offset)
    from_sql = backends.search_page(terms, list(filters), limit, offset)
    return from_memory, from_sql


def same(from_memory, from_sql):
    (counts_memory, page_memory), (counts_sql, page_sql) = from_memory, from_sql
    assert sorted(counts_memory) == sorted(counts_sql)
    assert page_memory == page_sql


def test_it_counts_and_ranks_as_the_database_does():
    fill(seed=3, count=300)
    assert memory.usable()
    searches = [
        (["border"], []),
        (["border", "police"], []),
        (["youth", "law", "court"], [("country", "KZ")]),
        (["prison"], [("pillar", "2"), ("year", "2014")]),
        (["cyber"], [("kind", "event"), ("language", "ru")]),
        (["dialog"], [("country", "UZ"), ("pillar", "4"), ("kind", "finding")]),
        (["police"], [("pillar", "1 2")]),  # a run of two values matches nothing
        (["nowhere"], []),
    ]
    for terms, filters in searches:
        for limit, offset in ((20, 0), (7, 14), (50, 200)):
            from_memory, from_sql = both(terms, filters, limit, offset)
            same(from_memory, from_sql)
    # Ties are broken by id alike: every document has the same score for a word here.
    assert both(["border"], limit=300)[0][1] == both(["border"], limit=300)[1][1]


def test_it_follows_written_and_deleted_documents():
    rnd = fill(seed=5, count=50)
    same(*both(["border"], [("country", "KZ")]))  # the memory now holds the index
    for number in range(50, 80):
        document(rnd, number)
    same(*both(["border"], [("country", "KZ")]))  # new documents, new scores
    Document.objects.filter(object_id__lt=20).delete()
    same(*both(["border"], [("country", "KZ")]))
    has_border = [
        d for d in Document.objects.all() if "border" in f"{d.title_stems} {d.body_stems}".split()
    ]
    assert search("border").count == len(has_border) > 0


def test_ids_given_out_again_are_read_again():
    fill(seed=7, count=40)
    same(*both(["police"]))
    # A database put back to an earlier state (a restored copy) gives the same ids out
    # again, to other documents.
    start_again(10, "resource", "police", " TM ")
    counts, _page = memory.search_page(["police"], [], 20, 0)
    assert ("country", "TM", 10) in counts and ("kind", "resource", 10) in counts
    assert not [c for c in counts if c[0] == "country" and c[1] != "TM"]


def test_a_search_document_is_replaced_never_changed():
    rnd = random.Random(9)
    kept = document(rnd, 1)
    with pytest.raises(DatabaseError, match="replaced, not changed"):
        Document.objects.filter(pk=kept.pk).update(countries=" KG ")
    with pytest.raises(DatabaseError, match="replaced, not changed"):
        Document.objects.filter(pk=kept.pk).update(title_stems="platypus")
    Document.objects.filter(pk=kept.pk).update(object_id=99)  # not indexed: may change
    assert Document.objects.get(pk=kept.pk).object_id == 99


def test_a_search_of_words_searched_before_takes_four_queries(django_assert_num_queries):
    fill(seed=11, count=30)
    search("border prison", SearchFilters(country="KZ"))
    # The index's state, the page's documents, the names of pillars and of countries.
    with django_assert_num_queries(4):
        results = search("prison border", SearchFilters(language="en"))
    assert results.count > 0


def test_a_search_inside_a_transaction_keeps_nothing_that_may_be_rolled_back():
    from django.db import transaction

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        assert not memory.usable()
        Document.objects.create(
            kind="event",
            object_id=1,
            url_en="/",
            url_ru="/",
            title_stems="walrus",
            countries=" KZ ",
        )
        assert search("walrus", SearchFilters(country="KZ")).count == 1
        raise RolledBack
    # The same id, given out again after the rollback, to another document.
    Document.objects.create(
        kind="resource", object_id=2, url_en="/", url_ru="/", title_stems="walrus", countries=" TJ "
    )
    assert search("walrus", SearchFilters(country="KZ")).count == 0
    assert search("walrus", SearchFilters(country="TJ")).count == 1


def test_a_new_server_process_reads_the_facets_before_its_first_search(
    django_assert_num_queries,
):
    fill(seed=13, count=20)
    memory.forget()
    memory.load_in_background().join(timeout=60)
    # Nothing left to read: the state, the word, then the page (documents, names).
    with django_assert_num_queries(1 + 1 + 3):
        search("border", SearchFilters(language="en"))


def test_what_it_keeps_spans_the_ids_there_are_not_every_id_ever_given():
    rnd = fill(seed=17, count=60)
    same(*both(["border"]))
    # The index made anew, as `jpoa search rebuild` does: new ids, above the old ones.
    Document.objects.all().delete()
    for number in range(60):
        document(rnd, number)
    same(*both(["border"], [("pillar", "1")]))
    table = memory._index().facets.table
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    assert table.first_id == ids[0] and len(table.of_document) == ids[-1] - ids[0] + 1 == 60


def test_a_restored_database_is_read_anew():
    fill(seed=19, count=30)
    same(*both(["border"]))
    # Another database restored in place (`jpoa restore`), whose ids reach further:
    # the same ids are other documents. The restore stamps the database.
    start_again(40, "plan_item", "border", " UZ ")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA user_version = 4242")
    try:
        same(*both(["border"]))
        counts, _page = memory.search_page(["border"], [], 20, 0)
        assert ("kind", "plan_item", 40) in counts and ("country", "UZ", 40) in counts
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA user_version = 0")
