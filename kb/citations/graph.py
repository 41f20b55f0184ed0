"""The ECtHR citation graph: which paragraph of which judgment cites which paragraphs of which earlier case.

Why: a lawyer's sense of authority is the Court's own: the paragraphs it keeps citing are the statements of
principle. The graph answers "cited by" for `kb show DOC --para N` and gives the ranker its cited-by counts.

Built from the corpus files (not the store), so it can be built while the store is busy and always sees every
ECtHR document, whatever subset was ingested:

    kb citations build            # → $KB_HOME/citations.sqlite

and then kept current by every write (`update`, called by the sync engine behind `kb ingest` and `kb update`): a
judgment written gets its citation rows, a judgment removed loses them, and the citations of other judgments that
could resolve differently because of it (an unresolved one naming its application number or date, one resolved to
it) are resolved again. That needs the resolver's keys (application numbers, paragraph numbers), which the graph
therefore keeps in its `resolver_keys` table.

Citations are read by the one citation grammar (`legal.citations.Scanner`, the one `kb check` reads briefs with),
one scanner per judgment in reading order, so a short form is read for a name the judgment cited in full before:
`(see Saadi v. Italy [GC], no. 37201/06, §§ 124-133, ECHR 2008)`, `Soering v. the United Kingdom, 7 July 1989, § 91,
Series A no. 161`, `M.S.S. v. Belgium and Greece [GC]`, `Öcalan v. Turkey (no. 2)`, `Saadi, cited above, § 125`,
`Saadi (§ 125)`, `ibid., § 45`. They are resolved by application number first, then by applicant name and exact
date; `cited above` and `ibid.` go to the same judgment's earlier full citation. A citation that cannot be resolved
is kept with `cited_doc` NULL.

Evaluation honesty: counts are computed at query time, leaving out every edge whose citing document is excluded
(`SearchFilters.exclude_doc_ids`), so a test case's own citing judgment never votes for its answer.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders.echr import load as load_echr
from ingest.model import SourceDocument
from kb.atomic import atomic_move
from legal.citations import Scanner, applicant_tokens, title_applicant
from legal.errors import BadInputError, GraphOutdatedError

CITABLE_TYPES = ("JUDGMENT", "DECISION")
"""Only judgments and decisions are cited as authority; notes and communicated cases share their numbers."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (doc_id TEXT PRIMARY KEY, title TEXT, date TEXT, doc_type TEXT);
CREATE TABLE IF NOT EXISTS citations (
    id INTEGER PRIMARY KEY, citing_doc TEXT NOT NULL, citing_para TEXT NOT NULL, cited_doc TEXT,
    cited_paras TEXT NOT NULL, raw TEXT NOT NULL, form TEXT NOT NULL,
    name TEXT, appnos TEXT NOT NULL, date TEXT, decision INTEGER NOT NULL, reporter TEXT);
