"""Where scanners run: in-process or in a process pool (here), on Ray (with the ``ray`` extra, later)."""

from .local import DEFAULT_SCANNERS, Interrupted, ingest, scan
from .progress import NoProgress, ProgressSink, RichProgress

__all__ = ["DEFAULT_SCANNERS", "Interrupted", "NoProgress", "ProgressSink", "RichProgress", "ingest", "scan"]
