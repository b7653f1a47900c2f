"""JSON and JSON Lines exports: a list of records, flattened into columns.

Why: JSON exports nest (``author.name``) and may hold 64-bit ids as numbers; numbers are kept as
the text they were written as, and a JSON Lines line that is not an object stays a malformed row.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from audit.common.decoding import read_text
from audit.common.errors import AuditInputError
from audit.reading.frames import MALFORMED, is_mixed


def _json(text: str) -> Any:
    """Numbers stay the text they were written as: a 64-bit id never passes through a float."""
    return json.loads(text, parse_int=str, parse_float=str)


def read_json(path: Path, records_path: str | None) -> tuple[pd.DataFrame, dict]:
    """A JSON array of records, or an object holding one (found by ``records_path`` or alone)."""
    text, source = read_text(path)
    try:
        document = _json(text)
    except json.JSONDecodeError as exc:
        raise AuditInputError(f"{path.name} is not valid JSON ({exc})") from None
    records = document
    if records_path:
        for key in records_path.split("."):
            if not isinstance(records, dict) or key not in records:
                raise AuditInputError(f"{path.name}: records_path {records_path!r} not found")
            records = records[key]
    elif isinstance(document, dict):
        lists = [k for k, v in document.items() if isinstance(v, list)]
        if len(lists) != 1:
            raise AuditInputError(
                f"{path.name}: expected a list of records; the top-level object has keys "
                f"{', '.join(list(document)[:20])}; set records_path in the mapping"
            )
        records = document[lists[0]]
    if not isinstance(records, list) or not any(isinstance(r, dict) for r in records):
        raise AuditInputError(f"{path.name}: expected a list of JSON objects (one per message)")
    items = [(r, None) if isinstance(r, dict) else (None, json.dumps(r)[:1000]) for r in records]
    return _records_frame(items), source


def read_jsonl(path: Path) -> tuple[pd.DataFrame, dict]:
    """One object per line; a line that is not one is kept as a malformed row, not fatal."""
    text, source = read_text(path)
    items: list[tuple[dict | None, str | None]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            value = _json(line)
        except (json.JSONDecodeError, RecursionError):
            value = None
        items.append((value, None) if isinstance(value, dict) else (None, line.rstrip("\r")))
    if not any(record is not None for record, _ in items):
        example = next((raw for _, raw in items if raw), "")
        raise AuditInputError(
            f"{path.name}: no line is a JSON object (first line: {example[:80]!r}); each line "
            "must be one object"
        )
    return _records_frame(items), source


def _records_frame(items: list[tuple[dict | None, str | None]]) -> pd.DataFrame:
    """Records as a flat frame in input order; raw text of unreadable ones marked malformed."""
    frame = _flatten(pd.DataFrame.from_records([r if r is not None else {} for r, _ in items]))
    bad = [i for i, (r, _) in enumerate(items) if r is None]
    if bad:
        frame = frame.astype(object)
        frame.loc[bad, :] = None
        frame.loc[bad, frame.columns[0]] = [MALFORMED + items[i][1] for i in bad]
    return frame


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """Spread nested objects into dotted columns (``author.name``), as json_normalize does."""
    for col in list(frame.columns):
        values = frame[col]
        if values.dtype != object or not is_mixed(values):
            continue
        is_dict = values.map(lambda v: isinstance(v, dict)).to_numpy(dtype=bool)
        if is_dict.any():
            inner = pd.DataFrame.from_records(values.where(is_dict, None).map(lambda v: v or {}).tolist())
            inner.columns = [f"{col}.{c}" for c in inner.columns]
            inner.index = frame.index
            frame = pd.concat([frame.drop(columns=col), _flatten(inner)], axis=1)
    return frame
