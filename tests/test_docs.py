"""The README is the user's manual: every command and every setting must appear in it (datasette's habit)."""

from __future__ import annotations

import re
from pathlib import Path

from kb.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented():
    subcommands = next(a for a in build_parser()._actions if a.dest == "command").choices
    missing = [name for name in subcommands if f"kb {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_setting_is_documented():
    variables = set(re.findall(r"\bKB_[A-Z_]+\b", (ROOT / "kb" / "settings.py").read_text(encoding="utf-8")))
    assert len(variables) >= 10
    missing = sorted(v for v in variables if f"`{v}`" not in README)
    assert not missing, f"settings missing from README.md: {missing}"


def test_readme_gives_exactly_the_two_setup_commands():
    block = README.split("## Set-up on a fresh machine", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make run", "make test"]
