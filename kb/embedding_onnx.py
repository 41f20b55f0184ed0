"""The embedding model on ONNX Runtime: the shipped weights exported once to ONNX on this machine, run without torch.

sentence-transformers' own ONNX and OpenVINO backends need optimum-onnx or optimum-intel, which pin transformers
below 4.58 (this project runs 5.x), so the export is done here with torch's exporter and ONNX Runtime's dynamic
quantiser, and the model is run with ONNX Runtime and the model's own fast tokenizer: the same tokens, the same
mean pooling and normalisation as sentence-transformers. The float32 export is fused (`FUSED`): ONNX Runtime's own
transformer optimizer rewrites each layer's attention, LayerNorm and GELU into single kernels, the same arithmetic.

Nothing is downloaded: `exported_model` writes `<model>-<weights digest>-<runtime>[-fused].onnx` into `KB_ONNX_DIR`
the first time a runtime is used with these weights (about 20 s), checks that its vectors agree with torch's on
`CHECK_TEXTS`, and records the file's digest beside it; a later process uses the file only if the digest still
matches. New weights have a new digest, hence a new file. Measured on real passages and the dev sets:
`bench/embed_runtimes.py`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
from filelock import FileLock

from kb.embedding_calibration import calibration_digest, calibration_texts
from kb.settings import Embedding
from legal.errors import ModelUnavailableError

INPUTS = ("input_ids", "attention_mask", "token_type_ids")

FUSED = ("onnx",)
"""Runtimes whose export is fused by `onnxruntime.transformers.optimizer` (in onnxruntime itself): the encoder's
token vectors in one Attention, SkipLayerNormalization, BiasGelu and EmbedLayerNormalization kernel each instead of
~50 small ops a layer. The same vectors (cosine 1.000000 with the unfused export's on 1,727 corpus passages) at
1.3x the speed (15.1 against 11.5 passages/s, both batched as before, 116 corpus passages, same run, load 7-11).
The optimizer recognises BERT's attention only as transformers' eager attention exports it (its SDPA path leaves
IsNaN/Where guards in the graph), so the fused export is made from the eager module. int8 keeps its unfused graph:
its vectors (a vector space of their own) stay what the cache holds."""

MIN_AGREEMENT = {"onnx": 0.9999, "onnx-int8": 0.98, "openvino-int8": 0.995}
"""Mean cosine with torch float32 on `CHECK_TEXTS` below which an export is refused: a check that the export is sound,
not a measure of its quality (that is `bench/embed_runtimes.py`). The exact export agrees to rounding (1.00000);
int8 0.992 here, OpenVINO's static int8 0.998. Broken exports fall well below: dropout left on 0.945, int8 with one
scale per tensor 0.954, static int8 with the FFN output products quantised too 0.995 (0.986 on PRC law)."""

CHECK_TEXTS = (
    "The applicant complained that his extradition to the requesting State would expose him to a real risk of "
    "treatment contrary to Article 3 of the Convention.",
    "The Court reiterates that expulsion by a Contracting State may give rise to an issue under Article 3 where "
    "substantial grounds have been shown for believing that the person concerned faces a real risk of being "
    "subjected to torture or to inhuman or degrading treatment or punishment in the receiving country.",
    "Diplomatic assurances are not in themselves sufficient to ensure adequate protection against the risk of "
    "ill-treatment where reliable sources have reported practices which are manifestly contrary to the Convention.",
    "The Committee against Torture recalls that the State party is bound by the principle of non-refoulement.",
    "Residential surveillance at a designated location may be applied for up to six months.",
    "Article 8: everyone has the right to respect for his private and family life, his home and his correspondence.",
    "Life imprisonment without any prospect of release or review.",
    "留置措施",
    "Held: there would be a violation of Article 3 if the applicant were extradited.",
    "Mr X was arrested on 3 May 2019 on the basis of an Interpol red notice and placed in detention pending "
    "extradition; the Regional Court dismissed his appeal, finding that the assurances given by the Prosecutor "
    "General's Office were sufficient, and the Supreme Court upheld that decision on 12 September 2019. " * 4,
)
"""Texts the export is checked on: short and long (the last is truncated at the model's 256 tokens), English and
Chinese, the kinds of passage the corpus holds."""


def exported_model(embedding: Embedding) -> Path:
    """The model file of `embedding`'s runtime, exported (ONNX) or quantised (`openvino-int8`, OpenVINO IR) and
    checked now if this machine has none."""
    model_dir = Path(embedding.model)
    stem = f"{model_dir.name}-{_weights_digest(model_dir)[:16]}-{embedding.runtime}"
    if embedding.runtime == "openvino-int8":
        target = embedding.onnx_dir / f"{stem}-{calibration_digest()[:8]}.xml"
    else:
        target = embedding.onnx_dir / f"{stem}{'-fused' if embedding.runtime in FUSED else ''}.onnx"
    if _verified(target):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(target) + ".lock")
    except OSError as exc:
        raise ModelUnavailableError(f"Cannot write the ONNX export of the model to {target.parent} ({exc}); set "
                                    "KB_ONNX_DIR to a writable folder, or KB_EMBED_RUNTIME=torch") from None
    with lock:  # another process may be exporting the same file: wait for it, then use its file
        if not _verified(target):
            if embedding.runtime == "openvino-int8":
                texts = calibration_texts(embedding.corpus)  # before the float32 export: a missing corpus fails now
                _quantise(exported_model(replace(embedding, runtime="onnx")), model_dir, texts, target)
            else:
                _export(model_dir, embedding.runtime, target)
    return target


def _weights_digest(model_dir: Path) -> str:
    """The export is valid for these bytes only: the model's configuration and weights."""
    return _sha256(*sorted(model_dir.glob("*.safetensors")), *sorted(model_dir.glob("*.bin")),
                   model_dir / "config.json")


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def _record(target: Path) -> Path:
    return target.with_suffix(".json")


def _files(target: Path) -> list[Path]:
    """The files a model is: an ONNX file, or OpenVINO's graph (.xml) and its weights (.bin)."""
    return [target, target.with_suffix(".bin")] if target.suffix == ".xml" else [target]


def _verified(target: Path) -> bool:
    """The file exists and is the one whose check passed (its digest is recorded beside it)."""
    try:
        record = json.loads(_record(target).read_text(encoding="utf-8"))
        return record.get("sha256") == _sha256(*_files(target))
    except (OSError, ValueError):
        return False


def _export(model_dir: Path, runtime: str, target: Path) -> None:
    """Export the float32 model with torch's exporter, fuse it (`FUSED`) or quantise it for `onnx-int8`, check it
    against torch on
    `CHECK_TEXTS`, then move it into place and record its digest (a file without its record is never used)."""
    import torch
    from transformers import AutoModel

    eager = {"attn_implementation": "eager"} if runtime in FUSED else {}
    bert = AutoModel.from_pretrained(str(model_dir), dtype=torch.float32, **eager).eval()

    class LastHiddenState(torch.nn.Module):
        """The encoder's token vectors from keyword inputs (the exporter passes inputs positionally)."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    tokenizer = model_tokenizer(model_dir)
    tmp = target.with_name(target.name + ".tmp")
    feeds = {name: torch.from_numpy(array) for name, array in tokenize(tokenizer, list(CHECK_TEXTS)).items()}
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        reference = pool(bert(**feeds).last_hidden_state.numpy(), feeds["attention_mask"].numpy())
        torch.onnx.export(LastHiddenState().eval(), tuple(feeds[name] for name in INPUTS), str(tmp),
                          input_names=list(INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    fused: dict[str, int] = {}
    if runtime in FUSED:
        fused = _fuse(tmp, bert.config.num_attention_heads, bert.config.hidden_size)
    if runtime == "onnx-int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantised = tmp.with_name(tmp.name + ".int8")
        # Per-channel int8 weights of every weight matrix product (not the attention's activation products);
        # per-tensor scales lost too much (mean cosine 0.954). reduce_range is not needed with VNNI and cost 0.0014.
        logging.disable(logging.WARNING)  # its advice to pre-process is for static quantisation
        try:
            quantize_dynamic(str(tmp), str(quantised), op_types_to_quantize=["MatMul"], per_channel=True,
                             reduce_range=False, weight_type=QuantType.QInt8)
        finally:
            logging.disable(logging.NOTSET)
        os.replace(quantised, tmp)
    got = OnnxEncoder(tmp, model_dir, batch_size=len(CHECK_TEXTS)).encode(list(CHECK_TEXTS))
    agreement = float((got * reference).sum(axis=1).mean())
    if agreement < MIN_AGREEMENT[runtime]:
        tmp.unlink()
        raise ModelUnavailableError(
            f"The {runtime} export of {model_dir} disagrees with torch (mean cosine {agreement:.4f} < "
            f"{MIN_AGREEMENT[runtime]}); set KB_EMBED_RUNTIME=torch")
    os.replace(tmp, target)
    record = {"sha256": _sha256(target), "runtime": runtime, "model": str(model_dir), "agreement": agreement,
              "torch": torch.__version__, "fused": fused}
    tmp_record = _record(tmp)
    tmp_record.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(tmp_record, _record(target))


def _quantise(fused: Path, model_dir: Path, calibration: list[str], target: Path) -> None:
    """`openvino-int8`: the fused float32 export quantised by NNCF's post-training quantisation (static: weights per
    channel, activations per tensor with ranges measured on the `calibration` texts, `kb.embedding_calibration`), for
    BERT (`ModelType.TRANSFORMER`: LayerNorm, softmax and GELU stay float) with SmoothQuant on the matrix products
    (alpha 0.95, NNCF's default).
    Each layer's FFN output product stays float (bf16 at run time): its input, GELU's output, holds the activation
    outliers that one int8 scale cannot cover (quantised, mean cosine with torch float32 0.9947, PRC law 0.9855; kept
    float, 0.9986 and 0.9974, 2,000 corpus passages). Checked like an export (`MIN_AGREEMENT`, against the float32
    export, which gives torch's vectors), then moved into place with its digest. About 40 s on 2 cores."""
    import time

    import nncf
    import openvino as ov
    from nncf.quantization.advanced_parameters import (
        AdvancedQuantizationParameters,
        AdvancedSmoothQuantParameters,
    )

    from kb.embedding_openvino import CompiledEncoder

    started = time.perf_counter()
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    ffn_output = [config["intermediate_size"], config["hidden_size"]]
    model = ov.Core().read_model(str(fused))
    keep_float = [op.get_friendly_name() for op in model.get_ordered_ops() if op.get_type_name() == "MatMul"
                  and op.input(1).get_partial_shape().is_static
                  and list(op.input(1).get_partial_shape().to_shape()) == ffn_output]
    tokenizer = model_tokenizer(model_dir)
    samples = [pad([e]) for e in tokenizer.encode_batch(calibration)]  # one text a sample: no padding in the ranges
    logging.disable(logging.WARNING)  # NNCF's progress and notes
    try:
        quantised = nncf.quantize(
            model, nncf.Dataset(samples), model_type=nncf.ModelType.TRANSFORMER, subset_size=len(samples),
            ignored_scope=nncf.IgnoredScope(names=keep_float),
            advanced_parameters=AdvancedQuantizationParameters(
                smooth_quant_alphas=AdvancedSmoothQuantParameters(matmul=0.95)))
    finally:
        logging.disable(logging.NOTSET)
    tmp = target.with_name(target.stem + ".tmp.xml")
    ov.save_model(quantised, str(tmp))
    reference = OnnxEncoder(fused, model_dir, batch_size=len(CHECK_TEXTS)).encode(list(CHECK_TEXTS))
    got = OnnxEncoder(tmp, model_dir, batch_size=len(CHECK_TEXTS),
                      session=CompiledEncoder(tmp, "bf16")).encode(list(CHECK_TEXTS))
    agreement = float((got * reference).sum(axis=1).mean())
    if agreement < MIN_AGREEMENT["openvino-int8"]:
        for path in _files(tmp):
            path.unlink()
        raise ModelUnavailableError(
            f"The openvino-int8 model of {model_dir} disagrees with float32 (mean cosine {agreement:.4f} < "
            f"{MIN_AGREEMENT['openvino-int8']}); set KB_EMBED_RUNTIME=openvino-bf16")
    for src, dst in zip(_files(tmp), _files(target), strict=True):
        os.replace(src, dst)
    record = {"sha256": _sha256(*_files(target)), "runtime": "openvino-int8", "model": str(model_dir),
              "agreement": agreement, "nncf": nncf.__version__, "openvino": ov.__version__,
              "calibration": calibration_digest(), "float": keep_float,
              "seconds": round(time.perf_counter() - started, 1)}
    _record(target).write_text(json.dumps(record, indent=1), encoding="utf-8")


def _fuse(path: Path, heads: int, hidden: int) -> dict[str, int]:
    """Rewrite the exported graph at `path` with ONNX Runtime's BERT fusions; returns the fused kernels' counts.
    opt_level 0: the fusions only, none of ONNX Runtime's hardware-specific rewrites, which the session applies
    when it loads the file."""
    from onnxruntime.transformers.optimizer import optimize_model

    logging.disable(logging.WARNING)  # it reports each fusion it tried
    try:
        model = optimize_model(str(path), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0)
    finally:
        logging.disable(logging.NOTSET)
    model.save_model_to_file(str(path))
    return {op: n for op, n in model.get_fused_operator_statistics().items() if n}


def model_tokenizer(model_dir: Path):
    """The model's fast tokenizer as sentence-transformers sets it: truncated at the model's max_seq_length
    (tokenizer.json itself says 128). Not padded: `pad` pads each batch to its longest text."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    config = model_dir / "sentence_bert_config.json"
    max_length = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length") if config.exists() else None
    tokenizer.enable_truncation(max_length or 512)
    tokenizer.no_padding()
    return tokenizer


def tokenize(tokenizer, texts: list[str]) -> dict[str, np.ndarray]:
    return pad(tokenizer.encode_batch(texts))


def pad(encodings: list, multiple: int = 1, limit: int | None = None) -> dict[str, np.ndarray]:
    """The model's inputs for a batch of encodings, padded to the longest, rounded up to a `multiple` of tokens (at
    most `limit`): pad id 0, mask 0 (BERT's [PAD] is id 0 in every BERT vocabulary, and a masked token's id does not
    change the other tokens' vectors)."""
    width = max((len(e.ids) for e in encodings), default=0)
    rounded = -(-width // multiple) * multiple
    width = rounded if limit is None else max(width, min(rounded, limit))
    feeds = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in INPUTS}
    for row, e in enumerate(encodings):
        feeds["input_ids"][row, : len(e.ids)] = e.ids
        feeds["attention_mask"][row, : len(e.ids)] = 1
        feeds["token_type_ids"][row, : len(e.ids)] = e.type_ids
    return feeds


def pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors under the attention mask, normalised to unit length (the model's pooling)."""
    weights = mask[..., None].astype(np.float32)
    mean = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)


def _mean_pooling(model_dir: Path) -> bool:
    config = model_dir / "1_Pooling" / "config.json"
    if not config.exists():
        return False
    pooling = json.loads(config.read_text(encoding="utf-8"))
    return pooling.get("pooling_mode_mean_tokens") is True and not any(
        value is True for key, value in pooling.items() if key.startswith("pooling_mode_") and
        key != "pooling_mode_mean_tokens")


class OnnxEncoder:
    """Unit vectors for texts from an ONNX export of the model: tokens, ONNX Runtime, mean pooling.

    Texts are tokenised once, then run in batches of `batch_size` by token count, longest first, so a batch pads
    almost nothing: ordered by characters, as sentence-transformers does, batches of 8 padded 12.8 % more tokens than
    the texts hold on 1,842 corpus passages (Chinese statutes beside English judgments), by tokens 0.4 % in a call of
    a `kb embed` round (5 % in calls of 128).
    Threads: OMP_NUM_THREADS if set (the tests give each worker its share), else ONNX Runtime's default (one per
    core). Safe to share between threads (ONNX Runtime sessions are)."""

    def __init__(self, onnx_file: Path, model_dir: Path, batch_size: int, session=None, multiple: int = 1) -> None:
        """`session`: what runs the export (anything with ONNX Runtime's `run`, e.g. OpenVINO's
        `kb.embedding_openvino.CompiledEncoder`); by default an ONNX Runtime session. `multiple`: each batch's
        length is rounded up to a multiple of this many tokens (`pad`), which bounds the input shapes a session
        sees (`kb.embedding_openvino.LENGTH_MULTIPLE`)."""
        if not _mean_pooling(model_dir):
            raise ModelUnavailableError(f"{model_dir}: the ONNX runtimes run mean-pooling models only; set "
                                        "KB_EMBED_RUNTIME=torch for this model")
        self.tokenizer = model_tokenizer(model_dir)
        self.batch_size = batch_size
        self.multiple = multiple
        self.limit = self.tokenizer.truncation["max_length"]
        self.session = session if session is not None else self._onnxruntime_session(onnx_file)

    @staticmethod
    def _onnxruntime_session(onnx_file: Path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("OMP_NUM_THREADS") or 0)
        options.inter_op_num_threads = 1
        # Memory patterns are planned per input shape, and every batch's token count differs: off, the encoder held
        # 40-51 MB less after a run (383 → 332-343 MB) at the same speed (medians 13.6 and 14.9 passages/s over three
        # interleaved rounds of 192 corpus passages, load 7-12), in the app and in `kb embed` alike.
        options.enable_mem_pattern = False
        # Idle intra-op threads sleep instead of spinning for the next op: on a machine shared with other work (the
        # app's searches beside `kb embed`, load 8-12 here) spinning burnt the cores others wait for. Off, the fused
        # encoder ran 20.2 passages/s against 16.3 (23.6 against 17.9 per CPU second), 231 corpus passages, same run.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out: np.ndarray | None = None
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            feeds = pad([encodings[i] for i in rows], self.multiple, self.limit)
            hidden = self.session.run(["last_hidden_state"], feeds)[0]
            vectors = pool(hidden, feeds["attention_mask"])
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out if out is not None else np.empty((0, 0), dtype=np.float32)


_encoders: dict[Embedding, OnnxEncoder] = {}
_encoders_lock = threading.Lock()


def onnx_encoder(embedding: Embedding) -> OnnxEncoder:
    """The encoder of an exported runtime (`onnx`, `onnx-int8`, `openvino-bf16`, `openvino-int8`). One per
    configuration and process, shared by every embedder (as sentence-transformers-haystack shares its loaded model),
    so the app's search pipelines and `kb update` load the model once.

    int8 runs one text at a time: dynamic quantisation takes one activation scale per call, so in a batch a text's
    vector would depend on the texts beside it (mean cosine 0.994 between one text's vectors alone and in batches of
    8), and a cached vector, a query's and a passage's would not be one function of the text. One at a time was as
    fast here (7.6 passages/s against 8.2 in fours and 7.8 in eights, same run, load 11) and pads nothing."""
    with _encoders_lock:
        if embedding not in _encoders:
            if embedding.runtime in ("openvino-bf16", "openvino-int8"):  # compiled by OpenVINO, float parts in bf16
                from kb.embedding_openvino import LENGTH_MULTIPLE, CompiledEncoder

                model_file = exported_model(embedding if embedding.runtime == "openvino-int8" else
                                            replace(embedding, runtime="onnx"))
                _encoders[embedding] = OnnxEncoder(model_file, Path(embedding.model), embedding.batch,
                                                   session=CompiledEncoder(model_file, "bf16"),
                                                   multiple=LENGTH_MULTIPLE)
            else:
                batch = 1 if embedding.runtime == "onnx-int8" else embedding.batch
                _encoders[embedding] = OnnxEncoder(exported_model(embedding), Path(embedding.model), batch)
        return _encoders[embedding]
