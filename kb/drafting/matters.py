"""Matters: one client's extradition case, with the passages a lawyer has collected for it, kept on disk.

A matter is one JSON file under `$KB_HOME/matters/`, written atomically (`kb.atomic.atomic_write`) so a
crash or a second Streamlit session never leaves half a file. Collected passages keep their quoted text and full
citation, not just a chunk id: the store may be rebuilt or re-chunked, the lawyer's brief must not change with it.

    from kb.drafting.matters import MatterStore
    store = MatterStore(settings.matters)
    matter = store.create("Li — extradition to the PRC", client="Mr Li Wei", requesting_state="China",
                          offence="embezzlement", penalty="life imprisonment", grounds=["article3", "assurances"])
    matter.add_passage(hit, "article3", note="the test", adverse=False)
    store.save(matter)

The matter's title names the file for the lawyer; the brief names the client (`Matter.client`). Only the grounds
the lawyer chose (`Matter.chosen_grounds`) are drafted. A file written before those fields existed still loads: its
client is unknown (the brief says "the requested person") and its grounds are the defaults plus those it has
passages under.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from filelock import FileLock, Timeout

from kb.atomic import atomic_write
from legal.errors import MatterConflictError, MatterError, MatterNotFoundError
from legal.grounds import GROUNDS as BUILT_IN

if TYPE_CHECKING:
    from kb.api import Hit

GROUNDS: dict[str, str] = {key: ground.label for key, ground in BUILT_IN.items()}
"""The built-in grounds' labels by key (`legal.grounds.GROUNDS`); a matter may add its own grounds."""

DEFAULT_GROUNDS: tuple[str, ...] = ("article3", "article6", "assurances")
"""The grounds a new matter starts with when the lawyer names none; each can be removed."""

FIELD_LIMITS = {"name": 200, "requesting_state": 200, "offence": 1_000, "risk_factors": 5_000, "notes": 50_000,
                "client": 200, "penalty": 1_000, "court": 200, "case_number": 100, "counsel": 500, "chambers": 500,
                "filing_date": 20}
"""Characters each matter field may hold: generous for what a lawyer types, small enough that a pasted file or a
script cannot make every page that shows the matter slow (the name is in the sidebar of every page)."""
FACT_FIELDS = ("name", "client", "requesting_state", "offence", "penalty", "risk_factors", "notes", "court",
               "case_number", "counsel", "chambers", "filing_date")
"""The facts of a matter a lawyer (or the drafting assistant) sets and changes; the brief is built from them."""
MAX_CUSTOM_GROUNDS = 50
MAX_GROUND_CHARS = 200
MAX_NOTE_CHARS = 5_000

T = TypeVar("T")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
SCHEMA_VERSION = 2


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:40].strip("-") or "matter"


@dataclass
class Assurance:
    """A diplomatic assurance the requesting state has offered: its words, who gave it and when."""

    text: str
    giver: str = ""
    date: str = ""


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
    adverse: bool = False
    """Authority the other side will rely on: the draft answers it under the rebuttal heading, never cites it in
    support."""
    source_kind: str | None = None
    grand_chamber: bool = False
    title: str | None = None
    date: str | None = None
    """What the table of authorities sorts by (category, then name); None in files written before they were kept."""
    role: str | None = None
    """Who is speaking (`ingest.loaders.echr.ROLES`), as stored with the passage; None in older files and outside
    the ECtHR."""
    translation: str = ""
    """The lawyer's English for a Chinese passage, printed beside the quotation as "translation by counsel"."""

    @classmethod
    def from_hit(cls, hit: Hit, ground: str, note: str = "", adverse: bool = False) -> CollectedPassage:
        return cls(chunk_id=hit.chunk_id, doc_id=hit.doc_id, paragraph=hit.paragraph, citation=hit.citation,
                   text=hit.text, url=hit.url, ground=ground, note=note, section=hit.section, heading=hit.heading,
                   adverse=adverse, source_kind=hit.source_kind, grand_chamber=bool(hit.grand_chamber),
                   title=hit.title, date=hit.date, role=hit.role)


