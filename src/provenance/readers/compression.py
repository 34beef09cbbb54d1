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
        return io.BufferedReader(_ZstdFrames(raw), buffer_size=1 << 20), raw  # type: ignore[arg-type]
    return raw, raw


class _ZstdFrames(io.RawIOBase):
    """Decompress a sequence of zstd frames, and say so when the input stops inside one.

    zstandard's stream reader treats a truncated last frame as a clean end, which would drop its records silently.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.decompressor = zstandard.ZstdDecompressor()
        self.frame = self.decompressor.decompressobj()
        self.in_frame = False
        self.pending = b""
        self.offset = 0
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while self.offset >= len(self.pending) and not self.done:
            chunk = self.raw.read(1 << 20)
            if not chunk:
                self.done = True
                if self.in_frame:
                    raise EOFError("the zstd stream ends inside a frame (the file is truncated)")
                break
            self.pending, self.offset = self._feed(chunk), 0
        n = min(len(buffer), len(self.pending) - self.offset)
        buffer[:n] = self.pending[self.offset : self.offset + n]
        self.offset += n
        return n

    def _feed(self, data: bytes) -> bytes:
        out = []
        while data:
            out.append(self.frame.decompress(data))
            self.in_frame = True
            if not self.frame.eof:
                break
            data = self.frame.unused_data  # the next frame starts here
            self.frame = self.decompressor.decompressobj()
            self.in_frame = False
        return b"".join(out)
