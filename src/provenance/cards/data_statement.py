"""A data statement: the elements of Bender & Friedman, "Data Statements for Natural Language Processing" (TACL 2018),
filled from the ledger.

Elements A to I (curation rationale, language variety, speaker demographic, annotator demographic, speech situation,
text characteristics, recording quality, other, provenance appendix). Languages are the *measured* ones, with
their BCP-47 tags, scripts and ISO 639-3 codes; the declared ones are listed beside them. Answers are marked
**[measured]** or **[declared in <manifest>]**, and "Not known." where the ledger records neither: the people behind
a text (speakers, annotators) are almost never in a ledger, and the statement says so rather than guess.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .._version import __version__
from ..ledger import Ledger
from .hf_readme import (
    MEASURED,
    METHOD_WORDS,
    NOT_KNOWN,
    PRODUCERS,
    _annotation_lines,
    _declared_in,
    _facts,
    _ip_lines,
    _measured_by,
    _n,
    _period,
    _pii_section,
    _primary,
    hf_license_id,
    human_bytes,
    markdown_facts,
    md,
    model_credits,
)

SECTIONS = (
    "A. Curation Rationale",
    "B. Language Variety",
    "C. Speaker Demographic",
    "D. Annotator Demographic",
    "E. Speech Situation",
    "F. Text Characteristics",
    "G. Recording Quality",
    "H. Other",
    "I. Provenance Appendix",
)


def _curation(facts: dict[str, Any]) -> list[str]:
    lines = [
        f"Why these texts were chosen: {NOT_KNOWN} No curation rationale is declared in the ledger.",
        "",
        "What was included, source by source:",
        "",
    ]
    for s in facts["sources"]:
        note = f' Notes: "{s["notes"]}"' if s.get("notes") else ""
        lines.append(
            f"- `{s['source_id']}` ({s['name']}) {_declared_in(s)}: "
            f"{METHOD_WORDS.get(s['collection_method'], s['collection_method'])}; "
            f"{_n(s['records'], 'record')} [measured].{note}"
        )
    return lines


def _language_variety(store: Ledger, facts: dict[str, Any]) -> list[str]:
    lang = facts["language"]
    lines: list[str] = []
    if lang.scanner is None:
        lines.append(f"Measured languages: not measured (no `language` scan is recorded). {NOT_KNOWN}")
    else:
        lines += [
            f"{_measured_by(lang.scanner)} Languages of {_n(lang.records, 'record')}:",
            "",
            "| language (BCP-47) | script | ISO 639-3 | records | share of characters |",
            "|---|---|---|---:|---:|",
        ]
        for row in lang.languages:
            scripts = ", ".join(facts["language_scripts"].get(row.language, [])) or "-"
            name = "undetermined" if row.language == "und" else row.language
            lines.append(
                f"| {name} | {scripts} | {row.iso639_3 or '-'} | {row.records or 0:,} | {row.char_share or 0:.1%} |"
            )
        lines += ["", *model_credits(store)]
    lines += ["", "Declared languages, as BCP-47 tags:", ""]
    for s in facts["sources"]:
        tags = [_primary(t)[1] for t in (s["languages"] or [])]
        lines.append(f"- `{s['source_id']}`: {', '.join(tags) + ' ' + _declared_in(s) if tags else NOT_KNOWN}")
    lines += [
        "",
        f"Varieties (regional or social dialects): {NOT_KNOWN} The language scanner identifies languages and "
        "scripts, not varieties; a variety is known only where a declared tag names a region.",
    ]
    regional = sorted({_primary(t)[1] for s in facts["sources"] for t in (s["languages"] or []) if "-" in t})
    if regional:
        lines.append(f"Declared tags that name a region or script: {', '.join(regional)}.")
    return lines


def _speakers(facts: dict[str, Any]) -> list[str]:
    lines = [
        f"{NOT_KNOWN} The ledger records nothing about the age, gender, race or ethnicity, native language, "
        "socioeconomic status or region of the people who wrote the texts. What the collection methods say "
        "about who they are:",
        "",
    ]
    lines += [
        f"- `{s['source_id']}`: {PRODUCERS.get(s['collection_method'], 'not known')} {_declared_in(s)}"
        for s in facts["sources"]
    ]
    demo = facts["demographics"]
    if demo.scanner and demo.metadata:
        lines += ["", f"{_measured_by(demo.scanner)} Demographic fields found in the records' metadata:"]
        for axis, values in demo.metadata.items():
            shown = ", ".join(
                f"{k} ({v:,})" if v is not None else f"{k} (<{demo.min_cell_count})" for k, v in values.items()
            )
            lines.append(f"- {axis}: {shown}")
    if demo.scanner:
        lines += [
            "",
            f"{_measured_by(demo.scanner)} The demographics scanner measures whom the texts mention, not who wrote "
            "them; its figures are in the dataset card.",
        ]
    return lines


def _annotators(facts: dict[str, Any]) -> list[str]:
    process, who = _annotation_lines(facts)
    if not any(s["collection_method"] == "annotation" for s in facts["sources"]):
        return [f"{NOT_KNOWN} No source is declared as annotated."]
    return [
        *process,
        "",
        "Who the annotators were:",
        "",
        *who,
        "",
        f"Their age, gender, race or ethnicity, native language, socioeconomic status and training: {NOT_KNOWN}",
    ]


def _situation(facts: dict[str, Any]) -> list[str]:
    lines = ["When the texts were collected:", ""]
    for s in facts["sources"]:
        period = _period(s)
        lines.append(f"- `{s['source_id']}`: {period + ' ' + _declared_in(s) if period else NOT_KNOWN}")
    lines += [
        "",
        f"Where, for whom, and in what kind of exchange the texts were produced (time and place of writing, "
        f"modality, scripted or spontaneous, synchronous or not, intended audience): {NOT_KNOWN} The sources' "
        "names and collection methods above are the only clues the ledger holds.",
        "",
        f"{MEASURED} Every record is written text as read from files or datasets; whether any of it was "
        f"transcribed from speech: {NOT_KNOWN}",
    ]
    return lines


def _text_characteristics(facts: dict[str, Any]) -> list[str]:
    lines = [
        "Genre and topic, as far as the source names tell **[declared]**, and size **[measured]**:",
        "",
        "| source | name [declared] | records | characters per record (mean) | size |",
        "|---|---|---:|---:|---:|",
    ]
    for s in facts["sources"]:
        mean = f"{s['chars'] / s['records']:,.0f}" if s["records"] else "-"
        lines.append(f"| `{s['source_id']}` | {s['name']} | {s['records']:,} | {mean} | {human_bytes(s['bytes'])} |")
    lines.append("")
    for q in facts["quality"]:
        lines.append(f"- {_measured_by(q['stamp'])} {_n(q['records'], 'record')} flagged `{q['label']}`.")
    lines.append(f"- Structure within the texts (markup, code, dialogue turns): {NOT_KNOWN}")
    return lines


def _recording(facts: dict[str, Any]) -> list[str]:
    bad = sum(s["bad"] for s in facts["sources"])
    return [
        f"{NOT_KNOWN} The records are text; how they were captured (typed, transcribed, OCR) is not recorded.",
        "",
        f"{MEASURED} {_n(bad, 'line or row', 'lines or rows')} could not be read (broken encoding or "
        "format) and are not in the dataset.",
    ]


def _other(facts: dict[str, Any]) -> list[str]:
    report = facts["mixture"]
    licences = ", ".join(
        f"{lic['license']} ({hf_license_id(lic['license'])}, {lic['records']:,})" for lic in facts["licences"]
    )
    return [
        "Personal data:",
        "",
        *_pii_section(facts),
        "",
        "Rights:",
        "",
        f"{MEASURED} Effective licences (Hub id, records): {licences or 'none'}.",
        f"{MEASURED} Verdict for {report.purpose.describe()}: {report.verdict}.",
        "",
        *_ip_lines(facts),
    ]


def _provenance(facts: dict[str, Any]) -> list[str]:
    lines = []
    for s in facts["sources"]:
        lines += [
            f"### {s['source_id']}: {s['name']}",
            "",
            f"- Declared in: {Path(s['manifest']).name if s.get('manifest') else 'code (track)'}",
            f"- Homepage: {s.get('homepage') or NOT_KNOWN}",
            f"- Licence: {s['license']} (as written: {s['license_raw']})",
            f"- Terms: {s.get('terms_url') or NOT_KNOWN}",
            f"- Attribution asked for: {s.get('attribution') or NOT_KNOWN}",
            f"- Consent basis: {s['consent_basis']}",
            f"- Collection method: {s['collection_method']}; period: {_period(s) or NOT_KNOWN}",
            f"- Collector: {s.get('collector') or NOT_KNOWN}",
        ]
        repos = facts["repos"].get(s["source_id"])
        if repos:
            lines.append(f"- Read from datasets **[measured]**: {', '.join(repos)}")
        lines += [
            f"- **[measured]** {_n(s['records'], 'record')} from {_n(s['files'], 'file')}; "
            f"{_n(s['bad'], 'unreadable line')}",
            "",
        ]
    lines.append("The fields above are **[declared]** in the named manifest, except those marked **[measured]**.")
    return lines


def render_data_statement(store: Ledger, pretty_name: str = "Dataset") -> str:
    facts = markdown_facts(_facts(store))
    body = {
        "A. Curation Rationale": _curation(facts),
        "B. Language Variety": _language_variety(store, facts),
        "C. Speaker Demographic": _speakers(facts),
        "D. Annotator Demographic": _annotators(facts),
        "E. Speech Situation": _situation(facts),
        "F. Text Characteristics": _text_characteristics(facts),
        "G. Recording Quality": _recording(facts),
        "H. Other": _other(facts),
        "I. Provenance Appendix": _provenance(facts),
    }
    lines = [
        f"# Data Statement for {md(pretty_name)}",
        "",
        'The elements of Bender and Friedman\'s "Data Statements for Natural Language Processing" (2018), filled '
        "from the provenance ledger. **[measured]** statements are counted in the ledger (**[measured by "
        "scanner]** with the scanner's version); **[declared in <file>]** ones were written by the curators in that "
        'sources manifest; "Not known." means neither says.',
        "",
    ]
    for title in SECTIONS:
        lines += [f"## {title}", "", *body[title], ""]
    lines += [
        "## How this statement was made",
        "",
        f"Generated by provenance-toolkit {__version__} on {dt.date.today().isoformat()} from the ledger "
        f"`{store.path.name}`.",
    ]
    return "\n".join(lines).rstrip() + "\n"


def write_data_statement(ledger: str | Path | Ledger, out_dir: str | Path, *, pretty_name: str = "Dataset") -> Path:
    """Write ``data_statement.md`` into the folder ``out_dir``; returns its path."""
    if isinstance(ledger, Ledger):
        text = render_data_statement(ledger, pretty_name)
    else:
        with Ledger(ledger, read_only=True) as store:
            text = render_data_statement(store, pretty_name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "data_statement.md"
    target.write_text(text, encoding="utf-8")
    return target


__all__ = ["SECTIONS", "render_data_statement", "write_data_statement"]
