"""Legal-aware re-ranking: BM25 candidates, the Court's own citations, and a lawyer's sense of authority.

Why: wording alone (BM25) finds the paragraph a query paraphrases, but a lawyer wants the paragraph where the
principle was laid down. Judgments that restate a principle cite its source, so the retrieved paragraphs vote for
the paragraphs they cite; the document a paragraph comes from, its type and how often the Court cites it weigh in.

Three pipeline steps (`kb.search.pipeline` wires them after the BM25 retriever):
* `CitedParagraphFetcher`: what the retrieved paragraphs cite (the votes), and the most-voted cited paragraphs that
  were not retrieved, fetched from the store;
* `LegalRanker`: scores every candidate by the features below and sorts; it only scores;
* `DocumentSpreader`: at most `MAX_PER_DOCUMENT` paragraphs of one document (or pages of one campaign site) before
  the others get their turn.

Each candidate gets a few features (`FEATURES`), all on per-query scales (reciprocal ranks, log counts) so one
linear score serves a two-line query and a page of facts alike. The weights were fitted once, by pairwise logistic
regression on `../shared/eval/dev.jsonl` only (`bench/fit_ranking.py`, which prints its grouped cross-validation
figures and the ablation); the held-out cases were never seen. A weight of 0 switches a feature off. There are two
weight sets (`Ranking`): dev.jsonl's queries are passages of judgment text, and for them the words the query shares
with a paragraph in order (`shared_phrases`) are strong evidence; a lawyer's question has its own words, so questions
keep the weights fitted without that feature, against which the question features were set by hand. A pasted
passage naming no other source is scored by `Ranking.passage_model` instead of its linear score: trees over the same
features and a few of the pool (`kb.search.passage_model`, `passage_model_scores`), which the linear score feeds.

Adding a feature is one function here: decorate it with `@feature(weight)`; it gets the candidate Document, its
(doc_id, paragraph) key and the query's `RankingContext`, and returns a float. `RankingWeights` gains a field of
that name, `bench/fit_ranking.py` fits it and `kb eval --ablation` switches it off, with no other change. A feature
that needs a per-query lookup (another store or graph query) adds a field to `RankingContext`, filled in
`LegalRanker.context`.

Honesty: votes and cited-by counts never come from `exclude_doc_ids`, the documents a test case was made from (a
lawyer's draft is not in the corpus either), and excluded documents are never ranked.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, make_dataclass, replace

import numpy as np
from haystack import Document, component

from ingest.loaders.echr import COURT_ROLES
from ingest.loaders.text_blocks import source_collection
from kb.citations.graph import CitationGraph
from kb.documents import Candidates
from kb.search.meaning import Similarity
from kb.search.passage_model import POOL_FEATURES, PassageModel, pool_features
from kb.search.principles import court_states_principles
from kb.search.queries import CHINESE_KINDS, QueryReading
from kb.search.retrieval import rescored, to_document
from kb.search.strength import STRONG_COVERAGE, coverage
from kb.store.base import ChunkStore, SearchFilters
from legal.citations import title_applicant
from legal.text import articles_in

PHRASE_WORD = re.compile(r"[^\W\d_]+")
"""A word of a phrase: letters only, so paragraph numbers, dates and punctuation do not break a run of words."""
PHRASE_LENGTH = 3
"""Words per phrase (`shared_phrases`): dev.jsonl citation cases, grouped cross-validation, para_hit@10 0.707
without phrases, 0.736 with 3-word phrases, 0.735 with 4, 0.731 with 6 (counted, before each was weighed by
1/candidates holding it: 0.739 with 3, doc_hit@10 0.775 → 0.800)."""
MAX_FETCHED_BY_VOTES = 30
"""Cited paragraphs outside the retrieved pool fetched per query; more cost latency and rarely reach the top 10."""
RANK_CONSTANT = 4
"""k of the reciprocal ranks 1/(k + rank): small, so the first few places of each list count most."""
MAX_PER_DOCUMENT = 2
"""Paragraphs of one document before the others get their turn: a lawyer wants several authorities on the first
screen. Cross-validated on dev.jsonl's citation cases (doc_hit@10 / para_hit@10): no cap 0.743 / 0.692, 1 per
document 0.785 / 0.684, 2 0.769 / 0.702, 3 0.759 / 0.702. Not applied when the search is limited to chosen documents
or the query names the case."""
LEADING_PER_DOCUMENT = 4
"""For a Convention question (`QueryReading.convention`), paragraphs of the first judgment before the others get
their turn: the leading case a question leads to states its principles in a run of paragraphs, and the one the
lawyer cites is rarely among the first two (dev lawyer questions of kind `lawyer`, full store, with
`question_principles` and the leading-judgment retriever: para_hit@10 0.70 at 2, 0.80 at 4 for the first judgment
only with doc_hit@10 0.95 kept; 4 for every judgment 0.85 but doc_hit@10 0.90, five judgments on the first screen
instead of 5.5)."""
PRINCIPLES_WITHIN = 1.0
"""How far below its judgment's best candidate a statement of the principles may score and still take the judgment's
first places (`principles_first`), as a share of the first screen's score range (the pool's best score minus its
`FIRST_SCREEN`th best), so that the margin follows how far apart the ranker puts its own first screen (the question
scores have no fixed scale). Why: the principles took the places whatever they scored, and the leading-judgment
retriever appends principle paragraphs the ranker scores near 0, so a judgment's best paragraph, often the one cited,
waited behind the whole list: A. and Others (dlaw-09) § 220 at 6.00 behind § 209 at 4.85, the screen spanning 6.64 to
4.95; Saadi (xq-03) § 140, the pool's best at 8.08, behind §§ 128-132 at 3.96-4.73. Replay of every question's scored
pool (store spell25x, session 25), margins 0-4 and none (the principles whatever they score): over the 113 dev
questions 1.0 gains expert qa-299 and dlaw-09 and loses nothing; leave-one-out chose 1.0 for 112 of 113, para_hit@10
expert 28 → 29 of 66, `lawyer` kind 16 of 20 either way (dlaw-09 alone carries 1.0 over 1.25-2), the other dev kinds
unchanged; never tuned, the extradition bench 24 → 26 of 37 and topics expert 20 → 21 of 24; none of the 236 questions
lost a hit (58 top 10s changed). 0 and 0.5 lose Jalloh (dlaw-13); 3 and more change no hit. Margins on the raw score
(0-6) gain less; put in the same leave-one-out, ties to the smaller margin bring it to today's 79.0 (ties to the larger,
79.5)."""
FIRST_SCREEN = 10
"""The hits a lawyer reads first, whose score range scales `PRINCIPLES_WITHIN`."""
LOW_AUTHORITY_TYPES = ("INFORMATION_NOTE", "COMMUNICATED_CASE")
"""Registry summaries and statements of facts: finding aids, not the Court's reasoning."""
CASE_REPORT_KINDS = ("campaign",)
"""Source kinds whose pages report a case (a campaign's account of a detained lawyer's arrest), where a statute states
the law and the Court or a treaty body says what it requires: as a party's submission is no yardstick of the Court's
voice, such a page's authority is at most the Court's median (`LegalRanker.bounded_authority`), however close in meaning
to the question it is. Before (whole store), English campaign posts came 3rd and 4th for "lawyer meeting requires
approval terrorism cases China" (after: 8th and 10th, below five statute articles) and, once "family not told and no
lawyer while held by the supervision commission in China" was read as a lawyer's query, 4th, 5th, 6th and 8th, above the
Procuratorate Rules' art. 45, by `meaning` alone, which a Chinese article cannot have (`kb.search.meaning`); after, one
English post in the first 10 (8th; the Chinese posts stay on their retrieval rank, 3rd, 4th, 6th, 9th). The page stays a
candidate, listed on its retrieval rank beside the statutes. Same run, whole store (`SearchParts` `case_reports_capped`
off/on): first places of the dev `lawyer-prc` kind 0.750 → 0.875 and of the never-tuned `prc_questions.jsonl`
`lawyer-prc` 0.435 → 0.522 (MRR up for 7 questions, down for none), every other row equal."""
FEATURES_META = "ranking_features"
"""Document.meta key under which the ranker leaves each candidate's feature values (for the fit and for debugging)."""

