"""What every format's reader shares: the all-string frame they all produce.

Why: CSV, JSON, Parquet and Excel are read by different code, yet every later check is one
vectorised string operation only if all of them hand over the same thing: text cells (missing =
NaN), unique column names, and unsplittable rows marked in place rather than dropped.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from audit.common.errors import AuditInputError

MALFORMED = "\x00malformed\x00"  # marks rows the CSV tokenizer could not split


def check_unique(path: Path, names: list[str]) -> None:
    """Duplicated names would be silently renamed (``text.1``) and the wrong one mapped."""
    first: dict[str, int] = {}
    dupes = []
    for position, name in enumerate(names, start=1):
        if name in first:
            dupes.append(f"{name!r} (columns {first[name]} and {position})")
        first.setdefault(name, position)
    if dupes:
        raise AuditInputError(
            f"{path.name}: duplicated column names {', '.join(dupes)}; rename them so each "
            "column name is unique"
        )


def is_mixed(values: pd.Series) -> bool:
    """Whether an object column may hold dicts/lists (checked in C; only those pay a Python map)."""
    return pd.api.types.infer_dtype(values, skipna=True) not in (
        "string", "empty", "integer", "floating", "boolean", "decimal", "datetime", "date",
    )


def as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as pandas strings (NaN = missing) so all formats share one code path."""
    if all(str(dtype) == "str" for dtype in frame.dtypes):
        return frame  # CSV read with dtype=str: already there, no second copy of the file
    out = {}
    for col in frame.columns:
        values = frame[col]
        if isinstance(values.dtype, pd.StringDtype):
            out[str(col)] = values.astype(str).where(values.notna())
            continue
        present = values.notna().to_numpy()
        if values.dtype == object and is_mixed(values):
            values = values.map(_cell_text, na_action="ignore")
        out[str(col)] = values.astype(str).where(present)
    return pd.DataFrame(out, index=frame.index).astype(str)


def _cell_text(value: object) -> object:
    """JSON lists of ids become ``"1,2"``; other values keep their usual text form."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return value
