"""docs/policies.md is the catalogue the policy files generate, and stays so."""

from __future__ import annotations

from conftest import ROOT
from govrules.authoring.policy_catalog import catalog, main


def test_the_catalogue_is_current() -> None:
    written = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    assert written == catalog(), (
        "docs/policies.md is stale: python -m govrules.authoring.policy_catalog "
        "--write docs/policies.md")


def test_every_bundled_policy_is_listed_with_its_interface() -> None:
    text = catalog()
    for policy_id in ("cn.jilin.taobei.wage_deposit", "cn.yunnan.wenshan.leave_and_trips"):
        assert f"## `{policy_id}` " in text
    assert "| `contract_price` | money | required |" in text
    assert "Outcomes: " in text


def test_check_fails_on_a_stale_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    stale = tmp_path / "policies.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert main(["--write", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