Key = tuple[str, str]


def key_of(doc: Document) -> Key:
    """(doc_id, paragraph number); an unnumbered passage (a report's or a UK judgment's text between numbered
    paragraphs) is keyed by its position, so that unnumbered passages of one document do not share one rank."""
    paragraph = doc.meta.get("paragraph")
    return doc.meta.get("doc_id", ""), str(paragraph) if paragraph is not None else f"#{doc.meta.get('para_index')}"


def names_case(meta: dict, appnos: frozenset[str], names: frozenset[tuple[str, ...]]) -> bool:
    """Whether a document is the case a query names: by application number, or by the applicant's words its title
    begins with (`QueryReading.names`; `Othman` names `Othman (Abu Qatada) v. the United Kingdom`)."""
    if appnos & set(meta.get("appno") or []):
        return True
    if not names:
        return False
    title = title_applicant(meta.get("title") or "")
    return any(title[:len(n)] == n for n in names)


SPACING_MARKS = "\xa0§’“”‘–‑…"
"""Marks that are not letters and that a paragraph of the corpus holds beside plain ASCII (no-break space, section
sign, curly quotes, dashes, ellipsis): written as spaces, most paragraphs become ASCII, which `phrase_words` splits
fast."""
_ASCII_LETTERS = bytes(b + 32 if ord("A") <= b <= ord("Z") else b if ord("a") <= b <= ord("z") else ord(" ")
                       for b in range(256))
"""A bytes table writing the ASCII letters lower-case and every other byte as a space."""


def phrase_words(text: str) -> list[str]:
    """The words (`PHRASE_WORD`) of a text, lower-cased. Where the text is ASCII once its `SPACING_MARKS` are spaces
    (4 of 5 of a ranked pool's paragraphs), the same words come from a byte table that lower-cases too and `split`
    (in ASCII a `PHRASE_WORD` letter is a-z once lower-cased): the regular expression's Unicode class cost ~6 of a
    passage's ~10 ms of phrase matching, and a separate `str.lower` of each paragraph ~8 % of what was left. A text
    that is not ASCII (whose lower case may be: the Kelvin sign is `k`) is lower-cased and read by the expression."""
    spaced = text
    for mark in SPACING_MARKS:
        if mark in spaced:
            spaced = spaced.replace(mark, " ")
    if spaced.isascii():
        return spaced.encode("ascii").translate(_ASCII_LETTERS).decode("ascii").split()
    return PHRASE_WORD.findall(text.lower())


def phrases(text: str, length: int = PHRASE_LENGTH) -> Iterable[tuple[str, ...]]:
    """The runs of `length` consecutive words of a text, lower-cased (an iterator: a candidate's runs are only
    looked up, never kept)."""
    words = phrase_words(text or "")
    return zip(*(words[i:] for i in range(length)), strict=False)  # the shorter tails end the runs


def shared_phrase_weights(query: str, documents: Iterable[Document]) -> dict[Key, float]:
    """For each candidate sharing a phrase with the query: Σ 1/(candidates holding the phrase) over the phrases it
    shares, so that a phrase only one candidate repeats counts fully and one every judgment uses ("the Court
    reiterates that") hardly at all. Summed exactly (`math.fsum`): a float sum in the order a set is iterated differed
    in its last bit from process to process (Python's hash seed), and two candidates sharing the same phrases then
    took their places in the passage model's pool features (`phrases_rank`) in a different order (session 20)."""
    wanted = set(phrases(query))
    if not wanted:
        return {}
    shared: dict[Key, set[tuple[str, ...]]] = {}
    for doc in documents:
        found = wanted.intersection(phrases(doc.content or ""))
        if found:
            shared.setdefault(key_of(doc), found)
    holders = Counter(phrase for found in shared.values() for phrase in found)
    return {key: math.fsum(1.0 / holders[phrase] for phrase in found) for key, found in shared.items()}


def _reciprocal(rank: float | None) -> float:
    return 0.0 if rank is None else 1.0 / (RANK_CONSTANT + rank)


def tied_ranks(values: Mapping[Key, float]) -> dict[Key, float]:
    """1-based rank of each key by its value, highest first; equal values share the mean of their places (1, 2.5,
    2.5, 4). Why: the candidates the model cannot read all get the pool's median similarity (`kb.search.meaning`), and
    ranked one after another they took places in the order a set of them was iterated, which Python's hash seed
    changes from process to process: the same question listed PRC articles in another order in the app than in
    `kb search` (20 of 23 PRC questions of `bench/data/prc_questions.jsonl` differed between two seeds, session 20)."""
    ordered = sorted(values, key=lambda k: -values[k])
    ranks: dict[Key, float] = {}
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and values[ordered[end + 1]] == values[ordered[start]]:
            end += 1
        for key in ordered[start : end + 1]:
            ranks[key] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def meaning_values(similarity: Mapping[Key, float]) -> dict[Key, float]:
    """Each candidate's `meaning` value, 1/(k + its rank by similarity), or, while some candidates' vectors are
    `unknown` (`Similarity.unknown`: neither the cache nor the store holds them yet), its expected value over the
    places those candidates could take among the known ones, every interleaving equally likely: the j-th of K known
    candidates among N is at place r with probability C(r-1, j-1) C(N-r, K-j) / C(N, K), and an unknown one at any
    place alike, so it gets the mean of 1/(k + r) over all N places. The values still sum to what a full pool's do, and
    with nothing unknown they are the plain reciprocals.

    Why: an unknown candidate used to take the pool's median similarity, ranked among the known ones, so the first
    known candidates kept the top reciprocals (20 × 1/5 = 4 points) as though nothing could be above them, and a
    cache filling in `kb embed`'s order ranked the expert questions worse than no meaning at all (session 20: doc_hit@10
    / para_hit@10 0.603 / 0.348 against 0.644 / 0.394 cold, 0.685 / 0.409 warm). Figures of this rule in
    `kb.search.meaning`."""
    ranks = tied_ranks(similarity)
    unknown = getattr(similarity, "unknown", frozenset())
    if not unknown:
        return {key: _reciprocal(rank) for key, rank in ranks.items()}
    known, total = len(ranks), len(ranks) + len(unknown)
    places = np.arange(1, total + 1)
    reciprocal = 1.0 / (RANK_CONSTANT + places)
    log_factorial = np.concatenate(([0.0], np.cumsum(np.log(places))))

    def log_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
        inside = (k >= 0) & (k <= n)
        n, k = np.clip(n, 0, total), np.clip(k, 0, total)
        return np.where(inside, log_factorial[n] - log_factorial[k] - log_factorial[np.clip(n - k, 0, total)], -np.inf)

    j = np.arange(1, known + 1)[:, None]
    log_p = log_choose(places - 1, j - 1) + log_choose(total - places, known - j) - log_choose(
        np.array(total), np.array(known))
    by_place = np.exp(log_p) @ reciprocal  # the expected value of the j-th known candidate
    tied = Counter(ranks.values())
    values = {key: float(by_place[int(rank - (tied[rank] - 1) / 2) - 1:int(rank + (tied[rank] - 1) / 2)].mean())
              for key, rank in ranks.items()}
    values.update(dict.fromkeys(unknown, float(reciprocal.mean())))
    return values


