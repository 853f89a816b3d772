"""jpoa's data set format: one JSON document that holds a whole public data set.

The default Central Asia data set ships in this format (``data/central-asia.json``),
``jpoa load`` reads it and ``jpoa export json`` writes it; ``docs/data-format.md``
describes it field by field.
"""

from pathlib import Path

FORMAT = "jpoa-dataset"
FORMAT_VERSION = 1
DEFAULT_DATASET = Path(__file__).resolve().parent / "data" / "central-asia.json"


class DatasetError(Exception):
    """A data set file that cannot be loaded: says which file, where in it, and what was expected."""

    def __init__(self, file: str, where: str, message: str):
        self.file, self.where, self.message = file, where, message
        location = f"{file}: {where}" if where else file
        super().__init__(f"{location}: {message}")
