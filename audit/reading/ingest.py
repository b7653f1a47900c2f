"""Ingest: read a client export, map it onto the normalised messages, quarantine what is unusable.

Two promises shape this module. Nothing vanishes: every input row ends up either in ``messages``
or in ``quarantine`` with a reason, and the accounting proves it. And it scales: a million-row
export is read once as strings and every check is a vectorised column operation.
"""
from __future__ import annotations

import html
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit.reading import records as csvrecords

from audit.reading import decoding
from audit.common.errors import AuditInputError
from audit.reading.mapping import (
    TWCS_TIME_FORMAT,
    Mapping,
    closest_preset,
    detect_mapping,
    load_mapping,
    normalise_handle,
)
from audit.reading.schema import (
    FLAG_NAMES,
    MESSAGE_COLUMNS,
    QUARANTINE_COLUMNS,
    TEXT_LIMIT,
    Reason,
)

FORMATS: dict[str, str] = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel",
}
_MALFORMED = "\x00malformed\x00"  # marks rows the CSV tokenizer could not split

# Character classes spelled with literal characters so pyarrow's RE2 and Python's re agree.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_BLANK = "[ \t\n\r\x0b\x0c\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]*"
_COMMON_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"),
                    ("&apos;", "'"), ("&nbsp;", "\xa0"), ("&amp;", "&"))  # &amp; last: one pass
_ANY_COMMON_ENTITY = r"&(?:lt|gt|quot|#39|apos|nbsp|amp);"
_OTHER_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"

_TWCS_SHAPE = r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$"
_MONTHS = {m: f"{i:02d}" for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
_HAS_ZONE = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)(?:\s|$)"
_OFFSET_TOKEN = r"(?P<offset>Z|UTC|GMT|[+-]\d{2}:?\d{2})(?:\s+\d{4})?\s*$"
_ZERO_OFFSETS = ("Z", "UTC", "GMT", "+0000", "+00:00", "-0000", "-00:00")
_SLASH_DATE = r"^(\d{1,2})[/.](\d{1,2})[/.]\d{2,4}"


@dataclass
class IngestResult:
    """What ingest hands to the next stage and to the audit's row accounting."""

    messages: pd.DataFrame
    quarantine: pd.DataFrame
    accounting: dict[str, Any] = field(default_factory=dict)


def load(
    path: str | Path,
    mapping: Mapping | str | Path | None = None,
    brands: list[str] | None = None,
) -> IngestResult:
    """Read ``path`` and return normalised messages, quarantined rows and the row accounting.

    ``mapping`` is a :class:`Mapping`, a preset/bundled name or a YAML path; without one the layout
    is detected (TWCS or already-normalised columns). ``brands`` are extra brand handles: their
    posts count as the brand's whatever the customer flag says.
    """
    path = Path(path)
    fmt = _format_of(path)
    chosen = load_mapping(mapping) if mapping is not None else None
    raw, source, malformed = _read(path, fmt, chosen)
    chosen = _resolve_mapping(path, raw.columns, chosen)
    _refuse_rounded_ids(path, source.pop("rounded_numbers", {}), chosen)
    if chosen.customer_flag is None and not chosen.brand_handles and not brands:
        raise AuditInputError(
            f"mapping {chosen.name!r} cannot tell customers from the brand: set customer_flag "
            "(a column) or brand_handles (a list) in the mapping, or pass the brand handles"
        )
    messages, quarantine, flags, by_reason = _normalise(raw, malformed, chosen, brands or [])
    accounting = {
        "input_rows": len(raw),
        "accepted": len(messages),
        "quarantined": len(quarantine),
        "by_reason": by_reason,
        "flags": flags,
        **source,
        "format": fmt,
        "mapping": chosen.name,
        "timezone": chosen.timezone,
        "source": path.name,
    }
    if accounting["input_rows"] != accounting["accepted"] + accounting["quarantined"]:
        raise AssertionError(f"row accounting broken: {accounting}")  # survives python -O
    if messages.empty:
        raise AuditInputError(_nothing_usable(path, quarantine, chosen))
    return IngestResult(messages, quarantine, accounting)


