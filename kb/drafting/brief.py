"""The brief as data: sections of paragraphs, each proposition footnoted to the passage it quotes, and the check
that every citation and quotation rests on a passage the draft holds (`Draft.check`).

A quote is the only kind of proposition the offline draft writes, so each one can be checked mechanically against
the passage its footnote cites. The warnings (`Draft.warnings`) are for the lawyer and never part of the brief.
"""

import re
from dataclasses import dataclass, field

from kb.drafting.matters import CollectedPassage
from kb.drafting.quotes import quoted_in
from legal.text import http_url, markdown_text

MAX_PROPOSITIONS = 4
"""Proposed passages a ground with nothing filed is drafted from."""
PROPOSED_NOTE = "proposed by the drafting assistant"
REMARKS = {"lost": "In the quotation, “[…]” marks a word missing in the source text.",
           "citations": "Citations within the quotation omitted (“[…]”)."}
"""What a footnote says about the printed quotation (`kb.drafting.quotes.omissions`)."""

# Data ---------------------------------------------------------------------------------------------------------------

@dataclass
class Footnote:
    """One footnote: the full pinpoint citation and the exact words quoted from the passage it cites."""

    id: int
    citation: str
    url: str | None
    chunk_id: str
    quote: str
    remark: str = ""
    """Said in the footnote after the citation, e.g. that a "[…]" in the quotation marks a word the source lost."""


@dataclass
class DraftParagraph:
    """A paragraph of the draft. `kind` tells the checker what it must carry.

    `proposition`: the Court's statement of the test, quoted from the passage its footnote cites; `evidence`: the
    requesting state's law or practice, or the lawyer's own evidence, quoted likewise; `rebuttal`: an authority the
    other side will rely on, quoted likewise (only under the rebuttal heading); `criterion`: one assurance factor with
    the evidence for it or a placeholder; `criteria`: the lead-in to the factors; `submission`, `conclusion`: the
    advocate's own words; `facts`: the client's instructions; `placeholder`: a visible gap to fill; `subheading`: a
    step of the argument; `prose`: written by a language model (checked by `CitationChecker`, footnote required).
    `italic` lists the case names in `text` that the exports set in italics.
    """

    text: str
    footnote_ids: list[int] = field(default_factory=list)
    kind: str = "proposition"
    italic: list[str] = field(default_factory=list)

    NEEDS_FOOTNOTE = ("proposition", "evidence", "rebuttal", "prose")


QUOTING = (*DraftParagraph.NEEDS_FOOTNOTE, "criterion")
"""The paragraph kinds whose “quotations” must be in the passages their footnotes cite."""


@dataclass
class DraftSection:
    ground: str
    heading: str
    paragraphs: list[DraftParagraph] = field(default_factory=list)


@dataclass
class Draft:
    title: str
    sections: list[DraftSection] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    evidence: dict[str, CollectedPassage] = field(default_factory=dict)
    """The passages the draft may cite, by chunk id: the matter's collected passages and the proposed ones."""

    def footnote(self, footnote_id: int) -> Footnote | None:
        return next((f for f in self.footnotes if f.id == footnote_id), None)

    def check(self) -> list[str]:
        """Every way the draft's citations fail to rest on its evidence; an empty list means it is sound."""
        problems: list[str] = []
        for fn in self.footnotes:
            passage = self.evidence.get(fn.chunk_id)
            if passage is None:
                problems.append(f"footnote {fn.id} ({fn.citation}) cites passage {fn.chunk_id}, "
                                "which is not among the draft's passages")
                continue
            if fn.citation != passage.citation:
                problems.append(f"footnote {fn.id} reads {fn.citation!r} but its passage is {passage.citation!r}")
            if fn.quote and not quoted_in(fn.quote, passage.text):
                problems.append(f"footnote {fn.id} ({fn.citation}): the quoted words are not in that passage")
        referenced: set[int] = set()
        for section in self.sections:
            for n, para in enumerate(section.paragraphs, 1):
                where = f"{section.heading}, paragraph {n}"
                missing = [i for i in para.footnote_ids if self.footnote(i) is None]
                if missing:
                    problems.append(f"{where}: footnote(s) {missing} do not exist")
                referenced.update(para.footnote_ids)
                if para.kind in DraftParagraph.NEEDS_FOOTNOTE and not para.footnote_ids:
                    problems.append(f"{where}: a {para.kind} with no footnote")
                sources = " ".join(self.evidence[f.chunk_id].text for i in para.footnote_ids
                                   if (f := self.footnote(i)) and f.chunk_id in self.evidence)
                if para.kind not in QUOTING:
                    continue  # the lawyer's own words (facts, submissions) may hold quotation marks of their own
                for quoted in re.findall(r"“([^”]{12,})”", para.text):
                    if not quoted_in(quoted.rstrip(" .…"), sources):
                        problems.append(f"{where}: the quotation “{quoted[:50]}…” is not in the passages it cites")
        unused = [f.id for f in self.footnotes if f.id not in referenced]
        if unused:
            problems.append(f"footnote(s) {unused} are never referenced in the text")
        return problems

    def markdown(self, appendix: str = "", footnote_text: dict[int, str] | None = None, preamble: str = "") -> str:
        """The brief as Markdown with `[^n]` footnotes (Pandoc, GitHub and Obsidian render them); the warnings are
        not part of it (they are for the lawyer, in `Draft.warnings`).

        `appendix` (e.g. the table of authorities) goes after the text and before the footnote definitions;
        `footnote_text` replaces a footnote's full citation (the export's "cited above" form for repeats);
        `preamble` (the court heading) comes before the title.
        """
        out = [preamble, ""] if preamble else []
        out += [f"# {md_text(self.title)}", ""]
        for section in self.sections:
            out += [f"## {md_text(section.heading)}", ""]
            for para in section.paragraphs:
                if para.kind == "subheading":
                    out += [f"### {md_text(para.text)}", ""]
                    continue
                marks = ",".join(f"[^{i}]" for i in para.footnote_ids)  # rendered "⁶,⁷", not "⁶⁷"
                out += [f"{md_italic(para.text, para.italic)}{marks}", ""]
        if appendix:
            out += [appendix.rstrip(), ""]
        for fn in self.footnotes:
            link = f" <{url}>" if (url := http_url(fn.url)) else ""
            text = (footnote_text or {}).get(fn.id) or f"{md_text(fn.citation)}."
            remark = f" {md_text(fn.remark)}" if fn.remark else ""
            out.append(f"[^{fn.id}]: {text}{link}{remark}")
        return "\n".join(out).rstrip() + "\n"


md_text = markdown_text
"""Passage or client text made inert in Markdown (`legal.text`): one line, no footnote mark, image, link or tag."""


def italic_spans(text: str, names: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_case_name) runs, so that each export sets the case names in italics its own way."""
    names = sorted({n for n in names if n and n in text}, key=len, reverse=True)
    if not names:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(n) for n in names))
    runs: list[tuple[str, bool]] = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            runs.append((text[last:m.start()], False))
        runs.append((m.group(0), True))
        last = m.end()
    if last < len(text):
        runs.append((text[last:], False))
    return runs


def md_italic(text: str, names: list[str]) -> str:
    """Markdown for `text` with the case names in `*italics*`."""
    out = []
    for piece, italic in italic_spans(" ".join((text or "").split()), names):
        inert = md_text(piece)
        if italic:
            inert = f"*{inert}*"
        out.append((" " if piece[:1] == " " else "") + inert + (" " if piece[-1:] == " " and piece.strip() else ""))
    return "".join(out)

