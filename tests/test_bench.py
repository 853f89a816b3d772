"""`jpoa bench`: the synthetic data set says it is synthetic, stays out of the user's
database, and `generate` then `run` work end to end (not a timed test: the figures of
a tiny data set on a shared machine mean nothing)."""

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jpoa.bench import synthetic
from jpoa.core.models import Organisation
from jpoa.matrix.models import Activity, Edition, EditionFact
from tests.factories import make_activity


def test_the_synthetic_activities_say_they_are_synthetic(default_data):
    result = synthetic.generate(activities=300, organisations=30, editions=2)

    assert result.activities == Activity.objects.count() == 300
    assert set(Activity.objects.values_list("source__key", flat=True)) == {synthetic.SOURCE_KEY}
    assert "synthetic" in Activity.objects.first().source.title_en.lower()
    assert all("Synthetic" in d for d in Activity.objects.values_list("description_en", flat=True))
    leads = set(Activity.objects.values_list("lead_organisation__key", flat=True))
    assert all(key.startswith(synthetic.ORG_PREFIX) for key in leads)
    assert list(Edition.objects.order_by("number").values_list("activity_count", flat=True)) == [
        285,
        300,
    ]
    assert EditionFact.objects.filter(edition__number=2).exists()


def test_a_few_organisations_lead_most_activities(default_data):
    synthetic.generate(activities=1000, organisations=50, editions=1)

    led = Counter(Activity.objects.values_list("lead_organisation_id", flat=True))
    counts = sorted(led.values(), reverse=True)
    assert counts[0] > 5 * counts[len(counts) // 2]  # Zipf: the first leads many times the median
    assert Activity.objects.filter(title_ru="").exists()  # not every text is translated
    assert Activity.objects.exclude(title_ru="").exists()


def test_it_never_adds_to_a_database_with_real_activities(default_data):
    make_activity("real-one", "osce")

    with pytest.raises(synthetic.NotSynthetic):
        synthetic.generate(activities=10, editions=1)
    assert Activity.objects.count() == 1
    assert not Organisation.objects.filter(key__startswith=synthetic.ORG_PREFIX).exists()


def test_it_refuses_the_users_own_database(settings, db):
    settings.DATABASE_URL = ""
    with pytest.raises(CommandError, match="needs one of its own"):
        call_command("bench", "generate", "--activities=5", f"--data-dir={settings.DATA_DIR}")


def test_run_needs_a_generated_data_set(tmp_path, db):
    with pytest.raises(CommandError, match="run `jpoa bench generate` first"):
        call_command("bench", "run", f"--data-dir={tmp_path}")


def _jpoa(*args, env_dir):
    env = dict(os.environ, JPOA_DATA_DIR=str(env_dir))
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "jpoa", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.drill
@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="runs its own SQLite databases whatever DATABASE_URL says: once, in the SQLite pass",
)
def test_generate_then_run_measure_every_view(tmp_path):
    bench = tmp_path / "bench"
    done = _jpoa(
        "bench",
        "generate",
        "--activities=200",
        "--organisations=20",
        f"--data-dir={bench}",
        env_dir=tmp_path / "user",
    )
    assert done.returncode == 0, done.stderr
    assert "Generated 200 synthetic activities" in done.stdout
    assert not (tmp_path / "user" / "jpoa.sqlite3").exists()  # the user's database untouched

    figures = tmp_path / "figures.json"
    skip = ["--skip=site"]
    if importlib.util.find_spec("datasette") is None:
        skip.append("--skip=datasette")
    done = _jpoa(
        "bench",
        "run",
        f"--data-dir={bench}",
        "--clients=2",
        "--requests=4",
        "--import-rows=20",
        "--never-asked=3",
        f"--json={figures}",
        *skip,
        env_dir=tmp_path / "user",
    )
    assert done.returncode == 0, done.stderr
    assert "organisations x pillars, one country" in done.stdout
    report = json.loads(figures.read_text())
    assert report["data"]["activities"] == 200 and report["data"]["synthetic"]
    assert {v["name"] for v in report["views"]} >= {
        "organisations x pillars, one country",
        "heatmap, all",
        "heatmap, year range",
        "activity list, filtered",
        "faceted search",
        "faceted search, never asked before",
        "faceted search, a word not searched before",
        "activity page",
        "API matrix, one country",
    }
    fresh = next(v for v in report["views"] if v["name"].endswith("never asked before"))
    assert fresh["path"].endswith("&fresh=0")
    never_asked = [v for v in report["views"] if v["name"].endswith(", never asked")]
    assert {v["name"] for v in never_asked} == {
        "organisations x pillars, never asked",
        "API organisations x pillars, never asked",
        "heatmap, never asked",
        "API heatmap, never asked",
        "activity list, never asked",
        "API activity list, never asked",
    }
    for view in never_asked:
        assert len(set(view["paths"])) == 3 == view["jpoa"]["requests"]
    assert all(v["jpoa"]["errors"] == 0 for v in report["views"])
    assert all(v["jpoa"]["requests"] in (3, 4) for v in report["views"])
    assert report["server_peak_rss_mb"] > 0
    assert len(report["server_process_peak_rss_mb"]) >= 2  # gunicorn's master and workers
    # PSS counts each shared page once: the sum is below the RSS's, and each process's
    # private pages (USS) are within its share (PSS).
    assert 0 < report["server_peak_pss_mb"] < report["server_peak_rss_mb"]
    roles = [each["role"] for each in report["server_processes"]]
    assert roles.count("master (jpoa serve)") == 1 and "web worker" in roles
    assert "task worker (jpoa worker)" in roles
    for each in report["server_processes"]:
        assert 0 < each["uss_mb"] <= each["pss_mb"] <= each["rss_mb"]
    assert report["publish"]["activities"] == 200
    assert report["imports"]["csv"]["ok"] and report["imports"]["iati"]["ok"]
    if "--skip=datasette" not in skip:
        assert report["views"][0]["datasette"]["errors"] == 0


def test_never_asked_combinations_are_distinct_and_seeded():
    import random

    from jpoa.bench.runner import never_asked_combinations

    manifest = {"countries": ["KG", "KZ", "TJ", "TM", "UZ"], "country": "KZ"}
    first = never_asked_combinations(manifest, random.Random(5), 200)
    again = never_asked_combinations(manifest, random.Random(5), 200)
    assert first == again  # the seed says which
    assert len({tuple(sorted(c.items())) for c in first}) == 200
    assert all(c["year_from"] <= c["year_to"] for c in first)


def test_a_fresh_view_asks_a_new_url_each_time():
    from jpoa.bench.runner import View

    view = View("search", ["/en/search/?q=a", "/en/search/?q=b"], fresh=True)
    urls = view.urls(4)
    assert len(set(urls)) == 4 and urls[1] == "/en/search/?q=b&fresh=1"
    assert View("page", ["/en/"]).urls(4) == ["/en/"]


def test_new_searches_are_new_and_new_words_are_new():
    from urllib.parse import parse_qs, urlsplit

    from jpoa.bench.runner import _new_filters, _unsearched_words
    from jpoa.search import text
    from jpoa.search.text import query_terms

    searches = _new_filters(["KZ", "KG"])
    assert len(set(searches)) == len(searches) >= 100  # each combination of filters once
    assert {parse_qs(urlsplit(s).query)["q"][0] for s in searches} == {"border"}
    words = _unsearched_words()
    stems = [query_terms(w)[0] for w in words]
    assert len(set(stems)) == len(stems) >= 40  # a new word for each request of a run
    assert "border" not in stems and any(text.CYRILLIC.search(w) for w in words)
