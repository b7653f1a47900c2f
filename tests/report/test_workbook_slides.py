"""audit.xlsx is slide-ready: human headers with units, one value per cell, times as durations,
numbers rounded as the playbook prints them, and sheets that print as readable pages.

Built once from the demo sample (agents sign their replies) plus a small export whose complaints
go unanswered (one of them a formula), through the real stages with stand-in scores; a topics
section is added because stand-in runs fit no topic model.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from audit.demo import sample
from audit.metrics.trends import table as trends_table
from audit.report import format as fmt
from audit.report import workbook
from audit.report.workbook import columns as wb_columns
from tests.helpers.runfolders import export, make_run
from tests.report.test_workbook import FORMULA_POST, TOPICS

SNAKE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("slides") / "acme"
    frame = pd.concat([sample.generate(600, seed=11, weeks=6).astype(str).replace({"nan": ""}),
                       export(60, 0.5, 0.5, seed=9, days=42, first_text=FORMULA_POST)], ignore_index=True)
    audit = make_run(run_dir, frame, brands=("Acme", "AcmeHelp"))
    data = workbook.content(run_dir, {**audit, "topics": TOPICS})
    return audit, data, load_workbook(io.BytesIO(data))


def _cells(wb):
    return [(ws.title, c) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]


def _header(ws) -> list:
    return [c.value for c in next(ws.iter_rows(max_row=1))]


def _table_sheets(wb):
    return [ws for ws in wb if ws.max_row > 1]


def test_every_sheet_has_rows_here(book):
    _, _, wb = book
    assert [ws.title for ws in _table_sheets(wb)] == list(workbook.SHEETS)  # so the checks below see every sheet
    assert wb["Agents"].max_row > 2 and wb["Unanswered complaints"].max_row > 2


def test_no_header_is_a_field_name(book):
    _, _, wb = book
    headers = [(ws.title, h) for ws in _table_sheets(wb) for h in _header(ws)]
    assert all(isinstance(h, str) and h for _, h in headers)
    bad = [(t, h) for t, h in headers if "_" in h or SNAKE.match(h) or not h[0].isupper() and not h[0].isdigit()]
    assert not bad
    labels = [r[0].value for r in wb["Summary"].iter_rows(min_row=2)]
    assert not [x for x in labels if "_" in x or SNAKE.match(x)]


def test_no_cell_holds_a_list_or_a_mapping(book):
    _, _, wb = book
    nested = []
    for title, cell in _cells(wb):
        if isinstance(cell.value, str) and cell.value.strip()[:1] in "[{":
            try:
                parsed = json.loads(cell.value)
            except ValueError:
                continue
            nested += [(title, cell.coordinate)] if isinstance(parsed, (list, dict)) else []
    assert not nested
    examples = wb["Criteria examples"]
    ids = [r[_header(examples).index("Message id")].value for r in examples.iter_rows(min_row=2)]
    assert ids and all(i.isdigit() for i in ids)  # one message id per row, not "10, 67, 77"


def test_times_are_excel_durations(book):
    audit, _, wb = book
    timed = [(ws.title, h, c) for ws in _table_sheets(wb) for j, h in enumerate(_header(ws))
             if h.endswith("(h:mm)") for c in [r[j] for r in ws.iter_rows(min_row=2)] if c.value is not None]
    metrics = wb["Metrics by brand"]
    unit, value = _header(metrics).index("Unit"), _header(metrics).index("Value")
    timed += [("Metrics by brand", r[unit].value, r[value]) for r in metrics.iter_rows(min_row=2)
              if r[unit].value == "h:mm" and r[value].value is not None]
    assert {t for t, _, _ in timed} >= {"Trends", "Agents", "Topics", "Metrics by brand"}
    assert all(c.number_format == "[h]:mm" and isinstance(c.value, dt.timedelta) for _, _, c in timed)
    assert all(c.value.total_seconds() % 60 == 0 for _, _, c in timed)  # to the minute
    summary = {r[0].value: r[1] for r in wb["Summary"].iter_rows(min_row=2)}
    median = summary["Median first response (h:mm)"]
    assert median.value == dt.timedelta(minutes=round(audit["metrics"]["overall"]["first_response_median_min"]))


def _shown_decimals(number_format: str) -> int:
    """Decimals a number format shows (of the percentage for a percent format)."""
    decimals = number_format.partition(".")[2]
    assert "#" not in decimals, f"{number_format!r} shows a varying number of decimals"
    return decimals.count("0") + (2 if number_format.endswith("%") else 0)


def test_numbers_are_rounded_as_the_playbook_prints_them(book):
    audit, _, wb = book
    numbers = [(t, c) for t, c in _cells(wb) if c.data_type == "n" and not c.is_date]
    assert len(numbers) > 200
    for title, cell in numbers:
        places = _shown_decimals(cell.number_format)
        assert round(cell.value, places) == pytest.approx(cell.value, abs=1e-12), (title, cell.coordinate, cell.value)
    summary = {r[0].value: r[1] for r in wb["Summary"].iter_rows(min_row=2)}
    score = audit["maturity"]["score"]
    assert str(summary["Maturity score (0-100)"].value) == fmt.number(score)  # 87, as the playbook says it
    share = audit["metrics"]["overall"]["response_rate"]
    assert fmt.percent(summary["Customer conversations answered (%)"].value) == fmt.percent(share)


def test_sheets_print_as_pages(book):
    _, _, wb = book
    summary = wb["Summary"]
    assert summary.print_area == f"'Summary'!$A$1:$B${summary.max_row}"
    assert summary.page_setup.orientation == "portrait"
    assert all(row[0].value and row[1].value is not None for row in summary.iter_rows(min_row=2))  # side by side
    assert fmt.DASH in [row[1].value for row in summary.iter_rows(min_row=2)]  # a missing figure, said so
    assert summary.column_dimensions["A"].width >= 30 and summary.column_dimensions["B"].width >= 20
    for ws in wb:
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title  # one page wide, as many tall as it takes
        assert ws.print_title_rows == "$1:$1", ws.title  # the header row on every printed page
        assert ws.print_area.endswith(f"${ws.max_row}"), ws.title
        for j, cell in enumerate(next(ws.iter_rows(max_row=1)), start=1):
            assert cell.alignment.wrap_text, (ws.title, cell.coordinate)
            assert ws.column_dimensions[cell.column_letter].width, (ws.title, cell.column_letter)
    assert wb["Agents"].page_setup.orientation == "landscape"  # 24 columns


def test_customer_text_is_never_a_formula_on_any_sheet(book):
    _, data, wb = book
    text = [(t, c) for t, c in _cells(wb) if isinstance(c.value, str)]
    hostile = [c.value for _, c in text if c.value[:1] in "=+-@"]
    assert any(v.startswith("=HYPERLINK") for v in hostile) and "=refund" in hostile and "+44 call me" in hostile
    assert all(c.data_type == "s" and c.quotePrefix for _, c in text)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert all("<f>" not in x and "<f " not in x for x in xml)


def test_the_columns_file_names_every_field_a_run_writes(book):
    audit, _, _ = book
    agent_fields = {k for card in audit["metrics"]["agents"]["scorecards"] for k in card} | {"best"}
    assert agent_fields == {c.key for c in wb_columns.columns("Agents")}
    trend_fields = set(trends_table(audit["metrics"]["trends"]).columns)
    assert trend_fields == {c.key for c in wb_columns.columns("Trends")}


@pytest.mark.parametrize("text, message", [
    ("units: {}\n", "exactly the keys"),
    ("units: {share: {kind: fraction}}\nsheets: {}\n", "kind 'fraction'"),
    ("units: {share: {kind: percent}}\nsheets: {Topics: {columns: {posts: {header: Posts, unit: hours}}}}\n",
     "unit 'hours'"),
    ("units: {}\nsheets: {Topics: {columns: {posts: {header: Posts, colour: red}}}}\n", "Topics/columns/posts"),
])
def test_a_malformed_columns_file_is_refused_by_name(tmp_path, monkeypatch, text, message):
    path = tmp_path / "columns.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(wb_columns, "PATH", path)
    wb_columns._load.cache_clear()
    try:
        with pytest.raises(wb_columns.ColumnsError, match=re.escape(message)):
            wb_columns.columns("Topics")
    finally:
        monkeypatch.undo()
        wb_columns._load.cache_clear()
