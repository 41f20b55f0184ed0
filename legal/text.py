"""Strings from documents and users made inert wherever they are shown: a terminal, HTML, Markdown, a link.

Titles, passages, matter names and source URLs come from outside (HUDOC, PDFs, uploads, a lawyer's typing). A
title `![x](http://tracker/p.png)` must not load an image in the app or the Markdown export, `javascript:` must not
become a link, an ANSI escape must not repaint the terminal and a right-to-left override must not reorder the
digits of a citation. Each output channel has one function here, and every place that emits such a string calls it.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
"""CSI (`ESC [ … m`), OSC (`ESC ] … BEL`, which can set a terminal's title or a hyperlink) and two-byte escapes."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
"""Embeddings, overrides and isolates (and the marks LRM/RLM/ALM): `no. 14038/88` must read the same in any context."""

_HTML_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'`*_[](){}#+-.!|~\\$:=/@^"}
_MD_INLINE = re.compile(r"([\\`*_<>&~|$@])|(\[)(?=\^|[^\]]*\][(\[:])|(:)(?=[A-Za-z-]+\[)")
"""Marks that make inline syntax: with `<` `&` escaped no tag, autolink or entity, with `$` no formula, and
`*` `_` `~` `` ` `` `|` keep the text's own look. A `[` is escaped where it could open a link, an image, a reference
definition or a footnote (`[…](`, `[…][`, `[…]:`, `[^`) and a `:` where it would start Streamlit's `:red[…]`; a
plain `[GC]` or `[…]` stays as the citation prints it (no definition can come from a document, so it links nowhere)."""
_MD_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<![\w.])(www)(\.)")
"""GFM turns bare `scheme://…` and `www.…` into links: a backslash before `://`'s colon or after `www` stops it."""
_MD_BLOCK_START = re.compile(r"^(?=[#>+\-=])|^(\d+)(?=[.)])")
"""A line starting `#`, `>`, `-`, `+`, `=` or `12.` would be a heading, quote, list or underline."""


_LINKIFY_TRIGGER = re.compile(r"(?i)(?<=[a-z]:)(?=//)|(?<=www)(?=\.)|(?=@)")
"""Where Streamlit's Markdown (remark-gfm) would start a bare link. It finds them in the *decoded* text, after
entities and backslash escapes are gone, so only a character in the text itself stops it: a word joiner (U+2060),
which shows as nothing."""
WORD_JOINER = "\u2060"

_UNSAFE = re.compile(f"{_CONTROL.pattern}|{_BIDI.pattern}")


