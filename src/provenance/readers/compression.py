"""Open a possibly compressed file as a binary stream, knowing how far into the raw file we are (for progress).

Reading is bounded, so that no input can make a reader hold or produce an unbounded amount of data:

- **Records.** A line (JSON Lines, text lines, a CSV line), a whole text file, a JSON array item or a WARC record
  may hold at most ``PROVENANCE_MAX_RECORD_BYTES`` bytes (default 32 MiB, ``0`` for no limit). A longer one is
  skipped without being held in memory and reported with its line; the records around it are read as usual.
- **Decompression.** A compressed file may expand to at most ``PROVENANCE_MAX_EXPANSION_RATIO`` times its own size
  (default 100, ``0`` for no limit), and every file may expand to at least that ratio times 1 MiB (100 MiB by
  default), so small files are never refused for compressing well. Past the bound reading stops with a report
  naming the line it stopped at (a decompression bomb, or a file to read with a higher ratio); the records before
  are kept. Each step of decompression produces a bounded amount of data, whatever the input.

Compressed files are read member by member (gzip members, bzip2 streams, zstd frames, as ``cat a.gz b.gz``
makes them); a member that ends early, damaged data, or bytes after the last member that are not one are
reported, never silently taken for the end of the file.
"""

from __future__ import annotations

import bz2
import io
import math
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import zstandard

from ..errors import InputError

# What a damaged compressed stream raises, depending on the codec and where it breaks.
CORRUPTION_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    OSError,
    zlib.error,
    zstandard.ZstdError,
    ValueError,
)

DEFAULT_MAX_RECORD_BYTES = 32 << 20
DEFAULT_MAX_EXPANSION_RATIO = 100.0
EXPANSION_FLOOR_BYTES = 1 << 20  # every compressed file counts as at least this large when applying the ratio
RECORD_LIMIT_VARIABLE = "PROVENANCE_MAX_RECORD_BYTES"
RATIO_VARIABLE = "PROVENANCE_MAX_EXPANSION_RATIO"
NO_LIMIT = 1 << 62

_RAW_CHUNK = 1 << 17  # compressed bytes read at a time
_OUT_CHUNK = 1 << 20  # decompressed bytes produced at most per step (gzip, bzip2)
# zstd cannot bound its output per call; an RLE block turns 4 input bytes into up to 128 KiB, so feeding 2 KiB at
# a time bounds a step to 64 MiB
_ZSTD_PIECE = 2048


class DecompressionLimitError(ValueError):
    """A compressed file expands past PROVENANCE_MAX_EXPANSION_RATIO: reading it stops."""


class TruncatedStreamError(EOFError):
    """The compressed file ends inside a gzip member, bzip2 stream or zstd frame."""


class CorruptStreamError(OSError):
    """The compressed data is damaged, or bytes after the last member are not compressed data."""


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip().replace("_", "")
    if not value:
        return default
    try:
        number = float(value)
        if math.isnan(number):
            raise ValueError(value)
    except ValueError:
        raise InputError(
            f"{name}={os.environ[name]!r} is not a number", hint=f"set {name} to a number, or 0 for no limit"
        ) from None
    return number if 0 < number < NO_LIMIT else float(NO_LIMIT)


def max_record_bytes() -> int:
    """The largest record (line, text file, JSON item, WARC record) read, in bytes: PROVENANCE_MAX_RECORD_BYTES."""
    return int(_env_number(RECORD_LIMIT_VARIABLE, DEFAULT_MAX_RECORD_BYTES))


def max_expansion_ratio() -> float:
    return _env_number(RATIO_VARIABLE, DEFAULT_MAX_EXPANSION_RATIO)


def expansion_allowance(compressed_size: int) -> int:
    """How many decompressed bytes a compressed file of this size may produce."""
    ratio = max_expansion_ratio()
    if ratio >= NO_LIMIT:
        return NO_LIMIT
    return int(ratio * max(compressed_size, EXPANSION_FLOOR_BYTES))


def record_too_long(size: int, limit: int, what: str = "the line") -> str:
    return (
        f"{what} is {size:,} bytes long, more than the limit of {limit:,} bytes per record; skipped "
        f"(raise {RECORD_LIMIT_VARIABLE} to read it)"
    )


def codec_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd"}.get(suffix)


def open_binary(path: Path) -> tuple[BinaryIO, BinaryIO]:
    """Return (decompressed stream, raw file); the raw file's tell() measures progress through the input."""
    raw = open(path, "rb")
    codec = codec_of(path)
    if codec is None:
        return raw, raw
    try:
        size = os.fstat(raw.fileno()).st_size
        decoded = _Decompressed(raw, codec, expansion_allowance(size))
    except BaseException:
        raw.close()
        raise
    return _Buffered(decoded, buffer_size=_OUT_CHUNK), raw  # type: ignore[arg-type]


