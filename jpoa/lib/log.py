"""Logging: an expected refusal is one line, not a traceback."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

EXPECTED = (PermissionDenied, Http404)


class ExpectedRefusals(logging.Filter):
    """Drop the traceback of a refused (403) or missing (404) page from `django.request`.

    Django logs each with the exception attached, so every anonymous visitor who follows
    a link to a coordinators' page would print a traceback: noise that hides real errors.
    The warning line itself (status and path) is kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], EXPECTED):
            record.exc_info = None
            record.exc_text = None
        return True
