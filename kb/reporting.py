"""How a long run (ingest, update, `kb citations build`, evaluation) reports to whoever started it: the progress and
warning callbacks it takes, and the default warning printer.

Why a foundation module of its own: the facade's methods take these as hints and defaults, and while they lived in
the sync engine (`kb.indexing.sync`), importing the facade imported the whole write path with them (Haystack, Qdrant
Edge) for three names, which `kb check` and every adapter's start paid.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

ProgressFn = Callable[[int, int | None, str], None]
"""Called with (done, total, what) as a run goes; total is None when not known, and an estimate that moves in a
one-pass ingest, which writes as it reads (the chunks written per file read so far, times the files to read)."""
WarnFn = Callable[[str], None]
"""Called with each line a run wants a person to read (a file it could not read, a note on the result)."""


def stderr(message: str) -> None:
    print(message, file=sys.stderr)