def _refuse_rounded_ids(path: Path, rounded: dict[str, str], mapping: Mapping) -> None:
    ids = [c for c in (mapping.message_id, mapping.reply_to_id, mapping.responses,
                       mapping.conversation_id) if c in rounded]
    if ids:
        raise AuditInputError(
            f"{path.name}: id column(s) {', '.join(map(repr, ids))} hold numbers longer than the "
            f"15 digits Excel keeps (e.g. {rounded[ids[0]]}), so distinct ids are already rounded "
            "to the same value in the file. Format the id columns as Text in the source tool and "
            "export again, or export CSV."
        )


def _nothing_usable(path: Path, quarantine: pd.DataFrame, mapping: Mapping) -> str:
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


def read_table(path: str | Path, mapping: Mapping | str | Path | None = None) -> pd.DataFrame:
    """Any supported file as an all-string table (no mapping applied), e.g. to score a column.

    Same format and encoding handling as :func:`load`; ``attrs`` records format and encoding.
    """
    path = Path(path)
    fmt = _format_of(path)
    raw, source, _malformed = _read(path, fmt, load_mapping(mapping) if mapping else None,
                                    single_column_ok=True)
    source.pop("rounded_numbers", None)
    raw.attrs.update(format=fmt, **source)
    return raw


def check_file(path: str | Path) -> str:
    """Cheap checks a run makes before any stage: the file exists, its extension is supported
    and its first bytes fit the format (a gzip named .csv, a zip renamed .xlsx, a CSV renamed
    .parquet are refused here, not after a stage started). Returns the format."""
    path = Path(path)
    fmt = _format_of(path)
    with path.open("rb") as fh:
        head = fh.read(16)
    kind = decoding.binary_kind(head)
    if fmt == "parquet" and head[:4] != b"PAR1":
        raise AuditInputError(
            f"{path.name} is not a Parquet file" + (f": it is {kind[0]}" if kind else "")
            + "; check the file or its extension"
        )
    if fmt == "excel":
        if kind is None or kind[0] != "a zip archive":
            raise AuditInputError(
                f"{path.name} is not an Excel workbook (.xlsx)"
                + (f": it is {kind[0]}" if kind else ": it looks like text, name it .csv")
            )
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                inside = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            inside = []
        if "xl/workbook.xml" not in inside:
            raise AuditInputError(
                f"{path.name} is not an Excel workbook (.xlsx): it is a zip archive holding "
                f"{', '.join(inside[:5]) or 'nothing readable'}; extract the export from it first"
            )
    if fmt not in ("parquet", "excel"):
        decoding.refuse_binary(path.name, head)
    return fmt


def _format_of(path: Path) -> str:
    if not path.is_file():
        raise AuditInputError(f"input file {path} does not exist (check the path)")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise AuditInputError(
            f"{path.name}: unsupported file type {path.suffix!r}; "
            f"supported: {', '.join(sorted(FORMATS))}"
        )
    return fmt


# --------------------------------------------------------------------------- reading


