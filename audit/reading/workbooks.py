"""Excel exports: the chosen sheet's cells as text, and ids Excel already rounded refused
(in a workbook, or in a CSV Excel re-saved with ids as ``9.18107E+17``).

Why: Excel stores numbers as doubles, so whole numbers must print as integers and an 18-digit id
kept as a number is already rounded in the file; merging distinct ids silently would corrupt threads.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from audit.common.errors import AuditInputError
from audit.reading.frames import check_unique
from audit.reading.mapping import Mapping


def read_excel(path: Path, sheet: str | int) -> tuple[pd.DataFrame, dict]:
    """Cells read with openpyxl and turned to text here: whole numbers print as integers.

    Excel stores numbers as doubles (15 significant digits): an 18-digit id kept as a number is
    already rounded in the file. Such columns are named in ``rounded_numbers`` so that ingest can
    refuse them when they are ids instead of silently merging distinct ids.
    """
    import zipfile

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's style/extension chatter
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise AuditInputError(
            f"{path.name} is not an Excel workbook (.xlsx): it is a zip archive without a "
            f"readable workbook inside ({type(exc).__name__})"
        ) from None
    try:
        names = book.sheetnames
        chosen = names[sheet] if isinstance(sheet, int) and -len(names) <= sheet < len(names) else sheet
        if chosen not in names:
            raise AuditInputError(
                f"{path.name}: no sheet {sheet!r}; the workbook's sheets are "
                f"{', '.join(map(repr, names))}; set sheet in the mapping"
            )
        rows = _sheet_rows(book[chosen])
        headers = {n: _first_row(book[n]) for n in names if n != chosen}
        if len(rows) <= 1:
            others = {n: len(_sheet_rows(book[n])) - 1 for n in names if n != chosen}
            filled = [f"{n!r} ({count} data rows)" for n, count in others.items() if count > 0]
            if filled:
                raise AuditInputError(
                    f"{path.name}: sheet {chosen!r} has no data rows; the data seems to be on "
                    f"sheet {', '.join(filled)}. Set sheet: <name> in a mapping (--mapping)"
                )
    finally:
        book.close()
    if not rows:
        return pd.DataFrame(), {"encoding": "utf-8", "sheet_headers": headers}
    header = [f"column {i}" if v is None else v for i, v in enumerate(rows[0], start=1)]
    check_unique(path, header)
    width = len(header)
    body = [(r + [None] * width)[:width] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    rounded = {}
    for col in header:
        big = frame[col].map(lambda v: isinstance(v, _Rounded))
        if big.any():
            rounded[col] = frame[col][big].iloc[0].shown
            frame[col] = frame[col].map(lambda v: str(v) if isinstance(v, _Rounded) else v)
    return frame, {"encoding": "utf-8", "rounded_numbers": rounded, "sheet_headers": headers}


def _first_row(worksheet) -> list[str]:
    """The first non-blank row of a sheet (its header, if it holds the data): a cover page
    before the data sheet is named by the missing-columns error."""
    for row in worksheet.iter_rows(values_only=True):
        cells = [c for c in map(_excel_cell, row) if c not in (None, "")]
        if cells:
            return cells
    return []


def _sheet_rows(worksheet) -> list[list[str | None]]:
    """A sheet's non-blank rows as text cells (None = empty)."""
    out = []
    for row in worksheet.iter_rows(values_only=True):
        cells = [_excel_cell(v) for v in row]
        if any(c not in (None, "") for c in cells):
            out.append(cells)
    while out and all(c is None for c in out[-1]):
        out.pop()
    return out


class _Rounded(str):
    """A whole number beyond Excel's 15 significant digits (already rounded in the file)."""

    shown: str


def _excel_cell(value: Any) -> str | None:
    """Excel's numbers are doubles: whole ones print as integers, never ``1.23e+17``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        if abs(value) >= 1e15:
            cell = _Rounded(str(int(value)))
            cell.shown = repr(value)
            return cell
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


#: A number Excel wrote in scientific notation (``9.18107E+17``): a CSV re-saved by Excel keeps
#: only the digits shown, so ids longer than that are already rounded in the file.
_SCIENTIFIC = r"(?:^|,)\s*[+-]?\d(?:\.\d+)?[eE]\+?\d+\s*(?:,|$)"


def scientific_numbers(raw: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """Of ``columns`` (text cells), those holding a number in scientific notation, with an example."""
    found = {}
    for col in columns:
        hits = raw[col].str.contains(_SCIENTIFIC, regex=True).fillna(False).astype(bool)
        if hits.any():
            found[col] = raw[col][hits].iloc[0].strip()
    return found


def refuse_rounded_ids(path: Path, raw: pd.DataFrame, rounded: dict[str, str], mapping: Mapping) -> None:
    """Stop when an id column holds numbers Excel had already rounded: in a workbook, whole
    numbers past 15 digits (``rounded``); in a text export re-saved by Excel, scientific notation."""
    columns = [c for c in (mapping.message_id, mapping.reply_to_id, mapping.responses,
                           mapping.conversation_id) if c and c in raw.columns]
    rounded = rounded | scientific_numbers(raw, [c for c in columns if c not in rounded])
    ids = [c for c in columns if c in rounded]
    if ids:
        raise AuditInputError(
            f"{path.name}: id column(s) {', '.join(map(repr, ids))} hold numbers longer than the "
            f"15 digits Excel keeps (e.g. {rounded[ids[0]]}), so distinct ids are already rounded "
            "to the same value in the file. Format the id columns as Text in the source tool and "
            "export again, or export CSV straight from the source tool (not re-saved by Excel)."
        )
