"""Strings from documents and users are shown literally: the Markdown export, rendered by a real Markdown library,
has no image, script or foreign link from them; only source files under the configured folders are served."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt

from kb.drafting.draft import draft_argument
from kb.drafting.export import export_markdown
from kb.drafting.matters import FIELD_LIMITS, CollectedPassage, MatterStore
from legal.text import WORD_JOINER, clean, html_text, http_url, markdown_text
from ui.render import servable

TRACKER = "http://tracker.invalid"
HOSTILE = (f"![pixel]({TRACKER}/t.png) [click here](javascript:alert(1)) <img src=x onerror=alert(1)> "
           f"<script>alert(2)</script> {TRACKER}/bare www.tracker.invalid a@tracker.invalid [^1] $x^2$ :red[x] "
           "\x1b[31mred\x1b[0m \u202e88/83041")


def _rendered(markdown: str) -> lxml.html.HtmlElement:
    """The HTML a CommonMark renderer makes of `markdown`, raw HTML allowed (as GitHub, Pandoc and editors do)."""
    return lxml.html.fragment_fromstring(MarkdownIt("commonmark", {"html": True}).render(markdown),
                                         create_parent="div")


def _assert_inert(root: lxml.html.HtmlElement, allowed_hosts: set[str]) -> None:
    assert not root.xpath("//img|//script|//iframe|//object|//embed|//svg"), lxml.html.tostring(root)[:2000]
    assert not root.xpath("//*[@onerror or @onload or @onclick]")
    for href in root.xpath("//a/@href"):
        link = http_url(href)
        assert link is not None and link.split("/")[2] in allowed_hosts, href


@pytest.mark.parametrize("text", [HOSTILE, "# Heading", "12. listed", "> quoted", "- item", "=== underline",
                                  "<http://tracker.invalid/auto>", "`code` *em* _em_ ~~del~~ | cell |"])
def test_markdown_text_renders_as_the_same_words_and_nothing_else(text: str) -> None:
    root = _rendered(markdown_text(text))
    _assert_inert(root, set())
    assert not root.xpath("//a|//h1|//h2|//ol|//ul|//blockquote|//code|//em|//del|//table")
    assert " ".join(root.text_content().split()) == " ".join(clean(text).split())


def test_html_text_shows_every_character_literally() -> None:
    root = lxml.html.fragment_fromstring(MarkdownIt("commonmark", {"html": True}).render(html_text(HOSTILE)),
                                         create_parent="div")
    _assert_inert(root, set())
    assert not root.xpath("//a")
    assert " ".join(root.text_content().replace(WORD_JOINER, "").split()) == " ".join(clean(HOSTILE).split())


def test_terminal_escapes_and_bidi_overrides_are_removed() -> None:
    assert clean("a\x1b[2J\x1b]0;title\x07b\u202ec\u2066d\u2069\r\ne\x00") == "abcd\ne"
    assert clean("plain text, § 3 — 中文") == "plain text, § 3 — 中文"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://hudoc.echr.coe.int/eng?i=001-57619", "https://hudoc.echr.coe.int/eng?i=001-57619"),
    ("http://x.org/a>b<img src=x onerror=alert(1)>", "http://x.org/a%3Eb%3Cimg%20src=x%20onerror=alert%281%29%3E"),
    ("javascript:alert(1)", None), ("JaVaScRiPt:alert(1)", None), ("data:text/html,<script>", None),
    ("file:///etc/passwd", None), ("//tracker.invalid/x", None), ("/relative", None), ("http://", None),
])
def test_only_http_links_survive(url: str, expected: str | None) -> None:
    assert http_url(url) == expected


def test_markdown_export_has_no_img_script_or_foreign_link_from_documents(sample_kb, tmp_path: Path) -> None:
    store = MatterStore(tmp_path / "matters")
    matter = store.create(f"Client {HOSTILE}"[:FIELD_LIMITS["name"]], requesting_state="China",
                          offence=f"fraud {HOSTILE}", risk_factors=HOSTILE)
    ground = matter.add_custom_ground(f"Ground {HOSTILE}"[:200])
    hit = next(h for h in sample_kb.search("extradite real risk torture requesting country", limit=20)
               if h.doc_id == "HEJUD-14038-88" and h.paragraph)
    passage = CollectedPassage.from_hit(hit, ground, note=HOSTILE)
    matter.passages.append(replace(passage, citation=f"{HOSTILE}, § 1", text=f"{hit.text} {HOSTILE}",
                                   url="http://x.org/a>b<img src=x onerror=alert(1)>"))
    matter.passages.append(replace(passage, chunk_id="other", url="javascript:alert(3)"))
    store.save(matter)
    draft = draft_argument(sample_kb, matter, grounds=["article3"])
    markdown = export_markdown(draft, matter)
    assert HOSTILE[:20] not in markdown, "document text must reach the export escaped"
    assert "http\\://tracker.invalid/bare" in markdown and "www\\.tracker" in markdown, "no bare autolink"
    root = _rendered(markdown)
    hosts = {h for h in (http_url(p.url) for p in matter.passages) if h} | {
        h for h in (http_url(f.url) for f in draft.footnotes) if h}
    _assert_inert(root, {h.split("/")[2] for h in hosts})
    assert "javascript" not in " ".join(root.xpath("//a/@href"))
    assert "\x1b" not in markdown and "\u202e" not in markdown


def test_matter_fields_have_length_limits(tmp_path: Path) -> None:
    store = MatterStore(tmp_path)
    with pytest.raises(ValueError, match="matter field 'name' has 201 characters; the limit is 200"):
        store.create("x" * 201)
    matter = store.create("Client D")
    matter.notes = "n" * (FIELD_LIMITS["notes"] + 1)
    with pytest.raises(ValueError, match="matter field 'notes'"):
        store.save(matter)
    assert store.get(matter.id).notes == "", "the refused change is not written"


def test_only_files_under_the_source_folders_are_served(tmp_path: Path) -> None:
    corpus, uploads, outside = tmp_path / "corpus", tmp_path / "uploads", tmp_path / "secret"
    for folder in (corpus, uploads, outside):
        folder.mkdir()
    (corpus / "report.pdf").write_bytes(b"%PDF-1.4")
    (uploads / "note.md").write_text("note")
    (outside / "secret.txt").write_text("secret")
    os.symlink(outside / "secret.txt", corpus / "link.pdf")
    roots = [corpus, uploads]
    assert servable(corpus / "report.pdf", roots) and servable(uploads / "note.md", roots)
    assert not servable(outside / "secret.txt", roots)
    assert not servable(corpus / ".." / "secret" / "secret.txt", roots)
    assert not servable(corpus / "link.pdf", roots), "a link out of the corpus serves nothing"
    assert not servable(Path("/etc/passwd"), roots)
    assert not servable(corpus, roots), "a folder is not a file"
