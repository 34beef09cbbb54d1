"""Evaluations of scanners against labelled data, as features users run on their own data."""

from .pii import evaluate_pii, load_gold

__all__ = ["evaluate_pii", "load_gold"]
