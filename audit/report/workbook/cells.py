"""Typed cells, tables and the printed page of ``audit.xlsx``.

Why typed: a figure pasted from a cell into a slide must be a number shown as the playbook shows
it (a share as "42%", a time as "1:05"), rounded once, the same way everywhere. Why the care with
text: customer posts are untrusted, and a post that begins with ``=`` must never become a
formula in the client's Excel; every text cell is a string cell with Excel's quote prefix, so it
stays text even after someone edits it, and control characters Excel refuses are dropped.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from audit.report import format as fmt
from audit.report.workbook.columns import ROUNDED, ROW, Column, decimals, unit

NOT_AVAILABLE = "not available in this run"
DURATION_FORMAT = "[h]:mm"
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
_HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_WRAP = Alignment(wrap_text=True, vertical="top")
_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
#: columns this wide hold sentences: their text wraps (narrower ones hold a word or a number)
WRAP_FROM_WIDTH = 24
#: the widest sheet printed upright; wider ones are printed landscape
PORTRAIT_MAX_WIDTH = 90


def number_format(kind: str) -> str:
    """Excel's format for a rounded kind, with the decimals ``audit.report.format`` prints."""
    places = decimals(kind)
    tail = "." + "0" * places if places else ""
    return f"0{tail}%" if kind == "percent" else f"#,##0{tail}"


def rounded(value: float, kind: str) -> float | int:
    """``value`` rounded as the playbook prints it (a share keeps the decimals of its percentage)."""
    places = decimals(kind) + (2 if kind == "percent" else 0)
    return int(round(value)) if places == 0 else round(value, places)


def _text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and not math.isfinite(value))


def put(ws: Worksheet, row: int, col: int, value: Any, unit_name: str | None = None) -> None:
    """Write one typed cell in ``unit_name``'s kind: numbers rounded and formatted, durations as
    Excel times, dates as dates (time zone dropped: the header says which clock), flags and
    booleans as yes/no, everything else a string cell that no spreadsheet evaluates."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, np.generic):
        value = value.item()
    if _missing(value):
        return
    if isinstance(value, Mapping):
        raise TypeError(f"{ws.title}!{cell.coordinate}: a mapping is not one value; give it columns or rows")
    if isinstance(value, (list, tuple)):
        value = ", ".join(_text(v) for v in value if not _missing(v))
    kind = (unit(unit_name) or unit("number")).kind if isinstance(value, (int, float)) else None
    if isinstance(value, bool) or kind == "flag":
        value = "yes" if value else "no"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if kind in ("minutes", "seconds"):  # an Excel duration, to the minute
            minutes = value if kind == "minutes" else value / 60
            cell.value, cell.number_format = dt.timedelta(minutes=round(minutes)), DURATION_FORMAT
        else:
            kind = kind if kind in ROUNDED else "decimal"
            cell.value, cell.number_format = rounded(value, kind), number_format(kind)
    elif isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        cell.value = (stamp.tz_localize(None) if stamp.tzinfo else stamp).to_pydatetime()
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value, cell.number_format = value, DATE_FORMAT
    else:
        cell.value = _text(value)
        cell.data_type = "s"      # openpyxl would store "=..." as a formula
        cell.quotePrefix = True   # and Excel keeps it text when someone edits the cell


def take(value: Any, how: str | None) -> Any:
    """One cell's value from a list: its first item, or the items as one phrase."""
    if how == "first" and isinstance(value, (list, tuple)):
        return next(iter(value), None)
    return value


def header_row(ws: Worksheet, columns: Sequence[Column], row: int = 1) -> None:
    """Styled, wrapped headers; widths from the columns, the row tall enough for the longest."""
    lines = 1
    for j, col in enumerate(columns, start=1):
        put(ws, row, j, col.header)
        cell = ws.cell(row=row, column=j)
        cell.fill, cell.font, cell.alignment = _HEADER_FILL, _HEADER_FONT, _WRAP
        ws.column_dimensions[get_column_letter(j)].width = col.width
        lines = max(lines, math.ceil(len(col.header) / max(1, col.width - 2)))
    ws.row_dimensions[row].height = 15 * lines + 3


def table(ws: Worksheet, columns: Sequence[Column], records: Iterable[Mapping[str, Any]],
          row_unit: str = "unit") -> int:
    """Header row then one row per record (``record[column.key]``); a column of unit ``row`` takes
    the record's ``row_unit`` field. Text wraps within its column (nothing cut off on a printed
    page); the header is frozen and filtered. Returns the number of data rows written."""
    header_row(ws, columns)
    wrapped = {j for j, c in enumerate(columns, start=1) if c.width >= WRAP_FROM_WIDTH}  # styling every cell costs
    n = 0
    for i, record in enumerate(records, start=2):
        for j, col in enumerate(columns, start=1):
            put(ws, i, j, take(record.get(col.key), col.take), record.get(row_unit) if col.unit == ROW else col.unit)
            if j in wrapped:
                ws.cell(row=i, column=j).alignment = _WRAP
        n += 1
    ws.freeze_panes = "A2"
    if n:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n + 1}"
    return n


def label_rows(ws: Worksheet, columns: Sequence[Column], rows: Iterable[tuple[str, Any, str | None]]) -> int:
    """A two-column list: each label beside its value, values left-aligned under one another,
    a missing figure printed as the playbook prints it (a dash), never a blank beside a label."""
    header_row(ws, columns)
    n = 0
    for i, (label, value, unit_name) in enumerate(rows, start=2):
        put(ws, i, 1, label)
        put(ws, i, 2, fmt.DASH if _missing(value) else value, unit_name)
        ws.cell(row=i, column=1).alignment, ws.cell(row=i, column=2).alignment = _WRAP, _LEFT
        n += 1
    return n


def note(ws: Worksheet, row: int, text: str) -> None:
    """A line of explanation under a table (printed with it: ``page`` runs last)."""
    put(ws, row, 1, text)


def page(ws: Worksheet) -> None:
    """Print set-up of a finished sheet: its used range, one page wide (as many tall as it
    takes), the header row repeated on every page, upright when the columns fit an upright page."""
    last_col = ws.max_column
    ws.print_area = f"A1:{get_column_letter(last_col)}{ws.max_row}"
    if ws.max_row > 1:
        ws.print_title_rows = "1:1"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    width = sum(ws.column_dimensions[get_column_letter(j)].width or 13 for j in range(1, last_col + 1))
    ws.page_setup.orientation = "portrait" if width <= PORTRAIT_MAX_WIDTH else "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = 0.4


def unavailable(ws: Worksheet, what: str, reason: str | None = None) -> None:
    """The one line a sheet holds when the run has nothing for it, and why."""
    put(ws, 1, 1, f"{what}: {NOT_AVAILABLE}." + (f" {reason}" if reason else ""))
    ws.cell(row=1, column=1).alignment = _WRAP
    ws.column_dimensions["A"].width = 90
