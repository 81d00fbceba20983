"""Batches: many cases of one policy on one date, read from JSON lines, CSV or Parquet,
decided in order (in worker processes if asked), each bad row recorded in its place, and
written as JSON lines or Parquet -- the face behind ``govrules batch``, and the readers and
rows the service's streaming endpoint and the Dask adapter share.

    from govrules.batch import decide_rows, read_cases, result_row

    cases = read_cases(Path("cases.csv"), engine, "cn.jilin.taobei.wage_deposit", day)
    for row, made in decide_rows(engine, "cn.jilin.taobei.wage_deposit", cases, day):
        print(result_row(row, made, cite="ids"))   # a decision, or {"row", "errors": [...]}

Parquet needs pyarrow, and the progress bar rich (``pip install 'govrules[batch]'``); JSON
lines and CSV need nothing beyond govrules.
"""

from govrules.batch.cells import CellError, cell_reader
from govrules.batch.problems import BadRow, Problem, problems_of
from govrules.batch.progress import batch_progress
from govrules.batch.reading import (
    INPUT_FORMATS,
    Case,
    count_rows,
    input_format_of,
    read_case_line,
    read_cases,
)
from govrules.batch.rows import CITE_FORMS, decision_row, result_row, small_row
from govrules.batch.running import (
    BatchSummary,
    Decide,
    DecisionSink,
    alongside_bad_rows,
    decide_rows,
)
from govrules.batch.writing import (
    OUTPUT_FORMATS,
    JsonLinesWriter,
    ParquetWriter,
    json_line,
    open_writer,
)

__all__ = [
    "CITE_FORMS",
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "BadRow",
    "BatchSummary",
    "Case",
    "CellError",
    "Decide",
    "DecisionSink",
    "JsonLinesWriter",
    "ParquetWriter",
    "Problem",
    "alongside_bad_rows",
    "batch_progress",
    "cell_reader",
    "count_rows",
    "decide_rows",
    "decision_row",
    "input_format_of",
    "json_line",
    "open_writer",
    "problems_of",
    "read_case_line",
    "read_cases",
    "result_row",
    "small_row",
]
