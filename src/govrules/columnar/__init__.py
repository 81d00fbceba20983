"""The columnar path: a whole table of cases of one policy decided at once, in polars columns,
every row exactly as the per-case engine decides it -- the same outcome, values, missing
facts, citations, notices and fingerprint.

    from govrules.columnar import evaluate_table, plan

    plan(engine.policy("cn.jilin.taobei.wage_deposit"))      # ColumnarPlan, or Unsupported
    out = evaluate_table(engine, "cn.jilin.taobei.wage_deposit", cases, date(2026, 11, 21))

The compiled rules are lowered to column operations (``lowering.py``): money and rates exact
as ``Decimal`` keeps them, unknown values as nulls, the engine's short circuits kept; what has
no column form runs the engine's own function over the distinct values of its arguments
(``lifting.py``) -- the working-day calendar, for one, once per distinct date. A row the
columns cannot decide with certainty (a fact the engine may refuse, two rules in conflict, a
value too large to hold) is decided by the per-case engine. ``govrules batch`` takes this
path for Parquet and CSV input when the policy plans (``--engine``). It needs polars and
pyarrow (``pip install 'govrules[batch]'``). Value columns (``--columns values``), which need
a decision's numbers but not its digits, are computed in one lazy query per chunk at fixed
scales (``fused_values.py``), node by node only for what that query does not lower.
"""

from govrules.columnar.columns import NotColumnar
from govrules.columnar.documents import FORMS
from govrules.columnar.facts import InputColumnError
from govrules.columnar.planning import ColumnarPlan, Unsupported, plan
from govrules.columnar.tables import ENGINES, ColumnarError, Decided, decide_frame, evaluate_table

__all__ = [
    "ENGINES",
    "FORMS",
    "ColumnarError",
    "ColumnarPlan",
    "Decided",
    "InputColumnError",
    "NotColumnar",
    "Unsupported",
    "decide_frame",
    "evaluate_table",
    "plan",
]
