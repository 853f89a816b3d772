"""Error pages: styled, in the visitor's language; refusals logged in one line, no traceback."""

import logging

import pytest
from django.test import override_settings
from django.urls import path

from jpoa import urls as site_urls
from jpoa.lib.log import ExpectedRefusals


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]


@pytest.mark.parametrize(
    ("language", "heading", "login"),
    [("en", "Not allowed", "Log in"), ("ru", "Доступ закрыт", "Войти")],
)
def test_an_anonymous_visitor_gets_a_styled_403_in_their_language(
    client, default_data, language, heading, login
):
    response = client.get(f"/{language}/analysis/overlaps/")
    assert response.status_code == 403
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert 'class="site-nav"' in html and f'lang="{language}"' in html
    assert f"/{language}/accounts/login/?next=/{language}/analysis/overlaps/" in html
    assert login in html


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Page not found"), ("ru", "Страница не найдена")]
)
def test_a_missing_page_is_a_styled_404_in_their_language(client, default_data, language, heading):
    response = client.get(f"/{language}/no-such-page/")
    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_a_styled_500(client, default_data):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html and 'class="site-nav"' in html


def _record(exception: Exception) -> logging.LogRecord:
    try:
        raise exception
    except Exception:
        import sys

        info = sys.exc_info()
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden", (), info)


def test_refusals_are_logged_without_a_traceback():
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    formatter = logging.Formatter()
    for exception in (PermissionDenied("no"), Http404("gone")):
        record = _record(exception)
        assert ExpectedRefusals().filter(record)
        assert "Traceback" not in formatter.format(record)
    error = _record(RuntimeError("a bug"))
    assert ExpectedRefusals().filter(error)
    assert "Traceback" in formatter.format(error)


def test_the_site_logger_applies_the_filter(client, default_data):
    """Through the configured handler: the 403 line is printed, its traceback is not."""
    import io

    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ExpectedRefusals) for f in h.filters)
    )
    printed = io.StringIO()
    previous = handler.setStream(printed)
    try:
        client.get("/en/analysis/overlaps/")
    finally:
        handler.setStream(previous)
    assert "Forbidden" in printed.getvalue() and "/en/analysis/overlaps/" in printed.getvalue()
    assert "Traceback" not in printed.getvalue()
