"""A new pack repository, ready to install with pip: ``govrules new pack ID`` writes it.

The repository holds one Python package whose folder is the pack (``pack.yaml``, a placeholder
source document, a policy citing it with its tests, an example case), a ``pyproject.toml`` that
declares the pack under the ``govrules.packs`` entry point and ships its data, a README, a CI
workflow and a ``.gitattributes``. The pack is sealed (``manifest.json``) as written, and its
policy validates, lints clean and passes its tests at 100% rule coverage.

    written = scaffold_pack("cn.example.city", Path("govrules-pack-cn-example-city"))
    written.package          # 'govrules_pack_cn_example_city'
    written.pack_folder      # .../src/govrules_pack_cn_example_city
"""

# Longer than 400 lines because the files it writes are here verbatim, as templates: the code
# is the first 160 lines.

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from govrules.errors import PolicyLoadError
from govrules.packs.discovery import PACK_FILE, bundled_policy_directory, read_pack
from govrules.packs.manifest import compute_manifest, write_manifest
from govrules.records import record

__all__ = [
    "PACK_VERSION",
    "ScaffoldError",
    "ScaffoldedPack",
    "distribution_name",
    "package_name",
    "scaffold_pack",
]

PACK_VERSION = "0.1.0"
NATIONAL = "cn.national"
# the same rule as a pack id in pack.yaml: dotted lowercase names
_PACK_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
_LICENCE = re.compile(r"[A-Za-z0-9.+()-]+( +[A-Za-z0-9.+()-]+)*")


class ScaffoldError(ValueError):
    """A pack id or a target folder the scaffold refuses; the message says what to change."""


@record
class ScaffoldedPack:
    """What ``scaffold_pack`` wrote: the repository, its pack folder and files, the digest."""

    pack_id: str
    version: str
    root: Path
    distribution: str
    package: str
    files: tuple[str, ...]  # posix paths inside root, in the order written
    digest: str  # the sealed manifest's

    @property
    def pack_folder(self) -> Path:
        return self.root / "src" / self.package

    @property
    def policy_id(self) -> str:
        return f"{self.pack_id}.example_allowance"


def distribution_name(pack_id: str) -> str:
    """The pip name of a pack's distribution: ``cn.example.city`` ->
    ``govrules-pack-cn-example-city``."""
    return "govrules-pack-" + re.sub(r"[._]+", "-", pack_id)


def package_name(pack_id: str) -> str:
    """The Python package holding the pack: ``cn.example.city`` ->
    ``govrules_pack_cn_example_city``."""
    return "govrules_pack_" + pack_id.replace(".", "_")


def _check_pack_id(pack_id: str) -> None:
    if not _PACK_ID.fullmatch(pack_id) or len(pack_id) > 120:
        raise ScaffoldError(
            f"{pack_id!r} is not a pack id: a pack id is dotted lowercase names of a-z, 0-9 "
            "and _, the first starting with a letter (e.g. cn.zhejiang.huzhou.anji), at most "
            "120 characters"
        )
    if (bundled_policy_directory() / pack_id / PACK_FILE).is_file():
        raise ScaffoldError(
            f"{pack_id!r} is the id of a pack bundled with govrules: choose another, such as "
            "the id of your jurisdiction"
        )


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder: choose another --dir")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(
            f"{target} exists and is not empty: the scaffold writes a new repository only "
            "into a new or empty folder (choose another --dir)"
        )


def _national_range() -> str:
    """``^MAJOR.0.0`` of the national pack bundled with this govrules."""
    try:
        pack = read_pack(bundled_policy_directory() / NATIONAL, "bundled", check_manifest=False)
    except PolicyLoadError:
        return "^1.0.0"
    return f"^{pack.version.split('.')[0]}.0.0"


def scaffold_pack(
    pack_id: str,
    target: Path,
    *,
    requires_national: bool = False,
    licence: str = "Apache-2.0",
    maintainer: str = "(write: your name or organisation)",
) -> ScaffoldedPack:
    """Write a new pack repository into ``target`` (a new or empty folder) and seal its pack.

    Raises ``ScaffoldError`` for an id that is not a dotted lowercase id or is a bundled
    pack's, a licence that is not an SPDX expression, or a ``target`` that exists and is not
    an empty folder; nothing is written then."""
    _check_pack_id(pack_id)
    if not _LICENCE.fullmatch(licence):
        raise ScaffoldError(f"{licence!r} is not an SPDX licence expression, e.g. Apache-2.0")
    if not maintainer.strip():
        raise ScaffoldError("name a maintainer")
    _check_target(target)
    package = package_name(pack_id)
    values = {
        "pack_id": pack_id,
        "package": package,
        "distribution": distribution_name(pack_id),
        "version": PACK_VERSION,
        "licence": licence,
        "maintainer": maintainer.replace("'", "''"),
        "requires": f"\n  {NATIONAL}: '{_national_range()}'" if requires_national else " {}",
        "source_id": f"{pack_id}.example_rules",
        "policy_id": f"{pack_id}.example_allowance",
    }
    pack = f"src/{package}"
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README,
        ".gitattributes": _GITATTRIBUTES,
        ".gitignore": _GITIGNORE,
        ".github/workflows/test.yml": _WORKFLOW,
        f"{pack}/__init__.py": _INIT,
        f"{pack}/{PACK_FILE}": _PACK_YAML,
        f"{pack}/sources/{values['source_id']}.yaml": _SOURCE,
        f"{pack}/policies/example.yaml": _POLICY,
        f"{pack}/examples/example_case.yaml": _EXAMPLE_CASE,
    }
    for name, template in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # bytes, not text: '\n' on every platform, so the manifest's digests hold everywhere
        path.write_bytes(Template(template).substitute(values).encode("utf-8"))
    folder = target / pack
    manifest = compute_manifest(folder, pack_id, PACK_VERSION)
    write_manifest(folder, manifest)
    return ScaffoldedPack(
        pack_id,
        PACK_VERSION,
        target,
        values["distribution"],
        package,
        (*files, f"{pack}/manifest.json"),
        manifest.digest,
    )


_PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "$distribution"
version = "$version"
description = "govrules policy pack $pack_id"
readme = "README.md"
requires-python = ">=3.11"
license = "$licence"
dependencies = ["govrules"]

# govrules finds the pack through this entry point: the name is the pack id, the value the
# Python package whose folder holds pack.yaml (govrules locates it and never imports it)
[project.entry-points."govrules.packs"]
"$pack_id" = "$package"

# the pack's folders (policies/, sources/, ...) are found as namespace packages, so that
# every file of the pack ships in the wheel: a file left out would make the installed pack
# differ from its manifest, and govrules refuses such a pack
[tool.setuptools.packages.find]
where = ["src"]
include = ["$package", "$package.*"]
exclude = ["*.__pycache__"]

[tool.setuptools.package-data]
"*" = ["*"]

# pytest (with govrules installed) collects pack.yaml: one item per policy test, and one per
# policy that fails below this rule coverage (percent)
[tool.pytest.ini_options]
testpaths = ["src"]
govrules_min_coverage = "100"
"""

_README = """\
# $distribution

The govrules policy pack `$pack_id`: the rules of (write: the jurisdiction and the documents
this pack encodes), as executable, cited policies for
[govrules](https://pypi.org/project/govrules/). The pack is data: `src/$package/` holds
`pack.yaml`, the source documents (`sources/`), the policies with their tests (`policies/`) and
example cases (`examples/`).

The example source document and policy were written by `govrules new pack`: they are
placeholders to replace with a real document of your jurisdiction and the rules it makes.

## Use

    pip install .
    govrules list                          # the pack's policies, beside the bundled ones
    govrules packs                         # $pack_id $version, installed, sealed
    govrules evaluate $policy_id --case src/$package/examples/example_case.yaml

## Work on it

    pip install . pytest
    pytest                                 # runs the tests written in the policy files
    govrules validate src/$package
    govrules lint src/$package
    govrules test src/$package --min-coverage 100

The pack is sealed: `src/$package/manifest.json` records the sha256 of every file, and govrules
refuses a pack whose files differ from it, naming the file. After changing a file, and always
before publishing, seal the pack again:

    govrules pack seal src/$package

To sign it, so that users can check it came from you (`pip install 'govrules[sign]'`):

    govrules pack keygen mykey             # mykey.pem (keep it secret), mykey.pub.pem
    govrules pack sign src/$package --key mykey.pem
    govrules pack verify src/$package --key mykey.pub.pem

Publish `mykey.pub.pem`; users run `govrules packs --key mykey.pub.pem`.
"""

_GITATTRIBUTES = """\
# the pack's manifest records the bytes of each file: keep them the same on every platform
*.yaml text eol=lf
*.yml text eol=lf
*.json text eol=lf
*.sig text eol=lf
"""

_GITIGNORE = """\
__pycache__/
*.egg-info/
build/
dist/
.pytest_cache/
.venv/
*.pem
!*.pub.pem
"""

_WORKFLOW = """\
name: test

on: [push, pull_request]

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install .
      - run: pip install pytest
      - run: govrules validate src/$package
      - run: pytest
"""

_INIT = '''\
"""The govrules policy pack $pack_id. The pack is data: pack.yaml and the folders beside it."""
'''

_PACK_YAML = """\
kind: pack
id: $pack_id
version: $version
title:
  zh: （填写：本包的中文名称，如“某市劳动保障规定”）
  en: "(write: the pack's name in English, e.g. 'Labour rules of X City')"
description: >-
  (write: which documents of which jurisdiction the pack encodes, and what it leaves out)
jurisdiction:
  id: $pack_id
  # code: '000000'   # the GB/T 2260 code of the division, six digits
requires:$requires
licence: $licence
maintainers:
  - name: '$maintainer'
"""

_SOURCE = """\
kind: source
id: $source_id
title:
  zh: 示例规定（占位文件，请替换为本辖区的真实文件）
  en: "Example rules (a placeholder: replace with a real document of your jurisdiction)"
issuer: 某市人力资源和社会保障局（示例）
issuer_en: "X City Human Resources and Social Security Bureau (example)"
law_kind: 规范性文件
level: prefectural
document_number: null
issued: 2025-01-01
effective: 2025-01-01
repealed: null
jurisdiction: $pack_id
origin:
  url: null
  checked_against: null
verification: U
coverage: full
notes: >-
  A PLACEHOLDER written by govrules new pack, not a real document: replace it with a document
  of the jurisdiction, its clauses verbatim, and its issuer, law_kind, level, document number
  and dates filled in (see the source format in the govrules documentation).
clauses:
  art1:
    label: 第一条
    text: 第一条　本文件是示例，不是真实的规定，请以本辖区真实文件的条文替换。
  art2:
    label: 第二条
    text: 第二条　具有本市户籍、在本市连续居住满2年的居民，可以申请一次性生活补贴。
  art3:
    label: 第三条
    text: 第三条　一次性生活补贴的标准为每人500元。
"""

_POLICY = """\
kind: policy
id: $policy_id
version: 1.0.0
title:
  zh: 示例：一次性生活补贴（占位，请替换）
  en: "Example: a one-off living allowance (a placeholder: replace it)"
description: >-
  A placeholder written by govrules new pack: it encodes the example rules of
  sources/$source_id.yaml, so that the pack validates, lints clean and passes its tests from
  the first commit. Replace both with a real document and the rules it makes, keeping tests
  next to the rules that fire every rule at least once.
jurisdiction: $pack_id
sources:
  rules: $source_id
effective:
  from: 2025-01-01

inputs:
  registered_resident:
    type: bool
    required: true
    title: {zh: 是否具有本市户籍, en: The applicant is a registered resident of the city}
    cite: rules#art2
  years_of_residence:
    type: integer
    ge: 0
    required_when: registered_resident
    title: {zh: 在本市连续居住年数, en: Years the applicant has lived in the city without a break}
    cite: rules#art2

parameters:
  min_years:
    type: integer
    title: {zh: 连续居住最低年限, en: Fewest years of residence}
    values:
      - {from: 2025-01-01, value: 2, cite: rules#art2}
  allowance_amount:
    type: money
    title: {zh: 一次性生活补贴标准, en: The one-off allowance (yuan)}
    values:
      - {from: 2025-01-01, value: 500, cite: rules#art3}

outputs:
  eligible:
    type: bool
    title: {zh: 是否可以申请补贴, en: The applicant may apply for the allowance}
  amount:
    type: money
    title: {zh: 补贴金额, en: Amount of the allowance (yuan)}

outcome:
  values: [eligible, not_eligible]
  default: not_eligible
  titles:
    eligible: {zh: 可以申请一次性生活补贴, en: May apply for the allowance}
    not_eligible: {zh: 不符合申请条件, en: May not apply for the allowance}

rules:
  - id: eligibility
    title: {zh: 户籍并连续居住满2年, en: A registered resident with 2 years of residence}
    cite: rules#art2
    when: registered_resident and years_of_residence >= min_years
    set: {eligible: "true"}
    else:
      set: {eligible: "false"}

  - id: allowance
    title: {zh: 补贴标准, en: The amount of the allowance}
    cite: rules#art3
    when: eligible
    set: {amount: allowance_amount}
    else:
      set: {amount: "0"}

  - id: may_apply
    title: {zh: 可以申请, en: May apply}
    cite: rules#art2
    when: eligible
    outcome: eligible

  - id: may_not_apply
    title: {zh: 不符合条件, en: May not apply}
    cite: rules#art2
    when: not eligible
    outcome: not_eligible

tests:
  - name: a resident of 2 years may apply for 500 yuan
    as_of: 2025-06-01
    input: {registered_resident: true, years_of_residence: 2}
    expect:
      outcome: eligible
      values: {eligible: true, amount: "500.00"}
      missing: []
  - name: a resident of 1 year may not
    as_of: 2025-06-01
    input: {registered_resident: true, years_of_residence: 1}
    expect:
      outcome: not_eligible
      values: {eligible: false, amount: "0"}
  - name: without the city's registration the years are not asked
    as_of: 2025-06-01
    input: {registered_resident: false}
    expect:
      outcome: not_eligible
      missing: []
  - name: a resident is asked for the years of residence
    as_of: 2025-06-01
    input: {registered_resident: true}
    expect:
      outcome: incomplete
      missing: [years_of_residence]
"""

_EXAMPLE_CASE = """\
description: >-
  A registered resident who has lived in the city for three years asks whether she may apply
  for the one-off allowance (an example: replace it with a case of your own rules).
policy: $policy_id
as_of: 2025-06-01
facts:
  registered_resident: true
  years_of_residence: 3
"""
