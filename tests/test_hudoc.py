"""The HUDOC source against a local STAND-IN for hudoc.echr.coe.int (there is no network here).

The stand-in is a `http.server` on 127.0.0.1 that answers HUDOC's two public endpoints in HUDOC's format
(`/app/query/results` JSON with `resultcount` and `results[].columns`; `/app/conversion/docx/html/body` HTML
with one `<p>` per paragraph), built from real ECtHR records of the corpus. It evaluates the parts of HUDOC's
query language our client sends (kpdate range, article, respondent), so a wrong query gives wrong results.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from ingest.hudoc import HudocClient, HudocError, HudocQuery
from ingest.loaders import echr
from kb.api import KnowledgeBase
from kb.settings import Settings
from kb.store.base import SearchFilters
from legal.states import MEMBER_STATES

RECORDS = ("001-100038", "001-102252", "001-102787")
"""A. v. the Netherlands (2010, Art. 3), Milanovic v. Serbia (2010, Art. 3), Schummer v. Germany (2011)."""

CODES = {name: code for code, name in MEMBER_STATES.items()}


def load_record(corpus_root: Path, itemid: str) -> dict:
    with gzip.open(corpus_root / "echr" / "JUDGMENT" / f"{itemid}.json.gz", "rt", encoding="utf-8") as fh:
        return json.load(fh)


def hudoc_columns(record: dict) -> dict:
    """The record's metadata as HUDOC's query endpoint returns it (codes, `;`-joined lists, kpdate timestamp)."""
    appno = record["appno"] if isinstance(record["appno"], list) else [record["appno"]]
    return {
        "itemid": record["id"], "docname": record["title"], "doctype": "HEJUD", "appno": ";".join(appno),
        "conclusion": record.get("conclusion") or "", "importance": str(record.get("importance") or ""),
        "kpdate": f"{record['date']}T00:00:00", "respondent": CODES[record["respondent_state"]],
        "article": ";".join(record.get("articles") or []), "ecli": (record.get("extra") or {}).get("ecli", ""),
        "languageisocode": "ENG", "documentcollectionid2": "HEJUD;JUDGMENTS;CHAMBER;ENG",
        "doctypebranch": "CHAMBER", "separateopinion": "FALSE",
    }


def hudoc_body(record: dict) -> str:
    """HUDOC's HTML rendering: Word paragraphs as `<p>` with generated classes, runs in `<span>`."""
    paras = "".join(f'<p class="s4F2A7E1B"><span class="s6E50BD9A">{html.escape(t)}</span></p>'
                    for t in record["paragraphs"] if t.strip())
    return f'<div class="WordSection1">{paras}</div>'


class StandInHudoc(BaseHTTPRequestHandler):
    """STAND-IN for HUDOC: serves the query and document endpoints from corpus records."""

    records: dict[str, dict] = {}
    requests: list[str] = []

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append(url.path)
        if url.path == "/app/query/results":
            self.reply(200, "application/json", json.dumps(self.query(params)).encode())
        elif url.path == "/app/conversion/docx/html/body" and params.get("library") == "ECHR":
            record = self.records.get(params.get("id", ""))
            if record is None:
                self.reply(204, "text/html", b"")
            else:
                self.reply(200, "text/html; charset=utf-8", hudoc_body(record).encode("utf-8"))
        else:
            self.reply(404, "text/plain", b"not found")

    def query(self, params: dict[str, str]) -> dict:
        q = params["query"]
        assert "contentsitename:ECHR" in q and params["select"].startswith("itemid")
        low = re.search(r'kpdate>="(\d{4}-\d\d-\d\d)', q)
        high = re.search(r'kpdate<="(\d{4}-\d\d-\d\d)', q)
        articles = re.findall(r'article="([^"]+)"', q)
        states = re.findall(r'respondent="([A-Z]{3})"', q)
        rows = []
        for record in sorted(self.records.values(), key=lambda r: r["date"]):
            columns = hudoc_columns(record)
            if low and record["date"] < low.group(1) or high and record["date"] > high.group(1):
                continue
            if articles and not set(articles) & set(columns["article"].split(";")):
                continue
            if states and columns["respondent"] not in states:
                continue
            rows.append({"columns": columns})
        start, length = int(params.get("start", 0)), int(params.get("length", 20))
        return {"resultcount": len(rows), "results": rows[start:start + length]}

    def reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def stand_in(corpus_root: Path) -> Iterator[str]:
    StandInHudoc.records = {i: load_record(corpus_root, i) for i in RECORDS}
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInHudoc)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_query_in_hudoc_syntax_filters_by_date_article_and_state(stand_in: str) -> None:
    client = HudocClient(stand_in, pause=0)
    in_2010 = [c["itemid"] for c in client.search(HudocQuery("2010-01-01", "2010-12-31", articles=("3",)))]
    assert in_2010 == ["001-100038", "001-102252"]
    serbia = HudocQuery("2010-01-01", "2011-12-31", states=("Serbia",))
    assert 'respondent="SRB"' in serbia.hudoc_query()
    assert [c["itemid"] for c in client.search(serbia)] == ["001-102252"]
    with pytest.raises(ValueError, match="unknown respondent state 'Narnia'"):
        HudocQuery("2010-01-01", "2010-12-31", states=("Narnia",))


def test_update_ingests_hudoc_judgments_with_corpus_citations(
    stand_in: str, corpus_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KB_CORPUS", str(corpus_root))
    monkeypatch.setenv("KB_HUDOC_URL", stand_in)
    argv = ["update", "--no-corpus", "--no-drop", "--no-uploads", "--hudoc-from", "2010-01-01",
            "--hudoc-to", "2010-12-31", "--hudoc-article", "3", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (first["added"], first["failed"], first["sources"]) == (2, 0, ["hudoc"])

    settings = Settings.load()
    kb = KnowledgeBase(settings)
    try:
        hits = kb.search("expulsion of the applicant to Libya real risk of ill-treatment", limit=5)
        top = next(h for h in hits if h.doc_id == "001-100038")
        assert top.citation.startswith("A. v. the Netherlands, no. 4900/06, § ")
        assert top.citation.endswith(", 20 July 2010") and top.url == "https://hudoc.echr.coe.int/eng?i=001-100038"
        assert kb.search("Roma", SearchFilters(respondent_states=("Serbia",), source_kinds=("echr",)), limit=1)
        for itemid in RECORDS[:2]:
            stored = [h.paragraph for h in kb.show(itemid).paragraphs if h.paragraph]
            record = load_record(corpus_root, itemid)
            from_corpus = [p.number for p in echr.split_paragraphs(record["paragraphs"], record["paragraph_numbers"])
                           if p.number]
            assert stored == from_corpus, f"{itemid}: HUDOC paragraph numbering differs from the corpus record"
    finally:
        kb.close()

    StandInHudoc.requests.clear()
    assert main(argv) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (second["added"], second["replaced"], second["unchanged"], second["chunks"]) == (0, 0, 2, 0)
    assert StandInHudoc.requests.count("/app/query/results") == 1


def test_unreachable_hudoc_names_the_url_and_the_next_step() -> None:
    client = HudocClient("http://127.0.0.1:9", pause=0, retries=1, timeout=2)
    with pytest.raises(HudocError, match=r"unreachable at http://127.0.0.1:9 .*KB_HUDOC_URL"):
        list(client.search(HudocQuery("2010-01-01", "2010-01-31")))
