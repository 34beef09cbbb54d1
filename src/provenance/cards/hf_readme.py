"""The Hugging Face dataset card (README.md), every statement measured from the ledger or declared in it.

Each statement says where it comes from: **[measured]** (counted in the ledger), **[measured by
scanner@version#config]** (found by that scanner), or **[declared in sources.yaml]** (written by a person in that
sources manifest; "declared in code" for sources given to ``track``). What neither the ledger nor a declaration says
is written "Not known." The card reads nothing but the ledger.

The YAML metadata carries the Hub's fields and is checked against the Hub's accepted values
(:mod:`.hf_validate`) before anything is written. How the fields are derived:

* ``license``: each effective licence (a record's own, else its source's) as a Hub id; SPDX ids the Hub lists map to
  them (``GPL-3.0-only`` and ``GPL-3.0-or-later`` to ``gpl-3.0``: the Hub has one id per version); anything else
  (expressions, ``LicenseRef-``, SPDX ids the Hub has no id for) is ``other``, with ``license_name``,
  ``license_details`` naming the terms and ``license_link`` when one source's terms URL is the only one. Unknown
  licences are ``unknown``.
* ``language``: the languages the sources declare, as ISO 639 codes (the primary subtag of each BCP-47 tag);
  ``language_details`` keeps full tags where they say more (``pt-BR``).
* ``multilinguality``: from the *measured* languages when a ``language`` scan exists (a language counts when it
  holds at least 5% of one source's characters, as the coverage report counts it), else from the declared ones.
* ``size_categories``: the number of distinct records.
* ``source_datasets``: ``original`` for sources not read from a Hugging Face dataset, ``extended|<repo>`` for each
  hub repository the records' origins (or a source's homepage) name.
* ``task_categories``: only when given to the card command; never guessed.
* ``language_creators`` and ``annotations_creators``: from the declared collection methods, see
  :data:`LANGUAGE_CREATORS` and :data:`ANNOTATIONS_CREATORS`.
* ``configs``: one per source with files, named by the source id, its files relative to the manifest's folder
  (a saved dataset's split as ``<folder>/<split>/*.arrow``); files with no split are listed as ``train``, the split
  the Hub gives files it is told nothing about.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .._version import __version__
from ..ledger import Ledger
from ..memo import memo_on_read_only
from ..models import CardMetadata
from ..models.card import CardConfig, CardDataFiles
from .hf_validate import check_card_metadata

_SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
]

# Declared collection method -> the Hub's language_creators value. 'found': text written for another purpose and
# collected (web pages, feeds, public records, licensed archives); 'crowdsourced': written by people recruited or
# invited to write it (site users, annotators, paid or not); 'machine-generated': written by a program or model.
# 'expert-generated' is never inferred: a collection method does not say whether the writers were experts.
LANGUAGE_CREATORS = {
    "web_scraping": "found",
    "api": "found",
    "licensed_purchase": "found",
    "public_records": "found",
    "user_generated": "crowdsourced",
    "annotation": "crowdsourced",
    "synthetic": "machine-generated",
    "other": "other",
}
# Declared collection method -> annotations_creators: only sources collected by annotation carry annotations.
ANNOTATIONS_CREATORS = {"annotation": "crowdsourced"}
NO_ANNOTATION = "no-annotation"

# Who produced a source's text, as far as its declared collection method tells.
PRODUCERS = {
    "web_scraping": "the authors of the web pages collected (not known individually)",
    "api": "the authors or users of the service the data was fetched from (not known individually)",
    "user_generated": "the users of the service who wrote the content",
    "annotation": "annotators who wrote or labelled the records for the collector",
    "synthetic": "a program or model that generated the text",
    "licensed_purchase": "the licensor's authors (the data was bought under licence)",
    "public_records": "the public bodies that published the records",
    "other": "not known",
}

# Builder names `datasets` gives data read from local files: not hub repositories.
_LOCAL_BUILDERS = frozenset(
    "json csv parquet text arrow generator pandas sql imagefolder audiofolder videofolder webdataset "
    "in-memory cache".split()
)
# ip scanner labels, in words
IP_LABELS = {
    "LICENSE_TEXT": "full licence texts",
    "LICENSE_NOTICE": "licence notices",
    "SPDX_TAG": "SPDX licence tags",
    "COPYRIGHT": "copyright notices",
    "ALL_RIGHTS_RESERVED": "'all rights reserved' statements",
    "NO_AI_TRAINING": "statements forbidding AI training or text and data mining",
    "NO_REUSE": "statements forbidding reuse or republication",
    "PROTECTED_WORK": "long passages of registered protected works",
}
# demographic axes that describe special categories of personal data (GDPR art. 9) when about a person
SENSITIVE_AXES = ("race_ethnicity", "religion", "sexual_orientation", "ability", "gender_and_sex")
# a declared collection method, in words
METHOD_WORDS = {
    "web_scraping": "web scraping",
    "api": "fetched from an API",
    "user_generated": "user-generated content",
    "annotation": "written or labelled by annotators",
    "synthetic": "generated (synthetic data)",
    "licensed_purchase": "bought under licence",
    "public_records": "public records",
    "other": "other (not described further)",
}
NOT_KNOWN = "Not known."
MEASURED = "**[measured]**"


def size_category(n: int) -> str:
    return next((label for limit, label in _SIZE_CATEGORIES if n < limit), "n>1T")


def _spdx_to_hf() -> dict[str, str]:
    from ..licenses.hf import HF_LICENSES

    out: dict[str, str] = {}
    for hf_id, (spdx, _) in HF_LICENSES.items():
        if hf_id in ("other",):
            continue
        out.setdefault(spdx, hf_id)
    return out


def hf_license_id(spdx: str) -> str:
    """The Hub's licence id for an SPDX id: its own id where the Hub lists the licence (``-only`` and ``-or-later``
    GNU ids map to the Hub's versioned id), 'unknown' for NOASSERTION, else 'other' (expressions, LicenseRef-, and
    SPDX ids the Hub has no id for)."""
    if spdx == "NOASSERTION":
        return "unknown"
    table = _spdx_to_hf()
    if spdx in table:
        return table[spdx]
    base = re.sub(r"-(only|or-later)$", "", spdx)
    if base != spdx:
        for candidate in (f"{base}-only", base):
            if candidate in table:
                return table[candidate]
    return "other"


def _slug(text: str) -> str:
    text = re.sub(r"^LicenseRef-", "", text)
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.") or "custom"


def human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} B"


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


# ---- text from manifests and corpora, made inert in Markdown ---------------------------------------------------------
_MARKDOWN = str.maketrans({"\\": "\\\\", "<": "&lt;", ">": "&gt;", "|": "\\|", "[": "\\[", "]": "\\]", "`": "\\`"})
# what a person wrote in a sources manifest, shown as it was written but never as markup
_DECLARED_TEXT = ("name", "notes", "attribution", "collector", "homepage", "terms_url", "license_raw", "manifest")


def md(value: Any) -> Any:
    """Text from a manifest or a corpus as Markdown shows it, and no more: one line, no HTML tags, no links, no code
    spans, no table cells of its own (``<``, ``>``, ``[``, ``]``, `` ` ``, ``|`` and ``\\`` are escaped)."""
    return value if value is None else " ".join(str(value).split()).translate(_MARKDOWN)


def markdown_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """A copy of :func:`_facts` for the Markdown documents, every string a manifest or a corpus supplied escaped
    with :func:`md` (source declarations, file paths, splits, repositories, metadata fields and values, reasons)."""
    demo = facts["demographics"]
    if getattr(demo, "metadata", None):
        demo = demo.model_copy(
            update={"metadata": {md(a): {md(v): n for v, n in vs.items()} for a, vs in demo.metadata.items()}}
        )
    return {
        **facts,
        "sources": [{**s, **{k: md(s[k]) for k in _DECLARED_TEXT if s.get(k) is not None}} for s in facts["sources"]],
        "files": {k: [md(p) for p in v] for k, v in facts["files"].items()},
        "splits": {k: {md(split): n for split, n in v.items()} for k, v in facts["splits"].items()},
        "repos": {k: [md(r) for r in v] for k, v in facts["repos"].items()},
        "fields": {k: [md(f) for f in v] for k, v in facts["fields"].items()},
        "bad_reasons": [{**b, "reason": md(b["reason"])} for b in facts["bad_reasons"]],
        "demographics": demo,
    }


def _declared_in(source: dict[str, Any]) -> str:
    return f"**[declared in {Path(source['manifest']).name}]**" if source.get("manifest") else "**[declared in code]**"


def _declared_all(facts: dict[str, Any]) -> str:
    names = sorted({Path(s["manifest"]).name for s in facts["sources"] if s.get("manifest")})
    coded = any(not s.get("manifest") for s in facts["sources"])
    where = ", ".join(names + (["code"] if coded else []))
    return f"**[declared in {where}]**" if where else "**[declared]**"


def _measured_by(stamp: str | None) -> str:
    return f"**[measured by {stamp}]**" if stamp else MEASURED


def _period(s: dict[str, Any]) -> str | None:
    start, end = s.get("period_start"), s.get("period_end")
    if not start and not end:
        return None
    return f"{start or 'unknown start'} to {end or 'unknown end'}"


# ---- facts ---------------------------------------------------------------------------------------------------------
@memo_on_read_only
def _facts(store: Ledger) -> dict[str, Any]:
    """Everything the card, the datasheet and the data statement say, read from the ledger once."""
    from ..coverage import demographic_coverage, language_coverage

    per_source = store.sql(
        """SELECT s.source_id, s.name, s.license, s.license_raw, s.consent_basis, s.collection_method,
                  s.languages, s.attribution, s.manifest, s.homepage, s.collector, s.terms_url, s.notes,
                  s.period_start, s.period_end,
                  count(r.record_id) AS records, coalesce(sum(r.n_bytes), 0) AS bytes,
                  coalesce(sum(r.n_chars), 0) AS chars,
                  (SELECT count(*) FROM files f WHERE f.source_id = s.source_id) AS files,
                  (SELECT count(*) FROM bad_records b WHERE b.source_id = s.source_id) AS bad
           FROM sources s LEFT JOIN records r USING (source_id)
           GROUP BY ALL ORDER BY s.source_id"""
    ).to_pylist()
    licences = store.sql(
        """SELECT coalesce(r.record_license, s.license) AS license,
                  count(*) AS records, string_agg(DISTINCT s.source_id, ', ' ORDER BY s.source_id) AS sources,
                  count(*) FILTER (WHERE r.record_license IS NOT NULL) AS from_record_column
           FROM records r JOIN sources s USING (source_id) GROUP BY 1 ORDER BY records DESC, license"""
    ).to_pylist()
    scans = store.sql(
        "SELECT scan_id, command, status, finished_at, scanners, toolkit_version FROM scans "
        "WHERE status = 'finished' ORDER BY finished_at"
    ).to_pylist()
    quality = store.sql(
        """SELECT label, count(DISTINCT record_id) AS records, any_value(stamp) AS stamp
           FROM findings WHERE kind = 'quality' GROUP BY label ORDER BY label"""
    ).to_pylist()
    pii = store.sql(
        """SELECT label, count(DISTINCT record_id) AS records, any_value(stamp) AS stamp
           FROM findings WHERE scanner = 'pii' GROUP BY label ORDER BY records DESC, label"""
    ).to_pylist()
    pii_scanned = store.scalar("SELECT count(DISTINCT record_id) FROM record_scans WHERE stamp LIKE 'pii@%'")
    pii_gaps = store.scalar(
        """SELECT not_checked FROM scans WHERE status = 'finished' AND list_contains(
               list_transform(scanners, lambda s: split_part(s, '@', 1)), 'pii') ORDER BY finished_at DESC LIMIT 1"""
    )
    ip = store.sql(
        """SELECT label, count(DISTINCT record_id) AS records, count(*) AS findings, any_value(stamp) AS stamp,
                  string_agg(DISTINCT r.source_id, ', ' ORDER BY r.source_id) AS sources
           FROM findings f JOIN records r USING (record_id) WHERE f.scanner = 'ip'
           GROUP BY label ORDER BY records DESC, label"""
    ).to_pylist()
    scanned = {
        name: {"stamp": stamp, "records": n}
        for name, stamp, n in store.execute(
            """SELECT split_part(rs.stamp, '@', 1), rs.stamp, count(DISTINCT rs.record_id)
               FROM record_scans rs LEFT JOIN scans s USING (scan_id)
               GROUP BY ALL ORDER BY max(s.started_at) NULLS FIRST"""
        )
    }  # the latest stamp of each scanner wins
    not_checked = [
        row[0]
        for row in store.execute(
            """SELECT DISTINCT unnest(not_checked) FROM scans WHERE scan_id IN (
                   SELECT arg_max(scan_id, finished_at) FROM (
                       SELECT scan_id, finished_at, split_part(unnest(scanners), '@', 1) AS scanner
                       FROM scans WHERE status = 'finished') GROUP BY scanner)
               ORDER BY 1"""
        )
    ]
    files = defaultdict(list)
    for source, path in store.execute("SELECT source_id, path FROM files ORDER BY source_id, path"):
        files[source].append(path)
    splits = defaultdict(dict)
    for source, split, n in store.execute(
        "SELECT source_id, dataset_split, count(DISTINCT record_id) FROM origins "
        "WHERE dataset_split IS NOT NULL GROUP BY ALL ORDER BY 1, 2"
    ):
        splits[source][split] = n
    repos = defaultdict(list)
    for source, repo in store.execute(
        "SELECT DISTINCT source_id, dataset_repo FROM origins WHERE dataset_repo IS NOT NULL ORDER BY 1, 2"
    ):
        repos[source].append(repo)
    fields = {
        source: sorted(keys or [])
        for source, keys in store.execute(
            "SELECT source_id, list(DISTINCT k) FROM (SELECT source_id, unnest(json_keys(meta)) AS k FROM records "
            "WHERE meta IS NOT NULL) GROUP BY 1"
        )
    }
    bad_reasons = store.sql(
        """SELECT source_id, split_part(reason, ':', 1) AS reason, count(*) AS lines
           FROM bad_records GROUP BY ALL ORDER BY source_id, lines DESC, reason"""
    ).to_pylist()
    lengths = store.sql(
        "SELECT count(*) AS records, avg(n_chars) AS mean, median(n_chars) AS median, min(n_chars) AS min, "
        "max(n_chars) AS max FROM records"
    ).to_pylist()[0]
    places = store.scalar("SELECT count(*) FROM origins") or 0
    shared = store.execute(
        "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT content_hash, count(DISTINCT source_id) AS n "
        "FROM records GROUP BY 1 HAVING n > 1)"
    )[0]
    # records an event covers: its exclusions, which grow as records matching its scope arrive after it
    consent = store.sql(
        """SELECT e.action, e.scope_kind, count(DISTINCT e.event_id) AS events,
                  count(DISTINCT x.record_id) AS records, min(e.occurred_at) AS first, max(e.occurred_at) AS last
           FROM consent_events e LEFT JOIN exclusions x USING (event_id)
           GROUP BY ALL ORDER BY e.action, e.scope_kind"""
    ).to_pylist()
    revoked = """(SELECT x.record_id, r.source_id, x.excluded_at AS occurred_at FROM exclusions x
                  JOIN records r USING (record_id))"""
    revoked_present = store.scalar(f"SELECT count(DISTINCT record_id) FROM {revoked}") or 0
    revoked_used = store.scalar(
        f"""SELECT count(DISTINCT rr.run_id) FROM run_records rr JOIN runs ru USING (run_id)
            JOIN {revoked} v ON v.record_id = rr.record_id WHERE ru.started_at > v.occurred_at"""
    )
    runs = store.execute("SELECT count(*), (SELECT count(DISTINCT record_id) FROM run_records) FROM runs")[0]
    language = language_coverage(store)
    scripts = {
        label: sorted(s for s in found if s)
        for label, found in store.execute(
            "SELECT label, list(DISTINCT json_extract_string(detail, '$.script')) FROM findings "
            "WHERE scanner = 'language' AND stamp = ? GROUP BY 1",
            [language.scanner],
        )
    }
    return {
        "sources": per_source,
        "licences": licences,
        "scans": scans,
        "quality": quality,
        "pii": pii,
        "pii_scanned": pii_scanned or 0,
        "pii_gaps": [g for g in (pii_gaps or []) if "names" in g],
        "ip": ip,
        "scanned": scanned,
        "not_checked": not_checked,
        "files": dict(files),
        "splits": dict(splits),
        "repos": dict(repos),
        "fields": fields,
        "bad_reasons": bad_reasons,
        "lengths": lengths,
        "places": places,
        "shared_texts": shared[0],
        "shared_records": shared[1],
        "consent": consent,
        "consent_now": consent_facts(store),
        "revoked_present": revoked_present,
        "revoked_used_runs": revoked_used or 0,
        "runs": runs[0],
        "run_records": runs[1],
        "language": language,
        "language_scripts": scripts,
        "demographics": demographic_coverage(store),
        "mixture": _mixture(store),
        "ledger_name": store.path.name,
    }


# ---- consent ---------------------------------------------------------------------------------------------------------
# The states of the ledger's consent_state view, in the order the cards show them.
CONSENT_STATES = ("granted", "no_objection", "unknown", "opted_out", "revoked")
STATE_WORDS = {
    "granted": "granted",
    "no_objection": "no objection",
    "unknown": "unknown",
    "opted_out": "opted out",
    "revoked": "revoked",
}
# The signal kinds the consent scanner looks for: page headers and HTML meta, and site files snapshotted at crawl time.
SIGNAL_KINDS = ("robots.txt", "ai.txt", "tdmrep", "tdmrep.json", "x-robots-tag", "html-meta")
SIGNAL_OUTCOMES = ("opted_out", "allowing", "silent", "unreadable")
_DAY = "strftime(timezone('UTC', {}), '%Y-%m-%d')"  # dates as text, in UTC: no time zone database needed


@memo_on_read_only
def consent_facts(store: Ledger) -> dict[str, Any]:
    """Consent as the ledger knows it now, in counts only (never a signal's value, a registry entry or a URL, which
    may name a person): records per source and consent state, the consent scanner's signals per kind, the opt-out
    registries applied, the revocations and the card releases recorded."""
    from ..ledger.consent import verify_chain

    states: dict[str, dict[str, int]] = defaultdict(dict)
    for source, state, n in store.execute(
        "SELECT source_id, state, count(*) FROM consent_state GROUP BY ALL ORDER BY ALL"
    ):
        states[source][state] = n
    opted = store.sql(
        """SELECT count(*) AS records,
                  count(*) FILTER (WHERE record_id IN (SELECT record_id FROM registry_matches)) AS by_registry,
                  count(*) FILTER (WHERE record_id IN (SELECT record_id FROM consent_signals WHERE opted_out))
                      AS by_signal
           FROM consent_state WHERE state = 'opted_out'"""
    ).to_pylist()[0]
    stamps = store.execute(
        """SELECT rs.stamp, count(DISTINCT rs.record_id) FROM record_scans rs LEFT JOIN scans s USING (scan_id)
           WHERE rs.stamp LIKE 'consent@%' GROUP BY 1 ORDER BY max(s.started_at) NULLS FIRST, 1"""
    )
    scanned = store.scalar("SELECT count(DISTINCT record_id) FROM record_scans WHERE stamp LIKE 'consent@%'") or 0
    signals = {
        row["signal"]: row
        for row in store.sql(
            """SELECT signal,
                      count(DISTINCT record_id) FILTER (WHERE opted_out) AS opted_out,
                      count(DISTINCT record_id) FILTER (WHERE NOT opted_out) AS allowing,
                      count(DISTINCT record_id) FILTER (WHERE opted_out IS NULL
                          AND NOT starts_with(coalesce(value, ''), 'malformed')) AS silent,
                      count(DISTINCT record_id) FILTER (WHERE opted_out IS NULL
                          AND starts_with(coalesce(value, ''), 'malformed')) AS unreadable,
                      count(DISTINCT record_id) AS records
               FROM consent_signals GROUP BY 1 ORDER BY 1"""
        ).to_pylist()
    }
    signal_totals = store.sql(
        """SELECT count(DISTINCT record_id) AS records,
                  count(DISTINCT record_id) FILTER (WHERE opted_out) AS opted_out,
                  list(DISTINCT stamp ORDER BY stamp) AS stamps
           FROM consent_signals"""
    ).to_pylist()[0]
    signal_sources = dict(
        store.execute(
            "SELECT r.source_id, count(DISTINCT c.record_id) FROM consent_signals c JOIN records r USING (record_id) "
            "GROUP BY 1 ORDER BY 1"
        )
    )
    with_url = dict(
        store.execute(
            "SELECT source_id, count(DISTINCT record_id) FROM origins WHERE url IS NOT NULL GROUP BY 1 ORDER BY 1"
        )
    )
    registries = store.sql(
        f"""SELECT g.name, g.version, g.entries, {_DAY.format("g.loaded_at")} AS loaded,
                   g.description, g.version = max(g.version) OVER (PARTITION BY g.name) AS current,
                   (SELECT count(DISTINCT m.record_id) FROM registry_matches m
                    WHERE m.name = g.name AND m.version = g.version) AS matched
            FROM optout_registries g ORDER BY g.name, g.version"""
    ).to_pylist()
    matched_by = defaultdict(dict)
    for name, version, source, n in store.execute(
        """SELECT m.name, m.version, r.source_id, count(DISTINCT m.record_id) FROM registry_matches m
           JOIN records r USING (record_id) GROUP BY ALL ORDER BY ALL"""
    ):
        matched_by[(name, version)][source] = n
    for reg in registries:
        reg["by_source"] = matched_by.get((reg["name"], reg["version"]), {})
    revoked_by_source = dict(
        store.execute(
            "SELECT r.source_id, count(DISTINCT x.record_id) FROM exclusions x JOIN records r USING (record_id) "
            "GROUP BY 1 ORDER BY 1"
        )
    )
    events = store.scalar("SELECT count(*) FROM consent_events WHERE action = 'revoke'") or 0
    logged = store.scalar("SELECT count(*) FROM consent_events") or 0
    releases = store.sql(
        f"SELECT count(*) AS releases, max({_DAY.format('written_at')}) AS last FROM card_releases"
    ).to_pylist()[0]
    return {
        "states": dict(states),
        "opted_out": opted,
        "stamps": [s for s, _ in stamps],
        "stamp": stamps[-1][0] if stamps else None,
        "scanned": scanned,
        "signals": signals,
        "signal_records": signal_totals["records"] or 0,
        "signal_opted_out": signal_totals["opted_out"] or 0,
        "signal_stamps": signal_totals["stamps"] or [],
        "signal_sources": signal_sources,
        "with_url": with_url,
        "registries": registries,
        "revoked_by_source": revoked_by_source,
        "revocations": events,
        "chain_problems": verify_chain(store) if logged else [],
        "releases": releases["releases"] or 0,
        "last_release": releases["last"],
    }


def ledger_facts(store: Ledger) -> dict[str, Any]:
    """The facts the card, datasheet and data statement are written from (see :func:`_facts`)."""
    return _facts(store)


def _mixture(store: Ledger):
    """check_licenses' verdict for its default purpose, on the ledger already open."""
    from ..licenses import check_licenses

    return check_licenses(store)


def _hf_repos(facts: dict[str, Any]) -> dict[str, list[str]]:
    """Hub dataset repositories each source was read from: origins naming one, or a huggingface.co homepage."""
    from ..licenses.known_datasets import lookup, parse_repo_id

    out: dict[str, list[str]] = {}
    for s in facts["sources"]:
        found: list[str] = []
        for raw in facts["repos"].get(s["source_id"], []):
            local = raw.startswith(("/", "./", "../", "~")) or "\\" in raw
            if local or ("://" not in raw and ":" in raw.split("/")[0]):
                continue  # a local folder, or polars:/iterable: stand-ins
            repo = parse_repo_id(raw)
            if repo is None or repo.lower() in _LOCAL_BUILDERS:
                continue
            if "/" in repo or lookup(repo) is not None:  # a bare name only when it is a known hub dataset
                found.append(repo)
        homepage = parse_repo_id(s["homepage"]) if s.get("homepage") and "://" in s["homepage"] else None
        if homepage:  # only a huggingface.co/datasets URL parses
            found.append(homepage)
        if found:
            out[s["source_id"]] = sorted(set(found))
    return out


def _measured_languages(facts: dict[str, Any]) -> list[str] | None:
    lang = facts["language"]
    if lang.scanner is None:
        return None
    return sorted({m for d in lang.declared_vs_measured for m in d.measured})


def _primary(tag: str) -> tuple[str, str]:
    """(ISO 639 code for the Hub's ``language``, standardised BCP-47 tag) of a declared tag."""
    import langcodes

    try:
        std = langcodes.standardize_tag(tag)
    except (ValueError, LookupError):
        std = tag
    return std.split("-")[0].lower(), std


def _configs(facts: dict[str, Any]) -> list[CardConfig]:
    bases = {s["source_id"]: Path(s["manifest"]).parent for s in facts["sources"] if s.get("manifest")}
    every = [p.split("[")[0] for paths in facts["files"].values() for p in paths]
    try:
        common = Path(os.path.commonpath(every)) if every else None
    except ValueError:  # paths on different drives
        common = None

    def rel(path: str, base: Path | None) -> str:
        for root in (base, common):
            if root is not None:
                try:
                    return PurePosixPath(Path(path).relative_to(root)).as_posix()
                except ValueError:
                    continue
        return PurePosixPath(Path(path)).as_posix()

    configs = []
    for source, paths in sorted(facts["files"].items()):
        per_split: dict[str, list[str]] = defaultdict(list)
        for path in paths:
            m = re.fullmatch(r"(.*)\[([^\]]+)\]", path)  # a saved dataset's split: <folder>[<split>]
            if m:
                folder = rel(m.group(1), bases.get(source))
                per_split[m.group(2)].append(f"{folder}/{m.group(2)}/*.arrow")
            else:
                per_split["train"].append(rel(path, bases.get(source)))
        configs.append(
            CardConfig(
                config_name=source,
                data_files=[
                    CardDataFiles(split=split, path=files[0] if len(files) == 1 else files)
                    for split, files in sorted(per_split.items())
                ],
            )
        )
    return configs


def card_metadata(facts: dict[str, Any], pretty_name: str, *, task_categories: list[str] | None = None) -> CardMetadata:
    total = sum(s["records"] for s in facts["sources"])
    ids = sorted({hf_license_id(lic["license"]) for lic in facts["licences"]} or {"unknown"})
    other = [lic for lic in facts["licences"] if hf_license_id(lic["license"]) == "other"]
    license_name = license_link = license_details = None
    if other:
        names = [lic["license"] for lic in other]
        license_name = _slug(names[0]) if len(names) == 1 else "combined-terms"
        license_details = "Terms the Hub has no licence id for: " + "; ".join(
            f"{lic['license']} ({lic['records']:,} records from {lic['sources']})" for lic in other
        )
        other_sources = {x.strip() for lic in other for x in lic["sources"].split(",")}
        urls = {s["terms_url"] for s in facts["sources"] if s["source_id"] in other_sources and s.get("terms_url")}
        if len(other) == 1 and len(other_sources) == 1 and len(urls) == 1:
            license_link = urls.pop()
    declared = sorted({tag for s in facts["sources"] for tag in (s["languages"] or [])})
    pairs = [_primary(tag) for tag in declared if _primary(tag)[0] not in ("und", "mul", "zxx", "mis")]
    languages = sorted({code for code, _ in pairs})
    details = sorted({std for code, std in pairs if std.lower() != code})
    measured = _measured_languages(facts)
    counted = {_primary(x)[0] for x in (measured if measured is not None else languages)}
    multilinguality = ["multilingual"] if len(counted) > 1 else ["monolingual"] if counted else None
    repos = _hf_repos(facts)
    source_datasets = (["original"] if any(s["source_id"] not in repos for s in facts["sources"]) else []) + sorted(
        {f"extended|{r}" for rs in repos.values() for r in rs}
    )
    methods = {s["collection_method"] for s in facts["sources"]}
    language_creators = sorted({LANGUAGE_CREATORS.get(m, "other") for m in methods}) or None
    annotations = {ANNOTATIONS_CREATORS.get(m, NO_ANNOTATION) for m in methods}
    configs = _configs(facts)
    return CardMetadata(
        pretty_name=pretty_name,
        license=ids[0] if len(ids) == 1 else ids,
        license_name=license_name,
        license_link=license_link,
        license_details=license_details,
        language=languages,
        language_details=details or None,
        multilinguality=multilinguality,
        size_categories=[size_category(total)],
        source_datasets=source_datasets,
        task_categories=sorted(set(task_categories)) if task_categories else None,
        annotations_creators=sorted(annotations) or None,
        language_creators=language_creators,
        configs=configs or None,
        generated_by=f"provenance-toolkit {__version__}",
    )


# ---- sections ------------------------------------------------------------------------------------------------------
def _pii_section(facts: dict[str, Any]) -> list[str]:
    scanned = facts["pii_scanned"]
    if not scanned:
        return ["Not measured: no PII scan is recorded in the ledger, so this card makes no claim about personal data."]
    stamp = facts["scanned"].get("pii", {}).get("stamp")
    lines = [
        f"{_measured_by(stamp)} The `pii` scanner (pattern tier) read {scanned:,} records. Records with at least one "
        "finding, by type (values are never stored; the ledger keeps keyed hashes):",
        "",
        "| type | records | share of scanned records |",
        "|---|---:|---:|",
    ]
    lines += [f"| {p['label']} | {p['records']:,} | {p['records'] / scanned:.1%} |" for p in facts["pii"]]
    if not facts["pii"]:
        lines.append("| (none found) | 0 | 0.0% |")
    gaps = facts["pii_gaps"]
    lines += [
        "",
        "Not looked for: " + "; ".join(gaps) + "."
        if gaps
        else "Names, places and organisations were looked for with the NER tier (a spaCy pipeline).",
    ]
    return lines


def model_credits(store: Ledger) -> list[str]:
    """Credits for the models behind the measured languages (fastText's lid.176 is CC-BY-SA-3.0)."""
    used: set[str] = set()
    for (payload,) in store.execute("SELECT payload FROM scan_partials WHERE scanner = 'language'"):
        used |= {k for k, v in (json.loads(payload).get("backend") or {}).items() if v}
    credits = []
    if any("fasttext" in b or b == "auto" for b in used):
        credits.append(
            "Languages were identified with CLD2 (Apache-2.0) and fastText's lid.176 model (Joulin et al., "
            '"Bag of Tricks for Efficient Text Classification", 2016; model licence CC-BY-SA-3.0).'
        )
    elif any("cld2" in b for b in used):
        credits.append("Languages were identified with CLD2 (Apache-2.0).")
    if any("langdetect" in b for b in used):
        credits.append("Languages were identified with langdetect (Apache-2.0), seeded.")
    return credits


def _language_lines(store: Ledger, lang: Any) -> list[str]:
    if lang.scanner is None:
        return ["Languages: not measured (no `language` scan is recorded in the ledger)."]
    lines = [
        f"**[measured by {lang.scanner}]** {lang.records:,} records: effective number of languages "
        f"{lang.effective_languages:.2f}, {lang.low_resource_share:.1%} of characters in low-resource languages, "
        f"{lang.mixed_records:,} mixed-language and {lang.unknown_records:,} unidentified records.",
        "",
        "| language | records | share of characters |",
        "|---|---:|---:|",
    ]
    lines += [f"| {row.language} | {row.records or 0:,} | {row.char_share or 0:.1%} |" for row in lang.languages[:15]]
    if len(lang.languages) > 15:
        lines.append(f"| ({len(lang.languages) - 15} more) | | |")
    mismatched = [d for d in lang.declared_vs_measured if d.declared_not_found or d.found_not_declared]
    if mismatched:
        lines += ["", "Declared **[declared]** and measured languages (at least 5% of a source's characters) differ:"]
    for d in mismatched:
        lines.append(
            f"- {d.source}: declared {', '.join(d.declared) or 'none'}, measured {', '.join(d.measured) or 'none'}."
        )
    return [*lines, "", *model_credits(store)]


def _demographic_lines(demo: Any) -> list[str]:
    if demo.scanner is None:
        return ["Demographic mentions: not measured (no `demographics` scan is recorded in the ledger)."]
    lines = [
        f"**[measured by {demo.scanner}]** Records mentioning each axis of demographic description (from the "
        f"HolisticBias and Gender-GAP lexicons, CC BY-SA 4.0; cells under {demo.min_cell_count} records are not "
        "shown). Mentions measure what the text talks about, not who wrote it.",
        "",
        "| axis | records | most mentioned groups | evenness |",
        "|---|---:|---|---:|",
    ]
    for axis in demo.axes:
        shown = sorted((g for g in axis.groups if g.records is not None), key=lambda g: -(g.records or 0))[:4]
        mentioning = (
            f"{axis.records_mentioning:,}" if axis.records_mentioning is not None else f"<{demo.min_cell_count}"
        )
        groups = ", ".join(f"{g.group} ({g.records:,})" for g in shown) or "-"
        even = f"{axis.normalised_entropy:.2f}" if axis.normalised_entropy is not None else "-"
        lines.append(f"| {axis.axis} | {mentioning} | {groups} | {even} |")
    if demo.female_male_ratio is not None:
        lines += ["", f"Gendered words: {demo.female_male_ratio:.2f} feminine per masculine mention."]
    return lines


def _coverage_section(store: Ledger, facts: dict[str, Any] | None = None) -> list[str]:
    """Measured language and demographic coverage (both parts; the card places them in separate sections)."""
    if facts is None:
        from ..coverage import demographic_coverage, language_coverage

        lang, demo = language_coverage(store), demographic_coverage(store)
    else:
        lang, demo = facts["language"], facts["demographics"]
    return [*_language_lines(store, lang), "", *_demographic_lines(demo)]


def _sources_table(facts: dict[str, Any]) -> list[str]:
    lines = [
        "| source | licence [declared] | consent basis [declared] | collection [declared] | records [measured] "
        "| size [measured] | files [measured] | unreadable lines [measured] |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for s in facts["sources"]:
        lines.append(
            f"| {s['source_id']} ({s['name']}) | {s['license']} | {s['consent_basis']} | {s['collection_method']} "
            f"| {s['records']:,} | {human_bytes(s['bytes'])} | {s['files']:,} | {s['bad']:,} |"
        )
    return lines


def _collection_lines(facts: dict[str, Any]) -> list[str]:
    lines = []
    for s in facts["sources"]:
        parts = [f"collection: {METHOD_WORDS.get(s['collection_method'], s['collection_method'])}"]
        if _period(s):
            parts.append(f"over {_period(s)}")
        parts.append(f"by {s['collector']}" if s.get("collector") else "collector not known")
        if s.get("homepage"):
            parts.append(f"from {s['homepage']}")
        if s.get("terms_url"):
            parts.append(f"terms: {s['terms_url']}")
        note = f' Notes: "{s["notes"]}"' if s.get("notes") else ""
        lines.append(f"- `{s['source_id']}` ({s['name']}) {_declared_in(s)}: {', '.join(parts)}.{note}")
    return lines


def _processing_lines(facts: dict[str, Any]) -> list[str]:
    total = sum(s["records"] for s in facts["sources"])
    bad = sum(s["bad"] for s in facts["sources"])
    lines = [
        "Each text was normalised before it was counted (Unicode NFC, line endings as LF, surrounding white space "
        "removed) and identified by a hash of the normalised text and its source, so a text repeated within a "
        "source is one record.",
        "",
        f"- {MEASURED} {facts['places']:,} places (file lines, rows, dataset rows) hold {total:,} distinct records.",
        f"- {MEASURED} {bad:,} unreadable lines or rows were left out"
        + (
            ": "
            + "; ".join(f"{b['source_id']}: {b['lines']:,} × {b['reason']}" for b in facts["bad_reasons"][:12])
            + "."
            if bad
            else "."
        ),
    ]
    if facts["shared_texts"]:
        lines.append(
            f"- {MEASURED} {_n(facts['shared_texts'], 'text')} appear{'s' * (facts['shared_texts'] == 1)} in more "
            f"than one source ({_n(facts['shared_records'], 'record')}); each source keeps its own record, licence "
            "and consent."
        )
    if facts["quality"]:
        for q in facts["quality"]:
            lines.append(f"- {_measured_by(q['stamp'])} {_n(q['records'], 'record')} flagged `{q['label']}`.")
    lines.append("- No record was filtered out or changed by the toolkit beyond this normalisation.")
    return lines


def _producer_lines(facts: dict[str, Any]) -> list[str]:
    lines = [
        f"- `{s['source_id']}`: {PRODUCERS.get(s['collection_method'], 'not known')} "
        f"(from the collection method {_declared_in(s)})."
        for s in facts["sources"]
    ]
    demo = facts["demographics"]
    meta = {axis: values for axis, values in (demo.metadata or {}).items() if values}
    if meta:
        lines += ["", f"{_measured_by(demo.scanner)} Demographic fields in the records' metadata:"]
        for axis, values in meta.items():
            shown = ", ".join(
                f"{k} ({v:,})" if v is not None else f"{k} (<{demo.min_cell_count})" for k, v in values.items()
            )
            lines.append(f"- {axis}: {shown}")
    else:
        lines += [
            "",
            "The producers' demographics: Not known. The ledger holds no self-reported information about who "
            "wrote the texts; the demographics scanner measures whom a text mentions, not its author.",
        ]
    return lines


def _annotation_lines(facts: dict[str, Any]) -> tuple[list[str], list[str]]:
    annotated = [s for s in facts["sources"] if s["collection_method"] == "annotation"]
    if not annotated:
        none = (
            "No source is declared as collected by annotation, so no annotation process is known; the records "
            "carry no labels the ledger knows of."
        )
        return [none], ["Not known: no source is declared as annotated."]
    process = [
        f"- `{s['source_id']}` ({s['name']}) {_declared_in(s)}: {s['records']:,} records [measured]"
        + (f'; notes: "{s["notes"]}"' if s.get("notes") else "; no notes on the process.")
        for s in annotated
    ]
    who = [
        f"- `{s['source_id']}`: {s['collector'] or 'collector not known'} {_declared_in(s)}. "
        "The annotators' demographics: Not known."
        for s in annotated
    ]
    return process, who


def _sensitive_lines(facts: dict[str, Any]) -> list[str]:
    demo = facts["demographics"]
    if demo.scanner is None:
        return [
            "Mentions of special categories (religion, ethnicity, sexual orientation, disability, gender): not "
            "measured (no `demographics` scan)."
        ]
    rows = []
    for axis in demo.axes:
        if axis.axis in SENSITIVE_AXES:
            n = axis.records_mentioning
            rows.append(f"{axis.axis}: {n:,}" if n is not None else f"{axis.axis}: <{demo.min_cell_count}")
    return [
        f"{_measured_by(demo.scanner)} Records mentioning a special category of personal data when said of a "
        f"person (by axis): {'; '.join(rows) or 'none'}. A mention is not a statement about a person in the "
        "data; these records may deserve a closer look."
    ]


def _ip_lines(facts: dict[str, Any]) -> list[str]:
    if "ip" not in facts["scanned"]:
        return ["Licence texts, notices and reservations inside the records: not measured (no `ip` scan)."]
    stamp = facts["scanned"]["ip"]["stamp"]
    scanned = facts["scanned"]["ip"]["records"]
    lines = [
        f"{_measured_by(stamp)} What the records say about their own rights ({scanned:,} records read):",
        "",
        "| statement | records | sources |",
        "|---|---:|---|",
    ]
    for row in facts["ip"]:
        lines.append(f"| {IP_LABELS.get(row['label'], row['label'])} | {row['records']:,} | {row['sources']} |")
    if not facts["ip"]:
        lines.append("| (none found) | 0 | |")
    gaps = [g for g in facts["not_checked"] if "ip scanner" in g or "protected" in g]
    if gaps:
        lines += ["", "Not looked for: " + "; ".join(gaps) + "."]
    return lines


def _mixture_lines(facts: dict[str, Any]) -> list[str]:
    report = facts["mixture"]
    lines = [
        f"{MEASURED} Verdict for {report.purpose.describe()} (the toolkit's default purpose): **{report.verdict}**. "
        f"The most restrictive use any licence allows: {report.most_restrictive_use.value}. This is an audit aid, "
        "not legal advice.",
    ]
    if report.conclusions:
        lines += ["", "| severity | rule | finding | records |", "|---|---|---|---:|"]
        for c in report.conclusions:
            message = c.message.replace("|", "\\|")
            lines.append(f"| {c.severity.value} | {c.rule} | {message} | {c.records:,} |")
    if report.attributions:
        lines += ["", "Attribution required by the licences (credit as declared **[declared]**):", ""]
        for a in report.attributions:
            credit = a.credit or "no credit line declared: Not known how the source asks to be credited"
            where = f" ({a.homepage})" if a.homepage else ""
            lines.append(f"- {a.source} ({a.name}{where}), {a.license}, {a.records:,} records: {credit}")
    return lines


def _consent_lines(facts: dict[str, Any]) -> list[str]:
    """The card's *Consent and Opt-outs*: state per source, then signals, registries and revocations under their own
    headings (the datasheet takes the same parts without headings)."""
    return [
        *_consent_state_lines(facts),
        "",
        "#### Consent signals",
        "",
        *_consent_signal_lines(facts),
        "",
        "#### Opt-out registries",
        "",
        *_registry_lines(facts),
        "",
        "#### Revocations",
        "",
        *_consent_event_lines(facts),
        "",
        *_revocation_how(facts),
    ]


def _consent_state_lines(facts: dict[str, Any]) -> list[str]:
    now = facts["consent_now"]
    declared = _declared_all(facts)
    signals = _measured_by(now["stamp"]) if now["stamp"] else "(no `consent` scan is recorded)"
    lines = [
        f"{MEASURED} The consent state of every record now, from the ledger's `consent_state`: a revocation "
        "outranks an opt-out (an opt-out registry's entry, or a consent signal on the page or its site), which "
        f"outranks the consent basis of the record's source. The basis is {declared}; *granted*, *no objection* "
        "and *unknown* follow from it (*no objection* also where a consent signal explicitly allows AI use); "
        f"*opted out* is measured, by registry matches and by consent signals {signals}; *revoked* counts the "
        "records a revocation in the ledger's log covers.",
        "",
        f"| source | declared basis {declared} | granted | no objection | unknown | opted out | revoked | records |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    totals = dict.fromkeys(CONSENT_STATES, 0)
    for s in facts["sources"]:
        counts = now["states"].get(s["source_id"], {})
        for state in CONSENT_STATES:
            totals[state] += counts.get(state, 0)
        lines.append(
            f"| `{s['source_id']}` | {s['consent_basis']} | "
            + " | ".join(f"{counts.get(state, 0):,}" for state in CONSENT_STATES)
            + f" | {s['records']:,} |"
        )
    if len(facts["sources"]) > 1:
        lines.append(
            "| **all** | | "
            + " | ".join(f"{totals[state]:,}" for state in CONSENT_STATES)
            + f" | {sum(s['records'] for s in facts['sources']):,} |"
        )
    return [*lines, "", *_opted_out_lines(facts)]


def _opted_out_lines(facts: dict[str, Any]) -> list[str]:
    opted = facts["consent_now"]["opted_out"]
    if not opted["records"]:
        return [f"{MEASURED} No record is opted out."]
    return [
        f"{MEASURED} Of the {_n(opted['records'], 'opted-out record')}, {opted['by_registry']:,} "
        f"{'is' if opted['by_registry'] == 1 else 'are'} matched by an opt-out registry and "
        f"{opted['by_signal']:,} carry an opt-out signal. A policy with `drop_opted_out` (the default) drops "
        "them at load time, as `drop_revoked` drops revoked ones."
    ]


def _consent_signal_lines(facts: dict[str, Any]) -> list[str]:
    now = facts["consent_now"]
    if "consent" not in facts["scanned"]:
        return [
            "Not measured: consent signals were not looked for (no `consent` scan is recorded in the ledger), so "
            "robots.txt, ai.txt, TDMRep (headers, HTML meta, tdmrep.json), X-Robots-Tag and HTML meta opt-outs of "
            "the records' pages are not known; *opted out* above counts opt-out registry matches only. Scan with "
            "`--scanners consent` to look for them."
        ]
    stamps = now["signal_stamps"] or [now["stamp"]]
    stamp = stamps[-1]
    sources = ", ".join(f"`{k}` {v:,}" for k, v in now["signal_sources"].items())
    urls = ", ".join(f"`{k}` {v:,}" for k, v in now["with_url"].items()) or "none"
    lines = [
        f"{_measured_by(stamp)} The `consent` scanner read {_n(now['scanned'], 'record')}: each page's HTTP "
        "headers (X-Robots-Tag, TDMRep) and HTML meta tags where the data kept them, and its site's robots.txt, "
        "ai.txt and tdmrep.json where a snapshot of the site was kept. Only records with a URL can carry a signal "
        f"(records with a URL: {urls}). {_n(now['signal_records'], 'record')} carry at least one signal"
        + (f" ({sources})" if sources else "")
        + f"; {now['signal_opted_out']:,} of them are opted out by one.",
    ]
    if len(stamps) > 1:
        lines.append(f"Signals come from the latest consent scan of each record: {', '.join(stamps)}.")
    lines += [
        "",
        "Records per signal kind and what the signal says (a record may carry several):",
        "",
        "| signal | opted out | allows AI use | no AI directive | unreadable |",
        "|---|---:|---:|---:|---:|",
    ]
    kinds = list(SIGNAL_KINDS) + sorted(set(now["signals"]) - set(SIGNAL_KINDS))
    for kind in kinds:
        row = now["signals"].get(kind, {})
        lines.append(f"| {kind} | " + " | ".join(f"{row.get(o, 0):,}" for o in SIGNAL_OUTCOMES) + " |")
    lines += [
        "",
        "*No AI directive*: the signal says nothing about AI use (e.g. `noindex`, which is about search "
        "results) or could not be interpreted; *unreadable*: the file was malformed. Values, URLs and where each "
        "signal was seen are in the ledger (`consent_signals`), not in this card.",
    ]
    return lines


def _registry_lines(facts: dict[str, Any]) -> list[str]:
    registries = facts["consent_now"]["registries"]
    if not registries:
        return [f"{MEASURED} No opt-out registry has been applied to this ledger."]
    lines = [
        f"{MEASURED} Opt-out registries applied to the records (each is matched to every record by domain, URL "
        "prefix, author or content hash; a registry speaks for its latest version):",
        "",
        "| registry | version | entries | records matched | loaded (UTC) |",
        "|---|---:|---:|---:|---|",
    ]
    for r in registries:
        matched = f"{r['matched']:,}" if r["current"] else "superseded"
        if r["current"] and r["by_source"]:
            matched += " (" + ", ".join(f"`{k}` {v:,}" for k, v in r["by_source"].items()) + ")"
        lines.append(f"| {r['name']} | {r['version']} | {r['entries'] or 0:,} | {matched} | {r['loaded'] or ''} |")
    described = [r for r in registries if r["current"] and r.get("description")]
    if described:
        lines += ["", "What the registries are **[declared]** (in the manifest or on the command line):", ""]
        lines += [f"- {r['name']}: {md(r['description'])}" for r in described]
    return lines


def _consent_event_lines(facts: dict[str, Any]) -> list[str]:
    if not facts["consent"]:
        return [f"{MEASURED} No consent events (revocations, opt-outs) are recorded in the ledger."]
    lines = [
        f"{MEASURED} Consent events recorded in the ledger's revocation log, with the records each covers now (a "
        "revocation also covers matching records that arrived after it):",
        "",
    ]
    for e in facts["consent"]:
        lines.append(
            f"- {e['action']} ({e['scope_kind']}): {_n(e['events'], 'event')} covering {e['records']:,} records, "
            f"{e['first']:%Y-%m-%d} to {e['last']:%Y-%m-%d}."
        )
    by_source = facts["consent_now"]["revoked_by_source"]
    lines += [
        f"- {facts['revoked_present']:,} records in the ledger fall under a revocation"
        + (" (" + ", ".join(f"`{k}` {v:,}" for k, v in by_source.items()) + ")" if by_source else "")
        + "; a policy with `drop_revoked` drops them at load time.",
        f"- {facts['revoked_used_runs']:,} training runs consumed a revoked record after its revocation.",
    ]
    problems = facts["consent_now"]["chain_problems"]
    if problems:
        lines.append(
            f"- The log's hash chain does not verify: {'; '.join(problems[:5])}"
            + (f" ({len(problems) - 5} more)" if len(problems) > 5 else "")
            + "."
        )
    else:
        lines.append("- The log's hash chain verifies: no event was changed or removed after it was written.")
    return lines


def _revocation_how(facts: dict[str, Any]) -> list[str]:
    now = facts["consent_now"]
    releases = (
        f" {_n(now['releases'], 'card release')} {'is' if now['releases'] == 1 else 'are'} recorded in the ledger "
        f"(the last on {now['last_release']}), so a revocation can name the releases that described a record."
        if now["releases"]
        else ""
    )
    return [
        "How to revoke: `provenance consent revoke` with `--record`, `--source`, `--domain`, `--url-prefix`, "
        "`--author` or `--content-hash` excludes the records now and those that arrive later, appends to the log "
        "and names the training runs and card releases that used them; `provenance forget` answers a person's "
        "removal request from their e-mail, phone, name or user name (matched through keyed hashes; the values are "
        "never stored)." + releases,
    ]


def _limitations(facts: dict[str, Any]) -> list[str]:
    total = sum(s["records"] for s in facts["sources"])
    lines = []
    bad = sum(s["bad"] for s in facts["sources"])
    if bad:
        per = ", ".join(f"{s['source_id']} {s['bad']:,}" for s in facts["sources"] if s["bad"])
        lines.append(f"- {MEASURED} {bad:,} unreadable lines or rows are not in the dataset ({per}).")
    unknown = sum(lic["records"] for lic in facts["licences"] if lic["license"] == "NOASSERTION")
    if unknown:
        srcs = next(lic["sources"] for lic in facts["licences"] if lic["license"] == "NOASSERTION")
        lines.append(
            f"- {MEASURED} {_n(unknown, 'record')} {'has' if unknown == 1 else 'have'} no known licence ({srcs})."
        )
    unjudged = [
        c for c in facts["mixture"].conclusions if c.rule == "unknown-licence" and c.licenses != ["NOASSERTION"]
    ]
    for c in unjudged:
        lines.append(
            f"- {MEASURED} {', '.join(c.licenses)}: terms the toolkit cannot judge ({_n(c.records, 'record')})."
        )
    for name, info in sorted(facts["scanned"].items()):
        if info["records"] < total:
            lines.append(
                f"- {_measured_by(info['stamp'])} {total - info['records']:,} of {total:,} records were not read "
                f"by the `{name}` scanner."
            )
    ran = set(facts["scanned"])
    for name, what in (
        ("pii", "personal data"),
        ("ip", "licence and rights statements inside the records"),
        ("language", "languages"),
        ("demographics", "demographic mentions"),
        ("consent", "consent signals of the pages and their sites (robots.txt, ai.txt, TDMRep, X-Robots-Tag)"),
    ):
        if name not in ran:
            lines.append(f"- Not measured: {what} (no `{name}` scan is recorded).")
    for gap in facts["not_checked"]:
        lines.append(f"- Not looked for: {gap}.")
    lines.append(
        "- Not looked for: offensive or toxic content, and factual accuracy (the toolkit has no scanner for them)."
    )
    lang = facts["language"]
    for d in lang.declared_vs_measured:
        if d.declared_not_found:
            lines.append(
                f"- {d.source}: declared languages {', '.join(d.declared_not_found)} were not measured in at least "
                "5% of its characters."
            )
    undeclared = [s["source_id"] for s in facts["sources"] if not s["languages"]]
    if undeclared:
        lines.append(f"- No languages are declared for {', '.join(undeclared)}.")
    return lines


def _curators(facts: dict[str, Any]) -> list[str]:
    by: dict[str, list[str]] = defaultdict(list)
    for s in facts["sources"]:
        by[s["collector"] or ""].append(s["source_id"])
    lines = [f"- {who} {_declared_all(facts)}: {', '.join(ids)}" for who, ids in sorted(by.items()) if who]
    if "" in by:
        lines.append(f"- Not known for: {', '.join(by[''])}.")
    return lines


def _structure_lines(facts: dict[str, Any]) -> dict[str, list[str]]:
    n = facts["lengths"]
    instances = [
        "Each record is one text, identified by `record_id` (a hash of its normalised text and its source) and "
        "traced to the places it was read from (file and line, or dataset, split and row).",
        "",
    ]
    if n["records"]:
        instances.append(
            f"{MEASURED} Characters per record: mean {n['mean']:,.0f}, median {n['median']:,.0f}, "
            f"minimum {n['min']:,}, maximum {n['max']:,}."
        )
    else:
        instances.append(f"{MEASURED} The ledger holds no records.")
    fields = [
        "The column(s) a source's text was read from are declared in the sources manifest and not recorded in the "
        "ledger. Metadata columns kept with the records [measured]:",
        "",
    ]
    fields += [
        f"- `{s['source_id']}`: {', '.join(f'`{f}`' for f in facts['fields'].get(s['source_id'], [])) or 'none'}"
        for s in facts["sources"]
    ]
    splits = [f"{MEASURED} Records per split, where the data had splits:", ""]
    with_splits = [(src, sp) for src, sp in facts["splits"].items() if sp]
    splits += [
        f"- `{src}`: " + ", ".join(f"{name} {count:,}" for name, count in sp.items()) for src, sp in with_splits
    ] or ["- none: no source was read from a dataset with splits."]
    splits += [
        "",
        "Records read from files have no split; the configs in the metadata list them as `train`, the split the "
        "Hub gives files it is told nothing about. Each source is a config named by its id.",
    ]
    return {"instances": instances, "fields": fields, "splits": splits}


def render_card(
    store: Ledger, pretty_name: str = "Dataset", *, task_categories: list[str] | None = None
) -> tuple[str, CardMetadata]:
    facts = _facts(store)
    meta = card_metadata(facts, pretty_name, task_categories=task_categories)
    facts, title = markdown_facts(facts), md(pretty_name)
    total_records = sum(s["records"] for s in facts["sources"])
    total_bytes = sum(s["bytes"] for s in facts["sources"])
    last = facts["scans"][-1] if facts["scans"] else None
    declared_all = _declared_all(facts)
    homepages = [f"{s['homepage']} ({s['source_id']})" for s in facts["sources"] if s.get("homepage")]
    collectors = sorted({s["collector"] for s in facts["sources"] if s.get("collector")})
    structure = _structure_lines(facts)
    process, annotators = _annotation_lines(facts)
    licence_ids = meta.license if isinstance(meta.license, list) else [meta.license]
    measured_langs = _measured_languages(facts)
    lines = [
        "---",
        yaml.safe_dump(meta.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True, width=100).rstrip(),
        "---",
        "",
        f"# Dataset Card for {title}",
        "",
        "Statements are marked **[measured]** (counted from the provenance ledger, or **[measured by scanner]** with "
        "the scanner's version and configuration) or **[declared]** (written by the dataset's curators in the "
        "named sources manifest). What neither says is written *Not known*.",
        "",
        "## Table of Contents",
        "",
        "- [Dataset Description](#dataset-description)",
        "- [Dataset Structure](#dataset-structure)",
        "- [Dataset Creation](#dataset-creation)",
        "- [Considerations for Using the Data](#considerations-for-using-the-data)",
        "- [Additional Information](#additional-information)",
        "- [How this card was made](#how-this-card-was-made)",
        "",
        "## Dataset Description",
        "",
        f"- **Curated by:** {', '.join(collectors) or NOT_KNOWN} {declared_all}",
        f"- **Homepages:** {', '.join(homepages) or NOT_KNOWN} {declared_all}",
        f"- **Languages:** {', '.join(meta.language) or 'none declared'} {declared_all}",
        f"- **Licence ids:** {', '.join(licence_ids)} {MEASURED} (see *Licensing Information*)",
        f"- **Point of Contact:** {NOT_KNOWN}",
        "",
        "### Dataset Summary",
        "",
        f"- **[measured]** {total_records:,} distinct records, {human_bytes(total_bytes)} of normalised UTF-8 text, "
        f"from {len(facts['sources'])} sources: {', '.join(s['name'] for s in facts['sources']) or 'none'}.",
        f"- **[declared]** Languages: {', '.join(meta.language) or 'none declared'} (declared by the sources; "
        "measured languages are under *Languages*).",
        "- What the dataset is for: Not known (no purpose is declared in the ledger).",
        "",
        "### Supported Tasks and Leaderboards",
        "",
        (
            f"**[declared to the card command]** {', '.join(meta.task_categories)}."
            if meta.task_categories
            else "Not known: no task categories were declared, so the metadata lists none."
        ),
        "",
        "### Languages",
        "",
        *_language_lines(store, facts["language"]),
        "",
        (
            f"Multilinguality ({', '.join(meta.multilinguality or ['not known'])}) is "
            + (
                f"measured: {len(measured_langs)} languages hold at least 5% of a source's characters."
                if measured_langs is not None
                else "from the declared languages (no language scan)."
            )
        ),
        "",
        "## Dataset Structure",
        "",
        "### Data Instances",
        "",
        *structure["instances"],
        "",
        *_sources_table(facts),
        "",
        "### Data Fields",
        "",
        *structure["fields"],
        "",
        "### Data Splits",
        "",
        *structure["splits"],
        "",
        "## Dataset Creation",
        "",
        "### Curation Rationale",
        "",
        "Not known: no curation rationale is declared in the ledger. What each source's curators noted is under "
        "*Source Data*.",
        "",
        "### Source Data",
        "",
        "#### Initial Data Collection and Normalization",
        "",
        *_collection_lines(facts),
        "",
        *_processing_lines(facts),
        "",
        "#### Who are the source language producers?",
        "",
        *_producer_lines(facts),
        "",
        "### Annotations",
        "",
        "#### Annotation process",
        "",
        *process,
        "",
        "#### Who are the annotators?",
        "",
        *annotators,
        "",
        "### Personal and Sensitive Information",
        "",
        *_pii_section(facts),
        "",
        *_sensitive_lines(facts),
        "",
        "## Considerations for Using the Data",
        "",
        "### Social Impact of Dataset",
        "",
        "Not known: no assessment of the dataset's social impact is declared in the ledger. The measured facts "
        "that bear on it are under *Discussion of Biases*, *Personal and Sensitive Information* and *Licensing "
        "Information*.",
        "",
        "### Discussion of Biases",
        "",
        *_demographic_lines(facts["demographics"]),
        "",
        (
            f"{_measured_by(facts['language'].scanner)} Language balance: effective number of languages "
            f"{facts['language'].effective_languages:.2f}; "
            f"{facts['language'].languages[0].language} holds {facts['language'].languages[0].char_share or 0:.1%} "
            "of the characters."
            if facts["language"].scanner and facts["language"].languages
            else "Language balance: not measured."
        ),
        "",
        "### Other Known Limitations",
        "",
        *_limitations(facts),
        "",
        "## Additional Information",
        "",
        "### Dataset Curators",
        "",
        *_curators(facts),
        "",
        "### Licensing Information",
        "",
        "The licence that applies to each record: its own licence column where the data has one, else its "
        "source's. **[measured]** over the ledger's records.",
        "",
        "| licence (SPDX) | Hub id | records | sources | from a per-record column |",
        "|---|---|---:|---|---:|",
    ]
    for lic in facts["licences"]:
        lines.append(
            f"| {lic['license']} | {hf_license_id(lic['license'])} | {lic['records']:,} | {lic['sources']} "
            f"| {lic['from_record_column']:,} |"
        )
    terms = [s for s in facts["sources"] if s.get("terms_url")]
    if terms:
        lines += ["", "Terms of the sources **[declared]**:", ""]
        lines += [f"- {s['source_id']}: {s['terms_url']}" for s in terms]
    attributions = [s for s in facts["sources"] if s["attribution"]]
    if attributions:
        lines += ["", "Attributions **[declared]**:", ""]
        lines += [f"- {s['source_id']}: {s['attribution']}" for s in attributions]
    lines += [
        "",
        "#### The mixture of licences",
        "",
        *_mixture_lines(facts),
        "",
        "#### Rights statements inside the records",
        "",
        *_ip_lines(facts),
        "",
        "### Consent and Opt-outs",
        "",
        *_consent_lines(facts),
        "",
        "### Citation Information",
        "",
        "Not known: no citation is declared in the ledger. Credit the sources as their attributions ask (under "
        "*Licensing Information*).",
        "",
        "### Contributions",
        "",
        "Not known: the ledger declares no contributors beyond the collectors under *Dataset Curators*. This card "
        f"was generated by provenance-toolkit {__version__} from the ledger; its declared statements are the "
        "curators', quoted from the sources manifest.",
        "",
        "## How this card was made",
        "",
        f"Generated by provenance-toolkit {__version__} on {dt.date.today().isoformat()} from the ledger "
        f"`{store.path.name}`.",
    ]
    if last:
        lines.append(
            f"Last finished scan: `{last['scan_id']}` ({last['command']}), scanners: "
            f"{', '.join(last['scanners']) or 'none (ingest only)'}."
        )
    if facts["runs"]:
        lines.append(
            f"{MEASURED} {facts['runs']:,} training runs are recorded, consuming {facts['run_records']:,} "
            "distinct records."
        )
    manifests = sorted({s["manifest"] for s in facts["sources"] if s["manifest"]})
    if manifests:
        lines.append(f"Declared facts come from: {', '.join(Path(m).name for m in manifests)}.")
    lines += [
        "",
        "The metadata's `language_creators` and `annotations_creators` follow from the declared collection methods: "
        + "; ".join(f"{m} → {c}" for m, c in LANGUAGE_CREATORS.items())
        + f" (language); annotation → {ANNOTATIONS_CREATORS['annotation']}, any other → {NO_ANNOTATION} "
        "(annotations). The metadata was checked against the Hugging Face Hub's accepted values, shipped with the "
        "toolkit, before the card was written.",
    ]
    return "\n".join(lines) + "\n", meta


def _render_checked(store: Ledger, pretty_name: str, task_categories: list[str] | None) -> str:
    text, meta = render_card(store, pretty_name, task_categories=task_categories)
    check_card_metadata(meta.model_dump(exclude_none=True), where=f"the card of {store.path.name}")
    return text


def write_card(
    ledger: str | Path | Ledger,
    output: str | Path,
    *,
    pretty_name: str = "Dataset",
    task_categories: list[str] | None = None,
) -> Path:
    """Write ``README.md`` (the card) into the folder ``output``; returns its path. Raises
    :class:`~.hf_validate.CardMetadataError`, writing nothing, when the metadata would not pass the Hub's checks."""
    if isinstance(ledger, Ledger):
        text = _render_checked(ledger, pretty_name, task_categories)
    else:
        with Ledger(ledger, read_only=True) as store:
            text = _render_checked(store, pretty_name, task_categories)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "README.md"
    target.write_text(text, encoding="utf-8")
    return target
