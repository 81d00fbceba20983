"""Regular expressions a standard JSON Schema validator enforces for what a case writes as text:
decimal numbers, dates, date-times and text, with the limits and the policy's bounds.

JSON Schema's ``minimum`` and friends apply to JSON numbers only, so a decimal written as a
string (the exact form govrules documents) carries its bounds as patterns: ``"x > 0"`` over the
strings ``-?(0|[1-9][0-9]*)(\\.[0-9]+)?`` is a regular language, built here digit by digit. Every
pattern is anchored at both ends (``$(?!\\n)``, since Python's ``$`` also matches before a final
newline), uses ASCII classes only (``[0-9]``, never ``\\d``), and works in ECMA-262 and Python.

    decimal_at_least(Decimal(0), inclusive=False)     # the pattern of "greater than 0"
    date_at_least(dt.date(2020, 1, 1), inclusive=True)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from govrules.runtime.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_DECIMAL_PLACES,
    MAX_INTEGER_DIGITS,
)

__all__ = [
    "DATETIME_PATTERN",
    "DATE_PATTERN",
    "DECIMAL_PATTERN",
    "DECIMAL_TEXT",
    "TEXT_PATTERN",
    "anchored",
    "date_at_least",
    "date_at_most",
    "decimal_at_least",
    "decimal_at_most",
]


def anchored(body: str) -> str:
    """``body`` matching the whole string, in ECMA-262 and in Python's ``re.search`` alike."""
    return f"^(?:{body})$(?!\\n)"


# The decimal numbers a case may write as text: ASCII digits, an optional minus, at most
# MAX_INTEGER_DIGITS before the point and MAX_DECIMAL_PLACES after it; no exponent, no plus.
DECIMAL_TEXT = (
    rf"-?(?:0|[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}})(?:\.[0-9]{{1,{MAX_DECIMAL_PLACES}}})?"
)
DECIMAL_PATTERN = anchored(DECIMAL_TEXT)

assert (EARLIEST_DATE.year, LATEST_DATE.year) == (1900, 2099), "update _YEAR and _LEAP_YEAR"
assert (EARLIEST_DATE.timetuple()[1:3], LATEST_DATE.timetuple()[1:3]) == ((1, 1), (12, 31))
_YEAR = "(?:19|20)[0-9]{2}"
_LEAP_YEAR = "(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26]))"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"

# Real calendar dates from EARLIEST_DATE to LATEST_DATE, leap days included.
DATE_PATTERN = anchored(_DATE)
DATETIME_PATTERN = anchored(f"{_DATE}[T ]{_TIME}")

# Text free of the characters of ``limits.FORBIDDEN_CHARACTERS``.
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\ud800-\\udfff]*$"

# --------------------------------------------------------------------------- decimals

_ANY = r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"  # any unsigned number of the grammar
_FRACTION = r"(?:\.[0-9]+)?"
_ZERO = r"0(?:\.0+)?"


def _digits(low: int, high: int) -> str:
    return str(low) if low == high else f"[{low}-{high}]"


def _parts(bound: Decimal) -> tuple[str, str]:
    """The integer digits and the fraction digits (trailing zeros dropped) of ``|bound|``."""
    whole, _, fraction = format(bound.copy_abs(), "f").partition(".")  # exact: no context
    return whole, fraction.rstrip("0")


def _whole_above(whole: str) -> list[str]:
    """Integer parts (no leading zeros) greater than ``whole``."""
    found = [f"[1-9][0-9]{{{len(whole)},}}"]
    for k, digit in enumerate(whole):
        if int(digit) < 9:
            found.append(whole[:k] + _digits(int(digit) + 1, 9) + "[0-9]" * (len(whole) - k - 1))
    return found


def _whole_below(whole: str) -> list[str]:
    """Integer parts (no leading zeros) less than ``whole``."""
    found = ["0", f"[1-9][0-9]{{0,{len(whole) - 2}}}"] if len(whole) > 1 else []
    for k, digit in enumerate(whole):
        low = 1 if k == 0 and len(whole) > 1 else 0
        if int(digit) - 1 >= low:
            found.append(whole[:k] + _digits(low, int(digit) - 1) + "[0-9]" * (len(whole) - k - 1))
    return found


