"""The parts of a search beyond its mode (`kb.requests.SearchMode`): what `kb eval --compare` switches on and off."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchParts:
    """The parts of a search beyond its mode's retriever (and ranker); switched, one at a time or all, they are the
    comparisons `kb eval --compare` prints (`kb.search.evaluation.before_variants`)."""

    crosslingual: bool = True
    """The Chinese documents an English question's glossary terms find (`kb.search.crosslingual`)."""
    source_cues: bool = True
    """Candidates of the sources a question names (`kb.search.source_cues`)."""
    source_aware: bool = True
    """Other sources get the ECtHR median of the authority features they cannot have (`LegalRanker.scores`)."""
    case_reports_capped: bool = True
    """A campaign page's authority is at most the Court's median (`kb.search.ranking.CASE_REPORT_KINDS`): a page that
    reports a case follows the statute that states the law instead of going above it on `meaning`."""
    chinese_law_named: bool = False
    """A question naming a body, measure or statute of Chinese law (`QueryReading.chinese_law`) names the PRC statutes
    as a source: their articles get the median authority whether or not each is a strong match (`LegalRanker.run`),
    as a General Comment does under a question naming the ICCPR. Off: leave-one-out over off/on chose off for all 113
    dev questions (no doc_hit@10 or para_hit@10 moves; dev `lawyer-prc` doc_hit@1 0.750 → 0.875), and on the
    never-tuned `prc_questions.jsonl` it moved first places both ways (`lawyer-prc` doc_hit@1 0.478 → 0.435, mrr@10
    0.608 → 0.589; `lawyer-mixed` mrr@10 0.830 → 0.875), session 20, whole store, same run."""
    leading_judgments: bool = True
    """For a lawyer's query, the Court's paragraphs inside the first candidates' judgments (`kb.search.principles`),
    and four paragraphs of the first judgment before the others get their turn (`LEADING_PER_DOCUMENT`). On since
    session 22: on the contextual-header index (`kb.embedding.Bm25Text`) leave-one-out over off/on chose on for all
    113 dev questions (whole store eval22r, leave-out graph, same run, `bench/eval_dev.py`): expert questions
    doc_hit@10 / para_hit@10 0.658 / 0.394 → 0.658 / 0.424, lawyer kind 0.950 / 0.800 and the PRC, UN and mixed
    kinds unchanged; never-tuned benches: topics 0.872 / 0.660 → 0.894 / 0.702 (3 questions up, 1 down), extradition
    0.865 / 0.649 either way (1 up, 1 down), PRC unchanged. Cost (`bench/ranked_latency.py --baseline`, the 113 dev
    questions, fastest of 3 rounds, load 1-5): p50 / p95 56.5 / 80.2 → 71.0 / 96.1 ms, searching-thread CPU 40.2 →
    49.3 ms a question (its own step 2.9 ms, the ~24 more candidates' ranker, `meaning` and fetch ~6 ms). The p95 of
    0.9-2 s seen in `kb eval` runs came with the paragraphs it fetches that neither the embedding cache nor the store
    held: `kb eval` embeds those inline (the app and `kb mcp` hand them to `kb embed`); the same benches run again once
    they were cached: no query over 1.4 s, p95 737 ms against 646 without the part at load 19 (first run: 12 of 84
    over 1 s). Off before (issue 22, old index): chosen off for 111 of 113."""
    first_judgment_places: int = 2
    """For a Convention question, the places of the first judgment in the list before the others get their turn
    (`DocumentSpreader`; every other document has `kb.search.ranking.MAX_PER_DOCUMENT`, 2). `leading_judgments` gives
    it four (`LEADING_PER_DOCUMENT`). Kept at 2 (session 20, whole store, same run, `bench/eval_dev.py --grid
    parts.first_judgment_places=2,3,4`): 3 lifted one expert question (para_hit@10 0.409 → 0.424) and 4 one lawyer
    question (0.900 → 0.950) and one of the never-tuned topics bench, but leave-one-out over the three, chosen 3 for
    111 of 113 dev questions, scored the expert questions 0.394, below 2's 0.409 (lawyer kind 0.900 either way);
    extradition bench 0.649 at every value. Session 22 (new index, replay of the dumped pools,
    `bench/question_refit.py fit --switches`, equal to the pipeline for 236 of 236 questions): 4 lifts three dev
    questions and lowers one (expert para_hit@10 0.394 → 0.409, lawyer kind 0.800 → 0.850), but leave-one-out over 2,
    3, 4 scores 0.394 / 0.800 (the gains rest on single questions), and the benches lose two questions and gain one.
    With `leading_judgments` on (the default) the first judgment has `LEADING_PER_DOCUMENT` places: this is unused."""
    reasoning_source: bool = True
    """For a Convention question, the best Court paragraphs of the first judgments by the reasoning index
    (`kb.search.reasoning`): expert questions doc_hit@10 / para_hit@10 0.630 / 0.348 → 0.685 / 0.409, lawyer
    questions' para_hit@10 0.650 → 0.800 (issue 22, session 14). On the contextual-header index (session 22, same
    run) off costs expert 0.658 / 0.394 → 0.630 / 0.364, lawyer kind 0.800 → 0.750, the extradition bench's para_hit@10
    0.649 → 0.405 and the topics bench's 0.660 → 0.574; leave-one-out chose on for all 113."""
    principles_first: bool = True
    """For a question, a judgment's places in the list go first to its paragraphs stating the general principles
    (`kb.search.ranking.principles_first`): lawyer questions of kind `lawyer` para_hit@10 0.800 → 0.900 (leave-one-out
    over on/off: on for all 113 dev questions), expert questions 0.699 / 0.409 either way (issue 22, session 17).
    Session 22, new index (replay): off lowers the lawyer kind 0.800 → 0.750 and the extradition bench 0.649 → 0.541;
    leave-one-out chose on for all 113."""
    court_beside: int = 2
    """For a question naming China as a country (`kb.search.queries.QueryReading.court_beside`), the Court paragraphs
    its first ten hold at least: the principle paragraphs of the same question read without China's name fill the
    difference (`kb.search.principles.CourtBeside`); 0 switches it off. Session 24 (whole store eval23c, leave-out
    graph, same run as the session-start tree, `bench/eval_dev.py --grid parts.court_beside=2,0,1,3` with the PRC,
    extradition and topics benches): it reads 4 of the 113 dev questions (dlaw-21, 22, 23, 27, all `lawyer-prc`) and
    16 of the PRC bench's 39, none of the extradition and topics benches' 84; at 2 the top 10 of 3 of 236 questions
    change (dlaw-21, dlaw-22, pq-13: a Court principle paragraph in 3rd place, the list's 10th out, never its answer)
    and no doc_hit@10 or para_hit@10 of any question moves at 0-3 (dlaw-22's statute 3rd → 4th, dev `lawyer-prc`
    mrr@10 0.917 → 0.906; at 3, the MRR of pq-16, 20, 23 too). Leave-one-out over 2, 0, 1, 3 is indifferent: every
    value ties on every dev question, and the tie goes to the first listed. What it is for no bench measures: "Is a
    #MeToo activist detained in China at risk of torture?" had no Court paragraph in its first 10 and now has
    Mamatkulov and Askarov § 69 (the real-risk test) 3rd and Othman § 263 5th, the campaign pages 1st and 2nd and six
    PRC articles after. Cost (`bench/ranked_latency.py --baseline`, the 113 dev questions, the PRC bench and 200
    passages, fastest of 2 rounds, load 2-8): only a question it reads whose first 10 lack the Court pays the second
    search (3 of 352 queries: dlaw-21, dlaw-22, pq-13); `lawyer-prc` (31) p50 / p95 58.5 / 70.3 → 50.4 / 107.3 ms,
    searching-thread CPU 30.5 → 42.1 ms a question; all 352 p50 / p95 45.1 / 70.7 → 47.1 / 74.4 ms at that load."""
    standard_slot: bool = False
    """For a Convention question, the best UN treaty-body paragraph in tenth place (`kb.search.source_cues`). Off: it
    did not survive leave-one-out (expert questions doc_hit@10 0.603 → 0.630, para_hit@10 0.318 → 0.364 without
    it; the UN questions 0.833 with and without)."""


ALL_PARTS = SearchParts()
NO_PARTS = SearchParts(crosslingual=False, source_cues=False, source_aware=False, case_reports_capped=False,
                       chinese_law_named=False, leading_judgments=False, reasoning_source=False,
                       principles_first=False, court_beside=0, standard_slot=False)
"""Every part off: the mode's retriever (and ranker) alone, as the search was before the parts were added; the
baseline of `kb eval --compare` and the hybrid fill of a short ranked list."""
