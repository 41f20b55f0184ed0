"""A search request as the CLI, the MCP server and the app build it (`kb.requests`): the same argument names give the
same filters, a bad one is refused naming it, and refusing it needs neither the facade nor Haystack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kb.cli import build_parser, filters_from_args
from kb.requests import FILTER_ARGUMENTS, SearchFilters, search_filters
from legal.errors import FilterError

ROOT = Path(__file__).resolve().parents[1]


def test_the_cli_options_and_the_filter_arguments_give_the_same_filters() -> None:
    args = build_parser().parse_args(["search", "torture", "--kind", "echr", "--state", "United Kingdom", "--article",
                                      "3", "--article", "5-1", "--role", "court", "--from", "2000-01-01",
                                      "--importance", "2", "--grand-chamber"])
    expected = SearchFilters(source_kinds=("echr",), respondent_states=("United Kingdom",), articles=("3", "5-1"),
                             roles=("court",), date_from="2000-01-01", max_importance=2, grand_chamber=True)
    assert filters_from_args(args) == expected
    assert search_filters(kind="echr", state="United Kingdom", article=["3", "5-1"], role=("court",), section=None,
                          date_from="2000-01-01", importance=2, grand_chamber=True) == expected


def test_every_filter_argument_is_a_filter_field_and_a_cli_option() -> None:
    fields = set(SearchFilters.__dataclass_fields__)
    search = next(a for a in build_parser()._actions if a.dest == "command").choices["search"]
    options = {action.dest for action in search._actions}
    for argument, (field, _) in FILTER_ARGUMENTS.items():
        assert field in fields and argument in options, argument


def test_an_unknown_filter_argument_is_refused_by_name() -> None:
    with pytest.raises(FilterError, match="no search filter 'country'; the filters are doc_type"):
        search_filters(country="China")


def test_a_bad_search_is_refused_before_the_facade_and_haystack_load() -> None:
    probe = ("import sys, kb.cli; code = kb.cli.main(['search', 'x', '--article', 'abc']); "
             "print(code, 'kb.api' in sys.modules, 'haystack' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.stdout.split() == ["2", "False", "False"], run.stderr
    assert "kb search: article 'abc' is not a Convention article" in run.stderr
