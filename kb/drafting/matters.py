"""Matters: one client's extradition case, with the passages a lawyer has collected for it, kept on disk.

A matter is one JSON file under `$KB_HOME/matters/`, written atomically (`kb.atomic.atomic_write`) so a
crash or a second Streamlit session never leaves half a file. Collected passages keep their quoted text and full
citation, not just a chunk id: the store may be rebuilt or re-chunked, the lawyer's brief must not change with it.

    from kb.drafting.matters import MatterStore
    store = MatterStore(settings.matters)
    matter = store.create("Li v. Requested extradition", requesting_state="China", offence="fraud")
    matter.add_passage(hit, "article3")
    store.save(matter)
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kb.atomic import atomic_write
from kb.errors import MatterError, MatterNotFoundError

if TYPE_CHECKING:
    from kb.api import Hit

GROUNDS: dict[str, str] = {
    "article3": "Article 3: real risk of torture or ill-treatment",
    "article6": "Article 6: flagrant denial of justice",
    "article5": "Article 5: arbitrary detention",
    "assurances": "Unreliable diplomatic assurances",
    "death_penalty": "Death penalty or irreducible life sentence",
    "detention_conditions": "Detention conditions",
    "political_persecution": "Political offence / persecution",
}
"""The bars to extradition a defence brief is usually built from; a matter may add its own grounds."""

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
SCHEMA_VERSION = 1


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:40].strip("-") or "matter"


@dataclass
class CollectedPassage:
    """A passage filed under a ground, self-contained: the quote and citation survive a store rebuild."""

    chunk_id: str
    doc_id: str
    paragraph: str | None
    citation: str
    text: str
    url: str | None
    ground: str
    note: str = ""
    added: str = field(default_factory=now_iso)
    section: str | None = None
    heading: str | None = None
    """Where the passage sits in its judgment; tells the Court's own reasoning from a party's submissions."""

    @classmethod
    def from_hit(cls, hit: Hit, ground: str, note: str = "") -> CollectedPassage:
        return cls(chunk_id=hit.chunk_id, doc_id=hit.doc_id, paragraph=hit.paragraph, citation=hit.citation,
                   text=hit.text, url=hit.url, ground=ground, note=note, section=hit.section, heading=hit.heading)


@dataclass
class Matter:
    """One client's case: the facts the drafting assistant builds its searches from, and the collected passages."""

    id: str
    name: str
    requesting_state: str = ""
    offence: str = ""
    risk_factors: str = ""
    notes: str = ""
    passages: list[CollectedPassage] = field(default_factory=list)
    custom_grounds: list[str] = field(default_factory=list)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    def grounds(self) -> dict[str, str]:
        """Built-in grounds, then the matter's own (a custom ground is its own label)."""
        return {**GROUNDS, **{g: g for g in self.custom_grounds if g not in GROUNDS}}

    def ground_label(self, ground: str) -> str:
        return self.grounds().get(ground, ground)

    def add_custom_ground(self, label: str) -> str:
        label = " ".join(label.split())
        if not label:
            raise MatterError("a custom ground needs a name, e.g. 'Article 8: family life'")
        if label not in self.custom_grounds and label not in GROUNDS:
            self.custom_grounds.append(label)
        return label

    def check_ground(self, ground: str) -> None:
        if ground not in self.grounds():
            valid = ", ".join(self.grounds())
            raise MatterError(f"unknown ground {ground!r} for matter {self.id}; valid grounds: {valid} "
                             "(add your own with add_custom_ground)")

    def add_passage(self, hit: Hit, ground: str, note: str = "") -> CollectedPassage:
        """File `hit` under `ground`; adding the same passage to the same ground again returns the existing entry."""
        self.check_ground(ground)
        for existing in self.passages:
            if existing.chunk_id == hit.chunk_id and existing.ground == ground:
                return existing
        passage = CollectedPassage.from_hit(hit, ground, note)
        self.passages.append(passage)
        self.updated = now_iso()
        return passage

    def remove_passage(self, chunk_id: str, ground: str | None = None) -> int:
        """Remove the passage from one ground, or from every ground when `ground` is None; returns how many went."""
        before = len(self.passages)
        self.passages = [p for p in self.passages
                         if not (p.chunk_id == chunk_id and (ground is None or p.ground == ground))]
        removed = before - len(self.passages)
        if removed:
            self.updated = now_iso()
        return removed

    def passages_for(self, ground: str) -> list[CollectedPassage]:
        return [p for p in self.passages if p.ground == ground]

    def facts(self) -> str:
        """The matter's facts as one line of search terms."""
        return " ".join(x for x in (self.requesting_state, self.offence, self.risk_factors) if x.strip())

    def to_dict(self) -> dict:
        return {"schema": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict, source: Path | str = "<dict>") -> Matter:
        known = {f.name for f in fields(cls)}
        try:
            passages = [CollectedPassage(**p) for p in data.get("passages", [])]
            values = {k: v for k, v in data.items() if k in known and k != "passages"}
            return cls(**values, passages=passages)
        except TypeError as exc:
            raise MatterError(f"{source}: not a matter file ({exc}); restore it from a backup or delete it") from None


class MatterStore:
    """A folder of matter files; every call reads from disk, so several sessions see each other's changes."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def _path(self, matter_id: str) -> Path:
        if not _ID_RE.match(matter_id or ""):
            raise MatterNotFoundError(f"{matter_id!r} is not a matter id; `kb matter list` shows the ids")
        return self.folder / f"{matter_id}.json"

    def list(self) -> list[Matter]:
        """Every matter, most recently updated first; a damaged file is skipped rather than hiding the others."""
        if not self.folder.is_dir():
            return []
        matters = []
        for path in self.folder.glob("*.json"):
            try:
                matters.append(self._read(path))
            except (ValueError, OSError):
                continue
        return sorted(matters, key=lambda m: (m.updated, m.created), reverse=True)

    def create(self, name: str, requesting_state: str = "", offence: str = "", risk_factors: str = "",
               notes: str = "") -> Matter:
        name = " ".join((name or "").split())
        if not name:
            raise MatterError("a matter needs a name, e.g. the client's name and the requesting state")
        matter = Matter(id=f"{_slug(name)}-{uuid.uuid4().hex[:6]}", name=name, requesting_state=requesting_state,
                        offence=offence, risk_factors=risk_factors, notes=notes)
        self.save(matter, touch=False)
        return matter

    def get(self, matter_id: str) -> Matter:
        path = self._path(matter_id)
        if not path.exists():
            raise MatterNotFoundError(f"no matter {matter_id!r} in {self.folder}; `kb matter list` shows the ids")
        return self._read(path)

    def save(self, matter: Matter, touch: bool = True) -> None:
        path = self._path(matter.id)
        if touch:
            matter.updated = now_iso()
        atomic_write(path, json.dumps(matter.to_dict(), ensure_ascii=False, indent=1))

    def delete(self, matter_id: str) -> None:
        path = self._path(matter_id)
        if not path.exists():
            raise MatterNotFoundError(f"no matter {matter_id!r} in {self.folder}; `kb matter list` shows the ids")
        path.unlink()

    @staticmethod
    def _read(path: Path) -> Matter:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise MatterError(f"{path}: damaged matter file ({exc}); restore it from a backup or delete it") from None
        if not isinstance(data, dict):
            raise MatterError(f"{path}: not a matter file; restore it from a backup or delete it")
        return Matter.from_dict(data, path)
