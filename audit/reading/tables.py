"""Any supported export file as an all-string table, whatever its format.

Why: ``load`` and the tools that only need a column (e.g. scoring a text column) read files the
same way: one dispatcher picks the format's reader and refuses empty tables, so encoding, id and
malformed-row handling never differ between them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from audit.common.errors import AuditInputError
from audit.reading.delimited import read_delimited
from audit.reading.formats import check_file, format_of
from audit.reading.frames import MALFORMED, as_strings
from audit.reading.jsonfiles import read_json, read_jsonl
from audit.reading.mapping import Mapping, load_mapping
from audit.reading.parquetfiles import read_parquet
from audit.reading.workbooks import read_excel


def read_raw(
    path: Path, fmt: str, mapping: Mapping | None, single_column_ok: bool = False
) -> tuple[pd.DataFrame, dict[str, Any], pd.Series]:
    """Read any supported file into an all-string frame; also say which rows were malformed.

    Returns the frame, what was learnt about the source (encoding, and a note when a single-byte
    fallback was used) and the mask of rows that could not be split into fields.
    """
    check_file(path)
    try:
        if fmt in ("csv", "tsv"):
            default = "\t" if fmt == "tsv" else ","
            sep = mapping.delimiter if mapping and mapping.delimiter else default
            raw, source = read_delimited(path, sep, single_column_ok)
        elif fmt == "json":
            raw, source = read_json(path, mapping.records_path if mapping else None)
        elif fmt == "jsonl":
            raw, source = read_jsonl(path)
        elif fmt == "parquet":
            raw, source = read_parquet(path), {"encoding": "utf-8"}
        else:
            raw, source = read_excel(path, mapping.sheet if mapping else 0)
    except RecursionError:
        raise AuditInputError(
            f"{path.name} is nested too deeply to read as a table of messages; export one "
            "record per message"
        ) from None
    except MemoryError:
        raise AuditInputError(f"{path.name} is too large to read into memory") from None
    if raw.columns.empty:
        raise AuditInputError(f"{path.name} is empty: no header and no rows")
    if raw.empty:
        raise AuditInputError(
            f"{path.name} has a header ({', '.join(map(str, raw.columns))}) but no data rows"
        )
    raw = as_strings(raw).reset_index(drop=True)
    first = raw.columns[0]
    malformed = raw[first].str.startswith(MALFORMED).fillna(False).astype(bool)
    if malformed.any():
        raw[first] = raw[first].str.removeprefix(MALFORMED)
    return raw, source, malformed


def read_table(path: str | Path, mapping: Mapping | str | Path | None = None) -> pd.DataFrame:
    """Any supported file as an all-string table (no mapping applied), e.g. to score a column.

    Same format and encoding handling as :func:`load`; ``attrs`` records format and encoding.
    """
    path = Path(path)
    fmt = format_of(path)
    raw, source, _malformed = read_raw(path, fmt, load_mapping(mapping) if mapping else None,
                                       single_column_ok=True)
    source.pop("rounded_numbers", None)
    source.pop("sheet_headers", None)
    raw.attrs.update(format=fmt, **source)
    return raw
