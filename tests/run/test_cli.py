"""End to end: `social-audit run` and `batch` through papermill on a small real-shaped export.

One full run is shared by most assertions (a run costs ~30 s: four kernels, two models).
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from audit.common import runfolder
from audit.run.cli import main
from audit.run.config import RunConfig

LEVELS = {"passive", "active", "strategic", "cross_functional"}


@pytest.fixture(scope="module")
def acme_run(small_export, tmp_path_factory):
    data, frame = small_export
    out = tmp_path_factory.mktemp("runs")
    code = main(["run", "--data", data, "--client", "Acme Corp", "--brand", "Acme", "--brand", "AcmeHelp",
                 "--out", str(out)])
    return code, out / "acme-corp", frame, data, out


def test_run_writes_the_run_folder(acme_run):
    code, run_dir, frame, _, _ = acme_run
    assert code == 0
    for name in (runfolder.AUDIT_JSON, runfolder.QUARANTINE, runfolder.PLAYBOOK_HTML, runfolder.PLAYBOOK_PDF, runfolder.MESSAGES,
                 runfolder.CONVERSATIONS, runfolder.SCORES, runfolder.INTENTS, runfolder.RUN_LOG):
        assert (run_dir / name).is_file(), name
    for nb in ("01_ingest", "02_sentiment", "03_analysis", "04_playbook"):
        assert (run_dir / "notebooks" / f"{nb}.ipynb").is_file()
    assert (run_dir / runfolder.PLAYBOOK_PDF).read_bytes()[:5] == b"%PDF-"
    assert any((run_dir / runfolder.CHARTS).glob("*.svg"))
    # the bundled model's licence is the consultant's to know: in the run log, not the client's PDF
    assert "CC BY-NC-SA" in json.loads((run_dir / runfolder.RUN_LOG).read_text())["model"]["licence"]


def test_every_input_row_is_accounted_for(acme_run):
    _, run_dir, frame, _, _ = acme_run
    audit = json.loads((run_dir / runfolder.AUDIT_JSON).read_text())
    acc = audit["accounting"]
    assert audit["schema_version"]
    assert acc["input_rows"] == len(frame) == acc["accepted"] + acc["quarantined"]
    quarantine = pd.read_csv(run_dir / runfolder.QUARANTINE, dtype=str)
    assert len(quarantine) == acc["quarantined"] == 1
    assert quarantine["reason"].tolist() == ["bad_timestamp"]
    messages = pd.read_parquet(run_dir / runfolder.MESSAGES)
    assert len(messages) == acc["accepted"]
    assert audit["maturity"]["level"] in LEVELS
    assert set(audit["metrics"]["scope"]["client_handles"]) == {"Acme", "AcmeHelp"}
    # what customers write about: every customer post to the client has a topic row, and only those
    topic_posts = pd.read_parquet(run_dir / runfolder.TOPIC_POSTS)
    to_client = messages["is_customer"] & messages["brand"].isin(["Acme", "AcmeHelp"])
    assert set(topic_posts["message_id"]) == set(messages.loc[to_client, "message_id"])
    assert audit["topics"]["posts"] <= len(topic_posts) and audit["topics"]["topics"]


def test_quarantine_csv_neutralises_formulas(acme_run):
    _, run_dir, _, _, _ = acme_run
    raw = (run_dir / runfolder.QUARANTINE).read_text()
    assert "=cmd|" not in raw.replace("'=cmd|", "")  # only the neutralised form appears
    assert "'=cmd|" in raw


def test_hostile_text_is_escaped_in_every_html_output(acme_run):
    _, run_dir, _, _, _ = acme_run
    analysis = (run_dir / "notebooks" / "03_analysis.html").read_text()
    playbook = (run_dir / runfolder.PLAYBOOK_HTML).read_text()
    # the unanswered examples in the analysis notebook show the hostile posts, as text
    assert "still no refund" in analysis and "my order never arrived" in analysis
    for html in (analysis, playbook):
        assert "<script>alert(1)" not in html
        assert "<img src=x onerror" not in html and "<img src=\"x\" onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in analysis
    # the export works offline: no script or stylesheet fetched from the network
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", analysis)
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", playbook)


def test_rerun_resumes_and_is_deterministic(acme_run):
    code, run_dir, _, data, out = acme_run
    before = (run_dir / runfolder.AUDIT_JSON).read_bytes()
    assert main(["run", "--data", data, "--client", "Acme Corp", "--brand", "Acme", "--brand", "AcmeHelp",
                 "--out", str(out)]) == 0
    log = json.loads((run_dir / runfolder.RUN_LOG).read_text())
    assert {s["status"] for s in log["stages"].values()} == {"reused"}
    # a fresh run into another folder (cache warm) gives a byte-identical audit.json
    assert main(["run", "--data", data, "--client", "Acme Corp", "--brand", "Acme", "--brand", "AcmeHelp",
                 "--out", str(out / "again"), "--no-pdf"]) == 0
    assert (out / "again" / "acme-corp" / runfolder.AUDIT_JSON).read_bytes() == before
    scoring = json.loads((out / "again" / "acme-corp" / runfolder.SCORE_SUMMARY).read_text())
    assert scoring["cache"]["hit_rate"] == 1.0


def test_timezone_moves_the_hours_of_the_week_and_bad_zones_are_refused(acme_run, capsys):
    _, run_dir, _, data, out = acme_run
    utc = json.loads((run_dir / runfolder.AUDIT_JSON).read_text())["metrics"]
    args = ["run", "--data", data, "--client", "Acme Corp", "--brand", "Acme", "--brand", "AcmeHelp",
            "--out", str(out), "--no-pdf"]
    assert main(args + ["--timezone", "America/New_York"]) == 0
    local = json.loads((run_dir / runfolder.AUDIT_JSON).read_text())["metrics"]
    assert local["scope"]["tz"] == "America/New_York"
    # New York is 4-5 hours behind UTC: the same posts land in earlier hours of the week
    assert sum(local["series"]["inbound_by_hour_of_week"]) == sum(utc["series"]["inbound_by_hour_of_week"])
    assert local["series"]["inbound_by_hour_of_week"] != utc["series"]["inbound_by_hour_of_week"]
    assert local["overall"]["response_rate"] == utc["overall"]["response_rate"]
    assert main(args + ["--timezone", "Mars/Olympus_Mons"]) == 2
    assert "Unknown time zone 'Mars/Olympus_Mons'" in capsys.readouterr().err


def test_since_until_set_the_analysis_window_and_keep_the_row_accounting(acme_run, capsys):
    _, run_dir, frame, data, out = acme_run
    whole = json.loads((run_dir / runfolder.AUDIT_JSON).read_text())
    start = pd.Timestamp(whole["metrics"]["scope"]["period"]["start"])
    since, until = (start + pd.Timedelta(days=7)).date(), (start + pd.Timedelta(days=13)).date()
    args = ["run", "--data", data, "--client", "Acme Corp", "--brand", "Acme", "--brand", "AcmeHelp",
            "--out", str(out), "--no-pdf"]
    try:
        assert main(args + ["--since", str(since), "--until", str(until)]) == 0
        week = json.loads((run_dir / runfolder.AUDIT_JSON).read_text())
        window = week["metrics"]["scope"]["window"]
        assert window["start_source"] == window["end_source"] == "explicit"
        assert week["metrics"]["scope"]["period"]["days"] == 7
        assert window["excluded_by_reason"]["before_since"] > 0 and window["excluded_by_reason"]["after_until"] > 0
        assert 0 < week["metrics"]["overall"]["inbound_posts"] < whole["metrics"]["overall"]["inbound_posts"]
        assert week["accounting"] == whole["accounting"]                    # nothing dropped from the accounting
        appendix = week["playbook"]["appendix"]
        assert "set by --since/--until" in appendix["data_quality_note"]
        assert main(args + ["--since", "2017-13-45"]) == 2
        assert "Cannot read the date '2017-13-45'" in capsys.readouterr().err
    finally:
        assert main(args) == 0                                              # back to the detected window


def test_batch_passes_each_clients_window(tmp_path):
    from audit.run import batch
    from audit.run.cli import build_parser

    spec = tmp_path / "clients.yaml"
    spec.write_text("data: x.csv\nclients:\n  - {name: A, since: '2017-10-01', until: 2017-12-31}\n  - {name: B}\n")
    args = build_parser().parse_args(["batch", str(spec), "--since", "2017-11-01"])
    a, b = batch.configs(str(spec), args)
    cmd_a, cmd_b = batch.command(a), batch.command(b)
    assert cmd_a[cmd_a.index("--since") + 1] == "2017-10-01" and cmd_a[cmd_a.index("--until") + 1] == "2017-12-31"
    assert cmd_b[cmd_b.index("--since") + 1] == "2017-11-01" and "--until" not in cmd_b


def test_business_hours_reach_the_figures_the_notebook_and_the_playbook(acme_run):
    _, run_dir, _, data, out = acme_run
    args = ["run", "--data", data, "--client", "Acme Corp", "--brand", "Acme", "--brand", "AcmeHelp",
            "--out", str(out), "--no-pdf"]
    assert main(args + ["--business-hours", "Mon-Sun 00:00-24:00", "--holidays", "US"]) == 0
    m = json.loads((run_dir / runfolder.AUDIT_JSON).read_text())["metrics"]
    hours = m["scope"]["business_hours"]
    assert (hours["spec"], hours["holidays"], hours["hours_per_week"]) == ("Mon-Sun 00:00-24:00", "US", 168)
    if not hours["holidays_in_period"]:  # open round the clock: in-hours figures are the overall ones
        assert m["overall"]["business_hours_response_rate"] == m["overall"]["response_rate"]
    defs = m["reply_time_definitions"]
    assert defs["business_hours_first_response"]["n"] == defs["conversation_first_response"]["n"] > 0
    assert "How your tools would report it" in (run_dir / runfolder.PLAYBOOK_HTML).read_text()
    assert "Reply time, the way each tool counts it" in (run_dir / runfolder.NOTEBOOKS / "03_analysis.html").read_text()
    assert main(args) == 0  # back to the default hours for the tests that follow


def test_failed_stage_names_notebook_and_cell_and_keeps_the_previous_playbook(acme_run, tmp_path, capsys):
    _, run_dir, _, data, out = acme_run
    good = (run_dir / runfolder.PLAYBOOK_HTML).read_bytes()
    scores = run_dir / runfolder.SCORES
    saved = scores.read_bytes()
    scores.write_bytes(b"not parquet")  # a corrupted intermediate file
    rubric = tmp_path / "rubric.yaml"
    shutil.copy(Path("audit/grading/rubrics/default.yaml"), rubric)
    rubric.write_text(rubric.read_text() + "\n# tuned\n")  # a changed rubric re-runs analysis
    try:
        code = main(["run", "--data", data, "--client", "Acme Corp", "--brand", "Acme", "--brand", "AcmeHelp",
                     "--out", str(out), "--rubric", str(rubric)])
        err = capsys.readouterr().err
        assert code == 1
        assert "Stage 'analysis' failed in notebook 03_analysis.ipynb, cell" in err
        assert "Traceback" not in err
        assert (run_dir / runfolder.PLAYBOOK_HTML).read_bytes() == good
    finally:
        scores.write_bytes(saved)


def test_missing_brand_and_missing_file_are_clear_errors(small_export, tmp_path, capsys):
    data, _ = small_export
    code = main(["run", "--data", data, "--client", "X", "--brand", "NoSuchBrand", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "NoSuchBrand" in err and "AcmeHelp" in err and "Traceback" not in err
    code = main(["run", "--data", data, "--client", "X", "--rubric", str(tmp_path / "missing.yaml"), "--out", str(tmp_path)])
    assert code == 2 and "no such file" in capsys.readouterr().err


def test_rubric_typo_fails_the_run_with_the_valid_names(acme_run, tmp_path, capsys):
    _, _, _, data, out = acme_run
    rubric = tmp_path / "typo.yaml"
    text = Path("audit/grading/rubrics/default.yaml").read_text()
    assert "metric: response_rate" in text
    rubric.write_text(text.replace("metric: response_rate", "metric: respones_rate", 1))
    code = main(["run", "--data", data, "--client", "Acme Corp", "--brand", "Acme", "--brand", "AcmeHelp",
                 "--out", str(out), "--rubric", str(rubric)])
    err = capsys.readouterr().err
    assert code == 2
    assert "respones_rate" in err and "first_response_median_min" in err and "Traceback" not in err


def test_client_names_cannot_escape_the_output_folder(tmp_path):
    for name in ("../../etc", "/etc/passwd", "..", "a/../../b"):
        run_dir = RunConfig(data="x", client=name, out=str(tmp_path / "outputs")).run_dir()
        assert run_dir.resolve().is_relative_to((tmp_path / "outputs").resolve()), name
        assert run_dir.resolve() != (tmp_path / "outputs").resolve()


def test_killed_run_resumes_from_finished_stages(small_export, tmp_path):
    data, _ = small_export
    cmd = [sys.executable, "-m", "audit.run.cli", "run", "--data", data, "--client", "Killed", "--brand", "BrightMobile",
           "--out", str(tmp_path), "--no-pdf"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    run_dir = tmp_path / "killed"
    deadline = time.time() + 120
    state = run_dir / ".stages.json"

    def ingest_done() -> bool:
        try:
            return "ingest" in json.loads(state.read_text())
        except (OSError, ValueError):
            return False

    while not ingest_done() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert proc.poll() is None, "the run ended before it could be killed"
    import os

    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: papermill's kernel too
    proc.wait()
    assert not (run_dir / runfolder.AUDIT_JSON).exists()
    assert main(cmd[3:]) == 0
    log = json.loads((run_dir / runfolder.RUN_LOG).read_text())
    assert log["stages"]["ingest"]["status"] == "reused"
    assert log["stages"]["playbook"]["status"] == "ran"
    assert not list(run_dir.glob("*.tmp*")) and not list(run_dir.glob(".*.tmp*"))


def test_batch_reports_a_failing_client_and_finishes_the_others(small_export, tmp_path, capsys):
    data, _ = small_export
    clients = tmp_path / "clients.yaml"
    clients.write_text(f"data: {data}\nclients:\n  - name: Bright\n    brands: [BrightMobile]\n"
                       f"  - name: Ghost\n    brands: [GhostBrand]\n")
    code = main(["batch", str(clients), "--out", str(tmp_path / "out"), "--no-pdf"])
    out = capsys.readouterr().out
    assert code == 1
    assert re.search(r"Bright\s+ok\s+\w+", out) and re.search(r"Ghost\s+FAILED", out)
    assert "1 of 2 client(s) audited" in out
    assert (tmp_path / "out" / "bright" / runfolder.PLAYBOOK_HTML).is_file()


def test_sentiment_command_writes_formula_safe_scores(small_export, tmp_path):
    data, frame = small_export
    out = tmp_path / "scores.csv"
    assert main(["sentiment", "--data", data, "--text-column", "text", "--out", str(out)]) == 0
    scores = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(scores) == len(frame)
    assert set(scores["sentiment_label"]) <= {"negative", "neutral", "positive"}
    assert set(scores["intent"]) <= {"question", "complaint", "compliment", "other"}
    assert scores[["p_question", "p_complaint", "p_compliment"]].astype(float).apply(lambda c: c.between(0, 1).all()).all()
    assert not scores["text"].str.startswith(("=", "+", "@", "-")).any()
    with pytest.raises(SystemExit):
        main(["sentiment", "--help"])
