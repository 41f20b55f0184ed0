"""What kind of query a search got: a lawyer's question, a keyword search, or a pasted passage of judgment text.

Why a module of its own: the retrievers that run only for a lawyer's query (`kb.search.source_cues`,
`kb.search.principles`) and the ranker (`kb.search.ranking`) all ask, and none of them should import another to do so.
"""

from __future__ import annotations

import re

INTERROGATIVE = re.compile(r"^\s*(what|when|which|who|whom|how|why|can|could|does|do|is|are|was|were|should|must|"
                           r"may|might|will|would|has|have)\b", re.I)
MAX_QUESTION_WORDS = 80
MAX_UNMARKED_QUESTION_WORDS = 30
"""A lawyer's question: it asks (a question mark; or, without one, it opens with an interrogative and is one short
sentence) and is short. The Court's own paragraphs, which the dev cases' queries are, never read like that: an
opening interrogative alone took 8 of dev.jsonl's 3,761 passages for questions ("When assessing conditions of
detention, account has to be taken…"), this rule 1."""
MAX_KEYWORD_WORDS = 12
"""A query this short is a keyword search ("ICCPR arbitrary detention"); longer, only a question names a source."""


def is_question(query: str) -> bool:
    """Whether the query reads as a lawyer's question rather than a passage of judgment text."""
    query = (query or "").strip()
    words = len(query.split())
    if words > MAX_QUESTION_WORDS:
        return False
    return "?" in query or (words <= MAX_UNMARKED_QUESTION_WORDS and bool(INTERROGATIVE.search(query))
                            and not re.search(r"[.;:]\s", query[:-1]))


def is_lawyer_query(query: str) -> bool:
    """A lawyer's question, or a keyword search ("diplomatic assurances"): both ask for the Court's view. A pasted
    passage of judgment text (every dev.jsonl query has 13 words or more) is neither."""
    return is_question(query) or 0 < len((query or "").split()) <= MAX_KEYWORD_WORDS
