"""The recognizers of the pattern tier: presidio's own where they are sound, ours where presidio's defaults miss.

Built on presidio's extension point (``PatternRecognizer`` subclasses), so users can add their own the same way.
Nothing here touches the network: the e-mail check uses tldextract's bundled public-suffix snapshot instead of
fetching the list at run time, which presidio's default e-mail recognizer would do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import tldextract
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    AuTfnRecognizer,
    CryptoRecognizer,
    DateRecognizer,
    EmailRecognizer,
    EsNifRecognizer,
    IbanRecognizer,
    InAadhaarRecognizer,
    IpRecognizer,
    ItFiscalCodeRecognizer,
    UkNinoRecognizer,
    UsSsnRecognizer,
)

from .scanner import PHONE_REGIONS

_OFFLINE_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled snapshot, no download


class OfflineEmailRecognizer(EmailRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        return _OFFLINE_TLD(pattern_text).fqdn != ""


_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class AnyCaseIbanRecognizer(IbanRecognizer):
    """IBANs are case-insensitive; presidio's pattern only sees upper case. ASCII-only upper-casing keeps offsets."""

    def analyze(self, text: str, entities, nlp_artifacts=None, regex_flags=None):
        return super().analyze(text.translate(_ASCII_UPPER), entities, nlp_artifacts, regex_flags)


class ContextTfnRecognizer(AuTfnRecognizer):
    """Australian tax file numbers need a context word ("TFN", "tax file number"): any nine digits in threes pass the
    checksum one time in eleven, and tables of figures are full of them."""

    VALIDATED_SCORE = 0.3  # with a context word: 0.65


class ContextAadhaarRecognizer(InAadhaarRecognizer):
    """Aadhaar numbers need a context word ("aadhaar", "UIDAI"): the Verhoeff check passes one 12-digit number in 10."""

    VALIDATED_SCORE = 0.3


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# Issuer prefixes and lengths (ISO/IEC 7812 ranges as the networks publish them). presidio's single pattern misses
# Mastercard's 2221-2720 range, 19-digit Visa, Maestro and 15-digit JCB.
_CARD_RULES: tuple[tuple[re.Pattern[str], frozenset[int]], ...] = (
    (re.compile(r"^4"), frozenset({13, 16, 19})),  # Visa
    (re.compile(r"^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)"), frozenset({16})),  # Mastercard
    (re.compile(r"^3[47]"), frozenset({15})),  # American Express
    (re.compile(r"^(6011|65|64[4-9])"), frozenset({16, 19})),  # Discover
    (re.compile(r"^(2131|1800)"), frozenset({15})),  # JCB 15-digit
    (re.compile(r"^35(2[89]|[3-8]\d)"), frozenset({16, 17, 18, 19})),  # JCB
    (re.compile(r"^(5018|5020|5038|5893|6304|6759|676[1-3])"), frozenset(range(12, 20))),  # Maestro
    (re.compile(r"^3(0[0-5]|[689])"), frozenset({14, 16, 19})),  # Diners Club
    (re.compile(r"^62"), frozenset({16, 17, 18, 19})),  # UnionPay
)


class CardRecognizer(PatternRecognizer):
    """Payment card numbers of every major network, 12-19 digits with spaces or dashes, checked by Luhn and issuer."""

    PATTERNS: ClassVar[list[Pattern]] = [Pattern("card", r"\b(?:\d[ -]?){11,18}\d\b", 0.5)]
    CONTEXT: ClassVar[list[str]] = ["card", "credit", "debit", "visa", "mastercard", "amex", "payment", "cc"]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CREDIT_CARD", patterns=self.PATTERNS, context=self.CONTEXT, name="CardRecognizer"
        )

    def validate_result(self, pattern_text: str) -> bool:
        digits = re.sub(r"[ -]", "", pattern_text)
        if not luhn_ok(digits) or len(set(digits)) == 1:
            return False
        return any(prefix.match(digits) and len(digits) in lengths for prefix, lengths in _CARD_RULES)


