"""Shared fixtures: where the read-only corpus lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def corpus_root() -> Path:
    """The corpus root: `KB_CORPUS` if set, else `../shared/corpus` next to the project checkout."""
    root = Path(os.environ.get("KB_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
    if not root.is_dir():
        pytest.skip(f"corpus not found at {root}; set KB_CORPUS")
    return root
