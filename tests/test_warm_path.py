"""The warm start of a command about one policy (``compiler/resolution.py``): what a warm
``govrules evaluate`` imports, and that a kept resolution is used exactly while every input it
read is the same -- and that any change (one byte of a pack.yaml, a policy file or a source
document, a new policy file, a new pack, a tampered entry) loads as a fresh load does."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import POLICIES, ROOT
from govrules import Engine
from govrules.compiler import resolution
from govrules.packs import bundled, discovery, installed
from govrules.packs.manifest import compute_manifest, write_manifest

WAGE = "cn.jilin.taobei.wage_deposit"
WAGE_CASE = ROOT / "examples" / "wage_deposit" / "01_first_deposit.yaml"
TAOBEI, NATIONAL = "cn.jilin.baicheng.taobei", "cn.national"
FACTS = {"contract_price": "1000000", "first_deposit": True}
DAY = dt.date(2026, 11, 21)


# ---------------------------------------------------------------------------- a command line


def _cli(cache_home: Path, *argv: str, cache: bool = True) -> tuple[list[str], str]:
    """Run ``govrules`` in a new interpreter: the watched modules it imported, and its output."""
    code = (
        "import io, sys\n"
        "from govrules.cli.main import main\n"
        "out, sys.stdout = sys.stdout, io.StringIO()\n"
        "assert main(sys.argv[1:]) == 0\n"
        "printed, sys.stdout = sys.stdout.getvalue(), out\n"
        "watched = ('pydantic', 'importlib.metadata', 'multiprocessing', 'concurrent.futures',\n"
        "           'holidays', 'govrules.compiler.pipeline', 'govrules.compiler.loading',\n"
        "           'govrules.compiler.needed', 'govrules.packs.discovery',\n"
        "           'govrules.language.expr.checker', 'govrules.language.expr.parser',\n"
        "           'govrules.language.files')\n"
        "print(' '.join(sorted(m for m in watched if m in sys.modules)))\n"
        "print(printed, end='')\n"
    )
    environment = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    if not cache:
        environment["GOVRULES_CACHE"] = "off"
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    first, printed = done.stdout.split("\n", 1)
    return first.split(), printed


@pytest.fixture
def cache_home(tmp_path: Path) -> Path:
    home = tmp_path / "cache"
    home.mkdir(mode=0o700)
    return home


def test_a_warm_evaluate_imports_neither_the_loader_nor_metadata(cache_home: Path) -> None:
    argv = ("evaluate", WAGE, "--case", str(WAGE_CASE), "--format", "json")
    _, off = _cli(cache_home, *argv, cache=False)
    cold, first = _cli(cache_home, *argv)
    warm, second = _cli(cache_home, *argv)
    assert "govrules.compiler.pipeline" in cold and "importlib.metadata" in cold
    assert warm == []
    assert first == second == off
    assert json.loads(second)["policy"] == WAGE


@pytest.mark.parametrize("form", ["text", "markdown", "html"])
def test_a_warm_explanation_reads_the_header_not_the_file_model(
    cache_home: Path, form: str
) -> None:
    # titles and each rule's expressions as written come from the policy's header: pydantic
    # and the file model stay unimported (the expression parser only, a module of its own, to
    # put the values in each formula), and the explanation is the one made without a cache
    argv = ("evaluate", WAGE, "--case", str(WAGE_CASE), "--format", form)
    _, off = _cli(cache_home, *argv, cache=False)
    _cli(cache_home, *argv)
    imported, warm = _cli(cache_home, *argv)
    assert imported == ["govrules.language.expr.parser"]
    assert warm == off
    assert "洮北区农民工工资保证金存储标准" in warm  # the title


def test_a_warm_evaluate_of_a_yaml_case_imports_no_yaml(cache_home: Path) -> None:
    # the case file is read by the plain reader (language/plain_yaml.py): PyYAML is never
    # imported, as python -X importtime shows, and the decision is the one it makes cold
    argv = ("evaluate", WAGE, "--case", str(WAGE_CASE), "--format", "json")
    _, cold = _cli(cache_home, *argv)
    code = "import sys\nfrom govrules.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *argv],
        cwd=ROOT,
        env=dict(os.environ, XDG_CACHE_HOME=str(cache_home)),
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "govrules.language.plain_yaml" in imported  # the report lists what it imports
    assert not {name for name in imported if name == "yaml" or name.startswith("yaml.")}
    assert done.stdout == cold


# ---------------------------------------------------------------------------- exact invalidation


@pytest.fixture
def bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A bundled folder of its own (the wage deposit's pack and the national pack it requires),
    and a cache of its own: the tests change its files."""
    folder = tmp_path / "policies"
    folder.mkdir()
    for name in (TAOBEI, NATIONAL):
        shutil.copytree(POLICIES / name, folder / name)
    for module in (bundled, discovery, resolution):
        monkeypatch.setattr(module, "bundled_policy_directory", lambda: folder)
    home = tmp_path / "cache"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("GOVRULES_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    yield folder


def _load() -> tuple[bool, str]:
    """Whether ``for_policy`` took the warm start (its packs not read yet), and the decision."""
    engine = Engine.for_policy(WAGE)
    warm = engine._packs is None
    return warm, engine.evaluate(WAGE, FACTS, as_of=DAY).to_json()


def _fresh() -> str:
    engine = Engine.default(only=[WAGE], cache=False)
    return engine.evaluate(WAGE, FACTS, as_of=DAY).to_json()


def _edit(path: Path, old: bytes, new: bytes) -> None:
    content = path.read_bytes()
    assert old in content, f"{old!r} not in {path}"
    path.write_bytes(content.replace(old, new, 1))
    _seal(path)


def _seal(path: Path) -> None:
    """Seal the pack that holds ``path`` again, as an author changing a bundled pack does."""
    root = next(folder for folder in path.parents if (folder / "pack.yaml").is_file())
    version = next(
        line.split(":", 1)[1].strip()
        for line in (root / "pack.yaml").read_text(encoding="utf-8").splitlines()
        if line.startswith("version:")
    )
    write_manifest(root, compute_manifest(root, root.name, version))


def test_the_second_load_is_warm_and_decides_alike(bundled_copy: Path) -> None:
    cold, first = _load()
    warm, second = _load()
    assert (cold, warm) == (False, True)
    assert first == second == _fresh()
    engine = Engine.for_policy(WAGE)
    fresh = Engine.default(only=[WAGE], cache=False)
    assert list(engine.packs) == list(fresh.packs) == [TAOBEI, NATIONAL]  # read when asked for
    assert [p.digest for p in engine.packs.values()] == [p.digest for p in fresh.packs.values()]
    assert engine.packs[TAOBEI].digest == json.loads(first)["pack"]["manifest"]


def _wage_file(folder: Path) -> Path:
    return folder / TAOBEI / "policies" / "wage_deposit.yaml"


@pytest.mark.parametrize(
    "change",
    [
        "pack.yaml of the pack",
        "pack.yaml of the required pack",
        "the policy file",
        "a source document",
        "a new policy file",
        "a new hidden file",
        "a new pack",
    ],
)
def test_any_change_to_what_the_load_read_loads_afresh(bundled_copy: Path, change: str) -> None:
    _load()
    assert _load()[0]
    folder = bundled_copy
    if change == "pack.yaml of the pack":
        _edit(folder / TAOBEI / "pack.yaml", b"licence: Apache-2.0", b"licence: Apache-2.0 ")
    elif change == "pack.yaml of the required pack":
        _edit(folder / NATIONAL / "pack.yaml", b"version: 1.0.0", b"version: 1.0.1")
    elif change == "the policy file":
        _edit(_wage_file(folder), b"\n  en: ", b"\n  en: The ")
    elif change == "a source document":
        source = folder / TAOBEI / "sources" / "cn.jilin.taobei.wage_deposit_integrity.yaml"
        _edit(source, b"text: ", b"text: X")
    elif change == "a new policy file":
        extra = folder / TAOBEI / "policies" / "extra.yaml"
        extra.write_bytes(_wage_file(folder).read_bytes().replace(b"version: ", b"version: 9", 1))
        _seal(extra)
    elif change == "a new hidden file":
        (folder / TAOBEI / "policies" / ".notes.txt").write_text("a note", encoding="utf-8")
    else:
        shutil.copytree(POLICIES / "cn.gansu.dingxi", folder / "cn.gansu.dingxi")
    warm, decided = _load()
    assert not warm
    assert decided == _fresh()
    again_warm, again = _load()
    assert again_warm and again == decided


def test_a_change_that_changes_the_decision_is_seen(bundled_copy: Path) -> None:
    _, before = _load()
    _edit(_wage_file(bundled_copy), b"\n  en: ", b"\n  en: Changed ")
    warm, after = _load()
    assert not warm and after == _fresh()
    old, new = json.loads(before), json.loads(after)
    assert new["policy_hash"] != old["policy_hash"]
    assert new["pack"]["manifest"] != old["pack"]["manifest"]


def test_a_tampered_or_foreign_entry_is_ignored(bundled_copy: Path, tmp_path: Path) -> None:
    _, first = _load()
    entries = list((tmp_path / "cache" / "govrules" / "resolution").glob("*.pickle"))
    assert len(entries) == 1
    content = bytearray(entries[0].read_bytes())
    content[-20] ^= 0xFF  # one byte of the payload: the HMAC no longer matches
    entries[0].write_bytes(bytes(content))
    warm, decided = _load()
    assert not warm and decided == first
    assert _load()[0]  # written again, and used


# ---------------------------------------------------------------------------- installed metadata


def test_an_installed_pack_is_seen_without_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    info = site / "some_pack-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "RECORD").write_text("some_pack/pack.yaml,sha256=abc,10\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    assert installed.no_installed_packs() is True
    first = installed.distribution_digest("Some-Pack")
    assert first is not None and first == installed.distribution_digest("some_pack")
    (info / "RECORD").write_text("some_pack/pack.yaml,sha256=abd,10\n", encoding="utf-8")
    assert installed.distribution_digest("some_pack") != first  # by content, not by name
    (info / "entry_points.txt").write_text(
        "[govrules.packs]\nsome.pack = some_pack\n", encoding="utf-8"
    )
    assert installed.no_installed_packs() is False


def test_the_distributions_found_are_those_importlib_metadata_finds() -> None:
    from importlib.metadata import distributions

    folders = installed.metadata_folders()
    assert folders is not None
    found = {
        os.path.basename(folder).split("-", 1)[0].lower().replace("_", "-") for folder in folders
    }
    for distribution in distributions():
        assert distribution.metadata["Name"].lower().replace("_", "-") in found


def test_the_importlib_metadata_backport_finds_the_same_distributions() -> None:
    # libraries that support older Pythons import the backport, which adds its own finder of
    # distributions to sys.meta_path; it reads the same folders, so the reading still answers
    backport = pytest.importorskip("importlib_metadata")
    assert any(type(f).__module__ == "importlib_metadata" for f in sys.meta_path)
    folders = installed.metadata_folders()
    assert folders is not None
    found = {os.path.basename(folder).split("-", 1)[0].lower() for folder in folders}
    for distribution in backport.distributions():
        assert distribution.metadata["Name"].lower().replace("-", "_") in found
