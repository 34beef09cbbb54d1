"""The streaming dataset ``track`` returns: a ``datasets.IterableDataset`` that spools what it noted when a pass ends.

The recording step in the pipeline notes records as they are produced and spools them every ``SPOOL_EVERY`` records
and when its process exits. A DataLoader with ``persistent_workers=True`` keeps its workers alive after the loop,
often past the end of the run, so what they noted last would reach the ledger only when they exit, after the run
had been closed. Here every pass over the stream (in each DataLoader worker, or in the loop's own process) spools
what it noted as soon as it ends or stops, so the run's end merges it. Datasets derived from this one (``shuffle``,
``map``...) are plain ``IterableDataset`` objects again and fall back to spooling at exit.

This module imports ``datasets``; ``track`` imports it only for streaming data. DataLoader workers started with
``spawn`` unpickle the class by this module's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import datasets


class TrackedIterableDataset(datasets.IterableDataset):
    """An ``IterableDataset`` whose passes spool what the recording step noted when they end."""

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from super().__iter__()
        finally:  # a full pass, a loop that stopped early, an error: what was noted goes to a spool file now
            from .track import flush_pending

            flush_pending()


def tracked_stream(stream: datasets.IterableDataset) -> datasets.IterableDataset:
    """The same object, as a :class:`TrackedIterableDataset` (only plain ``IterableDataset`` objects are changed)."""
    if type(stream) is datasets.IterableDataset:
        stream.__class__ = TrackedIterableDataset
    return stream
