"""Conversation plans: every thread shape of the profiles parsed once into padded arrays.

Why: a conversation's steps (who speaks, what kind of post, which step it answers) are then looked
up for all conversations at once, instead of parsing pattern strings per conversation.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from audit.demo.profiles import INTENTS, SPEAKERS, Entry


@dataclass(frozen=True)
class Plan:
    """Every thread shape, padded into arrays so a conversation's steps are looked up at once."""

    speaker: np.ndarray     # (P, L) code: 0 pad, 1 C, 2 B, 3 M, 4 H
    kind: np.ndarray        # (P, L) index into kinds
    reply: np.ndarray       # (P, L) step answered, -1 for a root
    length: np.ndarray      # (P,)
    kinds: tuple[str, ...]


def build_plan(entries: Sequence[Entry]) -> tuple[Plan, dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]]:
    """Parse pattern strings once; return the padded plan and, per (entry, intent), pattern ids
    with their probabilities."""
    shapes: dict[str, int] = {}
    choices: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for e, entry in enumerate(entries):
        for i, intent in enumerate(INTENTS):
            options = entry.patterns[intent]
            ids = [shapes.setdefault(p, len(shapes)) for p, _ in options]
            weights = np.array([w for _, w in options], dtype=float)
            choices[(e, i)] = (np.array(ids), weights / weights.sum())
    width = max(len(p.split()) for p in shapes)
    speaker = np.zeros((len(shapes), width), dtype=np.int8)
    kind = np.zeros((len(shapes), width), dtype=np.int16)
    reply = np.full((len(shapes), width), -1, dtype=np.int16)
    kinds: dict[str, int] = {}
    for pattern, p in shapes.items():
        for k, step in enumerate(pattern.split()):
            who, _, what = step.partition(".")
            what, _, target = what.partition("@")
            speaker[p, k] = SPEAKERS[who]
            kind[p, k] = kinds.setdefault(what, len(kinds))
            reply[p, k] = int(target) if target else k - 1
    length = (speaker > 0).sum(axis=1)
    return Plan(speaker, kind, reply, length, tuple(kinds)), choices


def expected_length(entries: Sequence[Entry], plan: Plan, choices) -> float:
    """Mean messages per customer-opened conversation, to size a run to N messages."""
    total = sum(e.share for e in entries)
    mean = 0.0
    for e, entry in enumerate(entries):
        for i, share in enumerate(entry.intents):
            ids, probs = choices[(e, i)]
            mean += entry.share / total * share * float(plan.length[ids] @ probs)
    return mean