class _Buffered(io.BufferedReader):
    """``read(n)`` returns what is at hand (at most one step of decompression) instead of insisting on ``n``
    bytes: a buffered reader that insists loses the bytes it gathered when the stream then fails, and those are
    the records before the damage."""

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return super().read()
        return self.read1(size)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        return self.readinto1(buffer)


def stream_failure(path: Path | str, exc: BaseException, after: str | None, kept: str = "lines") -> str:
    """The reason recorded when a stream stops early: ``after`` says where ("line 12"), ``kept`` what was kept
    before it (or, without ``after``, what became of the file)."""
    codec = codec_of(Path(str(path)))
    where = f" after {after}" if after else ""
    tail = f"; the {kept} before it were kept" if after else f"; {kept}"
    if isinstance(exc, DecompressionLimitError):
        return f"reading stopped{where}: {exc}{tail}"
    what = f"{codec} stream" if codec else "file"
    return f"the {what} is truncated or corrupt{where}: {_detail(exc)}{tail}"


def _detail(exc: BaseException) -> str:
    """The cause, without the codec library's prefixes ("Error -3 while decompressing data: ...")."""
    text = str(exc) or type(exc).__name__
    return text.replace("Error -3 while decompressing data: ", "").replace("zstd decompress error: ", "")


_MAGIC = {
    "gzip": (b"\x1f\x8b",),
    "bz2": (b"BZh",),
    "zstd": (b"\x28\xb5\x2f\xfd",),
}


