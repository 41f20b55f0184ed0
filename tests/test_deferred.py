"""torch loads on first use (kb/deferred.py), in a fresh interpreter: the test process itself has torch loaded."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import sys
    import kb.api, kb.indexing.update, kb.search.pipeline  # every haystack module kb uses, and with them torch
    stand_in = sys.modules["torch"]
    print(type(stand_in).__name__, "torch._C" in sys.modules)
    import torch.distributed as dist  # a submodule first (sentence-transformers does): torch imports it itself
    import torch
    print(torch is sys.modules["torch"], stand_in.zeros is torch.zeros, dist is torch.distributed,
          float(torch.relu(torch.tensor([-1.0, 2.0])).sum()))
""")


def test_torch_is_loaded_on_first_use_and_a_submodule_import_first_works() -> None:
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=PROJECT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["DeferredModule False", "True True True 2.0"], run.stdout
