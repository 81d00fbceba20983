"""Shared fixtures: the real bundled policies and sources, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from govrules import Engine
from govrules.language.sources import SourceLibrary

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.from_directory(POLICIES)


@pytest.fixture(scope="session")
def sources() -> SourceLibrary:
    return SourceLibrary([POLICIES / "sources"])
