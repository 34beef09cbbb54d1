"""Record identity: a stable content hash of the normalised text, scoped by source.

The same text in two sources stays two records (each carries its own licence and consent); ``content_hash`` alone
links them. Normalisation is deliberately small (Unicode NFC, line endings, surrounding white space) so that ids
are reproducible by anyone with the text and this docstring:

    normalised   = strip(replace CRLF and CR by LF in NFC(text))     # Python's str.strip()
    content_hash = hex(sha256(utf8(normalised)))[:32]
    record_id    = hex(sha256(utf8(source_id + "\\x1f" + content_hash)))[:32]
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

HASH_HEX_CHARS = 32  # 128 bits: collision-free at any corpus size we will meet, half the width of full sha256


def normalize_text(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def content_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_HEX_CHARS]


def record_id(source_id: str, content_hash_hex: str) -> str:
    return hashlib.sha256(f"{source_id}\x1f{content_hash_hex}".encode()).hexdigest()[:HASH_HEX_CHARS]


@dataclass
class Identities:
    texts: list[str]
    content_hashes: list[str]
    record_ids: list[str]
    n_chars: list[int]
    n_bytes: list[int]


def identify(source_id: str, texts: Sequence[str]) -> Identities:
    """Normalise and hash a batch of texts in one tight loop (the hot path of every ingest).

    Same result as ``normalize_text`` + ``content_hash`` + ``record_id``, inlined for speed.
    """
    sha256 = hashlib.sha256
    nfc = unicodedata.normalize
    prefix = f"{source_id}\x1f".encode()
    n = HASH_HEX_CHARS
    out_texts, hashes, ids, chars, sizes = [], [], [], [], []
    for text in texts:
        if not text.isascii():
            text = nfc("NFC", text)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.strip()
        encoded = text.encode("utf-8", "surrogatepass")
        digest = sha256(encoded).hexdigest()[:n]
        out_texts.append(text)
        hashes.append(digest)
        ids.append(sha256(prefix + digest.encode()).hexdigest()[:n])
        chars.append(len(text))
        sizes.append(len(encoded))
    return Identities(out_texts, hashes, ids, chars, sizes)