CREATE TABLE IF NOT EXISTS pinpoints (citation_id INTEGER NOT NULL, cited_doc TEXT NOT NULL, cited_para TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pinpoints_target ON pinpoints (cited_doc, cited_para);
CREATE INDEX IF NOT EXISTS citations_target ON citations (cited_doc);
CREATE INDEX IF NOT EXISTS citations_source ON citations (citing_doc);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS resolver_keys (doc_id TEXT PRIMARY KEY, appnos TEXT NOT NULL, paragraphs TEXT NOT NULL,
    source_file TEXT NOT NULL, fingerprint TEXT NOT NULL);
"""
"""What an update needs to resolve as a build does. `citations.name/appnos/date/decision/reporter`: the citation as
read (`RawCitation`; `raw` is cut at 300 characters and cannot be read again). `resolver_keys`: what `Resolver` needs of
each ECtHR document beyond its `documents` row (JSON lists; `source_file` orders documents as a build reads them), and
a fingerprint of what its citations are extracted from, so a rewrite that changes none of it changes nothing."""
GRAPH_VERSION = 1
"""The graph file's format, kept in SQLite's `user_version`; a build writes it. 0: every graph built before it was
kept (no `citations.reporter`; the oldest also without `resolver_keys`). 1: each citation's official reporter as the
grammar read it from the whole paragraph (`legal.citations.Citation.reporter`). A graph of an older format is not
read or updated but rebuilt (`kb citations build`): what a new column holds is read from the paragraphs, which the
graph does not keep (`raw`, the citation alone, cut at 300 characters, reads differently: 15 of the whole corpus's
12,975 full citations lose their reporter when `raw` is read again)."""


@dataclass(frozen=True)
class RawCitation:
    """One citation as written in a paragraph, before it is resolved to a document."""

    raw: str
    form: str
    """`full` (number or name + date), `short` (`X, cited above`), `ibid`."""
    name: str | None
    appnos: tuple[str, ...]
    date: str | None
    decision: bool
    paragraphs: tuple[str, ...]
    reporter: str | None
    """The Court's official reporter it names (`ECHR 2008`, `Series A no. 161`), if any."""


@dataclass(frozen=True)
class Citation:
    citing_doc: str
    citing_para: str
    cited_doc: str | None
    cited_paras: tuple[str, ...]
    raw: str
    form: str
    read: RawCitation | None = None
    """The citation as extracted, kept so that it can be resolved again without its paragraph."""


@dataclass(frozen=True)
class CitingParagraph:
    """An answer to "who cites this paragraph": the citing paragraph with its document's name and date."""

    doc_id: str
    paragraph: str
    title: str | None
    date: str | None
    raw: str


def extract(text: str, scanner: Scanner | None = None) -> list[RawCitation]:
    """Every Strasbourg case citation in one paragraph, in reading order, as the citation grammar reads it. Give the
    paragraphs of one judgment in turn to one `scanner`, so that a short form (`Tarakhel, § 115`) is read for a name
    the judgment cited in full before, as `kb check` reads a brief. A bare footnote reference (`(n 12) [96]`) is left
    out: a judgment's paragraphs have no footnotes to follow."""
    return [RawCitation(c.text[:300], c.form, c.name, c.appnos, c.date, c.decision, c.paragraphs, c.reporter)
            for c in (scanner or Scanner()).scan(text) if c.kind == "echr" and c.form != "note"]


def read_document(doc: SourceDocument) -> Iterator[tuple[str, RawCitation]]:
    """(paragraph number, citation) of one judgment's numbered paragraphs, in reading order."""
    scanner = Scanner()
    for p in doc.paragraphs:
        if p.number:
            for cit in extract(p.text, scanner):
                yield p.number, cit


@dataclass
class _Doc:
    doc_id: str
    title: str
    date: str | None
    doc_type: str
    paragraphs: set[str]
    appnos: tuple[str, ...] = ()
    source_file: str = ""
    """Where candidates of equal preference are ordered: the corpus order a build reads, however the graph was made."""
    applicant: frozenset[str] = frozenset()
    """The words of the applicant's name in the title (`title_applicant`)."""


@dataclass
class Resolver:
    """Corpus documents indexed by application number and by date, the two keys a citation carries."""

    docs: dict[str, _Doc] = field(default_factory=dict)
    by_appno: dict[str, list[str]] = field(default_factory=dict)
    by_date: dict[str, list[str]] = field(default_factory=dict)

    def add(self, doc: SourceDocument) -> None:
        numbers = {p.number for p in doc.paragraphs if p.number}
        self.add_keys(_Doc(doc.doc_id, doc.title, doc.date, doc.doc_type, numbers, tuple(doc.appno), doc.source_file))

    def add_keys(self, doc: _Doc) -> None:
        if doc.doc_type not in CITABLE_TYPES:
            return
        doc.applicant = frozenset(title_applicant(doc.title or ""))
        self.docs[doc.doc_id] = doc
        order = self._order
        for appno in doc.appnos:
            bisect.insort(self.by_appno.setdefault(appno, []), doc.doc_id, key=order)
        if doc.date:
            bisect.insort(self.by_date.setdefault(doc.date, []), doc.doc_id, key=order)

    def _order(self, doc_id: str) -> tuple[str, str]:
        return self.docs[doc_id].source_file, doc_id

    @classmethod
    def from_db(cls, con: sqlite3.Connection) -> Resolver:
        """The resolver of a built graph, from its `documents` and `resolver_keys` rows."""
        resolver = cls()
        for doc_id, title, date, doc_type, appnos, paragraphs, source_file in con.execute(
                "SELECT d.doc_id, d.title, d.date, d.doc_type, k.appnos, k.paragraphs, k.source_file FROM documents d "
                "JOIN resolver_keys k ON k.doc_id = d.doc_id"):
            resolver.add_keys(_Doc(doc_id, title, date, doc_type, set(json.loads(paragraphs)),
                                   tuple(json.loads(appnos)), source_file))
        return resolver

    def resolve(self, cit: RawCitation, citing_doc: str) -> str | None:
        if cit.appnos:
            candidates = [d for a in cit.appnos for d in self.by_appno.get(a, [])]
        elif cit.date and cit.name:
            tokens = applicant_tokens(cit.name)
            candidates = [d for d in self.by_date.get(cit.date, []) if tokens and tokens[0] in self.docs[d].applicant]
        else:
            return None
        candidates = [d for d in dict.fromkeys(candidates) if d != citing_doc]
        if not candidates:
            return None

        def preference(doc_id: str) -> tuple:
            doc = self.docs[doc_id]
            return (
                cit.date is not None and doc.date == cit.date,
                (doc.doc_type == "DECISION") == cit.decision,
                all(p in doc.paragraphs for p in cit.paragraphs),
                -sum(1 for a in cit.appnos if doc_id not in self.by_appno.get(a, [])),
            )

        return max(candidates, key=preference)


def resolve_document(doc: SourceDocument, resolver: Resolver) -> Iterator[Citation]:
    """Citations of one judgment in reading order."""
    return resolve_sequence(doc.doc_id, read_document(doc), resolver)


def resolve_sequence(doc_id: str, citations: Iterable[tuple[str, RawCitation]], resolver: Resolver
                     ) -> Iterator[Citation]:
    """(paragraph, citation) pairs of one judgment, in reading order, resolved; `cited above` and `ibid.` look back
    within the judgment."""
    earlier: list[tuple[tuple[str, ...], str | None]] = []
    last: str | None = None
    for paragraph, cit in citations:
        key = applicant_tokens(cit.name or "")
        if cit.form == "full":
            cited = resolver.resolve(cit, doc_id)
            if cited is None and not cit.appnos and not cit.date:  # `M.S.S. v. Belgium and Greece (§ 251)` again
                cited = next((c for tokens, c in reversed(earlier) if key and key[0] in tokens), None)
            earlier.append((key, cited))
        elif cit.form == "short":
            cited = next((c for tokens, c in reversed(earlier) if key and key[0] in tokens), None)
        else:
            cited = last
        last = cited
        yield Citation(doc_id, paragraph, cited, cit.paragraphs, cit.raw, cit.form, cit)




def iter_echr_documents(corpus: Path, warn: Callable[[str], None]) -> Iterator[SourceDocument]:
    for path in sorted((corpus / "echr").glob("*/*.json*")):
        try:
            yield from load_echr(path, str(path.relative_to(corpus)), "echr")
        except BadInputError as exc:
            warn(f"skipped {exc.path}: {exc.reason}")


def build(corpus: Path, target: Path, documents: Iterable[SourceDocument] | None = None,
          warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr), leave_out: Iterable[str] = ()) -> dict:
    """Extract and resolve every citation; writes a fresh database next to `target` and swaps it in atomically.

    `leave_out`: documents whose citations must not be used (an evaluation's held-out citing judgments): their
    citations are not stored (the documents are, as cited authorities), so no vote, count, anchor text or importance
    derived from the graph uses them, and the list is recorded so that `update` leaves them out too."""
    started = time.monotonic()
    docs = list(documents) if documents is not None else list(iter_echr_documents(corpus, warn))
    resolver = Resolver()
    for doc in docs:
        resolver.add(doc)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.executescript(SCHEMA)
    con.execute(f"PRAGMA user_version = {GRAPH_VERSION}")
    for doc in docs:
        _insert_document(con, doc)
    leave_out = set(leave_out)
    for doc in docs:
        if doc.doc_id not in leave_out:
            _insert_citations(con, doc, resolver)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('leave_out', ?)", (json.dumps(sorted(leave_out)),))
    stats = _save_stats(con, started)
    con.commit()
    con.close()
    atomic_move(tmp, target)
    return stats