class SecretsRecognizer(PatternRecognizer):
    """Credentials that leak into text: cloud keys, tokens, private keys."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("aws access key id", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b", 0.85),
        Pattern("github token", r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b", 0.9),
        Pattern("github fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{60,255}\b", 0.9),
        Pattern("slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,250}\b", 0.9),
        Pattern("google api key", r"\bAIza[0-9A-Za-z_\-]{35}\b", 0.85),
        Pattern("stripe key", r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,99}\b", 0.9),
        Pattern("private key", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY( BLOCK)?-----", 0.95),
    ]
    CONTEXT: ClassVar[list[str]] = ["key", "token", "secret", "password", "credential", "api"]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="API_KEY",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            name="SecretsRecognizer",
            global_regex_flags=re.MULTILINE,  # case matters: 'akia...' is not an AWS key
        )


class FastPhoneRecognizer(EntityRecognizer):
    """Phone numbers validated by libphonenumber, like presidio's PhoneRecognizer, but parsed only on candidate
    spans: presidio's runs libphonenumber's matcher over the whole text once per region, which dominated the time.

    libphonenumber accepts most runs of 7-15 digits in some region, so the way a number is written decides too.
    Written like a phone number (one kind of separator, an area code in brackets, an international prefix) it
    scores presidio's 0.4; written like something else that happens to validate (a bare run of digits, mixed
    separators, thousands groups, years) it scores 0.2 and is kept only with a context word such as "phone" before
    it; and numbers inside a larger token (URLs, DOIs, query strings, ranges) or with stray brackets, slashes or
    decimals are not phone numbers at all.
    """

    CANDIDATE = re.compile(
        r"(?<![\w+])(?:\+|00)?\(?\d[\d \t().\-/]{5,20}\d(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w@])", re.IGNORECASE
    )
    EXTENSION = re.compile(r"\s?(?:x|ext\.?)\s?\d{1,6}$", re.IGNORECASE)
    DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:$|[ T])")
    # year ranges (1999-2003), decimals in tables (55.249 0.95), and numbers introduced as references
    NOT_A_PHONE = re.compile(r"^(?:1[5-9]|20)\d\d\s*[-–/]\s*(?:1[5-9]|20)\d\d$|\d\.\d+\s+\d|\d\s{2,}\d|\s\d+\.\d{2,}$")
    REFERENCE = re.compile(r"(?i)\b(?:isbn(?:-1[03])?|issn|doi|oclc|lccn|pmid|arxiv)[:\s]*$")
    INSIDE_A_TOKEN = frozenset("./=#&?_-–—%")  # the character before: part of a URL, DOI, query string or range
    AREA_CODE = re.compile(r"^(?:\+\d{1,3}[ -]?)?\(\d{1,5}\)\s?")
    SEPARATORS = re.compile(r"[ \t.\-/]+")
    THOUSANDS = re.compile(r"^\d{1,3}([ .,])\d{3}(?:\1\d{3})+$")
    STRONG, WEAK = 0.4, 0.2
    CONTEXT: ClassVar[list[str]] = ["phone", "number", "telephone", "cell", "cellphone", "mobile", "call", "tel", "fax"]

    @classmethod
    def shape_score(cls, candidate: str) -> float:
        """0 if the way it is written says this is not a phone number, WEAK if it needs context, else STRONG."""
        rest = cls.AREA_CODE.sub("", candidate, count=1)
        if "(" in rest or ")" in rest:
            return 0.0
        if "/" in rest and not re.fullmatch(r"\d{2,5}/\d[\d -]{3,}", rest):
            return 0.0
        groups = [g for g in cls.SEPARATORS.split(rest.lstrip("+")) if g]
        if not groups or not all(g.isdigit() for g in groups):
            return 0.0
        if "." in rest and any(len(g) == 1 or len(g) > 4 for g in groups):
            return 0.0  # decimals
        if candidate.startswith(("+", "00")) or rest != candidate:  # international, or an area code in brackets
            return cls.STRONG
        separators = {s.strip() or " " for s in cls.SEPARATORS.findall(rest)}
        years = sum(1 for g in groups if len(g) == 4 and 1500 <= int(g) <= 2099)
        if (
            len(separators) > 1
            or any(len(g) == 1 for g in groups[1:])
            or (groups[0] not in ("0", "1") and len(groups[0]) == 1)
            or len(groups) == 1
            or cls.THOUSANDS.match(rest)
            or any(len(g) >= 3 and not g.strip("0") for g in groups)
            or 2 * years >= len(groups)
        ):
            return cls.WEAK
        return cls.STRONG

    def __init__(self, regions: tuple[str, ...] = ("US",)) -> None:
        self.regions = regions
        super().__init__(supported_entities=["PHONE_NUMBER"], name="FastPhoneRecognizer", context=list(self.CONTEXT))

    @staticmethod
    def _a_value(text: str, start: int) -> bool:
        """An international number as the value of a key (``phone=+44 20 ...`` in a cookie or query string)."""
        return text[start - 1] == "=" and text.startswith("+", start)

    def load(self) -> None:
        """libphonenumber imports each region's metadata on first use; do it once per worker, not mid-scan."""
        import phonenumbers

        for region in self.regions:
            code = phonenumbers.country_code_for_region(region)
            for sibling in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, (region,)):
                phonenumbers.PhoneMetadata.metadata_for_region(sibling)  # +1 is 25 regions, +44 four

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        results = []
        for match in self.CANDIDATE.finditer(text):
            start = match.start()
            if start and text[start - 1] in self.INSIDE_A_TOKEN and not self._a_value(text, start):
                continue
            if self.REFERENCE.search(text[max(0, start - 14) : start]):
                continue  # ISBN 0-231-08376-9 and friends
            found = self._check(match.group())
            if found is None and " " in match.group().strip():  # two numbers side by side: try each
                for piece in re.finditer(r"\S+", match.group()):
                    score = self._check(piece.group())
                    if score:
                        begin, end = start + piece.start(), start + piece.end()
                        results.append(RecognizerResult("PHONE_NUMBER", begin, end, score))
            elif found:
                results.append(RecognizerResult("PHONE_NUMBER", start, match.end(), found))
        return results

    def _check(self, written: str) -> float | None:
        """The score of a valid phone number written like this, or None."""
        import phonenumbers

        candidate = self.EXTENSION.sub("", written)
        bare = candidate.strip("()")
        if self.DATE.match(bare) or self.NOT_A_PHONE.search(bare):
            return None
        score = self.shape_score(candidate)
        digits = sum(ch.isdigit() for ch in candidate)
        if not score or not 7 <= digits <= 15:
            return None
        international = candidate.startswith(("+", "00"))
        for region in (None,) if international else self.regions:
            try:
                number = phonenumbers.parse("+" + candidate[2:] if candidate.startswith("00") else candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return score
        return None


class DriverLicenceRecognizer(EntityRecognizer):
    """Driving-licence numbers where the text says that is what they are ("driver's license number is A5631933").

    presidio's US_DRIVER_LICENSE patterns match any short run of digits, or a letter and digits, anywhere (5% precision
    on presidio-research's data, thousands of hits on ordinary text). Licence formats differ by state and country and
    overlap every other number, so this recognizer needs the phrase first, then takes the first token after it that
    looks like one: six or more digits, or four or more with letters (not "his driver's license in 2019").
    """

    CANDIDATE = re.compile(r"(?i)\b(?:driver'?s?|driving)[ -]licen[cs]e|\bDL\b(?=\s*(?:#|no\b|num))")
    NUMBER = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9*-]{3,19}\b")
    REACH = 40  # characters after the phrase where the number may be

    def __init__(self) -> None:
        super().__init__(supported_entities=["US_DRIVER_LICENSE"], name="DriverLicenceRecognizer")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        results = []
        for phrase in self.CANDIDATE.finditer(text):
            start = phrase.end()
            for token in self.NUMBER.finditer(text, start, min(len(text), start + self.REACH)):
                value = token.group()
                digits = sum(ch.isdigit() for ch in value)
                letters = len(value) - digits - value.count("-") - value.count("*")
                if digits >= 6 or (digits >= 4 and letters):
                    results.append(RecognizerResult("US_DRIVER_LICENSE", token.start(), token.end(), 1.0))
                    break
        return results


