"""British and American spellings of a word made one word for BM25 (`fold_spelling`), on both sides: every text the
store's BM25 tokenizes (a chunk's `Bm25Text`, its word pairs, a document index's text) and every query.

Why: the tokenizer's English stemmer keeps the two spellings apart ("sterilization" and "sterilisation",
"behavior"/"behaviour", "defense"/"defence", "judgement"/"judgment", "centre"/"center", "programme"/"program",
"foetal"/"fetal", "licence"/"license", "practise"/"practice", "counsellor"/"counselor": each pair two term ids of
`qdrant_edge.Bm25`, session 25; "travelled"/"traveled" it already stems alike). The corpus writes both: the ECtHR and
UK judgments British (-ise, -our), the UN texts Oxford (-ize, -our), the US reports (CRS, State Department, Congress)
American, and a lawyer types either. An expert question on forced "sterilization" under Article 3 (dev-echr-qa
qa-299) never had its answer, V.C. v. Slovakia § 106 ("sterilisation"), in BM25's pool.

Folded onto one spelling (the direction only has to be the same on both sides): -ize/-yze → -ise/-yse (stem of 3+
letters: not size, seize, prize), -our → -or (stem of 2+ letters and a listed ending: not four, hour, your, court,
course), -tre/-bre/-gre/-vre → -ter/-ber/-ger/-ver (stem of 3+: not acre, massacre, genre, ogre), -lled/-lling/-ller/
-llor → one l (stem of 4+: not called, filled, killed, telling), -llment/-llful → -lment/-lful, judgement → judgment,
-logue → -log, and a short list of word starts (haem, paed, foet, oesoph, anaes…, defenc/offenc/licenc/pretenc → -ens,
practis → practic, programme, gaol, ageing, scept). Measured on the corpus's vocabulary (the chunks' text and
headings, session 25): 925 word types (89,197 tokens) change, 757 of them (78,134 tokens) to another term than the
tokenizer gave them (the stemmer already merged the rest, as travelled/traveled); the coordinator's prototype, the
same rules but -vre, -llor and `KEPT`, met a word already there in 450 groups, e.g.
organisation 5,654 + organization 391, defence 9,181 + defense 121, centre 6,566 + center 230, judgment 62,903 +
judgement 210, programme 2,052 + program 150, foetal 459 + fetal 12; French words of the corpus's French texts meet
their English twins (novembre, chambre, lettre, ministre), harmless. `KEPT` lists the words a rule reaches that are
not a spelling variant and stay as they are (flour is not flor).

The displayed text, payloads, quotations and the citation check never see the fold: only what BM25 tokenizes.

Fast: one compiled regular expression finds the candidate words (a word a rule may change), and only those go
through Python (`fold_word`, cached per word); the rest of the text is left as it is (`_CANDIDATE`).
"""

from __future__ import annotations

import functools
import re

STARTS = (("orthopaed", "orthoped"), ("haem", "hem"), ("anaem", "anem"), ("anaest", "anest"), ("paed", "ped"),
          ("oesoph", "esoph"), ("foet", "fet"), ("gynaec", "gynec"), ("leukaem", "leukem"), ("oedem", "edem"),
          ("oestr", "estr"), ("diarrhoe", "diarrhe"), ("manoeuv", "maneuv"), ("practis", "practic"),
          ("licenc", "licens"), ("defenc", "defens"), ("offenc", "offens"), ("pretenc", "pretens"),
          ("scept", "skept"), ("programme", "program"), ("gaol", "jail"), ("ageing", "aging"))
"""Word starts spelt two ways, British first (the first that matches applies)."""
KEPT = frozenset({"flour", "flours", "scour", "scours", "scoured", "scouring", "detour", "detours", "contour",
                  "contours", "devour", "devours", "devoured", "devouring", "amour", "amours", "paramour", "stour",
                  "chartres"})
"""Words a rule reaches that are not a spelling variant: folded, flour would meet "flor" (a name in the corpus) and
Chartres "charters"; the others are kept so no name or word they might meet is touched."""

