"""Addresses that are the same on every page, reversed once per process.

A public page links to the same two dozen places (the navigation, the footer, the
matrix views): reversing each anew was a tenth of the time of a matrix page asked for
the first time (issue #20). An address depends on the URL name, the language, the
script prefix (the site's place behind a proxy), the URL configuration and, for a
namespaced name, the current application: all of them are in the key.
"""

import functools

from django.conf import settings
from django.template import Library
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.urls import get_script_prefix, get_urlconf, reverse, translate_url
from django.utils.html import conditional_escape
from django.utils.translation import get_language


def _key() -> tuple:
    return get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


# Both kept in bounded caches: the script prefix may come from a request's header.
@functools.lru_cache(maxsize=4096)
def _reversed(viewname: str, current_app: str | None, *_key) -> str:
    return reverse(viewname, current_app=current_app)


def kept_reverse(viewname: str, current_app: str | None = None) -> str:
    """`reverse(viewname)` for a name that takes no arguments, kept once reversed."""
    return _reversed(viewname, current_app, *_key())


@functools.lru_cache(maxsize=4096)
def _translated(path: str, language: str, *_key) -> str:
    return translate_url(path, language)


def kept_translate_url(path: str, language: str) -> str:
    """`translate_url(path, language)`, kept for the last few thousand paths."""
    return _translated(path, language, *_key())


class KeptURLNode(URLNode):
    """Django's `{% url %}`; without arguments, its address is kept (`kept_reverse`)."""

    def render(self, context):
        if self.args or self.kwargs or self.asvar:
            return super().render(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = kept_reverse(self.view_name.resolve(context), current_app)
        return conditional_escape(url) if context.autoescape else url


register = Library()


@register.tag
def url(parser, token):
    """`{% url %}` as Django's, kept when it has no arguments (a template built-in:
    settings.TEMPLATES)."""
    node = url_tag(parser, token)
    node.__class__ = KeptURLNode
    return node
