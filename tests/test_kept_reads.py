"""What a server process keeps between requests (issue #20) is never stale: addresses
kept once reversed follow the language and the site's prefix, and reads kept per change
of the public data are read again after each change."""

import pytest
from django.template import engines
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation

from jpoa.core.models import Organisation
from jpoa.lib.pagecache import per_data_change


@pytest.fixture
def script_prefix():
    before = get_script_prefix()
    yield set_script_prefix
    set_script_prefix(before)


def test_an_address_kept_once_reversed_follows_the_language_and_the_prefix(script_prefix):
    template = engines["django"].from_string(
        "{% url 'public:home' %} {% url 'matrix:activities' %} "
        "{% url 'matrix:activity' 'a-1' %} {% url 'public:home' as home %}[{{ home }}]"
    )
    for prefix in ["/", "/jpoa/"]:
        script_prefix(prefix)
        for language in ["en", "ru", "en"]:
            with translation.override(language):
                assert template.render({}) == (
                    f"{prefix}{language}/ {prefix}{language}/matrix/activities/ "
                    f"{prefix}{language}/matrix/activities/a-1/ [{prefix}{language}/]"
                )


def test_the_language_links_keep_the_query_and_translate_the_path(client, default_data):
    html = client.get("/en/matrix/activities/?country=KZ&pillar=2").content.decode()
    assert 'href="/ru/matrix/activities/?country=KZ&amp;pillar=2" hreflang="ru"' in html
    assert '<link rel="canonical" href="http://testserver/en/matrix/activities/">' in html
    html = client.get("/ru/matrix/activities/?country=KZ").content.decode()
    assert 'href="/en/matrix/activities/?country=KZ" hreflang="en"' in html
    assert '<link rel="canonical" href="http://testserver/ru/matrix/activities/">' in html


@pytest.mark.django_db(transaction=True)  # outside a transaction, as a server reads
def test_a_read_kept_per_change_of_the_data_is_read_again_after_each_change():
    reads = []

    def read():
        reads.append(translation.get_language())
        return len(reads)

    assert per_data_change("test", read) == 1  # nothing recorded yet: nothing kept
    Organisation.objects.create(key="first", name_en="First", type="ngo")
    assert per_data_change("test", read) == per_data_change("test", read) == 2
    with translation.override("ru"):
        assert per_data_change("test", read) == 3  # each language its own
    Organisation.objects.filter(key="first").first().delete()  # audited: a change
    assert per_data_change("test", read) == 4
    assert per_data_change("test", read) == 4


def test_the_page_cache_keeps_what_it_is_given_even_when_its_folder_is_removed(tmp_path):
    import shutil

    from django.http import HttpResponse

    from jpoa.lib import filecache

    folder = tmp_path / "cache"
    cache = filecache.FileCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": 50}})
    page = HttpResponse("<p>" + "матрица " * 2000 + "</p>")
    cache.set("page", page, 60)
    assert cache.get("page").content == page.content
    assert cache.get("page", version=2) is None
    shutil.rmtree(folder)  # an operator clears the cache by hand
    cache.set("page", page, 60)
    assert cache.get("page").content == page.content
    assert [p.name for p in folder.iterdir() if not p.name.endswith(".djcache")] == []
    cache.set("expired", page, -1)
    assert cache.get("expired") is None


def test_the_page_cache_is_culled_without_listing_its_files_on_every_write(tmp_path):
    from jpoa.lib import filecache

    cache = filecache.FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50}})
    listed = []
    list_files = cache._list_cache_files
    cache._list_cache_files = lambda: listed.append(1) or list_files()
    writes = 3 * filecache.CULL_EVERY
    for n in range(writes):
        cache.set(f"page-{n}", "x" * 100)
    kept = len(list(tmp_path.glob("*.djcache")))
    assert len(listed) < writes / 10  # listed a few times per hundred writes, not each
    assert kept <= 50 + filecache.CULL_EVERY  # culled all the same
    assert cache.get(f"page-{writes - 1}") == "x" * 100
