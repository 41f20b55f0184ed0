"""`kb mcp` through the SDK's own client over stdio (`mcp.ClientSession` + `mcp.stdio_client`), on a real store of
the sample files: the tools are listed, each returns structured results a drafting assistant can rely on, and bad
arguments come back as tool errors naming the argument and the valid values."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import pytest

from tests.conftest import clone_store, home_env

ROOT = Path(__file__).resolve().parents[1]
TOOLS = {"search", "show", "cite", "check_citations", "matter_list", "matter_show", "matter_add_passage", "draft"}
CHECKED_TEXT = ("Article 3 “enshrines one of the fundamental values of democratic societies” (Saadi v. Italy [GC], "
                "no. 37201/06, § 127, ECHR 2008). But see Chahal v. the United Kingdom, no. 37201/06, § 80.")

CALLS: list[tuple[str, str, dict]] = [
    ("search", "search", {"query": "death row phenomenon extradition", "kind": ["echr"], "limit": 3}),
    ("show", "show", {"doc_id": "HEJUD-37201-06", "paragraph": "125", "context": 1}),
    ("cite", "cite", {"doc_id": "HEJUD-37201-06", "paragraph": "125"}),
    ("cite_document", "cite", {"doc_id": "UN-CAT-GC-4"}),
    ("check", "check_citations", {"text": CHECKED_TEXT, "missing": False}),
    ("matters", "matter_list", {}),
    ("bad_mode", "search", {"query": "torture", "mode": "semantic"}),
    ("bad_kind", "search", {"query": "torture", "kind": ["caselaw"]}),
    ("bad_limit", "search", {"query": "torture", "limit": 500}),
    ("bad_paragraph", "show", {"doc_id": "HEJUD-37201-06", "paragraph": "9999"}),
    ("bad_document", "cite", {"doc_id": "HEJUD-0-00"}),
    ("bad_matter", "matter_show", {"matter_id": "no-such-matter"}),
]


async def _session(env: dict[str, str], matter_id: str) -> dict:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "kb.cli", "mcp"], cwd=str(ROOT),
                                   env={**env, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
                                        "TRANSFORMERS_OFFLINE": "1", "PATH": os.environ.get("PATH", "")})
    out: dict = {}
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            out["tools"] = (await session.list_tools()).tools
            for key, name, arguments in CALLS:
                out[key] = await session.call_tool(name, arguments)
            chunk_id = out["search"].structured_content["passages"][0]["chunk_id"]
            out["bad_ground"] = await session.call_tool(
                "matter_add_passage", {"matter_id": matter_id, "chunk_id": chunk_id, "ground": "article99"})
            out["add"] = await session.call_tool(
                "matter_add_passage", {"matter_id": matter_id, "chunk_id": chunk_id, "ground": "death_penalty",
                                       "note": "death row"})
            out["matter"] = await session.call_tool("matter_show", {"matter_id": matter_id})
            out["draft"] = await session.call_tool("draft", {"matter_id": matter_id, "grounds": ["death_penalty"]})
    return out


@pytest.fixture(scope="module")
def session_results(sample_kb, corpus_root, tmp_path_factory) -> dict:
    """One server process and one client session for all calls (the server loads the model once), on a copy of the
    session's sample store (the server process must own its Edge shard)."""
    from kb.drafting.matters import MatterStore
    from kb.settings import Settings

    env = home_env(tmp_path_factory.mktemp("mcp_home"), corpus_root)
    settings = Settings.load(env)
    clone_store(sample_kb, settings)
    matter = MatterStore(settings.home / "matters").create("Li v. Requesting State", requesting_state="United States",
                                                  offence="murder")
    results = anyio.run(_session, env, matter.id)
    results["matter_id"] = matter.id
    return results


def _data(result) -> dict:
    assert not result.is_error, result.content
    return result.structured_content


def _error(result) -> str:
    assert result.is_error
    text = " ".join(c.text for c in result.content)
    assert "Traceback" not in text
    return text


def test_tools_are_listed_with_typed_inputs_and_structured_outputs(session_results):
    tools = {t.name: t for t in session_results["tools"]}
    assert set(tools) == TOOLS
    assert all(t.output_schema for t in tools.values())
    search = tools["search"].input_schema
    assert search["required"] == ["query"]
    assert {"kind", "state", "article", "date_from", "limit", "mode"} <= set(search["properties"])
    assert tools["matter_add_passage"].input_schema["required"] == ["matter_id", "chunk_id", "ground"]


def test_search_returns_cited_passages(session_results):
    passages = _data(session_results["search"])["passages"]
    assert len(passages) == 3
    top = passages[0]
    assert top["doc_id"] == "HEJUD-14038-88"
    assert top["citation"].startswith("Soering v. the United Kingdom, no. 14038/88, § ")
    assert top["citation"].endswith(", 7 July 1989")
    assert top["url"] and top["role"] in ("court", "party", "other") and top["text"]
    assert all(p["source_kind"] == "echr" for p in passages)


def test_show_and_cite(session_results):
    shown = _data(session_results["show"])
    assert [p["paragraph"] for p in shown["paragraphs"]] == ["124", "125", "126"]
    assert shown["citation"] == "Saadi v. Italy [GC], no. 37201/06, 28 February 2008"
    assert _data(session_results["cite"])["citation"] == "Saadi v. Italy [GC], no. 37201/06, § 125, 28 February 2008"
    assert _data(session_results["cite_document"])["citation"].startswith("Committee against Torture, General Comment "
                                                                          "No. 4")


def test_check_citations(session_results):
    rows = _data(session_results["check"])["citations"]
    assert [(r["status"], r["doc_id"]) for r in rows] == [("verified", "HEJUD-37201-06"),
                                                          ("name_number_mismatch", "HEJUD-37201-06")]
    assert "Saadi v. Italy" in rows[1]["reason"]


def test_matter_tools_and_draft(session_results):
    matters = _data(session_results["matters"])["matters"]
    assert [m["id"] for m in matters] == [session_results["matter_id"]]
    added = _data(session_results["add"])
    assert added["ground"] == "death_penalty" and added["doc_id"] == "HEJUD-14038-88"
    matter = _data(session_results["matter"])
    assert [p["chunk_id"] for p in matter["passages"]] == [added["chunk_id"]]
    # the matter file's own record of a passage: who speaks, where it sits, whether it is adverse
    assert matter["passages"][0] == added and {"role", "section", "adverse", "source_kind", "added"} <= set(added)
    assert added["source_kind"] == "echr" and added["adverse"] is False
    assert "article3" in matter["grounds"]
    draft = _data(session_results["draft"])
    shown = draft["markdown"].replace("*", "").replace("\\", "")  # case names are italic and Markdown is escaped
    assert added["citation"] in shown
    assert any(f["citation"] == added["citation"] for f in draft["footnotes"])


def test_bad_arguments_are_tool_errors_naming_the_argument(session_results):
    mode = _error(session_results["bad_mode"])
    assert "mode" in mode and "'ranked'" in mode and "'bm25'" in mode
    kind = _error(session_results["bad_kind"])
    assert "kind" in kind and "'caselaw'" in kind and "echr" in kind and "prc-law" in kind
    assert "limit" in _error(session_results["bad_limit"]) and "50" in _error(session_results["bad_limit"])
    assert "no paragraph 9999" in _error(session_results["bad_paragraph"])
    assert "HEJUD-0-00" in _error(session_results["bad_document"])
    assert "no-such-matter" in _error(session_results["bad_matter"])
    ground = _error(session_results["bad_ground"])
    assert "article99" in ground and "article3" in ground and "death_penalty" in ground
