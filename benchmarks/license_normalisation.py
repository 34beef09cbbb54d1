"""How many of the licence strings in the Data Provenance Collection the normaliser reads (issue 6, point 1).

    python benchmarks/license_normalisation.py [--dpi ../shared/data/dpi]

Every licence string in ``data_summaries/*.json`` (``_template.json``, DPI's field template, is skipped) is run
through :func:`provenance.licenses.resolve.resolve_license`: each ``Licenses[].License`` (with its ``License URL``)
and the licences DPI read off other sites, ``Inferred Metadata`` ``HF Yaml License``, ``HF Config License``,
``GitHub License`` and ``PwC License Name`` (with ``PwC License URL``). ``License Notes`` is prose about the licence
("Derived from SNLI"), not a licence, so it is not counted. A string is *mapped* when it reads as an SPDX id or
expression or a documented LicenseRef (or a ScanCode LicenseRef), or as NOASSERTION from a placeholder that says no
licence is stated ("Unspecified", "No License"). It is *unmapped* when it stays custom terms (``LicenseRef-custom-``)
or raises. A name that stays custom but comes with a licence URL is mapped if the URL resolves (DPI's "Custom"
with a creativecommons.org link). DPI's "Various" (several licences, one per part) reads as NOASSERTION: it is
counted as mapped and shown on its own line, with the figure it would give counted the other way.

Prints: distinct strings and occurrences; the share mapped by each reading (spdx, hf-id, url, name, paraphrase,
placeholder); every unmapped string; what the licence URLs resolve to and where they disagree with the name beside
them; and how long the indexes took to build. Target: at most 2% unmapped, by distinct strings and by occurrences.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DPI = REPO_ROOT.parent / "shared" / "data" / "dpi"
INFERRED = ("HF Yaml License", "HF Config License", "GitHub License", "PwC License Name")
TARGET = 2.0
MULTIPLE = "several licences"  # the note resolve_license gives DPI's "Various"


def occurrences(dpi: Path) -> tuple[list[tuple[str, str, str | None]], int, int]:
    """(field, licence string, URL beside it) for every licence string; and the files and License Notes read."""
    found: list[tuple[str, str, str | None]] = []
    files = notes = 0
    for path in sorted((dpi / "data_summaries").glob("*.json")):
        if path.name.startswith("_"):
            continue
        files += 1
        for entry in json.loads(path.read_text(encoding="utf-8")).values():
            for claim in entry.get("Licenses") or []:
                name = claim.get("License")
                if isinstance(name, str) and name.strip():
                    url = claim.get("License URL")
                    found.append(("Licenses", name, url if isinstance(url, str) and url.strip() else None))
            inferred = entry.get("Inferred Metadata") or {}
            for field in INFERRED:
                name = inferred.get(field)
                if isinstance(name, str) and name.strip():
                    url = inferred.get("PwC License URL") if field == "PwC License Name" else None
                    found.append((field, name, url if isinstance(url, str) and url.strip() else None))
            notes += bool(isinstance(entry.get("License Notes"), str) and entry["License Notes"].strip())
    return found, files, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=Path, default=DEFAULT_DPI, help="a Data Provenance Collection checkout")
    args = parser.parse_args()

    start = time.perf_counter()
    from provenance.licenses import LicenseParseError
    from provenance.licenses.names import name_index
    from provenance.licenses.refs import DOCUMENTED_REFS
    from provenance.licenses.resolve import Resolution, resolve_license
    from provenance.licenses.urls import resolve_url

    imported = time.perf_counter() - start
    index = name_index()
    first = time.perf_counter()
    resolve_license("Creative Commons Attribution 4.0 International")  # the remaining lazy tables
    first = time.perf_counter() - first

    found, files, notes = occurrences(args.dpi)
    if not found:
        raise SystemExit(f"no licence strings under {args.dpi}/data_summaries: is --dpi a DPI checkout?")

    def read(name: str) -> Resolution | str:
        try:
            return resolve_license(name)
        except LicenseParseError as exc:
            return f"error: {exc}"

    timer = time.perf_counter()
    names: Counter[str] = Counter()
    fields: dict[str, Counter[str]] = defaultdict(Counter)
    status_of: dict[str, Counter[str]] = defaultdict(Counter)  # name -> status -> occurrences
    result_of: dict[str, str] = {}  # name -> what it read as (or the error)
    custom_urls: dict[str, Counter[str]] = defaultdict(Counter)  # name left custom -> the URLs beside it
    url_checks: Counter[tuple[str, str, str]] = Counter()  # (name's spdx, url's spdx or '', url) per occurrence
    for field, name, url in found:
        res = read(name)
        spdx, status = classify(res, url, resolve_url)
        names[name] += 1
        fields[name][field] += 1
        status_of[name][status] += 1
        result_of.setdefault(name, spdx if status != "url" else str(getattr(res, "spdx", res)))
        if status == "unmapped":
            custom_urls[name][url or "(no URL)"] += 1
        if url and isinstance(res, Resolution) and not res.custom:
            url_checks[(res.spdx, resolve_url(url) or "", url)] += 1
    elapsed = time.perf_counter() - timer

    total, distinct = sum(names.values()), len(names)
    status_occ: Counter[str] = Counter()
    status_distinct: Counter[str] = Counter()
    for statuses in status_of.values():
        status_occ.update(statuses)
        # a name is unmapped if any occurrence of it is (a 'Custom' whose URL resolves only sometimes)
        status_distinct["unmapped" if "unmapped" in statuses else statuses.most_common(1)[0][0]] += 1
    unmapped = [n for n in names if status_of[n]["unmapped"]]
    multiple = [n for n in names if status_of[n]["placeholder"] and MULTIPLE in read(n).note]  # type: ignore[union-attr]
    un_occ, un_distinct = status_occ["unmapped"], status_distinct["unmapped"]

    print(f"Data Provenance Collection: {files} data_summaries files ({args.dpi})")
    print(f"licence strings: {distinct:,} distinct, {total:,} occurrences")
    print(
        f"  fields: Licenses[].License, {', '.join(INFERRED)}; {notes:,} non-empty License Notes not counted (prose)\n"
    )
    print(f"{'read as':<28}{'distinct':>10}{'%':>8}{'occurrences':>14}{'%':>8}")
    for status in ("spdx", "hf-id", "url", "name", "paraphrase", "placeholder", "unmapped"):
        d, o = status_distinct[status], status_occ[status]
        label = {"placeholder": "placeholder -> NOASSERTION", "url": "url (custom name, its URL)"}.get(status, status)
        print(f"{label:<28}{d:>10,}{100 * d / distinct:>7.1f}%{o:>14,}{100 * o / total:>7.1f}%")
    mapped_d, mapped_o = distinct - un_distinct, total - un_occ
    print(
        f"{'mapped':<28}{mapped_d:>10,}{100 * mapped_d / distinct:>7.1f}%{mapped_o:>14,}{100 * mapped_o / total:>7.1f}%"
    )

    placeholders = Counter({n: status_of[n]["placeholder"] for n in names if status_of[n]["placeholder"]})
    print("\nplaceholders read as NOASSERTION: " + ", ".join(f"{k!r} x{n:,}" for k, n in placeholders.most_common()))
    kinds: Counter[str] = Counter()
    for name in names:
        for status, n in status_of[name].items():
            if status != "unmapped":
                kinds[kind_of(result_of[name], DOCUMENTED_REFS)] += n
    print("mapped occurrences by kind of id: " + ", ".join(f"{k} {n:,}" for k, n in kinds.most_common()))

    print(
        f"\nunmapped: {un_distinct} distinct ({100 * un_distinct / distinct:.1f}%), {un_occ:,} occurrences "
        f"({100 * un_occ / total:.2f}%)"
    )
    for name in sorted(unmapped, key=lambda n: (-status_of[n]["unmapped"], n)):
        where = ", ".join(f"{f} x{n}" for f, n in fields[name].most_common())
        urls = custom_urls[name]
        print(f"  {status_of[name]['unmapped']:>5}  {name[:70]!r} -> {result_of[name][:80]}  [{where}]")
        print(
            f"         {len(urls)} distinct URL(s) beside it, e.g. " + ", ".join(u[:70] for u, _ in urls.most_common(2))
        )

    strict_d = un_distinct + len(multiple)
    strict_o = un_occ + sum(status_of[n]["placeholder"] for n in multiple)
    print(
        f"\ncounting DPI's 'Various' (several licences, NOASSERTION) as unmapped too: {strict_d} distinct "
        f"({100 * strict_d / distinct:.1f}%), {strict_o:,} occurrences ({100 * strict_o / total:.2f}%)"
    )

    print_urls(url_checks)
    ok_o, ok_d = 100 * un_occ / total <= TARGET, 100 * un_distinct / distinct <= TARGET
    print(
        f"\ntarget <= {TARGET}% unmapped: occurrences {'met' if ok_o else 'NOT met'} ({100 * un_occ / total:.2f}%), "
        f"distinct strings {'met' if ok_d else 'NOT met'} ({100 * un_distinct / distinct:.1f}%)"
    )
    print(
        f"\nindexes: import {imported:.2f} s; ScanCode front matter of {index.licences:,} licences read and indexed "
        f"({len(index.names):,} names, {len(index.urls):,} URLs) in {index.build_seconds:.2f} s; first resolution "
        f"{first * 1000:.0f} ms; all {total:,} occurrences resolved in {elapsed:.2f} s"
    )


def classify(res: object, url: str | None, resolve_url: Callable[[str], str | None]) -> tuple[str, str]:
    """(spdx or error, status) of one occurrence; status is the reading, 'placeholder' or 'unmapped'."""
    from provenance.licenses.resolve import Resolution

    if not isinstance(res, Resolution):
        return str(res), "unmapped"
    if res.custom:
        by_url = resolve_url(url) if url else None
        return (by_url, "url") if by_url else (res.spdx, "unmapped")
    if res.spdx == "NOASSERTION":
        return res.spdx, "placeholder"
    return res.spdx, res.how


def kind_of(spdx: str, documented: dict[str, str]) -> str:
    if spdx == "NOASSERTION":
        return "NOASSERTION"
    if spdx in documented:
        return "documented LicenseRef"
    if spdx.startswith("LicenseRef-scancode-"):
        return "ScanCode LicenseRef"
    return "SPDX expression" if " " in spdx else "SPDX id"


def print_urls(checks: Counter[tuple[str, str, str]]) -> None:
    """The licence URL beside a name that resolved: does it resolve, and to the same licence?"""
    total = sum(checks.values())
    if not total:
        return
    resolved = sum(n for (_, by_url, _), n in checks.items() if by_url)
    agree = sum(n for (spdx, by_url, _), n in checks.items() if by_url and by_url == spdx)
    print(
        f"\nlicence URLs beside a mapped name: {total:,} occurrences, {len(checks):,} distinct; "
        f"{resolved:,} resolve ({100 * resolved / total:.1f}%), {agree:,} to the same licence as the name"
    )
    disagree = [(k, n) for k, n in checks.items() if k[1] and k[1] != k[0]]
    for (spdx, by_url, url), n in sorted(disagree, key=lambda kn: -kn[1]):
        print(f"  {n:>5}  name {spdx} but URL {by_url}: {url}")


if __name__ == "__main__":
    main()
