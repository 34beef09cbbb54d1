"""Language identification: the language scanner's backends against seeded langdetect, side by side (issue 7).

    python benchmarks/language_id.py                 # all UDHR paragraphs, 3 timing rounds
    python benchmarks/language_id.py --rounds 5

Data: the 22,891 paragraphs of the Universal Declaration of Human Rights in ../shared/data/langid (nltk's udhr2,
public domain), gold code in ``iso639_3``. Five files whose code is not a language code (``007``...) are left out.

What is measured, in one process:

* **accuracy** -- macro-averaged over gold languages (every language weighs the same), with macrolanguage-aware
  matching (``provenance.scanners.language.codes.same_language``: ``fa`` is right for ``pes``, ``ms`` is not for
  ``ind``). Each backend runs through the language scanner's own path (paragraph vote, scripts, tags) and is scored
  on its best guess. The baseline is what a user writes by hand: ``langdetect.detect(text)`` with
  ``DetectorFactory.seed = 0``. Two figures: on the languages langdetect supports (all their paragraphs), and on all
  the languages the backend can name (its own coverage).
* **coverage** -- distinct ISO 639-3 codes a backend can answer with, and how many UDHR languages they cover.
* **throughput** -- paragraphs per CPU second (``time.process_time``), on the paragraphs of langdetect's languages,
  every method once per round, rounds interleaved and the median kept, after a warm-up. Ours is the scanner's
  per-record work (``Language.classify``: segmentation, identification, script, BCP-47 tag, vote); ``scan()`` on
  Arrow batches, which adds building the findings table, is shown beside it.

Targets (issue 7): accuracy at least langdetect's on its languages, at least 150 languages, at least 50x throughput.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from provenance.scanners.language import Language
from provenance.scanners.language.codes import is_language_code, iso639_3, match_key, normalise

UDHR = Path(__file__).resolve().parents[2] / "shared" / "data" / "langid" / "udhr2_paragraphs.jsonl.gz"
OURS = ("auto", "cld2", "fasttext")
WARM_UP = 200


def load() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in gzip.open(UDHR, "rt", encoding="utf-8")]
    return [(r["text"], r["iso639_3"]) for r in rows if is_language_code(r["iso639_3"])]


def macro(pairs: list[tuple[str, str | None]]) -> tuple[float, int]:
    """Macro accuracy over the gold languages of (gold code, predicted code) pairs, and the number of languages."""
    per: dict[str, list[bool]] = defaultdict(list)
    for gold, predicted in pairs:
        per[gold].append(predicted is not None and match_key(predicted) == match_key(gold))
    accuracies = [sum(v) / len(v) for v in per.values()]
    return (sum(accuracies) / len(accuracies) if accuracies else 0.0), len(per)


def langdetect_baseline() -> tuple[Callable[[str], str | None], set[str]]:
    from langdetect import DetectorFactory, detect, detector_factory
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    detector_factory.init_factory()

    def identify(text: str) -> str | None:
        try:
            return detect(text)
        except LangDetectException:
            return None

    return identify, {code for raw in detector_factory._factory.get_lang_list() if (code := normalise(raw))}


def timed(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (interleaved; the median is kept)")
    args = parser.parse_args()
    if not UDHR.exists():
        raise SystemExit(f"UDHR paragraphs not found at {UDHR} (../shared/data)")
    data = load()
    udhr_languages = {match_key(lang) for _, lang in data}
    detect, ld_codes = langdetect_baseline()
    ld_keys = {match_key(c) for c in ld_codes}
    ld_data = [(t, g) for t, g in data if match_key(g) in ld_keys]
    ld_texts = [t for t, _ in ld_data]
    print(
        f"UDHR: {len(data):,} paragraphs in {len(udhr_languages)} languages; "
        f"{len(ld_data):,} paragraphs in the {len({g for _, g in ld_data})} of them langdetect supports"
    )

    scanners = {name: Language({"backend": name}) for name in OURS}  # models load here, untimed
    results: dict[str, dict[str, float | int]] = {}
    # accuracy and coverage
    ld_macro, ld_langs = macro([(g, detect(t)) for t, g in ld_data])
    results["langdetect (seeded)"] = {
        "codes": len({iso639_3(c) for c in ld_codes}),
        "udhr": len(ld_keys & udhr_languages),
        "acc_ld": ld_macro,
        "acc_covered": ld_macro,
    }
    for name, scanner in scanners.items():
        known = scanner.languages()
        keys = {match_key(c) for c in known}
        pairs = []
        for text, gold in data:
            if match_key(gold) in keys or match_key(gold) in ld_keys:
                top = scanner.classify(text).top
                pairs.append((gold, top.code if top else None))
        results[name] = {
            "codes": len({iso639_3(c) for c in known} - {"und"}),
            "udhr": len(keys & udhr_languages),
            "acc_ld": macro([(g, p) for g, p in pairs if match_key(g) in ld_keys])[0],
            "acc_covered": macro([(g, p) for g, p in pairs if match_key(g) in keys])[0],
        }

    # throughput: every method once per round, interleaved; each method handles the first n paragraphs
    batch = pa.table({"record_id": [str(i) for i in range(len(ld_texts))], "text": ld_texts})  # as a reader makes it
    methods: dict[str, Callable[[int], object]] = {"langdetect (seeded)": lambda n: [detect(t) for t in ld_texts[:n]]}
    for name, scanner in scanners.items():
        methods[name] = lambda n, s=scanner: [s.classify(t) for t in ld_texts[:n]]

    def scan(n: int) -> None:
        for i in range(0, n, 1000):
            scanners["auto"].scan(batch.slice(i, min(1000, n - i)))

    methods["auto, scan()"] = scan
    for fn in methods.values():
        fn(WARM_UP)  # caches and lazily built tables
    times: dict[str, list[float]] = defaultdict(list)
    order = list(methods)
    for r in range(args.rounds):
        for name in order[r % len(order) :] + order[: r % len(order)]:
            times[name].append(timed(lambda fn=methods[name]: fn(len(ld_texts))))
    speed = {name: len(ld_texts) / statistics.median(t) for name, t in times.items()}
    base = speed["langdetect (seeded)"]

    header = (
        f"{'backend':<22}{'ISO 639-3':>10}{'UDHR langs':>11}{'acc (ld langs)':>15}{'acc (covered)':>14}"
        f"{'paragraphs/s':>14}{'x langdetect':>13}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        print(
            f"{name:<22}{r['codes']:>10}{r['udhr']:>11}{r['acc_ld']:>15.4f}{r['acc_covered']:>14.4f}"
            f"{speed[name]:>14,.0f}{speed[name] / base:>13.1f}"
        )
    print(
        f"{'auto, scan()':<22}{'':>10}{'':>11}{'':>15}{'':>14}{speed['auto, scan()']:>14,.0f}"
        f"{speed['auto, scan()'] / base:>13.1f}"
    )
    auto = results["auto"]
    print(f"\ntargets for the default backend (auto), {args.rounds} interleaved rounds, median:")
    checks = [
        (f"accuracy on langdetect's {ld_langs} languages >= langdetect's", auto["acc_ld"], ld_macro, ".4f"),
        ("languages (ISO 639-3) >= 150", auto["codes"], 150, "d"),
        ("throughput >= 50x langdetect (classify)", speed["auto"] / base, 50, ".1f"),
        ("throughput >= 50x langdetect (scan)", speed["auto, scan()"] / base, 50, ".1f"),
    ]
    for label, value, target, fmt in checks:
        verdict = "met" if value >= target else "NOT met"
        print(f"  {label:<58} {value:{fmt}} vs {target:{fmt}}  {verdict}")


if __name__ == "__main__":
    main()