@dataclass
class Matter:
    """One client's case: the facts the drafting assistant builds its searches from, and the collected passages."""

    id: str
    name: str
    """The matter's title, for the lawyer's lists; never printed in the brief's body."""
    requesting_state: str = ""
    offence: str = ""
    risk_factors: str = ""
    notes: str = ""
    passages: list[CollectedPassage] = field(default_factory=list)
    custom_grounds: list[str] = field(default_factory=list)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)
    client: str = ""
    """The requested person as the brief names them, e.g. "Mr Li Wei"."""
    penalty: str = ""
    """The maximum penalty for the offence in the requesting state, e.g. "death penalty (Criminal Law, art. 383)"."""
    chosen_grounds: list[str] = field(default_factory=lambda: list(DEFAULT_GROUNDS))
    assurances: list[Assurance] = field(default_factory=list)
    court: str = ""
    """The court the brief is filed in, printed at the head of the document, e.g. "Supreme Court of Sweden"."""
    case_number: str = ""
    """The court's case number, e.g. "Ö 1234-26"; the heading shows a gap to fill while it is empty."""
    counsel: str = ""
    """Who signs the brief, e.g. "Anna Berg, advokat"; one name per line."""
    chambers: str = ""
    """Counsel's firm or chambers and address, printed under the signature."""
    filing_date: str = ""
    """The date the brief bears (YYYY-MM-DD); empty means the day it is exported."""

    def client_name(self) -> str:
        return self.client.strip() or "the requested person"

    def available_grounds(self) -> dict[str, str]:
        """Every ground a passage may be filed under: built-in grounds, then the matter's own (its own label)."""
        return {**GROUNDS, **{g: g for g in self.custom_grounds if g not in GROUNDS}}

    def grounds(self) -> dict[str, str]:
        """The grounds the lawyer chose, in the order chosen: only these are drafted."""
        available = self.available_grounds()
        return {g: available[g] for g in self.chosen_grounds if g in available}

    def choose_grounds(self, grounds: list[str]) -> None:
        """Replace the chosen grounds; a name that is no built-in key becomes a ground of the matter's own."""
        chosen: list[str] = []
        for ground in grounds:
            ground = " ".join(ground.split())
            if not ground:
                continue
            if ground not in GROUNDS:
                if not re.search(r"[\s:]", ground):  # a mistyped key, not a label of the lawyer's own
                    raise ValueError(f"unknown ground {ground!r}; built-in grounds: {', '.join(GROUNDS)} "
                                     "(a ground of your own is a label with a space, e.g. 'Article 8: family life')")
                ground = self.add_custom_ground(ground)
            if ground not in chosen:
                chosen.append(ground)
        self.chosen_grounds = chosen
        self.updated = now_iso()

    def set_facts(self, **facts: str | None) -> None:
        """Change the facts given (`FACT_FIELDS`); a fact left None keeps its value, "" clears it (the name cannot be
        cleared). The name and the client are kept on one line, as `MatterStore.create` keeps them."""
        unknown = set(facts) - set(FACT_FIELDS)
        if unknown:
            raise MatterError(f"no matter field {sorted(unknown)[0]!r}; the facts are {', '.join(FACT_FIELDS)}")
        for name, value in facts.items():
            if value is None:
                continue
            value = " ".join(str(value).split()) if name in ("name", "client") else str(value)
            if name == "name" and not value:
                raise MatterError("a matter needs a name, e.g. the client's name and the requesting state")
            setattr(self, name, value)
        self.updated = now_iso()

    def remove_ground(self, ground: str) -> None:
        """Stop drafting `ground`; passages filed under it are kept (choosing it again brings them back)."""
        self.chosen_grounds = [g for g in self.chosen_grounds if g != ground]
        self.updated = now_iso()

    def add_assurance(self, text: str, giver: str = "", date: str = "") -> Assurance:
        text = " ".join((text or "").split())
        if not text:
            raise ValueError("an assurance needs its words, e.g. 'will not be subjected to torture'")
        assurance = Assurance(text, " ".join(giver.split()), date.strip())
        self.assurances.append(assurance)
        self.updated = now_iso()
        return assurance

    def ground_label(self, ground: str) -> str:
        return self.grounds().get(ground, ground)

    def add_custom_ground(self, label: str) -> str:
        label = " ".join(label.split())
        if not label:
            raise MatterError("a custom ground needs a name, e.g. 'Article 8: family life'")
        if label not in self.custom_grounds and label not in GROUNDS:
            self.custom_grounds.append(label)
        if label not in self.chosen_grounds:
            self.chosen_grounds.append(label)
        return label

    def check_ground(self, ground: str) -> None:
        if ground not in self.available_grounds():
            valid = ", ".join(self.available_grounds())
            raise MatterError(f"unknown ground {ground!r} for matter {self.id}; valid grounds: {valid} (to argue a "
                              "ground of your own, add its label to the matter's grounds, e.g. 'Article 8: family "
                              "life')")

    def add_passage(self, hit: Hit, ground: str, note: str = "", adverse: bool = False) -> CollectedPassage:
        """File `hit` under `ground` (choosing the ground if it was not chosen: filing under it is choosing it).

        Adding the same passage to the same ground again updates its note and adverse mark, if given.
        """
        self.check_ground(ground)
        if ground not in self.chosen_grounds:
            self.chosen_grounds.append(ground)
        for existing in self.passages:
            if existing.chunk_id == hit.chunk_id and existing.ground == ground:
                existing.note = note or existing.note
                existing.adverse = adverse or existing.adverse
                return existing
        passage = CollectedPassage.from_hit(hit, ground, note, adverse)
        self.passages.append(passage)
        self.updated = now_iso()
        return passage

    def annotate(self, chunk_id: str, ground: str, note: str | None = None, adverse: bool | None = None,
                 translation: str | None = None, citation: str | None = None) -> CollectedPassage:
        """Change the lawyer's note on a collected passage, whether it is adverse, counsel's translation of it, or
        how it is cited (the lawyer's own document, whose author or date its file got wrong); returns the passage."""
        for passage in self.passages_for(ground):
            if passage.chunk_id == chunk_id:
                if note is not None:
                    passage.note = note.strip()
                if adverse is not None:
                    passage.adverse = adverse
                if translation is not None:
                    passage.translation = " ".join(translation.split())
                if citation is not None and " ".join(citation.split()):
                    passage.citation = " ".join(citation.split())
                self.updated = now_iso()
                return passage
        raise MatterError(f"matter {self.id} has no passage {chunk_id[:40]!r} under {ground[:200]!r}; "
                          "its passages are listed with their chunk_id and ground")

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
        return " ".join(x for x in (self.requesting_state, self.offence, self.penalty, self.risk_factors)
                        if x.strip())

    def check_limits(self) -> None:
        """Refuse (ValueError naming the field) a matter whose fields are not text or exceed `FIELD_LIMITS`."""
        for name, limit in FIELD_LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                raise ValueError(f"matter field '{name}' must be text, not {type(value).__name__}")
            if len(value) > limit:
                raise ValueError(f"matter field '{name}' has {len(value):,} characters; the limit is {limit:,}")
        if len(self.custom_grounds) > MAX_CUSTOM_GROUNDS:
            raise ValueError(f"{len(self.custom_grounds)} custom grounds; the limit is {MAX_CUSTOM_GROUNDS}")
        for label in self.custom_grounds:
            if len(label) > MAX_GROUND_CHARS:
                raise ValueError(f"a ground name has {len(label):,} characters; the limit is {MAX_GROUND_CHARS}")
        for passage in self.passages:
            if len(passage.translation or "") > MAX_NOTE_CHARS:
                raise ValueError(f"a passage translation has {len(passage.translation):,} characters; "
                                 f"the limit is {MAX_NOTE_CHARS:,}")
            if len(passage.note or "") > MAX_NOTE_CHARS:
                raise ValueError(f"a passage note has {len(passage.note):,} characters; "
                                 f"the limit is {MAX_NOTE_CHARS:,}")
        for a in self.assurances:
            if len(a.text) + len(a.giver) + len(a.date) > MAX_NOTE_CHARS:
                raise ValueError(f"an assurance has more than {MAX_NOTE_CHARS:,} characters")

    def to_dict(self) -> dict:
        return {"schema": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict, source: Path | str = "<dict>") -> Matter:
        """A matter from its file; files from schema 1 (no client, grounds or assurances) load with defaults."""
        known = {f.name for f in fields(cls)}
        try:
            passages = [CollectedPassage(**_known(CollectedPassage, p)) for p in data.get("passages", [])]
            assurances = [Assurance(**_known(Assurance, a)) for a in data.get("assurances", [])]
            values = {k: v for k, v in data.items() if k in known and k not in ("passages", "assurances")}
            matter = cls(**values, passages=passages, assurances=assurances)
        except TypeError as exc:
            raise MatterError(f"{source}: not a matter file ({exc}); restore it from a backup or delete it") from None
        if "chosen_grounds" not in data:
            matter.chosen_grounds = list(dict.fromkeys([*DEFAULT_GROUNDS, *matter.custom_grounds,
                                                        *(p.ground for p in passages)]))
        return matter


