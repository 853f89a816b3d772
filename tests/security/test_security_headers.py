"""A Content Security Policy with no inline script or style, secure headers, CSRF on every form."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from public_outputs import crawled_pages

from tests.factories import PASSWORD, coordinator, make_user

JPOA = Path(__file__).resolve().parents[2] / "jpoa"
TEMPLATES = sorted(JPOA.glob("*/templates/**/*.html"))

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.I | re.S)


def inline_code(html: str) -> list[str]:
    return [
        m.group(0) for p in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER) for m in p.finditer(html)
    ]


def test_templates_have_no_inline_script_style_or_handler():
    assert len(TEMPLATES) > 30
    found = {str(t.relative_to(JPOA)): inline_code(t.read_text()) for t in TEMPLATES}
    assert {name: code for name, code in found.items() if code} == {}


def test_every_post_form_in_the_templates_carries_the_csrf_token():
    forms = [(t, form) for t in TEMPLATES for form in POST_FORM.findall(t.read_text())]
    assert len(forms) > 10
    missing = [str(t.relative_to(JPOA)) for t, form in forms if "{% csrf_token %}" not in form]
    assert missing == []


def test_rendered_public_pages_have_no_inline_code(client, default_data):
    pages = 0
    for url, text in crawled_pages(client):
        if "<html" in text:
            assert inline_code(text) == [], url
            pages += 1
    assert pages > 20


@pytest.fixture
def staff(default_data):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.mark.parametrize(
    "url",
    [
        "/en/admin/",
        "/en/admin/matrix/activity/",
        "/en/admin/matrix/activity/add/",
        "/en/admin/events/event/add/",
        "/en/admin/auditlog/logentry/",
        "/en/accounts/two-factor/",
    ],
)
def test_back_office_pages_keep_to_the_policy(client, staff, url):
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # Django's admin carries data for its scripts in JSON blocks, never code.
    assert [c for c in inline_code(html) if "application/json" not in c] == []


@pytest.mark.parametrize("url", ["/en/", "/en/matrix/", "/en/accounts/login/", "/api/v1/docs"])
def test_every_response_carries_the_policy_and_secure_headers(client, default_data, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_post_without_the_csrf_token_is_refused(default_data):
    from jpoa.rounds.models import UpdateRound

    coordinator()
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post(reverse("accounts:login"), {"username": "coord", "password": PASSWORD})
    assert refused.status_code == 403
    assert "_auth_user_id" not in browser.session

    browser.force_login(coordinator("coord2"))
    for url, data in [
        (reverse("rounds:open"), {"title": "R", "deadline": "2031-01-01"}),
        (reverse("exchange:upload"), {}),
        (reverse("accounts:logout"), {}),
        (reverse("accounts:password_reset"), {"email": "x@example.org"}),
    ]:
        assert browser.post(url, data).status_code == 403, url
    assert not UpdateRound.objects.exists()
    assert "_auth_user_id" in browser.session  # the forged logout did not sign out


def test_the_same_post_with_the_token_is_accepted(default_data):
    coordinator()
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("accounts:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = browser.post(
        reverse("accounts:login"),
        {"username": "coord", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
