"""The corpus manifest (`corpus/sources.toml`): which source folders exist, how each is read, and which of them
a chunk budget applies to.

Why a `budgeted` flag: the ECtHR bulk (4,447 documents, ~300k paragraphs) is what a budget (`kb ingest --max-chunks`,
or `default_max_chunks` in a manifest's `[selection]`) cuts, most relevant documents first, and what `kb update` adds
only when asked. Every other source (PRC law, UN General Comments, reports, UK judgments, campaigns) is the requesting
state's half of a brief, so it is always read whole (issue 10). The shipped manifest sets no budget: `make run`
writes the whole corpus sparse-first and `kb embed` adds the dense vectors (issue 21).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from ingest.loaders import loader_for
from legal.errors import ConfigError, SelectionError


@dataclass(frozen=True)
class Source:
    """One `[[source]]` of the manifest: files `glob` under `path` (relative to the corpus root), read by `format`."""

    name: str
    path: str
    glob: str
    format: str
    kind: str
    default: bool = True
    budgeted: bool = False
    """Whether the default selection's chunk budget applies to it (the ECtHR bulk); other sources go in whole."""

    def files(self, corpus: Path) -> list[Path]:
        """The source's files in name order (empty when its folder is absent from this corpus)."""
        folder = corpus / self.path
        if not folder.exists():
            return []
        return sorted(p for p in folder.glob(self.glob) if p.is_file())

    def holds(self, rel: Path) -> bool:
        """Whether the corpus-relative path `rel` is one of this source's files."""
        try:
            inner = rel.relative_to(self.path)
        except ValueError:
            return False
        return inner.match(self.glob) or rel.match(f"{self.path}/{self.glob}")


@dataclass(frozen=True)
class Manifest:
    sources: tuple[Source, ...]
    default_max_chunks: int | None = None
    """The default selection's budget, in chunks of `budgeted` sources."""
    links: dict[str, str] = field(default_factory=dict)
    """`[links]`: corpus folder → the public copy its files were taken from (`kb.citations.style.source_link`)."""

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"{path}: no corpus manifest there; set `manifest` to the sources.toml to use") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        known = {f.name for f in fields(Source)}
        sources = []
        for number, entry in enumerate(data.get("source", []), 1):
            unknown = set(entry) - known
            if unknown:
                raise ConfigError(f"{path}: source {number} has unknown keys {sorted(unknown)}; valid: {sorted(known)}")
            try:
                source = Source(**entry)
                loader_for(source.format)  # fails early, naming the valid formats
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{path}: source {number} ({entry.get('name')}): {exc}") from None
            sources.append(source)
        links = data.get("links", {})
        if not all(isinstance(v, str) and v.startswith("https://") for v in links.values()):
            raise ConfigError(f"{path}: every [links] value must be an https:// address")
        return cls(tuple(sources), data.get("selection", {}).get("default_max_chunks"), dict(links))

    def select(self, only: Iterable[str] = (), everything: bool = False) -> list[Source]:
        """`--only NAME` (a name or a prefix such as `echr`), `--all`, or the default sources."""
        only = [o.strip("/") for o in only]
        if only:
            chosen = [s for s in self.sources if any(s.name == o or s.name.startswith(o + "/") for o in only)]
            if not chosen:
                names = ", ".join(s.name for s in self.sources)
                raise SelectionError(f"--only {' '.join(only)} matches no source; sources: {names}")
            return chosen
        return [s for s in self.sources if everything or s.default]

    def source_of(self, corpus: Path, path: Path) -> Source | None:
        """The source a file under the corpus belongs to, so a single file is read exactly as a full run reads it."""
        try:
            rel = path.resolve().relative_to(corpus)
        except ValueError:
            return None
        return next((s for s in self.sources if s.holds(rel)), None)