class _Decompressed(io.RawIOBase):
    """Decompress a sequence of gzip members, bzip2 streams or zstd frames with bounded memory and output.

    ``allowance`` is the number of decompressed bytes the file may produce; exactly that many are handed out, then
    reading raises DecompressionLimitError. A truncated or damaged member raises only after every byte before the
    damage was handed out, so no line before it is lost.
    """

    def __init__(self, raw: BinaryIO, codec: str, allowance: int) -> None:
        self.raw = raw
        self.codec = codec
        self.allowance = allowance
        self.produced = 0
        self.buf = b""  # compressed bytes read but not yet given to a decompressor
        self.pos = 0
        self.decoder: object | None = None
        self.member_start = 0  # raw offset of the current member
        self.raw_read = 0  # raw bytes read from the file so far
        self.pending = b""  # decompressed bytes not handed out yet
        self.view = memoryview(self.pending)
        self.offset = 0
        self.error: BaseException | None = None
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while self.offset >= len(self.pending):
            if self.error is not None:
                raise self.error  # again on every later read: the stream cannot go on
            if self.done:
                return 0
            self.pending, self.offset = self._produce(), 0
            self.view = memoryview(self.pending)
        n = min(len(buffer), len(self.pending) - self.offset)
        buffer[:n] = self.view[self.offset : self.offset + n]
        self.offset += n
        return n

    # -- raw input ----------------------------------------------------------------------------------------------------
    def _raw_offset(self) -> int:
        """Raw offset of the next compressed byte not given to a decompressor."""
        return self.raw_read - (len(self.buf) - self.pos)

    def _fill(self) -> bool:
        if self.pos < len(self.buf):
            return True
        chunk = self.raw.read(_RAW_CHUNK)
        self.raw_read += len(chunk)
        self.buf, self.pos = chunk, 0
        return bool(chunk)

    def _take(self, n: int) -> bytes:
        data = self.buf[self.pos : self.pos + n] if self.pos or n < len(self.buf) else self.buf
        self.pos += len(data)
        return data

    def _unread(self, data: bytes) -> None:
        if data:
            self.buf = data + self.buf[self.pos :]
            self.pos = 0

    # -- decompression ------------------------------------------------------------------------------------------------
    def _produce(self) -> bytes:
        """The next decompressed bytes (possibly empty); sets ``done`` at the end and ``error`` on a failure."""
        try:
            out = self._step()
        except (zlib.error, OSError, EOFError, zstandard.ZstdError, ValueError) as exc:
            if isinstance(exc, CorruptStreamError):
                self.error, self.done = exc, True
            else:
                self._defer(exc)
            return b""
        if out:
            room = self.allowance - self.produced
            if len(out) > room:
                out = out[: max(room, 0)]
                self.done = True
                self.error = DecompressionLimitError(
                    f"the {self.codec} file expands to more than {self.allowance:,} bytes "
                    f"({max_expansion_ratio():g} times its size, counting at least {EXPANSION_FLOOR_BYTES >> 20} MiB):"
                    f" a decompression bomb? (raise {RATIO_VARIABLE} to read it)"
                )
            self.produced += len(out)
        return out

    def _step(self) -> bytes:
        if self.decoder is None:
            if not self._start_member():
                self.done = True
                return b""
        if self.codec == "zstd":
            return self._step_zstd()
        if self.codec == "gzip":
            return self._step_gzip()
        return self._step_bz2()

    def _start_member(self) -> bool:
        """Begin the next member; False at a clean end of the file (zero padding after the last member is fine)."""
        while True:
            if not self._fill():
                return False
            rest = self.buf[self.pos :]
            stripped = rest.lstrip(b"\x00")
            self.pos += len(rest) - len(stripped)
            if stripped:
                break
        self.member_start = self._raw_offset()
        while len(self.buf) - self.pos < 4:  # the magic number may straddle two reads
            more = self.raw.read(_RAW_CHUNK)
            if not more:
                break
            self.raw_read += len(more)
            self.buf, self.pos = self.buf[self.pos :] + more, 0
        head = self.buf[self.pos : self.pos + 4]
        if not any(head.startswith(m) for m in _MAGIC[self.codec]) and not self._skippable(head):
            raise CorruptStreamError(
                f"the bytes at offset {self.member_start:,} are not {self.codec} data (they start with {head!r})"
            )
        if self.codec == "gzip":
            self.decoder = zlib.decompressobj(31)
        elif self.codec == "bz2":
            self.decoder = bz2.BZ2Decompressor()
        else:
            self.decoder = zstandard.ZstdDecompressor().decompressobj()
        return True

    def _skippable(self, head: bytes) -> bool:
        """zstd skippable frames (magic 0x184D2A50 to 0x184D2A5F) are read through by the zstd decoder."""
        return self.codec == "zstd" and len(head) == 4 and head[1:] == b"\x2a\x4d\x18" and head[0] & 0xF0 == 0x50

    def _truncated(self) -> TruncatedStreamError:
        return TruncatedStreamError(
            f"the file ends inside the {self.codec} member starting at byte {self.member_start:,}"
        )

    def _member_end(self, unused: bytes) -> None:
        self.decoder = None
        self._unread(unused)

    def _step_gzip(self) -> bytes:
        decoder = self.decoder
        assert decoder is not None
        tail = decoder.unconsumed_tail  # type: ignore[attr-defined]
        if tail:
            data = tail
        elif self._fill():
            data = self._take(len(self.buf))
        else:
            raise self._truncated()
        saved = decoder.copy()  # type: ignore[attr-defined]
        try:
            out = decoder.decompress(data, _OUT_CHUNK)  # type: ignore[attr-defined]
        except zlib.error as exc:
            return self._salvage_gzip(saved, data, exc)
        if decoder.eof:  # type: ignore[attr-defined]
            self._member_end(decoder.unused_data)  # type: ignore[attr-defined]
        return out

    def _salvage_gzip(self, decoder, data: bytes, exc: zlib.error) -> bytes:
        """zlib drops what a failing call decoded; decode the same input again byte by byte to keep it."""
        out = []
        for i in range(len(data)):
            try:
                chunk = decoder.decompress(data[i : i + 1])
            except zlib.error:
                break
            out.append(chunk)
        self.error = CorruptStreamError(
            f"damaged gzip data in the member starting at byte {self.member_start:,} ({_detail(exc)})"
        )
        self.done = True
        return b"".join(out)

    def _step_bz2(self) -> bytes:
        decoder = self.decoder
        assert isinstance(decoder, bz2.BZ2Decompressor)
        if decoder.needs_input:
            if not self._fill():
                raise self._truncated()
            data = self._take(len(self.buf))
        else:
            data = b""
        out = decoder.decompress(data, _OUT_CHUNK)
        if decoder.eof:
            self._member_end(decoder.unused_data)
        return out

    def _step_zstd(self) -> bytes:
        decoder = self.decoder
        assert decoder is not None
        out = []
        produced = 0
        while produced < _OUT_CHUNK:
            try:
                if not self._fill():
                    raise self._truncated()
                chunk = decoder.decompress(self._take(_ZSTD_PIECE))  # type: ignore[attr-defined]
            except (zstandard.ZstdError, TruncatedStreamError) as exc:
                if not out:
                    raise
                self._defer(exc)  # hand out what was decoded before the damage first
                break
            out.append(chunk)
            produced += len(chunk)
            if decoder.eof:  # type: ignore[attr-defined]
                self._member_end(decoder.unused_data)  # type: ignore[attr-defined]
                break
        return b"".join(out)

    def _defer(self, exc: BaseException) -> None:
        self.error = (
            exc
            if isinstance(exc, TruncatedStreamError)
            else CorruptStreamError(
                f"damaged {self.codec} data in the member starting at byte {self.member_start:,} ({_detail(exc)})"
            )
        )
        self.done = True