def fingerprint(doc: SourceDocument) -> str:
    """What a document's graph rows are made of: its resolver keys and numbered paragraphs."""
    data = [doc.title, doc.date, doc.doc_type, doc.appno, [(p.number, p.text) for p in doc.paragraphs if p.number]]
    return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


def _insert_document(con: sqlite3.Connection, doc: SourceDocument) -> None:
    con.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)", (doc.doc_id, doc.title, doc.date, doc.doc_type))
    con.execute("INSERT OR REPLACE INTO resolver_keys VALUES (?, ?, ?, ?, ?)",
                (doc.doc_id, json.dumps(list(doc.appno)),
                 json.dumps(sorted({p.number for p in doc.paragraphs if p.number})), doc.source_file,
                 fingerprint(doc)))


def _insert_citations(con: sqlite3.Connection, doc: SourceDocument, resolver: Resolver) -> None:
    if doc.doc_type not in CITABLE_TYPES:
        return
    for c in resolve_document(doc, resolver):
        read = c.read
        cur = con.execute(
            "INSERT INTO citations (citing_doc, citing_para, cited_doc, cited_paras, raw, form, name, appnos, date, "
            "decision, reporter) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (c.citing_doc, c.citing_para, c.cited_doc, json.dumps(list(c.cited_paras)), c.raw, c.form,
             read.name if read else None, json.dumps(list(read.appnos) if read else []), read.date if read else None,
             int(bool(read and read.decision)), read.reporter if read else None))
        _insert_pinpoints(con, cur.lastrowid, c)


