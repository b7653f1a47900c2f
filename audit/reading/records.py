"""Split delimited text into records the way a person reading the file would.

Two things general-purpose CSV parsers get wrong on real exports, silently:

* a bare CR inside a field (pandas writes one when a text holds ``\\r``) ends the row, so one
  post becomes two broken rows. Here LF and CRLF end a line; a bare CR ends one only where what
  follows it is a complete record (a file mixing line endings), or in a file with no LF at all
  (Excel's "CSV (Macintosh)"), where every CR outside a quoted field does. A quote never
  swallows a CR after which a whole record follows.
* an unterminated quote swallows every following row into one field, until some later quote
  closes it; the row accounting still balances, with the swallowed rows gone. Here a record may
  span several lines only when it closes and then has exactly the header's number of fields, and
  no line it would swallow is a complete record by itself; otherwise the line that opened the
  quote is marked malformed (quarantined) and reading resumes on the next line.

A record with more fields than the header (an unquoted delimiter in a text) is marked malformed
before any parser sees it: pandas would shift or truncate its fields, and only warn.

Records are counted as a user counts rows: a line (or the lines of one quoted multi-line text)
holding a record; blank lines between records are not rows.
"""
from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


def split_records(text: str, sep: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Records as arrays (start line, end line exclusive, malformed), header first; and the lines.

    Lines that are complete records on their own (the vast majority) are found in one
    vectorised RE2 pass; only lines that leave a quote open walk the line-by-line rules.
    """
    text = text.replace("\r\n", "\n")  # CRLF = LF
    lines = text.split("\n")
    if "\r" in text:
        lines = _split_bare_cr(lines, sep, every="\n" not in text)
    if lines and lines[-1] == "":
        lines.pop()
    column = pa.array(lines, pa.large_string())
    blank = pc.match_substring_regex(column, r"^\s*$").to_numpy(zero_copy_only=False)
    complete = pc.match_substring_regex(column, f"^{_complete_line(sep)}$").to_numpy(zero_copy_only=False)
    complete = complete | blank
    chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    width: int | None = None  # fields per record, from the header
    i, n = 0, len(lines)
    open_lines = np.flatnonzero(~complete)
    while i < n:
        k = open_lines[np.searchsorted(open_lines, i)] if len(open_lines) and open_lines[-1] >= i else n
        single = np.flatnonzero(~blank[i:k]) + i
        chunks.append((single, single + 1, np.zeros(len(single), dtype=bool)))
        if width is None and len(single):
            width = _fields(lines[single[0]:single[0] + 1], sep)
        if k >= n:
            break
        end = _close(lines, k, sep, width)
        chunks.append((np.array([k]), np.array([k + 1 if end is None else end]), np.array([end is None])))
        if width is None and end is not None:
            width = _fields(lines[k:end], sep)
        i = k + 1 if end is None else end
    if not chunks:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool), lines
    starts, ends, bad = (np.concatenate(parts) for parts in zip(*chunks))
    starts, ends, bad = starts.astype(np.int64), ends.astype(np.int64), bad.astype(bool)
    if not bad[0]:
        bad[1:] |= _too_wide(column, lines, starts[1:], ends[1:], sep, _fields(lines[starts[0]:ends[0]], sep))
    return starts, ends, bad, lines


def _too_wide(column: pa.Array, lines: list[str], starts: np.ndarray, ends: np.ndarray, sep: str,
              width: int | None) -> np.ndarray:
    """Records with more fields than the header: one vectorised count for lines without quotes,
    the field-by-field walk for the rest."""
    if width is None or not len(starts):
        return np.zeros(len(starts), dtype=bool)
    single = column.take(pa.array(starts))
    quoted = pc.match_substring(single, QUOTE).to_numpy(zero_copy_only=False) | (ends - starts > 1)
    count = pc.count_substring(single, sep).to_numpy(zero_copy_only=False) + 1
    for i in np.flatnonzero(quoted):
        count[i] = _fields(lines[starts[i]:ends[i]], sep) or 0
    return count > width


def _split_bare_cr(lines: list[str], sep: str, every: bool) -> list[str]:
    """Lines holding a bare CR cut where the CR ends a record (see the module docstring)."""
    first = next((line for line in lines if line.strip()), "")
    width = _fields([first.split("\r", 1)[0]], sep) or 0
    out: list[str] = []
    for line in lines:
        if "\r" not in line:
            out.append(line)
            continue
        pieces = line.split("\r")
        current, inside = pieces[0], _scan(pieces[0], False, sep)[0]
        for k in range(1, len(pieces)):
            if inside:
                ends = width >= 3 and _is_record(pieces[k], sep, width)  # an unclosed quote
            else:
                ends = every or _starts_record(pieces, k, sep, width)
            if ends:
                out.append(current)
                current, inside = pieces[k], _scan(pieces[k], False, sep)[0]
            else:
                current += "\r" + pieces[k]
                inside = _scan(pieces[k], inside, sep)[0]
        out.append(current)
    return out


def _starts_record(pieces: list[str], k: int, sep: str, width: int) -> bool:
    """Whether ``pieces[k:]`` (joined by CRs) begin with a record of exactly ``width`` fields."""
    if width < 2:
        return False
    inside, seps = False, 0
    for piece in pieces[k:]:
        inside, found = _scan(piece, inside, sep)
        seps += found
        if not inside:
            return seps + 1 == width
    return False


def _complete_line(sep: str) -> str:
    """Regex (RE2 and Python alike) of a line that is a whole record, read as the tokenizer
    reads it: a quoted field closes on the line, and what follows its closing quote up to the
    delimiter is literal text that does not start with a quote (``""`` is an escaped quote)."""
    s = re.escape(sep)
    field = f'(?:"(?:[^"]|"")*"(?:[^"{s}][^{s}]*)?|[^"{s}][^{s}]*|)'
    return f"{field}(?:{s}{field})*"


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
    """``line`` is a whole record by itself, as a CSV writer would have written it: ``width``
    fields and no quote inside an unquoted field. A stray quote mid-field is what the closing
    quote of a multi-line text looks like when its last line is read alone (``love it ^OG.",...``)."""
    if not re.fullmatch(_strict_line(sep), line):
        return False
    inside, seps = _scan(line, False, sep)
    return not inside and seps + 1 == width


def _strict_line(sep: str) -> str:
    s = re.escape(sep)
    field = f'(?:"(?:[^"]|"")*"|[^"{s}]*)'
    return f"{field}(?:{s}{field})*"


def read(text: str, sep: str, marker: str) -> Records:
    """Parse ``text`` into an all-string frame; malformed rows carry ``marker`` + raw text first."""
    starts, ends, bad, lines = split_records(text, sep)
    if not len(starts):
        return Records([], pd.DataFrame(), np.zeros(0, dtype=bool))
    h0, h1 = int(starts[0]), int(ends[0])
    header_text = "\n".join(lines[h0:h1])
    if bad[0]:
        header = [header_text]
    else:
        header = pd.read_csv(io.StringIO(header_text), sep=sep, header=None, dtype=str,
                             keep_default_na=False, nrows=1).iloc[0].astype(str).tolist()
    keep = np.zeros(len(lines), dtype=bool)
    keep[starts[~bad]] = True
    for a, b in zip(starts[~bad & (ends - starts > 1)], ends[~bad & (ends - starts > 1)]):
        keep[a:b] = True
    joined = "\n".join(lines if keep.all() else itertools.compress(lines, keep))
    cr = _placeholder(text) if "\r" in joined else None
    if cr:
        joined = joined.replace("\r", cr)
    body_bad = bad[1:]
    good = [(int(a), int(b)) for a, b in zip(starts[1:][~body_bad], ends[1:][~body_bad])]
    frame = _parse(joined, sep, header, marker)
    if len(frame) != len(good):  # safety net: one record at a time, never a lost row
        frame = pd.concat([_parse("\n".join([header_text, "\n".join(lines[a:b])]), sep, header, marker)
                           for a, b in good], ignore_index=True)
    if cr:
        frame = frame.apply(lambda col: col.str.replace(cr, "\r", regex=False))
    if body_bad.any():
        full = pd.DataFrame(np.nan, index=range(len(body_bad)), columns=frame.columns, dtype=object)
        full.loc[~body_bad] = frame.to_numpy(dtype=object)
        raw = ["\n".join(lines[a:b]) for a, b in zip(starts[1:][body_bad], ends[1:][body_bad])]
        full.loc[body_bad, full.columns[0]] = [marker + r for r in raw]
        frame = full.astype(str).where(full.notna())
    return Records(header, frame.reset_index(drop=True), body_bad)


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
