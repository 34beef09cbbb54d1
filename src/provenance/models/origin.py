"""Where one record came from. One record may have several origins (the same text in two files)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from .common import Model


class OriginKind(str, Enum):
    file = "file"
    dataset = "dataset"
    url = "url"


class Origin(Model):
    kind: OriginKind
    path: str | None = None
    line: int | None = None
    row: int | None = None
    byte_offset: int | None = None
    dataset_repo: str | None = None
    dataset_config: str | None = None
    dataset_split: str | None = None
    dataset_revision: str | None = None
    url: str | None = None
    fetched_at: dt.datetime | None = None

    def place(self) -> str:
        """The file, or the dataset and split, without the position inside it."""
        if self.kind is OriginKind.dataset:
            split = f"[{self.dataset_split}]" if self.dataset_split else ""
            return f"{self.dataset_repo}{split}"
        return self.path or self.url or "?"

    def where(self) -> str:
        """A short human location, as used in error messages and reports (file:line, repo[split]#row)."""
        if self.kind is OriginKind.dataset:
            split = f"[{self.dataset_split}]" if self.dataset_split else ""
            return f"{self.dataset_repo}{split}#{self.row}"
        if self.path:
            at = self.line if self.line is not None else self.row
            return f"{self.path}:{at}" if at is not None else self.path
        return self.url or "?"
