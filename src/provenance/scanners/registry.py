"""Scanners by name, so the CLI and the engine can build them from strings and configs."""

from __future__ import annotations

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
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise InputError(
            f"unknown scanner '{name}'", hint=f"available scanners: {', '.join(available()) or 'none'}"
        ) from None
    return cls(config)
