"""WCAG 2.1 AA, checked by axe-core (from npm, see package.json) inside headless Chromium.

The main public pages in both languages, at desktop and phone widths; any violation
of a wcag2a or wcag2aa rule fails the test with the rule, the page and the elements.
"""

import os
from pathlib import Path

import pytest
from test_browser import CHROMIUM, site  # noqa: F401 (fixtures)

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/plan/",
    "/pillars/1/",
    "/states/kz/",
    "/matrix/",
    "/matrix/heatmap/",
    "/events/",
    "/events/high-level-meeting-2011/",
    "/findings/",
    "/library/",
    "/library/jpoa-2011/",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def site_with_matrix(site):  # noqa: F811
    """The default data plus a published edition of a few activities made for the test
    (the default data set has none), so the matrix and heatmap show cells to check."""
    from jpoa.matrix.editions import publish_edition
    from tests.factories import PUBLISHER, make_activity

    make_activity("osce-police", "osce", pillars=(2, 3), countries=("KZ", "KG"))
    make_activity("eu-region", "eu", pillars=(1, 4), region_wide=True, countries=())
    make_activity("unodc-border", "unodc", pillars=(2,), countries=("TJ",), status="completed")
    publish_edition(by=PUBLISHER, title="Test edition")
    return site


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        if os.environ.get("JPOA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"JPOA_REQUIRE_BROWSER=1 but axe-core is missing at {AXE}: run `npm ci`")
        pytest.skip(f"axe-core is not installed at {AXE} (run `npm ci`)")
    return AXE


def axe_violations(page, script: Path) -> list[dict]:
    page.add_script_tag(path=str(script))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                resultTypes: ["violations"],
            });
            return result.violations.map(v => ({
                id: v.id,
                help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }"""
    )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_main_pages_pass_axe(site_with_matrix, browser, axe_script, language):  # noqa: F811
    base = site_with_matrix
    # The checker is injected as a script; the site's CSP rightly refuses that, so the
    # test's browser context (not the site) sets it aside.
    page = browser.new_page(bypass_csp=True)
    report = []
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        for path in PAGES:
            response = page.goto(f"{base}/{language}{path}")
            assert response.status == 200, path
            if path.startswith("/matrix/"):  # the cells are there to be checked
                assert page.locator("td a").count() > 0, path
            for violation in axe_violations(page, axe_script):
                report.append(f"{language}{path} [{width}] {violation['id']}: {violation['help']}")
                report.extend(f"    {node}" for node in violation["nodes"])
    assert not report, "accessibility violations:\n" + "\n".join(report)


DEMO_PAGES = ["/", "/matrix/", "/matrix/heatmap/", "/analysis/gaps/", "/analysis/trends/", "/data/"]


@pytest.fixture
def demo_site(site, settings, tmp_path):  # noqa: F811
    """The default data and the demonstration data set (`jpoa demo`, fewer activities)."""
    import io

    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    call_command("demo", "--activities", "80", stdout=io.StringIO())
    return site


def test_the_demo_site_renders_fits_a_phone_and_passes_axe(
    demo_site,
    browser,  # noqa: F811
    axe_script,
):
    report = []
    for width, (w, h) in WIDTHS.items():
        page = browser.new_page(viewport={"width": w, "height": h}, bypass_csp=True)
        for language in ("en", "ru"):
            for path in DEMO_PAGES:
                response = page.goto(f"{demo_site}/{language}{path}")
                assert response.status == 200, path
                assert page.locator(".demo-banner").is_visible(), path
                assert page.locator("main svg, main table, main a[href*='.xlsx']").count() > 0, path
                if width == "phone":
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    assert scroll <= w, f"{language}{path} is {scroll} px wide on a {w} px phone"
                for violation in axe_violations(page, axe_script):
                    report.append(
                        f"{language}{path} [{width}] {violation['id']}: {violation['help']}"
                    )
                    report.extend(f"    {node}" for node in violation["nodes"])
        page.close()
    assert not report, "accessibility violations:\n" + "\n".join(report)
