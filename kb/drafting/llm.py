"""The optional language model: prose rewritten from the extractive draft, every citation it leaves checked.

When `KB_LLM_URL` and `KB_LLM_MODEL` name an OpenAI-compatible endpoint (Ollama serves one), `write_prose` has the
model rewrite each section's statement of the test through Haystack's `OpenAIChatGenerator`; the `CitationChecker`
component then flags, in `Draft.warnings`, every citation in the output that is not one of the retrieved passages,
and every quotation that is not in the passage it cites. Offline, nothing here runs.
"""

# Haystack reads the run() annotations of a component at runtime, so this module does not postpone annotations;
# names imported only for type checking are written as strings.

import re
from typing import TYPE_CHECKING

from haystack import component
from haystack.dataclasses import ChatMessage

from kb.drafting.brief import Draft, DraftParagraph, Footnote
from kb.drafting.matters import CollectedPassage
from kb.drafting.quotes import norm
from legal.citations import applicant_tokens, scan_text

if TYPE_CHECKING:
    from kb.settings import Settings

# Optional language model ------------------------------------------------------------------------------------------

_MARKER = re.compile(r"\[\^?(\d{1,3})\]")


def _cases(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    """(applicant key, pinpoints, citation as written) of each Strasbourg citation in a text, read by the one citation
    grammar (`legal.citations`, as `kb check` reads a brief): `Saadi v. Italy [GC], no. 37201/06, § 125`, `Othman v
    UK, § 189`, `Saadi, cited above, § 125`. The key is the applicant's first word as the grammar reads it (the
    prose's `In` or `See` is no part of it), so `Othman` and `Othman (Abu Qatada)` agree."""
    return [((applicant_tokens(c.name) or ("",))[0], c.paragraphs, c.text) for c in scan_text(text) if c.kind == "echr"]


@component
class CitationChecker:
    """Checks a model's prose against the footnoted passages it was given; anything else it cites is flagged.

    A `[n]` marker must name a footnote it was given; a case citation with a pinpoint (`Saadi v. Italy, § 125`) must
    name a case and paragraph among those footnotes' passages.
    """

    @component.output_types(text=str, footnote_ids=list[int], problems=list[str])
    def run(self, replies: list[ChatMessage], footnotes: list[Footnote], evidence: dict[str, CollectedPassage]) -> dict:
        text = "\n\n".join(m.text or "" for m in replies).strip()
        return check_citations(text, footnotes, evidence)


def check_citations(text: str, footnotes: list[Footnote], evidence: dict[str, CollectedPassage]) -> dict:
    """`{"text": text without markers, "footnote_ids": markers used, "problems": citations and quotations not in the
    evidence}`."""
    known = {fn.id: fn for fn in footnotes}
    problems: list[str] = []
    used: list[int] = []
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in known:
            problems.append(f"the text cites [{n}], which is not one of the retrieved passages")
        elif n not in used:
            used.append(n)
    pins: set[tuple[str, str]] = set()
    for fn in footnotes:
        passage = evidence.get(fn.chunk_id)
        for name, paragraphs, _ in _cases(fn.citation):
            pins.update((name, p) for p in (*paragraphs, str(passage.paragraph if passage else "")))
    for name, paragraphs, written in _cases(text):
        if any((name, p) not in pins for p in paragraphs):
            problems.append(f"“{written}” is not among the retrieved passages")
    sources = norm(" ".join(evidence[fn.chunk_id].text for fn in footnotes if fn.chunk_id in evidence))
    for quoted in re.findall(r"[“\"]([^”\"]{12,})[”\"]", text):
        if norm(quoted.rstrip(" .…")) not in sources:
            problems.append(f"the quotation “{quoted[:60]}…” is not in the passages it cites")
    clean = " ".join(_MARKER.sub("", text).split(" "))
    return {"text": clean.strip(), "footnote_ids": used, "problems": problems}


def _generator(settings: "Settings"):
    from haystack.components.generators.chat import OpenAIChatGenerator
    from haystack.utils import Secret

    return OpenAIChatGenerator(api_key=Secret.from_token(settings.llm_api_key or "not-needed"),
                               model=str(settings.llm_model), api_base_url=settings.llm_url,
                               generation_kwargs={"temperature": 0.1}, timeout=120, max_retries=1)


_GLOSSARY_ONLY = re.compile(r"“(?P<zh>[^”]*[\u4e00-\u9fff][^”]*)” \[English \(glossary rendering of its terms, not a "
                            r"translation\): [^\]]*\]")


def translate_quotes(settings: "Settings", draft: Draft) -> None:
    """Give each Chinese quotation that has only the glossary's terms a machine translation, marked as such (the
    original stays beside it); a failure leaves the glossary rendering and says so in the warnings."""
    from kb.drafting.chinese import rendering

    generator = _generator(settings)
    done: dict[str, str] = {}
    for section in draft.sections:
        for para in section.paragraphs:
            for m in list(_GLOSSARY_ONLY.finditer(para.text)):
                chinese = m["zh"]
                if chinese not in done:
                    prompt = ("Translate this sentence of Chinese law or of a Chinese court's ruling into English for "
                              f"a court. Reply with the translation only.\n\n{chinese}")
                    try:
                        replies = generator.run(messages=[ChatMessage.from_user(prompt)])["replies"]
                    except Exception as exc:  # the endpoint is outside our control; the glossary rendering stands
                        draft.warnings.append(f"the language model at {settings.llm_url} could not translate a "
                                              f"Chinese quotation ({exc}); the glossary's terms are kept")
                        return
                    done[chinese] = " ".join((replies[0].text or "").split()) if replies else ""
                english = rendering(chinese, machine=done[chinese], model=str(settings.llm_model))
                if done[chinese] and english is not None:
                    para.text = para.text.replace(m.group(0), f"“{chinese}” {english.bracket()}")


def write_prose(settings: "Settings", draft: Draft, facts: str) -> None:
    """Rewrite each argument section as prose through the configured model; failures become warnings."""
    from haystack import Pipeline

    generator = _generator(settings)
    pipeline = Pipeline()
    pipeline.add_component("generator", generator)
    pipeline.add_component("checker", CitationChecker())
    pipeline.connect("generator.replies", "checker.replies")
    for section in draft.sections:
        ids = sorted({i for p in section.paragraphs if p.kind == "proposition" for i in p.footnote_ids})
        if not ids:
            continue
        given = [fn for fn in draft.footnotes if fn.id in ids]
        sources = "\n".join(f"[{fn.id}] {fn.citation}: {draft.evidence[fn.chunk_id].text}" for fn in given)
        prompt = (f"Write the argument for the ground '{section.heading}' in a submission against extradition.\n"
                  f"Facts: {facts}\n"
                  f"Use ONLY these passages. Put the passage number in square brackets, e.g. [{given[0].id}], after "
                  f"every sentence that relies on one. Do not cite anything else.\n\n{sources}")
        try:
            result = pipeline.run({"generator": {"messages": [ChatMessage.from_user(prompt)]},
                                   "checker": {"footnotes": given, "evidence": draft.evidence}})
        except Exception as exc:  # the endpoint is outside our control; the extractive draft stands
            draft.warnings.append(f"{section.heading}: the language model at {settings.llm_url} failed ({exc}); "
                                  "the extractive draft is kept")
            continue
        checked = result["checker"]
        draft.warnings += [f"{section.heading}: {p}" for p in checked["problems"]]
        if not checked["text"]:
            continue
        first = next(i for i, p in enumerate(section.paragraphs) if p.kind == "proposition")
        section.paragraphs = [p for i, p in enumerate(section.paragraphs) if i < first or p.kind != "proposition"]
        section.paragraphs.insert(first, DraftParagraph(checked["text"], checked["footnote_ids"], "prose"))
    used = {i for s in draft.sections for p in s.paragraphs for i in p.footnote_ids}
    draft.footnotes = [fn for fn in draft.footnotes if fn.id in used]


