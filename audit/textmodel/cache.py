"""On-disk score cache: re-running an audit after tweaking a rubric or a template scores nothing.

Keyed by (model identity, hash of the normalised text), so a different model or a retrained
one misses, and two customers writing the same words share a row. One table per kind of score
(sentiment in ``scores``, the triage heads in ``triage``), each with its own model identity, so
a run with ``--model`` reuses the bundled triage and vice versa. SQLite: one file, no server,
shared by concurrent audits (``batch --jobs``, two runs at once): WAL lets readers and a writer
work side by side, the connection is in autocommit so a read never holds a snapshot that a later
write would have to upgrade (SQLite refuses that upgrade with "database is locked" without
waiting), and every write is one short ``BEGIN IMMEDIATE`` transaction that waits its turn.
"""
from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

BUSY_TIMEOUT_S = 120
PROB_COLUMNS = ("p_negative", "p_neutral", "p_positive")
TRIAGE_TABLE = "triage"
#: table -> its probability columns (the triage columns follow audit.textmodel.heads.TRIAGE)
TABLES = {"scores": PROB_COLUMNS, TRIAGE_TABLE: ("p_question", "p_complaint", "p_compliment")}
#: sentence embeddings (topic discovery), one float32 vector per (model, text)
VECTOR_TABLE = "embeddings"


def default_path() -> Path:
    """``$SOCIAL_AUDIT_CACHE`` or ``~/.cache/social-audit/sentiment.sqlite`` (shared by all clients).

    The variable names the cache *file*, as ``--cache`` does: one meaning for both."""
    value = os.environ.get("SOCIAL_AUDIT_CACHE")
    return Path(value).expanduser() if value else Path.home() / ".cache" / "social-audit" / "sentiment.sqlite"


def check(path: str | Path | None) -> Path:
    """Open the cache a run will use (``path``, else :func:`default_path`) and write to it once,
    before any stage: a cache is an output, so a new file is created here, and a folder, a
    read-only file or a file that is not SQLite is one clear message, never a failed score stage."""
    from audit.common.checks import writable_folder
    from audit.common.errors import AuditInputError

    target = Path(path).expanduser() if path else default_path()
    name = f"--cache {path}" if path else f"the score cache {target} ($SOCIAL_AUDIT_CACHE or the default)"
    if target.is_dir():
        raise AuditInputError(f"{name}: is a folder; give a file such as {target / 'sentiment.sqlite'}.")
    if target.exists() and not os.access(target, os.R_OK | os.W_OK):
        raise AuditInputError(f"{name}: is read-only; make it writable or give another file.")
    writable_folder("cache", target.parent)  # SQLite writes its journal beside the file
    try:
        ScoreCache(target).close()
    except sqlite3.DatabaseError as exc:
        raise AuditInputError(f"{name}: cannot be used as a SQLite score cache ({exc}); "
                              "delete it or give another file.") from None
    return target


def text_keys(texts: Sequence[str]) -> list[bytes]:
    return [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts]


class ScoreCache:
    """Probabilities per (model, text) in one SQLite table."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        self._write(lambda db: db.execute("PRAGMA journal_mode=WAL"), transaction=False)
        for table, columns in TABLES.items():
            self._write(lambda db, table=table, columns=columns: db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (model TEXT NOT NULL, text_key BLOB NOT NULL, "
                + "".join(f"{c} REAL, " for c in columns) + "PRIMARY KEY (model, text_key)) WITHOUT ROWID"
            ))
        self._write(lambda db: db.execute(
            f"CREATE TABLE IF NOT EXISTS {VECTOR_TABLE} (model TEXT NOT NULL, text_key BLOB NOT NULL, "
            "vec BLOB NOT NULL, PRIMARY KEY (model, text_key)) WITHOUT ROWID"))

    def _write(self, action, transaction: bool = True) -> None:
        """Run ``action`` as one write transaction; retry while another process holds the lock
        (the busy timeout covers most waits; switching to WAL can still answer "locked" at once)."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                if not transaction:
                    action(self._db)
                    return
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    action(self._db)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05 + random.random() * 0.1)

    def _select(self, model: str, keys: Sequence[bytes], table: str, columns: Sequence[str]) -> list[tuple]:
        """Rows ``(text_key, *columns)`` of ``table`` for ``model`` and ``keys``, in one short read."""
        cur = self._db.cursor()
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (text_key BLOB PRIMARY KEY) WITHOUT ROWID")
        cur.execute("BEGIN")  # one read transaction, ended here: no snapshot outlives the call
        try:
            cur.execute("DELETE FROM wanted")
            cur.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((k,) for k in keys))
            return cur.execute(
                f"SELECT s.text_key, {', '.join('s.' + c for c in columns)} FROM {table} s "
                "JOIN wanted w ON s.text_key = w.text_key WHERE s.model = ?", (model,)
            ).fetchall()
        finally:
            cur.execute("COMMIT")

    def get(self, model: str, keys: Sequence[bytes], table: str = "scores") -> tuple[np.ndarray, np.ndarray]:
        """Return (found mask, probabilities with NaN where missing) in the order of ``keys``."""
        columns = TABLES[table]
        probs = np.full((len(keys), len(columns)), np.nan, dtype=np.float64)
        if not keys:
            return np.zeros(0, dtype=bool), probs
        position = {k: i for i, k in enumerate(keys)}
        rows = self._select(model, list(position), table, columns)
        for key, *p in rows:
            probs[position[key]] = p
        found = ~np.isnan(probs[:, 0])
        return found, probs

    def put(self, model: str, keys: Sequence[bytes], probs: np.ndarray, table: str = "scores") -> None:
        rows = [(model, k, *map(float, p)) for k, p in zip(keys, probs)]
        marks = ", ".join("?" * (2 + len(TABLES[table])))
        self._write(lambda db: db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows))

    def get_vectors(self, model: str, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached float32 vectors of ``keys`` that exist (missing keys are absent)."""
        if not keys:
            return {}
        rows = self._select(model, list(dict.fromkeys(keys)), VECTOR_TABLE, ("vec",))
        return {key: np.frombuffer(vec, dtype=np.float32) for key, vec in rows}

    def put_vectors(self, model: str, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        rows = [(model, k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors)]
        self._write(lambda db: db.executemany(f"INSERT OR REPLACE INTO {VECTOR_TABLE} VALUES (?, ?, ?)", rows))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "ScoreCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
