"""Settings: environment, then `$KB_HOME/config.toml`, then defaults; a bad value names its variable (issue 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kb.settings import Settings
from legal.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[1]


def load(home: Path, config: str = "", **env: str) -> Settings:
    home.mkdir(parents=True, exist_ok=True)
    if config:
        (home / "config.toml").write_text(config, encoding="utf-8")
    return Settings.load({"KB_HOME": str(home), "KB_MODEL": "unused", **env})


def test_a_zero_in_config_toml_is_a_value_not_the_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"KB_EMBED_BATCH=0; it must be a positive integer"):
        load(tmp_path, "embed_batch = 0\n")
    assert load(tmp_path / "b", "embed_batch = 16\n").embed_batch == 16
    assert load(tmp_path / "c", "embed_batch = 16\n", KB_EMBED_BATCH="8").embed_batch == 8, "environment first"
    assert load(tmp_path / "d", "embed_batch = 16\n", KB_EMBED_BATCH="").embed_batch == 16, "empty counts as unset"


def test_a_bad_number_names_its_variable_and_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"KB_QDRANT_SHARDS \(`qdrant_shards` in config.toml\) = 'two'"):
        load(tmp_path, KB_QDRANT_SHARDS="two")
    with pytest.raises(ConfigError, match=r"KB_INBOX_POLL .* = 'soon'; it must be a number"):
        load(tmp_path / "b", 'inbox_poll = "soon"\n')


def test_home_in_config_is_refused_and_manifest_is_used(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="`home` cannot be set"):
        load(tmp_path, 'home = "/elsewhere"\n')
    manifest = tmp_path / "my-sources.toml"
    assert load(tmp_path / "b", f'manifest = "{manifest}"\n').manifest == manifest
    assert load(tmp_path / "c", KB_MANIFEST=str(manifest)).manifest == manifest
    with pytest.raises(ConfigError, match=r"unknown settings \['embed_batchsize'\]"):
        load(tmp_path / "d", "embed_batchsize = 3\n")


def test_every_home_path_is_a_settings_property(tmp_path: Path) -> None:
    settings = load(tmp_path)
    paths = {settings.store, settings.embeddings_cache, settings.citations_db, settings.matters, settings.inbox,
             settings.uploads, settings.logs, settings.file_memo, settings.drop}
    assert len(paths) == 9 and all(p.parent == tmp_path for p in paths)
    shared = tmp_path / "shared.sqlite"
    assert load(tmp_path, KB_EMBED_CACHE=str(shared)).embeddings_cache == shared


@pytest.mark.parametrize("required", [False, True])
def test_ci_fails_instead_of_skipping_when_the_corpus_is_missing(tmp_path: Path, required: bool) -> None:
    env = {**os.environ, "KB_CORPUS": str(tmp_path / "no-corpus"), "PYTHONPATH": str(PROJECT)}
    env.pop("KB_REQUIRE_CORPUS", None)
    if required:
        env["KB_REQUIRE_CORPUS"] = "1"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_citation_graph.py::test_saadi_125_citations_are_read_in_every_form"],
                         env=env, cwd=PROJECT, capture_output=True, text=True, timeout=300)
    if required:
        assert run.returncode == 1 and "KB_REQUIRE_CORPUS is set" in run.stdout, run.stdout[-1500:]
    else:
        assert run.returncode == 0 and "1 skipped" in run.stdout, run.stdout[-1500:]


def test_the_embedding_runtime_is_checked_and_int8_is_its_own_vector_space(tmp_path: Path) -> None:
    """KB_EMBED_RUNTIME names one of the runtimes (a typo is refused with the valid values); int8 and bf16 vectors are
    cached apart from torch's and the exact export's (tests/test_embedding.py shows why). The default is OpenVINO
    int8 where the CPU computes bf16 and int8 natively, bf16 where only bf16."""
    from kb.settings import _native_bf16, _native_int8

    with pytest.raises(ConfigError, match=r"KB_EMBED_RUNTIME='onnx8'; valid values: onnx, onnx-int8, openvino-bf16, "
                                          r"openvino-int8, torch"):
        load(tmp_path, KB_EMBED_RUNTIME="onnx8")
    default = load(tmp_path / "a").embedding
    assert (default.runtime, default.vector_space) == (
        ("onnx", "unused") if not _native_bf16() else ("openvino-int8", "unused+ov-int8") if _native_int8() else
        ("openvino-bf16", "unused+bf16"))
    assert load(tmp_path / "a2", KB_EMBED_RUNTIME="onnx").embedding.vector_space == "unused"
    assert load(tmp_path / "b", 'embed_runtime = "torch"\n').embedding.vector_space == "unused"
    assert load(tmp_path / "c", KB_EMBED_RUNTIME="onnx-int8").embedding.vector_space == "unused+int8"
    assert load(tmp_path / "d", KB_ONNX_DIR=str(tmp_path / "exports")).embedding.onnx_dir == tmp_path / "exports"
