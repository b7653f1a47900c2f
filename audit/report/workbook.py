"""``audit.xlsx``: the run's figures as a typed workbook, for the consultant's deck.

Why a workbook and not CSVs: consultants paste figures into slides, and a figure pasted from a
cell must be a number (percentages formatted as such, dates as dates), not text. Why the care with
text: customer posts are untrusted, and a post that begins with ``=`` must never become a formula
in the client's Excel. Every text cell is written as a string cell with Excel's quote prefix, so
it stays text even after a user edits it; control characters Excel refuses are dropped.

Sheets: Summary, Metrics by brand (95% intervals when the run has them), Trends (monthly),
Criteria (with evidence), Unanswered complaints (masked), Agents and Topics (from the run's
``metrics.agents`` / ``topics`` when present, else a line saying they are not available).
"""
from __future__ import annotations

import datetime as dt
import io
import json
import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from audit.common import runfolder
from audit.common.safeio import atomic_write_bytes
from audit.reading.redact import redact_series
from audit.report.figures import figure

NOT_AVAILABLE = "not available in this run"
#: Unanswered complaints listed at most (the count is always complete, on the Summary sheet).
MAX_COMPLAINT_ROWS = 20_000
#: Number formats by the unit a value is in (``audit.metrics.metric.UNITS`` plus dates).
FORMATS = {"share": "0.0%", "minutes": "#,##0.0", "count": "#,##0", "posts_per_day": "#,##0.0",
           "hours_of_week": "0", "flag": "0", "number": "#,##0.####", "date": "yyyy-mm-dd",
           "datetime": "yyyy-mm-dd hh:mm"}
SHEETS = ("Summary", "Metrics by brand", "Trends", "Criteria", "Unanswered complaints", "Agents", "Topics")
_HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


