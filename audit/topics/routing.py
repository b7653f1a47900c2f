"""Suggested owner of each topic, from an editable YAML of owner keywords
(``audit/topics/topic_owners.yaml``; its header explains the format and the rule).

Why by share of posts and not by the topic's label: a label is three words, a topic is hundreds
of posts; "38% of the posts in this topic mention delivery words" is evidence an auditor can
quote and a client can check.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.topics.discover import OUTLIER

DEFAULT_OWNERS = Path(__file__).with_name("topic_owners.yaml")
_KEYWORD = re.compile(r"^[^\W\d_][\w' &-]*\*?$")


@dataclass(frozen=True)
class Owners:
    default_owner: str
    min_share: float
    teams: dict[str, tuple[str, ...]]   # team -> keywords, in file order
    patterns: dict[str, re.Pattern]
    source: str


def _fail(where: str, msg: str) -> NoReturn:
    raise AuditInputError(f"Topic owners file {where}: {msg} (see audit/topics/topic_owners.yaml for the format)")


def is_keyword(value: object) -> bool:
    """A word or phrase, optionally ending in * (the format of every keyword list in the audit)."""
    return isinstance(value, str) and bool(_KEYWORD.match(value.strip()))


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern:
    """One regex for a keyword list: whole words, case-insensitive, * for any ending."""
    parts = [re.escape(k.rstrip("*")).replace(r"\ ", r"\s+") + (r"\w*" if k.endswith("*") else "") for k in keywords]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def load_owners(path: str | Path | None = None) -> Owners:
    """Read and validate an owners file; every problem names the file and what to fix."""
    path = Path(path or DEFAULT_OWNERS)
    doc = runfolder.read_yaml(path, "topic owners")
    where = str(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("owners"), dict) or not doc["owners"]:
        _fail(where, "expected a mapping with 'default_owner', 'min_share' and a non-empty 'owners' mapping")
    unknown = set(doc) - {"default_owner", "min_share", "owners"}
    if unknown:
        _fail(where, f"unknown key(s) {sorted(unknown)}")
    default = doc.get("default_owner")
    if not isinstance(default, str) or not default.strip():
        _fail(where, "'default_owner' must be a team name")
    share = doc.get("min_share", 0.15)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        _fail(where, f"'min_share' must be a number in (0, 1], got {share!r}")
    teams: dict[str, tuple[str, ...]] = {}
    for team, keywords in doc["owners"].items():
        if not isinstance(team, str) or not team.strip():
            _fail(where, f"team name {team!r} must be text")
        if not isinstance(keywords, list) or not keywords:
            _fail(where, f"owners.{team} must be a non-empty list of keywords")
        for k in keywords:
            if not is_keyword(k):
                _fail(where, f"owners.{team}: keyword {k!r} must be a word or phrase, optionally ending in *")
        teams[team] = tuple(k.strip().lower() for k in keywords)
    return Owners(default.strip(), float(share), teams, {t: keyword_pattern(k) for t, k in teams.items()}, where)


def route(texts: Sequence[str], labels: np.ndarray, n_topics: int, owners: Owners | None = None,
          max_posts: int = 1000, seed: int = 0) -> list[dict]:
    """Per topic: ``owner``, ``owner_share`` (share of its posts using that team's words, None
    for the default owner chosen for lack of evidence) and ``shares`` per team. Shares are read
    on at most ``max_posts`` posts per topic (a fixed-seed sample: +-3 points at 1,000), which
    keeps 100k posts to seconds."""
    owners = owners or load_owners()
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    members = []
    for t in range(n_topics):
        rows = np.flatnonzero(labels == t)
        members.append(np.sort(rng.choice(rows, size=max_posts, replace=False)) if len(rows) > max_posts else rows)
    read = np.unique(np.concatenate(members)) if members else np.zeros(0, dtype=np.int64)
    series = pd.Series([texts[i] for i in read], index=read, dtype="string").fillna("")
    hits = {team: series.str.contains(p, regex=True) for team, p in owners.patterns.items()}
    out = []
    for rows in members:
        size = len(rows)
        shares = {team: (float(h.loc[rows].mean()) if size else 0.0) for team, h in hits.items()}
        best = max(shares, key=lambda team: shares[team]) if shares else None  # first listed wins ties
        if best is not None and shares[best] >= owners.min_share:
            out.append({"owner": best, "owner_share": shares[best], "shares": shares})
        else:
            out.append({"owner": owners.default_owner, "owner_share": None, "shares": shares})
    return out


__all__ = ["DEFAULT_OWNERS", "OUTLIER", "Owners", "is_keyword", "keyword_pattern", "load_owners", "route"]
