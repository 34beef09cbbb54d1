"""Memoising aggregations over a read-only ledger, shared by the card writers (imports nothing of ours)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def memo_on_read_only(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Remember ``fn(store, ...)`` for a read-only ledger, whose facts cannot change while it is open: the card
    writers each ask for the same licence groups and coverage figures, which are the costly aggregations."""

    @functools.wraps(fn)
    def wrapper(store: Any, *args: Any, **kwargs: Any) -> Any:
        if not getattr(store, "read_only", False):
            return fn(store, *args, **kwargs)
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:  # arguments such as dicts: compute afresh
            return fn(store, *args, **kwargs)
        cache = store.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = fn(store, *args, **kwargs)
        return cache[key]

    return wrapper
