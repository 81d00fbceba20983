"""The functions an expression may call: the allow-list, one family to a module.

Each family module holds the signature checks and the run-time of its functions; this module
assembles them into ``FUNCTIONS``, the table the checker and the compiler look names up in:

    FUNCTIONS["round_fen"].usage   # "round_fen(amount, 'half_up')"
"""

from govrules.language.expr.functions import dates, knowledge, lists, numbers
from govrules.language.expr.functions.numbers import ROUNDING_MODES
from govrules.language.expr.functions.spec import FunctionSpec

__all__ = ["FUNCTIONS", "ROUNDING_MODES", "FunctionSpec"]

FUNCTIONS: dict[str, FunctionSpec] = {
    "min": numbers.MIN,
    "max": numbers.MAX,
    "clamp": numbers.CLAMP,
    "abs": numbers.ABS,
    "round_fen": numbers.ROUND_FEN,
    "given": knowledge.GIVEN,
    "all_known": knowledge.ALL_KNOWN,
    "coalesce": knowledge.COALESCE,
    "date": dates.DATE_LITERAL,
    "add_days": dates.ADD_DAYS,
    "add_months": dates.ADD_MONTHS,
    "add_years": dates.ADD_YEARS,
    "period_end": dates.PERIOD_END,
    "add_working_days": dates.ADD_WORKING_DAYS,
    "count_working_days": dates.COUNT_WORKING_DAYS,
    "days_between": dates.DAYS_BETWEEN,
    "months_between": dates.MONTHS_BETWEEN,
    "floor": numbers.FLOOR,
    "year": dates.YEAR,
    "month": dates.MONTH,
    "day": dates.DAY,
    "size": lists.SIZE,
}
