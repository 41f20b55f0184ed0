"""`kb`: every command of the knowledge base from the shell (`COMMANDS`; README documents each and
`tests/test_docs.py` checks every option is there); `--json` everywhere a script needs it."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time
from pathlib import Path

from kb.requests import SEARCH_MODES, SearchFilters, search_filters, validate_search
from legal.errors import KbError, UsageError
from legal.text import clean, one_line

COMMANDS: dict[str, str] = {
    "ingest": "load the corpus (or part of it) into the store",
    "search": "find passages, each with a pinpoint citation",
    "show": "print a stored document, or one paragraph with its neighbours",
    "stats": "what the store holds",
    "migrate": "copy the store to a Qdrant server collection (or back to Edge with --back), verified",
    "update": "bring the store in line with the corpus, drop folder, uploads and HUDOC (works while the app runs)",
    "eval": "score retrieval on test cases (dev.jsonl format): doc/paragraph hits, MRR, nDCG, latency",
    "citations": "build the ECtHR citation graph ($KB_HOME/citations.sqlite) for cited-by and ranking",
    "matter": "create, list or show a client's matter ($KB_HOME/matters)",
    "draft": "draft the argument for a matter with footnoted citations; --out draft.docx or draft.md",
    "check": "verify every citation and quotation in a brief (DOCX, PDF, Markdown, text) against the store",
    "mcp": "serve the knowledge base to a drafting assistant over MCP (stdio, or HTTP with --http)",
    "embed": "add the dense vectors a sparse-first store lacks, most useful passages first (resumable; runs beside "
             "the app)",
}


def positive_int(text: str) -> int:
    """argparse type for counts (`--limit`, `--context`, `--hudoc-max`): `-5` is a mistake to report, not a number
    to pass on."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give 0 or more")
    return value


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--doc-type", action="append", default=[], help="JUDGMENT, DECISION, INFORMATION_NOTE, ...")
    p.add_argument("--court", action="append", default=[], help="ECtHR, Committee against Torture, ...")
    p.add_argument("--state", action="append", default=[], help="respondent state, e.g. 'United Kingdom'")
    p.add_argument("--article", action="append", default=[], help="Convention article, e.g. 3")
    p.add_argument("--language", action="append", default=[], help="en, zh")
    p.add_argument("--kind", action="append", default=[], help="source kind: echr, un, report, national, prc-law, ...")
    p.add_argument("--section", action="append", default=[], help="THE LAW, THE FACTS, PROCEDURE, ...")
    p.add_argument("--role", action="append", default=[],
                   help="who speaks (ECtHR): court, operative, applicant, government, third_party, opinion, facts, ...")
    p.add_argument("--from", dest="date_from", help="date from (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="date to (YYYY-MM-DD)")
    p.add_argument("--importance", type=int, help="HUDOC importance at most N (1 = key cases)")
    p.add_argument("--grand-chamber", action="store_true", help="Grand Chamber judgments only")


def filters_from_args(args: argparse.Namespace) -> SearchFilters:
    return search_filters(doc_type=args.doc_type, court=args.court, state=args.state, article=args.article,
                          language=args.language, kind=args.kind, section=args.section, role=args.role,
                          date_from=args.date_from, date_to=args.date_to, importance=args.importance,
                          grand_chamber=True if args.grand_chamber else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Extradition-defence legal knowledge base.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help=COMMANDS["ingest"])
    p.add_argument("--only", action="append", default=[], help="source name or prefix from corpus/sources.toml")
    p.add_argument("--all", dest="everything", action="store_true", help="every source, no chunk budget")
    p.add_argument("--limit", type=positive_int, help="at most N files per source")
    p.add_argument("--max-chunks", type=positive_int, help="stop after N chunks (most relevant documents first)")
    p.add_argument("--prune", action="store_true", help="remove documents no longer in the selected sources")
    p.add_argument("--sparse-first", action="store_true",
                   help="searchable (ranked, bm25) in minutes: dense vectors only from the embedding cache, the rest "
                        "from `kb embed`")
    p.add_argument("--json", action="store_true", help="end with one JSON line of counts")
    p.add_argument("files", nargs="*", type=Path, help="individual files to ingest instead of the corpus")

    p = sub.add_parser("search", help=COMMANDS["search"])
    p.add_argument("query")
    p.add_argument("-k", "--limit", type=int, default=10)
    p.add_argument("--mode", default="ranked", choices=SEARCH_MODES,
                   help="ranked (default): BM25 candidates re-ranked with the citation graph and authority, a short "
                        "list filled from hybrid; hybrid: MiniLM + BM25 fused; dense; bm25")
    p.add_argument("--json", action="store_true")
    _add_filter_args(p)

    p = sub.add_parser("show", help=COMMANDS["show"])
    p.add_argument("doc_id")
    p.add_argument("--para", help="paragraph number as printed (e.g. 125)")
    p.add_argument("--context", type=positive_int, default=2, help="paragraphs either side of --para")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("eval", help=COMMANDS["eval"])
    p.add_argument("file", type=Path, help="test cases, one JSON object a line (../shared/eval/dev.jsonl)")
    p.add_argument("--mode", default="ranked", choices=SEARCH_MODES)
    p.add_argument("--compare", action="store_true", help="every mode side by side (bm25, dense, hybrid, ranked)")
    p.add_argument("--ablation", action="store_true", help="with --compare: the ranked mode minus each feature")
    p.add_argument("--limit", type=int, help="first N cases only")
    p.add_argument("--sample", type=int, help="a random sample of N cases (fixed by --seed)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="one JSON object: overall and by_kind (a list with --compare)")
    p.add_argument("--allow-partial", action="store_true",
                   help="score dense and hybrid search even while some passages lack a dense vector (`kb embed`)")

    p = sub.add_parser("citations", help=COMMANDS["citations"])
    p.add_argument("action", choices=["build"])
    p.add_argument("--leave-out", type=Path, help="file of document ids (one a line) whose citations no count, anchor "
                   "text or importance may use: an evaluation's held-out citing judgments")
    p.add_argument("--if-needed", action="store_true",
                   help="build only if there is no graph or it is of an older format, or else only the document "
                   "indexes if the store's reasoning index is empty (what `make run` runs)")

    p = sub.add_parser("stats", help=COMMANDS["stats"])
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("migrate", help=COMMANDS["migrate"])
    p.add_argument("--to", required=True, help="Qdrant server URL, e.g. http://qdrant-1:6333 (path:DIR = local mode)")
    p.add_argument("--from-edge", type=Path, help="the Edge store folder (default: KB_STORE)")
    p.add_argument("--back", action="store_true", help="copy the server collection into the Edge store instead")
    p.add_argument("--batch", type=int, default=256, help="points per write")
    p.add_argument("--samples", type=int, default=20, help="stored chunks used as spot queries to verify the copy")
    p.add_argument("--json", action="store_true", help="end with one JSON line: counts and verification")

    p = sub.add_parser("update", help=COMMANDS["update"])
    p.add_argument("--only", action="append", default=[], help="corpus source name or prefix (adds new documents)")
    p.add_argument("--all", dest="everything", action="store_true", help="also add corpus documents never ingested")
    p.add_argument("--no-corpus", dest="corpus", action="store_false", help="skip the corpus sources")
    p.add_argument("--no-drop", dest="drop", action="store_false", help="skip the drop folder (KB_DROP_FOLDER)")
    p.add_argument("--no-uploads", dest="uploads", action="store_false", help="skip files uploaded in the app")
    p.add_argument("--hudoc-from", help="fetch HUDOC judgments dated from (YYYY-MM-DD)")
    p.add_argument("--hudoc-to", help="... up to (YYYY-MM-DD; default today)")
    p.add_argument("--hudoc-days", type=positive_int, help="fetch HUDOC judgments of the last N days (for --every)")
    p.add_argument("--hudoc-article", action="append", default=[], help="Convention article, e.g. 3 or 5-1")
    p.add_argument("--hudoc-state", action="append", default=[], help="respondent state: GBR or 'United Kingdom'")
    p.add_argument("--hudoc-max", type=positive_int, help="at most N HUDOC documents per run")
    p.add_argument("--every", help="repeat: 90s, 15m, 1h, 1d (Ctrl-C stops)")
    p.add_argument("--batch-chunks", type=int, default=512, help="chunks per written or handed-over batch")
    p.add_argument("--sparse-first", action="store_true",
                   help="new text searchable (ranked, bm25) without waiting for the model: dense vectors only from "
                        "the embedding cache and the store, the rest from `kb embed`")
    p.add_argument("--json", action="store_true", help="one JSON line of counts per run")

    p = sub.add_parser("matter", help=COMMANDS["matter"])
    p.add_argument("action", choices=["create", "list", "show", "add-passage"])
    p.add_argument("name_or_id", nargs="?", help="the new matter's title (create) or its id (show, add-passage)")
    p.add_argument("passage", nargs="?", help="add-passage: a chunk id, DOC_ID § N, or a citation with § N")
    p.add_argument("--client", default="", help="the requested person as the brief names them (create)")
    p.add_argument("--state", default="", help="requesting state (create)")
    p.add_argument("--offence", default="", help="offence charged (create)")
    p.add_argument("--penalty", default="", help="maximum penalty for the offence (create)")
    p.add_argument("--grounds", help="grounds to draft, comma-separated keys, e.g. article3,assurances (create)")
    p.add_argument("--assurances", default="", help="the words of the assurance offered (create)")
    p.add_argument("--assurances-by", default="", help="who gave the assurance (create)")
    p.add_argument("--assurances-date", default="", help="when it was given, YYYY-MM-DD (create)")
    p.add_argument("--risk", default="", help="personal risk factors (create)")
    p.add_argument("--notes", default="", help="notes (create)")
    p.add_argument("--ground", help="add-passage: the ground to file the passage under")
    p.add_argument("--note", default="", help="add-passage: the lawyer's note on the passage")
    p.add_argument("--adverse", action="store_true", help="add-passage: authority the other side will rely on")
    p.add_argument("--json", action="store_true", help="show: the whole matter as JSON")

    p = sub.add_parser("draft", help=COMMANDS["draft"])
    p.add_argument("matter_id")
    p.add_argument("--out", type=Path, help="write draft.docx or draft.md instead of printing Markdown")
    p.add_argument("--ground", action="append", default=[], help="only these grounds (e.g. article3)")

    p = sub.add_parser("check", help=COMMANDS["check"])
    p.add_argument("brief", type=Path, help="the brief: .docx, .pdf, .md, .txt (or a UK judgment's .xml)")
    p.add_argument("--json", action="store_true", help="one JSON array, one object per citation")
    p.add_argument("--docx", type=Path, help="write a copy of the brief with a Word comment on each problem")
    p.add_argument("--suggest", dest="missing", action="store_true",
                   help="also list, per ground the brief argues, the leading authorities it does not cite (a search: "
                        "loads the store and the model, ~25 s and ~2.4 GB on the whole corpus)")
    p.add_argument("--no-missing", dest="missing", action="store_false",
                   help="no suggestions: the default since --suggest; kept so scripts that pass it still run")
    p.set_defaults(missing=False)

    p = sub.add_parser("mcp", help=COMMANDS["mcp"])
    p.add_argument("--http", metavar="HOST:PORT",
                   help="serve streamable HTTP at http://HOST:PORT/mcp instead of stdio (127.0.0.1:8765)")
    p.add_argument("--token", help="bearer token HTTP clients must send (default KB_MCP_TOKEN); required for any "
                                   "address but localhost")
    p.add_argument("--verbose", action="store_true", help="log at INFO (Haystack, the store, the SDK) to stderr")

    p = sub.add_parser("embed", help=COMMANDS["embed"])
    p.add_argument("--round", type=int, help="passages per round (one inbox hand-over each; default: ~30 s of "
                                             "model time at the last round's rate)")
    p.add_argument("--json", action="store_true", help="end with one JSON line of counts")
    p.add_argument("--model-only", action="store_true",
                   help="only build (once per machine) and load the embedding model, without opening the store")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_arguments(args)
    except (KbError, ValueError) as exc:
        print(f"kb {args.command}: {one_line(str(exc))}", file=sys.stderr)
        return 2
    from kb.api import KnowledgeBase

    kb = KnowledgeBase()
    try:
        return HANDLERS[args.command](kb, args)
    except (KbError, ValueError, FileNotFoundError) as exc:
        print(f"kb {args.command}: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `kb search … | head`: the reader has what it wanted; no traceback, no flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        kb.close()


def check_arguments(args: argparse.Namespace) -> None:
    """What can be refused from the arguments alone, before the store, the model and the Haystack stack are loaded
    (~10 s here): a bad search filter or limit, an export folder that does not exist."""
    if args.command == "search":
        validate_search(args.query, filters_from_args(args), args.limit)
    if args.command == "mcp" and args.http:
        from kb.mcp import check_http
        from kb.settings import Settings

        check_http(args.http, args.token or Settings.load().mcp_token)
    if args.command == "draft" and args.out is not None and not args.out.parent.is_dir():
        raise UsageError(f"--out {args.out}: the folder {args.out.parent} does not exist; create it first")
    if args.command == "check" and args.docx is not None:
        if not args.docx.parent.is_dir():
            raise UsageError(f"--docx {args.docx}: the folder {args.docx.parent} does not exist; create it first")
        if args.docx.suffix.lower() != ".docx":
            raise UsageError(f"--docx {args.docx}: the annotated copy is a Word file; give it a .docx name")


def cmd_ingest(kb, args) -> int:
    from tqdm import tqdm

    from kb.api import IngestRequest

    bar = tqdm(total=0, unit="chunk", desc="ingest", dynamic_ncols=True, file=sys.stderr)

    def progress(done: int, total: int, doc_id: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(doc_id, refresh=False)
        bar.refresh()

    def warn(message: str) -> None:
        tqdm.write(message, file=sys.stderr)

    request = IngestRequest(only=tuple(args.only), everything=args.everything, limit=args.limit,
                            max_chunks=args.max_chunks, prune=args.prune, files=tuple(args.files),
                            sparse_first=args.sparse_first)
    report = kb.ingest(request, progress=progress, warn=warn)
    bar.close()
    if report.chunks == 0 and not report.failed:
        print("Nothing to do: every selected document is already stored and unchanged.", file=sys.stderr)
    print(report.line(), file=sys.stderr)
    if args.json:
        print(json.dumps(report.summary()))
    return 0


def cmd_search(kb, args) -> int:
    filters = filters_from_args(args)
    hits = kb.search(args.query, filters, limit=args.limit, mode=args.mode)
    for name, documents in kb.left_out(filters).items():
        print(f"kb search: {documents} ECtHR documents without {name} metadata were left out by the {name} filter",
              file=sys.stderr)
    note = hits.note()
    if args.json:
        if note:
            print(f"kb search: {note}", file=sys.stderr)
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=1))
        return 0
    if note:
        print(f"{note}\n")
    if not hits:
        print("No passages found.")
    elif not any(hit.strength == "strong" for hit in hits):
        print("No strong match: none of these passages contains enough of the question to answer it.\n")
    for rank, hit in enumerate(hits, 1):  # document text is cleaned of terminal escapes before it is printed
        print(f"{rank}. {one_line(hit.citation)}" + (f"  ({hit.role_label})" if hit.role_label else ""))
        if hit.matched_terms:
            print(f"   matched: {one_line('; '.join(hit.matched_terms))}")
        print(textwrap.indent(textwrap.shorten(clean(hit.text), 600, placeholder=" …"), "   "))
        print(f"   {one_line(hit.url)}  [{one_line(hit.doc_id)}]\n")
    return 0


def cmd_show(kb, args) -> int:
    view = kb.show(args.doc_id, args.para)
    paragraphs = view.paragraphs
    if view.focus is not None:
        paragraphs = paragraphs[max(0, view.focus - args.context): view.focus + args.context + 1]
    cited_by = _cited_by(kb, view.doc_id, args.para) if view.focus is not None else None
    if args.json:
        print(json.dumps({"doc_id": view.doc_id, "metadata": view.metadata,
                          "paragraphs": [h.to_dict() for h in paragraphs],
                          "cited_by": [c.__dict__ for c in cited_by or []]}, ensure_ascii=False, indent=1))
        return 0
    print(one_line(view.metadata["citation"]))
    print(one_line(view.metadata.get("url")))
    print()
    for hit in paragraphs:
        marker = ">>" if view.focus is not None and hit.chunk_id == view.paragraphs[view.focus].chunk_id else "  "
        label = hit.citation if hit.paragraph else (hit.section or "")
        print(f"{marker} [{one_line(label)}]")
        print(textwrap.indent(clean(hit.text), "   "))
        print()
    if cited_by is not None:
        print(f"Cited by {len(cited_by)} later paragraph(s):")
        for c in cited_by:
            print(clean(f"   {c.title or c.doc_id}, {c.date or 'undated'}, § {c.paragraph}  [{c.doc_id}]  ({c.raw})"))
    return 0


def _cited_by(kb, doc_id: str, para: str) -> list | None:
    """None (and a note on stderr) when no citation graph has been built yet: `show` still works without it."""
    from legal.errors import DocumentNotFoundError

    try:
        return kb.cited_by(doc_id, para)
    except DocumentNotFoundError as exc:
        print(f"kb show: {exc}", file=sys.stderr)
        return None


def cmd_stats(kb, args) -> int:
    stats = kb.stats()
    if args.json:
        print(json.dumps({"documents": stats["documents"], "chunks": stats["chunks"], "by_source": stats["by_source"]}))
        return 0
    print(f"{stats['documents']} documents, {stats['chunks']} chunks "
          f"({stats['incomplete_documents']} incomplete) in {kb.settings.qdrant_url or kb.settings.store}")
    dense = kb.dense_coverage()
    print(f"dense vectors: {dense.embedded} of {dense.total} chunks ({dense.share:.0%})"
          + ("" if dense.complete else "; `kb embed` adds the rest"))
    for kind, counts in sorted(stats["by_source"].items()):
        print(f"  {kind:12} {counts['documents']:6} documents {counts['chunks']:8} chunks")
    return 0


def cmd_eval(kb, args) -> int:
    results = kb.evaluate(args.file, args.mode, args.compare, args.ablation, args.limit, args.sample, args.seed,
                          args.allow_partial, say=lambda line: print(line, file=sys.stderr))
    if args.json:
        out = [r.to_dict() for r in results]
        print(json.dumps(out if args.compare else out[0], indent=1))
    else:
        print(kb.eval_table(results))
    return 0


def cmd_citations(kb, args) -> int:
    kb.build_citations(_leave_out(args.leave_out) if args.leave_out else [],
                       warn=lambda message: print(message, file=sys.stderr), if_needed=args.if_needed)
    return 0


def _leave_out(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise UsageError(f"--leave-out {path}: {exc.strerror or exc}") from exc


def cmd_update(kb, args) -> int:
    def make_request():
        return kb.update_request(corpus=args.corpus, only=tuple(args.only), everything=args.everything,
                                 drop=args.drop, uploads=args.uploads, hudoc_from=args.hudoc_from,
                                 hudoc_to=args.hudoc_to, hudoc_days=args.hudoc_days,
                                 hudoc_articles=tuple(args.hudoc_article), hudoc_states=tuple(args.hudoc_state),
                                 hudoc_max=args.hudoc_max, batch_chunks=args.batch_chunks,
                                 sparse_first=args.sparse_first)

    def show(report) -> None:
        print(f"kb update ({report.mode}): {report.line()}", file=sys.stderr, flush=True)
        if args.json:
            print(json.dumps(report.summary()), flush=True)

    first: list[tuple[float, int]] = []

    def progress(done: int, total: int, doc_id: str) -> None:
        """One line a batch (`bench/update_speed.py` reads them), with the rate and the time left since the first:
        an update of a whole source writes ~500 batches, and the lines said neither."""
        now = time.monotonic()
        if not first:
            first.append((now, done))
        rate = (done - first[0][1]) / (now - first[0][0]) if now > first[0][0] else 0.0
        left = (total - done) / rate / 60 if rate > 0 and total else None
        pace = ("" if left is None else f"; {rate:.0f} chunks/s, "
                + (f"about {left:.0f} min left" if left >= 1 else "under a minute left"))
        print(f"update: {done}/{total} chunks ({doc_id}){pace}", file=sys.stderr, flush=True)

    make_request()  # a bad date or state fails now, not at the first scheduled run
    if args.every:
        kb.update_every(args.every, make_request, show)
        return 0
    show(kb.update(make_request(), progress=progress))
    return 0


def cmd_migrate(kb, args) -> int:
    """Exit status 1 when the copy is not verified."""
    from dataclasses import asdict

    from tqdm import tqdm

    bar = tqdm(unit="chunk", desc="migrate", dynamic_ncols=True, file=sys.stderr)

    def progress(copied: int, total: int) -> None:
        bar.total = total
        bar.update(copied - bar.n)

    try:
        report = kb.migrate(args.to, args.from_edge, args.back, args.batch, args.samples, progress)
    finally:
        bar.close()
    print(report.line(), file=sys.stderr)
    for problem in report.problems()[:10]:
        print(f"  differs: {problem}", file=sys.stderr)
    if args.json:
        print(json.dumps(asdict(report) | {"ok": report.ok}))
    return 0 if report.ok else 1


def cmd_matter(kb, args) -> int:
    from kb.api import Assurance

    store = kb.matters
    if args.action == "list":
        for m in store.list():
            print(clean(f"{m.id}  {m.name}  [{m.requesting_state or '-'}]  {len(m.passages)} passages  "
                        f"updated {m.updated}"))
        return 0
    if not args.name_or_id:
        raise UsageError(f"`kb matter {args.action}` needs a {'name' if args.action == 'create' else 'matter id'}")
    if args.action == "create":
        grounds = [g.strip() for g in args.grounds.split(",")] if args.grounds is not None else None
        assurances = [Assurance(args.assurances, args.assurances_by, args.assurances_date)] \
            if args.assurances.strip() else []
        m = kb.create_matter(args.name_or_id, grounds=grounds, assurances=assurances, requesting_state=args.state,
                             offence=args.offence, risk_factors=args.risk, notes=args.notes, client=args.client,
                             penalty=args.penalty)
        print(m.id)
        return 0
    m = store.get(args.name_or_id)
    if args.action == "add-passage":
        if not args.passage or not args.ground:
            raise ValueError("`kb matter add-passage ID PASSAGE --ground G` needs the passage and --ground")
        added = kb.add_to_matter(m.id, args.passage, args.ground, args.note, args.adverse)
        print(clean(f"{added.citation} → {m.ground_label(args.ground)}" + (" (adverse)" if added.adverse else "")))
        return 0
    if args.json:
        print(json.dumps(m.to_dict(), ensure_ascii=False, indent=1))
        return 0
    print(clean(f"{m.name} ({m.id})\nclient: {m.client_name()}\nrequesting state: {m.requesting_state}\n"
                f"offence: {m.offence}\npenalty: {m.penalty}\nrisk: {m.risk_factors}\n"
                f"grounds: {', '.join(m.grounds()) or '-'}"))
    for a in m.assurances:
        print(clean(f"assurance: {a.text} ({a.giver or 'giver unknown'}, {a.date or 'undated'})"))
    for p in m.passages:
        print(clean(f"  [{p.ground}{', adverse' if p.adverse else ''}] {p.citation}"))
    return 0


def cmd_draft(kb, args) -> int:
    draft, matter = kb.draft(args.matter_id, args.ground or None)
    if args.out is None:
        print(clean(kb.export_markdown(draft, matter)))
    elif args.out.suffix.lower() == ".docx":
        kb.export_docx(draft, matter, args.out)
    elif args.out.suffix.lower() == ".md":
        args.out.write_text(kb.export_markdown(draft, matter), encoding="utf-8")
    else:
        raise UsageError(f"--out {args.out}: use a .docx or .md file name")
    for warning in draft.warnings:
        print(f"warning: {one_line(warning)}", file=sys.stderr)
    return 0


def cmd_check(kb, args) -> int:
    """Exit status 1 when any citation is not verified, so a script can refuse to file the brief.

    The suggestions ("you may be missing") are opt-in here (`--suggest`): they are a search, which loads the shard
    and the model (~25 s and ~2.4 GB on the whole corpus) for advice, while the check itself reads the payload copy
    (~2 s, ~150 MB). The app and `kb mcp` hold the store and the model already and list them by default."""
    report = kb.check(args.brief, missing=args.missing)
    if args.json:
        print(json.dumps([c.to_dict() for c in report.citations], ensure_ascii=False, indent=1))
        for notice in report.notices:  # how the brief was read, beside the array as the suggestions are
            print(notice, file=sys.stderr)
        for m in report.missing:
            print(f"you may be missing [{m.label}]: {m.citation} ({m.doc_id})", file=sys.stderr)
    else:
        print(report.table())
    if args.docx:
        kb.annotate(report, args.docx)
        print(f"annotated copy → {args.docx}", file=sys.stderr)
    return 1 if report.problems() else 0


def cmd_mcp(kb, args) -> int:
    from kb.mcp import serve

    kb.start_inbox_watcher(now=False)  # `kb update` and `kb embed` hand their work to it once it has the store
    serve(kb, args.http, args.token, args.verbose)
    return 0


EMBED_NICENESS = 19
"""`kb embed` is background work beside a serving app: on a 2-core machine the model would otherwise take the cores
from the searches. The lowest priority: it still gets the core the app's searches leave (one process of searches is
bound by the GIL), and a search preempts it at once. bench/fill_latency.py, 8 clients, whole corpus, quiet machine
(load 3): p95 while it runs 310 ms at niceness 10, 284 ms at 19, with 85 % and 78 % of a core for the worker."""


def cmd_embed(kb, args) -> int:
    """Runs until every passage has a dense vector; SIGTERM or Ctrl-C stops it after handing over what it has."""
    import signal
    import threading

    from tqdm import tqdm

    if args.model_only:
        print(f"kb embed: the {kb.prepare_model()} embedding model is ready", file=sys.stderr)
        return 0
    os.nice(EMBED_NICENESS)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    bars: list = []

    def progress(state) -> None:
        if not bars:  # created at the first count, so its rate and ETA are this run's
            bars.append(tqdm(total=state.total, initial=state.done, unit="passage", desc="dense vectors",
                             dynamic_ncols=True, file=sys.stderr))
        bar = bars[0]
        bar.total = state.total
        bar.update(state.done - bar.n)
        bar.set_postfix_str(f"{state.mode}, {state.embedded} embedded, {state.cached} from cache", refresh=True)

    def warn(message: str) -> None:
        tqdm.write(message, file=sys.stderr)

    state = kb.embed(progress=progress, warn=warn, stop=stop, round_size=args.round)
    for bar in bars:
        bar.close()
    print(f"kb embed: {state.line()}" + ("; stopped, `kb embed` goes on from here" if stop.is_set() else ""),
          file=sys.stderr)
    if args.json:
        print(json.dumps({"done": state.done, "total": state.total, "embedded": state.embedded,
                          "cached": state.cached, "handed": state.handed, "mode": state.mode,
                          "stopped": stop.is_set(), "seconds": round(state.seconds, 1)}))
    return 0


HANDLERS = {"migrate": cmd_migrate, "check": cmd_check, "mcp": cmd_mcp, "embed": cmd_embed,
            "ingest": cmd_ingest, "search": cmd_search, "show": cmd_show, "stats": cmd_stats, "eval": cmd_eval,
            "citations": cmd_citations, "update": cmd_update, "matter": cmd_matter, "draft": cmd_draft}

if __name__ == "__main__":
    sys.exit(main())