def _known(kind: type, data: dict) -> dict:
    """The keys of `data` that `kind` has: a file written by a newer version still loads."""
    if not isinstance(data, dict):
        raise TypeError(f"expected an object, got {type(data).__name__}")
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in data.items() if k in names}


class MatterStore:
    """A folder of matter files; every call reads from disk, so several sessions see each other's changes.

    Writers never lose each other's changes: the app, the CLI and the MCP server may write one matter at once.
    `update` reads, changes and writes a matter under its lock (a `filelock` per matter, in `.locks/`), so two
    updates apply one after the other; `save` of a matter read earlier refuses (`MatterConflictError`) when the file
    changed since, rather than overwrite the other writer's change with a stale copy."""

    LOCK_TIMEOUT = 10.0
    """Seconds a writer waits for another's lock; a write holds it for milliseconds (one JSON file)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def _path(self, matter_id: str) -> Path:
        if not _ID_RE.match(matter_id or ""):
            raise MatterNotFoundError(f"{_shown(matter_id)} is not a matter id; `kb matter list` shows the ids")
        return self.folder / f"{matter_id}.json"

    @contextmanager
    def _locked(self, matter_id: str) -> Iterator[Path]:
        path = self._path(matter_id)
        (self.folder / ".locks").mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(self.folder / ".locks" / f"{matter_id}.lock", timeout=self.LOCK_TIMEOUT):
                yield path
        except Timeout:
            raise MatterError(f"matter {matter_id} is being written by another session for over "
                              f"{self.LOCK_TIMEOUT:.0f} s; try again") from None

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
               notes: str = "", *, client: str = "", penalty: str = "", grounds: list[str] | None = None,
               assurances: list[Assurance] | None = None) -> Matter:
        """A new matter on disk; `grounds` None means the defaults (`DEFAULT_GROUNDS`)."""
        name = " ".join((name or "").split())
        if not name:
            raise MatterError("a matter needs a name, e.g. the client's name and the requesting state")
        matter = Matter(id=f"{_slug(name)}-{uuid.uuid4().hex[:6]}", name=name, requesting_state=requesting_state,
                        offence=offence, risk_factors=risk_factors, notes=notes, client=" ".join(client.split()),
                        penalty=penalty)
        if grounds is not None:
            matter.choose_grounds(grounds)
        for a in assurances or []:
            matter.add_assurance(a.text, a.giver, a.date)
        self.save(matter, touch=False)
        return matter

    def get(self, matter_id: str) -> Matter:
        path = self._path(matter_id)
        if not path.exists():
            raise MatterNotFoundError(f"no matter {_shown(matter_id)}; `kb matter list` shows the ids")
        return self._read(path)

    def update(self, matter_id: str, change: Callable[[Matter], T]) -> T:
        """Read the matter, apply `change` and write it, all under the matter's lock; returns what `change` returns.
        A `change` that raises leaves the file as it was."""
        with self._locked(matter_id):
            matter = self.get(matter_id)
            result = change(matter)
            self._write(matter, touch=True)
            return result

    def save(self, matter: Matter, touch: bool = True) -> None:
        """Write `matter`; refused when it was read from a file another writer has changed since (`update` applies a
        change to the current file instead)."""
        with self._locked(matter.id) as path:
            read_as = getattr(matter, "_revision", None)
            if read_as is not None and path.exists() and self._read(path).updated != read_as:
                raise MatterConflictError(f"matter {matter.id} was changed by another session since it was opened; "
                                          "open it again and repeat the change")
            self._write(matter, touch)

    def _write(self, matter: Matter, touch: bool) -> None:
        matter.check_limits()
        if touch:
            matter.updated = now_iso()
        atomic_write(self._path(matter.id), json.dumps(matter.to_dict(), ensure_ascii=False, indent=1))
        matter._revision = matter.updated  # type: ignore[attr-defined]

    def delete(self, matter_id: str) -> None:
        with self._locked(matter_id) as path:
            if not path.exists():
                raise MatterNotFoundError(f"no matter {_shown(matter_id)}; `kb matter list` shows the ids")
            path.unlink()

    @staticmethod
    def _read(path: Path) -> Matter:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise MatterError(f"{path.name}: damaged matter file ({exc}); restore it from a backup or delete it") \
                from None
        if not isinstance(data, dict):
            raise MatterError(f"{path.name}: not a matter file; restore it from a backup or delete it")
        matter = Matter.from_dict(data, path.name)
        matter._revision = matter.updated  # type: ignore[attr-defined]
        return matter


def _shown(matter_id: str | None) -> str:
    """A matter id as an error quotes it: at most 80 characters (the longest valid id), so a pasted document sent as
    an id does not come back whole."""
    text = repr(matter_id)
    return text if len(text) <= 82 else text[:80] + "…'"
