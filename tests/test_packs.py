"""Policy packs: versions and ranges, loading packs with the packs they require, the checks
between packs (requirements, roots, sources, one id once), pack.yaml errors and the manifest
that seals a pack's files. Every pack here is a real folder in tmp_path, loaded by the engine."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from conftest import POLICIES
from govrules import Engine
from govrules.cli.main import main
from govrules.errors import Diagnostic, PolicyLoadError
from govrules.packs.discovery import bundled_packs, packs_for_paths, read_pack, unique_packs
from govrules.versions import Version, VersionError, VersionRange

NATIONAL = POLICIES / "cn.national"
ALLOWANCE = "test.tiny.allowance"
DAY = dt.date(2024, 1, 10)
BUNDLED = ["cn.gansu.dingxi", "cn.hebei.cangzhou", "cn.hubei.jingmen.dongbao",
           "cn.hunan.shaoyang.suining", "cn.jilin.baicheng.taobei", "cn.national",
           "cn.template", "cn.yunnan.wenshan", "cn.zhejiang.huzhou.anji"]


# --------------------------------------------------------------------------- a small pack

PACK_YAML = """\
kind: pack
id: {id}
version: {version}
title: {{zh: 测试包, en: A test pack}}
description: A pack written by the tests.
jurisdiction: {{id: cn.test, code: '110000'}}
{roots}{requires}licence: Apache-2.0
maintainers:
  - name: tester
    email: tester@example.org
"""

SOURCE_YAML = """\
kind: source
id: {id}.rules
title: {{zh: 测试规定, en: Test rules}}
jurisdiction: cn.test
origin: {{seed: none}}
verification: A
clauses:
  art1:
    label: 第一条
    text: 每日补助五十元。
"""

POLICY_YAML = """\
kind: policy
id: {policy_id}
version: 1.0.0
title: {{zh: 补助, en: Allowance}}
jurisdiction: cn.test
sources:
  rules: {id}.rules
{national}effective: {{from: 2020-01-01}}
inputs:
  days: {{type: integer, required: true, ge: 0}}
