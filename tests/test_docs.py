"""README and CI stay true to the commands."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_readme_opens_with_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block and text.index(block.group(0)) < 100, "README must open with the commands"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["./scripts/serve", "./scripts/test"]
    for command in commands:
        assert (ROOT / command).stat().st_mode & 0o111


def test_ci_runs_exactly_the_second_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec ./scripts/test" in script


def test_readme_lists_the_demo_accounts_and_says_the_sample_is_synthetic() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for account in ("demo-resident", "demo-grid", "demo-planner", "demo-manager", "demo-admin"):
        assert account in text
    assert "co-create-demo" in text and "demo-open311-key" in text
    assert "synthetic" in text


def test_readme_documents_every_cli_command() -> None:
    from gisapp.cli import main

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"gisapp {name}" in text, f"gisapp {name} is not in README"


def test_test_script_fails_when_no_test_ran() -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert '"$status" -eq 5' in script