_IZE = re.compile(r"([a-z]{3,}?)([iy])z(e|es|ed|ing|er|ers|ation|ations|ational|ationally|able)")
_OUR = re.compile(r"([a-z]{2,}?)our(|s|ed|ing|able|ably|ite|ites|ful|fully|less|er|ers|al|ally|hood|hoods|ism|ist"
                  r"|ists)")
_RE = re.compile(r"([a-z]{3,}?)([tbgv])re(|s|d)")
_LL = re.compile(r"([a-z]{4,}?)ll(ed|ing|er|ers|or|ors)")
_LLMENT = re.compile(r"([a-z]{2,}?)ll(ment|ments|ful|fully|fulness)")
_LOGUE = re.compile(r"([a-z]{3,})logue(s?)")

_NOT_LETTER = r"(?![^\W\d_])"
_CANDIDATE = re.compile("|".join((
    r"z(?<=[a-z]{3}[iy]z)(?:e|es|ed|ing|ers?|ations?|ational|ationally|able)" + _NOT_LETTER,
    r"u(?<=[a-z]{2}ou)r(?:s|ed|ing|able|ably|ites?|ful|fully|less|ers?|al|ally|hoods?|ism|ists?)?" + _NOT_LETTER,
    r"r(?<=[a-z]{3}[tbgv]r)e[sd]?" + _NOT_LETTER,
    r"l(?<=[a-z]{2}ll)(?:(?<=[a-z]{4}ll)(?:ed|ing|ers?|ors?)|ments?|ful|fully|fulness)" + _NOT_LETTER,
    r"g(?:(?<=[a-z]{3}log)ues?" + _NOT_LETTER + r"|(?<=dg)ement|(?<=ag)eing|aol)",
    r"e(?<=[ao]e)",
    r"p(?:aed|ractis|retenc|rogramme|(?<=scep)t)",
    r"f(?:(?<=def)|(?<=off))enc",
    r"c(?<=lic)enc",
)))
"""Where a word some rule may change shows, in the lower-cased text: a superset of the words `fold_word` changes
(the -ize, -our, -tre and -lled rules' stem lengths and endings are checked here, the word starts in `fold_word`).
Each alternative begins with the letter where a variant shows (the z of -ize, the u of -our, the r of -tre, the
second l, the e of ae/oe), not at the word's start. Why: a pattern whose every alternative begins with a literal
letter is searched by the regex engine's own scan for those letters; one alternative per rule from the word's start
took 57 s of CPU on the whole corpus's chunk text (189 M characters; the tokenizer's own `embed_document` 39-48 s),
this 6.6 s (8.1 s a second time, the cache warm: the machine's load varies)."""


@functools.lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """The word in the one spelling BM25 sees (lower case when changed; the tokenizer lowercases anyway), or the word
    itself when no rule applies."""
    w = word.lower()
    if w in KEPT:
        return word
    for old, new in STARTS:
        if w.startswith(old):
            w = new + w[len(old):]
            break
    w = w.replace("dgement", "dgment")
    if m := _LOGUE.fullmatch(w):
        w = f"{m[1]}log{m[2]}"
    if m := _IZE.fullmatch(w):
        w = f"{m[1]}{m[2]}s{m[3]}"
    if m := _OUR.fullmatch(w):
        w = f"{m[1]}or{m[2]}"
    if m := _RE.fullmatch(w):
        w = f"{m[1]}{m[2]}er{'ed' if m[3] == 'd' else m[3]}"
    if m := _LL.fullmatch(w):
        w = f"{m[1]}l{m[2]}"
    if m := _LLMENT.fullmatch(w):
        w = f"{m[1]}l{m[2]}"
    return w if w != word.lower() else word


def fold_spelling(text: str) -> str:
    """`text` with each British/American variant word in one spelling (see the module docstring); everything else,
    spacing and punctuation included, as it was."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer (İ): keep the positions
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    out: list[str] = []
    done = read = 0
    for match in _CANDIDATE.finditer(lowered):
        start, end = match.span()
        if start < read:
            continue  # a second anchor in a word already read
        while start and text[start - 1].isalpha():
            start -= 1
        while end < len(text) and text[end].isalpha():
            end += 1
        read = end
        word = text[start:end]
        folded = fold_word(word) if word.isascii() else word
        if folded != word:
            out += (text[done:start], folded)
            done = end
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)
