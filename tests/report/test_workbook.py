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
#: metrics.agents as audit.metrics.agents.summary writes it (one scored agent, the pooled rest)
AGENTS = {"available": True, "min_replies": 20, "replies": 50, "signed_replies": 40, "signed_share": 0.8,
          "scored_agents": 1, "best": ["AcmeHelp/=HYPERLINK(1)"], "definitions": {"replies": "Signed replies."},
          "scorecards": [
              {"brand": "AcmeHelp", "agent": "=HYPERLINK(1)", "agents": 1, "replies": 40, "conversations": 38,
               "timed_replies": 39, "median_reply_min": 16.4, "median_reply_min_low": 12.15, "median_reply_min_high": 21.45,
               "personalised": 11, "personalised_share": 0.275, "personalised_share_low": 0.16, "personalised_share_high": 0.43,
               "private": 19, "private_share": 0.475, "private_share_low": 0.33, "private_share_high": 0.62,
               "negative_conversations": 10, "recovered": 9, "recovery_rate": 0.9, "recovery_rate_low": 0.6,
               "recovery_rate_high": 0.98, "scored": True},
              {"brand": "AcmeHelp", "agent": "other agents", "agents": 3, "replies": 10, "conversations": 9,
               "timed_replies": 9, "median_reply_min": 70.0, "median_reply_min_low": None, "median_reply_min_high": None,
               "personalised": 1, "personalised_share": 0.1, "private": 0, "private_share": 0.0,
               "negative_conversations": 0, "recovered": 0, "recovery_rate": None, "scored": False}]}
#: topics.json's shape: lists and mappings that must never reach a cell as JSON
TOPICS = {"posts": 12, "topics": [{"topic": 0, "label": "=refund", "posts": 12, "negative_share": 0.5,
                                   "complaint_share": 0.75, "question_share": 0.25, "response_rate": 0.9167,
                                   "first_response_median_s": 4530.0, "owner": "Billing", "owner_share": 0.5,
                                   "keywords": ["refund", "card"], "examples": ["+44 call me", "second"],
                                   "shares": {"Billing": 0.5}, "weekly": {"2017-10-02": 12}}]}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("wb") / "acme"
    audit = make_run(run_dir, export(200, 0.5, 0.3, days=70, first_text=FORMULA_POST, peer=20))
    return run_dir, audit, load_workbook(run_dir / runfolder.AUDIT_XLSX)


def _rows(ws):
    return [[c for c in row] for row in ws.iter_rows()]


def _header(ws) -> list:
    return [c.value for c in next(ws.iter_rows(max_row=1))]


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
    header = _header(ws)
    value, key = header.index("Value"), header.index("Metric key")
    by_key = {(r[0].value, r[key].value): r for r in _rows(ws)[1:] if r[key].value}
    rate = by_key[("All client handles", "response_rate")][value]
    assert rate.data_type == "n" and rate.value == round(audit["metrics"]["overall"]["response_rate"], 2)
    assert rate.number_format == "0%"  # as the playbook prints a share
    frt = by_key[("All client handles", "first_response_median_min")][value]
    assert frt.is_date and frt.number_format == "[h]:mm"  # a duration, not minutes as a bare number
    assert frt.value == dt.timedelta(minutes=round(audit["metrics"]["overall"]["first_response_median_min"]))
    denominator = by_key[("All client handles", "response_rate")][header.index("Denominator")]
    assert denominator.value == audit["metrics"]["counts"]["response_rate"]["denominator"]
    assert ("OtherCo", "response_rate") in by_key  # peers listed too, marked as such
    assert by_key[("OtherCo", "response_rate")][header.index("Role")].value == "peer"
    summary = {r[0].value: r[1] for r in _rows(wb["Summary"])}
    assert summary["Period start"].value == dt.datetime(2017, 10, 2)
    assert summary["Period start"].number_format == "yyyy-mm-dd"
    assert summary["Customer conversations answered (%)"].number_format == "0%"


def test_trends_and_criteria_sheets(run):
    _, audit, wb = run
    months = [r[0].value for r in _rows(wb["Trends"])[1:]]
    assert months == [m["month"] for m in audit["metrics"]["trends"]["months"]] and len(months) == 3
    crit = _rows(wb["Criteria"])
    header = [c.value for c in crit[0]]
    refs = {r[header.index("Criterion key")].value for r in crit[1:]}
    expected = {c["ref"] for d in audit["maturity"]["dimensions"].values() for c in d["criteria"].values()}
    assert refs == expected and "Evidence: denominator" in header
    assert header.index("Active: result") == header.index("Active: threshold") + 1  # a level's pair side by side


def test_agents_and_topics_say_when_missing_and_are_laid_out_when_present(run):
    _, audit, wb = run
    assert wb["Agents"]["A1"].value.startswith("Agents: not available in this run. ")  # + metrics.agents' reason
    assert wb["Topics"]["A1"].value.startswith("Topics: not available in this run. ")  # + why
    assert not audit["topics"]["topics"]  # this small run finds none
    wb2 = workbook.build({**audit, "topics": TOPICS, "metrics": {**audit["metrics"], "agents": AGENTS}})
    agents, topics = _rows(wb2["Agents"]), _rows(wb2["Topics"])
    head = [c.value for c in agents[0]]
    assert head[:3] == ["Brand handle", "Agent", "Among the best"]
    row = dict(zip(head, agents[1]))
    assert row["Agent"].value == "=HYPERLINK(1)" and row["Agent"].data_type == "s" and row["Agent"].quotePrefix
    assert row["Among the best"].value == "yes" and row["Signed replies"].value == 40
    assert row["Recovered (%)"].value == 0.9 and row["Recovered (%)"].number_format == "0%"
    assert row["Reply time, median (h:mm)"].value == dt.timedelta(minutes=16)
    assert "Signed replies: 40 of the client's 50 replies (80%)." in [r[0].value for r in agents]
    topic = dict(zip([c.value for c in topics[0]], topics[1]))
    assert topic["Topic"].value == "=refund" and topic["Topic"].data_type == "s"
    assert topic["Negative (%)"].number_format == "0%" and topic["Keywords"].value == "refund, card"
    assert topic["First response, median (h:mm)"].value == dt.timedelta(minutes=76)  # 4,530 s
    assert topic["Example (masked)"].value == "+44 call me" and topic["Example (masked)"].quotePrefix
    unsigned = {**AGENTS, "available": False, "reason": "None of the client's replies is signed by an agent."}
    ws = workbook.build({**audit, "metrics": {**audit["metrics"], "agents": unsigned}})["Agents"]
    assert ws["A1"].value == "Agents: not available in this run. None of the client's replies is signed by an agent."
    assert wb2["Unanswered complaints"]["A1"].value.endswith("not available in this run.")


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
    header = _header(ws)
    key = header.index("Metric key")
    rows = {(r[0].value, r[key].value): r for r in _rows(ws)[1:] if r[key].value}
    low, high = header.index("95% low"), header.index("95% high")
    rate = rows[("All client handles", "response_rate")]
    assert (rate[low].value, rate[high].value) == (0.43, 0.57) and rate[low].number_format == "0%"
    p90 = rows[("All client handles", "first_response_p90_min")]
    assert p90[low].value == dt.timedelta(minutes=12) and p90[high].value is None  # unbounded above: left empty
    peer = rows[("OtherCo", "response_rate")]
    assert peer[low].value == 0.8 and peer[header.index("Denominator")].value == 20
