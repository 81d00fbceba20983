"""The limits of what a case may hold: every bound on an input the engine accepts, in one place.

A value outside them is refused with a ``CaseError`` naming the field and the limit, before any
rule runs: a value no law can mean is not computed. ``docs/limits.md`` explains each choice.

    MAX_DECIMAL_PLACES    # 30: '0.04' is fine, '1e-999999999' is refused
    EARLIEST_DATE, LATEST_DATE
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_CASE_FILE_BYTES",
    "MAX_DECIMAL_PLACES",
    "MAX_DIAGNOSTICS",
    "MAX_INTEGER",
    "MAX_INTEGER_DIGITS",
    "MAX_JSON_DEPTH",
    "MAX_JSON_NUMBER_DIGITS",
    "MAX_LIST_ITEMS",
    "MAX_MAGNITUDE",
    "MAX_TEXT_LENGTH",
    "FORBIDDEN_CHARACTERS",
    "RATE_MAX",
    "RATE_MIN",
]

# --------------------------------------------------------------------------- numbers

# Decimal places of any decimal number (money, rate, decimal), as written: trailing zeros count.
# No law's figure needs more than a few; 30 takes any value of 0.001 or more that Python's
# default decimal context (28 significant digits) computes, such as 1/300 =
# 0.003333333333333333333333333333, as it is. A bound on the exponent is what keeps
# '1e-999999999' from being written out digit by digit.
MAX_DECIMAL_PLACES = 30

# Money and plain decimals have at most 15 digits before the point: below 10^15 yuan (a thousand
# trillion, several times the country's yearly output) in size. With the places above, every
# sum of inputs is exact in the engine's arithmetic.
MAX_INTEGER_DIGITS = 15
MAX_MAGNITUDE = Decimal(10) ** MAX_INTEGER_DIGITS

# A rate is a fraction (0.04 is 4%): from -1 (all of it, taken away) to 10 (ten times it). The
# largest multiples in these regulations are a few times a wage or a fine.
RATE_MIN = Decimal(-1)
RATE_MAX = Decimal(10)

# Integers are counts (people, units, votes) and spans (days, months, years). A million is past
# anything one case can mean, and keeps date arithmetic on them within the calendar's reach.
MAX_INTEGER = 1_000_000

# --------------------------------------------------------------------------- dates

# The working-day calendar (the ``holidays`` package's China calendar) computes PRC holidays
# for 1950-2100 and has the official State Council schedules for 2001 onwards; dates before 1950
# (birth dates, say) are allowed but computed as if no holiday existed, with the "estimated
# calendar" notice. Beyond 2099, and before 1900, a date is refused rather than guessed.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)

# --------------------------------------------------------------------------- lists and text

# Items of a list input unless the policy's ``max_items`` says otherwise.
MAX_LIST_ITEMS = 10_000

# Characters of a text input (a name, a certificate, a note): a long paragraph.
MAX_TEXT_LENGTH = 10_000

# What no text input may contain: C0 controls except tab, newline and carriage return; DEL and
# the C1 controls; lone surrogates (not characters at all, and not encodable as UTF-8).
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# --------------------------------------------------------------------------- case files

# The size of a JSON case file, as for YAML files (``language/reader.py``).
MAX_CASE_FILE_BYTES = 2 * 1024 * 1024

# Nesting of arrays and objects in a JSON case file: a case is an envelope, its facts, a list
# of records and their lists -- a handful of levels -- and YAML files allow 40.
MAX_JSON_DEPTH = 40

# Digits of one number written in a JSON case file. Far above every numeric limit above, so a
# number too large for its input is still refused by name; far below Python's 4,300 digits.
MAX_JSON_NUMBER_DIGITS = 300

# --------------------------------------------------------------------------- reports

# Problems listed for one case; a case with more says how many were left out.
MAX_DIAGNOSTICS = 100
