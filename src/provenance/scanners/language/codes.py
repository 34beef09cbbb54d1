"""Language codes: from what a model says to the tags a card shows, and when two codes name the same language.

Models speak in old and idiosyncratic codes (CLD2's ``iw``, ``jw``, ``xx-Latn``; fastText's ``als`` for Alemannic,
``sh`` for Serbo-Croatian). :func:`normalise` maps them to a current ISO 639 code before anything else reads them,
because ``langcodes`` on its own would read ``als`` as Tosk Albanian and ``sh`` as Serbian in Latin script.
:func:`bcp47` and :func:`iso639_3` use ``langcodes``' bundled IANA/CLDR data: nothing is looked up on the network.

BCP-47 tags name the script when it tells the reader something (RFC 5646 section 4.1 asks to omit it otherwise): for
a language customarily written in more than one script (``sr-Cyrl``, ``sr-Latn``, ``zh-Hans``, ``zh-Hant``,
``uz-Latn``...) and for text in a script other than the language's usual one (``ru-Latn``, ``hi-Latn``); never for
``en``, ``fr``, ``ru``, ``ja``, ``ko``.

:func:`same_language` is the macrolanguage-aware equality an accuracy score needs: CLDR's macrolanguage aliases (a
macrolanguage code stands for its dominant member: ``fa``/``pes``, ``ar``/``arb``, ``zh``/``cmn``, ``sw``/``swh``,
``ms``/``zsm``, ``et``/``ekk``, ``lv``/``lvs``, ``uz``/``uzn``...) plus :data:`MATCH_ALIASES`. A macrolanguage does
*not* stand for its other members: ``ms`` is not ``ind``, ``hbs`` is none of ``bos``, ``hrv``, ``srp``.
"""

from __future__ import annotations

import functools

import langcodes

# Raw model labels that mean something else to langcodes, or nothing at all.
RAW_ALIASES = {
    "als": "gsw",  # fastText: Alemannic (ISO 639-3 als is Tosk Albanian)
    "sh": "hbs",  # fastText: Serbo-Croatian (CLDR reads sh as sr-Latn)
    "iw": "he",  # CLD2's old codes
    "jw": "jv",
    "sr-ME": "cnr",  # CLD2: Montenegrin
    "zh-Hant": "zh",  # CLD2 (the script is kept apart, as a Han variant)
    "zh-cn": "zh",  # langdetect
    "zh-tw": "zh",
}
DROPPED = frozenset({"un", "und", "xxx", "zzp", "zzb", "zze", "zzh", "tlh"})  # unknown, placeholders, Klingon

# Languages customarily written in more than one script (CLDR publishes locales for several scripts of each, or the
# language changed script within living memory): their tag always names the script.
MULTI_SCRIPT = frozenset(
    {"az", "bs", "ff", "hbs", "kk", "ks", "ku", "mn", "mni", "pa", "sat", "sd", "shi", "sr", "tk", "ug", "uz", "vai"}
    | {"yue", "zh", "wuu"}
)

# Equalities CLDR's aliases do not make, each with its reason.
MATCH_ALIASES = {
    "sh": "hbs",  # Serbo-Croatian: its own label; CLDR would read it as Serbian
    "hbs": "hbs",
    "nb": "no",  # Norwegian Bokmål: what every model labels "no"
    "nob": "no",
    "nor": "no",
    "fri": "fy",  # the UDHR corpus' code for Western Frisian (ISO 639-3 fry)
    "mly": "ms",  # the UDHR corpus' code for Standard Malay (ISO 639-3 zsm)
    "lnc": "oc",  # Languedocien, a variety of Occitan (ISO 639-3 has one code, oci)
}


@functools.lru_cache(maxsize=1024)
def normalise(raw: str | None) -> str | None:
    """A model's raw label as a current language code (``iw`` -> ``he``), or None for "no language"."""
    if not raw:
        return None
    code = RAW_ALIASES.get(raw, raw)
    if code in DROPPED or code.startswith("xx-"):
        return None
    return code.split("-")[0].lower()


@functools.lru_cache(maxsize=4096)
def iso639_3(code: str) -> str:
    """ISO 639-3 (or 639-2/5 for collective codes such as ``bh``) of a language code; ``und`` when it has none.

    Read without CLDR normalisation, so ``tl`` stays Tagalog (``tgl``) rather than becoming Filipino."""
    language = code.split("-")[0]
    try:
        return langcodes.Language.get(language, normalize=False).to_alpha3()
    except (LookupError, ValueError):
        return "und"


@functools.lru_cache(maxsize=4096)
def usual_script(code: str) -> str | None:
    """The script a language is most often written in (CLDR likely subtags), e.g. ``Cyrl`` for ``sr``."""
    try:
        return langcodes.Language.make(language=code).maximize().script
    except (LookupError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def bcp47(code: str, script: str | None) -> str:
    """The BCP-47 tag of a language written in ``script``: the script subtag only where it tells something."""
    if not script or (code not in MULTI_SCRIPT and script == usual_script(code)):
        return code
    try:
        return langcodes.Language.make(language=code, script=script).to_tag()
    except (LookupError, ValueError):
        return code


@functools.lru_cache(maxsize=4096)
def match_key(code: str) -> str:
    """The language a code stands for in an accuracy score: equal keys are the same language (see module doc)."""
    language = code.strip().replace("_", "-").split("-")[0].lower()
    if language in MATCH_ALIASES:
        return MATCH_ALIASES[language]
    try:
        standard = langcodes.standardize_tag(language, macro=True)
    except (LookupError, ValueError):
        return language
    return MATCH_ALIASES.get(standard.split("-")[0], standard.split("-")[0])


def same_language(a: str, b: str) -> bool:
    return match_key(a) == match_key(b)


def is_language_code(code: str) -> bool:
    """Whether ``code`` parses as a language tag with a language subtag (``007`` and ``""`` do not)."""
    tag = code.strip().replace("_", "-")
    try:
        return tag.split("-")[0].isalpha() and bool(langcodes.Language.get(tag, normalize=False).language)
    except (LookupError, ValueError):
        return False
