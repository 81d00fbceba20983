"""The functions an expression may call: the allow-list, one family to a module.

Each family module holds the signature checks and the run-time of its functions; this module
assembles them into ``FUNCTIONS``, the table the checker and the compiler look names up in:

    FUNCTIONS["round_fen"].usage   # "round_fen(amount, 'half_up')"
"""

from govrules.language.expr.functions import dates, knowledge, lists, numbers, parameters
from govrules.language.expr.functions.numbers import ROUNDING_MODES
from govrules.language.expr.functions.spec import FunctionSpec

__all__ = ["FUNCTIONS", "ROUNDING_MODES", "FunctionSpec"]

FUNCTIONS: dict[str, FunctionSpec] = {
    "min": numbers.MIN,
    "max": numbers.MAX,
    "clamp": numbers.CLAMP,
    "abs": numbers.ABS,
    "round_fen": numbers.ROUND_FEN,
    "round": numbers.ROUND,
    "given": knowledge.GIVEN,
    "all_known": knowledge.ALL_KNOWN,
    "coalesce": knowledge.COALESCE,
    "date": dates.DATE_LITERAL,
    "make_date": dates.MAKE_DATE,
    "add_days": dates.ADD_DAYS,
    "subtract_days": dates.SUBTRACT_DAYS,
    "add_months": dates.ADD_MONTHS,
    "add_years": dates.ADD_YEARS,
    "period_end": dates.PERIOD_END,
    "add_working_days": dates.ADD_WORKING_DAYS,
    "subtract_working_days": dates.SUBTRACT_WORKING_DAYS,
    "nth_working_day": dates.NTH_WORKING_DAY,
    "count_working_days": dates.COUNT_WORKING_DAYS,
    "count_working_days_inclusive": dates.COUNT_WORKING_DAYS_INCLUSIVE,
    "days_between": dates.DAYS_BETWEEN,
    "months_between": dates.MONTHS_BETWEEN,
    "age_years": dates.AGE_YEARS,
    "age_months": dates.AGE_MONTHS,
    "floor": numbers.FLOOR,
    "ceil": numbers.CEIL,
    "div": numbers.DIV,
    "mod": numbers.MOD,
    "year": dates.YEAR,
    "month": dates.MONTH,
    "day": dates.DAY,
    "quarter": dates.QUARTER,
    "last_month_of_quarter": dates.LAST_MONTH_OF_QUARTER,
    "start_of_month": dates.START_OF_MONTH,
    "end_of_month": dates.END_OF_MONTH,
    "start_of_quarter": dates.START_OF_QUARTER,
    "end_of_quarter": dates.END_OF_QUARTER,
    "first_weekday_of_month": dates.FIRST_WEEKDAY_OF_MONTH,
    "months_of_year": dates.MONTHS_OF_YEAR,
    "add_hours": dates.ADD_HOURS,
    "hours_between": dates.HOURS_BETWEEN,
    "date_of": dates.DATE_OF,
    "size": lists.SIZE,
    "count": lists.COUNT,
    "sum": lists.SUM,
    "any": lists.ANY,
    "all": lists.ALL,
    "distinct": lists.DISTINCT,
    "max_count": lists.MAX_COUNT,
    "lookup": parameters.LOOKUP,
    "at": parameters.AT,
}
