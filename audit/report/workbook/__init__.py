"""``audit.xlsx``: the run's figures as a typed, slide-ready workbook, for the consultant's deck.

Why a workbook and not CSVs: consultants paste figures into slides, and a figure pasted from a
cell must be a number shown as the playbook shows it (a share as a percentage, a time as h:mm, a
date as a date), under a header a client can read, one value per cell, and every sheet must print
as a readable page. Customer text is untrusted: no text cell ever becomes a formula (``cells``).

Sheets: Summary, Metrics by brand (95% intervals when the run has them), Trends (monthly),
Criteria and the messages they cite, Unanswered complaints (masked), Agents and Topics (from the
run's ``metrics.agents`` / ``topics`` when present, else a line saying why not). Headers and
units: ``columns.yaml``; cells, rounding and the printed page: ``cells``; the sheets: ``sheets``,
``records``.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from audit.common import runfolder
from audit.common.safeio import atomic_write_bytes
from audit.report.workbook.cells import NOT_AVAILABLE, page
from audit.report.workbook.records import agents_sheet, topics_sheet
from audit.report.workbook.sheets import (
    MAX_COMPLAINT_ROWS,
    complaints_sheet,
    criteria_sheet,
    examples_sheet,
    metrics_sheet,
    summary_sheet,
    trends_sheet,
)

__all__ = ["MAX_COMPLAINT_ROWS", "NOT_AVAILABLE", "SHEETS", "build", "content", "to_bytes", "write"]
SHEETS = ("Summary", "Metrics by brand", "Trends", "Criteria", "Criteria examples", "Unanswered complaints",
          "Agents", "Topics")


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
    examples_sheet(sheets["Criteria examples"], audit["maturity"])
    complaints_sheet(sheets["Unanswered complaints"], complaints, (metrics.get("scope") or {}).get("tz") or "UTC", brands)
    agents_sheet(sheets["Agents"], metrics.get("agents"))
    topics_sheet(sheets["Topics"], audit.get("topics"))
    for ws in sheets.values():
        page(ws)
    return wb


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
