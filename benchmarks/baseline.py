"""The baseline every "× faster than before" figure is measured against: govrules as it was at
a given commit, unpacked beside the working tree and run in its own Python process.

The speed-ups of the performance work are claims about the same machine, the same run and the
same cases; so the code before them is not a number remembered from another day but a
contender started in the same run. ``git archive`` writes the tree of ``BASELINE_REF`` (the
last commit before the speed-ups) into a cache folder once; a measurement then runs a Python
script with ``PYTHONPATH`` pointing at that tree's ``src/``, which comes before the installed
(editable) govrules on ``sys.path`` -- and the script is refused unless ``govrules`` really
resolves there.

    src = baseline_tree()                              # .../govrules-baseline-<ref>/src
    out = run_python(SCRIPT, src, ["--quick"])          # the script's stdout, as text
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["BASELINE_REF", "REPOSITORY", "baseline_tree", "run_python"]

# The commit whose decisions the golden set (tests/golden/) recorded: the engine before the
# performance work, with the golden set itself.
BASELINE_REF = "e7fd0c7"
REPOSITORY = Path(__file__).resolve().parents[1]

# The first lines of every script run by run_python: fail unless govrules comes from `src`.
_GUARD = """\
import pathlib as _p, sys as _s, govrules as _g
_want = _p.Path(_s.argv[1]).resolve()
if _want not in _p.Path(_g.__file__).resolve().parents:
    raise SystemExit(f"govrules resolved to {_g.__file__}, not under {_want}")
del _s.argv[1]
"""


def baseline_tree(ref: str = BASELINE_REF) -> Path:
    """The ``src/`` folder of the repository's tree at ``ref``, unpacked once into the temporary
    folder (``GOVRULES_BASELINE_DIR`` names another)."""
    commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()
    home = Path(os.environ.get("GOVRULES_BASELINE_DIR") or tempfile.gettempdir())
    root = home / f"govrules-baseline-{commit[:12]}"
    done = root / ".unpacked"
    if not done.exists():
        archive = subprocess.run(
            ["git", "-C", str(REPOSITORY), "archive", "--format=tar", commit],
            check=True,
            capture_output=True,
        ).stdout
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(root, filter="data")
        done.write_text(commit + "\n", encoding="utf-8")
    return root / "src"


def run_python(
    script: str, src: Path | None, args: Sequence[str] = (), *, timeout: float = 3600
) -> str:
    """Run ``script`` in a new Python process with govrules from ``src`` (``None``: the working
    tree's) and return what it printed; a failure raises with its stderr."""
    src = src if src is not None else REPOSITORY / "src"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(REPOSITORY)])
    env.pop("PYTHONHASHSEED", None)
    completed = subprocess.run(
        [sys.executable, "-c", _GUARD + script, str(src), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(src.parent),
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"benchmark script failed (exit {completed.returncode}) with govrules from {src}:\n"
            + completed.stderr[-4000:]
        )
    return completed.stdout


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPOSITORY), *args], check=True, capture_output=True, text=True
    ).stdout
