"""``provenance eval licenses``: how often the licence identifier names the right licence, and whether it ever names
one where it should name none.

Gold layouts (``load_license_gold(dir)`` tells them apart by what the folder holds):

* **licensee fixtures** -- a folder with ``fixtures.yml`` (also found at ``spec/fixtures/fixtures.yml`` below the
  given folder) and one sub-folder per case. The expected licence is the case's ``key:``, a licensee /
  choosealicense key mapped to SPDX through the ``spdx-id`` of ``choosealicense/_licenses/<key>.txt`` when a
  choosealicense folder sits beside the gold folder, else through licensedcode's key-to-SPDX table. The text of a
  case is what a user would read to learn the folder's licence: its licence files (``LICENSE*``, ``LICENCE*``,
  ``COPYING*``, ``UNLICENSE``, ``COPYRIGHT*``, ``PATENTS``, anything under ``LICENSES/``), else its README, else
  every text file in it.
* **choosealicense** -- ``_licenses/*.txt``: front matter with ``spdx-id``, then the licence text with
  ``[year]``/``[fullname]`` placeholders. Each file is a case.

How a case is scored (``GoldCase.expect``):

* ``"license"``: correct when exactly one licence is named and it is the expected one. ``-only``/``-or-later``
  and the deprecated bare ids (``GPL-3.0``) count as the same licence, because a licence text alone does not say
  which of them applies; the notice that does is not part of a LICENSE file.
* ``"none"`` (licensee's ``no-license``, or no key at all): correct only when nothing is named. Anything named,
  even a ``LicenseRef``, is a *wrong id where none was expected* -- the error that matters most.
* ``"other"`` (licensee's ``other``: a licence, but not one licensee names): correct when we name nothing, a
  ``LicenseRef``, several licences, or an SPDX id outside the gold set's own vocabulary (``GoldCase.not_one_of``).
  Naming a single licence the gold set knows -- MPL-2.0 for a modified MPL -- is a *wrong id where other was
  expected*, counted apart.

Library API (the CLI ``provenance eval licenses --gold DIR [--predictions F] [--format table|json]`` is a thin
layer over it)::

    cases = load_license_gold("shared/data/licenses/licensee_fixtures")
    predictions = predict_licenses(cases)          # one Prediction per case; builds the index once
    scores = evaluate_licenses(cases, predictions)
    scores.accuracy, scores.misses, scores.wrong_where_none, scores.rows(), scores.as_dict()
    write_predictions("predictions.jsonl", predictions)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from ..errors import InputError
from ..licenses.identify import LicenseIndex, LicenseMatch, load_references

Expect = Literal["license", "other", "none"]

_LICENSE_FILE = re.compile(r"^(?:un)?licen[cs]e|^copying|^copyright|^patents?(?:\.|$)|[-_.](?:un)?licen[cs]e(?:\.|$)")
_LICENSE_DIR = re.compile(r"^licen[cs]es$")
_README = re.compile(r"^readme")
# A licence whose text grants additional permissions on top of another licence, and which is shipped together with
# that licence's text: a folder holding both is under the first (LGPL-3.0's preamble says so).
_SUPPLEMENTS = {"lgpl-3.0": "gpl-3.0"}


@dataclass(frozen=True)
class GoldCase:
    """One labelled text. ``expected_spdx`` is None unless ``expect`` is ``"license"``; ``label`` is the gold set's
    own key (``mit``, ``other``, ``no-license``, ``""`` when absent)."""

    name: str
    text: str
    expected_spdx: str | None
    expect: Expect = "license"
    label: str = ""
    source: str = ""
    files: tuple[str, ...] = ()
    not_one_of: frozenset[str] = frozenset()
    parts: tuple[str, ...] = ()
    """The text of each of ``files``, identified one by one as a user reads them (``text`` is them joined)."""


@dataclass(frozen=True)
class Prediction:
    """What the identifier said about one case: ``spdx`` is one id, several joined by `` AND ``, or None."""

    case: str
    spdx: str | None
    coverage: float | None = None
    score: float | None = None
    matches: tuple[LicenseMatch, ...] = ()


@dataclass
class LicenseScores:
    """Accuracy overall and per expected licence, every miss, and the two errors that name a licence wrongly."""

    total: int = 0
    correct: int = 0
    per_expected: dict[str, dict[str, Any]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)
    wrong_where_none: int = 0
    wrong_where_other: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def rows(self) -> list[dict[str, Any]]:
        """One row per expected licence, then ``overall``: ready for a table."""
        rows = [{"expected": name, **cell} for name, cell in sorted(self.per_expected.items())]
        overall = {"cases": self.total, "correct": self.correct, "accuracy": round(self.accuracy, 4)}
        return [*rows, {"expected": "overall", **overall}]

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.total,
            "correct": self.correct,
            "accuracy": round(self.accuracy, 4),
            "wrong_where_none": self.wrong_where_none,
            "wrong_where_other": self.wrong_where_other,
            "per_expected": self.per_expected,
            "misses": self.misses,
        }


def load_license_gold(path: str | Path) -> list[GoldCase]:
    """Cases from a licensee-fixtures folder or a choosealicense folder (see the module docstring)."""
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"{root}: no such folder", hint="point --gold at licensee_fixtures or choosealicense")
    for fixtures in (root / "fixtures.yml", root / "spec" / "fixtures" / "fixtures.yml"):
        if fixtures.is_file():
            return _load_licensee(fixtures)
    for licenses in (root / "_licenses", root):
        if licenses.name == "_licenses" and any(licenses.glob("*.txt")):
            return _load_choosealicense(licenses)
    raise InputError(
        f"{root}: neither a licensee fixtures folder (fixtures.yml) nor a choosealicense folder (_licenses/*.txt)",
        hint="point --gold at licensee_fixtures, its spec/fixtures, or choosealicense",
    )


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    _, head, body = text.split("---", 2)
    data = yaml.safe_load(head)
    return (data if isinstance(data, dict) else {}), body.lstrip("\n")


def _load_choosealicense(folder: Path) -> list[GoldCase]:
    cases = []
    for path in sorted(folder.glob("*.txt")):
        meta, body = _front_matter(path.read_text(encoding="utf-8"))
        spdx = meta.get("spdx-id")
        if not spdx:
            raise InputError(f"{path}: front matter has no spdx-id", hint="each _licenses/*.txt needs spdx-id")
        cases.append(GoldCase(path.stem, body, str(spdx), "license", path.stem, "choosealicense", (path.name,)))
    return cases


def _choosealicense_ids(fixtures: Path) -> dict[str, str]:
    """licensee key -> SPDX id from a choosealicense folder near the fixtures, if there is one."""
    for parent in fixtures.parents:
        folder = parent / "choosealicense" / "_licenses"
        if folder.is_dir():
            out = {}
            for path in folder.glob("*.txt"):
                meta, _ = _front_matter(path.read_text(encoding="utf-8"))
                if meta.get("spdx-id"):
                    out[path.stem] = str(meta["spdx-id"])
            return out
    return {}


def _load_licensee(fixtures: Path) -> list[GoldCase]:
    try:
        expected = yaml.safe_load(fixtures.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{fixtures}: not YAML: {exc}") from None
    choosealicense = _choosealicense_ids(fixtures)
    to_spdx = {ref.key: ref.spdx for ref, _ in load_references(rules=False, notices=False)} | choosealicense
    labels = {str((v or {}).get("key") or "") for v in expected.values() if isinstance(v, dict) or v is None}
    # the licences licensee can name: an "other" case must not be named as one of them
    vocabulary = frozenset(choosealicense.values()) or frozenset(to_spdx[k] for k in labels if k in to_spdx)
    cases = []
    for folder in sorted(p for p in fixtures.parent.iterdir() if p.is_dir()):
        label = str((expected.get(folder.name) or {}).get("key") or "")
        files, parts = _folder_files(folder)
        text = "\n\n".join(parts)
        if label in ("", "no-license", "none"):
            expect: Expect = "none"
            spdx = None
        elif label == "other":
            expect, spdx = "other", None
        elif label in to_spdx:
            expect, spdx = "license", to_spdx[label]
        else:
            raise InputError(f"{fixtures}: {folder.name} expects {label!r}, which no licence list names")
        excluded = vocabulary if expect == "other" else frozenset()
        cases.append(GoldCase(folder.name, text, spdx, expect, label, "licensee", files, excluded, parts))
    return cases


def _folder_files(folder: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The files a user would read to learn the folder's licence, and their texts."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))

    def licence_like(p: Path) -> bool:
        inside = p.relative_to(folder).parts[:-1]
        return bool(_LICENSE_FILE.search(p.name.lower())) or any(_LICENSE_DIR.match(d.lower()) for d in inside)

    chosen = [p for p in files if licence_like(p)] or [p for p in files if _README.match(p.name.lower())] or files
    texts = [_read_text(p) for p in chosen]
    kept = [(p, t) for p, t in zip(chosen, texts, strict=True) if t is not None]
    return tuple(str(p.relative_to(folder)) for p, _ in kept), tuple(t for _, t in kept)


def _read_text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:4096]:
        return None
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def predict_licenses(cases: Sequence[GoldCase], index: LicenseIndex | None = None) -> list[Prediction]:
    """Identify each case's text; several licences in one case are joined by `` AND ``."""
    index = index or LicenseIndex.get()
    return [predict_case(case, index) for case in cases]


