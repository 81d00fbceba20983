"""``govrules new pack ID``: the repository it writes validates, lints clean, passes its tests
at 100% rule coverage and is sealed; installed with pip into a fresh environment, the pack is
found, its tests run under pytest, and a changed byte of the installed files refuses it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from govrules.authoring.scaffold import ScaffoldError, package_name, scaffold_pack
from govrules.cli.main import main
from govrules.packs.discovery import read_pack

PACK_ID = "cn.example.city"
PACKAGE = "govrules_pack_cn_example_city"
POLICY_ID = "cn.example.city.example_allowance"


def _new_pack(tmp_path: Path, *extra: str) -> Path:
    """``govrules new pack`` into tmp_path/repo; the pack folder."""
    assert main(["new", "pack", PACK_ID, "--dir", str(tmp_path / "repo"), *extra]) == 0
    return tmp_path / "repo" / "src" / PACKAGE


def test_new_pack_writes_a_sealed_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _new_pack(tmp_path)
    out = capsys.readouterr().out
    assert "pack cn.example.city 0.1.0" in out
    assert f"govrules pack seal src/{PACKAGE}" in out
    repo = tmp_path / "repo"
    written = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())
    assert written == sorted(
        [
            ".gitattributes",
            ".github/workflows/test.yml",
            ".gitignore",
            "README.md",
            "pyproject.toml",
            f"src/{PACKAGE}/__init__.py",
            f"src/{PACKAGE}/examples/example_case.yaml",
            f"src/{PACKAGE}/manifest.json",
            f"src/{PACKAGE}/pack.yaml",
            f"src/{PACKAGE}/policies/example.yaml",
            f"src/{PACKAGE}/sources/{PACK_ID}.example_rules.yaml",
        ]
    )
    for name in written:
        assert name in out
        assert b"\r" not in (repo / name).read_bytes(), name  # the digests hold everywhere
    pack = read_pack(folder, "path")
    assert pack.sealed and pack.version == "0.1.0" and pack.requires == {}
    assert pack.model is not None and pack.model.jurisdiction.id == PACK_ID
    assert "(write:" in pack.model.title.en and "填写" in pack.model.title.zh

    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "govrules-pack-cn-example-city"
    assert project["project"]["version"] == "0.1.0"
    assert project["project"]["dependencies"] == ["govrules"]
    assert project["project"]["entry-points"]["govrules.packs"] == {PACK_ID: PACKAGE}
    assert project["tool"]["pytest"]["ini_options"]["govrules_min_coverage"] == "100"
    assert "*.yaml text eol=lf" in (repo / ".gitattributes").read_text(encoding="utf-8")
    workflow = (repo / ".github" / "workflows" / "test.yml").read_text(encoding="utf-8")
    for step in ("actions/checkout", "python-version: \"3.11\"", "pip install .",
                 "pip install pytest", f"govrules validate src/{PACKAGE}", "- run: pytest"):
        assert step in workflow
    readme = (repo / "README.md").read_text(encoding="utf-8")
    for line in ("pip install .", "pytest", "govrules list", f"govrules pack seal src/{PACKAGE}",
                 "govrules pack keygen", "govrules pack sign"):
        assert line in readme
    source = yaml.safe_load(
        (folder / "sources" / f"{PACK_ID}.example_rules.yaml").read_text(encoding="utf-8"))
    assert "placeholder" in source["title"]["en"] and "PLACEHOLDER" in source["notes"]
    assert (source["law_kind"], source["level"]) == ("规范性文件", "prefectural")
    assert source["issuer"] and 2 <= len(source["clauses"]) <= 3


def test_the_scaffolded_pack_validates_lints_clean_and_passes_at_full_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _new_pack(tmp_path)
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 0
    assert "ok: 1 policies, 1 source documents, 1 pack(s)" in capsys.readouterr().out
    assert main(["lint", str(folder)]) == 0
    assert capsys.readouterr().out.strip() == "0 warning(s), 0 note(s)"
    assert main(["test", str(folder), "--min-coverage", "100"]) == 0
    out = capsys.readouterr().out
    assert f"{POLICY_ID} 1.0.0: rules 100%" in out
    assert "4 passed, 0 failed" in out
    assert main(["--pack", str(folder), "run", str(folder / "examples")]) == 0
    assert "OUTCOME: eligible" in capsys.readouterr().out


def test_requires_national(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _new_pack(tmp_path, "--requires-national")
    pack = read_pack(folder, "path")
    assert pack.sealed and list(pack.requires) == ["cn.national"]
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 0
    assert "2 pack(s)" in capsys.readouterr().out
    assert main(["test", str(folder), "--min-coverage", "100"]) == 0


@pytest.mark.parametrize(
    "bad", ["Cn.example", "cn..city", "cn.city.", ".cn", "cn-city", "1cn.city", "cn city", ""]
)
def test_a_bad_pack_id_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    assert main(["new", "pack", bad, "--dir", str(tmp_path / "repo")]) == 2
    err = capsys.readouterr().err
    assert "is not a pack id" in err and "dotted lowercase names" in err
    assert not (tmp_path / "repo").exists()


def test_a_taken_id_and_a_bad_licence_are_refused(tmp_path: Path) -> None:
    for bundled in ("cn.national", "cn.template"):
        with pytest.raises(ScaffoldError, match="bundled with govrules"):
            scaffold_pack(bundled, tmp_path / "a")
    with pytest.raises(ScaffoldError, match="SPDX"):
        scaffold_pack(PACK_ID, tmp_path / "b", licence='MIT"\n[x]')
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_target_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "repo"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", "pack", PACK_ID, "--dir", str(target)]) == 2
    assert "exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    (target / "notes.txt").unlink()  # an empty folder is fine
    assert scaffold_pack(PACK_ID, target).package == package_name(PACK_ID) == PACKAGE


def test_default_folder_is_named_after_the_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "pack", "cn.example.town_1"]) == 0
    assert (tmp_path / "govrules-pack-cn-example-town-1" / "src" / "govrules_pack_cn_example_town_1"
            / "manifest.json").is_file()


# ---------------------------------------------------------------- end to end, in a fresh venv

# what pip prints when it cannot reach an index (no network, no mirror): the only reason to skip
_UNREACHABLE = re.compile(
    r"Failed to establish a new connection|Temporary failure in name resolution|"
    r"Network is unreachable|ConnectTimeoutError|ProxyError|"
    r"No matching distribution found for (setuptools|pydantic|pytest)",
    re.IGNORECASE,
)


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=600, check=False)


def _pip(venv_python: Path, args: list[str], cwd: Path,
         env: dict[str, str]) -> None:
    try:
        done = _run([str(venv_python), "-m", "pip", "install", "--quiet", *args], cwd, env)
    except subprocess.TimeoutExpired:
        pytest.skip("pip got no answer from a package index in 10 minutes")
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if _UNREACHABLE.search(output):
            pytest.skip(f"pip cannot reach a package index: {output.strip()[-300:]}")
        pytest.fail(f"pip install {' '.join(args)} failed:\n{output}")


def _checkout_copy(target: Path) -> Path:
    """What a pip install of this checkout needs, copied, so that the build leaves no build/
    or egg-info behind in the checkout."""
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".*")
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    shutil.copytree(ROOT / "policies", target / "policies", ignore=ignore)
    return target


def test_scaffolded_pack_installs_with_pip_into_a_fresh_venv(tmp_path: Path) -> None:
    """The issue's "done when": pip install the new repository (not editable) into a fresh
    environment with govrules; the pack's policy is listed with no flags, the pack shows as
    installed and sealed, pytest runs its policy tests, and a byte changed in the installed
    policy file makes govrules refuse the pack, naming the file."""
    repo = tmp_path / "mypack"
    assert main(["new", "pack", PACK_ID, "--dir", str(repo)]) == 0
    tests = yaml.safe_load((repo / "src" / PACKAGE / "policies" / "example.yaml").read_text(
        encoding="utf-8"))["tests"]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME") and not k.startswith("PYTEST_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PYTHONIOENCODING="utf-8")
    checkout = tmp_path / "govrules"
    checkout.mkdir()
    _pip(python, [str(_checkout_copy(checkout)), "pytest"], tmp_path, env)
    _pip(python, [str(repo)], tmp_path, env)
    govrules = str(bin_dir / "govrules")

    listed = _run([govrules, "list"], repo, env)
    assert listed.returncode == 0, listed.stderr
    assert f"{POLICY_ID}  1.0.0  2025-01-01" in listed.stdout
    packs = _run([govrules, "packs"], repo, env)
    assert packs.returncode == 0, packs.stderr
    assert f"{PACK_ID} 0.1.0  installed (govrules-pack-cn-example-city 0.1.0)" in packs.stdout
    assert "sealed: every file matches manifest.json" in packs.stdout

    ran = _run([str(bin_dir / "pytest"), "-p", "no:cacheprovider"], repo, env)
    items = len(tests) + 1  # one per test written in the policy, and its coverage item
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert f"collected {items} items" in ran.stdout
    assert re.search(rf"\b{items} passed\b", ran.stdout), ran.stdout

    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   repo, env).stdout.strip()
    installed = Path(purelib) / PACKAGE / "policies" / "example.yaml"
    assert installed.is_file(), "the installed policy file"
    data = bytearray(installed.read_bytes())
    at = data.index(b"500 yuan")
    data[at] = ord("6")  # one byte
    installed.write_bytes(bytes(data))
    refused = _run([govrules, "list"], repo, env)
    assert refused.returncode != 0
    assert "pack-modified" in refused.stderr
    assert "policies/example.yaml differs from the manifest" in refused.stderr
    assert POLICY_ID not in refused.stdout
