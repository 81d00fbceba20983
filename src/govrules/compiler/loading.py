"""Loading policies: find the policy files of some folders, read, check and compile them.

policies, sources, problems = load_policies([Path("policies")])

Each file is loaded on its own: its problems never hide another file's, and an exception
that is not a ``PolicyLoadError`` (a bug of govrules, never the author's) becomes an
``internal`` diagnostic located at the file, not a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from govrules.compiler.pipeline import compile_policy
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import Diagnostic, PolicyLoadError
from govrules.language.file_errors import diagnostics_from_validation
from govrules.language.files import PolicyModel
from govrules.language.reader import read_yaml_file
from govrules.language.sources import SourceLibrary
from govrules.spans import SourceSpan

__all__ = ["bundled_policy_directory", "load_policies", "load_policy_file"]


def bundled_policy_directory() -> Path:
    """The policies shipped with govrules (inside the package, or the source checkout's)."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "policies"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "policies"


def _policy_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*.yaml")
        if "sources" not in path.relative_to(folder).parts[:-1]
    )


def load_policies(
    folders: Sequence[Path],
    root: Path | None = None,
) -> tuple[list[CompiledPolicy], SourceLibrary, list[Diagnostic]]:
    """Compile every policy in ``folders``; return the good ones and every problem found."""
    sources = SourceLibrary(
        [folder / "sources" for folder in folders if (folder / "sources").is_dir()], root
    )
    policies: list[CompiledPolicy] = []
    problems: list[Diagnostic] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Diagnostic("no-directory", f"'{folder}' is not a directory"))
            continue
        for path in _policy_files(folder):
            display = sources.display(path)
            try:
                policies.append(_load_one(path, display, sources))
            except PolicyLoadError as error:
                problems.extend(error.diagnostics)
    seen: dict[tuple[str, str], CompiledPolicy] = {}
    for policy in policies:
        key = (policy.id, policy.version)
        if key in seen:
            problems.append(
                Diagnostic(
                    "duplicate-policy",
                    f"{policy.id} version {policy.version} is also defined in {seen[key].path}",
                    policy.model.span_of("id"),
                )
            )
        seen[key] = policy
    return policies, sources, problems


def load_policy_file(
    path: Path, sources: SourceLibrary, display: str | None = None
) -> CompiledPolicy:
    """Read, check and compile one policy file; ``PolicyLoadError`` lists every problem."""
    return _load_one(path, display or path.as_posix(), sources)


def _load_one(path: Path, display: str, sources: SourceLibrary) -> CompiledPolicy:
    try:
        return _read_and_compile(path, display, sources)
    except PolicyLoadError:
        raise
    except Exception as error:  # any bug must still leave a report located at its file
        raise PolicyLoadError(
            [
                Diagnostic(
                    "internal",
                    f"govrules failed on this file: {type(error).__name__}: {str(error)[:200]}",
                    SourceSpan(display, 1, 1),
                    "this is a bug in govrules, not in the file: please report it with the file",
                )
            ]
        ) from error


def _read_and_compile(path: Path, display: str, sources: SourceLibrary) -> CompiledPolicy:
    data = read_yaml_file(path, display)
    if not isinstance(data, dict) or data.get("kind") != "policy":
        raise PolicyLoadError(
            [
                Diagnostic(
                    "not-a-policy",
                    "a policy file starts with 'kind: policy'",
                    getattr(data, "span", None) or SourceSpan(display, 1, 1),
                    "source documents belong in a 'sources' folder",
                )
            ]
        )
    try:
        model = PolicyModel.model_validate(data)
    except ValidationError as error:
        raise PolicyLoadError(diagnostics_from_validation(error, data, display)) from None
    return compile_policy(model, display, sources, path.read_bytes())