def _insert_pinpoints(con: sqlite3.Connection, citation_id: int | None, c: Citation) -> None:
    if c.cited_doc:
        con.executemany("INSERT INTO pinpoints VALUES (?, ?, ?)",
                        [(citation_id, c.cited_doc, p) for p in c.cited_paras])


def _save_stats(con: sqlite3.Connection, started: float) -> dict:
    documents, citations, resolved = con.execute(
        "SELECT (SELECT COUNT(*) FROM documents), COUNT(*), COUNT(cited_doc) FROM citations").fetchone()
    stats = {"documents": documents, "citations": citations, "resolved": resolved,
             "seconds": round(time.monotonic() - started, 1)}
    con.execute("INSERT OR REPLACE INTO meta VALUES ('stats', ?)", (json.dumps(stats),))
    return stats


def is_echr(doc: SourceDocument) -> bool:
    """An ECtHR record of the corpus or from HUDOC (source kind `echr`): what the graph holds, as the facts index
    does (`kb.search.facts_index.index_written_document`)."""
    return doc.source_kind == "echr"


def update(target: Path, written: Iterable[SourceDocument] = (), removed: Iterable[str] = ()) -> dict | None:
    """Bring a built graph in line with documents just written (new or changed) and removed, in one transaction
    (readers see the graph before or after, never between); None when there is no graph yet (`build` makes it)
    or nothing in it changes. Non-ECtHR documents are ignored.

    Raises GraphOutdatedError for a graph of an older format (`GRAPH_VERSION`): it cannot be updated, only rebuilt.
    """
    if not target.exists():
        return None
    started = time.monotonic()
    con = sqlite3.connect(target, timeout=60, isolation_level=None)  # transactions are begun and ended here
    try:
        con.execute("BEGIN IMMEDIATE")
        check_version(con, target)
        known = dict(con.execute("SELECT doc_id, fingerprint FROM resolver_keys"))
        docs = {d.doc_id: d for d in written if is_echr(d) and known.get(d.doc_id) != fingerprint(d)}
        gone = sorted(set(removed) & (set(known) | {r[0] for r in con.execute("SELECT doc_id FROM documents")}))
        changed = sorted(set(docs) | set(gone))
        if not changed:
            con.execute("ROLLBACK")
            return None
        _delete_documents(con, changed)
        for doc in docs.values():
            _insert_document(con, doc)
        resolver = Resolver.from_db(con)
        row = con.execute("SELECT value FROM meta WHERE key = 'leave_out'").fetchone()
        leave_out = set(json.loads(row[0])) if row else set()
        for doc in docs.values():
            if doc.doc_id not in leave_out:
                _insert_citations(con, doc, resolver)
        for citing_doc in sorted(_affected(con, changed, list(docs.values())) - set(changed)):
            _resolve_again(con, citing_doc, resolver)
        stats = _save_stats(con, started) | {"updated": len(docs), "removed": len(gone)}
        con.execute("COMMIT")
        return stats
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def _format(con: sqlite3.Connection) -> int:
    return con.execute("PRAGMA user_version").fetchone()[0]


