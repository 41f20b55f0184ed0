"""Extradition-defence knowledge base: store, retrieval, citations, drafting."""

import os

# Offline by design: no model hub, and no usage telemetry from Haystack (it would try the network on every run).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

from kb.deferred import defer_import  # noqa: E402

# torch loads when the embedder first needs it, not whenever haystack is imported (kb/deferred.py says why).
defer_import("torch")
