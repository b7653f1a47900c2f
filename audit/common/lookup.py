"""Look values up by key in a column, keeping the looked-up column's dtype.

``keys.map(table)`` fails when ``table`` is an empty datetime column: pandas turns an empty
mapper into a float64 Series and cannot cast datetimes to it (``Cannot cast DatetimeArray to
dtype float64``). That happens on real exports, e.g. a brand whose conversations all start with
its own reply to a post missing from the export, so nothing was ever "first responded".
"""
from __future__ import annotations

import pandas as pd


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table[key]`` for each key (missing keys give the dtype's NA); ``table``'s index must be
    unique, as a groupby result or a ``set_index`` on an id column is."""
    values = table.reindex(keys.to_numpy())
    return pd.Series(values.to_numpy(), index=keys.index, dtype=table.dtype, name=table.name)
