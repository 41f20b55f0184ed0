"""How well the estimated importance (`kb.citations.importance`) agrees with HUDOC's where HUDOC rated a judgment.

    KB_HOME=data .venv/bin/python bench/importance_check.py

(with the graph's own `leave_out`: `kb citations build --leave-out FILE` leaves those citing documents out)

5-fold over the rated judgments and decisions: each fold's levels are estimated from the other folds' ratings only
(as an unrated judgment's are), then compared with HUDOC's. Printed: exact agreement, within one level, and for key
cases (level 1) recall and precision; beside them the trivial baseline (every judgment the commonest level); then
the level and origin of the judgments the issue names, and how many judgments each level holds.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter

from kb.citations.graph import CITABLE_TYPES, iter_echr_documents, open_graph
from kb.citations.importance import estimate, evidence, importance
from kb.settings import Settings

NAMED = {"HEJUD-22414-93": "Chahal", "HEJUD-37201-06": "Saadi v. Italy", "HEJUD-8139-09": "Othman",
         "HEJUD-14038-88": "Soering", "HEJUD-22978-05": "Gäfgen"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    settings = Settings.load()
    graph = open_graph(settings.citations_db)
    if graph is None or settings.corpus is None:
        print("needs a citation graph (kb citations build) and KB_CORPUS", file=sys.stderr)
        return 2
    documents = list(iter_echr_documents(settings.corpus, lambda m: print(m, file=sys.stderr)))
    found = evidence(documents, graph)
    rated = {d.doc_id: d.importance for d in documents if d.importance is not None and d.doc_type in CITABLE_TYPES}
    ids = sorted(rated)
    random.Random(0).shuffle(ids)
    folds = [ids[i::5] for i in range(5)]
    guessed: dict[str, int] = {}
    for fold in folds:
        train = {d: rated[d] for d in ids if d not in set(fold)}
        levels = estimate(train, found)
        guessed.update({d: levels[d].level for d in fold})
    common = Counter(rated.values()).most_common(1)[0][0]
    trivial = dict.fromkeys(ids, common)
    for name, guess in (("estimated (5-fold)", guessed), (f"every judgment level {common}", trivial)):
        exact = sum(guess[d] == rated[d] for d in ids) / len(ids)
        near = sum(abs(guess[d] - rated[d]) <= 1 for d in ids) / len(ids)
        key = [d for d in ids if rated[d] == 1]
        called = [d for d in ids if guess[d] == 1]
        recall = sum(guess[d] == 1 for d in key) / len(key)
        precision = sum(rated[d] == 1 for d in called) / len(called) if called else 0.0
        print(f"{name}: {len(ids)} rated, exact {exact:.3f}, within one {near:.3f}, key cases recall {recall:.3f} "
              f"precision {precision:.3f}")
    levels = importance(documents, graph)
    for doc_id, name in NAMED.items():
        if doc_id in levels:
            print(f"{name} ({doc_id}): level {levels[doc_id].level}, {levels[doc_id].origin}")
    print("judgments and decisions per level:", dict(sorted(Counter(i.level for i in levels.values()).items())),
          f"of which estimated: {sum(i.origin != 'hudoc' for i in levels.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
