"""The figures' sheets: Summary, Metrics by brand, Trends, Criteria (and their examples) and the
unanswered complaints. Each builds records (one dict a row) and leaves headers, units and
rounding to ``columns.yaml`` and ``cells``."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from audit.reading.redact import redact_series
from audit.report.figures import figure
from audit.report.workbook.cells import NOT_AVAILABLE, label_rows, note, table, unavailable
from audit.report.workbook.columns import column, columns, headed, unit

#: Unanswered complaints listed at most (the count is always complete, on the Summary sheet).
MAX_COMPLAINT_ROWS = 20_000
#: a title's own unit, dropped where the workbook shows the figure in another (" (min)" as h:mm)
_TITLE_UNIT = re.compile(r"\s*\((?:min|s)\)$")


def title(text: str | None, unit_name: str | None) -> str | None:
    """A metric's title for a sheet that states the unit in its own column or header."""
    return _TITLE_UNIT.sub("", text) if text and unit_name in ("minutes", "seconds") else text


def unit_label(unit_name: str | None) -> str | None:
    """What a "Unit" column says: "%", "h:mm", "count" (an unknown unit as recorded)."""
    known = unit(unit_name)
    return known.label if known else unit_name


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _unit(metrics: Mapping, name: str) -> str | None:
    return ((metrics.get("definitions") or {}).get(name) or {}).get("unit")


def summary_sheet(ws: Worksheet, audit: Mapping, n_unanswered: int | None) -> None:
    """The run at a glance, label beside value: scope, grade, row accounting and the KPIs."""
    from audit.report.playbook.kpis import KPIS

    m, grade, acc = audit["metrics"], audit["maturity"], audit.get("accounting") or {}
    scope = m.get("scope") or {}
    period = scope.get("period") or {}
    nxt = (grade.get("next_level") or {}).get("level")
    level_titles = {k: v.get("title", k) for k, v in (grade.get("level_definitions") or {}).items()}
    values = {
        "client": audit.get("client"), "client_handles": ", ".join(scope.get("client_handles") or []),
        "period_start": _date(period.get("start")), "period_end": _date(period.get("end")),
        "days": period.get("days"), "tz": scope.get("tz"), "level": grade.get("level_title") or grade.get("level"),
        "score": grade.get("score"), "next_level": level_titles.get(nxt, nxt),
        "input_rows": acc.get("input_rows"), "accepted": acc.get("accepted"), "quarantined": acc.get("quarantined"),
        "customer_conversations": m["overall"].get("customer_conversations"), "unanswered": n_unanswered,
        "redacted": bool((audit.get("ingest") or {}).get("redacted")),
    }
    rows = [(c.header, values[c.key], c.unit) for c in columns("Summary", "rows")]
    rows += [(headed(label, unit(kpi_unit)), m["overall"].get(metric), kpi_unit) for metric, label, kpi_unit, *_ in KPIS]
    label_rows(ws, columns("Summary"), rows)


def metrics_sheet(ws: Worksheet, metrics: Mapping) -> None:
    """One row per (scope, metric): pivot-table friendly; intervals where the run has them."""
    scope = metrics.get("scope") or {}
    client = list(scope.get("client_handles") or [])
    by_brand = metrics.get("by_brand") or {}
    scopes = [(None, "All client handles", "client")]
    scopes += [(h, h, "client") for h in client if h in by_brand]
    scopes += [(h, h, "peer") for h in sorted(by_brand) if h not in client]
    definitions = metrics.get("definitions") or {}
    records = []
    for handle, label, role in scopes:
        for name in sorted(definitions):
            f, unit_name = figure(metrics, name, handle), definitions[name].get("unit")
            records.append({"scope": label, "role": role, "metric": name, "title": title(definitions[name].get("title"), unit_name),
                            "unit": unit_label(unit_name), "row_unit": unit_name, "value": f.value, "low": f.low,
                            "high": f.high, "numerator": f.numerator, "denominator": f.denominator})
    n = table(ws, columns("Metrics by brand"), records, row_unit="row_unit")
    note(ws, n + 3, f"95% intervals: {NOT_AVAILABLE}." if not (metrics.get("intervals") or {}) else
         "An empty 95% high with a low: the sample is too small to bound the figure above.")


def trends_sheet(ws: Worksheet, metrics: Mapping) -> None:
    from audit.metrics.trends import table as trends_table

    trends = metrics.get("trends") or {}
    if not trends.get("available"):
        unavailable(ws, "Monthly trends" + (f" ({trends['reason']})" if trends.get("reason") else ""))
        return
    frame = trends_table(trends)
    table(ws, [column("Trends", c) for c in frame.columns], frame.astype(object).where(frame.notna(), None).to_dict("records"))