def _fraction_above(fraction: str) -> list[str]:
    """Fraction digits (one or more) whose value is greater than ``0.fraction``."""
    found = [
        fraction[:k] + _digits(int(d) + 1, 9) + "[0-9]*" for k, d in enumerate(fraction) if d != "9"
    ]
    return [*found, fraction + "[0-9]*[1-9][0-9]*"]


def _fraction_below(fraction: str) -> list[str]:
    """Fraction digits (one or more) whose value is less than ``0.fraction`` (not empty, with
    a last digit that is not 0)."""
    found = [
        fraction[:k] + _digits(0, int(d) - 1) + "[0-9]*" for k, d in enumerate(fraction) if d != "0"
    ]
    return found + [fraction[:k] for k in range(1, len(fraction))]


def _either(options: list[str]) -> str:
    return "(?:" + "|".join(options) + ")"


def _equal(bound: Decimal) -> str:
    whole, fraction = _parts(bound)
    return f"{whole}(?:\\.0+)?" if not fraction else f"{whole}\\.{fraction}0*"


def _above(bound: Decimal) -> str:
    """Unsigned numbers greater than ``|bound|``."""
    whole, fraction = _parts(bound)
    return _either(
        [
            _either(_whole_above(whole)) + _FRACTION,
            f"{whole}\\." + _either(_fraction_above(fraction)),
        ]
    )


def _below(bound: Decimal) -> str:
    """Unsigned numbers less than ``|bound|`` (which is not 0)."""
    whole, fraction = _parts(bound)
    options = [_either(below) + _FRACTION] if (below := _whole_below(whole)) else []
    if fraction:
        options.append(f"{whole}(?:\\." + _either(_fraction_below(fraction)) + ")?")
    return _either(options)


def decimal_at_least(bound: Decimal, inclusive: bool) -> str:
    """Decimal texts ``>= bound`` (``inclusive``) or ``> bound``."""
    if bound > 0:
        body = _either([_above(bound), _equal(bound)]) if inclusive else _above(bound)
    elif bound == 0:
        body = f"{_ANY}|-{_ZERO}" if inclusive else _above(bound)
    else:
        smaller = _either([_below(bound), _equal(bound)]) if inclusive else _below(bound)
        body = f"{_ANY}|-{smaller}"
    return anchored(body)


def decimal_at_most(bound: Decimal, inclusive: bool) -> str:
    """Decimal texts ``<= bound`` (``inclusive``) or ``< bound``."""
    if bound > 0:
        smaller = _either([_below(bound), _equal(bound)]) if inclusive else _below(bound)
        body = f"-{_ANY}|{smaller}"
    elif bound == 0:
        body = f"-{_ANY}|{_ZERO}" if inclusive else f"-{_above(bound)}"
    else:
        body = "-" + (_either([_above(bound), _equal(bound)]) if inclusive else _above(bound))
    return anchored(body)


# --------------------------------------------------------------------------- dates


def _later(text: str) -> list[str]:
    """Texts of the same shape as ``text`` (digits and '-') that sort after it."""
    found = []
    for k, char in enumerate(text):
        if char.isdigit() and char != "9":
            rest = "".join("[0-9]" if c.isdigit() else c for c in text[k + 1 :])
            found.append(text[:k] + _digits(int(char) + 1, 9) + rest)
    return found


def _earlier(text: str) -> list[str]:
    """Texts of the same shape as ``text`` (digits and '-') that sort before it."""
    found = []
    for k, char in enumerate(text):
        if char.isdigit() and char != "0":
            rest = "".join("[0-9]" if c.isdigit() else c for c in text[k + 1 :])
            found.append(text[:k] + _digits(0, int(char) - 1) + rest)
    return found


def date_at_least(bound: dt.date, inclusive: bool) -> str:
    """``YYYY-MM-DD`` texts on or after (``inclusive``) or after ``bound``: written with a
    fixed width, dates sort as their texts do."""
    text = bound.isoformat()
    return anchored("|".join(_later(text) + ([text] if inclusive else [])) or "(?!)")


def date_at_most(bound: dt.date, inclusive: bool) -> str:
    """``YYYY-MM-DD`` texts on or before (``inclusive``) or before ``bound``."""
    text = bound.isoformat()
    return anchored("|".join(_earlier(text) + ([text] if inclusive else [])) or "(?!)")
