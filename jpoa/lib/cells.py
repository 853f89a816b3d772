"""Spreadsheet cells that are safe to open: no formula injection in any export.

A text beginning with =, +, -, @, a tab or a carriage return is read by Excel and
LibreOffice as a formula (OWASP's "CSV injection"); every CSV and XLSX jpoa writes passes
its texts through `safe_cell`, which makes such a text plain by a leading apostrophe.
"""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
