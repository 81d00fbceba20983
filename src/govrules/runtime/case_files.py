"""Case files: the facts of one case, read from JSON or YAML, with the envelope that may name
the policy and the date.

Every face reads cases the same way (the command line, a service, a batch), so this lives below
them. A file holds either the facts themselves or an envelope around them:

    policy: cn.jilin.taobei.wage_deposit
    as_of: 2026-11-21
    facts:
      contract_price: "1000000"

    facts, envelope = read_case_file(Path("case.yaml"))
    facts                         # {'contract_price': '1000000'}
    envelope                      # {'policy': ..., 'as_of': date(2026, 11, 21)}, or None
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from govrules.errors import CaseFileError, PolicyLoadError
from govrules.language.reader import read_yaml_file

__all__ = ["read_case_file"]


def read_case_file(path: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Facts from a JSON or YAML file, and the envelope (policy, as_of) if the file has one.

    JSON numbers are read as exact decimals, never floats. Raises ``CaseFileError``.
    """
    if not path.is_file():
        raise CaseFileError(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CaseFileError(f"{path}: not valid JSON ({error})") from None
    else:
        try:
            data = read_yaml_file(path)
        except PolicyLoadError as error:
            raise CaseFileError(str(error)) from None
    if not isinstance(data, dict):
        raise CaseFileError(f"{path}: a case file holds a JSON/YAML object of facts")
    if "facts" in data and "policy" in data:
        facts = data["facts"]
        if not isinstance(facts, dict):
            raise CaseFileError(f"{path}: 'facts' must be an object")
        return dict(facts), {k: v for k, v in data.items() if k != "facts"}
    return dict(data), None
