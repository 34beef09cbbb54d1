"""``provenance redact``: a copy of a corpus with personal data replaced, in the same formats and record order.

Each text field is scanned as written (not normalised), so offsets are exact, and every finding is replaced by a
type tag (``<EMAIL_ADDRESS>``) or by a consistent pseudonym (``<EMAIL_ADDRESS:3f2a9c1d>``, the same for the same
value everywhere, derived from the ledger's key so it cannot be reversed without it). Lines the readers cannot
parse are kept in place with whatever the scanner finds in their raw text replaced, and are counted.
"""

from __future__ import annotations

import base64
import bz2
import csv
import gzip
import hashlib
import io
import json
import shutil
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from .errors import InputError
from .manifest import Manifest, infer_format, load_manifest
from .models import DataFormat
from .readers.compression import codec_of, open_binary
from .scanners import create

MODES = ("tags", "pseudonyms")


@dataclass
class RedactReport:
    files: int = 0
    records: int = 0
    replaced: dict[str, int] = field(default_factory=dict)
    raw_lines: int = 0  # unparseable lines redacted as raw text
    not_copied: list[str] = field(default_factory=list)  # files left out of the copy, with why


class _Redactor:
    def __init__(self, mode: str, key: bytes | None, config: dict[str, Any] | None) -> None:
        if mode not in MODES:
            raise InputError(f"unknown redaction mode '{mode}'", hint=f"choose {' or '.join(MODES)}")
        self.mode = mode
        self.scanner = create("pii", config)
        self.scanner.key = key or b"provenance-redact"
        self.report = RedactReport()

    def texts(self, values: list[str]) -> list[str]:
        """Redact a list of strings with one scanner pass."""
        batch = pa.table({"record_id": [str(i) for i in range(len(values))], "text": values})
        findings = self.scanner.scan(batch).findings.to_pylist()
        out = list(values)
        for f in sorted(findings, key=lambda f: (int(f["record_id"]), -f["start"])):
            i = int(f["record_id"])
            tag = f"<{f['label']}>" if self.mode == "tags" else f"<{f['label']}:{f['value_hash'][:8]}>"
            out[i] = out[i][: f["start"]] + tag + out[i][f["end"] :]
            self.report.replaced[f["label"]] = self.report.replaced.get(f["label"], 0) + 1
        return out

    def header_values(self, values: list[str]) -> list[str]:
        """Redact HTTP header values, reading percent-encoded ones (``phone=%2B44...`` in a cookie) decoded."""
        decoded = [urllib.parse.unquote(v) for v in values]
        out = []
        for value, plain, redacted in zip(values, decoded, self.texts(decoded), strict=True):
            if redacted == plain:
                out.append(value)
            elif plain == value:
                out.append(redacted)
            else:  # encode again what was encoded, keeping the header's own separators readable
                out.append(urllib.parse.quote(redacted, safe=" =;,/:?&@<>"))
        return out

    def deep(self, values: list[Any]) -> list[Any]:
        """Redact every string inside each value (dict keys, list items, nested objects) with one scanner pass."""
        found: list[str] = []

        def collect(v: Any) -> None:
            if isinstance(v, str):
                found.append(v)
            elif isinstance(v, dict):
                for k, x in v.items():
                    collect(k)
                    collect(x)
            elif isinstance(v, list | tuple):
                for x in v:
                    collect(x)

        for v in values:
            collect(v)
        replaced = iter(self.texts(found))

        def rebuild(v: Any) -> Any:
            if isinstance(v, str):
                return next(replaced)
            if isinstance(v, dict):
                return {rebuild(k): rebuild(x) for k, x in v.items()}
            if isinstance(v, list | tuple):
                return type(v)(rebuild(x) for x in v)
            return v

        return [rebuild(v) for v in values]


