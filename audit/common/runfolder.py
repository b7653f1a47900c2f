"""What a run folder holds, and how its files are written (atomically, deterministically).

A newcomer reads this list to know where everything is:

    outputs/<client-slug>/
      audit.json            every figure of the run (schema_version, row accounting, ...)
      audit.yaml            the run's full configuration (social-audit run --config repeats it)
      audit.xlsx            the figures as a typed workbook for slides (audit.report.workbook)
      run_log.json          parameters, stage timings, versions (wall-clock lives here only)
      quarantine.csv        rejected input rows with a reason each (formula-safe), published with
                            the report (the ingest stage writes .ingest-quarantine.csv)
      messages.parquet      normalised messages with conversation columns
      conversations.parquet one row per conversation
      scores.parquet        sentiment per message
      intents.parquet       intent per customer post
      topic_posts.parquet   topic per customer post; topic_model.json describes the topics
      topics.json           per-topic figures, owners and emerging issues
      playbook.html/.pdf    the report
      charts/               the report's charts as SVG
      notebooks/            the executed notebooks (+ analysis.html, a no-input export)
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from audit.common.decoding import read_user_file
from audit.common.errors import AuditInputError
from audit.common.safeio import atomic_write_bytes, atomic_write_text

AUDIT_JSON = "audit.json"
CONFIG = "audit.yaml"
AUDIT_XLSX = "audit.xlsx"
RUN_LOG = "run_log.json"
QUARANTINE = "quarantine.csv"
#: the ingest stage's quarantine, published as quarantine.csv with the report it belongs to
INGEST_QUARANTINE = ".ingest-quarantine.csv"
MESSAGES = "messages.parquet"
CONVERSATIONS = "conversations.parquet"
SCORES = "scores.parquet"
INTENTS = "intents.parquet"
INGEST_SUMMARY = "ingest.json"
SCORE_SUMMARY = "scoring.json"
METRICS = "metrics.json"
PEERS = "peers.json"
MATURITY = "maturity.json"
PLAYBOOK_JSON = "playbook.json"
PLAYBOOK_HTML = "playbook.html"
PLAYBOOK_PDF = "playbook.pdf"
TOPIC_POSTS = "topic_posts.parquet"
TOPIC_MODEL = "topic_model.json"
TOPICS = "topics.json"
CHARTS = "charts"
NOTEBOOKS = "notebooks"
#: The exact client name a run folder belongs to (two names can share a slug).
CLIENT_MARKER = ".client"


def folder_owner(run_dir: Path) -> str | None:
    """The client whose audit ``run_dir`` holds: its marker, else the name in audit.json."""
    marker = Path(run_dir) / CLIENT_MARKER
    if marker.is_file():
        return marker.read_text(encoding="utf-8")
    audit = Path(run_dir) / AUDIT_JSON
    if audit.is_file():
        try:
            return read_json(audit).get("client")
        except (ValueError, OSError, AttributeError):
            return None
    return None


def check_owner(run_dir: Path, client: str) -> None:
    """Refuse a run folder that holds another client's audit (``Acme Bank`` / ``ACME-BANK!``
    slugify alike): the second would silently overwrite the first."""


    owner = folder_owner(run_dir)
    if owner is not None and owner != client:
        raise AuditInputError(
            f"The run folder {run_dir} already holds the audit of client {owner!r}; {client!r} "
            "would overwrite it (client names that differ only in case or punctuation share a "
            "folder). Use the same name as before, a more distinct name, or another --out."
        )


def claim(run_dir: Path, client: str) -> None:
    """Mark ``run_dir`` as ``client``'s (after :func:`check_owner`)."""
    if folder_owner(run_dir) != client or not (Path(run_dir) / CLIENT_MARKER).is_file():
        atomic_write_text(Path(run_dir) / CLIENT_MARKER, client)


def _plain(value: Any) -> Any:
    """numpy/pandas scalars to JSON types; NaN and infinities to null (JSON has none)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def dumps(data: Any) -> str:
    return json.dumps(_plain(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(data: Any, path: Path) -> None:
    atomic_write_text(path, dumps(data))


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes; remembered per (path, size, mtime) so a 45 MB model or a large
    export is read once per process."""
    st = os.stat(path)
    return _sha256(str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    atomic_write_bytes(path, buf.getvalue())


def read_yaml(path: str | os.PathLike, what: str) -> dict:
    """A YAML file the user can edit (rubric, questionnaire, owners, exemplars), read safely;
    every problem is one ``AuditInputError`` naming the file and what is wrong."""
    import yaml



    path = Path(path)
    try:
        data = yaml.safe_load(read_user_file(path))
    except FileNotFoundError:
        raise AuditInputError(f"Cannot read the {what} file {path}: not found; check the path.") from None
    except OSError as exc:
        raise AuditInputError(f"Cannot read the {what} file {path}: {exc.strerror or exc}.") from None
    except yaml.YAMLError as exc:
        raise AuditInputError(f"Cannot read the {what} file {path}: it is not valid YAML ({exc}).") from None
    if not isinstance(data, dict):
        raise AuditInputError(f"The {what} file {path} must contain a mapping at the top level.")
    return data


def read_messages(run_dir: Path) -> pd.DataFrame:
    """The ingest stage's messages (with conversation columns)."""
    path = Path(run_dir) / MESSAGES
    if not path.exists():
        raise AuditInputError(f"{path} is missing: run the ingest stage (notebooks/01_ingest.ipynb) first.")
    return pd.read_parquet(path)


def enriched(run_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messages joined with their scores and intents, and the conversations: what analysis reads."""
    run_dir = Path(run_dir)
    messages = read_messages(run_dir)
    for name in (SCORES, INTENTS):
        path = run_dir / name
        if not path.exists():
            raise AuditInputError(f"{path} is missing: run the scoring stage (notebooks/02_sentiment.ipynb) first.")
        messages = messages.merge(pd.read_parquet(path), on="message_id", how="left")
    return messages, pd.read_parquet(run_dir / CONVERSATIONS)
