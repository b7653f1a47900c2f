"""CSV and TSV exports: decoded, split into records, and their header checked.

Why: a delimited file says nothing about its delimiter or its column names' uniqueness; a wrong
delimiter (one column) or a duplicated name would map the wrong data, so both are refused here
with a hint.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from audit.common.decoding import read_text
from audit.common.errors import AuditInputError
from audit.reading import records as csvrecords
from audit.reading.frames import MALFORMED, check_unique


def read_delimited(path: Path, sep: str, single_column_ok: bool) -> tuple[pd.DataFrame, dict]:
    text, source = read_text(path)
    if not text.strip():
        raise AuditInputError(f"{path.name} is empty: no header and no rows")
    records = csvrecords.read(text, sep, MALFORMED)
    if not records.header:
        raise AuditInputError(f"{path.name} is empty: no header and no rows")
    if len(records.header) == 1 and not single_column_ok:
        _check_one_column(path, records.header, sep)
    check_unique(path, records.header)
    return records.frame, source


def _check_one_column(path: Path, names: list[str], sep: str) -> None:
    """One column means the delimiter is wrong: say which one the header seems to use."""
    if len(names) != 1:
        return
    spelled = {";": "';'", "\t": "tab", "|": "'|'", ",": "','"}
    found = [d for d in spelled if d != sep and d in names[0]]
    hint = (
        f"the file seems to separate fields with {spelled[found[0]]}: set delimiter: "
        f"{found[0]!r} in a mapping (--mapping) or re-export with {spelled.get(sep, repr(sep))}"
        if found else f"expected fields separated by {spelled.get(sep, repr(sep))}"
    )
    raise AuditInputError(f"{path.name}: only one column found ({names[0][:80]!r}); {hint}")