# ---- is this text at all? -------------------------------------------------------------------------------------------
_SIGNATURES = (
    (b"\x00\x00\xfe\xff", "is UTF-32 encoded (it starts with a UTF-32 byte-order mark)", "UTF-32"),
    (b"\xff\xfe\x00\x00", "is UTF-32 encoded (it starts with a UTF-32 byte-order mark)", "UTF-32"),
    (b"\xfe\xff", "is UTF-16 encoded (it starts with a UTF-16 byte-order mark)", "UTF-16"),
    (b"\xff\xfe", "is UTF-16 encoded (it starts with a UTF-16 byte-order mark)", "UTF-16"),
    (b"\x1f\x8b", "is gzip-compressed", ".gz"),
    (b"\x28\xb5\x2f\xfd", "is zstd-compressed", ".zst"),
    (b"BZh", "is bzip2-compressed", ".bz2"),
    (b"\xfd7zXZ\x00", "is xz-compressed", None),
    (b"PK\x03\x04", "is a zip archive", None),
    (b"PAR1", "is a Parquet file", "parquet"),
    (b"%PDF-", "is a PDF document", None),
    (b"\x89PNG", "is a PNG image", None),
    (b"\x7fELF", "is an executable", None),
    (b"SQLite format 3\x00", "is an SQLite database", None),
)
# bytes that do not occur in text: C0 controls other than tab, newlines, form feed and escape
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


def sniff(head: bytes, compressed: bool) -> str | None:
    """Why a file whose first line (at most 8 KiB) is ``head`` cannot be UTF-8 text, or None if it may be."""
    for magic, what, fix in _SIGNATURES:
        if head.startswith(magic):
            if magic == b"BZh" and not (len(head) >= 10 and head[3:4].isdigit() and head[4:10] == b"1AY&SY"):
                continue  # plain text that happens to start with "BZh"
            if magic == b"PAR1" and head[4:64].translate(None, _CONTROL) == head[4:64]:
                continue  # plain text that starts with "PAR1": a Parquet page header holds control bytes
            if fix == "UTF-16" or fix == "UTF-32":
                return f"the file {what}; convert it to UTF-8 (iconv -f {fix} -t UTF-8)"
            if fix and fix.startswith("."):
                where = "inside the compressed file" if compressed else "but its name does not say so"
                hint = "decompress it once more" if compressed else f"rename it to end in {fix}"
                return f"the file {what} {where}; {hint}"
            if fix == "parquet":
                return f"the file {what}, not text; give it the .parquet extension or format: parquet"
            return f"the file {what}, not text"
    sample = head[:8192]
    if len(sample) >= 8:
        nuls_even, nuls_odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2
        if max(nuls_even, nuls_odd) >= 0.8 * half and min(nuls_even, nuls_odd) <= 0.2 * half:
            order = "LE" if nuls_odd > nuls_even else "BE"
            return (
                "the file looks UTF-16 encoded without a byte-order mark (every other byte is NUL); "
                f"convert it to UTF-8 (iconv -f UTF-16{order} -t UTF-8)"
            )
        control = len(sample) - len(sample.translate(None, _CONTROL))
        if control >= 4 and control > 0.05 * len(sample):
            return (
                f"the file looks binary, not text ({control} of its first {len(sample)} bytes are control "
                "characters); check that it is the file you meant"
            )
    return None


def first_line(stream: BinaryIO) -> bytes:
    """The start of the stream up to its first newline (at most 8 KiB), without consuming it."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return b""
    head = peek(8192)[:8192]
    end = head.find(b"\n")
    return head if end < 0 else head[:end]


def not_text(stream: BinaryIO, path: Path) -> str | None:
    """Why the file behind ``stream`` is not UTF-8 text at all (binary, UTF-16, compressed...), or None.

    Only the first line is looked at, so a file whose text is damaged further down is read line by line as usual.
    A stream that fails here fails again, and is reported, when it is read.
    """
    try:
        head = first_line(stream)
    except CORRUPTION_ERRORS:
        return None
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return sniff(head, codec_of(path) is not None)


def cannot_open(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"cannot read the file ({reason}); check that it exists and is readable"
