"""Signals of the matrix: other parts of jpoa follow what happens to it."""

from django.dispatch import Signal

# Sent with `edition=` inside the transaction that publishes a new edition.
edition_published = Signal()
