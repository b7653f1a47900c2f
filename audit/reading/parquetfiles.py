"""Parquet exports: typed columns turned to text without losing ids or time zones.

Why: pandas would turn a 64-bit id column with nulls into floats; casting in Arrow keeps the digits.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from audit.common.errors import AuditInputError
from audit.reading.frames import check_unique


def read_parquet(path: Path) -> pd.DataFrame:
    """Every column as text in Arrow: 64-bit ids with nulls never become floats, typed
    timestamps become ISO 8601 (with the offset when the column has a zone)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise AuditInputError(f"{path.name} is not a readable Parquet file ({exc})") from None
    check_unique(path, table.column_names)
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        try:
            columns[name] = column.cast(pa.large_string()).to_pandas()
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            columns[name] = column.to_pandas()  # nested values: text form in as_strings
    return pd.DataFrame(columns)
