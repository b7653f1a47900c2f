"""On-disk score cache: re-running an audit after tweaking a rubric or a template scores nothing.

Keyed by (model identity, hash of the normalised text), so a different model or a retrained
one misses, and two customers writing the same words share a row. One table per kind of score
(sentiment in ``scores``, the triage heads in ``triage``), each with its own model identity, so
a run with ``--model`` reuses the bundled triage and vice versa. SQLite: one file, safe for
concurrent readers, no server.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PROB_COLUMNS = ("p_negative", "p_neutral", "p_positive")
TRIAGE_TABLE = "triage"
#: table -> its probability columns (the triage columns follow audit.textmodel.heads.TRIAGE)
TABLES = {"scores": PROB_COLUMNS, TRIAGE_TABLE: ("p_question", "p_complaint", "p_compliment")}


def default_path() -> Path:
    """``$SOCIAL_AUDIT_CACHE`` or ``~/.cache/social-audit/sentiment.sqlite`` (shared by all clients)."""
    root = os.environ.get("SOCIAL_AUDIT_CACHE") or Path.home() / ".cache" / "social-audit"
    return Path(root) / "sentiment.sqlite"


def text_keys(texts: Sequence[str]) -> list[bytes]:
    return [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts]


class ScoreCache:
    """Probabilities per (model, text) in one SQLite table."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        for table, columns in TABLES.items():
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (model TEXT NOT NULL, text_key BLOB NOT NULL, "
                + "".join(f"{c} REAL, " for c in columns) + "PRIMARY KEY (model, text_key)) WITHOUT ROWID"
            )

    def get(self, model: str, keys: Sequence[bytes], table: str = "scores") -> tuple[np.ndarray, np.ndarray]:
        """Return (found mask, probabilities with NaN where missing) in the order of ``keys``."""
        columns = TABLES[table]
        probs = np.full((len(keys), len(columns)), np.nan, dtype=np.float64)
        if not keys:
            return np.zeros(0, dtype=bool), probs
        position = {k: i for i, k in enumerate(keys)}
        cur = self._db.cursor()
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (text_key BLOB PRIMARY KEY) WITHOUT ROWID")
        cur.execute("DELETE FROM wanted")
        cur.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((k,) for k in position))
        rows = cur.execute(
            f"SELECT s.text_key, {', '.join('s.' + c for c in columns)} FROM {table} s "
            "JOIN wanted w ON s.text_key = w.text_key WHERE s.model = ?", (model,)
        ).fetchall()
        for key, *p in rows:
            probs[position[key]] = p
        found = ~np.isnan(probs[:, 0])
        return found, probs

    def put(self, model: str, keys: Sequence[bytes], probs: np.ndarray, table: str = "scores") -> None:
        marks = ", ".join("?" * (2 + len(TABLES[table])))
        with self._db:
            self._db.executemany(
                f"INSERT OR REPLACE INTO {table} VALUES ({marks})",
                ((model, k, *map(float, p)) for k, p in zip(keys, probs)),
            )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "ScoreCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