def check_version(con: sqlite3.Connection, path: Path) -> None:
    """Raises GraphOutdatedError unless the graph at `path` is of this code's format (`GRAPH_VERSION`)."""
    version = _format(con)
    if version != GRAPH_VERSION:
        raise GraphOutdatedError(f"the citation graph {path} is of format {version}, this version of kb reads format "
                                 f"{GRAPH_VERSION}: rebuild it once with `kb citations build` (with the same "
                                 "--leave-out FILE, if it was built with one)")


def needs_build(path: Path) -> bool:
    """Whether there is no graph at `path`, or one of another format (`GRAPH_VERSION`): what `kb citations build
    --if-needed` (run by `make run`) builds, so a checkout that changed the format rebuilds its graph."""
    if not path.exists():
        return True
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _format(con) != GRAPH_VERSION
    finally:
        con.close()


def _delete_documents(con: sqlite3.Connection, doc_ids: list[str]) -> None:
    for start in range(0, len(doc_ids), 400):
        chunk = doc_ids[start:start + 400]
        marks = ",".join("?" * len(chunk))
        con.execute(f"DELETE FROM pinpoints WHERE citation_id IN (SELECT id FROM citations WHERE citing_doc IN "
                    f"({marks}))", chunk)
        con.execute(f"DELETE FROM citations WHERE citing_doc IN ({marks})", chunk)
        con.execute(f"DELETE FROM documents WHERE doc_id IN ({marks})", chunk)
        con.execute(f"DELETE FROM resolver_keys WHERE doc_id IN ({marks})", chunk)


def _affected(con: sqlite3.Connection, changed: list[str], written: list[SourceDocument]) -> set[str]:
    """Judgments whose citations may resolve differently now: one resolved to a changed document, or a full
    citation, as parsed, naming a written document's application number or date (a superset; resolving again is
    exact)."""
    out: set[str] = set()
    for start in range(0, len(changed), 400):
        chunk = changed[start:start + 400]
        out.update(r[0] for r in con.execute(
            f"SELECT DISTINCT citing_doc FROM citations WHERE cited_doc IN ({','.join('?' * len(chunk))})", chunk))
    citable = [d for d in written if d.doc_type in CITABLE_TYPES]
    dates = sorted({d.date for d in citable if d.date})
    for start in range(0, len(dates), 400):
        chunk = dates[start:start + 400]
        out.update(r[0] for r in con.execute(
            f"SELECT DISTINCT citing_doc FROM citations WHERE form = 'full' AND date IN ({','.join('?' * len(chunk))})",
            chunk))
    numbers = sorted({json.dumps(a) for d in citable for a in d.appno})  # as it appears in the JSON list
    for start in range(0, len(numbers), 200):
        chunk = numbers[start:start + 200]
        out.update(r[0] for r in con.execute(
            "SELECT DISTINCT citing_doc FROM citations WHERE form = 'full' AND ("
            + " OR ".join("instr(appnos, ?) > 0" for _ in chunk) + ")", chunk))
    return out


def _resolve_again(con: sqlite3.Connection, citing_doc: str, resolver: Resolver) -> None:
    """Resolve one judgment's stored citations again, in reading order (a short form follows its full one)."""
    rows = con.execute("SELECT id, citing_para, cited_doc, raw, form, name, appnos, date, decision, cited_paras, "
                       "reporter FROM citations WHERE citing_doc = ? ORDER BY id", (citing_doc,)).fetchall()
    read = ((para, RawCitation(raw, form, name, tuple(json.loads(appnos)), date, bool(decision),
                               tuple(json.loads(paras)), reporter))
            for _, para, _, raw, form, name, appnos, date, decision, paras, reporter in rows)
    for (citation_id, _, before, *_), c in zip(rows, resolve_sequence(citing_doc, read, resolver), strict=True):
        if c.cited_doc != before:
            con.execute("UPDATE citations SET cited_doc = ? WHERE id = ?", (c.cited_doc, citation_id))
            con.execute("DELETE FROM pinpoints WHERE citation_id = ?", (citation_id,))
            _insert_pinpoints(con, citation_id, c)


@dataclass(frozen=True)
class _Stamp:
    """What changes when the graph file does: its inode (a rebuild swaps a new file in) and SQLite's file change
    counter (header bytes 24-27, incremented by every commit in the rollback-journal mode the graph uses), with the
    size and modification time as a second witness."""

    inode: int
    size: int
    mtime_ns: int
    counter: bytes

    @classmethod
    def of(cls, path: Path) -> _Stamp:
        with path.open("rb") as fh:
            stat = os.fstat(fh.fileno())
            header = fh.read(28)
        return cls(stat.st_ino, stat.st_size, stat.st_mtime_ns, header[24:28])


