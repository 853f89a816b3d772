"""Numbers read from a request: plain ASCII digits within the range a database column holds.

`str.isdigit` also accepts "²" and "٣", and `int` then fails or reads a number nobody
typed; and a number past 2**63 makes SQLite raise OverflowError. A parameter that names
a number is read through `whole_number`, which gives None for anything else, so a view
answers 400 or ignores the value, never 500.
"""

MAX_ID = 2**31 - 1  # the largest value of an integer column on every database jpoa runs on


def whole_number(value, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """VALUE as an int if it is ASCII digits within [MINIMUM, MAXIMUM], else None."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None
