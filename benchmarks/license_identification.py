"""Licence identification (issue 6): accuracy on labelled licence files, and what it costs on ordinary text.

    python benchmarks/license_identification.py

Gold sets (../shared/data/licenses): licensee's fixtures (64 real LICENSE-file variants, scored as described in
``provenance.evaluation.licenses``) and choosealicense's 47 licence texts. Targets: at least 95% correct on each, and
no licence named where the answer is "no licence". Speed is measured on 206 Wikipedia pages (text that holds no
licence, the common case for the ``ip`` scanner), on 304 Hugging Face dataset cards (which talk about licences, so
most pass the prefilter) and on the package's own licence texts (the worst case: every text is a licence and every
one is verified).
"""

from __future__ import annotations

import gzip
import json
import resource
import sys
import time
from pathlib import Path

from provenance.evaluation.licenses import (
    GoldCase,
    LicenseScores,
    Prediction,
    evaluate_licenses,
    load_license_gold,
    predict_licenses,
)
from provenance.licenses.identify import LicenseIndex, load_references

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
GOLD = {
    "licensee fixtures": DATA / "licenses" / "licensee_fixtures",
    "choosealicense": DATA / "licenses" / "choosealicense",
}
WEBTEXT = DATA / "webtext" / "enwiki_sample_206.plain.jsonl.gz"
CARDS = DATA / "cards" / "hf_canonical_cards"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def throughput(index: LicenseIndex, texts: list[str]) -> tuple[float, float, int]:
    size = sum(len(t.encode("utf-8")) for t in texts)
    started = time.perf_counter()
    found = sum(len(index.identify(t)) for t in texts)
    seconds = time.perf_counter() - started
    return size / 1e6, size / 1e6 / seconds, found


def report(name: str, cases: list[GoldCase], predictions: list[Prediction], scores: LicenseScores) -> None:
    print(f"\n{name}: {scores.correct}/{scores.total} correct = {scores.accuracy:.1%}")
    print(f"  wrong id where no licence was expected: {scores.wrong_where_none}")
    print(f"  a licence the gold set knows named where it says 'other': {scores.wrong_where_other}")
    for miss in scores.misses:
        print(f"  MISS {miss['case']}: expected {miss['expected']}, got {miss['got']}")
    others = [(c.name, p.spdx) for c, p in zip(cases, predictions, strict=True) if c.expect == "other" and p.spdx]
    for case, got in others:
        why = "several licences" if " AND " in got else "a licence the gold set does not name"
        print(f"  'other' case {case}: named {got} ({why}: counted correct)")
    if others:
        named = sum(any(not i.startswith("LicenseRef-") for i in got.split(" AND ")) for _, got in others)
        strict = scores.correct - named
        print(f"  strict reading ('other' correct only when no SPDX-listed id is named): {strict}/{scores.total}")


def main() -> None:
    missing = [str(p) for p in (*GOLD.values(), WEBTEXT) if not p.exists()]
    if missing:
        raise SystemExit(f"absent: {', '.join(missing)}: this benchmark needs ../shared/data")
    before = rss_mb()
    started = time.perf_counter()
    index = LicenseIndex.get()
    build = time.perf_counter() - started
    texts = [r for r in index.references if r.kind == "text"]
    notices = len(index.references) - len(texts)
    print(f"python {sys.version.split()[0]}")
    print(
        f"index: built in {build:.2f} s from licensedcode-data: {len(texts)} texts of {len({r.key for r in texts})} "
        f"licences and {notices} notices, {len(index._hashes):,} distinct fingerprints; arrays "
        f"{index.nbytes / 1e6:.0f} MB, process peak RSS +{rss_mb() - before:.0f} MB; {len(index.unanchored)} "
        "licences (with no anchor word) never looked for"
    )

    all_scores = LicenseScores()
    for name, folder in GOLD.items():
        cases = load_license_gold(folder)
        predictions = predict_licenses(cases, index)
        scores = evaluate_licenses(cases, predictions)
        report(name, cases, predictions, scores)
        all_scores.total += scores.total
        all_scores.correct += scores.correct
        all_scores.wrong_where_none += scores.wrong_where_none
        all_scores.wrong_where_other += scores.wrong_where_other
    print(
        f"\ncombined: {all_scores.correct}/{all_scores.total} correct = {all_scores.accuracy:.1%}; "
        f"wrong where none {all_scores.wrong_where_none}; wrong where other {all_scores.wrong_where_other}"
    )

    with gzip.open(WEBTEXT, "rt", encoding="utf-8") as lines:
        pages = [json.loads(line)["text_plain"] for line in lines]
    references = [body for _, body in load_references(rules=False, notices=False)]
    cards = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CARDS.glob("*.md"))]
    print()
    samples = (
        ("Wikipedia pages (no licences)", pages),
        ("Hugging Face dataset cards (mention licences, some quote one)", cards),
        ("licensedcode licence texts (every text a licence)", references),
    )
    for name, texts in samples:
        if not texts:
            continue
        index.identify(texts[0])  # warm
        size, rate, found = throughput(index, texts)
        print(f"throughput on {name}: {len(texts)} texts, {size:.1f} MB, {rate:.1f} MB/s, {found} matches")


if __name__ == "__main__":
    main()
