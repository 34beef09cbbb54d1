"""The full card set a release publishes, written from one ledger into one folder."""

from __future__ import annotations

from pathlib import Path

from ..ledger import Ledger


def write_cards(
    ledger: str | Path,
    output: str | Path,
    *,
    pretty_name: str = "Dataset",
    previous: str | Path | None = None,
    task_categories: list[str] | None = None,
) -> dict[str, Path]:
    """README.md (Hugging Face card), croissant.json (Croissant 1.1 with RAI), datasheet.md, data_statement.md,
    charts (SVG, and PNG with the ``charts`` extra) and report.html. ``previous`` (the last release's ledger or card)
    adds a changelog to the card. Returns what was written, by file name."""
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    with Ledger(ledger, read_only=True) as store:  # one connection: the writers share its memoised aggregations
        return _write_all(store, ledger, out, pretty_name, previous, task_categories)


def _write_all(
    ledger: Ledger,
    ledger_path: str | Path,
    out: Path,
    pretty_name: str,
    previous: str | Path | None,
    task_categories: list[str] | None,
) -> dict[str, Path]:
    from .charts import write_charts
    from .croissant import write_croissant
    from .data_statement import write_data_statement
    from .datasheet import write_datasheet
    from .hf_readme import write_card
    from .html_report import write_html_report

    written: dict[str, Path] = {}
    readme = write_card(ledger, out, pretty_name=pretty_name, task_categories=task_categories)
    if previous is not None:
        from .diff import diff, render_changelog

        readme.write_text(
            readme.read_text(encoding="utf-8").rstrip("\n")
            + "\n\n"
            + render_changelog(diff(previous, ledger_path))
            + "\n",
            encoding="utf-8",
        )
    written[readme.name] = readme
    for path in (
        write_croissant(ledger, out, name=pretty_name),
        write_datasheet(ledger, out, pretty_name=pretty_name),
        write_data_statement(ledger, out, pretty_name=pretty_name),
        write_html_report(ledger, out / "report.html", title=pretty_name),
    ):
        written[Path(path).name] = Path(path)
    charts: list[Path] = []
    for paths in write_charts(ledger, out).values():
        for path in paths:
            written[path.name] = path
        preferred = [p for p in paths if p.suffix == ".png"] or [p for p in paths if p.suffix == ".svg"]
        charts += preferred[:1]
    if charts:
        section = [
            "## Charts",
            "",
            "**[measured]** Drawn from the same ledger; the HTML report (`report.html`) has them too.",
            "",
        ]
        section += [f"![{p.stem.removeprefix('chart-')}]({p.name})" for p in charts]
        readme.write_text(readme.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + "\n".join(section) + "\n", "utf-8")
    return written


def card(
    ledger: str | Path | Ledger,
    output: str | Path,
    *,
    pretty_name: str = "Dataset",
    previous: str | Path | None = None,
    task_categories: list[str] | None = None,
) -> Path:
    """Write the card set (see :func:`write_cards`) and return the README's path."""
    path = ledger.path if isinstance(ledger, Ledger) else ledger
    return write_cards(path, output, pretty_name=pretty_name, previous=previous, task_categories=task_categories)[
        "README.md"
    ]