def _read(
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
            raw, source = _read_delimited(path, sep, single_column_ok)
        elif fmt == "json":
            raw, source = _read_json(path, mapping.records_path if mapping else None)
        elif fmt == "jsonl":
            raw, source = _read_jsonl(path)
        elif fmt == "parquet":
            raw, source = _read_parquet(path), {"encoding": "utf-8"}
        else:
            raw, source = _read_excel(path, mapping.sheet if mapping else 0)
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
    raw = _as_strings(raw).reset_index(drop=True)
    first = raw.columns[0]
    malformed = raw[first].str.startswith(_MALFORMED).fillna(False).astype(bool)
    if malformed.any():
        raw[first] = raw[first].str.removeprefix(_MALFORMED)
    return raw, source, malformed


def _text(path: Path) -> tuple[str, dict[str, Any]]:
    """The file decoded (see :mod:`audit.reading.decoding`) and what the decoding learnt."""
    data = path.read_bytes()
    if not data.strip():
        raise AuditInputError(f"{path.name} is empty: no header and no rows")
    decoded = decoding.decode(path.name, data)
    source: dict[str, Any] = {"encoding": decoded.encoding}
    if decoded.note:
        source.update(encoding_note=decoded.note, mojibake_share=decoded.mojibake_share)
    return decoded.text, source


def _read_delimited(path: Path, sep: str, single_column_ok: bool) -> tuple[pd.DataFrame, dict]:
    text, source = _text(path)
    if not text.strip():
        raise AuditInputError(f"{path.name} is empty: no header and no rows")
    records = csvrecords.read(text, sep, _MALFORMED)
    if not records.header:
        raise AuditInputError(f"{path.name} is empty: no header and no rows")
    if len(records.header) == 1 and not single_column_ok:
        _check_one_column(path, records.header, sep)
    _check_unique(path, records.header)
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


def _check_unique(path: Path, names: list[str]) -> None:
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


def _json(text: str) -> Any:
    """Numbers stay the text they were written as: a 64-bit id never passes through a float."""
    return json.loads(text, parse_int=str, parse_float=str)


def _read_json(path: Path, records_path: str | None) -> tuple[pd.DataFrame, dict]:
    """A JSON array of records, or an object holding one (found by ``records_path`` or alone)."""
    text, source = _text(path)
    try:
        document = _json(text)
    except json.JSONDecodeError as exc:
        raise AuditInputError(f"{path.name} is not valid JSON ({exc})") from None
    records = document
    if records_path:
        for key in records_path.split("."):
            if not isinstance(records, dict) or key not in records:
                raise AuditInputError(f"{path.name}: records_path {records_path!r} not found")
            records = records[key]
    elif isinstance(document, dict):
        lists = [k for k, v in document.items() if isinstance(v, list)]
        if len(lists) != 1:
            raise AuditInputError(
                f"{path.name}: expected a list of records; the top-level object has keys "
                f"{', '.join(list(document)[:20])}; set records_path in the mapping"
            )
        records = document[lists[0]]
    if not isinstance(records, list) or not any(isinstance(r, dict) for r in records):
        raise AuditInputError(f"{path.name}: expected a list of JSON objects (one per message)")
    items = [(r, None) if isinstance(r, dict) else (None, json.dumps(r)[:1000]) for r in records]
    return _records_frame(items), source


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, dict]:
    """One object per line; a line that is not one is kept as a malformed row, not fatal."""
    text, source = _text(path)
    items: list[tuple[dict | None, str | None]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            value = _json(line)
        except (json.JSONDecodeError, RecursionError):
            value = None
        items.append((value, None) if isinstance(value, dict) else (None, line.rstrip("\r")))
    if not any(record is not None for record, _ in items):
        example = next((raw for _, raw in items if raw), "")
        raise AuditInputError(
            f"{path.name}: no line is a JSON object (first line: {example[:80]!r}); each line "
            "must be one object"
        )
    return _records_frame(items), source


def _records_frame(items: list[tuple[dict | None, str | None]]) -> pd.DataFrame:
    """Records as a flat frame in input order; raw text of unreadable ones marked malformed."""
    frame = _flatten(pd.DataFrame.from_records([r if r is not None else {} for r, _ in items]))
    bad = [i for i, (r, _) in enumerate(items) if r is None]
    if bad:
        frame = frame.astype(object)
        frame.loc[bad, :] = None
        frame.loc[bad, frame.columns[0]] = [_MALFORMED + items[i][1] for i in bad]
    return frame


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """Spread nested objects into dotted columns (``author.name``), as json_normalize does."""
    for col in list(frame.columns):
        values = frame[col]
        if values.dtype != object or not _is_mixed(values):
            continue
        is_dict = values.map(lambda v: isinstance(v, dict)).to_numpy(dtype=bool)
        if is_dict.any():
            inner = pd.DataFrame.from_records(values.where(is_dict, None).map(lambda v: v or {}).tolist())
            inner.columns = [f"{col}.{c}" for c in inner.columns]
            inner.index = frame.index
            frame = pd.concat([frame.drop(columns=col), _flatten(inner)], axis=1)
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    """Every column as text in Arrow: 64-bit ids with nulls never become floats, typed
    timestamps become ISO 8601 (with the offset when the column has a zone)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise AuditInputError(f"{path.name} is not a readable Parquet file ({exc})") from None
    _check_unique(path, table.column_names)
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        try:
            columns[name] = column.cast(pa.large_string()).to_pandas()
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            columns[name] = column.to_pandas()  # nested values: text form in _as_strings
    return pd.DataFrame(columns)


def _read_excel(path: Path, sheet: str | int) -> tuple[pd.DataFrame, dict]:
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
        return pd.DataFrame(), {"encoding": "utf-8"}
    header = [f"column {i}" if v is None else v for i, v in enumerate(rows[0], start=1)]
    _check_unique(path, header)
    width = len(header)
    body = [(r + [None] * width)[:width] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    rounded = {}
    for col in header:
        big = frame[col].map(lambda v: isinstance(v, _Rounded))
        if big.any():
            rounded[col] = frame[col][big].iloc[0].shown
            frame[col] = frame[col].map(lambda v: str(v) if isinstance(v, _Rounded) else v)
    return frame, {"encoding": "utf-8", "rounded_numbers": rounded}


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


def _is_mixed(values: pd.Series) -> bool:
    """Whether an object column may hold dicts/lists (checked in C; only those pay a Python map)."""
    return pd.api.types.infer_dtype(values, skipna=True) not in (
        "string", "empty", "integer", "floating", "boolean", "decimal", "datetime", "date",
    )


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
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
        if values.dtype == object and _is_mixed(values):
            values = values.map(_cell_text, na_action="ignore")
        out[str(col)] = values.astype(str).where(present)
    return pd.DataFrame(out, index=frame.index).astype(str)


def _cell_text(value: object) -> object:
    """JSON lists of ids become ``"1,2"``; other values keep their usual text form."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return value


def _resolve_mapping(path: Path, columns: pd.Index, chosen: Mapping | None) -> Mapping:
    """Use the given mapping or detect a preset; one error names every missing column."""
    mapping = chosen or detect_mapping(columns) or closest_preset(columns)
    missing = [c for c in mapping.source_columns() if c not in columns]
    if missing:
        how = (
            f"needed by the mapping {mapping.name!r}" if chosen
            else f"needed by the closest built-in layout ({mapping.name!r}); no mapping was given"
        )
        raise AuditInputError(
            f"{path.name} is missing column(s) {', '.join(missing)} {how}. "
            f"Columns found: {', '.join(columns)}. If the export names them differently, pass "
            "--mapping <file.yaml> (examples in audit/reading/mappings/)."
        )
    return mapping


# --------------------------------------------------------------------------- normalising


def _normalise(
    raw: pd.DataFrame, malformed: pd.Series, mapping: Mapping, brands: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], dict[str, int]]:
    flags = dict.fromkeys(FLAG_NAMES, 0)
    message_id, changed = _normalise_ids(raw[mapping.message_id])
    flags["ids_normalised"] += changed
    reply_to = pd.Series(np.nan, index=raw.index, dtype=str)
    if mapping.reply_to_id:
        reply_to, changed = _normalise_ids(raw[mapping.reply_to_id])
        flags["ids_normalised"] += changed
    author = _blank_to_na(raw[mapping.author].str.strip())
    is_customer, bad_flag = _customer(raw, author, mapping, brands)
    stamps = _parse_timestamps(raw[mapping.created_at], mapping.timestamp_format, mapping.timezone)
    text, text_flags = _clean_text(raw[mapping.text])

    reason = pd.Series(np.nan, index=raw.index, dtype=str)
    checks = [
        (Reason.MALFORMED_ROW, malformed),
        (Reason.MISSING_ID, message_id.isna()),
        (Reason.MISSING_AUTHOR, author.isna()),
        (Reason.BAD_CUSTOMER_FLAG, bad_flag),
        (Reason.BAD_TIMESTAMP, stamps.values.isna() & ~stamps.ambiguous),
        (Reason.AMBIGUOUS_TIMESTAMP, stamps.ambiguous),
        (Reason.EMPTY_TEXT, text.str.fullmatch(_BLANK).fillna(True).astype(bool)),
    ]
    for code, bad in checks:
        reason = reason.mask(reason.isna() & bad, code.value)
    ok = reason.isna()
    exact = raw[ok].duplicated(keep="first").reindex(raw.index, fill_value=False)
    reason = reason.mask(exact, Reason.DUPLICATE_ROW.value)
    ok = reason.isna()
    same_id = message_id[ok].duplicated(keep="first").reindex(raw.index, fill_value=False)
    reason = reason.mask(same_id, Reason.DUPLICATE_ID.value)
    ok = reason.isna().to_numpy()

    if mapping.responses:
        reply_to, flags["reply_to_recovered"] = _recover_parents(
            reply_to, message_id, raw[mapping.responses], ok & ~malformed.to_numpy()
        )
    channel = _channel(raw, mapping)
    messages = pd.DataFrame({
        "message_id": message_id,
        "reply_to_id": reply_to,
        "author": author,
        "is_customer": is_customer,
        "created_at": stamps.values,
        "text": text.str.slice(0, TEXT_LIMIT),
        "channel": channel,
        "source_row": np.arange(1, len(raw) + 1, dtype="int64"),
        "reply_to_unknown": False,
        "text_truncated": (text.str.len() > TEXT_LIMIT).fillna(False).astype(bool),
    })[ok]
    if mapping.conversation_id:
        conversation = _blank_to_na(raw[mapping.conversation_id].str.strip())[ok]
        messages, flags["reply_to_from_conversation"] = _chain_conversation(messages, conversation)
    messages["reply_to_unknown"] = (
        messages["reply_to_id"].notna() & ~_isin(messages["reply_to_id"], messages["message_id"])
    ).astype(bool)
    messages = messages.astype(MESSAGE_COLUMNS).reset_index(drop=True)

    for name, mask in text_flags.items():
        flags[name] = int(mask[ok].sum())
    flags["naive_timestamps_localised"] = int(stamps.naive[ok].sum())
    flags["converted_to_utc"] = int(stamps.converted[ok].sum())
    flags["reply_to_unknown"] = int(messages["reply_to_unknown"].sum())
    flags["text_truncated"] = int(messages["text_truncated"].sum())

    quarantine = _quarantine(raw, reason, message_id, stamps.raw)
    counts = quarantine["reason"].value_counts()
    by_reason = {code.value: int(counts.get(code.value, 0)) for code in Reason}
    return messages, quarantine, flags, by_reason


