"""Template filters of the matrix pages."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jpoa.matrix.models import Activity

register = template.Library()


@register.filter
def status_label(value: str | None) -> str:
    """An activity's status as people read it, in the page's language ('ongoing': 'осуществляется').

    Published editions keep the status as its code; an unknown code is shown as it is.
    """
    try:
        return str(Activity.Status(value).label)
    except ValueError:
        return value or ""


@register.filter
def translated(record, field: str) -> str:
    """A translated field in the page's language; English marked as such when it stands in.

    modeltranslation falls back to English silently: a Russian reader would take an
    English edition title for an untranslated page, or not notice at all. Here the
    English text keeps its language (lang="en", for screen readers) and says so.
    """
    language = get_language() or "en"
    own = getattr(record, f"{field}_{language}", None)
    if own or language == "en":
        return own or getattr(record, field, "")
    fallback = getattr(record, f"{field}_en", "") or getattr(record, field, "")
    if not fallback:
        return ""
    return format_html('<span lang="en">{}</span> ({})', fallback, _("in English"))