class CitationGraph:
    """Read access to a built graph; safe to share between threads (one read-only connection per thread, kept:
    opening one per query cost more than the query itself).

    The ranker's per-query lookups (`outgoing`, `paragraph_counts`) read from in-memory copies kept while the file is
    unchanged: every resolved citation, read at the first `outgoing`, and every pinpoint's citing paragraph, read at
    the first `paragraph_counts` (together ~0.3 s once, ~15 MB). Why: on the full store the two SQL queries cost
    ~45 ms of a ~110 ms ranked search (`outgoing` scanned the whole citations index and built a temporary index of
    the pinpoints each time); the copies answer in ~1 ms. Every query first compares the file's identity and
    SQLite's change counter with those of the copies (`_Stamp`), so a write by any process (`update`, a
    `kb citations build` swapping the file in) drops them, and the next query reads the new rows (and opens the new
    file)."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(f"no citation graph at {path}; build it with `kb citations build`")
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._stamp: _Stamp | None = None
        self._outgoing: dict[tuple[str, str], tuple[tuple[str, str | None], ...]] | None = None
        """(citing doc, paragraph) → the (cited doc, cited paragraph) of its resolved citations, in row order."""
        self._incoming: dict[tuple[str, str], frozenset[tuple[str, str]]] | None = None
        """(cited doc, paragraph) → the (doc, paragraph) pairs citing it."""

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = getattr(self._local, "con", None)
        inode = self._stamp.inode if self._stamp is not None else None
        if con is not None and getattr(self._local, "inode", None) != inode:
            con.close()  # the file was replaced (a rebuild): this connection still reads the old one
            con = None
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            try:
                check_version(con, self.path)
            except GraphOutdatedError:
                con.close()
                raise
            self._local.con = con
            self._local.inode = inode
        yield con

    def _current(self) -> None:
        """Drops the in-memory copies if the file changed since they were read (call with `_lock` held, before
        reading rows: a write between the check and the read only makes the next check drop them again)."""
        stamp = _Stamp.of(self.path)
        if stamp != self._stamp:
            self._stamp = stamp
            self._outgoing = self._incoming = None

    def cited_by(self, doc_id: str, paragraph: str, exclude_doc_ids: Iterable[str] = ()) -> list[CitingParagraph]:
        excluded = set(exclude_doc_ids)
        with self._connect() as con:
            rows = con.execute(
                "SELECT c.citing_doc, c.citing_para, d.title, d.date, c.raw FROM pinpoints p "
                "JOIN citations c ON c.id = p.citation_id LEFT JOIN documents d ON d.doc_id = c.citing_doc "
                "WHERE p.cited_doc = ? AND p.cited_para = ? ORDER BY d.date, c.citing_doc, CAST(c.citing_para AS INT)",
                (doc_id, str(paragraph))).fetchall()
        seen: set[tuple[str, str]] = set()
        out = []
        for citing_doc, citing_para, title, date, raw in rows:
            if citing_doc in excluded or (citing_doc, citing_para) in seen:
                continue
            seen.add((citing_doc, citing_para))
            out.append(CitingParagraph(citing_doc, citing_para, title, date, raw))
        return out

    def paragraph_counts(self, paragraphs: Iterable[tuple[str, str]], exclude_doc_ids: Iterable[str] = ()
                         ) -> dict[tuple[str, str], int]:
        """Citing paragraphs per (doc, paragraph) for just these paragraphs, without excluded citers (pairs cited by
        none are left out): what the ranker needs per query."""
        pairs = set(paragraphs)
        excluded = set(exclude_doc_ids)
        with self._lock:
            self._current()
            if self._incoming is None:
                self._incoming = self._load_incoming()
            citers = {pair: self._incoming.get(pair, ()) for pair in pairs}
        counts = {pair: sum(1 for citing_doc, _ in c if citing_doc not in excluded) for pair, c in citers.items()}
        return {pair: n for pair, n in counts.items() if n}

    def outgoing(self, paragraphs: Iterable[tuple[str, str]], exclude_doc_ids: Iterable[str] = ()
                 ) -> list[tuple[str, str, str, str | None]]:
        """(citing doc, citing paragraph, cited doc, cited paragraph) for the citations these paragraphs make; the
        cited paragraph is None for a resolved citation without a pinpoint ("see Soering, cited above").

        In the order the ranker's vote sums and ties have been read in (the order SQLite returned them for five or
        more paragraphs): by citing (doc, paragraph), then citation row, then pinpoint, each row once."""
        pairs = sorted(set(paragraphs))
        excluded = set(exclude_doc_ids)
        with self._lock:
            self._current()
            if self._outgoing is None:
                self._outgoing = self._load_outgoing()
            return [(doc, para, cited_doc, cited_para) for doc, para in pairs
                    for cited_doc, cited_para in self._outgoing.get((doc, para), ()) if cited_doc not in excluded]

    def _load_outgoing(self) -> dict[tuple[str, str], tuple[tuple[str, str | None], ...]]:
        """Every resolved citation at once: one query over the whole table (~0.2 s on the full corpus's 36,540 rows)
        costs less than a few per-query lookups, each of which built SQLite's temporary index of the pinpoints."""
        loaded: dict[tuple[str, str], dict[tuple[str, str | None], None]] = {}
        with self._connect() as con:
            rows = con.execute(
                "SELECT c.citing_doc, c.citing_para, c.cited_doc, p.cited_para FROM citations c "
                "LEFT JOIN pinpoints p ON p.citation_id = c.id WHERE c.cited_doc IS NOT NULL "
                "ORDER BY c.citing_doc, c.citing_para, c.id, p.cited_para")
            for citing_doc, citing_para, cited_doc, cited_para in rows:
                loaded.setdefault((citing_doc, citing_para), {})[(cited_doc, cited_para)] = None
        return {pair: tuple(cited) for pair, cited in loaded.items()}

    def _load_incoming(self) -> dict[tuple[str, str], frozenset[tuple[str, str]]]:
        """Every pinpoint's citing paragraph at once (~0.1 s for the full corpus's 34,284): per-document lookups, a
        few new documents in every query, cost ~8 ms a query."""
        loaded: dict[tuple[str, str], set[tuple[str, str]]] = {}
        with self._connect() as con:
            rows = con.execute("SELECT p.cited_doc, p.cited_para, c.citing_doc, c.citing_para FROM pinpoints p "
                               "JOIN citations c ON c.id = p.citation_id")
            for cited_doc, cited_para, citing_doc, citing_para in rows:
                loaded.setdefault((cited_doc, cited_para), set()).add((citing_doc, citing_para))
        return {pair: frozenset(citers) for pair, citers in loaded.items()}

    def reporters(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The official reporter reference by which the Court cites each document (`ECHR 2008`, `Series A no. 161`,
        `Reports of Judgments and Decisions 1996-V`): the commonest one in its full citations, where any has one
        (`citations.reporter`, read by the citation grammar when the graph was built)."""
        wanted = sorted(set(doc_ids))
        out: dict[str, str] = {}
        if not wanted:
            return out
        with self._connect() as con:
            for start in range(0, len(wanted), 400):
                chunk = wanted[start:start + 400]
                rows = con.execute(
                    f"SELECT cited_doc, reporter FROM citations WHERE form = 'full' AND reporter IS NOT NULL AND "
                    f"cited_doc IN ({','.join('?' * len(chunk))})", chunk).fetchall()
                counts: dict[str, Counter[str]] = {}
                for doc_id, reporter in rows:
                    counts.setdefault(doc_id, Counter())[reporter] += 1
                out.update({d: c.most_common(1)[0][0] for d, c in counts.items()})
        return out

    def citing_documents(self) -> dict[str, set[str]]:
        """Every cited document → the other documents citing it (with or without a pinpoint): how much the Court
        relies on a judgment (`kb.citations.importance`)."""
        out: dict[str, set[str]] = {}
        with self._connect() as con:
            for cited, citing in con.execute("SELECT DISTINCT cited_doc, citing_doc FROM citations "
                                             "WHERE cited_doc IS NOT NULL AND cited_doc != citing_doc"):
                out.setdefault(cited, set()).add(citing)
        return out

    def stats(self) -> dict:
        with self._connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'stats'").fetchone()
        return json.loads(row[0]) if row else {}


def open_graph(path: Path) -> CitationGraph | None:
    """The graph in `path` (a home's `Settings.citations_db`), or None before `kb citations build` has made it."""
    return CitationGraph(path) if path.exists() else None
