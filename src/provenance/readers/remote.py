"""Corpus files named by URI (``s3://``, ``gs://``, ``az://``, ``hf://``, ``file://``... anything fsspec opens).

A remote file is copied to local scratch space for the time it is read, then deleted: the readers keep their exact
byte offsets, line numbers and compressed-stream handling, and the ledger records the URI, not the copy.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from ..errors import InputError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(path: object) -> bool:
    return isinstance(path, str) and bool(_SCHEME.match(path))


def uri_name(uri: str) -> str:
    return PurePosixPath(uri.split("://", 1)[1].split("?", 1)[0]).name


def _filesystem(uri: str):
    try:
        import fsspec
    except ImportError:  # pragma: no cover - datasets depends on it
        raise InputError("reading URIs needs fsspec", hint="pip install fsspec") from None
    try:
        fs, _, paths = fsspec.get_fs_token_paths(uri)
    except (ImportError, ValueError) as exc:
        raise InputError(
            f"{uri}: cannot open this kind of location ({exc})",
            hint="install the fsspec driver for it (s3fs, gcsfs, adlfs...) or use a local path",
        ) from None
    return fs, paths


def glob_uri(pattern: str) -> list[str]:
    """The files a URI pattern matches, as URIs with the pattern's scheme."""
    fs, _ = _filesystem(pattern)
    scheme = pattern.split("://", 1)[0]
    try:
        found = fs.glob(pattern.split("://", 1)[1] if scheme != "file" else pattern[len("file://") :])
    except OSError as exc:
        raise InputError(f"{pattern}: cannot list files ({exc})") from None
    out = []
    for item in sorted(found):
        if fs.isfile(item):
            out.append(item if is_uri(item) else f"{scheme}://{item}")
    return out


def uri_stat(uri: str) -> tuple[int, int]:
    """(size, modification time in ns, 0 when the store does not say) of a file named by URI."""
    fs, paths = _filesystem(uri)
    info = fs.info(paths[0])
    mtime = info.get("mtime") or info.get("LastModified") or info.get("last_modified") or 0
    if hasattr(mtime, "timestamp"):
        mtime = mtime.timestamp()
    return int(info.get("size") or 0), int(float(mtime) * 1e9)


@contextmanager
def staged(uri: str) -> Iterator[Path]:
    """A local copy of a remote file, with the same name (so its compression is recognised), for one read."""
    fs, paths = _filesystem(uri)
    folder = Path(tempfile.mkdtemp(prefix="provenance-stage-"))
    local = folder / uri_name(uri)
    try:
        with fs.open(paths[0], "rb") as src, open(local, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        yield local
    except FileNotFoundError:
        raise InputError(f"{uri}: no such file", hint="check the URI and your credentials") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