parameters:
  daily:
    type: money
    values:
      - {{from: 2020-01-01, value: 50, cite: rules#art1}}
outputs:
  amount: {{type: money}}
outcome: {{values: [assessed], default: assessed}}
rules:
  - id: amount
    cite: [{cites}]
    set:
      amount: days * daily
tests:
  - name: three days
    as_of: 2024-01-10
    input: {{days: 3}}
    expect:
      outcome: assessed
      values: {{amount: '150.00'}}
"""


def write_pack(folder: Path, pack_id: str = "test.tiny", version: str = "1.0.0", *,
               requires: dict[str, str] | None = None, roots: list[str] | None = None,
               policy_id: str | None = None, cite_national: bool = True) -> Path:
    """A pack of one policy and one source document; by default it requires cn.national
    '^1.0.0' and its policy cites a clause of the national civil code besides its own."""
    requires = {"cn.national": "^1.0.0"} if requires is None else requires
    (folder / "policies").mkdir(parents=True)
    (folder / "sources").mkdir()
    (folder / "examples").mkdir()
    required = "".join(f"  {name}: '{wanted}'\n" for name, wanted in requires.items())
    (folder / "pack.yaml").write_text(PACK_YAML.format(
        id=pack_id, version=version,
        roots=f"roots: [{', '.join(roots)}]\n" if roots else "",
        requires=f"requires:\n{required}" if requires else ""), encoding="utf-8")
    (folder / "sources" / f"{pack_id}.rules.yaml").write_text(
        SOURCE_YAML.format(id=pack_id), encoding="utf-8")
    (folder / "policies" / "allowance.yaml").write_text(POLICY_YAML.format(
        id=pack_id, policy_id=policy_id or f"{pack_id}.allowance",
        national="  civil: cn.national.civil_code\n" if cite_national else "",
        cites="rules#art1, civil#art201" if cite_national else "rules#art1"),
        encoding="utf-8")
    (folder / "examples" / "three_days.yaml").write_text(
        f"policy: {policy_id or pack_id + '.allowance'}\nas_of: 2024-01-10\nfacts: {{days: 3}}\n",
        encoding="utf-8")
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(load: Callable[[], object]) -> list[Diagnostic]:
    with pytest.raises(PolicyLoadError) as caught:
        load()
    return list(caught.value.diagnostics)


def only(found: list[Diagnostic], code: str) -> Diagnostic:
    matching = [d for d in found if d.code == code]
    assert len(matching) == 1, [str(d) for d in found]
    return matching[0]


def seal(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["pack", "seal", str(folder)]) == 0
    return capsys.readouterr().out


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # positions read tiny/..., as a pack author would see them
    return write_pack(tmp_path / "tiny")


# --------------------------------------------------------------------------- versions

@pytest.mark.parametrize("text, parts", [
    ("0.0.0", (0, 0, 0, ())),
    ("1.2.3", (1, 2, 3, ())),
    ("10.20.30", (10, 20, 30, ())),
    ("1.0.0-rc.1", (1, 0, 0, ("rc", 1))),
    ("1.0.0-alpha-2.0a.0", (1, 0, 0, ("alpha-2", "0a", 0))),
    ("1.0.0+build.7", (1, 0, 0, ())),
    ("1.0.0-beta+exp.sha.5114f85", (1, 0, 0, ("beta",))),
])
def test_a_semantic_version_is_read(text: str, parts: tuple[object, ...]) -> None:
    version = Version.parse(text)
    assert (version.major, version.minor, version.patch, version.prerelease) == parts


@pytest.mark.parametrize("text", [
    "1", "1.0", "1.0.0.0", "01.0.0", "1.01.0", "1.0.0-", "1.0.0-01", "1.0.0-rc..1",
    "1.0.0+", "v1.0.0", "1.0.x", "", "1.0.0 beta", "1.0.0-β", "１.０.０",
])
def test_what_is_not_a_semantic_version_is_refused_by_name(text: str) -> None:
    with pytest.raises(VersionError) as caught:
        Version.parse(text)
    assert repr(text) in str(caught.value) and "MAJOR.MINOR.PATCH" in str(caught.value)


def test_a_version_that_is_not_text_is_refused() -> None:
    with pytest.raises(VersionError):
        Version.parse(1.0)  # type: ignore[arg-type]


def test_pre_releases_sort_as_the_standard_says() -> None:
    # the example of Semantic Versioning 2.0.0, section 11
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1-0", "1.0.1",
               "1.1.0", "2.0.0-rc.1", "2.0.0", "10.0.0"]
    versions = [Version.parse(text) for text in ordered]
    assert sorted(reversed(versions)) == versions
    assert all(a < b for a, b in zip(versions, versions[1:], strict=False))
    assert Version.parse("1.0.0+build.1") == Version.parse("1.0.0+other")
    assert str(Version.parse("1.0.0-rc.1+build")) == "1.0.0-rc.1"


IDENTIFIER = st.one_of(st.integers(0, 12), st.sampled_from(["alpha", "beta", "rc", "x-1", "0a",
                                                            "A", "b", "-"]))
VERSION_TEXT = st.builds(
    lambda major, minor, patch, pre: f"{major}.{minor}.{patch}"
    + ("-" + ".".join(str(p) for p in pre) if pre else ""),
    st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
    st.lists(IDENTIFIER, max_size=3))


def _precedence(a: str, b: str) -> int:
    """Semantic Versioning 2.0.0 section 11, written out from the standard: -1, 0 or 1."""
    def split(text: str) -> tuple[list[int], list[str]]:
        core, _, pre = text.partition("-")
        return [int(n) for n in core.split(".")], pre.split(".") if pre else []

    (core_a, pre_a), (core_b, pre_b) = split(a), split(b)
    if core_a != core_b:
        return -1 if core_a < core_b else 1
    if not pre_a or not pre_b:
        return (not pre_a) - (not pre_b)
    for x, y in zip(pre_a, pre_b, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        if x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1
        return -1 if x < y else 1
    return (len(pre_a) > len(pre_b)) - (len(pre_a) < len(pre_b))


@given(st.lists(VERSION_TEXT, min_size=2, max_size=8))
def test_version_order_is_total_and_the_standards(texts: list[str]) -> None:
    versions = [Version.parse(text) for text in texts]
    for a, ta in zip(versions, texts, strict=True):
        assert str(a) == ta and Version.parse(ta + "+build.9") == a
        for b, tb in zip(versions, texts, strict=True):
            expected = _precedence(ta, tb)
            assert [a < b, a == b, a > b] == [expected < 0, expected == 0, expected > 0]
            assert (a <= b) == (expected <= 0) and (a >= b) == (expected >= 0)
    by_standard = sorted(texts, key=functools.cmp_to_key(_precedence))
    assert [str(v) for v in sorted(versions)] == by_standard


@pytest.mark.parametrize("text, inside, outside", [
    ("*", ["0.0.0", "1.0.0-rc.1", "99.1.2"], []),
    (">=1.2.0, <2.0.0", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0", "1.2.0-rc.1"]),
    (">=1", ["1.0.0", "7.0.0"], ["0.9.9", "1.0.0-rc.1"]),
    ("<2", ["1.9.9", "0.0.1"], ["2.0.0", "2.0.1"]),
    (">=1.2, <2", ["1.2.0", "1.5.0"], ["1.1.0", "2.0.0"]),
    ("^1.2.3", ["1.2.3", "1.9.0"], ["1.2.2", "2.0.0", "0.9.0"]),
    ("^1.2", ["1.2.0", "1.99.0"], ["1.1.9", "2.0.0"]),
    ("^1", ["1.0.0", "1.9.9"], ["0.9.9", "2.0.0"]),
    ("^0.2.3", ["0.2.3", "0.2.9"], ["0.2.2", "0.3.0", "1.0.0"]),
    ("^0.0.3", ["0.0.3"], ["0.0.2", "0.0.4", "0.1.0"]),
    ("^0", ["0.0.0", "0.9.9"], ["1.0.0"]),
    ("^0.0", ["0.0.0", "0.0.9"], ["0.1.0"]),
    ("~1.2.3", ["1.2.3", "1.2.9"], ["1.2.2", "1.3.0"]),
    ("~1.2", ["1.2.0", "1.2.9"], ["1.1.9", "1.3.0"]),
    ("~1", ["1.0.0", "1.9.0"], ["0.9.0", "2.0.0"]),
    ("==1.2", ["1.2.0", "1.2.7"], ["1.1.9", "1.3.0"]),
    ("==1.2.3", ["1.2.3", "1.2.3+build"], ["1.2.4", "1.2.3-rc.1"]),
    ("1.2.3", ["1.2.3"], ["1.2.4"]),
    ("= 1.2.3", ["1.2.3"], ["1.2.2"]),
    ("!=1.3.0", ["1.2.0", "1.3.1"], ["1.3.0"]),
    (">=1.2, <2, !=1.4.1", ["1.4.0", "1.4.2"], ["1.4.1", "2.0.0"]),
    (">1.0.0, <=1.2.0", ["1.0.1", "1.2.0"], ["1.0.0", "1.2.1"]),
    (">=1.0.0-rc.1", ["1.0.0-rc.1", "1.0.0-rc.2", "1.0.0"], ["1.0.0-beta", "0.9.0"]),
])
def test_a_range_holds_exactly_its_versions(text: str, inside: list[str],
                                            outside: list[str]) -> None:
    wanted = VersionRange.parse(text)
    assert str(wanted) == text.strip()
    assert [v for v in inside if Version.parse(v) not in wanted] == []
    assert [v for v in outside if Version.parse(v) in wanted] == []


@pytest.mark.parametrize("text, excluded", [
    ("^1.2.0", "2.0.0-rc.1"),
    ("^1", "2.0.0-alpha"),
    ("~1.2.0", "1.3.0-rc.1"),
    ("==1.2", "1.3.0-beta"),
])
def test_a_caret_or_tilde_range_stays_within_its_major_or_minor_version(
        text: str, excluded: str) -> None:
    # '^1.2.0' is "same major version" (the module's docstring, and Cargo and npm): a
    # pre-release of 2.0.0 is of major version 2, and a pack requiring '^1' must not load it
    assert Version.parse(excluded) not in VersionRange.parse(text)


RELEASE = st.builds(Version, st.integers(0, 4), st.integers(0, 4), st.integers(0, 4))


@given(RELEASE, RELEASE, RELEASE)
def test_caret_tilde_and_bounds_agree_with_their_definitions(
        base: Version, low: Version, version: Version) -> None:
    written = f"{base.major}.{base.minor}.{base.patch}"
    if base.major > 0:
        same_caret = version.major == base.major
    elif base.minor > 0:
        same_caret = (version.major, version.minor) == (0, base.minor)
    else:
        same_caret = version == base
    assert (version in VersionRange.parse(f"^{written}")) == (version >= base and same_caret)
    same_minor = (version.major, version.minor) == (base.major, base.minor)
    assert (version in VersionRange.parse(f"~{written}")) == (version >= base and same_minor)
    between = VersionRange.parse(f">={low}, <{written}")
    assert (version in between) == (low <= version < base)
    assert (version in VersionRange.parse(f"!={written}")) == (version != base)
    assert version in VersionRange.parse("*")


@pytest.mark.parametrize("text, named", [
    ("", "such as '>=1.0.0, <2.0.0'"),
    ("   ", "such as '>=1.0.0, <2.0.0'"),
    (">>1", "'>1' in the range '>>1' is not a version"),
    ("^", "'^' in the range '^' is not a version"),
    ("1.x", "'1.x' in the range '1.x' is not a version"),
    ("^1.2.3.4", "'1.2.3.4' in the range '^1.2.3.4' is not a version"),
    (">=1.0.0 <2.0.0", "'>=1.0.0 <2.0.0' in '>=1.0.0 <2.0.0' is not a comparison"),
    (">=1,", "'' in '>=1,' is not a comparison"),
    ("*, >=1", "'*' in the range '*, >=1' is not a version"),
    ("latest", "'latest' in the range 'latest' is not a version"),
])
def test_a_bad_range_names_what_is_wrong(text: str, named: str) -> None:
    with pytest.raises(VersionError) as caught:
        VersionRange.parse(text)
    assert named in str(caught.value)


# --------------------------------------------------------------------------- loading a pack

def _rfc8785_digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def test_a_pack_loads_with_the_national_pack_it_requires_and_decisions_name_it(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = Engine.from_directory(tiny)
    assert sorted(engine.packs) == ["cn.national", "test.tiny"]
    assert engine.packs["cn.national"].origin == "bundled"
    assert engine.packs["test.tiny"].origin == "path" and not engine.packs["test.tiny"].sealed
    decision = engine.evaluate(ALLOWANCE, {"days": 3}, as_of=DAY)
    assert decision.outcome == "assessed" and str(decision.values["amount"]) == "150"
    unsealed = decision.to_dict()["pack"]
    assert unsealed == {"id": "test.tiny", "version": "1.0.0",
                        "manifest": engine.packs["test.tiny"].digest}
    # sealing writes down the digest the unsealed pack already had: the manifest of its files
    assert f"1.0.0: 4 files, {unsealed['manifest']}" in seal(tiny, capsys)
    manifest = json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))
    assert unsealed["manifest"] == _rfc8785_digest(manifest)
    files = sorted(p.relative_to(tiny).as_posix() for p in tiny.rglob("*")
                   if p.is_file() and p.name != "manifest.json")
    assert manifest == {
        "format": "govrules-pack-manifest/1", "pack": "test.tiny", "version": "1.0.0",
        "files": {name: "sha256:" + hashlib.sha256((tiny / name).read_bytes()).hexdigest()
                  for name in files}}
    sealed = Engine.from_directory(tiny)
    assert sealed.packs["test.tiny"].sealed
    again = sealed.evaluate(ALLOWANCE, {"days": 3}, as_of=DAY).to_dict()
    assert again["pack"] == unsealed and again["format"] == 3


def test_a_bundled_policy_names_its_bundled_pack() -> None:
    engine = Engine.from_directory(NATIONAL)
    [policy, *_] = engine.policies()
    assert policy.pack is not None and policy.pack.id == "cn.national"
    assert policy.pack.manifest == engine.packs["cn.national"].digest
    assert engine.packs["cn.national"].sealed


def test_a_requirement_no_version_of_which_is_loaded_names_both_packs(tiny: Path) -> None:
    edit(tiny / "pack.yaml", "cn.national: '^1.0.0'", "cn.national: '^9'")
    conflict = only(problems(lambda: Engine.from_directory(tiny)), "pack-version-conflict")
    assert "pack test.tiny 1.0.0 requires cn.national ^9" in conflict.message
    assert "cn.national 1.0.0 is loaded (bundled, policies/cn.national)" in conflict.message
    assert conflict.span is not None and conflict.span.file == "tiny/pack.yaml"
    assert str(conflict.span) == "tiny/pack.yaml:8:17"  # the requires entry


def test_a_missing_requirement_is_named_with_how_to_add_it(tiny: Path) -> None:
    edit(tiny / "pack.yaml", "cn.national: '^1.0.0'", "cn.nowhere: '>=1, <2'")
    edit(tiny / "policies" / "allowance.yaml", "  civil: cn.national.civil_code\n", "")
    edit(tiny / "policies" / "allowance.yaml", ", civil#art201", "")
    missing = only(problems(lambda: Engine.from_directory(tiny)), "pack-missing")
    assert "pack test.tiny 1.0.0 requires cn.nowhere >=1, <2" in missing.message
    assert "neither bundled nor installed" in missing.message
    assert missing.hint is not None and "--pack PATH" in missing.hint
    assert str(missing.span) == "tiny/pack.yaml:8:16"


def test_a_source_of_a_pack_not_required_is_refused_at_the_citation(tiny: Path) -> None:
    edit(tiny / "pack.yaml", "requires:\n  cn.national: '^1.0.0'\n", "")
    # the national pack is loaded (given besides), but test.tiny does not require it
    found = problems(lambda: Engine.from_directory(tiny, NATIONAL))
    outside = only(found, "source-outside-pack")
    assert "'cn.national.civil_code' is in pack cn.national" in outside.message
    assert "does not require" in outside.message
    assert str(outside.span) == "tiny/policies/allowance.yaml:8:10"
    assert outside.hint is not None and "add cn.national to 'requires'" in outside.hint


def test_a_policy_id_outside_the_packs_roots_is_refused(tiny: Path) -> None:
    edit(tiny / "policies" / "allowance.yaml", f"id: {ALLOWANCE}", "id: test.other.allowance")
    outside = only(problems(lambda: Engine.from_directory(tiny)), "policy-outside-pack")
    assert "'test.other.allowance' is outside the ids pack test.tiny defines (test.tiny)" \
        in outside.message
    assert str(outside.span) == "tiny/policies/allowance.yaml:2:5"


def test_roots_may_nest_and_the_longest_namespace_owns_a_policy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outer = write_pack(tmp_path / "outer", "test.outer", requires={}, cite_national=False)
    inner = write_pack(tmp_path / "inner", "test.inner", requires={}, cite_national=False,
                       roots=["test.outer.special"], policy_id="test.outer.special.allowance")
    engine = Engine.from_directory(outer, inner)
    owners = {p.id: p.pack.id if p.pack else None for p in engine.policies()}
    assert owners["test.outer.special.allowance"] == "test.inner"
    assert owners["test.outer.allowance"] == "test.outer"
    edit(outer / "policies" / "allowance.yaml", "id: test.outer.allowance",
         "id: test.outer.special.other")
    outside = only(problems(lambda: Engine.from_directory(outer, inner)), "policy-outside-pack")
    assert "its namespace belongs to pack test.inner" in outside.message


def test_two_packs_claiming_one_namespace_are_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    one = write_pack(tmp_path / "one", "test.one", requires={}, cite_national=False,
                     roots=["test.one", "test.shared"])
    two = write_pack(tmp_path / "two", "test.two", requires={}, cite_national=False,
                     roots=["test.two", "test.shared"])
    roots = only(problems(lambda: Engine.from_directory(one, two)), "pack-roots")
    assert "packs test.one and test.two both claim the policy ids under 'test.shared'" \
        in roots.message
    assert roots.span is not None and roots.span.file == "two/pack.yaml"


def test_the_default_engine_loads_a_given_pack_in_the_place_of_a_bundled_one(
        tiny: Path) -> None:
    copy = shutil.copytree(POLICIES / "cn.gansu.dingxi", tiny.parent / "dingxi")
    engine = Engine.default(tiny, copy)
    assert sorted(engine.packs) == sorted([*BUNDLED, "test.tiny"])
    assert engine.evaluate(ALLOWANCE, {"days": 3}, as_of=DAY).to_dict()["pack"]["id"] == \
        "test.tiny"
    dingxi = engine.packs["cn.gansu.dingxi"]
    assert (dingxi.origin, dingxi.display, dingxi.sealed) == ("path", "dingxi", True)
    policy = engine.policy("cn.gansu.dingxi.service_staff_termination")
    assert Path(policy.path).parts[0] == "dingxi"
    assert engine.packs["cn.national"].origin == "bundled"


def test_one_pack_id_in_two_folders_is_a_conflict_naming_both(tiny: Path) -> None:
    copy = shutil.copytree(tiny, tiny.parent / "elsewhere")
    conflict = only(problems(lambda: unique_packs(packs_for_paths([tiny, copy], Path.cwd()))),
                    "pack-conflict")
    assert "pack test.tiny is found twice: 1.0.0 path at tiny, and 1.0.0 path at elsewhere" \
        in conflict.message
    # the same folder named twice is one pack
    assert len(unique_packs(packs_for_paths([tiny, tiny / "policies"], Path.cwd()))) == 1


def test_loading_one_pack_id_from_two_folders_is_a_conflict(tiny: Path) -> None:
    # what `govrules validate tiny elsewhere` and `--policies tiny --policies elsewhere` load
    copy = shutil.copytree(tiny, tiny.parent / "elsewhere")
    found = problems(lambda: Engine.from_directory(tiny, copy))
    assert [d.code for d in found] == ["pack-conflict"], [str(d) for d in found]


def test_two_paths_inside_one_pack_load_it_once(tiny: Path) -> None:
    # `govrules validate tiny tiny/policies/allowance.yaml`: one pack, named twice
    engine = Engine.from_directory(tiny, tiny / "policies" / "allowance.yaml")
    assert sorted(engine.packs) == ["cn.national", "test.tiny"]


# --------------------------------------------------------------------------- pack.yaml errors

def test_a_bad_pack_yaml_is_refused_with_located_errors(tiny: Path) -> None:
    edit(tiny / "pack.yaml", "licence: Apache-2.0\n", "")
    missing = only(problems(lambda: Engine.from_directory(tiny)), "missing-key")
    assert "'licence' is required" in missing.message and missing.span is not None
    assert missing.span.file == "tiny/pack.yaml"

    write_pack(fresh := tiny.parent / "code")
    edit(fresh / "pack.yaml", "code: '110000'", "code: '11000'")
    code = only(problems(lambda: Engine.from_directory(fresh)), "invalid-value")
    assert "jurisdiction.code" in code.message and str(code.span) == "code/pack.yaml:6:36"

    write_pack(fresh := tiny.parent / "version")
    edit(fresh / "pack.yaml", "version: 1.0.0", "version: 1.0.x")
    version = only(problems(lambda: Engine.from_directory(fresh)), "invalid-value")
    assert "version: '1.0.x' is not a semantic version" in version.message
    assert str(version.span) == "version/pack.yaml:3:10"

    write_pack(fresh := tiny.parent / "range")
    edit(fresh / "pack.yaml", "'^1.0.0'", "'^one'")
    wanted = only(problems(lambda: Engine.from_directory(fresh)), "pack-requires")
    assert "cn.national: 'one' in the range '^one' is not a version" in wanted.message
    assert str(wanted.span) == "range/pack.yaml:8:17"

    write_pack(fresh := tiny.parent / "kind")
    edit(fresh / "pack.yaml", "kind: pack", "kind: policy")
    assert {d.code for d in problems(lambda: Engine.from_directory(fresh))} == {"invalid-value"}


def test_every_problem_of_a_pack_yaml_is_reported_at_once(tiny: Path) -> None:
    # read_pack: "Raises PolicyLoadError with every problem of pack.yaml"
    edit(tiny / "pack.yaml", "licence: Apache-2.0\n", "")
    edit(tiny / "pack.yaml", "version: 1.0.0", "version: 1.0.x")
    edit(tiny / "pack.yaml", "code: '110000'", "code: '11000'")
    found = problems(lambda: read_pack(tiny, "path", "tiny"))
    assert all(d.span is not None and d.span.file == "tiny/pack.yaml" for d in found)
    reported = " | ".join(str(d) for d in found)
    assert "licence" in reported and "jurisdiction.code" in reported
    assert "1.0.x" in reported, reported


# --------------------------------------------------------------------------- the manifest

def test_an_edited_file_of_a_sealed_pack_refuses_the_pack_until_resealed(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seal(tiny, capsys)
    policy = tiny / "policies" / "allowance.yaml"
    edit(policy, "value: 50", "value: 60")
    modified = only(problems(lambda: Engine.from_directory(tiny)), "pack-modified")
    assert modified.message.startswith(
        "pack test.tiny 1.0.0 refused: policies/allowance.yaml differs from the manifest")
    assert str(modified.span) == "tiny/pack.yaml:1:1"
    assert modified.hint is not None and "run: govrules pack seal tiny" in modified.hint
    assert "sealed test.tiny 1.0.0: 4 files" in seal(tiny, capsys)
    engine = Engine.from_directory(tiny)
    assert engine.packs["test.tiny"].sealed
    assert str(engine.evaluate(ALLOWANCE, {"days": 3}, as_of=DAY).values["amount"]) == "180"


def test_an_added_and_a_removed_file_are_named(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seal(tiny, capsys)
    (tiny / "examples" / "four_days.yaml").write_text("facts: {days: 4}\n", encoding="utf-8")
    added = only(problems(lambda: Engine.from_directory(tiny)), "pack-modified")
    assert "examples/four_days.yaml is in the pack but not in its manifest" in added.message
    (tiny / "examples" / "three_days.yaml").unlink()
    both = only(problems(lambda: Engine.from_directory(tiny)), "pack-modified")
    assert "(and 1 more file(s))" in both.message
    (tiny / "examples" / "four_days.yaml").unlink()
    removed = only(problems(lambda: Engine.from_directory(tiny)), "pack-modified")
    assert "examples/three_days.yaml is in the manifest but missing from the pack" \
        in removed.message
    seal(tiny, capsys)
    assert Engine.from_directory(tiny).packs["test.tiny"].sealed


def test_hidden_files_and_files_outside_the_content_folders_are_not_sealed(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seal(tiny, capsys)
    (tiny / "README.md").write_text("notes\n", encoding="utf-8")
    (tiny / "policies" / ".allowance.yaml.swp").write_bytes(b"\0")
    (tiny / "policies" / "__pycache__").mkdir()
    (tiny / "policies" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert Engine.from_directory(tiny).packs["test.tiny"].sealed


def test_a_new_version_in_pack_yaml_needs_a_new_seal(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seal(tiny, capsys)
    edit(tiny / "pack.yaml", "version: 1.0.0", "version: 1.1.0")
    manifest = only(problems(lambda: Engine.from_directory(tiny)), "pack-manifest")
    assert "the manifest is of test.tiny 1.0.0, but pack.yaml is test.tiny 1.1.0" \
        in manifest.message
    (tiny / "manifest.json").write_text("{not json", encoding="utf-8")
    unreadable = only(problems(lambda: Engine.from_directory(tiny)), "pack-manifest")
    assert "manifest.json cannot be read as JSON" in unreadable.message


def test_every_bundled_pack_is_sealed_and_its_manifest_is_current() -> None:
    # a failure here after editing a bundled policy: run `govrules pack seal policies/<pack>`
    found = {}
    for folder in sorted(POLICIES.glob("*/pack.yaml")):
        pack = read_pack(folder.parent, "bundled", folder.parent.name)
        assert (folder.parent / "manifest.json").is_file(), f"{pack.id} has no manifest.json"
        assert pack.sealed, f"{pack.id} is not sealed"
        assert pack.id == folder.parent.name
        found[pack.id] = pack.digest
    assert sorted(found) == BUNDLED
    assert {p.id: p.digest for p in bundled_packs()} == found
