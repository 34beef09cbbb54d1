"""The ``language`` scanner: languages of records and paragraphs as BCP-47 and ISO 639-3 codes, offline.

Importing this package registers the scanner; models load only when a scanner is built.
"""

from .classify import RecordClassifier, RecordLanguages, Share
from .codes import bcp47, iso639_3, match_key, same_language
from .identify import BACKENDS, backend
from .scanner import Language, LanguageConfig

__all__ = [
    "BACKENDS",
    "Language",
    "LanguageConfig",
    "RecordClassifier",
    "RecordLanguages",
    "Share",
    "backend",
    "bcp47",
    "iso639_3",
    "match_key",
    "same_language",
]
