"""The full card set a release publishes, written from one ledger into one folder.

Once the files are written, the release is noted in the ledger's ``card_releases`` (its id, when, where, which
files, how many records it described), so that a later revocation can name the releases that described a revoked
record. That is the one write a card makes: the ledger is read read-only while the cards are written, then opened
for writing for that single insert. When it cannot be (a read-only file system, no permission, another process
writing), the cards stand and a warning says the release was not recorded.

The files are first written into a hidden staging folder beside the output folder (``.<output>.provenance-card-*``,
at the same depth, so relative links such as Croissant's file locations come out the same), then each is renamed
into place, so a card killed or interrupted at any point never leaves a half-written file: each file is the earlier
version or the new one, whole. A staging folder left by a killed run is removed by the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
import uuid
from glob import escape as glob_escape
from pathlib import Path

import duckdb

from ..errors import ProvenanceError
from ..ledger import Ledger
from ..ledger.store import is_interrupt

log = logging.getLogger("provenance")

STAGING_MARK = ".provenance-card-"  # <parent>/.<output name>.provenance-card-<pid>-<random>/: a card set being written


class CardInterrupted(ProvenanceError):
    """Ctrl-C while a card set was being written (the same exit code as an interrupted scan)."""

    exit_code = 130


class CardSet(dict[str, Path]):
    """The files a card set wrote, by file name; ``release_id`` is the release noted in the ledger (None when it
    could not be recorded)."""

    release_id: str | None = None


def new_release_id() -> str:
    """``<UTC timestamp>-<8 hex>``, sortable by time like scan and event ids."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def write_cards(
    ledger: str | Path | Ledger,
    output: str | Path,
    *,
    pretty_name: str = "Dataset",
    previous: str | Path | None = None,
    task_categories: list[str] | None = None,
    record: bool = True,
) -> CardSet:
    """README.md (Hugging Face card), croissant.json (Croissant 1.1 with RAI), datasheet.md, data_statement.md,
    charts (SVG, and PNG with the ``charts`` extra) and report.html. ``previous`` (the last release's ledger or card)
    adds a changelog to the card. Returns what was written, by file name, with the ``release_id`` noted in the
    ledger (``record=False`` notes nothing)."""
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    try:
        if isinstance(ledger, Ledger):  # an open ledger: read it, and note the release on it if it is writable
            written = _write_staged(ledger, ledger.path, out, pretty_name, previous, task_categories)
            if record:
                written.release_id = _record(ledger.path, out, written, store=ledger)
            return written
        with Ledger(ledger, read_only=True) as store:  # one connection: the writers share its memoised aggregations
            written = _write_staged(store, ledger, out, pretty_name, previous, task_categories)
        if record:  # the read-only connection is closed: DuckDB allows one configuration per file and process
            written.release_id = _record(ledger, out, written)
        return written
    except BaseException as exc:
        if not is_interrupt(exc):  # Ctrl-C, also as DuckDB reports a query it stopped because of it
            raise
        raise CardInterrupted(
            f"interrupted: the card set in {out} was not finished; every file there is whole (an earlier version "
            "or the new one)",
            hint="run the same command again to write the whole card set",
        ) from None


def _write_staged(
    ledger: Ledger,
    ledger_path: str | Path,
    out: Path,
    pretty_name: str,
    previous: str | Path | None,
    task_categories: list[str] | None,
) -> CardSet:
    """Write every file into a staging folder beside ``out``, then rename each into place (README.md last)."""
    prefix = _staging_prefix(out)
    _remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=out.parent))
    try:
        staged = _write_all(ledger, ledger_path, staging, pretty_name, previous, task_categories)
        written = CardSet()
        for name in sorted(staged, key=lambda n: (n == "README.md", n)):
            target = out / staged[name].relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged[name], target)
            written[name] = target
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _staging_prefix(out: Path) -> str:
    return f".{out.name}{STAGING_MARK}"


def _remove_stale_staging(out: Path) -> None:
    """Remove staging folders of card runs into ``out`` that were killed (their process is gone)."""
    prefix = _staging_prefix(out)
    for folder in out.parent.glob(f"{glob_escape(prefix)}*"):
        pid = folder.name[len(prefix) :].split("-", 1)[0]
        if folder.is_dir() and (not pid.isdigit() or not _alive(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _record(ledger_path: str | Path, out: Path, written: dict[str, Path], store: Ledger | None = None) -> str | None:
    """Note the release in the ledger; on failure warn and return None (the cards are written either way)."""
    from ..ledger.consent import record_release

    release_id = new_release_id()
    files = sorted(written)
    try:
        if store is not None:
            if store.read_only:
                raise ProvenanceError("the ledger was given open read-only")
            record_release(store, release_id, str(out.resolve()), files)
        else:
            with Ledger(ledger_path) as writable:
                record_release(writable, release_id, str(out.resolve()), files)
    except (ProvenanceError, duckdb.Error, OSError) as exc:
        log.warning(
            "the cards in %s were written, but the release was not recorded in the ledger %s: %s. A later "
            "revocation will not list this release; run 'provenance card' again when the ledger can be written.",
            out,
            ledger_path,
            str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        )
        return None
    log.info("card release %s recorded in %s", release_id, ledger_path)
    return release_id


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
    """Write the card set (see :func:`write_cards`, which also notes the release in the ledger) and return the
    README's path."""
    return write_cards(ledger, output, pretty_name=pretty_name, previous=previous, task_categories=task_categories)[
        "README.md"
    ]
