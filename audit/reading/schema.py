"""The normalised message contract every stage after ingest relies on.

Keeping column names, dtypes and quarantine reason codes in one place means ingest, threads and
the reports cannot drift apart: tests and later stages call :func:`validate_messages` instead of
re-stating the contract.
"""
from __future__ import annotations

from enum import StrEnum

import pandas as pd

#: Texts longer than this are truncated for analysis (models and charts gain nothing from more).
TEXT_LIMIT = 10_000

#: Normalised message columns, in order, with the dtype each must have (see docs/ARCHITECTURE.md).
#: "str" is pandas' default string dtype (NaN for missing): it round-trips through Parquet as is
#: and gives plain bool masks, unlike the pd.NA-based "string" dtype.
MESSAGE_COLUMNS: dict[str, str] = {
    "message_id": "str",
    "reply_to_id": "str",
    "author": "str",
    "is_customer": "bool",
    "created_at": "datetime64[ns, UTC]",
    "text": "str",
    "channel": "str",
    "source_row": "int64",
    "reply_to_unknown": "bool",
    "text_truncated": "bool",
}

#: Columns added by ``audit.conversations.threads.build``.
THREAD_COLUMNS: dict[str, str] = {
    "conversation_id": "str",
    "depth": "int64",
    "turn": "int64",
    "brand": "str",
    "cycle_broken": "bool",
    "agent": "str",  # sign-off token of a brand post (audit.conversations.voice), missing when unsigned
}

#: Leading quarantine columns; the raw input fields follow them.
QUARANTINE_COLUMNS: tuple[str, ...] = ("source_row", "reason", "detail")

#: Default channel when the mapping names none (TWCS is Twitter).
DEFAULT_CHANNEL = "twitter"


class Reason(StrEnum):
    """Why a row went to quarantine; the value is the code written to ``quarantine.csv``."""

    MALFORMED_ROW = "malformed_row"
    MISSING_ID = "missing_id"
    MISSING_AUTHOR = "missing_author"
    BAD_CUSTOMER_FLAG = "bad_customer_flag"
    BAD_TIMESTAMP = "bad_timestamp"
    AMBIGUOUS_TIMESTAMP = "ambiguous_timestamp"
    EMPTY_TEXT = "empty_text"
    DUPLICATE_ROW = "duplicate_row"
    DUPLICATE_ID = "duplicate_id"

    @property
    def sentence(self) -> str:
        """The human sentence a consultant reads in the ``detail`` column."""
        return REASON_SENTENCES[self]


#: One sentence per reason, written for the person fixing the export. Order = check priority:
#: a row failing several checks is reported under the first.
REASON_SENTENCES: dict[Reason, str] = {
    Reason.MALFORMED_ROW: (
        "The row could not be split into fields: more fields than the header (an unquoted "
        "delimiter?), a quote that is never closed, or a JSON line that is not one object."
    ),
    Reason.MISSING_ID: "The message id is empty.",
    Reason.MISSING_AUTHOR: "The author is empty.",
    Reason.BAD_CUSTOMER_FLAG: "The customer/brand flag is empty or not one of the mapping's values.",
    Reason.BAD_TIMESTAMP: (
        "The timestamp could not be read as a date and time between 1990 and 2100 (a "
        "placeholder such as 0001-01-01 or 9999-12-31, or a date without its year)."
    ),
    Reason.AMBIGUOUS_TIMESTAMP: (
        "The timestamp reads two ways (day/month order, or a local time repeated or skipped by a "
        "daylight-saving change); set timestamp_format in the mapping or give UTC offsets."
    ),
    Reason.EMPTY_TEXT: "The text is empty or only whitespace/control characters.",
    Reason.DUPLICATE_ROW: "The row is an exact copy of an earlier row.",
    Reason.DUPLICATE_ID: "The message id was already used by an earlier row with different content.",
}

#: Names of the usable-but-odd conditions counted in ``accounting["flags"]``.
FLAG_NAMES: tuple[str, ...] = (
    "reply_to_unknown",
    "text_truncated",
    "control_chars_stripped",
    "html_entities_decoded",
    "ids_normalised",
    "naive_timestamps_localised",
    "converted_to_utc",
    "reply_to_recovered",
    "reply_to_from_conversation",
)
#: Flags recorded only when they occur, so that a clean export's accounting (and audit.json)
#: is the same as before they existed.
OCCASIONAL_FLAGS: tuple[str, ...] = ("handles_normalised", "reply_before_parent")


def validate_messages(df: pd.DataFrame, *, threaded: bool = False) -> pd.DataFrame:
    """Check ``df`` honours the message contract and return it unchanged.

    Raises ``ValueError`` (a bug in a stage, not user input) naming every broken rule, so a stage
    that emits a wrong frame fails where it is produced rather than three stages later.
    """
    expected = dict(MESSAGE_COLUMNS)
    if threaded:
        expected.update(THREAD_COLUMNS)
    problems: list[str] = []
    missing = [c for c in expected if c not in df.columns]
    if missing:
        problems.append(f"missing columns {missing}")
    for col, dtype in expected.items():
        if col in df.columns and not _dtype_matches(df[col], dtype):
            problems.append(f"{col} has dtype {df[col].dtype}, expected {dtype}")
    if not missing:
        for col in ("message_id", "author", "text", "channel"):
            if df[col].isna().any():
                problems.append(f"{col} has missing values")
        if df["message_id"].duplicated().any():
            problems.append("message_id is not unique")
        if df["created_at"].isna().any():
            problems.append("created_at has missing values")
        if (df["text"].str.strip() == "").any():
            problems.append("text has empty values")
        if (df["text"].str.len() > TEXT_LIMIT).any():
            problems.append(f"text longer than {TEXT_LIMIT} characters")
    if problems:
        raise ValueError("messages break the contract: " + "; ".join(problems))
    return df


def _dtype_matches(series: pd.Series, expected: str) -> bool:
    if expected == "str":
        return pd.api.types.is_string_dtype(series.dtype) and series.dtype != object
    return str(series.dtype) == expected


def empty_messages() -> pd.DataFrame:
    """A zero-row frame with the contract's columns and dtypes (for files where nothing survives)."""
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in MESSAGE_COLUMNS.items()})
