"""The embedding model on OpenVINO in bfloat16: the fused float32 ONNX export (`kb.embedding_onnx`) compiled by
OpenVINO's CPU plugin with bf16 inference precision, for CPUs that compute bf16 dot products natively (AVX-512 BF16,
AMX).

Why: the fill of the whole corpus is the model's time (issue 21). On this project's 2-core Zen 4 machine the same
export ran 1.96x the passages per CPU second of ONNX Runtime float32 (57.4 against 29.3, 4,000 ECtHR Court
paragraphs, batches of 8, same run, load 4-5; `bench/embed_runtimes.py --speed`), and its vectors agree with torch
float32 to cosine 0.99998 (mean; min 0.99995 over 2,000 passages of ECtHR, UK judgments, PRC law and UN documents):
OpenVINO keeps LayerNorm, softmax and the accumulations in float32 and rounds only the matrix products' inputs to
bf16. Still another vector space
(`Embedding.vector_space`): a store holds one space, and its queries are embedded in it (`kb.store.space`).

The tokens, batching by token count, mean pooling and normalisation are `kb.embedding_onnx.OnnxEncoder`'s; only the
session differs (`CompiledEncoder`, which `onnx_encoder` gives it).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

LENGTH_MULTIPLE = 8
"""Batches reach OpenVINO with their length rounded up to a multiple of 8 tokens (masked, so the vectors are the
same; `kb.embedding_onnx.pad`). The CPU plugin keeps per-shape state, so its memory grows with the number of distinct
(batch, length) shapes it has run, and the fill's token-count batches and the app's one-query-at-a-time both give
many. One process, same run (load 7-8): the app's 600 queries of 3-60 words then a 4,000-passage fill slice, RSS
after the slice 547 MB exact, 345 MB rounded to 8, 323-329 MB to 16, 320 MB to 32 (the compiled model alone 267
MB); after the queries 328, 299, 275, 275 MB. The fill's passages per CPU second 56.1-56.3 exact, 57.5 to 8,
53.9-55.5 to 16, 53.6 to 32 (16 and 32 pad more tokens). `openvino-int8` grows more without it: 758 MB exact, 319
MB to 16."""


class CompiledEncoder:
    """An OpenVINO compiled model behind ONNX Runtime's `run` signature, so `OnnxEncoder` (and the benches that time
    its session) use it unchanged. One infer request per thread: a compiled model is shared, a request is not."""

    def __init__(self, onnx_file: Path, precision: str) -> None:
        import openvino as ov

        core = ov.Core()
        config = {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY",
                  # not pinned to cores: the machine is shared (the app's searches, other work)
                  "ENABLE_CPU_PINNING": False}
        if threads := int(os.environ.get("OMP_NUM_THREADS") or 0):
            config["INFERENCE_NUM_THREADS"] = threads
        self.compiled = core.compile_model(core.read_model(str(onnx_file)), "CPU", config)
        self._local = threading.local()

    def run(self, names: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        return [request.infer(feeds)[0].copy()]  # the request reuses its output buffer on the next call
