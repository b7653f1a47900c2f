"""The quarantine: every rejected row with its reason, a sentence to act on, and its raw fields.

Why: nothing vanishes silently; a consultant must be able to see why each row was set aside (and
which row a duplicate copies), and an export with no usable row stops with its main reason.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from audit.reading.mapping import Mapping
from audit.reading.schema import QUARANTINE_COLUMNS, Reason


def quarantine_frame(
    raw: pd.DataFrame, reason: pd.Series, message_id: pd.Series, stamps_raw: pd.Series
) -> pd.DataFrame:
    """Rows with a reason, with a sentence a consultant can act on and the raw fields."""
    bad = reason.notna()
    codes = reason[bad]
    detail = codes.map({code.value: code.sentence for code in Reason})
    rows = pd.Series(np.arange(1, len(raw) + 1), index=raw.index)
    timing = codes.isin([Reason.BAD_TIMESTAMP.value, Reason.AMBIGUOUS_TIMESTAMP.value])
    shown = stamps_raw[bad].fillna("").str.slice(0, 60).map(repr)  # quarantined rows only
    detail = detail.where(~timing, detail + " Value: " + shown + ".")
    dup_id, dup_row = Reason.DUPLICATE_ID.value, Reason.DUPLICATE_ROW.value
    if (codes == dup_id).any():
        first = _kept_row(rows, message_id, reason.isna() | (reason == dup_id))[bad]
        detail = detail.where(codes != dup_id, detail + " First seen on row " + first + ".")
    if (codes == dup_row).any():
        same_row = pd.util.hash_pandas_object(raw, index=False)
        first = _kept_row(rows, same_row, reason.isna() | reason.isin([dup_id, dup_row]))[bad]
        detail = detail.where(codes != dup_row, detail + " First seen on row " + first + ".")
    raw_fields = raw[bad].rename(columns=lambda c: f"raw_{c}" if c in QUARANTINE_COLUMNS else c)
    out = pd.concat([
        pd.DataFrame({"source_row": rows[bad].astype("int64"), "reason": codes, "detail": detail}),
        raw_fields,
    ], axis=1)
    return out.reset_index(drop=True)


def _kept_row(rows: pd.Series, key: pd.Series, eligible: pd.Series) -> pd.Series:
    """For each row, the first eligible row sharing its key (as text), i.e. the copy kept."""
    first = rows[eligible].groupby(key[eligible]).transform("min")
    return first.reindex(rows.index).astype("Int64").astype(str)


def nothing_usable(path: Path, quarantine: pd.DataFrame, mapping: Mapping) -> str:
    """Every row quarantined: the main reason, with an example value, instead of an empty audit."""
    main = quarantine["reason"].value_counts().index[0]
    example = quarantine[quarantine["reason"] == main].iloc[0]
    column = {
        Reason.MISSING_ID.value: mapping.message_id, Reason.MISSING_AUTHOR.value: mapping.author,
        Reason.BAD_CUSTOMER_FLAG.value: mapping.customer_flag,
        Reason.BAD_TIMESTAMP.value: mapping.created_at,
        Reason.AMBIGUOUS_TIMESTAMP.value: mapping.created_at, Reason.EMPTY_TEXT.value: mapping.text,
    }.get(main)
    shown = f"raw_{column}" if column in QUARANTINE_COLUMNS else column
    value = example.get(shown) if column else example.iloc[3] if len(example) > 3 else None
    value = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return (
        f"{path.name}: none of its {len(quarantine)} rows is usable, so there is nothing to audit. "
        f"Main reason: {main} ({int((quarantine['reason'] == main).sum())} rows), e.g. row "
        f"{example['source_row']}" + (f", {column} = {value[:80]!r}" if column else f": {value[:80]!r}")
        + f". {Reason(main).sentence} If the columns mean something else, pass a mapping "
        "(--mapping)."
    )


#: above this share of the file's rows rejected, every page says the audit reads only the rest
MOSTLY_QUARANTINED = 0.5


def quarantine_warning(accounting: dict) -> str:
    """One sentence when most of the file was rejected ('' otherwise): a grade read from the few
    rows left must say so on the cover and in the command's summary line, not only in the appendix."""
    rows, rejected = int(accounting.get("input_rows") or 0), int(accounting.get("quarantined") or 0)
    if not rows or rejected / rows <= MOSTLY_QUARANTINED:
        return ""
    return (f"{rejected:,} of the file's {rows:,} rows ({rejected / rows:.0%}) were rejected, each with its reason "
            f"in the data-quality list; this audit reads only the other {rows - rejected:,}.")
