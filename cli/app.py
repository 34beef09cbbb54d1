"""The `provenance` command line. Parsing and printing only: every command calls the function of the same name in
the public `provenance` API."""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import provenance
from provenance.ledger import render as render_table

# Piped output is read by people and scripts alike: never cut a cell to fit an imagined 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 1000)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160)
STATE = {"debug": False}

app = typer.Typer(
    name="provenance",
    help="Record where training data came from, under what licence and consent, and what it contains.\n\n"
    "Example: provenance scan sample_data/ && provenance card --output card/",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)
sources_app = typer.Typer(help="List and show the sources a ledger knows.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
runs_app = typer.Typer(help="Training runs and the records they consumed.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
eval_app = typer.Typer(help="Measure scanners on your own labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
consent_app = typer.Typer(
    help="Consent per record: state, opt-out registries, revocations and their audit log, re-checks.",
    no_args_is_help=True,
)
app.add_typer(consent_app, name="consent")
registry_app = typer.Typer(help="Opt-out registries: load a file as a new version and apply it.", no_args_is_help=True)
consent_app.add_typer(registry_app, name="registry")

LedgerOpt = Annotated[
    Path,
    typer.Option("--ledger", "-l", envvar="PROVENANCE_LEDGER", help="the ledger file (DuckDB)", show_default=True),
]
DEFAULT_LEDGER = Path(provenance.DEFAULT_LEDGER)
TABLE_ROWS = 200


def _version(value: bool) -> None:
    if value:
        out.print(f"provenance {provenance.__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks for errors and the library's log")] = False,
) -> None:
    STATE["debug"] = debug or bool(os.environ.get("PROVENANCE_DEBUG"))
    if STATE["debug"]:  # the toolkit's own log (never values: see the privacy canary tests), on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logging.getLogger("provenance").addHandler(handler)
        logging.getLogger("provenance").setLevel(logging.DEBUG)


@app.command()
def init(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    new_key: Annotated[
        bool, typer.Option("--new-key", help="replace a lost key file (old hashed values stop matching)")
    ] = False,
) -> None:
    """Create an empty ledger (or upgrade an old one to the current schema).

    Example: provenance init --ledger prov.duckdb
    """
    with provenance.init(str(ledger), new_key=new_key) as store:
        out.print(f"ledger ready: {store.path} (key file: {store.secret_path.name}, readable by you only)")


def _manifest_path(corpus: Path | None, sources: Path | None) -> Path:
    if sources is not None:
        return sources
    if corpus is None:
        return Path("sources.yaml")
    return corpus / "sources.yaml" if corpus.is_dir() else corpus


def _short(path: str) -> str:
    """Paths under the working directory are shown relative to it, as a user typed them."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _print_report(report: provenance.ScanReport) -> None:
    table = Table(title=f"{report.command} {report.scan_id}: {report.status}", title_justify="left")
    for column in ("source", "files", "skipped (unchanged)", "records read", "records added", "MB read", "bad lines"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for s in report.sources:
        table.add_row(
            s.source_id,
            f"{s.files:,}",
            f"{s.files_skipped:,}",
            f"{s.records_read:,}",
            f"{s.records_added:,}",
            f"{s.bytes_read / 1e6:,.2f}",
            f"{s.bad_records:,}",
        )
    err.print(table)
    for tally in report.scanners:
        summary = "; ".join(
            f"{k}: " + ", ".join(f"{a}={b}" for a, b in v.items()) if isinstance(v, dict) else f"{k}={v}"
            for k, v in tally.summary.items()
            if v != {} and k != "chars_histogram"
        )
        err.print(
            f"[bold]{tally.stamp}[/]: scanned {tally.records_scanned:,}, skipped {tally.records_skipped:,} "
            f"(already scanned), findings {tally.findings:,}; {summary}"
        )
    if report.bad_records_total:
        err.print(
            f"[yellow]{report.bad_records_total:,} unreadable line(s) or record(s), skipped and recorded "
            "in the ledger's bad_records table:[/]"
        )
        for bad in report.bad_records[:20]:
            err.print(f"  {_short(bad.where())}: {bad.reason}", markup=False, highlight=False)
        if report.bad_records_total > 20:
            err.print('  ... see: provenance query "SELECT * FROM bad_records"')
    for applied in report.registries:
        err.print(_registry_line(applied))
    if report.consent:
        err.print(
            "Consent now: "
            + "; ".join(
                f"{source} " + ", ".join(f"{state} {n:,}" for state, n in states.items())
                for source, states in report.consent.items()
            )
            + " (provenance consent status)"
        )
    if report.not_checked:
        err.print("Not looked for in this scan: " + "; ".join(report.not_checked) + ".")
    err.print(f"ledger: {report.ledger}")


def _scan_like(
    command: str, corpus: Path | None, sources: Path | None, ledger: Path, report: Path | None, **options
) -> None:
    run = provenance.ingest if command == "ingest" else provenance.scan
    result = run(
        _manifest_path(corpus, sources), str(ledger), command=command, progress=not options.pop("quiet"), **options
    )
    _print_report(result)
    if report is not None:
        report.write_text(result.model_dump_json(indent=2), encoding="utf-8")
        err.print(f"report: {report}")
    if result.failed_shards:
        for shard in result.failed_shards:
            err.print(
                f"[red]shard failed after {shard.attempts} attempt(s): {_short(shard.path)} ({shard.source_id}): "
                f"{shard.reason}[/]",
                highlight=False,
            )
        err.print("the other shards are in the ledger; run the same command again to retry the failed ones")
        raise typer.Exit(9)


def _scanner_settings(items: list[str]) -> dict[str, dict[str, object]]:
    """--set pii.threshold=0.6 --set pii.entities=[EMAIL_ADDRESS] -> {"pii": {"threshold": 0.6, ...}}"""
    import yaml

    out: dict[str, dict[str, object]] = {}
    for item in items:
        name, _, rest = item.partition(".")
        key, eq, value = rest.partition("=")
        if not (name and key and eq):
            raise provenance.InputError(f"--set '{item}' is not SCANNER.KEY=VALUE", hint="e.g. --set pii.threshold=0.6")
        try:
            out.setdefault(name, {})[key] = yaml.safe_load(value)
        except yaml.YAMLError as exc:  # e.g. a !!python/... tag: the safe loader builds no objects
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise provenance.InputError(
                f"--set {name}.{key}: the value cannot be read ({problem})",
                hint="write a number, a word, a [list] or a {mapping}, e.g. --set pii.threshold=0.6",
            ) from None
    return out


CorpusArg = Annotated[
    Path | None, typer.Argument(help="a folder holding sources.yaml, or the manifest itself", show_default=False)
]
SourcesOpt = Annotated[Path | None, typer.Option("--sources", "-s", help="the sources manifest (sources.yaml)")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="write the scan report (JSON) here")]
ForceOpt = Annotated[bool, typer.Option("--force", help="re-read files unchanged since the last scan")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="records per batch")]


@app.command()
def ingest(
    corpus: CorpusArg = None,
    sources: SourcesOpt = None,
    ledger: LedgerOpt = DEFAULT_LEDGER,
    report: ReportOpt = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    batch_size: BatchOpt = 131_072,
) -> None:
    """Record every record's origin, licence and consent in the ledger, without scanning.

    Example: provenance ingest sample_data/ --ledger prov.duckdb
    """
    _scan_like("ingest", corpus, sources, ledger, report, force=force, quiet=quiet, batch_size=batch_size)


@app.command()
def scan(
    corpus: CorpusArg = None,
    sources: SourcesOpt = None,
    ledger: LedgerOpt = DEFAULT_LEDGER,
    scanner: Annotated[
        list[str] | None,
        typer.Option("--scanners", "--scanner", help="scanners to run: pii,textstats (or repeat the option)"),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="processes running scanners")] = 1,
    report: ReportOpt = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    batch_size: BatchOpt = 131_072,
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="scanner setting SCANNER.KEY=VALUE, e.g. pii.ner_model=en_core_web_sm"),
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="local (this machine) or ray (a Ray cluster)")] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="a running Ray cluster (default: start a local one)")
    ] = None,
    work_dir: Annotated[
        Path | None, typer.Option("--work-dir", help="Ray engine: where shards' Parquet output waits to be merged")
    ] = None,
    keep_parquet: Annotated[
        bool, typer.Option("--keep-parquet", help="Ray engine: keep each shard's Parquet output after merging")
    ] = False,
) -> None:
    """Ingest a corpus and run scanners over every new record; re-running resumes and skips what is done.

    Example: provenance scan sample_data/ --workers 2 --report scan.json
    Example: provenance scan corpus/ --engine ray --ray-address auto --workers 64
    """
    _scan_like(
        "scan",
        corpus,
        sources,
        ledger,
        report,
        scanners=[name for value in scanner for name in value.split(",") if name]
        if scanner
        else list(provenance.engine.DEFAULT_SCANNERS),
        workers=workers,
        force=force,
        quiet=quiet,
        batch_size=batch_size,
        scanner_config=_scanner_settings(settings or []),
        engine=engine,
        ray_address=ray_address,
        work_dir=work_dir,
        keep_parquet=keep_parquet,
    )


def _print_table(result, output: Path | None = None) -> None:
    table = Table()
    for name in result.column_names:
        table.add_column(name)
    for row in result.slice(0, TABLE_ROWS).to_pylist():
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            Console(file=fh, width=200).print(table)
    else:
        out.print(table)
    if result.num_rows > TABLE_ROWS:
        err.print(f"showing {TABLE_ROWS} of {result.num_rows:,} rows; use --format csv, json or parquet for all")


def _emit(result, format: str, output: Path | None) -> None:
    """Print or write a result in the format asked for."""
    if format == "table":
        _print_table(result, output)
        return
    text = render_table(result, format, output)
    if text is not None:
        sys.stdout.write(text)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="a SQL query (DuckDB dialect); the ledger is opened read-only")],
    ledger: LedgerOpt = DEFAULT_LEDGER,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file")] = None,
) -> None:
    """Ask the ledger anything in SQL, read-only.

    Example: provenance query "select source_id, count(*) from records group by 1" --format csv
    """
    _emit(provenance.query(str(ledger), sql), format, output)


@sources_app.command("list")
def sources_list(ledger: LedgerOpt = DEFAULT_LEDGER) -> None:
    """One line per source: id, licence, consent basis, collection method, records.

    Example: provenance sources list --ledger prov.duckdb
    """
    counts = {
        r["source_id"]: r["n"]
        for r in provenance.query(str(ledger), "SELECT source_id, count(*) AS n FROM records GROUP BY 1").to_pylist()
    }
    table = Table()
    for column in ("id", "name", "licence", "consent basis", "collection", "records"):
        table.add_column(column)
    for s in provenance.sources(str(ledger)):
        table.add_row(
            s["source_id"],
            s["name"],
            s["license"],
            s["consent_basis"],
            s["collection_method"],
            f"{counts.get(s['source_id'], 0):,}",
        )
    out.print(table)


@sources_app.command("show")
def sources_show(
    source_id: Annotated[str, typer.Argument(help="the source id")], ledger: LedgerOpt = DEFAULT_LEDGER
) -> None:
    """Everything declared about one source, as JSON.

    Example: provenance sources show wiki
    """
    found = [s for s in provenance.sources(str(ledger)) if s["source_id"] == source_id]
    if not found:
        raise provenance.InputError(f"no source '{source_id}' in {ledger}", hint="list them: provenance sources list")
    out.print_json(json.dumps(found[0], default=str))


@runs_app.command("list")
def runs_list(ledger: LedgerOpt = DEFAULT_LEDGER) -> None:
    """Every training run: name, times, status, git commit, records consumed, records dropped by policy.

    Example: provenance runs list --ledger prov.duckdb
    """
    _print_table(provenance.hooks.runs_table(str(ledger)))


@runs_app.command("records")
def runs_records(
    run_id: Annotated[str, typer.Argument(help="the run id (see: provenance runs list)")],
    ledger: LedgerOpt = DEFAULT_LEDGER,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file")] = None,
) -> None:
    """The records one run consumed, with how many times (epochs) and from which source.

    Example: provenance runs records 20261123T041838-46036eb3 --format csv > used.csv
    """
    _emit(provenance.run_records(str(ledger), run_id), format, output)


@runs_app.command("using")
def runs_using(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    record: Annotated[str | None, typer.Option("--record", help="a record id")] = None,
    source: Annotated[str | None, typer.Option("--source", help="a source id")] = None,
    domain: Annotated[str | None, typer.Option("--domain", help="a web domain, subdomains included")] = None,
) -> None:
    """Which runs used this record, any record of this source, or any record from this domain.

    Example: provenance runs using --source wiki
    """
    if sum(x is not None for x in (record, source, domain)) != 1:
        raise provenance.InputError("give exactly one of --record, --source or --domain")
    _print_table(provenance.runs_using(str(ledger), record_id=record, source_id=source, domain=domain))


@eval_app.command("pii")
def eval_pii(
    gold: Annotated[Path, typer.Option("--gold", help="span-labelled texts, presidio-research JSON format")],
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="also write the predicted spans here (JSONL)")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    threshold: Annotated[float, typer.Option("--threshold", help="lowest score kept")] = 0.4,
    entity: Annotated[
        list[str] | None,
        typer.Option("--entity", help="entity type to look for (repeat); default: the defaults, and dates if labelled"),
    ] = None,
    ner_model: Annotated[
        str | None, typer.Option("--ner-model", help="installed spaCy pipeline for names, places and organisations")
    ] = None,
) -> None:
    """Precision, recall and F1 of the pii scanner per entity type and overall.

    Example: provenance eval pii --gold generated_large.json --predictions spans.jsonl
    """
    from provenance.evaluation.pii import (
        entities_to_score,
        evaluate_pii,
        load_gold,
        scanner_predictor,
        write_predictions,
    )

    items = load_gold(gold)
    entities = tuple(entity) if entity else entities_to_score(items, ner=ner_model is not None)
    predict, types = scanner_predictor({"threshold": threshold, "entities": entities, "ner_model": ner_model})
    predicted = predict([item.text for item in items])
    scores = evaluate_pii(items, predicted, types)
    if predictions is not None:
        write_predictions(predictions, predicted)
        err.print(f"predictions: {predictions}")
    if format == "json":
        sys.stdout.write(json.dumps(scores.as_dict(), indent=2) + "\n")
        return
    table = Table(title=f"pii scanner on {gold.name} ({len(items):,} texts)", title_justify="left")
    for column in ("entity type", "precision", "recall", "F1", "TP", "FP", "FN"):
        table.add_column(column, justify="left" if column == "entity type" else "right")
    for entity, m in [*scores.per_type.items(), ("overall", scores.overall)]:
        table.add_row(
            entity,
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            str(m["tp"]),
            str(m["fp"]),
            str(m["fn"]),
        )
    out.print(table)
    if scores.not_scored:
        err.print(
            "not scored (types the scanner does not look for): "
            + ", ".join(f"{k} {v:,}" for k, v in scores.not_scored.items())
        )


@eval_app.command("language")
def eval_language(
    gold: Annotated[Path, typer.Option("--gold", help="JSONL (or .jsonl.gz) with a text and a language-code field")],
    lang_field: Annotated[
        str, typer.Option("--lang-field", help="the field holding ISO 639-1 or 639-3 codes")
    ] = "lang",
    text_field: Annotated[str, typer.Option("--text-field", help="the field holding the text")] = "text",
    backend: Annotated[str, typer.Option("--backend", help="auto, cld2, fasttext or langdetect")] = "auto",
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="also write each record's predicted language here (JSONL)")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Accuracy of language identification per language and macro-averaged, on your labelled texts.

    Example: provenance eval language --gold udhr2_paragraphs.jsonl.gz --lang-field iso639_3
    """
    from provenance.evaluation.language import evaluate_languages, load_language_gold, predict_languages
    from provenance.evaluation.language import write_predictions as write_language_predictions

    items = load_language_gold(gold, lang_field=lang_field, text_field=text_field)
    predicted = predict_languages([g.text for g in items], backend=backend)
    scores = evaluate_languages(items, predicted, backend=backend)
    if predictions is not None:
        write_language_predictions(predictions, predicted)
        err.print(f"predictions: {predictions}")
    if format == "json":
        sys.stdout.write(json.dumps(scores.as_dict(), indent=2, default=str) + "\n")
        return
    rows = scores.rows()
    table = Table(title=f"language identification ({backend}) on {gold.name}", title_justify="left")
    columns = list(dict.fromkeys(k for row in rows for k in row))
    for column in columns:
        table.add_column(column, justify="right" if isinstance(rows[0].get(column), (int, float)) else "left")
    for row in rows:
        table.add_row(*(f"{row[c]:.4f}" if isinstance(row.get(c), float) else str(row.get(c, "")) for c in columns))
    out.print(table)
    not_covered = (scores.coverage or {}).get("not_covered") if hasattr(scores, "coverage") else None
    if not_covered:
        out.print(f"languages the backend cannot name ({len(not_covered)}): {', '.join(map(str, not_covered))}")
    if getattr(scores, "not_scored", None):
        out.print(f"not scored (not language codes): {scores.not_scored}")


@eval_app.command("licenses")
def eval_licenses(
    gold: Annotated[
        Path, typer.Option("--gold", help="labelled licence files: licensee's fixtures or choosealicense's folder")
    ],
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="also write each case's detected licence here (JSONL)")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """How often licence identification names the right SPDX id, every miss, and wrong ids where none was due.

    Example: provenance eval licenses --gold licensee_fixtures/spec/fixtures --predictions detected.jsonl
    """
    from provenance.evaluation.licenses import evaluate_licenses, load_license_gold, predict_licenses
    from provenance.evaluation.licenses import write_predictions as write_licence_predictions

    cases = load_license_gold(gold)
    predicted = predict_licenses(cases)
    scores = evaluate_licenses(cases, predicted)
    if predictions is not None:
        write_licence_predictions(predictions, predicted)
        err.print(f"predictions: {predictions}")
    if format == "json":
        sys.stdout.write(json.dumps(scores.as_dict(), indent=2) + "\n")
        return
    table = Table(title=f"licence identification on {gold.name} ({scores.total:,} cases)", title_justify="left")
    rows = scores.rows()
    columns = list(dict.fromkeys(k for row in rows for k in row))
    for column in columns:
        table.add_column(column, justify="left" if column == "expected" else "right")
    for row in rows:
        table.add_row(*(f"{row[c]:.3f}" if isinstance(row.get(c), float) else str(row.get(c, "")) for c in columns))
    out.print(table)
    out.print(
        f"wrong id where no licence was due: {scores.wrong_where_none}; "
        f"a known id where 'other' was due: {scores.wrong_where_other}"
    )
    for miss in scores.misses:
        out.print("miss: " + ", ".join(f"{k}={v}" for k, v in miss.items()))


@app.command()
def coverage(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    run: Annotated[
        str | None, typer.Option("--run", help="measure only the records this training run consumed")
    ] = None,
    where: Annotated[
        str | None, typer.Option("--where", help="measure only records matching this SQL condition on records r")
    ] = None,
    compare_all: Annotated[
        bool, typer.Option("--compare-all", help="show each group's share before the --run/--where filter too")
    ] = False,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="policy.yaml: language targets and the minimum cell count")
    ] = None,
    reference: Annotated[
        Path | None, typer.Option("--reference", help="reference distribution {axis: {group: share}} (JSON/YAML)")
    ] = None,
    min_cell: Annotated[
        int | None, typer.Option("--min-cell", min=1, help="suppress demographic cells below this many records")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="also write the report here (JSON)")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Language and demographic coverage of the records, measured by the language and demographics scanners.

    Example: provenance coverage --ledger prov.duckdb --output coverage.json
    """
    if run and where:
        raise provenance.InputError("give --run or --where, not both", hint="one subset at a time")
    rules = provenance.load_policy(policy) if policy else provenance.Policy()
    report = provenance.coverage(
        ledger,
        subset=f"run:{run}" if run else where,
        compare="" if compare_all else None,
        language_targets=rules.language_targets,
        reference=provenance.load_reference(reference) if reference else None,
        min_cell_count=min_cell or rules.min_cell_count,
    )
    if output is not None:
        output.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
        err.print(f"coverage report: {output}")
    if format == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    _print_language_coverage(report.language)
    _print_demographic_coverage(report.demographics)


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


def _print_language_coverage(lang) -> None:
    if lang.scanner is None:
        out.print("languages: not measured (run: provenance scan --scanners language)")
        return
    table = Table(
        title=f"languages of {lang.records:,} records ({lang.scanner})", title_justify="left", show_lines=False
    )
    for column in ("language", "ISO 639-3", "records", "% records", "% characters", "low-resource", "target", "gap"):
        table.add_column(column, justify="left" if column in ("language", "ISO 639-3") else "right")
    for row in lang.languages:
        table.add_row(
            row.language,
            row.iso639_3 or "",
            f"{row.records:,}" if row.records is not None else "",
            _pct(row.record_share),
            _pct(row.char_share),
            "yes" if row.low_resource else "",
            _pct(row.target_share),
            _pct(row.gap),
        )
    out.print(table)
    out.print(
        f"effective number of languages {lang.effective_languages:.2f}; "
        f"low-resource share {_pct(lang.low_resource_share)} of characters; "
        f"{lang.mixed_records:,} mixed-language records; {lang.unknown_records:,} unknown"
    )
    for d in lang.declared_vs_measured:
        if d.declared_not_found or d.found_not_declared:
            out.print(
                f"  {d.source}: declared {', '.join(d.declared) or '-'}; measured {', '.join(d.measured) or '-'}"
                + (f"; declared but not found: {', '.join(d.declared_not_found)}" if d.declared_not_found else "")
                + (f"; found but not declared: {', '.join(d.found_not_declared)}" if d.found_not_declared else "")
            )


def _print_demographic_coverage(demo) -> None:
    if demo.scanner is None:
        out.print("demographics: not measured (run: provenance scan --scanners demographics)")
        return
    out.print(
        f"demographic mentions in {demo.records:,} records ({demo.scanner}); cells under {demo.min_cell_count} records "
        "are suppressed"
    )
    for axis in demo.axes:
        mentioning = (
            f"{axis.records_mentioning:,}" if axis.records_mentioning is not None else f"<{demo.min_cell_count}"
        )
        evenness = f"{axis.normalised_entropy:.2f}" if axis.normalised_entropy is not None else "-"
        if not any(g.records is not None for g in axis.groups):
            out.print(f"{axis.axis}: {mentioning} records; every group under {demo.min_cell_count} records (not shown)")
            continue
        table = Table(title=f"{axis.axis}: {mentioning} records; evenness {evenness}", title_justify="left")
        extra = [
            c
            for c in ("reference_share", "gap", "before_share", "change")
            if any(getattr(g, c) is not None for g in axis.groups)
        ]
        for column in ("group", "records", "% records", "mentions", *extra):
            table.add_column(column, justify="left" if column == "group" else "right")
        for g in axis.groups:
            if g.records is None:
                continue
            table.add_row(
                g.group,
                f"{g.records:,}",
                _pct(g.record_share),
                f"{g.mentions or 0:,}",
                *(_pct(getattr(g, c)) for c in extra),
            )
        if axis.suppressed_groups:
            table.caption = f"{axis.suppressed_groups} group(s) under {demo.min_cell_count} records not shown"
        out.print(table)
    if demo.female_male_ratio is not None:
        out.print(
            f"gendered mentions: {demo.feminine_mentions:,} feminine, {demo.masculine_mentions:,} masculine "
            f"(ratio {demo.female_male_ratio:.2f})"
        )
    for axis, values in demo.metadata.items():
        shown = ", ".join(f"{v}: {n:,}" for v, n in values.items() if n is not None)
        out.print(f"metadata {axis}: {shown or 'all cells suppressed'}")


@app.command()
def check(
    policy: Annotated[Path, typer.Option("--policy", "-p", help="policy.yaml: the gates a release must pass")],
    ledger: LedgerOpt = DEFAULT_LEDGER,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Gate a release (in CI) on a policy: exits 1 and lists each violation, with the records behind it.

    Example: provenance check --policy examples/policies/strict.yaml --ledger prov.duckdb
    """
    report = provenance.check(ledger, policy)
    if format == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        from provenance.policy import report_lines

        for line in report_lines(report):
            out.print(line, markup=False, highlight=False)
    raise typer.Exit(report.exit_code)


