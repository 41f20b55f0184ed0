"""Every numbered ECtHR paragraph of the corpus, as the loader reads it, in one pickle: the text the experiments on
issue 22's expert questions (`bench/pool_sources.py`, `bench/train_court_model.py`) index and train on.

    .venv/bin/python bench/court_paragraphs.py [--corpus ../shared/corpus] [--out /work/cache/meaning/paragraphs.pkl]

Each row: (doc_id, paragraph, doc_type, role, section, heading, grand_chamber, date, text). Why a file: reading and
splitting the 4,800 ECtHR records takes minutes of CPU, the experiments read it many times.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from pathlib import Path

from ingest.loaders.echr import load


def rows(corpus: Path):
    for path in sorted((corpus / "echr").rglob("*.json*")):
        try:
            docs = load(path, str(path.relative_to(corpus)), "echr")
        except Exception as exc:  # noqa: BLE001 — a bad record is reported and skipped, the rest are read
            print(f"{path}: {exc}", file=sys.stderr)
            continue
        for doc in docs:
            for p in doc.paragraphs:
                if p.number is not None:
                    yield (doc.doc_id, str(p.number), doc.doc_type, p.role, p.section, p.heading,
                           bool(doc.extra.get("grand_chamber")), doc.date, p.text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("KB_CORPUS", "../shared/corpus")))
    parser.add_argument("--out", type=Path, default=Path("/work/cache/meaning/paragraphs.pkl"))
    args = parser.parse_args(argv)
    out = list(rows(args.corpus))
    args.out.write_bytes(pickle.dumps(out))
    print(f"{len(out)} numbered paragraphs of {len({r[0] for r in out})} documents → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