def admitted(documents: Iterable[Document], filters: SearchFilters) -> list[Document]:
    """The documents not from an excluded document (the store already left them out; this makes it certain)."""
    excluded = set(filters.exclude_doc_ids)
    return [d for d in documents if d.meta.get("doc_id", "") not in excluded]


@dataclass(frozen=True)
class CitationEvidence:
    """What the retrieved paragraphs say through the Court's citations.

    `votes`: each retrieved paragraph gives its retrieval score to every paragraph it cites (the Court's own pointer
    from a restatement to the source of a principle); `best_voter`: the best retrieved rank among a paragraph's
    voters; `best_document_voter`: the best retrieved rank of a paragraph of another document citing a document,
    with or without a pinpoint. Complete once the fetcher hands it on, and never changed after: so Haystack passes
    it to the ranker uncopied (a deep copy of its hundreds of tuple keys cost ~3 ms a query)."""

    votes: Counter[Key] = field(default_factory=Counter)
    best_voter: dict[Key, int] = field(default_factory=dict)
    best_document_voter: dict[str, int] = field(default_factory=dict)

    def vote_ranks(self) -> dict[Key, int]:
        return {key: i for i, (key, _) in enumerate(self.votes.most_common(), 1)}

    def __deepcopy__(self, memo: dict) -> CitationEvidence:
        return self


@component
class CitedParagraphFetcher:
    """Collects the citation evidence of the retrieved paragraphs and fetches the most-voted cited paragraphs that
    were not retrieved (within the same filters), so the ranker can weigh them too."""

    def __init__(self, graph: CitationGraph, store: ChunkStore, limit: int = MAX_FETCHED_BY_VOTES) -> None:
        self.graph = graph
        self.store = store
        self.limit = limit

    def evidence(self, pool: list[Document], excluded: set[str]) -> CitationEvidence:
        rank: dict[Key, int] = {}
        for i, doc in enumerate(pool, 1):
            rank.setdefault(key_of(doc), i)
        scores = {key_of(doc): doc.score or 0.0 for doc in pool}
        evidence = CitationEvidence()
        for citing_doc, citing_para, cited_doc, cited_para in self.graph.outgoing(scores, excluded):
            voter = rank[(citing_doc, citing_para)]
            if cited_doc != citing_doc:
                evidence.best_document_voter[cited_doc] = min(evidence.best_document_voter.get(cited_doc, voter), voter)
            if cited_para is None:
                continue
            target = (cited_doc, cited_para)
            evidence.votes[target] += scores[(citing_doc, citing_para)]
            evidence.best_voter[target] = min(evidence.best_voter.get(target, voter), voter)
        return evidence

    def fetch(self, votes: Counter[Key], present: set[Key], filters: SearchFilters) -> list[Document]:
        """The most-voted cited paragraphs that were not retrieved, looked up within the same filters."""
        missing = [key for key, _ in votes.most_common() if key not in present][:self.limit]
        if filters.doc_ids:
            missing = [key for key in missing if key[0] in filters.doc_ids]
        if not missing:
            return []
        wanted = set(missing)
        found = []
        for chunk in self.store.scroll_paragraphs(missing, filters):
            key = (chunk.payload.get("doc_id", ""), str(chunk.payload.get("paragraph")))
            if key in wanted:
                wanted.discard(key)
                found.append(to_document(replace(chunk, score=0.0)))
        return found

    @component.output_types(documents=Candidates, fetched=Candidates, evidence=CitationEvidence)
    def run(self, documents: Candidates, filters: SearchFilters | None = None) -> dict:
        filters = filters or SearchFilters()
        pool = admitted(documents, filters)
        if not pool:
            return {"documents": Candidates(), "fetched": Candidates(), "evidence": CitationEvidence()}
        evidence = self.evidence(pool, set(filters.exclude_doc_ids))
        fetched = self.fetch(evidence.votes, {key_of(d) for d in pool}, filters)
        return {"documents": Candidates(pool), "fetched": Candidates(fetched), "evidence": evidence}


@dataclass
class RankingContext:
    """Everything the features of one query look up once: ranks, citation evidence, counts."""

    rank: dict[Key, int]
    """1-based rank of each retrieved paragraph (fetched ones have none)."""
    evidence: CitationEvidence
    vote_rank: dict[Key, int]
    facts_paragraphs: Counter[str]
    """Retrieved THE FACTS paragraphs per document."""
    paragraph_counts: dict[Key, int]
    """Later paragraphs citing each candidate (without excluded citers)."""
    facts_rank: dict[str, int]
    """Rank of each candidate's judgment by BM25 over whole facts sections (`kb.search.facts_index`)."""
    appnos: frozenset[str]
    names: frozenset[str]
    question: bool = False
    """The query is a lawyer's question or keyword search (`QueryReading.lawyer`), not a passage of judgment text."""
    note_rank: dict[str, int] = field(default_factory=dict)
    """Best retrieved rank of an information note per application number it summarises."""
    sections: tuple[str, ...] = ()
    """The sections the search is limited to (`SearchFilters.sections`)."""
    phrase_weight: dict[Key, float] = field(default_factory=dict)
    """What each candidate shares of the query's phrases (`shared_phrase_weights`)."""
    meaning: dict[Key, float] = field(default_factory=dict)
    """Each candidate's `meaning` value by MiniLM similarity to the query (`meaning_values`); empty when unused."""
    articles: frozenset[str] = frozenset()
    """The Convention Articles a lawyer's question names (`articles_in`, "Article 3" or "article 3"; "Article 1 of
    Protocol No. 1" as `P1-1`); empty for a passage."""


