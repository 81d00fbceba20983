"""The ``govrules batch`` command: many cases of one policy, read from a file or standard input,
decided in order, written as JSON lines or Parquet.

    govrules batch cn.jilin.taobei.wage_deposit --cases cases.csv --as-of 2026-11-21 > out.jsonl
    govrules batch POLICY --cases - < cases.jsonl            # JSON lines (or CSV) on stdin
    govrules batch POLICY --cases cases.parquet --out decisions.parquet --workers 4
    govrules batch POLICY --cases cases.jsonl --cite ids --log decisions.sqlite
    govrules batch POLICY --cases cases.parquet --engine per-case   # not in columns

A Parquet or CSV file is decided in columns (``govrules.columnar``) when the policy allows
it: the same rows, byte for byte, much faster; ``--engine`` chooses.

Standard output holds only the output rows, one per input row, in order; a refused row is a
line ``{"row": n, "errors": [{"code", "field", "message"}]}`` (and a line of ``--errors
FILE``) and the batch goes on. Standard error has the progress bar on a terminal and, at the
end, a summary by outcome. Exit 0 when every row was decided, 1 when some were refused, 2
when the batch could not start (an unknown policy, a column that is no input, a bad flag).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from govrules.batch import (
    CITE_FORMS,
    INPUT_FORMATS,
    OUTPUT_FORMATS,
    BatchSummary,
    Case,
    Decide,
    JsonLinesWriter,
    batch_progress,
    count_rows,
    decide_rows,
    input_format_of,
    open_writer,
    read_cases,
    result_row,
)
from govrules.batch.columnar_batch import (
    ColumnarUnavailable,
    JsonLinesTarget,
    ParquetTarget,
    columnar_reason,
    decide_in_columns,
)
from govrules.batch.problems import BadRow
from govrules.batch.value_columns import COLUMN_FORMS, ValuesWriter, decide_values_in_columns
from govrules.cli.arguments import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    UsageError,
    date_argument,
    engine_for,
)
from govrules.engine import Engine, today
from govrules.errors import CaseError, CaseFileError
from govrules.runtime.decision import Decision

__all__ = ["register_batch"]


def register_batch(commands: Commands) -> None:
    batch = commands.add_parser(
        "batch",
        help="decide many cases: JSON lines, CSV or Parquet in; JSON lines or Parquet out",
        description="Decide every case of a file under one policy on one date. Each output row "
        "names its input row; a bad row is recorded and the batch goes on.",
    )
    batch.add_argument("policy_id", metavar="POLICY_ID")
    batch.add_argument(
        "--cases",
        required=True,
        metavar="FILE",
        help="the cases: .jsonl/.ndjson (a facts object or a policy/as_of/facts envelope a "
        "line), .csv (a header of input names; an empty cell is a fact not given) or "
        ".parquet; - for standard input (JSON lines, or CSV with --input-format csv)",
    )
    batch.add_argument(
        "--input-format", choices=INPUT_FORMATS, help="the format of --cases (default: its suffix)"
    )
    batch.add_argument(
        "--out", metavar="FILE", help="where to write the rows (default, or -: standard output)"
    )
    batch.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        help="jsonl (default) or parquet (to a file; the default for --out *.parquet)",
    )
    batch.add_argument(
        "--as-of",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="the date whose law applies to every row (default: today in Beijing); an "
        "envelope naming another date is a bad row",
    )
    batch.add_argument("--trace", action="store_true", help="include each decision's trace")
    batch.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="decide in N worker processes (default 1: in this one)",
    )
    batch.add_argument(
        "--cite",
        choices=CITE_FORMS,
        default="full",
        help="full: each row is the whole decision JSON (default); ids: a small row with "
        "citations as clause ids, missing facts by name and notices by code",
    )
    batch.add_argument(
        "--log",
        metavar="TARGET",
        help="also append every decision to a decision log: a SQLite file, or a postgresql:// DSN",
    )
    batch.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="decide on a Dask cluster (tcp://host:8786), or on a local one (local)",
    )
    batch.add_argument(
        "--errors", metavar="FILE", help="also write the refused rows to FILE, as JSON lines"
    )
    batch.add_argument(
        "--engine",
        choices=("auto", "columnar", "per-case"),
        default="auto",
        help="columnar: decide a Parquet or CSV file in columns (the same rows, much faster); "
        "per-case: one case at a time; auto (default): columnar when the policy allows it "
        "and no --trace, --log or --dask is asked for",
    )
    batch.add_argument(
        "--columns",
        choices=COLUMN_FORMS,
        default="decision",
        help="decision (default): each Parquet row holds the whole decision; values: typed "
        "columns only -- row, outcome, one column per value of the policy (decimals exact "
        "as decimal128(38, 18)) and error -- for loading into another system (Parquet only)",
    )
    batch.set_defaults(run=cmd_batch)


def _workers(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers (1 or more)")
    return int(text)


def cmd_batch(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    as_of = args.as_of or today()
    output_format = args.format or (
        "parquet" if args.out and Path(args.out).suffix.lower() == ".parquet" else "jsonl"
    )
    if output_format == "parquet" and args.out in (None, "-"):
        raise UsageError("Parquet is written to a file: give --out FILE.parquet")
    if args.columns == "values":
        return _value_columns(args, engine, as_of, output_format)
    if _in_columns(args, engine, as_of):
        try:
            return _columnar(args, engine, as_of, output_format)
        except ColumnarUnavailable as error:  # before any row: case by case, as always
            if args.engine == "columnar":
                raise UsageError(f"--engine columnar: {error}") from None
    decide = _on_dask(args, as_of) if args.dask else None
    cases, total = _cases(args, engine, as_of)
    summary = BatchSummary(args.policy_id, as_of)
    with ExitStack() as stack:
        write = stack.enter_context(_writer(args.out, output_format))
        errors = stack.enter_context(_writer(args.errors, "jsonl")) if args.errors else None
        log = stack.enter_context(_log(args.log)) if args.log else None
        advance = stack.enter_context(batch_progress(total))
        rows = decide_rows(
            engine,
            args.policy_id,
            cases,
            as_of,
            trace=args.trace,
            workers=1 if args.dask else args.workers,
            log=log,
            decide=decide,
        )
        for row, made in rows:
            summary.count(made)
            line = result_row(row, made, args.cite)
            write(line)
            if errors is not None and "errors" in line:
                errors(line)
            advance()
    sys.stderr.write(summary.text())
    return EXIT_OK if summary.refused == 0 else EXIT_FAILED


def _in_columns(args: argparse.Namespace, engine: Engine, as_of: Any) -> bool:
    """Whether ``--engine`` and the batch let it be decided in columns."""
    if args.engine == "per-case":
        return False
    asked = args.engine == "columnar"
    blocker = (
        "it reads standard input"
        if args.cases == "-"
        else "--trace"
        if args.trace
        else "--log"
        if args.log
        else "--dask"
        if args.dask
        else None
    )
    if blocker is not None:
        if asked:
            raise UsageError(f"--engine columnar: cannot be used with {blocker}")
        return False
    input_format = args.input_format or input_format_of(Path(args.cases))
    reason = columnar_reason(engine, args.policy_id, as_of, input_format)
    if reason is not None and asked:
        raise UsageError(f"--engine columnar: {reason}")
    return reason is None


def _columnar(args: argparse.Namespace, engine: Engine, as_of: Any, output_format: str) -> int:
    """The batch decided in columns: the same output rows, errors file and summary."""
    path = Path(args.cases)
    input_format = args.input_format or input_format_of(path)
    if not path.is_file():
        raise CaseFileError(f"{path}: no such file")
    total = count_rows(path, input_format) if sys.stderr.isatty() else None
    summary = BatchSummary(args.policy_id, as_of)
    with ExitStack() as stack:
        target: JsonLinesTarget | ParquetTarget
        if output_format == "parquet":
            try:
                target = ParquetTarget(Path(args.out))
            except OSError as error:
                raise UsageError(str(error)) from None
        elif args.out in (None, "-"):
            target = JsonLinesTarget(sys.stdout)
        else:
            try:
                stream = Path(args.out).open("w", encoding="utf-8", newline="\n")  # noqa: SIM115
            except OSError as error:
                raise UsageError(
                    f"{args.out}: cannot be written ({error.strerror or error})"
                ) from None
            target = JsonLinesTarget(stack.enter_context(stream))
        stack.callback(target.close)
        errors = stack.enter_context(_writer(args.errors, "jsonl")) if args.errors else None
        advance = stack.enter_context(batch_progress(total))
        decide_in_columns(
            engine,
            args.policy_id,
            path,
            input_format,
            as_of,
            summary,
            target,
            cite=args.cite,
            refused=errors,
            advance=advance,
        )
    sys.stderr.write(summary.text())
    return EXIT_OK if summary.refused == 0 else EXIT_FAILED


def _value_columns(args: argparse.Namespace, engine: Engine, as_of: Any, output_format: str) -> int:
    """``--columns values``: typed value columns, in columns when the batch allows it (the
    same rows either way), else case by case."""
    if output_format != "parquet":
        raise UsageError("--columns values writes typed Parquet columns: give --out FILE.parquet")
    for flag, given in (("--trace", args.trace), ("--dask", args.dask)):
        if given:
            raise UsageError(f"--columns values cannot be used with {flag}")
    policy = engine.policy(args.policy_id, as_of)
    summary = BatchSummary(args.policy_id, as_of)
    try:
        target = ValuesWriter(Path(args.out), policy)
    except OSError as error:
        raise UsageError(str(error)) from None
    except ValueError as error:
        raise UsageError(f"--columns values: {error}") from None
    with ExitStack() as stack:
        stack.callback(target.close)
        errors = stack.enter_context(_writer(args.errors, "jsonl")) if args.errors else None
        refused: list[BadRow] | None = None
        if _in_columns(args, engine, as_of):
            path = Path(args.cases)
            if not path.is_file():
                raise CaseFileError(f"{path}: no such file")
            input_format = args.input_format or input_format_of(path)
            try:
                refused = decide_values_in_columns(
                    engine, args.policy_id, path, input_format, as_of, summary, target
                )
            except ColumnarUnavailable as error:  # before any row: case by case
                if args.engine == "columnar":
                    raise UsageError(f"--engine columnar: {error}") from None
        if refused is None:
            refused = []
            cases, total = _cases(args, engine, as_of)
            advance = stack.enter_context(batch_progress(total))
            log = stack.enter_context(_log(args.log)) if args.log else None
            rows = decide_rows(engine, args.policy_id, cases, as_of, workers=args.workers, log=log)
            for row, made in rows:
                made = target.checked(row, made)
                summary.count(made)
                target(row, made)
                if isinstance(made, BadRow):
                    refused.append(made)
                advance()
        if errors is not None:
            for bad in refused:
                errors(bad.to_dict())
    sys.stderr.write(summary.text())
    return EXIT_OK if summary.refused == 0 else EXIT_FAILED


def _cases(
    args: argparse.Namespace, engine: Engine, as_of: Any
) -> tuple[Iterator[Case], int | None]:
    """The cases to read, and about how many there are (for the progress bar on a terminal)."""
    if args.cases == "-":
        stdin = sys.stdin.buffer
        return read_cases(
            stdin, engine, args.policy_id, as_of, input_format=args.input_format, name="<stdin>"
        ), None
    path = Path(args.cases)
    found = read_cases(path, engine, args.policy_id, as_of, input_format=args.input_format)
    total = (
        count_rows(path, args.input_format or input_format_of(path))
        if sys.stderr.isatty()
        else None
    )
    return found, total


def _writer(target: str | None, output_format: str) -> Any:
    if target in (None, "-"):
        return JsonLinesWriter(sys.stdout)
    try:
        return open_writer(Path(target), output_format)
    except OSError as error:
        raise UsageError(f"{target}: cannot be written ({error.strerror or error})") from None


def _log(target: str) -> Any:
    try:
        from govrules.decisionlog import LogUnavailableError, open_log  # only when asked for
    except ImportError as error:
        raise UsageError(f"--log: the decision log is not available ({error})") from None
    try:
        return open_log(target)
    except LogUnavailableError as error:
        raise UsageError(f"--log: {error}") from None


def _on_dask(args: argparse.Namespace, as_of: Any) -> Decide:
    """The deciding of the good cases on a Dask cluster, in order (``govrules.dask``)."""
    if args.policies:
        raise UsageError(
            "--dask decides with the bundled and installed packs and the --pack folders, "
            "which every worker loads too; --policies cannot be sent to a cluster"
        )
    if args.workers > 1 and args.dask != "local":
        raise UsageError("--workers with --dask is the size of a local cluster (--dask local)")
    try:
        from govrules.dask import decide_cases  # only when asked for
    except ImportError as error:
        if (error.name or "").startswith("govrules"):
            raise UsageError(f"--dask: this govrules cannot run on Dask ({error})") from None
        raise UsageError(
            f"--dask needs Dask: pip install 'govrules[dask]' (missing: {error.name})"
        ) from None
    workers = args.workers if args.dask == "local" and args.workers > 1 else None

    def decide(facts: Iterator[dict[str, Any]]) -> Iterable[Decision | CaseError]:
        found: Iterable[Decision | CaseError] = decide_cases(
            facts,
            args.policy_id,
            as_of,
            args.dask,
            packs=args.packs or (),
            workers=workers,
            trace=args.trace,
        )
        return found

    return decide
