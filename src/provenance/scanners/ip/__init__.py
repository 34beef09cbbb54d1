"""The ``ip`` scanner: licences, copyright and protected works inside the text."""

from .scanner import Ip

__all__ = ["Ip"]
