"""Licence tags and notices, copyright notices, reservations of rights and no-reuse terms, found in a text.

Each detector is a regular expression plus what it takes to read the match (a licence name to resolve, a holder to
classify). They run only on texts the scanner's cheap test picked. Licence names resolve with the toolkit's own
normaliser, so a notice is reported with the same SPDX id a sources manifest would give it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ...licenses import LicenseParseError, normalize_license


@dataclass(frozen=True)
class Hit:
    label: str
    start: int
    end: int
    score: float
    spdx: str | None = None
    written: str | None = None
    years: str | None = None
    holder: str | None = None


SPDX_TAG = re.compile(r"SPDX-License-Identifier:[ \t]*(?P<expr>[^\n\r]*?)[ \t]*(?:\*/|-->|#\}|$)", re.MULTILINE)
# "Licensed under the Apache License, Version 2.0", "This work is licensed under a Creative Commons Attribution 4.0
# International License", "released under the MIT licence": the phrase after "under" names the licence
NOTICE = re.compile(
    r"(?i)\b(?:licen[cs]ed|released|distributed|made\s+available|available|published|provided|dual[- ]licen[cs]ed)"
    r"\s+under\s+(?:the\s+terms\s+of\s+)?(?:either\s+)?(?:the\s+|a\s+|an\s+)?"
    r"(?P<name>(?:[^.;:\n()\"“”<>]|(?<=\d)\.(?=\d)){3,120})"
)
GPL_NOTICE = re.compile(
    r"(?is)\bGNU\s+(?P<kind>Lesser\s+|Library\s+|Affero\s+)?General\s+Public\s+License"
    r"(?P<rest>.{0,160}?)\bversion\s+(?P<version>[123])(?:\.\d)?\b(?P<later>.{0,60}?any\s+later\s+version)?"
)
CC_BADGE = re.compile(r"(?i)\bCC[- ](?P<kind>BY(?:[- ]NC)?(?:[- ](?:SA|ND))?)[- ](?P<version>[1-4]\.[05])\b")
COPYRIGHT = re.compile(
    r"(?i)(?:\bcopyright\b\s*(?:\(c\)|©)?|(?<![\w)])\(c\)(?!\()|©)[ \t]*"
    r"(?P<years>(?:19|20)\d\d(?:[ \t]*[-–,][ \t]*(?:(?:19|20)?\d\d))*)?[ \t]*,?[ \t]*(?:by[ \t]+)?"
    r"(?P<holder>[^\n;<]{2,80}?)"
    r"(?=[ \t]*(?:\.[ \t]*(?:\n|$|all\b|\s[A-Z])|;|\n|$|<|,?[ \t]*all[ \t]+rights|\*/))"
)
RIGHTS_RESERVED = re.compile(
    r"(?i)\ball\s+rights\s+reserved\b|\balle\s+rechte\s+vorbehalten\b|\btous\s+droits\s+r[ée]serv[ée]s\b"
    r"|\btodos\s+los\s+derechos\s+reservados\b|\btutti\s+i\s+diritti\s+riservati\b|\bвсе\s+права\s+защищены\b"
)
_S = r"[\s*#/]+"  # spaces, and the comment markers a notice in source code is wrapped in
NO_AI_TRAINING = re.compile(
    (
        r"(?i)\b(?:may|must|shall|will)_not_be_(?:\w+(?:,_\w+)*_(?:or|and)_)?used_(?:to_train|for_(?:the_)?training"
        r"|for_(?:machine[- ]learning|artificial_intelligence|AI)\b)"
        r"|\bnot_(?:be_)?used_to_train_(?:\w+[- ])?(?:machine[- ]learning|AI|artificial|language)"
        r"|\bno_(?:AI|machine[- ]learning)_training\b"
        r"|\b(?:AI|machine[- ]learning)_training_(?:is_)?(?:prohibited|forbidden|not_(?:permitted|allowed))"
        r"|\b(?:reserv\w*|prohibit\w*|forbid\w*|opt(?:s|ed)?[- ]out_of)\b[^.\n]{0,60}"
        r"(?:text[- ]and[- ]data[- ]mining|\bTDM\b)"
        r"|(?:text[- ]and[- ]data[- ]mining|\bTDM\b)[^.\n]{0,40}\b(?:is_)?"
        r"(?:reserved|prohibited|forbidden|not_permitted)"
    ).replace("_", _S)
)
NO_REUSE = re.compile(
    r"(?i)\bmay\s+not\s+be\s+(?:copied|reproduced|redistributed|republished|reprinted|resold)\b"
    r"|\b(?:reproduction|redistribution|republication)\s+(?:is\s+)?(?:strictly\s+)?(?:prohibited|forbidden)\b"
    r"|\bby\s+(?:using|accessing)\s+this\s+(?:site|website|service)\b[^.\n]{0,40}\bagree"
    r"|\bsubject\s+to\s+(?:our|the|these)\s+terms\s+of\s+(?:service|use)\b"
    r"|\bredistribution\s+not\s+permitted\b"
)
ORGANISATION = re.compile(
    r"(?i)\b(?:inc|ltd|llc|llp|plc|gmbh|ag|s\.?a|s\.?l|b\.?v|oy|ab|kk|corp|corporation|company|co|limited|foundation"
    r"|university|universit[äàé]t?|institute|institut|project|authors|contributors|developers|team|media|press"
    r"|publishing|publishers|group|association|society|ministry|government|council|agency|wire|news|network"
    r"|systems|software|labs?|technologies|studios?|trust|museum|library)\b"
)
_CC_WORDS = {"BY": "Attribution", "NC": "NonCommercial", "SA": "ShareAlike", "ND": "NoDerivatives"}


@lru_cache(maxsize=8192)
def resolve(written: str) -> str | None:
    """The SPDX id of a licence name, trying shorter prefixes ("the MIT License and ..." -> MIT); None if none."""
    words = written.strip().rstrip(",").split()
    for n in range(min(len(words), 14), 0, -1):
        phrase = " ".join(words[:n]).rstrip(",")
        try:
            spdx = normalize_license(phrase).spdx
        except LicenseParseError:
            continue
        if spdx != "NOASSERTION" and not spdx.startswith("LicenseRef-custom"):
            return spdx
    return None


def licence_hits(text: str) -> Iterator[Hit]:
    for m in SPDX_TAG.finditer(text):
        expr = m["expr"].strip()
        try:
            spdx = normalize_license(expr).spdx
        except LicenseParseError:
            spdx = None
        yield Hit("SPDX_TAG", m.start(), m.end(), 1.0 if spdx else 0.5, spdx, expr)
    for m in GPL_NOTICE.finditer(text):
        family = {"lesser": "LGPL", "library": "LGPL", "affero": "AGPL"}.get((m["kind"] or "").strip().lower(), "GPL")
        version = {"1": "1.0", "2": "2.0" if family == "GPL" else "2.1", "3": "3.0"}[m["version"]]
        if family == "AGPL" and version != "3.0":
            continue
        spdx = f"{family}-{version}-{'or-later' if m['later'] else 'only'}"
        yield Hit("LICENSE_NOTICE", m.start(), m.end(), 0.9, spdx, " ".join(m.group().split())[:120])
    for m in NOTICE.finditer(text):
        if "GNU" in m["name"] and "General Public" in m["name"]:
            continue  # read by GPL_NOTICE, which knows about "or any later version"
        spdx = resolve(m["name"])
        if spdx:
            yield Hit("LICENSE_NOTICE", m.start(), m.end(), 0.8, spdx, " ".join(m["name"].split())[:120])
    for m in CC_BADGE.finditer(text):
        kind = re.sub(r"[ -]", "-", m["kind"].upper())
        spdx = f"CC-{kind}-{m['version']}"
        words = "-".join(_CC_WORDS[k] for k in kind.split("-"))
        yield Hit("LICENSE_NOTICE", m.start(), m.end(), 0.7, spdx, f"Creative Commons {words} {m['version']}")


def copyright_hits(text: str) -> Iterator[Hit]:
    for m in COPYRIGHT.finditer(text):
        years, holder = m["years"], (m["holder"] or "").strip(" ,.-–*#/")
        if not years and not re.search(r"\(c\)|©", m.group(), re.IGNORECASE):
            continue  # "copyright" as a word ("the copyright holder"), not a notice
        if holder.lower().startswith(("notice", "holder", "law", "and ", "owner", "infringement", "protection")):
            continue
        yield Hit("COPYRIGHT", m.start(), m.end(), 0.9 if years else 0.7, years=years, holder=holder or None)


def reservation_hits(text: str) -> Iterator[Hit]:
    for label, pattern in (
        ("ALL_RIGHTS_RESERVED", RIGHTS_RESERVED),
        ("NO_AI_TRAINING", NO_AI_TRAINING),
        ("NO_REUSE", NO_REUSE),
    ):
        for m in pattern.finditer(text):
            yield Hit(label, m.start(), m.end(), 0.9)


def is_organisation(holder: str) -> bool:
    """Companies, projects and institutions are named in reports; a holder that may be a person is only hashed."""
    return bool(ORGANISATION.search(holder))
