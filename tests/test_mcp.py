"""`kb mcp` driven through the official SDK client (`mcp.ClientSession`) over stdio and over streamable HTTP, on a real
store of the sample files: the whole job a drafting assistant does (search → show → create a matter → file passages
by citation, one adverse → draft → check the draft), every link one a person can open and naming the right document,
bad arguments as short tool errors naming the argument, and the first call answered at once while the store loads."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from base64 import b64decode
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import pytest

from tests.conftest import clone_store, home_env
from tests.waiting import wait_until, wait_until_async

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "s3cret-for-the-test"
TOOLS = {"status", "search", "show", "read_document", "search_document", "cite", "check_citations", "matter_list",
         "matter_show", "matter_create", "matter_update", "matter_add_passage", "matter_annotate",
         "matter_remove_passage", "draft"}
WRITERS = {"matter_create", "matter_update", "matter_add_passage", "matter_annotate", "matter_remove_passage"}
DESTRUCTIVE = {"matter_update", "matter_annotate", "matter_remove_passage"}
CHECKED_TEXT = ("Article 3 “enshrines one of the fundamental values of democratic societies” (Saadi v. Italy [GC], "
                "no. 37201/06, § 127, ECHR 2008). But see Chahal v. the United Kingdom, no. 37201/06, § 80.")
RUNAWAY = "See Smith" + " and Others" * 30_000 + " v. Italy."
"""A citation-shaped text of 330 KB: 24 × ` and Others` took the old citation parser 56 s (and with it the whole
server); the grammar reads this in well under a second."""
LONG_ID = "HEJUD-" + "9" * 100_000

EXPECTED_LINKS = {  # what the link of each sample document must name, by its own identifiers
    "HEJUD-14038-88": "hudoc.echr.coe.int/eng#{\"appno\":[\"14038/88\"]}",
    "HEJUD-37201-06": "hudoc.echr.coe.int/eng#{\"appno\":[\"37201/06\"]}",
    "HEJUD-8139-09": "hudoc.echr.coe.int/eng#{\"appno\":[\"8139/09\"]}",
    "HEJUD-22414-93": "hudoc.echr.coe.int/eng#{\"appno\":[\"22414/93\"]}",
    "HEJUD-46827-99": "hudoc.echr.coe.int/eng#{\"appno\":[\"46827/99\"]}",
    "CLIN-37201-06": "hudoc.echr.coe.int/eng#{\"appno\":[\"37201/06\"]}",
    "001-87458": "hudoc.echr.coe.int/eng?i=001-87458",
    "001-100038": "hudoc.echr.coe.int/eng?i=001-100038",
    "001-100741": "hudoc.echr.coe.int/eng?i=001-100741",
    "UN-CAT-GC-4": "tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx?symbolno=CAT/C/GC/4",
    "EWHC-2017-1912-Admin": "caselaw.nationalarchives.gov.uk/ewhc/admin/2017/1912",
    "PRC-监察法-2018-03-20": "github.com/LawRefBook/Laws/blob/2f4c5c23716267af9dbebbbbd6cbbf732b101981/宪法相关法/"
                            "监察法(2018-03-20).md",
    "OHCHR-XUAR-2022-08-31": "www.ohchr.org/sites/default/files/documents/countries/2022-08-31/"
                             "22-08-31-final-assesment.pdf",
}


async def _job(session) -> dict[str, Any]:
    """What an assistant does for a client, call by call; every result kept for the tests."""
    out: dict[str, Any] = {}
    init = await session.initialize()
    out["server"] = init.server_info
    started = time.monotonic()
    out["first"] = await session.call_tool("search", {"query": "death row phenomenon extradition"})
    out["first_seconds"] = time.monotonic() - started
    out["tools"] = (await session.list_tools()).tools
    out["resources"] = (await session.list_resources()).resources
    out["templates"] = (await session.list_resource_templates()).resource_templates
    out["prompts"] = (await session.list_prompts()).prompts
    out["matters_before"] = await session.call_tool("matter_list", {})  # matters need neither store nor model
    async def ready() -> bool:
        return (await session.call_tool("status", {})).structured_content["ready"]

    await wait_until_async(ready, 600, 0.2, "the knowledge base did not load within 10 minutes")
    out["status"] = await session.call_tool("status", {})

    calls = {
        "search": ("search", {"query": "death row phenomenon extradition", "kind": "echr", "limit": 3}),
        "search_all": ("search", {"query": "torture real risk on return assurances", "limit": 20}),
        "show": ("show", {"doc_id": "HEJUD-37201-06", "paragraph": 125, "context": 1}),
        "show_facts": ("show", {"doc_id": "HEJUD-37201-06", "paragraph": 11, "context": 0}),
        "show_government": ("show", {"doc_id": "HEJUD-8139-09", "paragraph": 161, "context": 0}),
        "show_un": ("show", {"doc_id": "UN-CAT-GC-4", "paragraph": 20, "context": 0}),
        "search_liuzhi": ("search", {"query": "liuzhi time limit", "kind": "prc-law", "limit": 3}),
        "read": ("read_document", {"doc_id": "HEJUD-8139-09", "limit": 5}),
        "read_from": ("read_document", {"doc_id": "HEJUD-8139-09", "from_paragraph": "189", "limit": 2}),
        "in_document": ("search_document", {"doc_id": "HEJUD-8139-09", "query": "factors assurances practice "
                                                                                 "reliability", "limit": 3}),
        "cite": ("cite", {"doc_id": "HEJUD-37201-06", "paragraph": "125"}),
        "cite_un": ("cite", {"doc_id": "UN-CAT-GC-4"}),
        "cite_prc": ("cite", {"doc_id": "PRC-监察法-2018-03-20"}),
        "cite_uk": ("cite", {"doc_id": "EWHC-2017-1912-Admin"}),
        "cite_report": ("cite", {"doc_id": "OHCHR-XUAR-2022-08-31"}),
        "check": ("check_citations", {"text": CHECKED_TEXT, "missing": False}),
        "bad_mode": ("search", {"query": "torture", "mode": "semantic"}),
        "bad_kind": ("search", {"query": "torture", "kind": ["caselaw"]}),
        "bad_limit": ("search", {"query": "torture", "limit": 500}),
        "limit_in_words": ("search", {"query": "torture", "limit": "many"}),
        "no_query": ("search", {"kind": "echr"}),
        "misspelt_argument": ("show", {"docid": "HEJUD-37201-06", "paragraph": 125}),
        "assurance_without_text": ("matter_create", {"name": "x", "assurances": [{"giver": "MPS"}]}),
        "bad_paragraph": ("show", {"doc_id": "HEJUD-37201-06", "paragraph": 9999}),
        "bad_document": ("cite", {"doc_id": "HEJUD-0-00"}),
        "long_document": ("cite", {"doc_id": LONG_ID}),
        "bad_matter": ("matter_show", {"matter_id": "no-such-matter"}),
    }
    for key, (name, arguments) in calls.items():
        out[key] = await session.call_tool(name, arguments)

    created = await session.call_tool("matter_create", {
        "name": "Li — PRC embezzlement", "client": "Mr Li Wei", "requesting_state": "People's Republic of China",
        "offence": "embezzlement", "penalty": "death penalty", "grounds": ["article3", "assurances", "death_penalty"],
        "assurances": [{"text": "will not be subjected to torture", "giver": "Ministry of Public Security",
                        "date": "2026-05-02"}]})
    out["created"] = created
    matter_id = created.structured_content["id"]
    out["matter_id"] = matter_id
    out["updated"] = await session.call_tool("matter_update", {"matter_id": matter_id,
                                                               "risk_factors": "fears liuzhi"})
    add = {
        "add_saadi": {"passage": "Saadi v. Italy [GC], no. 37201/06, § 125", "ground": "article3",
                      "note": "the test"},
        "add_soering": {"passage": "HEJUD-14038-88 § 111", "ground": "death_penalty"},
        "add_othman": {"passage": "Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, § 188",
                       "ground": "assurances", "adverse": True, "note": "assurances are not barred as such"},
        "add_chahal": {"passage": "Chahal v. the United Kingdom, no. 22414/93, § 79", "ground": "article3"},
        "bad_ground": {"passage": "HEJUD-37201-06 § 125", "ground": "article99"},
        "bad_citation": {"passage": "Smith v. Narnia, no. 1/99, § 3", "ground": "article3"},
    }
    for key, arguments in add.items():
        out[key] = await session.call_tool("matter_add_passage", {"matter_id": matter_id, **arguments})
    chahal = out["add_chahal"].structured_content["chunk_id"]
    out["annotate"] = await session.call_tool("matter_annotate", {"matter_id": matter_id, "chunk_id": chahal,
                                                                  "ground": "article3", "note": "expulsion"})
    out["remove"] = await session.call_tool("matter_remove_passage", {"matter_id": matter_id, "chunk_id": chahal})
    out["matter"] = await session.call_tool("matter_show", {"matter_id": matter_id})
    out["draft"] = await session.call_tool("draft", {"matter_id": matter_id})
    out["draft_check"] = await session.call_tool("check_citations", {"text": out["draft"].structured_content[
        "markdown"], "missing": False})
    out["docx"] = await session.read_resource(out["draft"].structured_content["docx"])
    out["para_resource"] = await session.read_resource("kb://doc/HEJUD-37201-06/para/125")
    out["doc_resource"] = await session.read_resource("kb://doc/UN-CAT-GC-4")
    out["argue"] = await session.get_prompt("argue_ground", {"matter_id": matter_id, "ground": "article3"})

    async def timed(key: str, name: str, arguments: dict) -> None:
        began = time.monotonic()
        out[key] = await session.call_tool(name, arguments)
        out[key + "_seconds"] = time.monotonic() - began

    async with anyio.create_task_group() as group:  # a runaway text and a search sent while it is checked
        group.start_soon(timed, "runaway", "check_citations", {"text": RUNAWAY, "missing": False})
        await anyio.sleep(0.3)
        group.start_soon(timed, "meanwhile", "search", {"query": "diplomatic assurances", "limit": 3})
    return out


def _env(home_env_: dict[str, str]) -> dict[str, str]:
    return {**home_env_, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}


async def _over_stdio(env: dict[str, str], stderr: Path) -> dict[str, Any]:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "kb.cli", "mcp"], cwd=str(ROOT), env=env)
    with stderr.open("w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            return await _job(session)


async def _over_http(url: str) -> dict[str, Any]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    async with create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"}) as http, \
            streamable_http_client(url, http_client=http) as (read, write), ClientSession(read, write) as session:
        return await _job(session)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    def listening() -> bool:
        assert process.poll() is None, process.stderr.read() if process.stderr else process.returncode
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, seconds, 0.2, f"kb mcp --http did not listen on {port} within {seconds} s")


@pytest.fixture(scope="module")
def mcp_home(sample_kb, corpus_root, tmp_path_factory) -> dict[str, str]:
    """A home holding a copy of the sample store (each server process must own its Edge shard)."""
    from kb.settings import Settings

    env = home_env(tmp_path_factory.mktemp("mcp_home"), corpus_root)
    clone_store(sample_kb, Settings.load(env))
    return env


@pytest.fixture(scope="module", params=["stdio", "http"])
def job(request, mcp_home, tmp_path_factory) -> dict[str, Any]:
    """The whole job, once over each transport, each server process started fresh (the first call lands while the
    store and the model load)."""
    env = _env(mcp_home)
    stderr = tmp_path_factory.mktemp("mcp_logs") / f"{request.param}.err"
    if request.param == "stdio":
        out = anyio.run(_over_stdio, env, stderr)
    else:
        port = _free_port()
        with stderr.open("w") as errlog:
            server = subprocess.Popen([sys.executable, "-m", "kb.cli", "mcp", "--http", f"127.0.0.1:{port}",
                                       "--token", TOKEN], cwd=ROOT, env=env, stderr=errlog)
        try:
            _wait_for_port(port, server)
            import httpx

            out = {"no_token": httpx.post(f"http://127.0.0.1:{port}/mcp", json={}, timeout=30).status_code}
            out.update(anyio.run(_over_http, f"http://127.0.0.1:{port}/mcp"))
        finally:
            server.terminate()
            server.wait(timeout=60)
    out["stderr"] = stderr.read_text(encoding="utf-8", errors="replace")
    return out


def _data(result) -> dict:
    assert not result.is_error, result.content
    return result.structured_content


def _error(result) -> str:
    assert result.is_error, result.structured_content
    text = " ".join(c.text for c in result.content)
    assert "Traceback" not in text
    return text


def _urls(value: Any) -> list[str]:
    """Every string under a `url` key, anywhere in a result."""
    if isinstance(value, dict):
        return [u for k, v in value.items() for u in ([v] if k == "url" and isinstance(v, str) else _urls(v))]
    if isinstance(value, list):
        return [u for v in value for u in _urls(v)]
    return []


def test_the_first_call_answers_at_once_while_the_knowledge_base_loads(job):
    assert job["first_seconds"] < 1.5, job["first_seconds"]
    first = job["first"]
    if first.is_error:  # still loading: it says so, and when to call again
        assert re.search(r"still loading .*retry in about \d+ s", _error(first)), _error(first)
    assert isinstance(_data(job["matters_before"])["matters"], list)  # matters need neither store nor model
    status = _data(job["status"])
    assert status["ready"] and status["loading"] is None and status["passages"] > 1000


def test_tools_resources_and_prompts_follow_the_conventions(job):
    from kb.mcp import package_version

    assert job["server"].name == "extradition-kb" and job["server"].version == package_version() != ""
    tools = {t.name: t for t in job["tools"]}
    assert set(tools) == TOOLS
    for name, tool in tools.items():
        hints = tool.annotations
        assert hints.read_only_hint == (name not in WRITERS), name
        assert hints.destructive_hint == (name in DESTRUCTIVE), name
        assert hints.open_world_hint is False and hints.idempotent_hint is not None, name
        assert tool.output_schema and tool.description, name
        undescribed = [a for a, s in tool.input_schema.get("properties", {}).items() if not s.get("description")]
        assert not undescribed, (name, undescribed)
    assert tools["matter_add_passage"].input_schema["required"] == ["matter_id", "passage", "ground"]
    assert {r.uri for r in job["resources"]} == {"kb://guide/citations", "kb://matters"}
    assert {t.uri_template for t in job["templates"]} == {
        "kb://doc/{doc_id}", "kb://doc/{doc_id}/para/{paragraph}", "kb://matter/{matter_id}/draft.docx",
        "kb://matter/{matter_id}/draft.md"}
    assert {p.name for p in job["prompts"]} == {"argue_ground", "check_brief"}
    text = job["argue"].messages[0].content.text
    assert job["matter_id"] in text and "ONLY passages the tools returned" in text


def test_search_show_read_and_cite(job):
    passages = _data(job["search"])["passages"]
    assert len(passages) == 3 and passages[0]["doc_id"] == "HEJUD-14038-88"
    assert passages[0]["citation"].startswith("Soering v. the United Kingdom, ")
    assert all(p["source_kind"] == "echr" and p["role"] in ("court", "party", "other") for p in passages)
    shown = _data(job["show"])
    assert [p["paragraph"] for p in shown["paragraphs"]] == ["124", "125", "126"] and shown["paragraph"] == "125"
    assert shown["paragraphs"][1]["resource"] == "kb://doc/HEJUD-37201-06/para/125"
    page = _data(job["read"])
    assert page["cursor"] == 0 and len(page["paragraphs"]) == 5 and page["next_cursor"] == 5 and page["total"] > 200
    assert [p["paragraph"] for p in _data(job["read_from"])["paragraphs"]] == ["189", "190"]
    inside = _data(job["in_document"])["passages"]
    assert inside and all(p["doc_id"] == "HEJUD-8139-09" for p in inside)
    assert _data(job["cite"])["citation"].startswith("Saadi v. Italy [GC], no. 37201/06, § 125")
    assert _data(job["cite_un"])["citation"].startswith("Committee against Torture, General Comment No. 4")
    rows = _data(job["check"])["citations"]
    assert [(r["status"], r["doc_id"]) for r in rows] == [("verified", "HEJUD-37201-06"),
                                                          ("name_number_mismatch", "HEJUD-37201-06")]


def test_each_passage_says_who_speaks_so_no_fact_or_submission_passes_for_a_holding(job):
    """An assistant reading `role: other` for Saadi § 11 was told "other: facts, law, headings", the same words as for
    a UN General Comment or a separate opinion (session 18): each passage now carries the app's badge (`speaker`) and
    the role's description says which roles are the Court's view."""
    [facts] = job["show_facts"].structured_content["paragraphs"]
    assert (facts["role"], facts["speaker"]) == ("other", "Facts of the case"), facts
    [government] = job["show_government"].structured_content["paragraphs"]
    assert (government["role"], government["speaker"]) == ("party", "Government's submission, not the Court's view")
    [court] = [p for p in job["show"].structured_content["paragraphs"] if p["paragraph"] == "125"]
    assert (court["role"], court["speaker"]) == ("court", "The Court's assessment")
    [un] = job["show_un"].structured_content["paragraphs"]
    assert un["role"] == "other" and un["speaker"] is None
    search = next(t for t in job["tools"] if t.name == "search")
    passage = search.output_schema["$defs"]["Passage"]["properties"]
    assert "separate opinion" in passage["role"]["description"] and "speaker" in passage


def test_a_chinese_article_found_from_english_words_carries_them(job):
    """The app's card says "matched: liuzhi → 留置" under a Chinese article; over MCP the assistant got the Chinese text
    alone (session 18), with no English for what it was found by."""
    passages = job["search_liuzhi"].structured_content["passages"]
    assert passages and all(p["source_kind"] == "prc-law" for p in passages)
    assert any("留置" in p["text"] and "liuzhi → 留置" in p["matched_terms"] for p in passages), \
        [(p["citation"], p["matched_terms"]) for p in passages]


def test_every_link_opens_the_right_document_by_its_identifiers(job):
    results = [r.structured_content for k, r in job.items() if hasattr(r, "structured_content") and
               r.structured_content]
    urls = [u for r in results for u in _urls(r)]
    assert len(urls) > 40
    assert all(u.startswith(("https://", "http://")) for u in urls), [u for u in urls if "://" not in u[:8]]
    assert not any("file:" in u or "/work/" in u for u in urls)
    by_doc: dict[str, set[str]] = {}

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("doc_id") and value.get("url"):
                by_doc.setdefault(value["doc_id"], set()).add(unquote(value["url"]))
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    for r in results:
        collect(r)
    assert {"HEJUD-14038-88", "HEJUD-37201-06", "HEJUD-8139-09", "UN-CAT-GC-4", "EWHC-2017-1912-Admin",
            "PRC-监察法-2018-03-20", "OHCHR-XUAR-2022-08-31"} <= set(by_doc), sorted(by_doc)
    for doc_id, links in by_doc.items():
        assert links == {"https://" + EXPECTED_LINKS[doc_id]} or \
            (doc_id == "UN-CAT-GC-4" and all(EXPECTED_LINKS[doc_id] in u for u in links)), (doc_id, links)


def test_the_matter_is_built_drafted_and_checked_over_mcp(job):
    created = _data(job["created"])
    assert (created["client"], created["penalty"]) == ("Mr Li Wei", "death penalty")
    assert list(created["grounds"]) == ["article3", "assurances", "death_penalty"]
    assert created["assurances"] == [{"text": "will not be subjected to torture", "giver": "Ministry of Public "
                                      "Security", "date": "2026-05-02"}]
    assert _data(job["updated"])["risk_factors"] == "fears liuzhi"
    saadi, soering, othman = (_data(job[k]) for k in ("add_saadi", "add_soering", "add_othman"))
    assert (saadi["doc_id"], saadi["paragraph"], saadi["ground"], saadi["adverse"]) == \
        ("HEJUD-37201-06", "125", "article3", False)
    assert (soering["doc_id"], soering["paragraph"]) == ("HEJUD-14038-88", "111")
    assert (othman["doc_id"], othman["paragraph"], othman["adverse"]) == ("HEJUD-8139-09", "188", True)
    assert _data(job["annotate"])["note"] == "expulsion"
    assert _data(job["remove"])["removed"] == 1
    matter = _data(job["matter"])
    assert [(p["doc_id"], p["ground"], p["adverse"]) for p in matter["passages"]] == [
        ("HEJUD-37201-06", "article3", False), ("HEJUD-14038-88", "death_penalty", False),
        ("HEJUD-8139-09", "assurances", True)]
    draft = _data(job["draft"])
    shown = draft["markdown"].replace("*", "").replace("\\", "")
    assert saadi["citation"].split(", §")[0] in shown and "Mr Li Wei" in shown
    assert {f["citation"] for f in draft["footnotes"]} >= {saadi["citation"], soering["citation"]}
    [docx] = job["docx"].contents
    assert b64decode(docx.blob)[:2] == b"PK" and docx.mime_type.endswith("wordprocessingml.document")
    para = unquote(job["para_resource"].contents[0].text)
    assert "Saadi v. Italy [GC], no. 37201/06, § 125" in para and EXPECTED_LINKS["HEJUD-37201-06"] in para
    assert "Committee against Torture" in job["doc_resource"].contents[0].text


def test_the_draft_checks_with_no_problem(job):
    """Our own draft, checked by our own checker: every citation verified (11 of 11 with main's `kb check` when this
    was written). `kb check` is being rebuilt (helper "check"): this must stay 0 when that work lands."""
    report = _data(job["draft_check"])
    assert len(report["citations"]) >= 3, report["citations"]
    assert report["problems"] == 0, [(c["status"], c["text"], c["reason"]) for c in report["citations"]
                                     if c["status"] != "verified"]
    assert {c["doc_id"] for c in report["citations"]} >= {"HEJUD-37201-06", "HEJUD-14038-88"}


def test_errors_name_the_argument_briefly_and_show_no_server_path(job, mcp_home):
    mode = _error(job["bad_mode"])
    assert "mode" in mode and "ranked" in mode and "bm25" in mode
    kind = _error(job["bad_kind"])
    assert "kind" in kind and "'caselaw'" in kind and "echr" in kind and "prc-law" in kind
    assert "limit: 500 given; expected a whole number from 1 to 50" in _error(job["bad_limit"])
    assert "limit: 'many' given; expected a whole number from 1 to 50" in _error(job["limit_in_words"])
    assert "query is missing; expected text of 1 to 5,000 characters" in _error(job["no_query"])
    assert "no argument 'docid' (did you mean doc_id?)" in _error(job["misspelt_argument"])
    assert "assurances[0].text is missing" in _error(job["assurance_without_text"])
    assert "no paragraph 9999" in _error(job["bad_paragraph"])
    assert "HEJUD-0-00" in _error(job["bad_document"])
    assert "doc_id" in _error(job["long_document"]) and len(_error(job["long_document"])) < 1_000
    matter = _error(job["bad_matter"])
    assert "no-such-matter" in matter
    ground = _error(job["bad_ground"])
    assert "article99" in ground and "article3" in ground and "add_custom_ground" not in ground
    assert "Narnia" in _error(job["bad_citation"])
    errors = " ".join(_error(r) for k, r in job.items() if hasattr(r, "is_error") and r.is_error)
    assert "pydantic" not in errors and "validation error" not in errors and "type=" not in errors
    assert mcp_home["KB_HOME"] not in errors and str(ROOT) not in errors and "/tmp/" not in errors


def test_a_runaway_text_does_not_hold_the_other_calls(job):
    assert job["meanwhile_seconds"] < 5, job["meanwhile_seconds"]
    assert _data(job["meanwhile"])["passages"]
    assert not job["runaway"].is_error, _error(job["runaway"])
    assert job["runaway_seconds"] < 10, job["runaway_seconds"]
    assert _data(job["runaway"])["problems"] <= 1


def test_logs_are_quiet_and_http_needs_the_token(job):
    assert len(job["stderr"]) < 5_000, job["stderr"][-2_000:]
    assert "INFO" not in job["stderr"]
    if "no_token" in job:
        assert job["no_token"] == 401


def test_listening_beyond_localhost_needs_a_token(mcp_home):
    env = {k: v for k, v in _env(mcp_home).items() if k != "KB_MCP_TOKEN"}
    refused = subprocess.run([sys.executable, "-m", "kb.cli", "mcp", "--http", "0.0.0.0:8765"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "KB_MCP_TOKEN" in refused.stderr and "--token" in refused.stderr


def test_a_call_over_its_time_limit_is_abandoned_with_a_clear_error(sample_kb):
    from mcp import Client

    from kb.api import KnowledgeBase
    from kb.mcp import build_server

    hurried = KnowledgeBase(sample_kb.settings.with_(mcp_timeout=0.001), store=sample_kb.store)

    async def call() -> Any:
        async with Client(build_server(hurried)) as client:
            return await client.call_tool("search", {"query": "diplomatic assurances torture", "limit": 5})

    message = _error(anyio.run(call))
    assert "did not finish within 0.001 s" in message and "KB_MCP_TIMEOUT" in message
