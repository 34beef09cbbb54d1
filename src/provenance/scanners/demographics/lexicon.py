"""The shipped demographic lexicon and the language codes it is keyed by.

``provenance/data/demographic_lexicon.json.gz`` is built by ``scripts/build_demographic_lexicon.py`` from
HolisticBias v1.1 and the Gender-GAP lexicon (CC BY-SA 4.0, Copyright (c) Facebook, Inc. and its affiliates), with
English gendered pairs from WinoBias and debiaswe (MIT). The file is CC BY-SA 4.0, unlike the Apache-2.0 code that
reads it; its ``license`` and ``license_note`` fields say so and NOTICE repeats it. Forms in it are already
normalised by :func:`.tokens.normalize_form`.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources
from typing import Any

DATA_FILE = "data/demographic_lexicon.json.gz"
FORMAT_VERSION = 1
# The shipped file's SHA-256. Findings depend on the lexicon, so a new lexicon needs a new scanner version (the
# stamp that decides what is re-scanned); a test fails until both this and ``Demographics.version`` are updated.
LEXICON_SHA256 = "8b3d31950220db0d10aa0ec4c172dc544e99813bca56522d40e115cf0dc205bb"
ENGLISH = "eng"

# ISO 639-1 and other common tags -> the ISO 639-3 codes of the Gender-GAP lists
LANGUAGE_ALIASES: dict[str, str] = {
    "en": "eng", "ar": "arb", "ara": "arb", "as": "asm", "be": "bel", "bn": "ben", "bg": "bul", "ca": "cat",
    "cs": "ces", "ku": "ckb", "zh": "cmn", "zho": "cmn", "chi": "cmn", "cy": "cym", "da": "dan", "de": "deu",
    "ger": "deu", "el": "ell", "gre": "ell", "et": "est", "ekk": "est", "fi": "fin", "fr": "fra", "fre": "fra",
    "ga": "gle", "hi": "hin", "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn", "kn": "kan", "ka": "kat",
    "mn": "khk", "mon": "khk", "ky": "kir", "ko": "kor", "lt": "lit", "lg": "lug", "lv": "lvs", "lav": "lvs",
    "mr": "mar", "mt": "mlt", "nl": "nld", "dut": "nld", "pa": "pan", "fa": "pes", "fas": "pes", "per": "pes",
    "pl": "pol", "pt": "por", "ro": "ron", "rum": "ron", "ru": "rus", "sk": "slk", "slo": "slk", "sl": "slv",
    "es": "spa", "sv": "swe", "sw": "swh", "swa": "swh", "ta": "tam", "te": "tel", "tl": "tgl", "fil": "tgl",
    "th": "tha", "tr": "tur", "ur": "urd", "uz": "uzn", "uzb": "uzn", "vi": "vie", "zu": "zul",
}  # fmt: skip


def language_code(tag: object) -> str | None:
    """'en', 'en-US', 'eng_Latn', 'zh-Hant' -> the lexicon's code ('eng', 'cmn'); None when it is not a tag."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return LANGUAGE_ALIASES.get(primary, primary)


@cache
def load_lexicon() -> dict[str, Any]:
    """The shipped lexicon, read once per process."""
    raw = resources.files("provenance").joinpath(DATA_FILE).read_bytes()
    lexicon = json.loads(gzip.decompress(raw))
    if lexicon.get("format") != FORMAT_VERSION:
        raise RuntimeError(
            f"{DATA_FILE} has format {lexicon.get('format')}, expected {FORMAT_VERSION}: "
            "rebuild it with scripts/build_demographic_lexicon.py"
        )
    return lexicon


def lexicon_languages() -> list[str]:
    return sorted(load_lexicon()["gendered"])


def lexicon_axes() -> list[str]:
    lexicon = load_lexicon()
    return sorted({axis for _, axis, _, _ in lexicon["terms"]} | {axis for _, axis, _ in lexicon["after_person"]})