# --- cells ------------------------------------------------------------------------------------
def _text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def put(ws: Worksheet, row: int, col: int, value: Any, unit: str | None = None) -> None:
    """Write one typed cell. Numbers stay numbers (formatted by ``unit``), dates stay dates
    (time zone dropped: the sheet says which clock), everything else is a string cell that no
    spreadsheet evaluates, whatever it begins with."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, bool):
        cell.value = "yes" if value else "no"
        cell.data_type = "s"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = FORMATS.get(unit or "number", FORMATS["number"])
    elif isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        cell.value = stamp.tz_localize(None).to_pydatetime() if stamp.tzinfo else stamp.to_pydatetime()
        cell.number_format = FORMATS["datetime"]
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = FORMATS["date"]
    else:
        cell.value = _text(value)
        cell.data_type = "s"      # openpyxl would store "=..." as a formula
        cell.quotePrefix = True   # and Excel keeps it text when someone edits the cell


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def table(ws: Worksheet, columns: Sequence[tuple[str, str | None]], rows: Iterable[Sequence[Any]],
          start_row: int = 1) -> int:
    """Header row then one row per item; ``columns`` = (label, unit) where unit types the
    numbers of that column. Returns the number of data rows written."""
    for j, (label, _) in enumerate(columns, start=1):
        put(ws, start_row, j, label)
        cell = ws.cell(row=start_row, column=j)
        cell.fill, cell.font, cell.alignment = _HEADER_FILL, _HEADER_FONT, Alignment(wrap_text=True, vertical="top")
    n = 0
    for i, row in enumerate(rows, start=start_row + 1):
        for j, ((_, unit), value) in enumerate(zip(columns, row), start=1):
            put(ws, i, j, value, unit)
        n += 1
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if n:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(columns))}{start_row + n}"
    for j, (label, unit) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = 60 if unit == "wide" else max(12, min(40, len(label) + 4))
    return n


def _unavailable(ws: Worksheet, what: str, reason: str | None = None) -> None:
    put(ws, 1, 1, f"{what}: {NOT_AVAILABLE}." + (f" {reason}" if reason else ""))
    ws.column_dimensions["A"].width = 60


# --- sheets -----------------------------------------------------------------------------------
def _unit(metrics: Mapping, name: str) -> str | None:
    return ((metrics.get("definitions") or {}).get(name) or {}).get("unit")


def summary_sheet(ws: Worksheet, audit: Mapping, n_unanswered: int | None) -> None:
    from audit.report.playbook.kpis import KPIS

    m, grade, acc = audit["metrics"], audit["maturity"], audit.get("accounting") or {}
    scope, period = m.get("scope") or {}, (m.get("scope") or {}).get("period") or {}
    nxt = grade.get("next_level") or {}
    level_titles = {k: v.get("title", k) for k, v in (grade.get("level_definitions") or {}).items()}
    rows: list[tuple[str, Any, str | None]] = [
        ("Client", audit.get("client"), None),
        ("Brand handles", ", ".join(scope.get("client_handles") or []), None),
        ("Period start", _date(period.get("start")), "date"),
        ("Period end", _date(period.get("end")), "date"),
        ("Days", period.get("days"), "count"),
        ("Time zone", scope.get("tz"), None),
        ("Maturity level", grade.get("level_title") or grade.get("level"), None),
        ("Maturity score (0-100)", grade.get("score"), "number"),
        ("Next level", level_titles.get(nxt.get("level"), nxt.get("level")), None),
        ("Input rows", acc.get("input_rows"), "count"),
        ("Accepted rows", acc.get("accepted"), "count"),
        ("Quarantined rows", acc.get("quarantined"), "count"),
        ("Customer-opened conversations", m["overall"].get("customer_conversations"), "count"),
        ("Complaints never answered", n_unanswered, "count"),
        ("Redacted run", bool((audit.get("ingest") or {}).get("redacted")), None),
    ]
    for metric, label, *_ in KPIS:
        rows.append((label, m["overall"].get(metric), _unit(m, metric)))
    table(ws, [("Item", None), ("Value", None)], [])
    for i, (label, value, unit) in enumerate(rows, start=2):
        put(ws, i, 1, label)
        put(ws, i, 2, value, unit)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 40, 30


def metrics_sheet(ws: Worksheet, metrics: Mapping) -> None:
    """One row per (scope, metric): pivot-table friendly; intervals where the run has them."""
    scope = metrics.get("scope") or {}
    client = list(scope.get("client_handles") or [])
    scopes = [(None, "All client handles", "client")]
    scopes += [(h, h, "client") for h in client if h in (metrics.get("by_brand") or {})]
    scopes += [(h, h, "peer") for h in sorted(metrics.get("by_brand") or {}) if h not in client]
    definitions = metrics.get("definitions") or {}
    rows = []
    for handle, label, role in scopes:
        for name in sorted(definitions):
            f = figure(metrics, name, handle)
            unit = definitions[name].get("unit")
            rows.append((label, role, name, definitions[name].get("title"), unit, _typed(f.value, unit),
                         _typed(f.low, unit), _typed(f.high, unit), f.numerator, f.denominator))
    columns = [("Scope", None), ("Role", None), ("Metric", None), ("Title", None), ("Unit", None),
               ("Value", "unit"), ("95% low", "unit"), ("95% high", "unit"), ("Numerator", "count"),
               ("Denominator", "count")]
    table(ws, [(c, None) for c, _ in columns], [])
    for i, row in enumerate(rows, start=2):
        unit = row[4]
        for j, ((_, kind), value) in enumerate(zip(columns, row), start=1):
            put(ws, i, j, value, unit if kind == "unit" else kind)
    if rows:
        ws.auto_filter.ref = f"A1:J{len(rows) + 1}"
    if not (metrics.get("intervals") or {}):
        put(ws, len(rows) + 3, 1, f"95% intervals: {NOT_AVAILABLE}.")
    else:
        put(ws, len(rows) + 3, 1, "An empty 95% high with a low: the sample is too small to bound the figure above.")
    ws.column_dimensions["D"].width = 45


def _typed(value: Any, unit: str | None) -> Any:
    """Flags and hour counts are whole numbers; everything else as recorded."""
    if isinstance(value, float) and unit in ("flag", "hours_of_week", "count") and value.is_integer():
        return int(value)
    return value


def trends_sheet(ws: Worksheet, metrics: Mapping) -> None:
    from audit.metrics.trends import SERIES
    from audit.metrics.trends import table as trends_table

    trends = metrics.get("trends") or {}
    if not trends.get("available"):
        _unavailable(ws, "Monthly trends" + (f" ({trends['reason']})" if trends.get("reason") else ""))
        return
    frame = trends_table(trends)
    units = {"days": "count", "answered": "count", "negative_posts": "count",
             **{k: unit for k, (_, unit) in SERIES.items()}}
    labels = {"month": "Month", "days": "Days covered", "partial": "Partial month", "thin": "Thin month",
              "answered": "Answered", "negative_posts": "Negative posts", **{k: t for k, (t, _) in SERIES.items()}}
    table(ws, [(labels[c], units.get(c)) for c in frame.columns],
          frame.astype(object).where(frame.notna(), None).itertuples(index=False))


def criteria_sheet(ws: Worksheet, grade: Mapping) -> None:
    levels = sorted((grade.get("level_definitions") or {}).items(), key=lambda kv: kv[1].get("index", 0))
    columns: list[tuple[str, str | None]] = [
        ("Dimension", None), ("Criterion", None), ("Title", None), ("Kind", None), ("Metric", None),
        ("Unit", None), ("Value", None), ("Status", None), ("Score", "number")]
    for key, spec in levels:
        columns += [(f"{spec.get('title', key)}: threshold", None), (f"{spec.get('title', key)}: passed", None)]
    columns += [("Evidence: numerator", "count"), ("Evidence: denominator", "count"),
                ("Evidence: example message ids", None), ("Evidence: examples are", None),
                ("Note", None), ("Definition", "wide")]
    table(ws, columns, [])
    row = 2
    for dim_key, dim in (grade.get("dimensions") or {}).items():
        for crit in (dim.get("criteria") or {}).values():
            unit = crit.get("unit") if crit.get("kind") == "metric" else None
            ev = crit.get("evidence") or {}
            values: list[tuple[Any, str | None]] = [
                (dim.get("title", dim_key), None), (crit.get("ref"), None), (crit.get("title"), None),
                (crit.get("kind"), None), (crit.get("metric"), None), (crit.get("unit"), None),
                (crit.get("value"), unit), (crit.get("status"), None), (crit.get("score"), "number")]
            for key, _ in levels:
                at = (crit.get("levels") or {}).get(key)
                values += [(at.get("threshold") if at else None, unit),
                           (((at["status"].replace("_", " ") if at.get("status") else
                              "pass" if at.get("passed") else "fail" if at.get("passed") is False else "not assessed")
                             + (" (required)" if at.get("required") else "")) if at else None, None)]
            values += [(ev.get("numerator"), "count"), (ev.get("denominator"), "count"),
                       (", ".join(map(str, ev.get("examples") or [])) or None, None),
                       (ev.get("example_description"), None), (crit.get("note"), None),
                       (crit.get("definition"), None)]
            for j, (value, u) in enumerate(values, start=1):
                put(ws, row, j, value, u)
            row += 1
    if row > 2:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{row - 1}"


def complaints_sheet(ws: Worksheet, complaints: pd.DataFrame | None, tz: str, keep_handles: Iterable[str]) -> None:
    if complaints is None:
        _unavailable(ws, "Unanswered complaints (the run folder has no messages)")
        return
    shown = complaints.head(MAX_COMPLAINT_ROWS)
    text = redact_series(shown["text"].astype("string"), keep_handles=list(keep_handles))
    local = pd.to_datetime(shown["created_at"], utc=True).dt.tz_convert(tz)
    columns = [(f"Opened ({tz})", "datetime"), ("Brand handle", None), ("Channel", None),
               ("Conversation id", None), ("Message id", None), ("Sentiment", None), ("Post (masked)", "wide")]
    rows = zip(local, shown["brand"], shown["channel"], shown["conversation_id"].astype(str),
               shown["message_id"].astype(str), shown["sentiment"], text)
    n = table(ws, columns, rows)
    if not n:
        put(ws, 3, 1, "No unanswered complaints in this period.")
    elif len(complaints) > n:
        put(ws, n + 3, 1, f"The first {n:,} of {len(complaints):,} are listed (oldest first).")


def _records(data: Any) -> list[dict]:
    """A list of flat rows from whatever shape a section has: a list of records, a mapping of
    records (key becomes the first column) or a mapping of values."""
    if isinstance(data, Mapping):
        if data and all(isinstance(v, Mapping) for v in data.values()):
            return [{"name": k, **v} for k, v in data.items()]
        if any(isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v) for v in data.values()):
            key = next(k for k, v in data.items() if isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v))
            return [dict(x) for x in data[key]]
        return [{"name": k, "value": v} for k, v in data.items()]
    if isinstance(data, list):
        return [dict(x) if isinstance(x, Mapping) else {"value": x} for x in data]
    return [{"value": data}]


def records_sheet(ws: Worksheet, data: Any, what: str, metric_units: Mapping[str, str]) -> None:
    """Agents or topics as produced by their stage; numbers typed, a ``*_share``/``*_rate`` (or a
    registered share metric) formatted as a percentage, nested values as JSON text."""
    if not data or (isinstance(data, Mapping) and data.get("available") is False):  # a section saying why not
        _unavailable(ws, what, data.get("reason") if isinstance(data, Mapping) else None)
        return
    rows = _records(data)
    keys = list(dict.fromkeys(k for r in rows for k in r))

    def unit(key: str) -> str | None:
        if key in metric_units:
            return metric_units[key]
        return "share" if key.endswith(("_share", "_rate")) or key.startswith("share") else None

    def cell(v: Any) -> Any:
        return json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (Mapping, list)) else v

    table(ws, [(k, unit(k)) for k in keys], ([cell(r.get(k)) for k in keys] for r in rows))


def build(audit: Mapping, complaints: pd.DataFrame | None = None) -> Workbook:
    """The workbook of one run from its ``audit.json`` and (optionally) its unanswered
    complaints (``audit.report.playbook.evidence.unanswered_complaints``, unmasked: masked here)."""
    metrics = audit["metrics"]
    wb = Workbook()
    sheets = {name: (wb.active if i == 0 else wb.create_sheet()) for i, name in enumerate(SHEETS)}
    for name, ws in sheets.items():
        ws.title = name
    brands = list(((audit.get("ingest") or {}).get("brands_in_data")) or (metrics.get("scope") or {}).get("client_handles") or [])
    summary_sheet(sheets["Summary"], audit, None if complaints is None else len(complaints))
    metrics_sheet(sheets["Metrics by brand"], metrics)
    trends_sheet(sheets["Trends"], metrics)
    criteria_sheet(sheets["Criteria"], audit["maturity"])
    complaints_sheet(sheets["Unanswered complaints"], complaints, (metrics.get("scope") or {}).get("tz") or "UTC", brands)
    units = {k: v.get("unit") for k, v in (metrics.get("definitions") or {}).items()}
    records_sheet(sheets["Agents"], metrics.get("agents"), "Agents", units)
    topics_sheet(sheets["Topics"], audit.get("topics"))
    return wb


#: The Topics sheet's columns: (header, unit, how to read it from a topic of ``topics.json``).
_TOPIC_COLUMNS = (
    ("Topic", None, lambda t: t.get("label")), ("Customer posts", "number", lambda t: t.get("posts")),
    ("Complaints", "share", lambda t: t.get("complaint_share")), ("Questions", "share", lambda t: t.get("question_share")),
    ("Negative", "share", lambda t: t.get("negative_share")), ("Answered", "share", lambda t: t.get("response_rate")),
    ("Median first reply (s)", "number", lambda t: t.get("first_response_median_s")),
    ("Route to", None, lambda t: t.get("owner")), ("Keywords", None, lambda t: ", ".join(t.get("keywords") or [])),
    ("Example (masked)", "wide", lambda t: next(iter(t.get("examples") or []), None)),
)


def topics_sheet(ws: Worksheet, topics: Any) -> None:
    """The client's topics as ``topics.json`` lists them (the playbook's table): one row per
    topic, human headers, plain text in every cell; or a line saying why there are none."""
    if not isinstance(topics, Mapping) or not topics.get("topics"):
        reason = topics.get("note") if isinstance(topics, Mapping) else None
        _unavailable(ws, "Topics", reason or "No group of similar posts was large enough to be a topic.")
        return
    table(ws, [(h, u) for h, u, _ in _TOPIC_COLUMNS], ([read(t) for _, _, read in _TOPIC_COLUMNS] for t in topics["topics"]))


def to_bytes(wb: Workbook) -> bytes:
    """The file's bytes; written with a fixed creation time so the same run gives the same file."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()  # wb.save stamps "modified: now"
    # and zip members carry the current time: re-pack with a fixed one
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0)), src.read(info.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write(run_dir: str | Path, audit: Mapping | None = None, messages: pd.DataFrame | None = None,
          conversations: pd.DataFrame | None = None) -> Path:
    """Write ``audit.xlsx`` into a finished run folder (atomically, like every run output).
    ``messages``/``conversations``: the enriched frames when the caller has them (else read)."""
    return atomic_write_bytes(Path(run_dir) / runfolder.AUDIT_XLSX, content(run_dir, audit, messages, conversations))


def content(run_dir: str | Path, audit: Mapping | None = None, messages: pd.DataFrame | None = None,
            conversations: pd.DataFrame | None = None) -> bytes:
    """The bytes of ``audit.xlsx`` (the playbook stage publishes them with the other outputs)."""
    from audit.report.playbook.context import select_client
    from audit.report.playbook.evidence import unanswered_complaints

    run_dir = Path(run_dir)
    audit = audit if audit is not None else runfolder.read_json(run_dir / runfolder.AUDIT_JSON)
    complaints = None
    if messages is None and (run_dir / runfolder.MESSAGES).exists() and (run_dir / runfolder.SCORES).exists():
        messages, conversations = runfolder.enriched(run_dir)
    if messages is not None and conversations is not None:
        scope = audit["metrics"].get("scope") or {}
        client = select_client(messages, conversations, str(audit.get("client")), list(scope.get("client_handles") or []),
                         str(scope.get("tz") or "UTC"))
        complaints = unanswered_complaints(client)
    return to_bytes(build(audit, complaints))