def _levels(grade: Mapping) -> list[tuple[str, str]]:
    defs = sorted((grade.get("level_definitions") or {}).items(), key=lambda kv: kv[1].get("index", 0))
    return [(key, spec.get("title", key)) for key, spec in defs]


def _words(status: str | None) -> str | None:
    """A status as words: ``not_assessed`` -> ``not assessed``."""
    return status.replace("_", " ") if isinstance(status, str) else status


def _result(at: Mapping | None) -> str | None:
    """A criterion at one level: pass / fail / uncertain / not assessed, and whether it is required."""
    if not at:
        return None
    status = (_words(at["status"]) if at.get("status") else
              "pass" if at.get("passed") else "fail" if at.get("passed") is False else "not assessed")
    return status + (" (required)" if at.get("required") else "")


def _criteria(grade: Mapping) -> Iterable[tuple[str, Mapping]]:
    for dim_key, dim in (grade.get("dimensions") or {}).items():
        for crit in (dim.get("criteria") or {}).values():
            yield dim.get("title", dim_key), crit


def criteria_sheet(ws: Worksheet, grade: Mapping) -> None:
    """One row per criterion: its value, status and score, each level's threshold and result,
    and the evidence's counts (the example messages are on the next sheet, one per row)."""
    levels = _levels(grade)
    per_level = [c for c in columns("Criteria") if c.key.startswith("level_")]
    cols = []
    for col in columns("Criteria"):  # the level columns, expanded where the first of them stands
        if col is per_level[0]:
            cols += [replace(c, key=f"{c.key}:{key}", header=c.header.format(level=name))
                     for key, name in levels for c in per_level]
        elif col not in per_level:
            cols.append(col)
    records = []
    for dim, crit in _criteria(grade):
        ev, unit_name = crit.get("evidence") or {}, crit.get("unit")
        record = {"dimension": dim, "ref": crit.get("ref"), "title": title(crit.get("title"), unit_name),
                  "kind": crit.get("kind"), "metric": crit.get("metric"), "unit": unit_label(unit_name),
                  "row_unit": unit_name if crit.get("kind") == "metric" else None, "value": crit.get("value"),
                  "status": _words(crit.get("status")), "score": crit.get("score"), "numerator": ev.get("numerator"),
                  "denominator": ev.get("denominator"), "examples_are": ev.get("example_description"),
                  "note": crit.get("note"), "definition": crit.get("definition")}
        for key, _ in levels:
            at = (crit.get("levels") or {}).get(key)
            record[f"level_threshold:{key}"] = at.get("threshold") if at else None
            record[f"level_result:{key}"] = _result(at)
        records.append(record)
    table(ws, cols, records, row_unit="row_unit")


def examples_sheet(ws: Worksheet, grade: Mapping) -> None:
    """The messages each criterion cites as evidence, one per row (look them up in the export)."""
    records = [{"ref": crit.get("ref"), "title": crit.get("title"), "message_id": str(mid),
                "examples_are": (crit.get("evidence") or {}).get("example_description")}
               for _, crit in _criteria(grade) for mid in ((crit.get("evidence") or {}).get("examples") or [])]
    if not records:
        unavailable(ws, "Criteria examples", "No criterion cites example messages.")
        return
    table(ws, columns("Criteria examples"), records)


def complaints_sheet(ws: Worksheet, complaints: pd.DataFrame | None, tz: str, keep_handles: Iterable[str]) -> None:
    if complaints is None:
        unavailable(ws, "Unanswered complaints (the run folder has no messages)")
        return
    shown = complaints.head(MAX_COMPLAINT_ROWS)
    frame = pd.DataFrame({
        "opened": pd.to_datetime(shown["created_at"], utc=True).dt.tz_convert(tz),
        "brand": shown["brand"], "channel": shown["channel"], "conversation_id": shown["conversation_id"].astype(str),
        "message_id": shown["message_id"].astype(str), "sentiment": shown["sentiment"],
        "text": redact_series(shown["text"].astype("string"), keep_handles=list(keep_handles))})
    cols = [replace(c, header=c.header.format(tz=tz)) for c in columns("Unanswered complaints")]
    n = table(ws, cols, frame.astype(object).where(frame.notna(), None).to_dict("records"))
    if not n:
        note(ws, 3, "No unanswered complaints in this period.")
    elif len(complaints) > n:
        note(ws, n + 3, f"The first {n:,} of {len(complaints):,} are listed (oldest first).")
