"""Per-row validation: each row becomes a normalised message or gets a quarantine reason.

Why: the checks run in a fixed order (malformed, missing fields, timestamps, empty text, then
duplicates among what is left), so each row gets exactly one reason, and the flags count what was
repaired on the rows kept.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from audit.common.handles import clean_handles
from audit.reading.fields import (
    blank_to_na,
    chain_conversation,
    channel_column,
    clean_text,
    customer_flags,
    isin,
    normalise_ids,
    recover_parents,
)
from audit.reading.mapping import Mapping
from audit.reading.quarantine import quarantine_frame
from audit.reading.schema import FLAG_NAMES, MESSAGE_COLUMNS, TEXT_LIMIT, Reason
from audit.reading.skew import clamp_to_parents
from audit.reading.timestamps import parse_timestamps

# Spelled with literal characters so pyarrow's RE2 and Python's re agree (as in fields).
_BLANK = "[ \t\n\r\x0b\x0c\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]*"


def normalise_rows(
    raw: pd.DataFrame, malformed: pd.Series, mapping: Mapping, brands: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], dict[str, int]]:
    flags = dict.fromkeys(FLAG_NAMES, 0)
    message_id, changed = normalise_ids(raw[mapping.message_id])
    flags["ids_normalised"] += changed
    reply_to = pd.Series(np.nan, index=raw.index, dtype=str)
    if mapping.reply_to_id:
        reply_to, changed = normalise_ids(raw[mapping.reply_to_id])
        flags["ids_normalised"] += changed
    author, retyped = clean_handles(raw[mapping.author])  # one spelling per account from here on
    author = blank_to_na(author)
    is_customer, bad_flag = customer_flags(raw, author, mapping, brands)
    stamps = parse_timestamps(raw[mapping.created_at], mapping.timestamp_format, mapping.timezone)
    text, text_flags = clean_text(raw[mapping.text])

    reason = pd.Series(np.nan, index=raw.index, dtype=str)
    checks = [
        (Reason.MALFORMED_ROW, malformed),
        (Reason.MISSING_ID, message_id.isna()),
        (Reason.MISSING_AUTHOR, author.isna()),
        (Reason.BAD_CUSTOMER_FLAG, bad_flag),
        (Reason.BAD_TIMESTAMP, stamps.values.isna() & ~stamps.ambiguous),
        (Reason.AMBIGUOUS_TIMESTAMP, stamps.ambiguous),
        (Reason.EMPTY_TEXT, text.str.fullmatch(_BLANK).fillna(True).astype(bool)),
    ]
    for code, bad in checks:
        reason = reason.mask(reason.isna() & bad, code.value)
    ok = reason.isna()
    exact = raw[ok].duplicated(keep="first").reindex(raw.index, fill_value=False)
    reason = reason.mask(exact, Reason.DUPLICATE_ROW.value)
    ok = reason.isna()
    same_id = message_id[ok].duplicated(keep="first").reindex(raw.index, fill_value=False)
    reason = reason.mask(same_id, Reason.DUPLICATE_ID.value)
    ok = reason.isna().to_numpy()

    if mapping.responses:
        reply_to, flags["reply_to_recovered"] = recover_parents(
            reply_to, message_id, raw[mapping.responses], ok & ~malformed.to_numpy()
        )
    channel = channel_column(raw, mapping)
    messages = pd.DataFrame({
        "message_id": message_id,
        "reply_to_id": reply_to,
        "author": author,
        "is_customer": is_customer,
        "created_at": stamps.values,
        "text": text.str.slice(0, TEXT_LIMIT),
        "channel": channel,
        "source_row": np.arange(1, len(raw) + 1, dtype="int64"),
        "reply_to_unknown": False,
        "text_truncated": (text.str.len() > TEXT_LIMIT).fillna(False).astype(bool),
    })[ok]
    if mapping.conversation_id:
        conversation = blank_to_na(raw[mapping.conversation_id].str.strip())[ok]
        messages, flags["reply_to_from_conversation"] = chain_conversation(messages, conversation)
    messages["reply_to_unknown"] = (
        messages["reply_to_id"].notna() & ~isin(messages["reply_to_id"], messages["message_id"])
    ).astype(bool)
    messages = messages.astype(MESSAGE_COLUMNS).reset_index(drop=True)
    messages["created_at"], skewed = clamp_to_parents(messages)
    if skewed:  # an OCCASIONAL_FLAGS entry
        flags["reply_before_parent"] = skewed

    for name, mask in text_flags.items():
        flags[name] = int(mask[ok].sum())
    if retyped[ok].any():  # an OCCASIONAL_FLAGS entry
        flags["handles_normalised"] = int(retyped[ok].sum())
    flags["naive_timestamps_localised"] = int(stamps.naive[ok].sum())
    flags["converted_to_utc"] = int(stamps.converted[ok].sum())
    flags["reply_to_unknown"] = int(messages["reply_to_unknown"].sum())
    flags["text_truncated"] = int(messages["text_truncated"].sum())

    quarantine = quarantine_frame(raw, reason, message_id, stamps.raw)
    counts = quarantine["reason"].value_counts()
    by_reason = {code.value: int(counts.get(code.value, 0)) for code in Reason}
    return messages, quarantine, flags, by_reason
