"""Scale-out on Dask: many cases decided on the worker processes of a cluster, each row
compared, by its fingerprint, with what one process would decide.

    import dask.dataframe as dd
    from govrules.dask import evaluate_dataframe

    cases = dd.read_parquet("cases/")              # one column per input of the policy
    result = evaluate_dataframe(cases, "cn.national.wage_deposit", date(2026, 11, 21))
    result.to_parquet("decisions/")                # outcome, values, fingerprint, missing, error

``evaluate_cases`` and ``decide_cases`` decide a stream of cases on a cluster, in order (what
``govrules batch --dask ADDRESS|local`` runs). Every worker makes its own engine over the same
packs and is refused (``ClusterError``) if their manifest digests differ from the client's.
``docs/scale-out.md`` tells how to run it on several machines.

Needs the ``dask`` extra (``pip install 'govrules[dask]'``); without it, importing this package
raises ``ImportError`` saying so.
"""

from __future__ import annotations

try:
    import dask.dataframe  # noqa: F401 - checked here, used by the modules below
    import distributed  # noqa: F401
    import pyarrow  # type: ignore[import-untyped]  # noqa: F401
except ImportError as missing:
    raise ImportError(
        f"scale-out on Dask needs the dask extra ({missing.name} is not installed): "
        "pip install 'govrules[dask]'"
    ) from missing

from govrules.dask.cases import check_workers, decide_cases, evaluate_cases
from govrules.dask.dataframe import RESULT_COLUMNS, evaluate_dataframe
from govrules.dask.engines import ClusterError, forget_engines

__all__ = [
    "RESULT_COLUMNS",
    "ClusterError",
    "check_workers",
    "decide_cases",
    "evaluate_cases",
    "evaluate_dataframe",
    "forget_engines",
]