@app.command()
def licenses(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    commercial: Annotated[
        bool, typer.Option("--commercial/--non-commercial", help="commercial use, or non-commercial research")
    ] = True,
    train: Annotated[bool, typer.Option("--train/--no-train", help="train a model on the data")] = True,
    release: Annotated[bool, typer.Option("--release/--no-release", help="publish the dataset itself")] = False,
    explain: Annotated[
        list[str] | None, typer.Option("--explain", help="show how a licence string is read and what it asks (repeat)")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Whether the ledger's mix of licences allows what you mean to do, why, and the attributions to carry.

    Example: provenance licenses --commercial --release --ledger prov.duckdb
    """
    if explain:
        rows = []
        for text in explain:
            try:
                lic = provenance.normalize_license(text)
            except provenance.LicenseParseError as exc:
                raise provenance.InputError(
                    f"cannot read the licence '{text}': {exc}", hint="write an SPDX id"
                ) from None
            rows.append({"written": text, **provenance.terms_of_expression(lic.spdx).model_dump(mode="json")})
        if format == "json":
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
            return
        for row in rows:
            rules = [k for k in ("attribution", "share_alike", "no_derivatives") if row[k]]
            out.print(
                f"[bold]{row['written']}[/bold] -> {row['spdx']} ({row['name']}): {row['use']} use"
                + "".join(f", {r.replace('_', '-')}" for r in rules + row["restrictions"])
                + f"  [dim]facts: {row['facts_from']}[/dim]"
            )
        return
    report = provenance.check_licenses(ledger, provenance.Purpose(commercial=commercial, train=train, release=release))
    if format == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    colour = "green" if report.usable else "red"
    out.print(f"[bold {colour}]{report.verdict}[/bold {colour}]")
    out.print(f"most restrictive use in the mix: {report.most_restrictive_use.value}")
    table = Table(title="records per licence", title_justify="left")
    table.add_column("licence")
    table.add_column("records", justify="right")
    for name, n in report.licenses.items():
        table.add_row(name, f"{n:,}")
    out.print(table)
    for c in report.conclusions:
        style = {"blocker": "red", "warning": "yellow", "obligation": "cyan"}[c.severity.value]
        examples = f" e.g. {', '.join(c.example_records)}" if c.example_records else ""
        out.print(f"[{style}]{c.severity.value:>10}[/{style}] {c.rule}: {c.message}[dim]{examples}[/dim]")
    if report.attributions:
        table = Table(title="attributions the release must carry", title_justify="left")
        for column in ("source", "name", "licence", "credit", "homepage", "records"):
            table.add_column(column, justify="right" if column == "records" else "left")
        for a in report.attributions:
            table.add_row(a.source, a.name, a.license, a.credit or "", a.homepage or "", f"{a.records:,}")
        out.print(table)


def _not_type_value(item: str) -> str:
    """The message for a --value without TYPE=: the value is personal data, so it is never repeated."""
    return f"a --value is not TYPE=VALUE (the value given, {len(item)} characters, is not shown)"


@app.command()
def lookup(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    email: Annotated[list[str] | None, typer.Option("--email", help="an e-mail address (repeatable)")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone", help="a phone number, any format")] = None,
    card: Annotated[list[str] | None, typer.Option("--card", help="a payment card number")] = None,
    iban: Annotated[list[str] | None, typer.Option("--iban", help="an IBAN")] = None,
    value: Annotated[
        list[str] | None, typer.Option("--value", help="TYPE=VALUE for any pii type, e.g. UK_NINO=QQ123456C")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file")] = None,
) -> None:
    """Find the records that contain a person's identifiers, from keyed hashes (the values were never stored).

    Example: provenance lookup --email jane.doe@example.org --phone "+44 20 7946 0958"
    """
    identifiers: dict[str, list[str]] = {
        "email": email or [],
        "phone": phone or [],
        "card": card or [],
        "iban": iban or [],
    }
    for item in value or []:
        kind, _, text = item.partition("=")
        if not text:
            raise provenance.InputError(_not_type_value(item), hint="e.g. --value UK_NINO=QQ123456C")
        identifiers.setdefault(kind, []).append(text)
    result = provenance.lookup(str(ledger), {k: v for k, v in identifiers.items() if v})
    err.print(f"{result.num_rows:,} finding(s) in {len(set(result.column('record_id').to_pylist())):,} record(s)")
    _emit(result, format, output)


@app.command()
def redact(
    corpus: CorpusArg = None,
    sources: SourcesOpt = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="folder for the redacted copy")] = Path("redacted"),
    mode: Annotated[str, typer.Option("--mode", help="tags (<EMAIL_ADDRESS>) or pseudonyms (consistent)")] = "tags",
    ledger: LedgerOpt = DEFAULT_LEDGER,
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="pii setting pii.KEY=VALUE, e.g. pii.ner_model=en_core_web_sm (names, places)"),
    ] = None,
    text_fields_only: Annotated[
        bool,
        typer.Option(
            "--text-fields-only", help="redact only the manifest's text fields; copy other columns and headers as-is"
        ),
    ] = False,
) -> None:
    """Write a copy of a corpus with personal data replaced, in the same formats and record order.

    Every string in a record is redacted (all columns, nested objects, HTTP response headers), unless
    --text-fields-only. Example: provenance redact sample_data/ --output redacted/ --mode pseudonyms
    """
    key = None
    if mode == "pseudonyms":  # consistent pseudonyms come from the ledger's key, so they match its findings
        with provenance.Ledger(str(ledger)) as store:
            key = store.secret()
    config = _scanner_settings(settings or [])
    if set(config) - {"pii"}:
        raise provenance.InputError("redact takes pii settings only", hint="e.g. --set pii.ner_model=en_core_web_sm")
    report = provenance.redact(
        _manifest_path(corpus, sources),
        output,
        mode=mode,
        key=key,
        config=config.get("pii"),
        text_fields_only=text_fields_only,
    )
    replaced = ", ".join(f"{k}={v}" for k, v in sorted(report.replaced.items())) or "nothing"
    err.print(f"redacted {report.records:,} records in {report.files} file(s) into {output}: {replaced}")
    if report.raw_lines:
        err.print(f"{report.raw_lines} unreadable line(s) were kept in place and redacted as raw text")
    for note in report.not_copied:
        err.print(f"[yellow]not copied: {note}[/]", highlight=False)


@app.command()
def card(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    output: Annotated[Path, typer.Option("--output", "-o", help="folder to write README.md into")] = Path("card"),
    name: Annotated[str, typer.Option("--name", help="the dataset's pretty name")] = "Dataset",
    task: Annotated[
        list[str] | None, typer.Option("--task", help="a Hugging Face task category (repeat); none is guessed")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="the last release (ledger or card): adds a changelog")
    ] = None,
) -> None:
    """Write the card set from the ledger: README.md (Hugging Face), croissant.json (Croissant with RAI),
    datasheet.md, data_statement.md, charts (SVG, PNG) and report.html.

    Example: provenance card --ledger prov.duckdb --output card/ --name "My corpus"
    """
    written = provenance.write_cards(ledger, output, pretty_name=name, previous=previous, task_categories=task)
    for file_name, path in written.items():
        err.print(f"{file_name:<28} {path}")
    release = getattr(written, "release_id", None)
    err.print(
        f"release {release} recorded in the ledger (a later revocation lists it)"
        if release
        else "release not recorded: the ledger could not be written (see the warning above)"
    )
    from provenance.cards.charts import png_available

    if not png_available():
        err.print("PNG charts need matplotlib: pip install 'provenance-toolkit[charts]' (SVG charts were written)")


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="the earlier release: a ledger, or a card (README.md / card folder)")],
    new: Annotated[Path, typer.Argument(help="the newer release: a ledger, or a card")],
    format: Annotated[str, typer.Option("--format", "-f", help="markdown or json")] = "markdown",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write the diff here instead")] = None,
    min_cell: Annotated[int, typer.Option("--min-cell", min=1, help="demographic cells compared from this size")] = 10,
) -> None:
    """What changed between two releases: sources, licences, consent, PII rates, languages, demographics.

    Example: provenance diff release-1.duckdb release-2.duckdb
    """
    changes = provenance.diff(old, new, min_cell_count=min_cell)
    text = changes.to_json() if format == "json" else provenance.cards.render_changelog(changes)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
        err.print(f"diff: {output}")
    else:
        sys.stdout.write(text + "\n")


# ---- consent -------------------------------------------------------------------------------------------------------
def _registry_line(applied) -> str:
    kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(applied.entries_by_kind.items()))
    version = f"v{applied.version}" + (" (new)" if applied.new_version else " (unchanged)")
    return (
        f"registry {applied.name} {version}: {applied.entries:,} entries ({kinds}), "
        f"{applied.records_matched:,} record(s) opted out"
    )


def _print_affected(report) -> None:
    if report.runs:
        err.print(f"[yellow]used by {len(report.runs)} training run(s):[/]")
        for r in report.runs:
            started = r.started_at.strftime("%Y-%m-%d %H:%M") if r.started_at else "?"
            err.print(f"  {r.name} ({r.run_id}, started {started}, {r.status}): {r.records:,} record(s)")
    else:
        err.print("used by no recorded training run")
    if report.releases:
        err.print(f"[yellow]described by {len(report.releases)} card release(s):[/]")
        for c in report.releases:
            err.print(f"  {c.release_id} ({c.written_at:%Y-%m-%d %H:%M}, {c.out_dir}): {c.records:,} record(s)")
    if report.exclusion_list:
        err.print(f"exclusion list: {report.exclusion_list} (track(..., policy=...) drops these at the next load)")


def _write_report(model, path: Path | None) -> None:
    if path is not None:
        path.write_text(model.model_dump_json(indent=2), encoding="utf-8")
        err.print(f"report: {path}")


@consent_app.command("status")
def consent_status(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    record: Annotated[list[str] | None, typer.Option("--record", help="show these records (repeatable)")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file")] = None,
) -> None:
    """Records per source and consent state (revoked, opted_out, granted, no_objection, unknown), with the reason.

    Example: provenance consent status --record 3f2a...
    """
    result = provenance.consent_of(str(ledger), record) if record else provenance.consent_status(str(ledger))
    _emit(result, format, output)


@registry_app.command("add")
def registry_add(
    path: Annotated[Path, typer.Argument(help="a CSV, JSON or TXT file of domains, URL prefixes, authors, hashes")],
    ledger: LedgerOpt = DEFAULT_LEDGER,
    name: Annotated[str | None, typer.Option("--name", help="the registry's name (default: the file name)")] = None,
    description: Annotated[str | None, typer.Option("--description", help="what this registry is")] = None,
) -> None:
    """Load an opt-out registry as a new version (an unchanged file keeps its version) and apply it to every record.

    Example: provenance consent registry add sample_data/registries/ai-optout-2025-06.csv --name ai-optout
    """
    applied = provenance.apply_registry(str(ledger), path, name=name, description=description)
    err.print(_registry_line(applied))


@registry_app.command("list")
def registry_list(ledger: LedgerOpt = DEFAULT_LEDGER) -> None:
    """Every version of every registry loaded into the ledger."""
    _emit(
        provenance.query(str(ledger), "SELECT * EXCLUDE (digest) FROM optout_registries ORDER BY name, version"),
        "table",
        None,
    )


@consent_app.command("revoke")
def consent_revoke(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    record: Annotated[str | None, typer.Option("--record", help="a record id")] = None,
    source: Annotated[str | None, typer.Option("--source", help="a source id")] = None,
    domain: Annotated[str | None, typer.Option("--domain", help="a domain, with its subdomains")] = None,
    url_prefix: Annotated[
        str | None, typer.Option("--url-prefix", help="a URL prefix, e.g. https://x.org/blog/")
    ] = None,
    author: Annotated[
        str | None, typer.Option("--author", help="an author or account named in records' metadata")
    ] = None,
    content_hash: Annotated[str | None, typer.Option("--content-hash", help="a record's content hash")] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="why (kept in the audit log; no personal data)")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="who asked (default: your user name)")] = None,
    exclusions: Annotated[Path | None, typer.Option("--exclusions", help="where to write the exclusion list")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="write the revocation report (JSON) here")] = None,
) -> None:
    """Revoke consent for a record, source, domain, URL prefix, author or content hash: appended to the audit log,
    the records excluded (now and when more arrive), and the runs and card releases that used them listed.

    Example: provenance consent revoke --domain blog.example.com --reason "site owner's request"
    """
    given = {
        "record": record, "source": source, "domain": domain, "url_prefix": url_prefix, "author": author,
        "content_hash": content_hash,
    }  # fmt: skip
    chosen = [(k, v) for k, v in given.items() if v is not None]
    if len(chosen) != 1:
        raise provenance.InputError(
            "give exactly one scope to revoke",
            hint="one of --record, --source, --domain, --url-prefix, --author, --content-hash",
        )
    kind, value = chosen[0]
    result = provenance.revoke(
        str(ledger), scope_kind=kind, value=value, reason=reason, actor=actor, exclusion_list=exclusions
    )
    per_source = ", ".join(f"{s} {n:,}" for s, n in result.records_by_source.items()) or "none yet"
    err.print(
        f"revoked {result.scope_kind} {result.scope_value} (event {result.event_id}, by {result.actor}): "
        f"{result.records_excluded:,} record(s) excluded ({per_source})",
        markup=False,
    )
    _print_affected(result)
    _write_report(result, report)


@consent_app.command("recheck")
def consent_recheck(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    run: Annotated[str | None, typer.Option("--run", help="a run id or name: only the records it consumed")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="write the re-check (JSON) here")] = None,
) -> None:
    """Compare each record's consent now with the state recorded at collection, and say what changed and why.

    Example: provenance consent recheck --run sft-2026-11
    """
    result = provenance.recheck(str(ledger), run)
    scope = f"run {result.run_name} ({result.run_id})" if result.run_id else "the ledger"
    err.print(
        f"{result.records_changed:,} of {result.records_checked:,} record(s) of {scope} changed consent "
        "since collection"
    )
    for c in result.changes:
        err.print(
            f"  {c.source_id}: {c.collected_state.value} -> {c.state.value}: {c.records:,} ({c.reason})", markup=False
        )
    _write_report(result, report)
    if result.records_changed:
        raise typer.Exit(1)


@consent_app.command("log")
def consent_log(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file")] = None,
) -> None:
    """The revocation audit log, oldest first, and a check of its hash chain (exit 1 if an event was altered)."""
    table, problems = provenance.consent_log(str(ledger))
    _emit(table, format, output)
    for problem in problems:
        err.print(f"[red]{problem}[/]", markup=True)
    if problems:
        raise typer.Exit(1)
    err.print(f"{table.num_rows:,} event(s); hash chain intact")


@consent_app.command("exclusions")
def consent_exclusions(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="where to write it")] = None,
) -> None:
    """Write the exclusion list (record id, content hash, event) that track(policy=...) and other jobs honour."""
    with provenance.Ledger(str(ledger), read_only=True) as store:
        path = provenance.write_exclusion_list(store, output)
    err.print(f"exclusion list: {path}")


@app.command()
def forget(
    ledger: LedgerOpt = DEFAULT_LEDGER,
    email: Annotated[list[str] | None, typer.Option("--email", help="an e-mail address (repeatable)")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone", help="a phone number, any format")] = None,
    name: Annotated[list[str] | None, typer.Option("--name", help="a full name (needs the pii NER tier)")] = None,
    username: Annotated[list[str] | None, typer.Option("--username", help="an author name or account")] = None,
    value: Annotated[
        list[str] | None, typer.Option("--value", help="TYPE=VALUE for any pii type, e.g. IBAN_CODE=GB82...")
    ] = None,
    request_id: Annotated[str | None, typer.Option("--request-id", help="your ticket number for this request")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="kept in the audit log; no personal data")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="who handles the request")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="find and report, but revoke nothing")] = False,
    exclusions: Annotated[Path | None, typer.Option("--exclusions", help="where to write the exclusion list")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="write the evidence report (JSON) here")] = None,
) -> None:
    """Answer a removal request: find the records holding a person's identifiers (from keyed hashes and author
    metadata), revoke them, and write an evidence report that names no value.

    Example: provenance forget --email jane.doe@example.org --username jdoe --request-id DSR-1042 --report dsr.json
    """
    identifiers: dict[str, list[str]] = {
        "email": email or [], "phone": phone or [], "name": name or [], "username": username or [],
    }  # fmt: skip
    for item in value or []:
        kind, _, text = item.partition("=")
        if not text:
            raise provenance.InputError(_not_type_value(item), hint="e.g. --value UK_NINO=QQ123456C")
        identifiers.setdefault(kind, []).append(text)
    result = provenance.forget(
        str(ledger), {k: v for k, v in identifiers.items() if v}, request_id=request_id, reason=reason,
        actor=actor, exclusion_list=exclusions, dry_run=dry_run,
    )  # fmt: skip
    for search in result.identifiers:
        err.print(f"{search.identifier}: {search.records:,} record(s) (searched {search.searched_by})")
    for note in result.not_searched:
        err.print(f"[yellow]not searched: {note}[/]")
    if result.records_not_scanned_for_pii:
        err.print(
            f"[yellow]{result.records_not_scanned_for_pii:,} record(s) were never scanned for personal data and "
            "could not be searched (provenance scan --scanners pii)[/]"
        )
    for r in result.records[:50]:
        where = r.url or (f"{_short(r.path)}:{r.line or r.row}" if r.path else r.dataset_repo or "")
        err.print(f"  {r.record_id} [{r.source_id}] {where} (matched {', '.join(r.matched_by)})", markup=False)
    if dry_run:
        err.print(f"dry run: {len(result.records):,} record(s) found, nothing revoked")
    else:
        err.print(
            f"request {result.request_id}: {len(result.records):,} record(s) found, {result.records_excluded:,} "
            f"excluded (event {result.event_id})"
        )
        _print_affected(result)
    _write_report(result, report)


@app.command()
def schemas(
    output: Annotated[Path, typer.Option("--output", "-o", help="folder of the JSON Schemas")] = Path("schemas"),
    check: Annotated[bool, typer.Option("--check", help="only report schemas that differ from the models")] = False,
) -> None:
    """Write the JSON Schemas of every file format (sources manifest, policy, scan report, card metadata).

    Example: provenance schemas --output schemas/ --check
    """
    from provenance.schemas import drift as schema_drift
    from provenance.schemas import write as write_schemas

    if check:
        stale = schema_drift(output)
        if stale:
            err.print(f"out of date: {', '.join(stale)}; run: provenance schemas --output {output}")
            raise typer.Exit(1)
        err.print("schemas are up to date")
        return
    for path in write_schemas(output):
        err.print(f"wrote {path}")


def main() -> None:
    # The toolkit never downloads: make any hidden hub access fail instead of reaching for the network.
    for variable in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(variable, "1")
    try:
        app()
    except provenance.ProvenanceError as exc:
        if STATE["debug"] or os.environ.get("PROVENANCE_DEBUG"):
            traceback.print_exc()
        err.print("error: ", style="bold red", end="")
        err.print(exc.message, markup=False, highlight=False)
        if exc.hint:
            err.print("hint: ", style="dim", end="")
            err.print(exc.hint, markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for --debug
        if STATE["debug"] or os.environ.get("PROVENANCE_DEBUG"):
            traceback.print_exc()
        err.print("internal error: ", style="bold red", end="")
        err.print(f"{type(exc).__name__}: {exc}", markup=False, highlight=False)
        err.print(
            "hint: rerun with --debug for the traceback and report it; data already written is kept",
            style="dim",
            markup=False,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
