"""A datasheet: the questions of Gebru et al., "Datasheets for Datasets" (2018; CACM 2021), answered from the ledger.

The questions are the paper's seven groups (motivation, composition, collection process, preprocessing, uses,
distribution, maintenance), paraphrased as short questions. An answer is **[measured]** when the ledger or a scanner
counted it, **[declared in <manifest>]** when a person wrote it in a sources manifest, and "Not known." when
neither says. Nothing is filled in from guesses: many questions (funding, ethical review, distribution plans) are
about decisions the ledger does not record, and the datasheet says so, so a curator can see what is left to write.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .._version import __version__
from ..ledger import Ledger
from .hf_readme import (
    CONSENT_STATES,
    IP_LABELS,
    MEASURED,
    METHOD_WORDS,
    NOT_KNOWN,
    PRODUCERS,
    STATE_WORDS,
    _collection_lines,
    _consent_event_lines,
    _consent_signal_lines,
    _declared_all,
    _declared_in,
    _facts,
    _limitations,
    _measured_by,
    _mixture_lines,
    _n,
    _opted_out_lines,
    _period,
    _pii_section,
    _registry_lines,
    _revocation_how,
    _sensitive_lines,
    _sources_table,
    hf_license_id,
    human_bytes,
    markdown_facts,
    md,
)

# what a declared consent basis says about whether the people in the data were told, and whether they agreed
_NOTIFIED = {
    "explicit_opt_in": "asked, and opted in",
    "legitimate_interest_opt_out": "told, with a way to opt out",
    "contract": "not known (a contract binds the collector and the data's supplier, not the people in the data)",
}
_CONSENTED = {
    "explicit_opt_in": "yes: they opted in",
    "legitimate_interest_opt_out": "not asked; they could opt out (legitimate interest)",
    "licence_grant": "not known; the rights holder granted a licence, which is not the consent of the people in "
    "the data",
    "public_domain": "not known; the texts are in the public domain, which says nothing about consent",
    "contract": "not known; the supplier agreed by contract, which is not the consent of the people in the data",
}


def _section(title: str, questions: list[tuple[str, list[str]]]) -> list[str]:
    lines = [f"## {title}", ""]
    for question, answer in questions:
        lines += [f"### {question}", "", *(answer or [NOT_KNOWN]), ""]
    return lines


def _per_source(facts: dict[str, Any], key: str, fmt=None) -> list[str]:
    rows = []
    for s in facts["sources"]:
        value = s.get(key)
        if value:
            rows.append(f"- `{s['source_id']}`: {fmt(value) if fmt else value} {_declared_in(s)}")
    return rows


def _motivation(facts: dict[str, Any]) -> list[str]:
    collectors = _per_source(facts, "collector")
    unknown = [s["source_id"] for s in facts["sources"] if not s.get("collector")]
    if unknown:
        collectors.append(f"- Not known for: {', '.join(unknown)}.")
    return _section(
        "Motivation",
        [
            ("For what purpose was the dataset created?", [f"{NOT_KNOWN} No purpose is declared in the ledger."]),
            ("Who created the dataset, and on whose behalf?", ["Collected by:", "", *collectors]),
            ("Who funded its creation?", [NOT_KNOWN]),
            ("Anything else about its motivation?", [NOT_KNOWN]),
        ],
    )


def _composition(facts: dict[str, Any]) -> list[str]:
    total = sum(s["records"] for s in facts["sources"])
    bad = sum(s["bad"] for s in facts["sources"])
    n = facts["lengths"]
    represents = [
        f"Texts, one per record, from {_n(len(facts['sources']), 'source')}:",
        "",
        *[f"- `{s['source_id']}`: {s['name']} {_declared_in(s)}" for s in facts["sources"]],
    ]
    how_many = [
        f"{MEASURED} {_n(total, 'distinct record')}, {human_bytes(sum(s['bytes'] for s in facts['sources']))} of "
        "normalised UTF-8 text, read from "
        f"{_n(facts['places'], 'place')} (file lines, rows, dataset rows).",
        "",
        *_sources_table(facts),
    ]
    consists = [
        "A text and the metadata columns the sources manifest asked to keep; the ledger records where each "
        "record was read from and under which licence.",
    ]
    if n["records"]:
        consists.append(
            f"{MEASURED} Characters per record: mean {n['mean']:,.0f}, median {n['median']:,.0f}, maximum {n['max']:,}."
        )
    consists += [""] + [
        f"- `{s['source_id']}` metadata: {', '.join(facts['fields'].get(s['source_id'], [])) or 'none'} [measured]"
        for s in facts["sources"]
    ]
    annotated = [s for s in facts["sources"] if s["collection_method"] == "annotation"]
    labels = (
        [
            f"- `{s['source_id']}` is declared as collected by annotation {_declared_in(s)}; which fields are "
            "labels is not recorded."
            for s in annotated
        ]
        if annotated
        else [f"{NOT_KNOWN} No source is declared as annotated, and the ledger records no labels."]
    )
    missing = []
    unknown = sum(lic["records"] for lic in facts["licences"] if lic["license"] == "NOASSERTION")
    missing.append(f"{MEASURED} {_n(unknown, 'record')} without a known licence.")
    empty = next((q for q in facts["quality"] if q["label"] == "empty"), None)
    if empty:
        missing.append(f"{_measured_by(empty['stamp'])} {_n(empty['records'], 'record')} with empty text.")
    no_lang = [s["source_id"] for s in facts["sources"] if not s["languages"]]
    if no_lang:
        missing.append(f"No languages declared for: {', '.join(no_lang)}.")
    splits = [
        f"- `{src}`: " + ", ".join(f"{k} {v:,}" for k, v in sp.items()) + f" {MEASURED}"
        for src, sp in facts["splits"].items()
        if sp
    ] or [f"{NOT_KNOWN} No source came with splits, and none is recommended in the ledger."]
    noise = [
        f"- {MEASURED} {_n(bad, 'unreadable line or row', 'unreadable lines or rows')} left out.",
        f"- {MEASURED} {_n(facts['shared_texts'], 'text')} found in more than one source.",
    ]
    noise += [
        f"- {_measured_by(q['stamp'])} {_n(q['records'], 'record')} flagged `{q['label']}`." for q in facts["quality"]
    ]
    links = [
        f"{MEASURED} The records are the texts themselves; the ledger keeps no copy of them. Their origins (files, "
        "dataset rows, URLs) are recorded. Terms pages of the sources:",
        "",
        *(_per_source(facts, "terms_url") or [f"- {NOT_KNOWN}"]),
    ]
    confidential = [
        *_per_source(
            facts,
            "consent_basis",
            lambda v: f"consent basis {v}" + (" (data under contract)" if v == "contract" else ""),
        ),
        "",
        *_pii_section(facts),
    ]
    offensive = [
        f"{NOT_KNOWN} The toolkit has no scanner for offensive or toxic content, so it was not looked for.",
    ]
    demo = facts["demographics"]
    subpops = (
        [
            f"{_measured_by(demo.scanner)} Records that mention demographic groups, by axis (cells under "
            f"{demo.min_cell_count} records suppressed): "
            + "; ".join(
                f"{a.axis} {a.records_mentioning:,}"
                if a.records_mentioning is not None
                else f"{a.axis} <{demo.min_cell_count}"
                for a in demo.axes
            )
            + ". These are mentions in the text, not attributes of the people who wrote it."
        ]
        if demo.scanner
        else ["Not measured: no `demographics` scan is recorded."]
    )
    if demo.metadata:
        subpops.append(f"{_measured_by(demo.scanner)} Demographic metadata fields: {', '.join(demo.metadata)}.")
    identify = _pii_section(facts)
    sensitive = _sensitive_lines(facts)
    return _section(
        "Composition",
        [
            ("What do the instances represent?", represents),
            ("How many instances are there?", how_many),
            ("Is it every possible instance, or a sample?", [f"{NOT_KNOWN} No sampling is declared."]),
            ("What does each instance consist of?", consists),
            ("Is there a label or target for each instance?", labels),
            ("Is any information missing from instances?", missing),
            (
                "Are relationships between instances explicit?",
                [
                    f"{MEASURED} Records with the same text in different sources share a content hash "
                    f"({_n(facts['shared_texts'], 'such text')}); no other relationship is recorded."
                ],
            ),
            ("Are there recommended data splits?", splits),
            ("Are there errors, sources of noise or redundancies?", noise),
            ("Is it self-contained, or does it link to external resources?", links),
            ("Does it contain data that might be confidential?", confidential),
            ("Does it contain data that might be offensive or distressing?", offensive),
            ("Does it identify subpopulations?", subpops),
            ("Can individuals be identified, directly or indirectly?", identify),
            ("Does it contain sensitive data?", sensitive),
        ],
    )


def _states_of(facts: dict[str, Any], source_id: str) -> str:
    counts = facts["consent_now"]["states"].get(source_id, {})
    shown = [f"{STATE_WORDS[state]} {counts[state]:,}" for state in CONSENT_STATES if counts.get(state)]
    return ", ".join(shown) or "no records"


def _objections(facts: dict[str, Any]) -> list[str]:
    """What the people or sites in the data said for themselves, as far as the ledger measured it."""
    now = facts["consent_now"]
    registries = [r for r in now["registries"] if r["current"]]
    matched = now["opted_out"]["by_registry"]
    listed = (
        f"{MEASURED} {_n(matched, 'record')} {'is' if matched == 1 else 'are'} listed in an opt-out registry ("
        + ", ".join(f"{r['name']} v{r['version']}" for r in registries)
        + ")."
        if registries
        else f"{MEASURED} No opt-out registry has been applied."
    )
    if "consent" not in facts["scanned"]:
        signals = (
            "Not measured: whether the sites published an opt-out (robots.txt, ai.txt, TDMRep, X-Robots-Tag) was not "
            "looked for; no `consent` scan is recorded."
        )
    else:
        signals = (
            f"{_measured_by(now['stamp'])} {_n(now['signal_opted_out'], 'record')} carry an opt-out signal of their "
            f"page or site, out of {now['signal_records']:,} with any consent signal."
        )
    return [
        "Whether a person was told is not in the ledger. Objections the people or their sites published:",
        "",
        f"- {signals}",
        f"- {listed}",
    ]


def _revocation_lines(facts: dict[str, Any]) -> list[str]:
    now = facts["consent_now"]
    lines = [
        f"The toolkit honours revocations. {_revocation_how(facts)[0]}",
        "",
        f"How the people in the data can reach the curators to ask: {NOT_KNOWN}",
        "",
    ]
    if now["revocations"]:
        lines += [
            f"{MEASURED} {_n(now['revocations'], 'revocation')} recorded in the ledger's log, covering "
            f"{_n(facts['revoked_present'], 'record')} now.",
            "",
        ]
    lines += _consent_event_lines(facts)
    opt_out = [s["source_id"] for s in facts["sources"] if s["consent_basis"] == "legitimate_interest_opt_out"]
    if opt_out:
        lines += ["", f"Sources declared with an opt-out: {', '.join(opt_out)} {_declared_all(facts)}."]
    return lines


def _collection(facts: dict[str, Any]) -> list[str]:
    methods = [
        f"- `{s['source_id']}`: {METHOD_WORDS.get(s['collection_method'], s['collection_method'])} {_declared_in(s)}"
        for s in facts["sources"]
    ]
    periods = [
        f"- `{s['source_id']}`: {_period(s) or NOT_KNOWN} {_declared_in(s) if _period(s) else ''}".rstrip()
        for s in facts["sources"]
    ]
    direct = [
        f"- `{s['source_id']}`: {PRODUCERS.get(s['collection_method'], 'not known')} (from the collection method "
        f"{_declared_in(s)})"
        for s in facts["sources"]
    ]
    notified = [
        f"- `{s['source_id']}`: {_NOTIFIED.get(s['consent_basis'], 'not known')} (consent basis "
        f"{s['consent_basis']} {_declared_in(s)})"
        for s in facts["sources"]
    ]
    notified += ["", *_objections(facts)]
    consented = [
        f"- `{s['source_id']}`: {_CONSENTED.get(s['consent_basis'], 'not known')} (consent basis "
        f"{s['consent_basis']} {_declared_in(s)}); records now {MEASURED}: {_states_of(facts, s['source_id'])}"
        for s in facts["sources"]
    ]
    consented += [
        "",
        "How the states are reached: a revocation outranks an opt-out (an opt-out registry's entry or a consent "
        "signal), which outranks the declared consent basis.",
        "",
        *_opted_out_lines(facts),
        "",
        "Consent signals:",
        "",
        *_consent_signal_lines(facts),
        "",
        "Opt-out registries:",
        "",
        *_registry_lines(facts),
    ]
    revoke = _revocation_lines(facts)
    return _section(
        "Collection Process",
        [
            ("How was the data acquired?", methods),
            (
                "What mechanisms or procedures were used, and how were they checked?",
                [*_collection_lines(facts), "", "How the records were read and counted: see *Preprocessing*."],
            ),
            ("If it is a sample, what was the sampling strategy?", [f"{NOT_KNOWN} No sampling is declared."]),
            (
                "Who took part in collecting it, and how were they paid?",
                [*(_per_source(facts, "collector") or [NOT_KNOWN]), "", f"How they were paid: {NOT_KNOWN}"],
            ),
            ("Over what timeframe was it collected?", periods),
            ("Was an ethical review carried out?", [NOT_KNOWN]),
            ("Was it collected from the people directly, or through others?", direct),
            ("Were the people told about the collection?", notified),
            ("Did they consent?", consented),
            ("Can they revoke consent, and has anyone?", revoke),
            ("Was the impact on the people in the data analysed?", [NOT_KNOWN]),
        ],
    )


def _preprocessing(facts: dict[str, Any]) -> list[str]:
    from .hf_readme import _processing_lines

    return _section(
        "Preprocessing, Cleaning and Labeling",
        [
            ("What preprocessing, cleaning or labelling was done?", _processing_lines(facts)),
            (
                "Was the raw data kept?",
                [
                    f"{NOT_KNOWN} The ledger keeps no text, only where each record was read from; whether the "
                    "original files are kept is not recorded."
                ],
            ),
            (
                "Is the software used available?",
                [
                    f"{MEASURED} Records were read with provenance-toolkit "
                    f"{facts['scans'][-1]['toolkit_version'] if facts['scans'] else __version__} (open source); "
                    "the scanners that measured them, with version and configuration hash:",
                    "",
                ]
                + ([f"- {info['stamp']}" for _, info in sorted(facts["scanned"].items())] or ["- none"]),
            ),
        ],
    )


def _uses(facts: dict[str, Any]) -> list[str]:
    used = (
        [
            f"{MEASURED} {_n(facts['runs'], 'training run')} recorded in the ledger consumed "
            f"{_n(facts['run_records'], 'distinct record')}."
        ]
        if facts["runs"]
        else [f"{MEASURED} No training run is recorded in the ledger; other uses: {NOT_KNOWN}"]
    )
    report = facts["mixture"]
    blockers = [c for c in report.conclusions if c.severity.value == "blocker"]
    not_for = (
        [f"{MEASURED} For {report.purpose.describe()}, the licences and the records' own statements rule out:", ""]
        + [f"- {c.message}" for c in blockers]
        if blockers
        else [f"{MEASURED} No licence rules out {report.purpose.describe()}. Other limits: {NOT_KNOWN}"]
    )
    return _section(
        "Uses",
        [
            ("Has it been used for any tasks already?", used),
            ("Is there a repository of papers or systems that use it?", [NOT_KNOWN]),
            ("What other tasks could it be used for?", [f"{NOT_KNOWN} No tasks are declared."]),
            ("Could its composition or collection affect future uses?", _limitations(facts)),
            ("Are there tasks it should not be used for?", not_for),
        ],
    )


def _distribution(facts: dict[str, Any]) -> list[str]:
    licence_rows = [
        f"- {lic['license']} (Hub id {hf_license_id(lic['license'])}): {_n(lic['records'], 'record')} from "
        f"{lic['sources']} {MEASURED}"
        for lic in facts["licences"]
    ]
    terms = _per_source(facts, "terms_url")
    ip = [
        f"- {IP_LABELS.get(row['label'], row['label'])}: {_n(row['records'], 'record')} ({row['sources']}) "
        f"{_measured_by(row['stamp'])}"
        for row in facts["ip"]
    ] or (["Not measured: no `ip` scan is recorded."] if "ip" not in facts["scanned"] else ["- none found"])
    return _section(
        "Distribution",
        [
            ("Will it be distributed to others outside its creators?", [NOT_KNOWN]),
            ("How will it be distributed?", [NOT_KNOWN]),
            ("When will it be distributed?", [NOT_KNOWN]),
            (
                "Under what licence or terms of use?",
                ["Effective licences (a record's own, else its source's):", "", *licence_rows]
                + (["", "Terms of use:", "", *terms] if terms else [])
                + ["", *_mixture_lines(facts)],
            ),
            (
                "Have others imposed restrictions tied to intellectual property?",
                ["What the records say about their own rights:", "", *ip],
            ),
            ("Do export controls or other regulations apply?", [NOT_KNOWN]),
        ],
    )


def _maintenance(facts: dict[str, Any]) -> list[str]:
    scans = facts["scans"]
    updated = (
        [
            f"{MEASURED} {_n(len(scans), 'finished scan')} recorded, the first finished "
            f"{scans[0]['finished_at']:%Y-%m-%d}, the last {scans[-1]['finished_at']:%Y-%m-%d}. Plans to update: "
            f"{NOT_KNOWN}"
        ]
        if scans
        else [f"{MEASURED} No finished scan is recorded. Plans to update: {NOT_KNOWN}"]
    )
    return _section(
        "Maintenance",
        [
            ("Who maintains it?", [NOT_KNOWN]),
            ("How can the maintainers be reached?", [NOT_KNOWN]),
            ("Is there an erratum?", [NOT_KNOWN]),
            ("Will it be updated?", updated),
            (
                "Are there limits on how long data about people is kept?",
                [f"{NOT_KNOWN} No retention limit is recorded.", "", *_consent_event_lines(facts)],
            ),
            ("Will older versions stay available?", [NOT_KNOWN]),
            ("Can others contribute, and how?", [NOT_KNOWN]),
        ],
    )


SECTIONS = (
    "Motivation",
    "Composition",
    "Collection Process",
    "Preprocessing, Cleaning and Labeling",
    "Uses",
    "Distribution",
    "Maintenance",
)


def render_datasheet(store: Ledger, pretty_name: str = "Dataset") -> str:
    facts = markdown_facts(_facts(store))
    lines = [
        f"# Datasheet for {md(pretty_name)}",
        "",
        'The questions of Gebru et al., "Datasheets for Datasets" (2018), in short, answered from the provenance '
        "ledger. **[measured]** answers are counted in the ledger (**[measured by scanner]** with the scanner's "
        "version); **[declared in <file>]** answers were written by the curators in that sources manifest; "
        '"Not known." means neither says, and a curator should write the answer.',
        "",
        *_motivation(facts),
        *_composition(facts),
        *_collection(facts),
        *_preprocessing(facts),
        *_uses(facts),
        *_distribution(facts),
        *_maintenance(facts),
        "## How this datasheet was made",
        "",
        f"Generated by provenance-toolkit {__version__} on {dt.date.today().isoformat()} from the ledger "
        f"`{store.path.name}`.",
    ]
    return "\n".join(lines).rstrip() + "\n"


def write_datasheet(ledger: str | Path | Ledger, out_dir: str | Path, *, pretty_name: str = "Dataset") -> Path:
    """Write ``datasheet.md`` into the folder ``out_dir``; returns its path."""
    if isinstance(ledger, Ledger):
        text = render_datasheet(ledger, pretty_name)
    else:
        with Ledger(ledger, read_only=True) as store:
            text = render_datasheet(store, pretty_name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "datasheet.md"
    target.write_text(text, encoding="utf-8")
    return target


__all__ = ["SECTIONS", "render_datasheet", "write_datasheet"]