def predict_case(case: GoldCase, index: LicenseIndex) -> Prediction:
    """A case's licence: every file's matches together (offsets are within each file)."""
    name = case.name
    matches = tuple(m for part in (case.parts or (case.text,)) for m in index.identify(part))
    ids = _folder_licences([m.spdx for m in matches])
    if not ids:
        return Prediction(name, None, matches=matches)
    kept = [m for m in matches if m.spdx in ids]
    return Prediction(
        name,
        " AND ".join(ids),
        coverage=min(m.coverage for m in kept),
        score=min(m.score for m in kept),
        matches=matches,
    )


def _folder_licences(ids: Sequence[str]) -> list[str]:
    """Distinct ids in order of first appearance, less a licence another one found here supplements."""
    distinct = list(dict.fromkeys(ids))
    families = {_family(i) for i in distinct}
    dropped = {base for extra, base in _SUPPLEMENTS.items() if extra in families}
    return [i for i in distinct if _family(i) not in dropped]


def _family(spdx: str) -> str:
    """The licence an id names regardless of its -only/-or-later form: GPL-3.0, GPL-3.0+, GPL-3.0-only -> gpl-3.0."""
    name = spdx.strip().lower()
    for suffix in ("-or-later", "-only", "+"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def same_license(expected: str, got: str | None) -> bool:
    """True when ``got`` names exactly the licence ``expected`` names (see the module docstring)."""
    return got is not None and " AND " not in got and _family(expected) == _family(got)


def is_correct(case: GoldCase, got: str | None) -> bool:
    if case.expect == "license":
        return case.expected_spdx is not None and same_license(case.expected_spdx, got)
    if case.expect == "none":
        return got is None
    return not _names_known_licence(case, got)


def _names_known_licence(case: GoldCase, got: str | None) -> bool:
    """For an ``other`` case: did we name one licence the gold set knows (and so would have named itself)?"""
    if got is None or " AND " in got or got.startswith("LicenseRef-"):
        return False
    known = {_family(i) for i in case.not_one_of}
    return not known or _family(got) in known


def evaluate_licenses(cases: Sequence[GoldCase], predictions: Sequence[Prediction]) -> LicenseScores:
    """Score predictions against cases, matched by position (and checked by name)."""
    scores = LicenseScores()
    cells: dict[str, Counter[str]] = {}
    for case, predicted in zip(cases, predictions, strict=True):
        if case.name != predicted.case:
            raise InputError(f"prediction for {predicted.case!r} given where {case.name!r} was expected")
        expected = case.expected_spdx or f"({case.expect})"
        ok = is_correct(case, predicted.spdx)
        cell = cells.setdefault(expected, Counter())
        cell["cases"] += 1
        cell["correct"] += ok
        scores.total += 1
        scores.correct += ok
        if case.expect == "none" and predicted.spdx is not None:
            scores.wrong_where_none += 1
        if case.expect == "other" and _names_known_licence(case, predicted.spdx):
            scores.wrong_where_other += 1
        if not ok:
            scores.misses.append(
                {"case": case.name, "source": case.source, "expected": expected, "got": predicted.spdx}
            )
    for name, cell in cells.items():
        scores.per_expected[name] = {
            "cases": cell["cases"],
            "correct": cell["correct"],
            "accuracy": round(cell["correct"] / cell["cases"], 4),
        }
    return scores


def write_predictions(path: str | Path, predictions: Sequence[Prediction]) -> None:
    """JSONL, one line per case: case, detected spdx (or null), coverage, score, and each match with its offsets."""
    with open(path, "w", encoding="utf-8") as out:
        for p in predictions:
            row = {
                "case": p.case,
                "spdx": p.spdx,
                "coverage": p.coverage,
                "score": p.score,
                "matches": [asdict(m) for m in p.matches],
            }
            out.write(json.dumps(row) + "\n")
