"""Open a possibly compressed file as a binary stream, knowing how far into the raw file we are (for progress)."""

from __future__ import annotations

import bz2
import gzip
import io
import zlib
from pathlib import Path
from typing import BinaryIO

import zstandard

# What a damaged compressed stream raises, depending on the codec and where it breaks.
CORRUPTION_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    OSError,
    zlib.error,
    zstandard.ZstdError,
    ValueError,
)


def codec_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd"}.get(suffix)


def open_binary(path: Path) -> tuple[BinaryIO, BinaryIO]:
    """Return (decompressed stream, raw file); the raw file's tell() measures progress through the input."""
    raw = open(path, "rb")
    codec = codec_of(path)
    if codec == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw
    if codec == "bz2":
        return bz2.BZ2File(raw, mode="rb"), raw
    if codec == "zstd":
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        return io.BufferedReader(reader, buffer_size=1 << 20), raw  # type: ignore[arg-type]
    return raw, raw