def _isin(values: pd.Series, allowed: pd.Series | tuple[str, ...] | list[str]) -> pd.Series:
    """``Series.isin`` for string columns via Arrow; pandas' own boxes every allowed value."""
    allowed = allowed if isinstance(allowed, pd.Series) else pd.Series(list(allowed), dtype=str)
    found = pc.is_in(pa.array(values.astype(str), pa.large_string()),
                     value_set=pa.array(allowed.astype(str), pa.large_string()))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index).fillna(False).astype(bool)


def _blank_to_na(values: pd.Series) -> pd.Series:
    return values.where(values != "")


def _normalise_ids(values: pd.Series) -> tuple[pd.Series, int]:
    """Trim ids and turn float-looking ones (``3.0``, an artefact of pandas/Excel) into ``3``."""
    trimmed = _blank_to_na(values.str.strip())
    fixed = trimmed.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return fixed, int(((fixed != trimmed) & trimmed.notna()).sum())


def _customer(
    raw: pd.DataFrame, author: pd.Series, mapping: Mapping, brands: list[str]
) -> tuple[pd.Series, pd.Series]:
    """``is_customer`` per row and a mask of rows whose flag value is unusable."""
    author_key = author.str.strip().str.lstrip("@").str.lower()
    extra = [normalise_handle(b) for b in brands]
    if mapping.customer_flag:
        flag = raw[mapping.customer_flag].str.strip().str.lower()
        truthy = _isin(flag, mapping.customer_true_values)
        bad = ~(truthy | _isin(flag, mapping.customer_false_values))
    else:
        truthy = ~_isin(author_key, mapping.brand_handles or ())
        bad = pd.Series(False, index=raw.index)
    is_customer = truthy & ~_isin(author_key, extra)
    return is_customer.astype(bool), bad.astype(bool)


