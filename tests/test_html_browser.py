"""The HTML explanation, opened in a real headless Chromium: it renders, it is self-contained,
and the text a reader sees carries the outcome, the dates and the Chinese clause text.

CI installs Debian's ``chromium`` (see .ci/run); on a machine without it the test is skipped,
except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import pytest

from conftest import CHROMIUM_FLAGS, ROOT
from govrules.cli.main import main


def _html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    case = str(ROOT / "examples" / "arbitration" / "01_worker_final_award.yaml")
    assert main(["evaluate", "cn.national.labor_arbitration_time_limits", "--case", case,
                 "--format", "html"]) == 0
    page = tmp_path / "decision.html"
    page.write_text(capsys.readouterr().out, encoding="utf-8")
    return page


def test_html_explanation_in_headless_chromium(chromium: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    page = _html(tmp_path, capsys)
    source = page.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', source), "external asset"
    done = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    visible = unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", done.stdout,
                                                      flags=re.S)))
    text = " ".join(visible.split())
    assert "Outcome: possibly_time_barred" in text
    assert "2026-10-08" in text and "2026-10-03 National Day, statutory holiday" in text
    assert "劳动争议仲裁委员会收到仲裁申请之日起五日内" in text
    assert "《中华人民共和国劳动争议调解仲裁法》第二十九条" in text
    shot = tmp_path / "shot.png"
    done = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile2'}",
                           f"--screenshot={shot}", "--window-size=1100,1500", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    case = str(ROOT / "examples" / "wage_deposit" / "03_deadlines_national_day.yaml")
    assert main(["evaluate", "cn.jilin.taobei.wage_deposit", "--case", case,
                 "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# 洮北区农民工工资保证金存储标准")
    assert "| `top_up_deadline` | 2026-10-08 |" in out
    assert "> 《农民工工资保证金廉政风险管理制度》第七条：" in out
