"""Which vector space a store's dense vectors are in, recorded beside the store (`Settings.space_record`), so a store
never mixes spaces and its queries are embedded in its vectors' space.

Vectors of another runtime or precision are another space (`Embedding.vector_space`): an `openvino-bf16` query
against `onnx` (float32) passages, or a fill that went on in bf16 where float32 vectors stand, would compare vectors
that are not one function of the text. So the store keeps the runtime it was filled with: a `KnowledgeBase` reads the
record (`Settings.for_store`) and runs that runtime for this store whatever `KB_EMBED_RUNTIME` (or the default)
says, and says so.

`settle` writes the record when the store is opened (`open_store`): a store without one was filled before records
existed, by the float32 default of the time (`LEGACY_RUNTIME`) if it holds any dense vector; a store with no dense
vector yet (new, or written sparse-first) takes the configured runtime, even over an earlier record, since it has no
vectors to keep apart.
"""

from __future__ import annotations

import json
import logging
import os

from kb.settings import Settings
from kb.store.base import ChunkStore

LEGACY_RUNTIME = "onnx"
"""The runtime of every store filled before stores recorded their space: the float32 default of the time (`onnx`
and `torch` give one space)."""


def settled(settings: Settings) -> bool:
    """Whether the store's record names the space `settings` ask for already: opening the store then changes nothing
    (a store with dense vectors keeps its record, one without takes the asked runtime, which it names), so neither
    `settle` nor `kb embed` need count the store's vectors or open it for that."""
    record = settings.recorded_space()
    return record is not None and record.get("vector_space") == settings.embedding.vector_space


def settle(settings: Settings, store: ChunkStore) -> None:
    """Record the store's space if it has none, or if it has no dense vector yet and another runtime is asked for
    (`settings` as asked, not yet `for_store`)."""
    if settled(settings):
        return
    record = settings.recorded_space()
    has_dense = store.count_missing_dense() < store.count()
    runtime = LEGACY_RUNTIME if has_dense else settings.embed_runtime
    space = settings.with_(embed_runtime=runtime).embedding.vector_space
    if record is not None and (has_dense or record.get("vector_space") == space):
        return
    path = settings.space_record
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps({"runtime": runtime, "vector_space": space}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only store still serves; its next writable opener records it
        logging.getLogger(__name__).warning("cannot record the vector space of %s in %s (%s)", settings.store, path,
                                            exc)