@dataclass
class _Stamps:
    values: pd.Series  # datetime64[ns, UTC], NaT where unusable
    ambiguous: pd.Series
    naive: pd.Series
    converted: pd.Series
    raw: pd.Series


def _parse_timestamps(raw: pd.Series, fmt: str | None, zone: str) -> _Stamps:
    """Parse to UTC: explicit format, TWCS fast path, ISO 8601, epoch, then a guarded guess.

    Naive times are taken in the mapping's zone; those a daylight-saving change makes ambiguous
    (or non-existent), and day/month orders the file gives no evidence for, are marked ambiguous
    rather than guessed.
    """
    text = _blank_to_na(raw.str.strip())
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    ambiguous = pd.Series(False, index=raw.index)
    naive = pd.Series(False, index=raw.index)

    def todo() -> pd.Series:
        return out.isna() & text.notna() & ~ambiguous

    def store(mask: pd.Series, parsed: pd.Series, is_naive: bool) -> None:
        nonlocal out, ambiguous, naive
        parsed = parsed.reindex(raw.index)
        if is_naive:
            local = parsed.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
            ambiguous = ambiguous | (mask & parsed.notna() & local.isna())
            naive = naive | (mask & local.notna())
            parsed = local.dt.tz_convert("UTC")
        out = out.where(~(mask & parsed.notna()), parsed.astype(out.dtype))

    if fmt in (None, TWCS_TIME_FORMAT):
        mask = todo() & text.str.fullmatch(_TWCS_SHAPE).fillna(False).astype(bool)
        if mask.any():
            store(mask, _parse_twcs(text[mask]), is_naive=False)
    has_zone = text.str.contains(_HAS_ZONE, regex=True).fillna(False).astype(bool)
    iso = text.str.match(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    if fmt is not None:
        mask = todo()
        aware = "%z" in fmt or "%Z" in fmt
        parsed = pd.to_datetime(text[mask], format=fmt, errors="coerce", utc=aware)
        store(mask, parsed, is_naive=not aware)
    # ISO 8601 cannot be misread, whatever layout a mapping promised (typed Parquet timestamps,
    # a TWCS-layout file re-saved by a tool that rewrote the dates): read it in every case.
    for zoned in (True, False):
        mask = todo() & iso & (has_zone == zoned)
        parsed = pd.to_datetime(text[mask], format="ISO8601", errors="coerce", utc=zoned)
        store(mask, parsed, is_naive=not zoned)
    if fmt is None:
        for digits, unit in ((10, "s"), (13, "ms")):
            mask = todo() & text.str.fullmatch(rf"\d{{{digits}}}").fillna(False).astype(bool)
            parsed = pd.to_datetime(text[mask].astype("int64"), unit=unit, utc=True)
            store(mask, parsed, is_naive=False)
        ambiguous = ambiguous | _guess(text, todo(), has_zone, store)
    token = pc.struct_field(pc.extract_regex(pa.array(text, pa.large_string()), _OFFSET_TOKEN), [0])
    token = pd.Series(token.to_numpy(zero_copy_only=False), index=text.index, dtype=str)
    converted = out.notna() & token.notna() & ~_isin(token, _ZERO_OFFSETS)
    return _Stamps(out, ambiguous.astype(bool), naive.astype(bool), converted.astype(bool), raw)


def _parse_twcs(text: pd.Series) -> pd.Series:
    """``Tue Oct 31 22:10:47 +0000 2017`` via string slicing to ISO: ~4x faster than strptime."""
    iso = (
        text.str.slice(26, 30) + "-" + text.str.slice(4, 7).map(_MONTHS) + "-"
        + text.str.slice(8, 10) + "T" + text.str.slice(11, 19) + text.str.slice(20, 25)
    )
    return pd.to_datetime(iso, format="ISO8601", errors="coerce", utc=True)


def _guess(text: pd.Series, mask: pd.Series, has_zone: pd.Series, store) -> pd.Series:
    """Last resort for free-form dates; day/month order comes from the file's own evidence.

    Returns the rows left unparsed because they read two ways (``03/04/2021``) and no row of the
    file (a day above 12) settles the order. A file that settles it both ways is an error.
    """
    if not mask.any():
        return pd.Series(False, index=text.index)
    parts = text[mask].str.extract(_SLASH_DATE).astype(float)
    day_first_seen = bool((parts[0] > 12).any())
    month_first_seen = bool((parts[1] > 12).any())
    if day_first_seen and month_first_seen:
        examples = text[mask][(parts[0] > 12) | (parts[1] > 12)].head(2).tolist()
        raise AuditInputError(
            "timestamps mix day-first and month-first dates (e.g. "
            f"{', '.join(map(repr, examples))}); set timestamp_format in the mapping"
        )
    undecided = (parts[0] != parts[1]) & parts[0].notna()
    if day_first_seen or month_first_seen:
        undecided &= False
    undecided = undecided.reindex(text.index, fill_value=False).astype(bool)
    for zoned in (True, False):
        sub = mask & ~undecided & (has_zone == zoned)
        if sub.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "could not infer format": expected
                parsed = pd.to_datetime(text[sub], format="mixed", dayfirst=day_first_seen,
                                        errors="coerce", utc=True)
            store(sub, parsed if zoned else parsed.dt.tz_localize(None), is_naive=not zoned)
    return undecided


def _clean_text(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Strip control characters and decode HTML entities; return the masks of rows changed."""
    text = raw.fillna("")
    stripped = text.str.replace(_CONTROL, "", regex=True)
    control = stripped != text
    # Only texts with rare entities (numeric, named) pay for html.unescape; the common ones
    # (&gt; &amp; ...) are replaced column-wise. Deciding per row keeps decoding single-pass.
    rare = (
        stripped.str.replace(_ANY_COMMON_ENTITY, "", regex=True)
        .str.contains(_OTHER_ENTITY, regex=True)
    )
    decoded = stripped
    for entity, char in _COMMON_ENTITIES:
        decoded = decoded.str.replace(entity, char, regex=False)
    if rare.any():
        decoded = decoded.where(~rare, stripped[rare].map(html.unescape))
    entities = decoded != stripped
    return decoded, {"control_chars_stripped": control, "html_entities_decoded": entities}


def _recover_parents(
    reply_to: pd.Series, message_id: pd.Series, responses: pd.Series, usable: np.ndarray
) -> tuple[pd.Series, int]:
    """Fill missing parent links from the parents' lists of reply ids (TWCS ``response_tweet_id``)."""
    source = responses[usable & message_id.notna().to_numpy()].dropna()
    if source.empty:
        return reply_to, 0
    lists = pc.split_pattern_regex(pa.array(source.to_numpy(dtype=object), pa.string()),
                                   r"[\s,;\[\]\"']+")
    children = pc.list_flatten(lists)
    parents = message_id[source.index].to_numpy(dtype=object)[
        pc.list_parent_indices(lists).to_numpy()
    ]
    pairs = pd.DataFrame({
        "child": _normalise_ids(pd.Series(children.to_numpy(zero_copy_only=False), dtype=str))[0],
        "parent": pd.Series(parents, dtype=str),
    }).dropna()
    pairs = pairs[pairs["child"] != pairs["parent"]].drop_duplicates("child")
    found = message_id.map(pairs.set_index("child")["parent"])
    fill = reply_to.isna() & found.notna() & pd.Series(usable, index=reply_to.index)
    return reply_to.where(~fill, found), int(fill.sum())


def _chain_conversation(messages: pd.DataFrame, conversation: pd.Series) -> tuple[pd.DataFrame, int]:
    """Messages without a reply link answer the previous message of their conversation/ticket."""
    order = messages.assign(_conv=conversation).sort_values(["_conv", "created_at", "source_row"])
    previous = order.groupby("_conv", sort=False)["message_id"].shift(1).reindex(messages.index)
    fill = messages["reply_to_id"].isna() & previous.notna()
    out = messages.assign(reply_to_id=messages["reply_to_id"].where(~fill, previous))
    return out, int(fill.sum())


def _channel(raw: pd.DataFrame, mapping: Mapping) -> pd.Series:
    constant = pd.Series(mapping.channel.strip().lower(), index=raw.index, dtype=str)
    if not mapping.channel_column:
        return constant
    return _blank_to_na(raw[mapping.channel_column].str.strip().str.lower()).fillna(constant)


def _quarantine(
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
