"""A Rich progress bar for scans (records, MB, rate, ETA), and a silent stand-in for library use."""

from __future__ import annotations

import time
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


class ProgressSink(Protocol):
    def start(self, total_bytes: int, files: int) -> None: ...
    def advance(self, records: int, nbytes: int, label: str) -> None: ...
    def stop(self) -> None: ...


class NoProgress:
    def start(self, total_bytes: int, files: int) -> None:
        pass

    def advance(self, records: int, nbytes: int, label: str) -> None:
        pass

    def stop(self) -> None:
        pass


class RichProgress:
    """Shown on stderr, so stdout stays clean for data (``provenance query ... > out.csv``)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=False),
            TransferSpeedColumn(),
            TextColumn("{task.fields[records]:,} records · {task.fields[rate]:,.0f} rec/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
            disable=not self.console.is_terminal,  # logs and CI get the summary only
        )
        self.task: TaskID | None = None
        self.records = 0
        self.started = time.perf_counter()

    def start(self, total_bytes: int, files: int) -> None:
        self.started = time.perf_counter()
        self.progress.start()
        self.task = self.progress.add_task(f"scanning {files} file(s)", total=max(total_bytes, 1), records=0, rate=0.0)

    def advance(self, records: int, nbytes: int, label: str) -> None:
        if self.task is None:
            return
        self.records += records
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(
            self.task, advance=nbytes, records=self.records, rate=self.records / elapsed, description=label
        )

    def stop(self) -> None:
        self.progress.stop()
