"""Scanners by name, so the CLI and the engine can build them from strings and configs."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from ..errors import InputError
from .base import Scanner

_REGISTRY: dict[str, type[Scanner]] = {}


def register(cls: type[Scanner]) -> type[Scanner]:
    _REGISTRY[cls.name] = cls
    return cls


def available() -> dict[str, type[Scanner]]:
    return dict(sorted(_REGISTRY.items()))


def create(name: str, config: Mapping[str, Any] | None = None) -> Scanner:
    """A scanner by its registered name, or your own as ``package.module:ClassName`` (a ``Scanner`` subclass)."""
    cls = _REGISTRY.get(name) or (_import(name) if ":" in name else None)
    if cls is None:
        raise InputError(
            f"unknown scanner '{name}'",
            hint=f"available scanners: {', '.join(available()) or 'none'}; or your own as package.module:ClassName",
        )
    return cls(config)


def _import(spec: str) -> type[Scanner]:
    module_name, _, attr = spec.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"cannot load scanner '{spec}': {exc}", hint="check the module is importable") from None
    if not (isinstance(cls, type) and issubclass(cls, Scanner)):
        raise InputError(f"'{spec}' is not a Scanner subclass", hint="subclass provenance.scanners.Scanner")
    return cls


def import_name(scanner: Scanner) -> str:
    """How another process (a pool worker, a Ray actor) builds the same scanner."""
    cls = type(scanner)
    return cls.name if _REGISTRY.get(cls.name) is cls else f"{cls.__module__}:{cls.__qualname__}"