Feature = Callable[[Document, Key, RankingContext], float]
_FEATURES: dict[str, tuple[Feature, float]] = {}


def feature(weight: float) -> Callable[[Feature], Feature]:
    """Registers a ranking feature under its function's name, with its shipped (fitted) weight."""

    def register(fn: Feature) -> Feature:
        _FEATURES[fn.__name__] = (fn, weight)
        return fn

    return register


@feature(8.47)
def retrieval(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1/(k + rank) in the retrieved list (1-based), 0 for a fetched paragraph."""
    return _reciprocal(ctx.rank.get(key))


@feature(-0.0303)
def votes(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1/(k + rank) by votes (`CitationEvidence`)."""
    return _reciprocal(ctx.vote_rank.get(key))


@feature(3.25)
def best_voter(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1/(k + rank) of the best-ranked retrieved paragraph that cites it."""
    return _reciprocal(ctx.evidence.best_voter.get(key))


@feature(15.7)
def cited_document(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1/(k + rank) of the best-ranked retrieved paragraph of another document that cites its document, with or
    without a pinpoint (the case the retrieved judgments rely on)."""
    return _reciprocal(ctx.evidence.best_document_voter.get(key[0]))


@feature(1.01)
def facts_support(doc: Document, key: Key, ctx: RankingContext) -> float:
    """log of the number of retrieved THE FACTS paragraphs of its document (a query telling a story matches that
    case as a whole)."""
    return math.log(max(1, ctx.facts_paragraphs[key[0]]))


@feature(7.96)
def facts_document(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1/(k + rank) of its judgment among all judgments by BM25 on the whole facts section."""
    return _reciprocal(ctx.facts_rank.get(key[0]))


@feature(-11.0)
def low_authority_type(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 for an information note or a communicated case."""
    return float(doc.meta.get("doc_type") in LOW_AUTHORITY_TYPES)


@feature(1.26)
def cited_para(doc: Document, key: Key, ctx: RankingContext) -> float:
    """log(1 + later paragraphs citing it)."""
    return math.log1p(ctx.paragraph_counts.get(key, 0))


@feature(0.304)
def court_role(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 if the Court itself speaks in it (role `court` or `operative`)."""
    return float(doc.meta.get("role") in COURT_ROLES)


@feature(0.0)
def note_document(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1/(k + rank) of the best-ranked retrieved information note on its judgment (same application number): the
    registry's plain-language summary points to the judgment it summarises. Off (weight 0) until fitted: at a
    hand-set 4.0 it changed nothing on the lawyer questions (para_hit@10 0.65 with and without, full store) but let
    a judgment whose note was retrieved (Saadi) crowd out the assurance principles of Othman in drafting."""
    if doc.meta.get("doc_type") == "INFORMATION_NOTE":
        return 0.0
    return _reciprocal(min((ctx.note_rank[a] for a in doc.meta.get("appno") or [] if a in ctx.note_rank),
                           default=None))


@feature(-5.0)
def footnote(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 for a report's footnote: a source reference, searchable but not the finding, so it follows the paragraphs
    (issue 10: "never first unless asked for"; `BodyFirst` keeps it from the top in the modes without the ranker).
    Not fitted: dev.jsonl has no reports; -5 outweighs the whole retrieval range (≈ 3.7)."""
    return float(doc.meta.get("section") == "FOOTNOTE" and "FOOTNOTE" not in ctx.sections)


@feature(1.71)
def shared_phrases(doc: Document, key: Key, ctx: RankingContext) -> float:
    """log(1 + the query's three-word phrases it contains, each weighed by 1/(candidates holding it)). BM25 scores a
    query's words one by one, not their order; the Court restates a principle in the words of the paragraph it
    cites, and a lawyer pastes the words of the passage they are looking for."""
    return math.log1p(ctx.phrase_weight.get(key, 0.0))


@feature(20.0)
def named_case(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 if the query names its case or application number. Its weight is not fitted (dev.jsonl queries had the
    names removed): large enough that a case the query names comes first."""
    return float(names_case(doc.meta, ctx.appnos, ctx.names))


@feature(-8.0)
def question_not_court(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 if the query is a lawyer's question and this is an ECtHR paragraph where someone other than the Court speaks
    (a party, an intervener, quoted law, the facts, an opinion). Not fitted (dev.jsonl has no questions;
    `dev-lawyer-questions.jsonl` is for checking, not fitting): at -8 it outweighs the whole retrieval range
    (20 × (1/5 − 1/64) ≈ 3.7) and about one citation signal, so the Court's view comes first yet a very strongly cited
    submission can still show."""
    role = doc.meta.get("role")
    return float(ctx.question and role is not None and role not in COURT_ROLES)


@feature(2.0)
def question_principles(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 if the query is a lawyer's and this is a paragraph where the Court states the general principles (its
    heading says so, `kb.search.principles.states_principles`): what a barrister cites for the law, before the
    Court's application of it to that case's facts. Not fitted (dev.jsonl has no questions): at 3 it outweighs the
    retrieval range (≈ 3.7) within one judgment only together with the Court's role, and no citation signal."""
    return float(ctx.question and court_states_principles(doc.meta))


@feature(0.883)
def key_case(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 for a paragraph of a key case (importance 1: HUDOC's, or estimated from the corpus by `kb citations build`,
    `kb.citations.importance`, with the held-out citing documents left out when measuring): an expert's question
    is answered from the leading judgments."""
    return float(doc.meta.get("importance") == 1)


@feature(-0.22)
def grand_chamber(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 for a paragraph of a Grand Chamber judgment: the formation whose statements of principle the Court follows."""
    return float(bool(doc.meta.get("grand_chamber")))


@feature(0.0)
def meaning(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1/(k + rank) of the candidate among the query's candidates by MiniLM similarity to the query
    (`kb.search.meaning.PoolSimilarity`; its expected value while some have no vector yet, `meaning_values`): a
    question is in the asker's words, the paragraph that answers it in the Court's, and the model places the two close
    where BM25 sees few shared words. Questions only
    (`QUESTION_WEIGHTS`, set by leave-one-out on the dev questions, `bench/eval_dev.py`); for a passage it moved no
    metric at any weight (`bench/passage_meaning.py`, figures in `kb.search.meaning`), so `PASSAGE_WEIGHTS` keep 0."""
    return ctx.meaning.get(key, 0.0)


@feature(0.0)
def question_other_article(doc: Document, key: Key, ctx: RankingContext) -> float:
    """1 if a lawyer's question names Convention Articles and this Strasbourg paragraph stands under a heading that
    names only other Articles ("III. Alleged violation of Article 6" for a question on Article 3, "Application of
    Article 41" for any): the Court answers a question on an Article where it examines that Article, and a paragraph
    of the same judgment on another Article answers another question. A heading naming no Article (the facts, a
    section the loader could not place) says nothing. Measured on the dev questions' pools (session 16, whole store,
    leave-out graph): of the candidates of the 56 ECtHR dev questions naming an Article, 3.1 % of those under a
    heading naming it are a cited paragraph, 0.12 % (1 of 807) of those under another Article's. Questions only
    (`QUESTION_WEIGHTS`, weight by leave-one-out on the dev questions); a passage names Articles in passing."""
    if not ctx.articles or doc.meta.get("source_kind") != "echr":
        return 0.0
    under = articles_in(doc.meta.get("heading"))
    return float(bool(under) and not under & ctx.articles)


FEATURES = tuple(_FEATURES)
_COLUMN = {name: i for i, name in enumerate(FEATURES)}
"""Each feature's column in a row of feature values (`FEATURES` order)."""
_FUNCTIONS = tuple(fn for fn, _ in _FEATURES.values())
SOURCE_NEUTRAL = ("retrieval", "named_case", "footnote", "shared_phrases")
"""Features every source has; the others are ECtHR-only evidence (`LegalRanker.scores`)."""


def _without(self, name: str):
    if name not in FEATURES:
        raise ValueError(f"unknown ranking feature {name!r}; valid: {', '.join(FEATURES)}")
    return replace(self, **{name: 0.0})


def _weighted_sum(values: np.ndarray, weights, names: Iterable[str]) -> np.ndarray:
    """Σ weight × feature over `names` for every row of `values` (columns in `FEATURES` order), added one feature
    after another from 0, as Python's `sum` adds them: the same floats, not a BLAS dot's reordered sum."""
    total = np.zeros(len(values))
    for name in names:
        total += getattr(weights, name) * values[:, _COLUMN[name]]
    return total


RankingWeights = make_dataclass(
    "RankingWeights", [(name, float, field(default=weight)) for name, (_, weight) in _FEATURES.items()],
    frozen=True, namespace={"without": _without, "__module__": __name__,
                            "__doc__": "The linear score Σ weight × feature, one field per registered feature."})
PASSAGE_WEIGHTS = RankingWeights()
"""The `@feature` weights: fitted on dev.jsonl, whose queries are passages of judgment text (`bench/fit_ranking.py`),
except the hand-set ones it cannot fit (`named_case`, `footnote`, `note_document`, the `question_*` features,
`meaning`). Last fitted on the citation graph the one citation grammar reads (built with `--leave-out`, whole store,
all 3,761 cases), grouped 5-fold CV, citation doc_hit@1 / doc_hit@10 / para_hit@10, summary doc_hit@1: the weights
fitted on the old graph 0.389 / 0.751 / 0.684 / 0.985 on the new one, refitted 0.398 / 0.762 / 0.692 / 0.990.
Refitted without `key_case` 0.399 / 0.758 / 0.692 / 0.980, without `grand_chamber` 0.398 / 0.764 / 0.695 / 0.980,
without `votes` (weight ≈ 0: `best_voter` carries it) 0.399 / 0.763 / 0.692 / 0.990."""
QUESTION_WEIGHTS = replace(PASSAGE_WEIGHTS, retrieval=20.5, votes=-0.712, best_voter=4.61, cited_document=14.2,
                           facts_support=0.82, facts_document=0.0, low_authority_type=-9.4, cited_para=0.65,
                           court_role=1.0, shared_phrases=0.0, question_principles=0.0, key_case=1.0,
                           grand_chamber=0.0, meaning=20.0, question_other_article=-4.0)
"""For a lawyer's question or keyword search (`QueryReading.lawyer`): the weights fitted on dev.jsonl without
`shared_phrases` (`bench/fit_ranking.py --without shared_phrases`: a question's phrases are the lawyer's own words,
not the source's; with the passage weights and phrases, the lawyer questions' para_hit@10 fell 0.825 → 0.750), then,
on the 113 dev questions (`dev-echr-qa.jsonl`, `dev-lawyer-questions.jsonl`), coordinate ascent over a small grid
of the question-side weights, each value judged by leave-one-out (`bench/eval_dev.py --grid`: each question scored
with the value best on the others). The first search (old graph) set `facts_document` 0 (an expert's question
tells no story of facts), `question_principles` 0 (the hand-set 2 did not survive), `grand_chamber` 0,
`question_not_court` -8 and `court_role` 1. On the graph the citation grammar reads, the graph's signals weigh more
(the fit doubled `cited_para`, 0.651 → 1.23), and the search, started from the fit and the first search's values,
chose `meaning` 20 (of 5, 10, 20, 40), `cited_para` 0.65 (of 0, 0.65, 1.23) and kept `key_case` 1 (of 0, 1, 2),
`cited_document` 14.2 (of 7, 10, 14.2), `court_role` 1 (of 0.456, 1, 2), `votes` -0.712 (of -0.712, 0, 2.81),
`best_voter` 4.61 (of 2, 4.61, 8), `grand_chamber` 0 (of -0.181, 0, 1), `question_principles` 0 (of 0, 2) and
`question_not_court` -8 (of -8, -4), each chosen for all or all but one of the 113 questions. Against the weights
fitted on the old graph, each on its own graph (same run): expert questions doc_hit@10 / para_hit@10 0.630 / 0.364
→ 0.630 / 0.348, lawyer questions of kind `lawyer` 1.000 / 0.700 → 1.000 / 0.650 (one question each).
`question_other_article` -4 (session 16, of 0, -1, -2, -4, -8; leave-one-out chose -4 for 112 of 113 questions,
-1 for the one lawyer question only -4 lifts; whole store, leave-out graph, same run): expert 0.685 / 0.409 →
0.699 / 0.409 (doc_hit@1 0.356 → 0.329), kind `lawyer` para_hit@10 0.750 → 0.800 (leave-one-out 0.750), PRC, UN and
mixed unchanged. Session 22, on the contextual-header index (`kb.embedding.Bm25Text`; every dev and bench question's
pool dumped once and replayed, `bench/question_refit.py`): coordinate ascent over 0-4 × each weight, judged by nested
leave-one-out over the 113 dev questions, kept every weight. Its refits gain 2-4 dev questions in sample (with the
leading judgments: `retrieval` 30.8, `cited_para` 0.975, `meaning` 10, lawyer kind 0.800 → 0.900) but each gain rests
on the question itself: leave-one-out para_hit@10 0.566 against the shipped 0.585 (all 113; lawyer kind 0.750), and
the never-tuned extradition bench 0.649 → 0.568. Each weight alone: leave-one-out kept the shipped value or scored
below it; `question_other_article` is inert there (the headers' `articleN` terms do its work: 0 changes one dev
question and no bench question)."""


MODEL_INPUTS = (*FEATURES, *POOL_FEATURES)
"""The columns a passage model may read: the ranker's features, then the pool's (`kb.search.passage_model`)."""
PASSAGE_MODEL = PassageModel()
"""The shipped passage model (`kb/search/passage_model.json`), read on first use."""


def model_inputs(values: np.ndarray, docs: list[Document], text: str, weights: RankingWeights,
                 bm25: np.ndarray) -> np.ndarray:
    """Every column a passage model may read (`MODEL_INPUTS`), one row per candidate. `values`: the ranker's
    features (`FEATURES` columns); `bm25`: a retrieved candidate's BM25 score, 0 for a fetched one. The fit
    (`bench/passage_ltr.py`) reads its columns from this same function."""
    columns = {name: values[:, i] for i, name in enumerate(FEATURES)}
    return np.hstack([values, pool_features(columns, docs, text, _weighted_sum(values, weights, FEATURES), bm25)])


def unread_scores(read: list[str], values: np.ndarray, weights: RankingWeights) -> np.ndarray:
    """Σ weight × feature over the ranker's features a passage model does not `read`: its rules (`named_case`,
    `footnote`, `low_authority_type`, `kb.search.passage_model.RULES`), added to the trees' score as they are, and
    the base the trees were fitted on top of (`bench/passage_ltr.py`: LightGBM's `init_score`)."""
    return _weighted_sum(values, weights, [name for name in FEATURES if name not in read])


TIE_BREAK = 1e-6
"""Weight of the linear score within a passage model's score: candidates the trees cannot tell apart (the same leaf
in every tree, common with trees, rare with a linear score) are ordered by the weights, not by the order they came in,
so the ranking does not depend on the candidates' order (and a dumped pool replays exactly)."""


_LINEAR = MODEL_INPUTS.index("linear")
"""The column of `model_inputs` holding the weights' linear score (computed there once per query)."""


def passage_model_scores(model: PassageModel, values: np.ndarray, inputs: np.ndarray,
                         weights: RankingWeights) -> np.ndarray:
    """A passage's candidate scores: the trees over `inputs` (`model_inputs`) plus `unread_scores`, ties broken by
    the linear score (`TIE_BREAK`), read from `inputs`."""
    trees = model.predict(inputs[:, model.columns(list(MODEL_INPUTS))])
    return trees + unread_scores(model.inputs, values, weights) + TIE_BREAK * inputs[:, _LINEAR]


@dataclass(frozen=True)
class Ranking:
    """The ranker's two weight sets: one for a pasted passage (a brief's paragraph, a judgment's reasoning), one for a
    lawyer's question or keyword search; `of` chooses. `passage_model`: the trees that score a passage naming no
    other source instead of its weights' linear score (`kb.search.passage_model`; None: the weights)."""

    passages: RankingWeights = PASSAGE_WEIGHTS
    questions: RankingWeights = QUESTION_WEIGHTS
    passage_model: PassageModel | None = PASSAGE_MODEL

    def of(self, question: bool) -> RankingWeights:
        """The set for a lawyer's query (`question`) or for a passage."""
        return self.questions if question else self.passages

    def without(self, name: str) -> Ranking:
        """Both sets with feature `name` switched off (ValueError naming the valid features)."""
        return replace(self, passages=self.passages.without(name), questions=self.questions.without(name))

    def with_weights(self, **weights: float) -> Ranking:
        """Both sets with these weights."""
        return replace(self, passages=replace(self.passages, **weights),
                       questions=replace(self.questions, **weights))

    def uses(self, name: str) -> bool:
        """Whether either set gives feature `name` a weight."""
        return bool(getattr(self.passages, name) or getattr(self.questions, name))


DEFAULT_RANKING = Ranking()


@component
class LegalRanker:
    """Scores each candidate (retrieved, then fetched) by Σ weight × feature and sorts them, best first. It only
    scores: fetching is `CitedParagraphFetcher`'s, spreading `DocumentSpreader`'s."""

    def __init__(self, graph: CitationGraph | None = None, ranking: Ranking = DEFAULT_RANKING, facts=None,
                 source_aware: bool = True, chinese_law_named: bool = False, case_reports_capped: bool = True
                 ) -> None:
        """`facts`: a `kb.search.facts_index.FactsIndex` for the `facts_document` feature. `source_aware` False: the
        scores as fitted, other sources without authority (the comparison `kb eval --compare` prints);
        `chinese_law_named`: a PRC article gets that authority without being a strong match under a question naming
        a body or statute of Chinese law (`kb.search.modes.SearchParts`, off by default); `case_reports_capped`: a
        campaign page's authority is at most the Court's median (`CASE_REPORT_KINDS`)."""
        if not isinstance(ranking, Ranking):
            raise ValueError(f"ranking must be a Ranking, not {type(ranking).__name__}")
        self.graph = graph
        self.ranking = ranking
        self.facts = facts
        self.source_aware = source_aware
        self.chinese_law_named = chinese_law_named
        self.case_reports_capped = case_reports_capped

    def needs_citations(self) -> bool:
        """Whether the weights use the citation evidence (else the fetcher can be left out)."""
        return any(self.ranking.uses(name) for name in ("votes", "best_voter", "cited_document"))

    def context(self, pool: list[Document], fetched: list[Document], keys: list[Key], evidence: CitationEvidence,
                reading: QueryReading, filters: SearchFilters, weights: RankingWeights,
                similarity: Similarity | None = None) -> RankingContext:
        """`keys`: each candidate's `key_of`, the pool's then the fetched ones'."""
        excluded = set(filters.exclude_doc_ids)
        similarity = similarity or {}
        rank: dict[Key, int] = {}
        for i, key in enumerate(keys[:len(pool)], 1):
            rank.setdefault(key, i)
        facts = Counter(key[0] for key, d in zip(keys, pool, strict=False) if d.meta.get("section") == "THE FACTS")
        counts = self.graph.paragraph_counts(keys, excluded) if self.graph is not None else {}
        facts_rank: dict[str, int] = {}
        if self.facts is not None and weights.facts_document:
            facts_rank = self.facts.ranks(reading.text, {k[0] for k in keys}, excluded)
        note_rank: dict[str, int] = {}
        for key, doc in zip(keys, pool, strict=False):
            if doc.meta.get("doc_type") == "INFORMATION_NOTE":
                for appno in doc.meta.get("appno") or []:
                    note_rank.setdefault(appno, rank[key])
        phrase_weight = shared_phrase_weights(reading.text, pool + fetched) if weights.shared_phrases else {}
        articles = frozenset(articles_in(reading.text)) if reading.lawyer else frozenset()
        return RankingContext(rank, evidence, evidence.vote_ranks(), facts, counts, facts_rank, reading.appnos,
                              reading.names, reading.lawyer, note_rank, filters.sections, phrase_weight,
                              meaning_values(similarity) if weights.meaning else {}, articles)

    @staticmethod
    def features(doc: Document, key: Key, ctx: RankingContext) -> list[float]:
        """The candidate's value of each feature, in `FEATURES` order."""
        return [fn(doc, key, ctx) for fn in _FUNCTIONS]

    def scores(self, docs: list[Document], values: np.ndarray, weights: RankingWeights,
               named: frozenset[str] = frozenset(), answers: Callable[[Document], bool] | None = None
               ) -> list[float]:
        """Each candidate's score. The authority features (all but `SOURCE_NEUTRAL`) are evidence the ECtHR corpus has
        (its citations, facts sections, roles, document types) and other sources lack: zero for a UN paragraph or a
        PRC article means "unknown", not "no authority". With `source_aware`, a candidate of a source kind the question
        names (`named`: `QueryReading.named_kinds`) gets at least the median authority of the query's
        retrieved ECtHR paragraphs in which the Court speaks (a General Comment or a statute speaks in its own voice
        too, so a party's submission is no yardstick), and competes on its retrieval rank (UN questions: para_hit@10
        0.67 ranked against 1.00 hybrid before this). `meaning` stays inside that authority (session 20: counted
        beside retrieval instead, a General Comment kept its own meaning on top of the median, one UN question's first
        hit right, but a PRC article, which the model cannot read, lost the Court's median meaning from its yardstick
        and 7 PRC questions' first answer moved down).

        A Chinese passage gets the median authority only when it answers (`answers`: a strong match,
        `kb.search.strength`): naming China names a country, not a source, and an article holding one of the
        question's concepts ("can China's diplomatic assurances be trusted when torture is widespread" → the articles
        on 刑讯逼供) follows the Court's principles instead of burying them (8 of the first 10 before; the dev PRC,
        UN and mixed questions unchanged). A question naming a body, measure or statute of Chinese law
        (`QueryReading.chinese_law`: "supervision commission", "RSDL", "the Counter-Terrorism Law") names the
        statutes as a source, and with `chinese_law_named` a PRC article gets it as a General Comment does (session
        20, off: it did not survive leave-one-out, figures in `kb.search.modes.SearchParts`). A question naming no
        other source is a Convention question: its other-source candidates keep their plain score (for every source,
        on the lawyer questions of kind `lawyer` para_hit@10 fell 0.65 → 0.60). A page that reports a case
        (`CASE_REPORT_KINDS`) gets at most that median instead (`bounded_authority`).

        `values`: one row per candidate, one column per feature (`FEATURES`). The weighted sums add the columns in
        `FEATURES` order, so every score is the very float a sum over each candidate's features gives (and the ranking
        the same), for all candidates at once."""
        neutral = _weighted_sum(values, weights, SOURCE_NEUTRAL)
        authority = (_weighted_sum(values, weights, FEATURES) - neutral).tolist()
        neutral = neutral.tolist()
        retrieved = values[:, _COLUMN["retrieval"]].tolist()
        echr = [(a, d.meta.get("role") in COURT_ROLES) for a, d, r in zip(authority, docs, retrieved, strict=True)
                if d.meta.get("source_kind") == "echr" and r]
        yardstick = sorted(a for a, court in echr if court) or sorted(a for a, _ in echr)
        typical = yardstick[len(yardstick) // 2] if yardstick and self.source_aware else None
        return [r + self.bounded_authority(a, typical, d, named, answers)
                for r, a, d in zip(neutral, authority, docs, strict=True)]

    def bounded_authority(self, value: float, typical: float | None, doc: Document, named: frozenset[str],
                          answers: Callable[[Document], bool] | None) -> float:
        """A candidate's authority against `typical`, the median of the Court's voice (`scores`): at least that for
        a source the question names that speaks in its own voice and answers; at most that for a page that reports a
        case (`CASE_REPORT_KINDS`, with `case_reports_capped`)."""
        if typical is None:
            return value
        kind = doc.meta.get("source_kind")
        if self.case_reports_capped and kind in CASE_REPORT_KINDS:
            return min(value, typical)
        if kind in named and (answers is None or answers(doc)):
            return max(value, typical)
        return value

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, reading: QueryReading, filters: SearchFilters | None = None,
            fetched: Candidates | None = None, evidence: CitationEvidence | None = None,
            similarity: Similarity | None = None, glossary_terms: int = 0) -> dict:
        """`glossary_terms`: how many glossary terms the query holds (`kb.search.crosslingual.ChineseRetriever`); only
        a Chinese candidate found through them (its `matched_terms`) is judged by them."""
        filters = filters or SearchFilters()
        pool = admitted(documents, filters)
        if not pool:
            return {"documents": Candidates()}
        fetched = list(fetched or [])
        weights = self.ranking.of(reading.lawyer)
        docs = pool + fetched
        keys = [key_of(d) for d in docs]
        ctx = self.context(pool, fetched, keys, evidence or CitationEvidence(), reading, filters, weights, similarity)
        values = [self.features(doc, key, ctx) for doc, key in zip(docs, keys, strict=True)]

        statute_named = self.chinese_law_named and reading.chinese_law

        def answers(doc: Document) -> bool:
            kind = doc.meta.get("source_kind")
            if kind not in CHINESE_KINDS or (statute_named and kind == "prc-law"):
                return True
            return coverage(reading.text, doc.content or "", list(doc.meta.get("matched_terms") or []),
                            glossary_terms) >= STRONG_COVERAGE

        matrix = np.array(values, dtype=np.float64)
        model = self.ranking.passage_model
        if model is not None and not reading.lawyer and not reading.named_kinds:
            bm25 = np.array([d.score or 0.0 for d in pool] + [0.0] * len(fetched))
            inputs = model_inputs(matrix, docs, reading.text, weights, bm25)
            scores = passage_model_scores(model, matrix, inputs, weights).tolist()
        else:
            scores = self.scores(docs, matrix, weights, reading.named_kinds, answers if reading.lawyer else None)
        scored = sorted(zip(scores, docs, keys, values, strict=True), key=lambda sdkv: -sdkv[0])
        return {"documents": Candidates(
            rescored(doc, score, {**doc.meta, "cited_by": ctx.paragraph_counts.get(key, 0),
                                  FEATURES_META: dict(zip(FEATURES, v, strict=True))})
            for score, doc, key, v in scored)}


@component
class DocumentSpreader:
    """At most `per_document` paragraphs of one document, and places for one campaign site's pages (`site_of`), before
    every other candidate has been listed (of the first document, for a Convention question, `leading_per_document`);
    not applied
    when the search is limited to chosen documents, nor to the case a query names, nor to the numbered paragraphs of a
    source kind it names (`unlimited_kind`: a question on what the OHCHR found, or on a UK judgment, wants that
    report's or that judgment's paragraphs, however many; a campaign page's windows of text get two places). For a
    question, a judgment's places in the list go first to the Court's statement of the general principles among its
    candidates (`principles_first`, which a search without that part switches off)."""

    def __init__(self, per_document: int = MAX_PER_DOCUMENT, leading_per_document: int = LEADING_PER_DOCUMENT,
                 principles_first: bool = True) -> None:
        self.per_document = per_document
        self.leading_per_document = leading_per_document
        self.principles_first = principles_first

    @component.output_types(documents=Candidates)
    def run(self, documents: Candidates, reading: QueryReading, filters: SearchFilters | None = None) -> dict:
        if filters is not None and filters.doc_ids:
            return {"documents": Candidates(documents)}
        named = uncapped_documents(documents, reading)
        if self.principles_first and reading.question:
            documents = principles_first(documents, keep=named)
        caps = {}
        if documents and reading.convention:
            caps[documents[0].meta.get("doc_id", "")] = self.leading_per_document
        return {"documents": Candidates(spread_documents(documents, self.per_document, keep=named, caps=caps))}


def principles_first(documents: list[Document], keep: set[str] = frozenset()) -> list[Document]:
    """The same places for each document, filled first by its paragraphs where the Court states the general
    principles (`court_states_principles`), each group in its own order; the documents in `keep` (the case a question
    names) as they are.

    Why: a lawyer's question asks for the law, and of a judgment's paragraphs the statement of the principles answers
    it before the Court's application of them to that applicant's facts, which shares more of a question's story
    words ("forced", "emetic", "seized abroad") and so ranked above it. Only the order within a judgment changes:
    which judgments are listed, and where, stays the ranker's (as a ranking weight, `question_principles`, the same
    signal brought other judgments' principle paragraphs over better judgments and lost expert questions). A named
    case is left alone: all its paragraphs are listed, and the principles would push the passage asked about out.
    A statement the ranker scores far below its judgment's best candidate does not go first (`PRINCIPLES_WITHIN`)."""
    places: dict[str, list[int]] = {}
    for i, doc in enumerate(documents):
        places.setdefault(doc.meta.get("doc_id", ""), []).append(i)
    margin = PRINCIPLES_WITHIN * first_screen_range(documents)
    out = list(documents)
    for doc_id, at in places.items():
        if len(at) < 2 or doc_id in keep:
            continue
        scores = [documents[i].score for i in at]
        floor = max((s for s in scores if s is not None), default=-math.inf) - margin
        stating = [i for i, score in zip(at, scores, strict=True)
                   if court_states_principles(documents[i].meta) and (score is None or score >= floor)]
        if not stating or len(stating) == len(at):
            continue
        chosen = set(stating)
        for place, i in zip(at, stating + [i for i in at if i not in chosen], strict=True):
            out[place] = documents[i]
    return out


def first_screen_range(documents: list[Document]) -> float:
    """The best score of a ranked list minus its `FIRST_SCREEN`th best (its last, when shorter): how far apart the
    ranker puts the hits a lawyer reads first; 0 when nothing is scored."""
    scores = sorted((d.score for d in documents if d.score is not None), reverse=True)
    return scores[0] - scores[min(FIRST_SCREEN, len(scores)) - 1] if scores else 0.0


def unlimited_kind(meta: dict, reading: QueryReading) -> bool:
    """Whether a passage is a numbered paragraph of a source kind the query names, which a lawyer wants however many:
    the report of a body the query names, a UK judgment, the articles of a statute (each a provision of its own).
    A page or primer without paragraph numbers (a campaign page, a CRS In Focus) is cut into windows of text that no
    one can pinpoint, so it gets a document's two places like any other: naming China names the campaign pages with
    its statutes, and "Uyghurs" the reports with the OHCHR's, but not one page's account paragraph after paragraph.
    Before (session 22, whole store), three windows of one campaign page stood in the first ten of "family not told
    and no lawyer while held by the supervision commission in China", and five of a CRS primer in those of dlaw-38
    ("Are Uyghurs abroad who speak out about Xinjiang threatened …"), pushing the OHCHR's §§ 137-141 out."""
    return meta.get("source_kind") in reading.named_kinds and meta.get("paragraph") is not None


def uncapped_documents(documents: Iterable[Document], reading: QueryReading) -> set[str]:
    """The documents the spreader lists in full (`DocumentSpreader`): the case the query names, and any document
    holding a numbered paragraph of a source kind it names (`unlimited_kind`). The offline replays of the dev
    questions (`bench/question_rankers.py`, `bench/question_refit.py`) call this too, so they cap what the pipeline
    caps."""
    return {d.meta.get("doc_id", "") for d in documents
            if names_case(d.meta, reading.appnos, reading.names) or unlimited_kind(d.meta, reading)}


def site_of(meta: dict) -> str | None:
    """The site a case report's page comes from (`campaigns/free-xueq-jianb/…` → `campaign:free-xueq-jianb`), which
    the spreader caps like one document (`spread_documents`); None for every other passage.

    Why only `CASE_REPORT_KINDS`: a campaign site is one organisation's account of one case (all 126 pages of the
    Free Xueqin & Jianbing site are about the same two detainees), so its pages are one voice, as a judgment's
    paragraphs are. The other kinds grouped by a folder are many voices or many authorities: the Court's judgments are
    separate cases, the UN folder holds the findings of several treaty bodies, a statute's folder holds statutes each
    of whose articles is a provision of its own, and the UK judgments and the reports are each their own court's or
    publisher's finding. The site is read from `source_file` (`ingest.loaders.text_blocks.source_collection`), not
    from `court`, which a page's front matter or a PDF's author field ("Microsoft Office User") may fill."""
    if meta.get("source_kind") not in CASE_REPORT_KINDS:
        return None
    site = source_collection(meta.get("source_file") or "")
    return f"{meta['source_kind']}:{site}" if site else None


def spread_documents(documents: list[Document], per_document: int, keep: set[str] = frozenset(),
                     caps: dict[str, int] | None = None) -> list[Document]:
    """The same order, except that a document's paragraphs beyond the first `per_document` (its own cap in `caps`)
    wait until every other candidate has been listed (documents in `keep` are not limited), and so, within that first
    listing, do a campaign site's pages beyond its first `per_document` places (`site_of`: one voice however many
    pages); those come next, in the same order, then the documents' later paragraphs.

    Why the site: before (session 23, whole store), "family not told and no lawyer while held by the supervision
    commission in China" listed five windows of four pages of the Free Xueqin & Jianbing site (3rd, 4th, 6th, 8th,
    9th), each page within its own two places; after, two (3rd, 4th), then the Procuratorate Rules' art. 45, the death
    penalty review rules, F.C.B. v. Italy § 32, a freekaili page, Eryk Kozłowski v. Poland § 67 and the Criminal
    Procedure Law's art. 39 (10th, on counsel). Of the 366 dev and bench cases no top 10 changed (none held more than
    two of one site's windows; `docs/architecture.md` "Search"). Why
    the site's deferred pages before the documents' later paragraphs: when one site's pages are nearly all there is
    ("Huang Xueqin Wang Jianbing detention"), they keep the order the per-document cap gave them, each page within its
    two places, instead of a page's third window coming before another page."""
    caps = caps or {}
    seen: Counter[str] = Counter()
    places: Counter[str] = Counter()
    first, site_later, later = [], [], []
    for doc in documents:
        doc_id = doc.meta.get("doc_id", "")
        seen[doc_id] += 1
        if doc_id not in keep and seen[doc_id] > caps.get(doc_id, per_document):
            later.append(doc)
            continue
        site = site_of(doc.meta) if doc_id not in keep else None
        if site is not None:
            places[site] += 1
        (site_later if site is not None and places[site] > per_document else first).append(doc)
    return first + site_later + later


def ranking_features(doc: Document) -> dict[str, float]:
    """The feature values the ranker computed for a candidate (empty for a document it did not score)."""
    return dict(doc.meta.get(FEATURES_META) or {})