@dataclass(frozen=True)
class Entry:
    r"""A recognizer with the cheap test that says whether a text could hold a match at all.

    ``could_match`` is an RE2 pattern run by Arrow over a whole batch of texts at once (hundreds of MB/s in C++,
    against tens for Python's ``re``). It must match every text in which the recognizer finds anything: it is a
    superset of the recognizer's patterns, written with Python's Unicode classes spelt out (``D``, ``W``, ``S``),
    since RE2's ``\d``, ``\w`` and ``\s`` are ASCII only. A test holds each one to that.
    """

    entity: str
    build: Callable[[], EntityRecognizer]
    could_match: str


# Python's \d, \w and \s on str, in RE2's syntax
D = r"\p{Nd}"
W = r"[\p{L}\p{N}_]"
S = r"[\s\v\x{1c}-\x{1f}\x{85}\p{Z}]"
_OMO = r"[\p{Nd}L-V]"  # an Italian fiscal code's digit, or the letter that stands for it (omocodia)

_MONTH = "(?i:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)"

CATALOGUE: tuple[Entry, ...] = (
    # first: a number the text calls a driving licence is one, whatever other pattern it also fits
    Entry("US_DRIVER_LICENSE", DriverLicenceRecognizer, r"(?i:driv(?:er|ing))|DL"),
    Entry("EMAIL_ADDRESS", OfflineEmailRecognizer, rf"\S@{W}"),
    Entry("PHONE_NUMBER", lambda: FastPhoneRecognizer(PHONE_REGIONS), rf"{D}[\p{{Nd}} \t().\-/]{{5,20}}{D}"),
    Entry("CREDIT_CARD", CardRecognizer, rf"{D}(?:[ -]?{D}){{11}}"),
    Entry("IBAN_CODE", AnyCaseIbanRecognizer, r"(?i)[A-Z]{2}[0-9]{2}[ -]?[A-Z0-9]{4}"),
    Entry("IP_ADDRESS", IpRecognizer, r"[0-9]\.[0-9]{1,3}\.[0-9]|::|[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:"),
    Entry("US_SSN", UsSsnRecognizer, r"[0-9]{3}[- .]?[0-9]{2}[- .]?[0-9]{4}"),
    Entry("UK_NINO", UkNinoRecognizer, r"(?i)[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]"),
    Entry("ES_NIF", EsNifRecognizer, r"(?i)[0-9]{7}-?[A-Z]"),
    Entry("IT_FISCAL_CODE", ItFiscalCodeRecognizer, rf"(?i)[A-Z]{{6}}{_OMO}{{2}}[A-Z]{_OMO}{{2}}[A-Z]{_OMO}{{3}}[A-Z]"),
    Entry("IN_AADHAAR", ContextAadhaarRecognizer, r"[0-9]{4}[- :]?[0-9]{4}[- :]?[0-9]{4}"),
    Entry("AU_TFN", ContextTfnRecognizer, rf"{D}{{3}}{S}?{D}{{3}}{S}?{D}{{3}}"),
    Entry("CRYPTO", CryptoRecognizer, r"(?i)(?:bc1|[13])[A-Z0-9]{25}"),
    Entry(
        "API_KEY",
        SecretsRecognizer,
        r"AKIA|ASIA|AGPA|AIDA|AROA|ANPA|gh[pousr]_|github_pat_|xox[abposr]-|AIza|[sr]k_(?:live|test)_|PRIVATE KEY",
    ),
    Entry("DATE_TIME", DateRecognizer, rf"{D}[/.\-](?:{D}|{_MONTH})|{_MONTH}-{D}"),
)
ENTITIES = tuple(e.entity for e in CATALOGUE)
