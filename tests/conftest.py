"""Shared fixtures: the real bundled policies and sources, loaded once per test session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The compiled-policy cache (compiler/cache.py) of the test session lives in a folder of its
# own, private to the session, never in the user's cache: every run starts cold.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="govrules-test-cache-")

from govrules import Engine  # noqa: E402
from govrules.language.expr import Symbol, Type
from govrules.language.sources import SourceLibrary

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# every bundled pack's sources/ folder, and the policy files of every bundled pack
SOURCE_FOLDERS = sorted(POLICIES.glob("*/sources"))
POLICY_FILES = sorted(POLICIES.glob("*/policies/*.yaml"))
WAGE_DEPOSIT_POLICY = POLICIES / "cn.jilin.baicheng.taobei" / "policies" / "wage_deposit.yaml"


def source_file(document_id: str) -> Path:
    """The file of a bundled source document, in whichever pack holds it."""
    found = [folder / f"{document_id}.yaml" for folder in SOURCE_FOLDERS
             if (folder / f"{document_id}.yaml").is_file()]
    assert len(found) == 1, f"{document_id} is in {len(found)} bundled packs"
    return found[0]


def copy_sources(target: Path) -> None:
    """Every bundled source document into one plain sources/ folder, and beside it the
    national policy the wage-deposit policy declares as its superior law."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in SOURCE_FOLDERS:
        for path in folder.glob("*.yaml"):
            shutil.copy(path, target / path.name)
    shutil.copy(POLICIES / "cn.national" / "policies" / "wage_deposit.yaml",
                target.parent / "national_wage_deposit.yaml")


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.from_directory(POLICIES)


@pytest.fixture(scope="session")
def sources() -> SourceLibrary:
    return SourceLibrary(SOURCE_FOLDERS)


# Headless Chromium, for the tests that look at HTML as a person would (.ci/run installs it).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("Chromium is not installed on this machine")
    return CHROMIUM


class InputScope:
    """The names an expression may use in a unit test: inputs of the given types, in slots
    0, 1, 2, … in the order given."""

    def __init__(self, types: dict[str, Type]) -> None:
        self.symbols = {name: Symbol(name, kind, slot, "input")
                        for slot, (name, kind) in enumerate(types.items())}

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> list[str]:
        return list(self.symbols)