def clean(text: str | None) -> str:
    """`text` without terminal escapes, control characters (tab and newline kept) or bidi overrides."""
    text = text or ""
    if not _UNSAFE.search(text):  # the common case, one scan: every document passes through here at ingest
        return text
    text = _ANSI.sub("", text)
    return _BIDI.sub("", _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def one_line(text: str | None) -> str:
    """`clean` text on a single line, whitespace runs collapsed: for titles, names, labels and CLI rows."""
    return " ".join(clean(text).split())


def html_text(text: str | None) -> str:
    """Every HTML- or Markdown-significant character as a numeric entity; newlines as line breaks.

    For `st.markdown(..., unsafe_allow_html=True)`, where the only markup is the one our own code writes: a
    character reference is text to both the HTML and the Markdown parser, so nothing in `text` becomes a tag, a link,
    an image or LaTeX; a bare URL or address gets a word joiner (`streamlit_text`).
    """
    out = "".join(_HTML_ENTITIES.get(c, c) for c in _LINKIFY_TRIGGER.sub(WORD_JOINER, clean(text)))
    return out.replace("\n", "<br>")


def markdown_text(text: str | None) -> str:
    """One line of Markdown that shows `text` literally (CommonMark, GFM, Streamlit): no image, link, autolink,
    HTML, footnote mark, heading, list or formula can come from it, while ordinary prose (`v.`, `§ 3 (a)`, `Art. 3:`)
    stays as it reads, because a lawyer also reads the Markdown file itself."""
    line = _MD_INLINE.sub(lambda m: "\\" + m.group(0), one_line(text))
    line = _MD_AUTOLINK.sub(lambda m: "\\:" if m.group(1) else f"{m.group(2)}\\.", line)
    return _MD_BLOCK_START.sub(lambda m: f"{m.group(1)}\\" if m.group(1) else "\\", line, count=1)


def streamlit_text(text: str | None) -> str:
    """`markdown_text` for Streamlit's own Markdown (`st.success`, `st.warning`, expander labels), which also links
    bare URLs and addresses found in the decoded text: those get a word joiner."""
    return markdown_text(_LINKIFY_TRIGGER.sub(WORD_JOINER, clean(text)))


def http_url(url: str | None) -> str | None:
    """`url` if it is an http(s) URL with a host, made safe to put inside `<…>` or `(…)`; otherwise None.

    Only the web links a citation needs survive: `javascript:`, `data:`, `file:` and relative links are dropped, and
    characters that could end the link or start markup (`<>"'` space, parentheses, backslash) are percent-encoded.
    """
    url = one_line(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(url, safe="/:?#[]@!$&*+,;=%~-._")


LEADING_NUMBER = re.compile(r"^\s*(\d{1,4})\.(?!\d)(\s*)")
"""A paragraph's printed number (`12. The Court…`), never the start of a decimal (`1.5 million`): the one pattern the
loaders read numbers with, and drafting, the quotation check, the near-duplicate filter and the index strip them
with (`leading_number`, `numbered`)."""
FOOTNOTE_MARKS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
STOPWORDS = frozenset("""a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have having he her
here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other
our out over own same she should so some such than that the their them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your can may must
shall might also been ever still even much many under whether someone something does anyone""".split())
"""English words that say nothing of a text's subject: left out of the words a hit must contain to be strong
(`kb.search.strength`), of the words a quotation is chosen by (`kb.drafting.quotes`, with the words every ground's
query repeats) and of the words the app highlights (`ui.render`, with the words of every case name and article)."""


def leading_number(text: str, alone: bool = False) -> int | None:
    """The number a paragraph starts with (`12. The Court…`, `12.The Court…` → 12), or None; `alone`: also a number
    with nothing after it (`12.`: HUDOC prints the number in an element of its own)."""
    match = LEADING_NUMBER.match(text)
    return int(match.group(1)) if match and (alone or match.end() < len(text)) else None


def numbered(text: str) -> tuple[int, str] | None:
    """(number, the text after it) of a paragraph that starts with its printed number and a space (`12. The
    Court…`); None otherwise (`12.The`, a PDF's glued number, is kept as text)."""
    match = LEADING_NUMBER.match(text)
    return (int(match.group(1)), text[match.end():]) if match and match.group(2) else None


def strip_number(text: str) -> str:
    """The paragraph without its printed number (`numbered`), or as it is."""
    parts = numbered(text)
    return parts[1] if parts else text


def index_text(text: str) -> str:
    """What is embedded and BM25-indexed: the paragraph without its printed number and footnote marks (noise for
    both; a mark glued to a word, `communities¹`, would make BM25 miss the word). Here, below the write path and
    search alike, because both must read a passage the same way: the ranker compares a question with the very text
    the embedding cache was filled with."""
    return FOOTNOTE_MARKS.sub("", strip_number(text)).strip()


_HYPHEN_SPACE = re.compile(r"([^\W_][\w’'-]*)- ([^\W\d_]\w*)")
CONJUNCTIONS = frozenset("and or nor und oder och eller og en et ou y e i ja ve".split())
"""The words after a suspended hyphen (`Radio- und Fernsehgesellschaft`, `pre- and post-trial`): that hyphen is real."""
_ROMAN = re.compile(r"[IVXLC]+|[ivxlc]+")


def broken_hyphen(before: str, after: str) -> bool:
    """Whether `before- after` is one word the source broke at the end of a line, its break become a space: `Al-
    Adsani`, `Ungoed- Thomas`, `post- Tarakhel` (all 11 such places of the UK corpus). Only before a capital: a lower
    case word after `- ` is as often a dash without its space (`address- here`). A suspended hyphen (`LAND- UND`) and
    a dash after a list mark (`V- The`, `c- Information`) stay."""
    return (before[-1:].isalpha() and after[:1].isupper() and after.lower() not in CONJUNCTIONS
            and not (len(before) == 1 or _ROMAN.fullmatch(before)))


def join_broken_hyphens(text: str) -> str:
    """`text` with each `word- Word` a line break made (`broken_hyphen`) one word again, `Al-Adsani`; real dashes
    (`Article 3 - prohibition`, `Försäkrings- och Skadeståndsjuridik`) are left as they are."""
    if "- " not in text:
        return text
    return _HYPHEN_SPACE.sub(lambda m: f"{m.group(1)}-{m.group(2)}" if broken_hyphen(m.group(1), m.group(2))
                             else m.group(0), text)


ARTICLES = re.compile(r"\bArt(?:icles?|\.)\s+(\d+(?:\s*(?:§\s*\d+|,|and|or|\d+))*)")
"""The Convention articles a passage names ("Article 8", "Articles 3 and 13", "Art. 5 § 1")."""


ANY_CASE_ARTICLES = re.compile(ARTICLES.pattern, re.I)
"""`ARTICLES` in any case: a heading's capitals ("II. ALLEGED VIOLATION OF ARTICLES 2 AND 3 OF THE CONVENTION"), a
lawyer's lower case ("under article 5")."""


_OF_PROTOCOL = re.compile(r"\s*(?:of\s+)?(?:the\s+)?Protocol\s+(?:N\s?[o°]\s?\.?\s*)?(\d+)\b", re.I)
"""What follows an Article of a Protocol: `ARTICLE 1 OF PROTOCOL No. 1`, as the sources also print it (`PROTOCOL
NO.1`, `PROTOCOL N o. 1`, `Protocol n o . 1`, `PROTOCOL N° 4`, `Protocol No 1`, `ARTICLE 1 PROTOCOL NO. 1`)."""


def _article_numbers(pattern: re.Pattern[str], text: str | None) -> set[str]:
    """The article numbers `pattern`'s matches name, not the paragraph numbers after "§"; an Article of a Protocol as
    HUDOC writes it, `P1-1` (Article 1 of Protocol No. 1 is not the Convention's Article 1)."""
    found = set()
    for m in pattern.finditer(text or ""):
        numbers = re.findall(r"(?<!§)(?<!§ )\b\d+", m.group(1))
        protocol = _OF_PROTOCOL.match(text or "", m.end())
        prefix = f"P{protocol.group(1)}-" if protocol else ""
        found.update(prefix + n for n in numbers)
    return found


def named_articles(text: str) -> set[str]:
    """The article numbers a passage names, where the Court writes "Article"."""
    return _article_numbers(ARTICLES, text)


def articles_in(text: str | None) -> set[str]:
    """The article numbers a heading path or a question names, in any case ("… ARTICLE 5 § 1 …" → {"5"}; "ARTICLE 1
    OF PROTOCOL No. 1" → {"P1-1"})."""
    return _article_numbers(ANY_CASE_ARTICLES, text)


_SENTENCE_END = re.compile(r"(\S*?)[.!?][”’\"»)\]]*(?=\s+[“‘\"(]?[A-ZÀ-ÖØ-Þ])")
_ABBREVIATIONS = frozenset("""no nos nr v vs p pp para paras art arts mr mrs ms mm dr st e.g i.e cf etc ltd co vol ibid
op cit seq sect eur comm dec ref fig inc jr sr prof gen col lt rev hon ed eds ch cl sch reg regs s ss n fn approx al
viz id resp sq""".split())
"""Words a full stop follows without ending the sentence: `Series A no. 161`, `Soering v. the United Kingdom`,
`Article 6 para. 3 (d)`, `Mrs. J. Liddy`."""
UNCLOSED_PARENTHESIS = 1_000
"""Characters after which an opening parenthesis still open is taken to have lost its `)` (the roma-watch texts drop
some), so one stray `(` does not forbid every cut after it."""


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence end where a passage may be cut: a full stop (or `!`, `?`, with any closing
    quotes or brackets) before a space and a capital, never inside parentheses or square brackets (a citation such as
    `(see Soering v. the United Kingdom, 7 July 1989, § 91, Series A no. 161)`), never after an abbreviation
    (`no.`, `v.`, `para.`), an initial (`J.`, `D.R.`) or a heading label in capitals (`II.`)."""
    depth, opened, ends = 0, 0, []
    last = 0
    for match in _SENTENCE_END.finditer(text):
        for i in range(last, match.end()):
            char = text[i]
            if char in "([":
                depth, opened = depth + 1, opened if depth else i
            elif char in ")]" and depth:
                depth -= 1
        last = match.end()
        if depth and match.end() - opened > UNCLOSED_PARENTHESIS:
            depth = 0
        word = match.group(1).strip("()[]“”‘’\"'")
        letters = word.replace("-", "")
        if depth or "." in word or word.lower() in _ABBREVIATIONS or len(letters) < 2 and not word.isdigit():
            continue
        if letters.isalpha() and letters.isupper() and len(letters) <= 4:
            continue
        ends.append(match.end())
    return ends


def passages(text: str, bound: int) -> list[str]:
    """`text` cut at sentence ends (`sentence_ends`) into passages of at most `bound` characters, of even length:
    each a verbatim slice of `text`, in order, only the white space between them left out. A sentence longer than
    `bound` is a passage of its own."""
    if len(text) <= bound:
        return [text]
    target = len(text) / -(-len(text) // bound)
    cuts = [0, *sentence_ends(text), len(text)]
    out, start, previous = [], 0, 0
    for end in cuts[1:]:
        if end - start > bound and previous > start:
            out.append((start, previous))
            start = previous
        if end - start >= target or end == len(text):
            out.append((start, end))
            start = end
        previous = end
    pieces = [text[a:b].strip() for a, b in out]
    return [p for p in pieces if p]
