"""The scan as one self-contained HTML page: inline CSS, charts as inline SVG, no scripts, nothing fetched.

Like every card, the report reads nothing but the ledger, and never the records' text: the ledger holds counts,
declared facts and keyed hashes, no raw personal data. Every string from the ledger is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .._version import __version__
from ..ledger import Ledger
from ..models.report import AUDIT_CHECKS
from . import charts as ch
from .hf_readme import human_bytes

CHECKS = AUDIT_CHECKS

IP_LABELS = {
    "SPDX_TAG": "SPDX licence tags",
    "LICENSE_NOTICE": "licence notices",
    "LICENSE_TEXT": "full licence texts",
    "COPYRIGHT": "copyright notices",
    "ALL_RIGHTS_RESERVED": "'all rights reserved' statements",
    "NO_AI_TRAINING": "no-AI-training or text-and-data-mining reservations",
    "NO_REUSE": "no-reuse statements",
    "PROTECTED_WORK": "passages of protected works",
}

MAX_BAD_LINES = 100
_UTC = "strftime(timezone('UTC', {}), '%Y-%m-%d %H:%M')"  # timestamps as text: no tz database needed in Python

CSS = """
body{font-family:"DejaVu Sans",Verdana,Arial,Helvetica,sans-serif;color:#222;max-width:1000px;margin:2em auto;
padding:0 1em;line-height:1.45;font-size:15px}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.4em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f1f4f8}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#666}.tag{font-size:.8em;padding:.05em .45em;border-radius:.6em;background:#eee;white-space:nowrap}
.measured{background:#dcebf7}.declared{background:#f7ecd8}
.verdict{padding:.6em 1em;border-left:6px solid;margin:1em 0}
.ok{border-color:#009E73;background:#eaf7f2}.bad{border-color:#D55E00;background:#fbeee6}
.blocker{color:#B03A00;font-weight:bold}.warning{color:#8a6100;font-weight:bold}.obligation{color:#005a8c}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}
nav ul{columns:2;padding-left:1.2em}code{font-size:.9em;background:#f4f4f4;padding:0 .2em}
@media print{nav{display:none}h2{page-break-after:avoid}}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _num(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    """A table whose cells are escaped, except cells given as ``_Raw`` (already-built HTML)."""
    head = "".join(
        f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>" for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = cell.html if isinstance(cell, _Raw) else _e(cell)
            cells.append(f'<td class="n">{text}</td>' if i in numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        return '<p class="muted">None.</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Raw:
    def __init__(self, html_text: str) -> None:
        self.html = html_text


def _tag(kind: str) -> str:
    return f'<span class="tag {kind}">{kind}</span>'


def _figure(chart: ch.Chart | None) -> str:
    if chart is None:
        return ""
    return f"<figure>{ch.to_svg(chart, standalone=False)}</figure>"


# ---- facts -----------------------------------------------------------------------------------------------------------


def _sources(store: Ledger) -> list[dict[str, Any]]:
    return store.sql(
        """SELECT s.source_id, s.name, s.license, s.license_raw, s.consent_basis, s.collection_method,
                  s.languages, s.homepage, s.attribution, s.period_start, s.period_end,
                  count(r.record_id) AS records, coalesce(sum(r.n_bytes), 0) AS bytes,
                  coalesce(sum(r.n_chars), 0) AS chars,
                  (SELECT count(*) FROM files f WHERE f.source_id = s.source_id) AS files,
                  (SELECT count(*) FROM bad_records b WHERE b.source_id = s.source_id) AS bad
           FROM sources s LEFT JOIN records r USING (source_id) GROUP BY ALL ORDER BY s.source_id"""
    ).to_pylist()


def _stamps(store: Ledger) -> list[tuple]:
    return store.execute(
        f"SELECT rs.stamp, count(DISTINCT rs.record_id), {_UTC.format('min(s.started_at)')}, "
        f"{_UTC.format('max(s.finished_at)')} FROM record_scans rs LEFT JOIN scans s USING (scan_id) "
        "GROUP BY 1 ORDER BY 1"
    )


def not_looked_for(store: Ledger) -> list[str]:
    """What no scan in the ledger looked for: checks whose scanner never ran, and the gaps the latest scans of
    the scanners that did run reported (e.g. names without a NER model)."""
    ran = {stamp.split("@", 1)[0] for (stamp,) in store.execute("SELECT DISTINCT stamp FROM record_scans")}
    out = [f"{what} (no {name} scan in this ledger)" for name, what in CHECKS.items() if name not in ran]
    generic = set(CHECKS.values())
    seen: set[str] = set()
    for name in sorted(ran):
        rows = store.execute(
            "SELECT not_checked FROM scans WHERE status = 'finished' AND list_contains("
            "list_transform(scanners, lambda s: split_part(s, '@', 1)), ?) ORDER BY finished_at DESC LIMIT 1",
            [name],
        )
        for gap in (rows[0][0] if rows else None) or []:
            if gap not in generic and gap not in seen:
                seen.add(gap)
                out.append(gap)
    return out


# ---- sections --------------------------------------------------------------------------------------------------------


def _summary(store: Ledger, sources: list[dict[str, Any]]) -> str:
    records = sum(s["records"] for s in sources)
    scans = store.execute("SELECT count(*) FILTER (WHERE status = 'finished'), count(*) FROM scans")[0]
    last = store.execute(
        f"SELECT scan_id, command, {_UTC.format('finished_at')} FROM scans WHERE status = 'finished' "
        "ORDER BY finished_at DESC LIMIT 1"
    )
    runs = store.scalar("SELECT count(*) FROM runs")
    rows = [
        ("records (distinct)", _num(records)),
        ("sources", _num(len(sources))),
        ("size of normalised UTF-8 text", human_bytes(sum(s["bytes"] for s in sources))),
        ("characters", _num(sum(s["chars"] for s in sources))),
        ("files read", _num(sum(s["files"] for s in sources))),
        ("unreadable lines", _num(sum(s["bad"] for s in sources))),
        ("scans (finished / all)", f"{scans[0]:,} / {scans[1]:,}"),
        ("training runs linked", _num(runs)),
    ]
    if last:
        scan_id, command, finished = last[0]
        rows.append(("last finished scan", f"{scan_id} ({command}, {finished} UTC)"))
    return _table(["", "value"], rows)


def _sources_section(sources: list[dict[str, Any]]) -> str:
    rows = [
        (
            _Raw(f"<b>{_e(s['source_id'])}</b><br>{_e(s['name'])}"),
            s["license"] + (f" (declared as '{s['license_raw']}')" if s["license_raw"] != s["license"] else ""),
            s["consent_basis"],
            s["collection_method"],
            ", ".join(s["languages"] or []) or "-",
            _num(s["records"]),
            human_bytes(s["bytes"]),
            _num(s["files"]),
            _num(s["bad"]),
        )
        for s in sources
    ]
    homepages = [(s["source_id"], s["homepage"]) for s in sources if s["homepage"]]
    out = (
        f"<p>{_tag('declared')} licence, consent basis, collection method and languages come from the sources "
        f"manifest; {_tag('measured')} counts come from the ledger.</p>"
        + _table(
            [
                "source",
                "licence",
                "consent basis",
                "collection",
                "languages",
                "records",
                "size",
                "files",
                "unreadable lines",
            ],
            rows,
            numeric=(5, 6, 7, 8),
        )
    )
    if homepages:  # shown as text, not links: the report points nowhere on its own
        out += '<p class="muted">Homepages: ' + "; ".join(f"{_e(k)}: {_e(v)}" for k, v in homepages) + "</p>"
    return out


def _consent_section(store: Ledger, sources: list[dict[str, Any]]) -> str:
    """Consent state per source now, the consent scanner's signals, opt-out registries and revocations: counts only
    (a signal's value, a URL or a registry entry may name a person)."""
    from .hf_readme import CONSENT_STATES, SIGNAL_KINDS, SIGNAL_OUTCOMES, STATE_WORDS, consent_facts

    now = consent_facts(store)
    rows = []
    totals = dict.fromkeys(CONSENT_STATES, 0)
    for s in sources:
        counts = now["states"].get(s["source_id"], {})
        for state in CONSENT_STATES:
            totals[state] += counts.get(state, 0)
        rows.append((s["source_id"], s["consent_basis"], *(_num(counts.get(state, 0)) for state in CONSENT_STATES)))
    if len(sources) > 1:
        rows.append((_Raw("<b>all</b>"), "", *(_num(totals[state]) for state in CONSENT_STATES)))
    numeric = tuple(range(2, 2 + len(CONSENT_STATES)))
    out = (
        f"<p>{_tag('measured')} The consent state of every record now: a revocation outranks an opt-out (an opt-out "
        "registry's entry, or a consent signal of the page or its site), which outranks the source's consent basis "
        f"({_tag('declared')} in the sources manifest).</p>"
        + _table(["source", "consent basis", *(STATE_WORDS[s] for s in CONSENT_STATES)], rows, numeric)
    )
    if now["stamp"] is None:
        out += (
            '<p class="muted">Not measured: consent signals (robots.txt, ai.txt, TDMRep, X-Robots-Tag, HTML meta) '
            "were not looked for; no consent scan is recorded in the ledger.</p>"
        )
    else:
        kinds = list(SIGNAL_KINDS) + sorted(set(now["signals"]) - set(SIGNAL_KINDS))
        out += (
            f"<h3>Consent signals</h3><p>{_tag('measured')} by <code>{_e(now['stamp'])}</code> over "
            f"{_num(now['scanned'])} records: {_num(now['signal_records'])} carry a signal, "
            f"{_num(now['signal_opted_out'])} an opt-out. Records per signal kind:</p>"
            + _table(
                ["signal", "opted out", "allows AI use", "no AI directive", "unreadable"],
                ((k, *(_num(now["signals"].get(k, {}).get(o, 0)) for o in SIGNAL_OUTCOMES)) for k in kinds),
                (1, 2, 3, 4),
            )
        )
    out += "<h3>Opt-out registries</h3>"
    if now["registries"]:
        out += _table(
            ["registry", "version", "entries", "records matched", "loaded (UTC)"],
            (
                (
                    r["name"],
                    r["version"],
                    _num(r["entries"]),
                    _num(r["matched"]) if r["current"] else "superseded",
                    r["loaded"] or "-",
                )
                for r in now["registries"]
            ),
            (1, 2, 3),
        )
    else:
        out += f"<p>{_tag('measured')} No opt-out registry has been applied.</p>"
    revoked = sum(now["revoked_by_source"].values())
    out += (
        f"<h3>Revocations</h3><p>{_tag('measured')} {_num(now['revocations'])} revocations in the ledger's log cover "
        f"{_num(revoked)} records"
        + (
            " (" + ", ".join(f"{_e(k)} {v:,}" for k, v in now["revoked_by_source"].items()) + ")"
            if now["revoked_by_source"]
            else ""
        )
        + "; <code>provenance consent revoke</code> and <code>provenance forget</code> add to it.</p>"
    )
    return out


def _licences_section(store: Ledger, chart: ch.Chart | None) -> str:
    from ..licenses import check_licenses

    mix = ch.licence_mix(store)
    total = sum(m["records"] for m in mix) or 1
    rows = [
        (
            m["license"],
            ch.USE_NAMES[m["use"]],
            "yes" if m["share_alike"] else "",
            "yes" if m["no_derivatives"] else "",
            _num(m["records"]),
            f"{m['records'] / total:.1%}",
            ", ".join(m["sources"]),
        )
        for m in mix
    ]
    report = check_licenses(store)
    verdict = (
        f'<div class="verdict {"ok" if report.usable else "bad"}"><b>Verdict for {_e(report.purpose.describe())}'
        f"</b>: {_e(report.verdict)}. Most restrictive use class: {_e(report.most_restrictive_use.value)}.</div>"
    )
    conclusions = _table(
        ["severity", "rule", "conclusion", "records", "sources"],
        (
            (
                _Raw(f'<span class="{c.severity.value}">{_e(c.severity.value)}</span>'),
                c.rule,
                c.message,
                _num(c.records),
                ", ".join(c.sources),
            )
            for c in report.conclusions
        ),
        numeric=(3,),
    )
    attributions = ""
    if report.attributions:
        attributions = "<h3>Attributions</h3>" + _table(
            ["source", "licence", "credit (declared)", "records"],
            ((a.source, a.license, a.credit or "-", _num(a.records)) for a in report.attributions),
            numeric=(3,),
        )
    return (
        f"<p>{_tag('measured')} The licence that applies to each record: its own licence column where the data has "
        "one, else its source's (declared).</p>"
        + _figure(chart)
        + _table(["licence", "allows", "share-alike", "no derivatives", "records", "share", "sources"], rows, (4, 5))
        + "<h3>Does the mixture allow the default use?</h3>"
        + verdict
        + conclusions
        + attributions
        + '<p class="muted">An audit aid following the licences\' terms, not legal advice. '
        "<code>provenance licenses</code> checks other uses (research, release).</p>"
    )


def _pii_section(store: Ledger, chart: ch.Chart | None) -> str:
    pii = ch.pii_rates(store)
    if pii["stamp"] is None:
        return '<p class="muted">Not measured: no PII scan is recorded in the ledger.</p>'
    rows = [(t["label"], _num(t["records"]), f"{t['share']:.1%}") for t in pii["types"]]
    gaps = "".join(f"<li>{_e(g)}</li>" for g in pii["gaps"])
    return (
        f"<p>{_tag('measured')} by <code>{_e(pii['stamp'])}</code> over {_num(pii['scanned'])} records: records with "
        "at least one finding of each type. The ledger keeps the type, position, score and a keyed hash of each "
        "value, never the value.</p>"
        + _figure(chart)
        + _table(["type", "records", "share of scanned records"], rows, (1, 2))
        + (f"<p>Not looked for:</p><ul>{gaps}</ul>" if gaps else "")
    )


def _ip_section(store: Ledger) -> str:
    stamp = ch.latest_stamp(store, "ip")
    if stamp is None:
        return '<p class="muted">Not measured: no ip (licence and copyright statements) scan is recorded.</p>'
    scanned = store.scalar("SELECT count(DISTINCT record_id) FROM record_scans WHERE stamp = ?", [stamp]) or 0
    rows = store.execute(
        "SELECT label, count(DISTINCT record_id), count(*), "
        "  string_agg(DISTINCT json_extract_string(detail, '$.spdx'), ', ' ORDER BY json_extract_string(detail, "
        "'$.spdx')) "
        "FROM findings WHERE scanner = 'ip' AND stamp = ? GROUP BY 1 ORDER BY 2 DESC, 1",
        [stamp],
    )
    return (
        f"<p>{_tag('measured')} by <code>{_e(stamp)}</code> over {_num(scanned)} records: statements the records "
        "make about their own rights.</p>"
        + _table(
            ["finding", "what it is", "records", "findings", "licences named"],
            ((label, IP_LABELS.get(label, ""), _num(n), _num(f), spdx or "") for label, n, f, spdx in rows),
            (2, 3),
        )
    )


def _language_section(store: Ledger, chart: ch.Chart | None) -> str:
    from ..coverage import language_coverage

    lang = language_coverage(store)
    if lang.scanner is None:
        return '<p class="muted">Not measured: no language scan is recorded in the ledger.</p>'
    rows = [
        (
            r.language,
            r.iso639_3 or "",
            _num(r.records),
            f"{r.char_share or 0:.1%}",
            "low-resource" if r.low_resource else "",
        )
        for r in lang.languages
    ]
    mismatched = [d for d in lang.declared_vs_measured if d.declared_not_found or d.found_not_declared]
    out = (
        f"<p>{_tag('measured')} by <code>{_e(lang.scanner)}</code> over {_num(lang.records)} records: effective "
        f"number of languages {lang.effective_languages:.2f}, {lang.low_resource_share:.1%} of characters in "
        f"low-resource languages, {_num(lang.mixed_records)} mixed-language and {_num(lang.unknown_records)} "
        "unidentified records (<code>und</code>).</p>"
        + _figure(chart)
        + _table(["language", "ISO 639-3", "records", "share of characters", ""], rows, (2, 3))
    )
    if mismatched:
        out += "<h3>Declared and measured languages disagree</h3>" + _table(
            ["source", "declared", "measured (≥5% of characters)", "declared, not found", "found, not declared"],
            (
                (
                    d.source,
                    ", ".join(d.declared) or "-",
                    ", ".join(d.measured) or "-",
                    ", ".join(d.declared_not_found),
                    ", ".join(d.found_not_declared),
                )
                for d in mismatched
            ),
        )
    return out


def _demographics_section(store: Ledger, chart: ch.Chart | None, min_cell_count: int) -> str:
    from ..coverage import demographic_coverage

    demo = demographic_coverage(store, min_cell_count=min_cell_count)
    if demo.scanner is None:
        return '<p class="muted">Not measured: no demographics scan is recorded in the ledger.</p>'
    small = f"<{min_cell_count}"
    rows = []
    for axis in sorted(demo.axes, key=lambda a: (-(a.records_mentioning or 0), a.axis)):
        mentioning = _num(axis.records_mentioning) if axis.records_mentioning is not None else small
        shown = sorted((g for g in axis.groups if g.records is not None), key=lambda g: (-(g.records or 0), g.group))
        even = f"{axis.normalised_entropy:.2f}" if axis.normalised_entropy is not None else "-"
        groups = ", ".join(f"{g.group} ({g.records:,}, {g.record_share or 0:.1%})" for g in shown) or "-"
        hidden = f"{axis.suppressed_groups}" if axis.suppressed_groups else ""
        rows.append((axis.axis, mentioning, groups, hidden, even))
    out = (
        f"<p>{_tag('measured')} by <code>{_e(demo.scanner)}</code> over {_num(demo.records)} records, with the "
        "HolisticBias and Gender-GAP lexicons (CC BY-SA 4.0). Cells under "
        f"{min_cell_count} records are suppressed (shown as {_e(small)} or left out). Mentions measure what the "
        "text talks about, not who wrote it.</p>"
        + _figure(chart)
        + _table(
            ["axis", "records mentioning", "groups shown (records, share)", "groups suppressed", "evenness"],
            rows,
            (1, 3, 4),
        )
    )
    if demo.female_male_ratio is not None:
        out += f"<p>Gendered words: {demo.female_male_ratio:.2f} feminine per masculine mention.</p>"
    if demo.metadata:
        out += "<h3>From metadata columns</h3>" + _table(
            ["column", "value", "records"],
            (
                (axis, value, _num(n) if n is not None else small)
                for axis, values in demo.metadata.items()
                for value, n in values.items()
            ),
            (2,),
        )
    return out


def _bad_lines_section(store: Ledger) -> str:
    total = store.scalar("SELECT count(*) FROM bad_records") or 0
    if not total:
        return "<p>Every line of every file was read.</p>"
    per_file = store.execute(
        "SELECT source_id, path, reason, count(*) FROM bad_records GROUP BY ALL ORDER BY 1, 2, 4 DESC, 3"
    )
    lines = store.execute(
        'SELECT source_id, path, line, "row", reason FROM bad_records ORDER BY 1, 2, 3, 4 LIMIT ?', [MAX_BAD_LINES]
    )
    out = (
        f"<p>{_tag('measured')} {_num(total)} lines or rows could not be read and are not in the ledger.</p>"
        + _table(["source", "file", "reason", "lines"], per_file, (3,))
    )
    out += "<h3>Where</h3>" + _table(
        ["source", "file", "line", "row", "reason"],
        ((s, p, _num(line), _num(row), r) for s, p, line, row, r in lines),
        (2, 3),
    )
    if total > MAX_BAD_LINES:
        out += f'<p class="muted">The first {MAX_BAD_LINES} of {total:,}; query <code>bad_records</code> for all.</p>'
    return out


def _gaps_section(store: Ledger) -> str:
    gaps = not_looked_for(store)
    if not gaps:
        return "<p>Every check the toolkit knows was run.</p>"
    return "<ul>" + "".join(f"<li>{_e(g)}</li>" for g in gaps) + "</ul>"


def _scanners_section(store: Ledger) -> str:
    stamps = _stamps(store)
    scans = store.execute(
        f"SELECT scan_id, command, status, {_UTC.format('started_at')}, {_UTC.format('finished_at')}, scanners, "
        "records_read, records_added, bad_records, toolkit_version FROM scans ORDER BY started_at"
    )

    def when(t: str | None) -> str:
        return t or "-"

    return (
        "<p>A stamp is a scanner's name, version and configuration hash; findings carry the stamp that made them.</p>"
        + _table(
            ["stamp", "records scanned", "first scan", "last scan"],
            ((stamp, _num(n), when(a), when(b)) for stamp, n, a, b in stamps),
            (1,),
        )
        + "<h3>Scans</h3>"
        + _table(
            [
                "scan",
                "command",
                "status",
                "started (UTC)",
                "finished (UTC)",
                "scanners",
                "read",
                "added",
                "unreadable",
                "toolkit",
            ],
            (
                (
                    sid,
                    cmd,
                    status,
                    when(a),
                    when(b),
                    ", ".join(sc or []) or "none (ingest only)",
                    _num(rd),
                    _num(ad),
                    _num(bad),
                    ver or "",
                )
                for sid, cmd, status, a, b, sc, rd, ad, bad, ver in scans
            ),
            (6, 7, 8),
        )
    )


SECTIONS = (
    ("summary", "Summary"),
    ("sources", "Sources"),
    ("consent", "Consent"),
    ("licences", "Licences"),
    ("pii", "Personal data"),
    ("ip", "Rights statements in the text"),
    ("languages", "Languages"),
    ("demographics", "Demographic mentions"),
    ("unreadable", "Unreadable lines"),
    ("not-looked-for", "What was not looked for"),
    ("scanners", "Scanners"),
)


def render_html_report(store: Ledger, title: str | None = None, *, min_cell_count: int = 10) -> str:
    """The report's HTML text (see :func:`write_html_report`)."""
    sources = _sources(store)
    charts = ch.build_charts(store, min_cell_count=min_cell_count)
    name = title or f"Scan report: {store.path.name}"
    body = {
        "summary": _summary(store, sources),
        "sources": _sources_section(sources),
        "consent": _consent_section(store, sources),
        "licences": _licences_section(store, charts.get("licences")),
        "pii": _pii_section(store, charts.get("pii")),
        "ip": _ip_section(store),
        "languages": _language_section(store, charts.get("languages")),
        "demographics": _demographics_section(store, charts.get("demographics"), min_cell_count),
        "unreadable": _bad_lines_section(store),
        "not-looked-for": _gaps_section(store),
        "scanners": _scanners_section(store),
    }
    nav = "".join(f'<li><a href="#{key}">{_e(label)}</a></li>' for key, label in SECTIONS)
    sections = "".join(f'<section id="{key}"><h2>{_e(label)}</h2>{body[key]}</section>' for key, label in SECTIONS)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="provenance-toolkit {_e(__version__)}">\n'
        f"<title>{_e(name)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>{_e(name)}</h1>\n"
        f'<p class="muted">Generated by provenance-toolkit {_e(__version__)} from the ledger '
        f"<code>{_e(store.path.name)}</code>. Statements are {_tag('measured')} (counted from the ledger or by a "
        f"scanner, with its version) or {_tag('declared')} (written by the curators in the sources manifest). "
        "This page holds no record text and no personal data values.</p>\n"
        f"<nav><ul>{nav}</ul></nav>\n{sections}\n</body>\n</html>\n"
    )


def write_html_report(
    ledger: str | Path | Ledger, out_path: str | Path, *, title: str | None = None, min_cell_count: int = 10
) -> Path:
    """Write the scan report of ``ledger`` as one self-contained HTML file at ``out_path``; returns its path."""
    if isinstance(ledger, Ledger):
        text = render_html_report(ledger, title, min_cell_count=min_cell_count)
    else:
        with Ledger(ledger, read_only=True) as store:
            text = render_html_report(store, title, min_cell_count=min_cell_count)
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


__all__ = ["CHECKS", "not_looked_for", "render_html_report", "write_html_report"]
