"""Hooks for training code: ``track`` the data, ``run`` the training, ``flush`` what worker processes spooled."""

from .runs import Run, current_run_id, flush, run, run_records, runs_table, runs_using
from .track import TrackedIterable, track

__all__ = [
    "Run",
    "TrackedIterable",
    "current_run_id",
    "flush",
    "run",
    "run_records",
    "runs_table",
    "runs_using",
    "track",
]
