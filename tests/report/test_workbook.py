"""audit.xlsx: written by every run, typed cells, customer text never a formula."""
from __future__ import annotations

import datetime as dt
import time
import zipfile

import pytest
from openpyxl import load_workbook

from audit.common import runfolder
from audit.report import workbook
from tests.helpers.runfolders import export, make_run

FORMULA_POST = '=HYPERLINK("http://evil.example/","click") @AcmeHelp negative, call +44 20 7946 0958 \x07'


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("wb") / "acme"
    audit = make_run(run_dir, export(200, 0.5, 0.3, days=70, first_text=FORMULA_POST, peer=20))
    return run_dir, audit, load_workbook(run_dir / runfolder.AUDIT_XLSX)


def _rows(ws):
    return [[c for c in row] for row in ws.iter_rows()]


def test_every_run_writes_the_expected_sheets(run):
    _, _, wb = run
    assert wb.sheetnames == list(workbook.SHEETS)


def test_a_post_beginning_with_equals_stays_text_and_is_masked(run):
    run_dir, _, wb = run
    ws = wb["Unanswered complaints"]
    posts = [row[6] for row in _rows(ws)[1:]]
    hostile = [c for c in posts if str(c.value).startswith("=HYPERLINK")]
    assert len(hostile) == 1
    cell = hostile[0]
    assert cell.data_type == "s" and cell.quotePrefix
    assert "[phone]" in cell.value and "7946" not in cell.value and "\x07" not in cell.value
    # and in the file itself: no formula element anywhere in that sheet
    with zipfile.ZipFile(run_dir / runfolder.AUDIT_XLSX) as z:
        sheet_xml = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
    assert all("<f>" not in xml and "<f " not in xml for xml in sheet_xml.values())


def test_unanswered_complaints_match_the_playbooks_count(run):
    _, audit, wb = run
    counted = audit["playbook"]["inputs"]["current_state"]["complaints"]["unanswered_complaints"]
    rows = _rows(wb["Unanswered complaints"])[1:]
    assert counted > 0 and len(rows) == counted
    assert all(isinstance(r[0].value, dt.datetime) for r in rows)


def test_numbers_are_numbers_with_formats(run):
    _, audit, wb = run
    ws = wb["Metrics by brand"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    by_key = {(r[0].value, r[2].value): r for r in _rows(ws)[1:] if r[2].value}
    rate = by_key[("All client handles", "response_rate")][header.index("Value")]
    assert rate.data_type == "n" and rate.value == pytest.approx(audit["metrics"]["overall"]["response_rate"])
    assert rate.number_format == "0.0%"
    frt = by_key[("All client handles", "first_response_median_min")][header.index("Value")]
    assert frt.data_type == "n" and frt.number_format == "#,##0.0"
    denominator = by_key[("All client handles", "response_rate")][header.index("Denominator")]
    assert denominator.value == audit["metrics"]["counts"]["response_rate"]["denominator"]
    assert ("OtherCo", "response_rate") in by_key  # peers listed too, marked as such
    assert by_key[("OtherCo", "response_rate")][1].value == "peer"
    summary = {r[0].value: r[1] for r in _rows(wb["Summary"])}
    assert summary["Period start"].value == dt.datetime(2017, 10, 2)
    assert summary["Period start"].number_format == "yyyy-mm-dd"
    assert summary["Customer conversations answered"].number_format == "0.0%"


def test_trends_and_criteria_sheets(run):
    _, audit, wb = run
    months = [r[0].value for r in _rows(wb["Trends"])[1:]]
    assert months == [m["month"] for m in audit["metrics"]["trends"]["months"]] and len(months) == 3
    crit = _rows(wb["Criteria"])
    header = [c.value for c in crit[0]]
    refs = {r[1].value for r in crit[1:]}
    expected = {c["ref"] for d in audit["maturity"]["dimensions"].values() for c in d["criteria"].values()}
    assert refs == expected and "Evidence: denominator" in header


def test_agents_and_topics_say_when_missing_and_are_laid_out_when_present(run):
    _, audit, wb = run
    assert wb["Agents"]["A1"].value.startswith("Agents: not available in this run. ")  # + metrics.agents' reason
    assert wb["Topics"]["A1"].value.startswith("Topics: not available in this run. ")  # + why
    assert not audit["topics"]["topics"]  # this small run finds none
    richer = {**audit, "topics": {"posts": 12, "topics": [{"topic": 0, "label": "=refund", "posts": 12, "negative_share": 0.5,
                                                                 "keywords": ["refund", "card"], "shares": {"Billing": 0.5}}]},
              "metrics": {**audit["metrics"], "agents": {"^JS": {"replies": 40, "response_rate": 0.9}}}}
    wb2 = workbook.build(richer)
    agents, topics = _rows(wb2["Agents"]), _rows(wb2["Topics"])
    assert [c.value for c in agents[0]] == ["name", "replies", "response_rate"]
    assert agents[1][1].value == 40 and agents[1][2].number_format == "0.0%"
    assert topics[1][0].value == "=refund" and topics[1][0].data_type == "s"
    assert topics[0][0].value == "Topic" and topics[1][4].number_format == "0.0%"  # human headers, typed shares
    assert not any(str(c.value).startswith(("{", "[")) for row in topics for c in row)  # no JSON in cells
    assert wb2["Unanswered complaints"]["A1"].value.endswith("not available in this run.")
    scored = {**audit, "metrics": {**audit["metrics"], "agents": {"available": True, "best": ["Acme/AB"], "scorecards": [
        {"brand": "Acme", "agent": "AB", "replies": 25, "recovery_rate": 0.6}]}}}
    rows = _rows(workbook.build(scored)["Agents"])  # audit.metrics.agents.summary's shape: the scorecards are the rows
    assert [c.value for c in rows[0]] == ["brand", "agent", "replies", "recovery_rate"] and rows[1][1].value == "AB"


def test_the_workbook_is_deterministic(run, monkeypatch):
    run_dir, audit, _ = run
    first = (run_dir / runfolder.AUDIT_XLSX).read_bytes()
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3 * 86400)  # zip members are stamped with the clock
    workbook.write(run_dir, audit)
    assert (run_dir / runfolder.AUDIT_XLSX).read_bytes() == first


def test_intervals_fill_the_low_and_high_columns(run):
    _, audit, _ = run
    metrics = {**audit["metrics"],
               "intervals": {"overall": {"response_rate": [0.43, 0.57], "first_response_p90_min": [12.0, None]},
                             "by_brand": {"OtherCo": {"response_rate": [0.8, 1.0]}}},
               "interval_n": {"overall": {}, "by_brand": {"OtherCo": {"response_rate": 20}}}}
    ws = workbook.build({**audit, "metrics": metrics})["Metrics by brand"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    rows = {(r[0].value, r[2].value): r for r in _rows(ws)[1:] if r[2].value}
    low, high = header.index("95% low"), header.index("95% high")
    rate = rows[("All client handles", "response_rate")]
    assert (rate[low].value, rate[high].value) == (0.43, 0.57) and rate[low].number_format == "0.0%"
    p90 = rows[("All client handles", "first_response_p90_min")]
    assert p90[low].value == 12.0 and p90[high].value is None  # unbounded above: left empty
    peer = rows[("OtherCo", "response_rate")]
    assert peer[low].value == 0.8 and peer[header.index("Denominator")].value == 20