def _decode(data: bytes) -> tuple[str, str]:
    """Text to scan, and how to encode it back. Bytes that are not UTF-8 are read as Latin-1 (one character per
    byte), so redaction keeps every byte it does not replace: a broken line stays broken, only its PII goes."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _writer(path: Path) -> io.BufferedWriter | Any:
    path.parent.mkdir(parents=True, exist_ok=True)
    codec = codec_of(path)
    if codec == "gzip":
        return gzip.open(path, "wb")
    if codec == "bz2":
        return bz2.open(path, "wb")
    if codec == "zstd":
        return zstandard.ZstdCompressor().stream_writer(open(path, "wb"), closefd=True)
    return open(path, "wb")


def _lines(path: Path) -> Iterator[bytes]:
    stream, raw = open_binary(path)
    with raw, stream:
        yield from stream


def _chunks(items: Iterator[Any], size: int = 2000) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _redact_jsonl(src: Path, dst: Path, fields: list[str] | None, r: _Redactor) -> None:
    with _writer(dst) as out:
        for chunk in _chunks(_lines(src)):
            parsed: list[Any] = []
            for line in chunk:
                try:
                    obj = json.loads(line)
                    parsed.append(obj if isinstance(obj, dict) else None)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    parsed.append(None)
            _redact_objects(parsed, fields, r)
            raw = [i for i, obj in enumerate(parsed) if obj is None and chunk[i].strip()]
            decoded = [_decode(chunk[i]) for i in raw]
            fixed = [t.encode(enc) for t, (_, enc) in zip(r.texts([t for t, _ in decoded]), decoded, strict=True)]
            r.report.raw_lines += len(raw)
            for i, line in enumerate(chunk):
                if parsed[i] is not None:
                    out.write(json.dumps(parsed[i], ensure_ascii=False).encode() + b"\n")
                elif i in raw:
                    out.write(fixed[raw.index(i)])
                else:
                    out.write(line)
                r.report.records += parsed[i] is not None


def _redact_objects(objects: list[Any], fields: list[str] | None, r: _Redactor) -> None:
    """Redact records in place: the named fields, or (``None``) every string anywhere in them, keys included."""
    kept = [i for i, obj in enumerate(objects) if isinstance(obj, dict) and obj]
    if fields is None:
        for i, obj in zip(kept, r.deep([objects[i] for i in kept]), strict=True):
            objects[i] = obj
        return
    slots = [(i, f) for i in kept for f in fields if isinstance(objects[i].get(f), str)]
    for (i, f), value in zip(slots, r.texts([objects[i][f] for i, f in slots]), strict=True):
        objects[i][f] = value


def _redact_text_lines(src: Path, dst: Path, r: _Redactor) -> None:
    with _writer(dst) as out:
        for chunk in _chunks(_lines(src)):
            decoded = [_decode(line) for line in chunk]
            for text, (_, encoding) in zip(r.texts([t for t, _ in decoded]), decoded, strict=True):
                out.write(text.encode(encoding))
            r.report.records += len(chunk)


def _redact_text(src: Path, dst: Path, r: _Redactor) -> None:
    stream, raw = open_binary(src)
    with raw, stream:
        text, encoding = _decode(stream.read())
    with _writer(dst) as out:
        out.write(r.texts([text])[0].encode(encoding))
    r.report.records += 1


_DROPPED_HTTP = {"content-length", "transfer-encoding", "content-encoding"}


def _warc_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _redact_warc(src: Path, dst: Path, r: _Redactor, headers_too: bool = True) -> None:
    """Redact the text of every HTTP response (HTML markup included, and its HTTP header values unless
    ``headers_too`` is off) and write the archive again: bodies decoded (de-chunked, un-gzipped), lengths and digests
    recomputed. Damaged records are left out, since they cannot be redacted; other record types are copied as they
    are."""
    from .readers.warc import WarcError, _charset, iter_warc, parse_http_response

    dst.parent.mkdir(parents=True, exist_ok=True)
    gzipped = src.name.lower().endswith(".gz")
    with open(src, "rb") as raw, open(dst, "wb") as out:
        for item in iter_warc(raw):
            if isinstance(item, tuple):
                r.report.not_copied.append(f"{src}: damaged WARC record at byte {item[0]} left out ({item[1]})")
                continue
            headers, block = dict(item.headers), item.block
            if item.type == "response" and block.startswith(b"HTTP/"):
                try:
                    response = parse_http_response(block)
                except WarcError as exc:
                    r.report.not_copied.append(f"{src}: WARC record at byte {item.offset} left out ({exc})")
                    continue
                content_type = response.header("content-type") or ""
                if content_type.split(";")[0].strip().lower().startswith("text/") or "html" in content_type:
                    charset = _charset(content_type, response.body, "html" in content_type)
                    text = r.texts([response.body.decode(charset, "replace")])[0]
                    body = text.encode(charset, "xmlcharrefreplace")
                    r.report.records += 1
                    status = block.split(b"\r\n", 1)[0].decode("iso-8859-1")
                    kept = [(k, v) for k, v in response.headers if k.lower() not in _DROPPED_HTTP]
                    if headers_too:
                        kept = list(zip([k for k, _ in kept], r.header_values([v for _, v in kept]), strict=True))
                    head = "\r\n".join([status, *(f"{k}: {v}" for k, v in kept), f"Content-Length: {len(body)}"])
                    block = head.encode("iso-8859-1", "replace") + b"\r\n\r\n" + body
                    headers["warc-payload-digest"] = _warc_digest(body)
                    headers["warc-block-digest"] = _warc_digest(block)
            headers["content-length"] = str(len(block))
            fields = "".join(f"{_warc_name(k)}: {v}\r\n" for k, v in headers.items())
            record = b"WARC/1.0\r\n" + fields.encode("utf-8") + b"\r\n" + block + b"\r\n\r\n"
            out.write(gzip.compress(record, mtime=0) if gzipped else record)


def _warc_name(name: str) -> str:
    parts = [p.upper() if p in ("warc", "uri", "id", "ip") else p.capitalize() for p in name.split("-")]
    return "-".join(parts)


def _redact_delimited(src: Path, dst: Path, fields: list[str] | None, delimiter: str, r: _Redactor) -> None:
    stream, raw = open_binary(src)
    with raw, stream:
        rows = list(
            csv.reader(io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=""), delimiter=delimiter)
        )
    if not rows:
        return
    header, body = rows[0], rows[1:]
    columns = range(len(header)) if fields is None else [header.index(f) for f in fields if f in header]
    slots = [(i, c) for i, row in enumerate(body) for c in columns if c < len(row)]
    new = r.texts([body[i][c] for i, c in slots])
    for (i, c), value in zip(slots, new, strict=True):
        body[i][c] = value
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(body)
    with _writer(dst) as out:
        out.write(buffer.getvalue().encode())
    r.report.records += len(body)


def _redact_arrow(table: pa.Table, fields: list[str] | None, r: _Redactor) -> pa.Table:
    for name in table.column_names if fields is None else fields:
        if name in table.column_names:
            column = table.column(name)
            if not _holds_text(column.type):
                continue
            values = r.deep(column.to_pylist())
            table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, column.type))
    r.report.records += table.num_rows
    return table


def _holds_text(kind: pa.DataType) -> bool:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return True
    if pa.types.is_dictionary(kind):
        return _holds_text(kind.value_type)
    return any(_holds_text(kind.field(i).type) for i in range(kind.num_fields))  # lists, structs, maps


def _redact_json_array(src: Path, dst: Path, fields: list[str] | None, r: _Redactor) -> None:
    stream, raw = open_binary(src)
    with raw, stream:
        items = json.loads(stream.read())
    if not isinstance(items, list):
        raise InputError(f"{src}: the top level is not an array", hint="redact reads JSON arrays of records")
    _redact_objects(items, fields, r)
    with _writer(dst) as out:
        out.write(json.dumps(items, ensure_ascii=False, indent=2).encode())
    r.report.records += len(items)


def redact(
    sources: str | Path | Manifest,
    output: str | Path,
    *,
    mode: str = "tags",
    key: bytes | None = None,
    config: dict[str, Any] | None = None,
    text_fields_only: bool = False,
) -> RedactReport:
    """Write a redacted copy of every file the manifest names under ``output``, keeping relative paths.

    Every string in a record is redacted (other columns, nested objects, keys, HTTP response headers): PII is not
    only where the manifest says the text is. ``text_fields_only`` redacts the manifest's text fields alone (faster;
    everything else is copied as it is)."""
    manifest = sources if isinstance(sources, Manifest) else load_manifest(sources)
    r = _Redactor(mode, key, config)
    root = manifest.path.parent.resolve()
    out_root = Path(output)
    for entry in manifest.entries:
        fields = entry.entry.text_fields if text_fields_only else None
        for path in entry.paths:
            dst = out_root / path.resolve().relative_to(root)
            fmt = entry.format or infer_format(path)
            if fmt is DataFormat.warc:
                _redact_warc(path, dst, r, headers_too=not text_fields_only)
            elif fmt is DataFormat.jsonl:
                _redact_jsonl(path, dst, fields, r)
            elif fmt is DataFormat.text_lines:
                _redact_text_lines(path, dst, r)
            elif fmt is DataFormat.text:
                _redact_text(path, dst, r)
            elif fmt in (DataFormat.csv, DataFormat.tsv):
                _redact_delimited(path, dst, fields, "," if fmt is DataFormat.csv else "\t", r)
            elif fmt is DataFormat.json:
                _redact_json_array(path, dst, fields, r)
            elif fmt is DataFormat.parquet:
                dst.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(_redact_arrow(pq.read_table(path), fields, r), dst)
            elif fmt is DataFormat.hf_disk:
                import datasets
                from datasets.table import InMemoryTable

                loaded = datasets.load_from_disk(str(path))
                parts = loaded if isinstance(loaded, datasets.DatasetDict) else {None: loaded}
                done = {
                    name: datasets.Dataset(
                        InMemoryTable(_redact_arrow(part.data.table, fields, r)), info=part.info.copy()
                    )
                    for name, part in parts.items()
                }
                result = datasets.DatasetDict(done) if None not in done else done[None]
                result.save_to_disk(str(dst))
            r.report.files += 1
    # what the manifest names besides corpus files (consent snapshots, opt-out registries) holds no record text
    for extra in [folder for folder, _ in manifest.snapshots] + [path for _, path, _ in manifest.registries]:
        if extra.exists():
            target = out_root / extra.resolve().relative_to(root)
            if extra.is_dir():
                shutil.copytree(extra, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(extra, target)
    (out_root / manifest.path.name).write_text(manifest.path.read_text(encoding="utf-8"), encoding="utf-8")
    return r.report
