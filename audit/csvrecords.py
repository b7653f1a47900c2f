"""Split delimited text into records the way a person reading the file would.

Two things general-purpose CSV parsers get wrong on real exports, silently:

* a bare CR inside a field (pandas writes one when a text holds ``\\r``) ends the row, so one
  post becomes two broken rows. Here only LF or CRLF end a line.
* an unterminated quote swallows every following row into one field, until some later quote
  closes it; the row accounting still balances, with the swallowed rows gone. Here a record may
  span several lines only when it closes and then has exactly the header's number of fields, and
  no line it would swallow is a complete record by itself; otherwise the line that opened the
  quote is marked malformed (quarantined) and reading resumes on the next line.

Records are counted as a user counts rows: a line (or the lines of one quoted multi-line text)
holding a record; blank lines between records are not rows.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

QUOTE = '"'


@dataclass
class Records:
    header: list[str]
    #: data rows, all strings; malformed rows keep their raw text in the first column
    frame: pd.DataFrame
    #: True for rows that could not be split into fields
    malformed: np.ndarray


def _scan(line: str, inside: bool, sep: str) -> tuple[bool, int]:
    """Walk one physical line field by field: (ends inside a quoted field, delimiters outside quotes).

    A quote opens a quoted field only at the start of a field (elsewhere it is a literal, as
    in Python's csv and pandas); ``""`` inside a quoted field is an escaped quote.
    """
    i, n, seps, field_start = 0, len(line), 0, not inside
    while True:
        if inside:
            j = line.find(QUOTE, i)
            if j < 0:
                return True, seps
            if j + 1 < n and line[j + 1] == QUOTE:
                i = j + 2
                continue
            inside, field_start, i = False, False, j + 1
        else:
            if field_start and i < n and line[i] == QUOTE:
                inside, i = True, i + 1
                continue
            k = line.find(sep, i)
            if k < 0:
                return False, seps
            seps, field_start, i = seps + 1, True, k + 1


def _fields(lines: list[str], sep: str) -> int | None:
    """Number of fields of a record made of ``lines``; None if a quote stays open."""
    inside, seps = False, 0
    for line in lines:
        inside, found = _scan(line, inside, sep)
        seps += found
    return None if inside else seps + 1


def split_records(text: str, sep: str) -> tuple[list[tuple[int, int, bool]], list[str]]:
    """(start line, end line, malformed) per record, header first; and the physical lines."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    records: list[tuple[int, int, bool]] = []
    width: int | None = None  # fields per record, from the header
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if QUOTE not in line or not _scan(line, False, sep)[0]:
            records.append((i, i + 1, False))
        else:
            end = _close(lines, i, sep, width)
            if end is None:
                records.append((i, i + 1, True))
            else:
                records.append((i, end, False))
                i = end - 1
        if width is None:
            start, end, bad = records[0]
            width = _fields(lines[start:end], sep) if not bad else None
        i += 1
    return records, lines


def _close(lines: list[str], start: int, sep: str, width: int | None) -> int | None:
    """End (exclusive) of the multi-line record opened on ``start``, or None if it is broken.

    Broken means the quote would swallow a line that stands on its own as a record, or one that
    starts like a record: as many fields as the opening line before a quote that opens a field
    (two lines with an unclosed quote each would otherwise pair up into one plausible record).
    """
    before = _scan(lines[start], False, sep)[1]  # fields ahead of the open one
    for j in range(start + 1, len(lines)):
        line = lines[j]
        if width and width >= 3 and _is_record(line, sep, width):
            return None
        if before >= 2 and _opens_like_a_record(line, sep, before):
            return None
        if QUOTE in line and not _scan(line, True, sep)[0]:
            fields = _fields(lines[start:j + 1], sep)
            return j + 1 if width is None or fields == width else None
    return None  # still open at the end of the file


def _opens_like_a_record(line: str, sep: str, before: int) -> bool:
    quote = line.find(QUOTE)
    return quote > 0 and line[quote - 1] == sep and line.count(sep, 0, quote) >= before


def _is_record(line: str, sep: str, width: int) -> bool:
    inside, seps = _scan(line, False, sep)
    return not inside and seps + 1 == width


def read(text: str, sep: str, marker: str) -> Records:
    """Parse ``text`` into an all-string frame; malformed rows carry ``marker`` + raw text first."""
    records, lines = split_records(text, sep)
    if not records:
        return Records([], pd.DataFrame(), np.zeros(0, dtype=bool))
    (h0, h1, h_bad), body = records[0], records[1:]
    header_text = "\n".join(lines[h0:h1])
    header = pd.read_csv(io.StringIO(header_text), sep=sep, header=None, dtype=str,
                         keep_default_na=False, nrows=1).iloc[0].astype(str).tolist()
    if h_bad:
        header = [header_text]
    good = [r for r in body if not r[2]]
    cr = _placeholder(text) if "\r" in text else None
    joined = "\n".join(["\n".join(lines[a:b]) for a, b, _ in [(h0, h1, h_bad), *good]])
    if cr:
        joined = joined.replace("\r", cr)
    frame = _parse(joined, sep, header, marker)
    if len(frame) != len(good):  # safety net: one record at a time, never a lost row
        frame = pd.concat([_parse("\n".join([header_text, "\n".join(lines[a:b])]), sep, header, marker)
                           for a, b, _ in good], ignore_index=True)
    if cr:
        frame = frame.apply(lambda col: col.str.replace(cr, "\r", regex=False))
    malformed = np.array([bad for _, _, bad in body], dtype=bool)
    if malformed.any():
        full = pd.DataFrame(np.nan, index=range(len(body)), columns=frame.columns, dtype=object)
        full.loc[~malformed] = frame.to_numpy(dtype=object)
        raw = ["\n".join(lines[a:b]) for a, b, bad in body if bad]
        full.loc[malformed, full.columns[0]] = [marker + r for r in raw]
        frame = full.astype(str).where(full.notna())
    return Records(header, frame.reset_index(drop=True), malformed)


def _parse(joined: str, sep: str, header: list[str], marker: str) -> pd.DataFrame:
    options = dict(sep=sep, dtype=str, keep_default_na=False, na_values=[], index_col=False,
                   skip_blank_lines=False)
    try:
        return pd.read_csv(io.StringIO(joined), **options)
    except pd.errors.ParserError:
        # A row has more fields than the header: keep it, marked, so it is quarantined in place.
        def keep(fields: list[str]) -> list[str]:
            return [marker + sep.join(fields)] + [""] * (len(header) - 1)

        return pd.read_csv(io.StringIO(joined), engine="python", on_bad_lines=keep, **options)


def _placeholder(text: str) -> str:
    """A private-use character absent from ``text`` to carry bare CRs through the parser."""
    for code in range(0xE000, 0xF900):
        if chr(code) not in text:
            return chr(code)
    raise ValueError("no free placeholder character")  # 6,400 distinct private-use chars: absurd
