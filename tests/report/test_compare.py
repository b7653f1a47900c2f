"""social-audit compare: verdicts follow the evidence, the earlier roadmap is checked, and runs of
different handles or rubrics are refused."""
from __future__ import annotations

import json
import shutil

import pytest

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.report import progress as compare
from audit.report.figures import Figure
from audit.run import cli
from tests.helpers.runfolders import export, make_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Four quarters of one client: answers half, then 90%, then 55%, then half again."""
    root = tmp_path_factory.mktemp("compare")
    plans = {"q1": (0.5, "2017-10-02", 0), "q2": (0.9, "2018-01-01", 1), "q3": (0.55, "2018-04-02", 2),
             "q4": (0.5, "2018-07-02", 3)}
    for name, (answered, start, seed) in plans.items():
        make_run(root / name, export(200, answered, 0.3, start=start, days=70, seed=seed, peer=20))
    return root


def _verdicts(report):
    return {r["metric"]: r["verdict"] for r in report["kpis"]["rows"]}


def test_a_real_improvement_is_better_and_the_level_goes_up(runs):
    report = compare.build(compare.load_run(runs / "q1"), compare.load_run(runs / "q2"))
    v = _verdicts(report)
    assert v["response_rate"] == "better" and v["first_response_within_1h"] == "better"
    assert v["unanswered_negative_share"] == "better"       # lower is better: fell from most to a third
    assert v["customer_conversations"] == "not judged"      # volume
    # every reply takes 20 minutes in both runs: equal medians, overlapping 95% intervals
    assert v["first_response_median_min"] == "no clear change"
    assert next(r for r in report["kpis"]["rows"] if r["metric"] == "first_response_median_min")["basis"] == \
        "95% intervals overlap"
    assert report["level"]["changed"] and report["level"]["sentence"].startswith("Up from")
    rate = next(r for r in report["kpis"]["rows"] if r["metric"] == "response_rate")
    assert (rate["then"]["numerator"], rate["then"]["denominator"]) == (100, 200)
    assert (rate["now"]["numerator"], rate["now"]["denominator"]) == (180, 200)


def test_a_small_change_is_no_clear_change(runs):
    report = compare.build(compare.load_run(runs / "q1"), compare.load_run(runs / "q3"))
    rate = next(r for r in report["kpis"]["rows"] if r["metric"] == "response_rate")
    assert rate["now"]["value"] > rate["then"]["value"]      # 55% > 50% ...
    assert rate["verdict"] == "no clear change" and rate["p_value"] > 0.05  # ... but within noise at n=200


def test_a_real_drop_is_worse_and_shows_as_a_new_gap(runs):
    earlier, later = compare.load_run(runs / "q2"), compare.load_run(runs / "q4")
    report = compare.build(earlier, later)
    assert _verdicts(report)["response_rate"] == "worse"
    assert report["level"]["sentence"].startswith("Down from")
    gaps = {g["ref"] for g in report["gaps"]["rows"]}
    assert "responsiveness.response_rate" in gaps


def test_the_earlier_roadmap_is_marked_met_or_not(runs):
    report = compare.build(compare.load_run(runs / "q1"), compare.load_run(runs / "q2"))
    status = {r["ref"]: r["status"] for r in report["roadmap"]["rows"]}
    assert status["responsiveness.response_rate"] == "met"
    assert any(s == "not met" for s in status.values())
    assert report["roadmap"]["lead"].startswith(f"{sum(s == 'met' for s in status.values())} of {len(status)}")


def test_two_proportion_test_matches_the_textbook_value():
    # 50/100 vs 65/100: pooled p = 0.575, z = 2.146, two-sided p = 0.0319
    assert compare.two_proportion_p(50, 100, 65, 100) == pytest.approx(0.0319, abs=5e-4)
    assert compare.two_proportion_p(0, 50, 0, 80) == 1.0


def test_figures_without_counts_are_judged_by_their_intervals():
    judge = compare.judge
    assert judge(Figure(60.0, low=50, high=70), Figure(30.0, low=20, high=40), "minutes", False)["verdict"] == "better"
    assert judge(Figure(30.0, low=20, high=40), Figure(60.0, low=50, high=70), "minutes", False)["verdict"] == "worse"
    assert judge(Figure(40.0, low=30, high=50), Figure(35.0, low=25, high=45), "minutes", False)["verdict"] == "no clear change"
    assert judge(Figure(40.0), Figure(35.0, low=25, high=45), "minutes", False)["verdict"] == "not judged"
    assert judge(Figure(None), Figure(35.0), "minutes", False)["verdict"] == "no data"


def test_different_handles_or_rubrics_are_refused_with_what_differs(runs, tmp_path, capsys):
    earlier = compare.load_run(runs / "q1")
    other = json.loads(json.dumps(compare.load_run(runs / "q2")))
    other["metrics"]["scope"]["client_handles"] = ["OtherCo"]
    with pytest.raises(AuditInputError, match="brand handles differ: AcmeHelp then, OtherCo now"):
        compare.build(earlier, other)
    tuned = json.loads(json.dumps(compare.load_run(runs / "q2")))
    crit = tuned["maturity"]["dimensions"]["responsiveness"]["criteria"]["response_rate"]
    next(iter(crit["levels"].values()))["threshold"] = 0.99
    with pytest.raises(AuditInputError, match="thresholds differ .*responsiveness.response_rate"):
        compare.build(earlier, tuned)
    # through the command: exit 2, one line, no traceback
    folder = tmp_path / "other"
    shutil.copytree(runs / "q2", folder)
    runfolder.write_json(other, folder / runfolder.AUDIT_JSON)
    assert cli.main(["compare", str(runs / "q1"), str(folder), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: These two runs cannot be compared") and "Traceback" not in err
    assert cli.main(["compare", str(runs / "q2"), str(runs / "q1"), "--no-pdf"]) == 2  # wrong order
    assert "give the earlier run first" in capsys.readouterr().err
    assert cli.main(["compare", str(tmp_path / "nowhere"), str(runs / "q1")]) == 2


def test_command_writes_the_report_in_the_playbook_look(runs, tmp_path):
    out = tmp_path / "progress"
    assert cli.main(["compare", str(runs / "q1"), str(runs / "q2"), "--out", str(out)]) == 0
    html = (out / compare.PROGRESS_HTML).read_text()
    assert "Progress report" in html and 'class="chip better"' in html and "<script" not in html
    assert "two-proportion z-test" in html and "Days 1-30" in html
    assert (out / compare.PROGRESS_PDF).read_bytes().startswith(b"%PDF")
    assert json.loads((out / compare.PROGRESS_JSON).read_text())["meta"]["then"]["label"] == "Passive (invisible)"


def test_intervals_in_audit_json_decide_medians_and_show_as_evidence(runs):
    """The interval shape of metrics.intervals / interval_n (a null high: unbounded above)."""
    earlier = json.loads(json.dumps(compare.load_run(runs / "q1")))
    later = json.loads(json.dumps(compare.load_run(runs / "q2")))
    for audit, median, ci, p90_ci in ((earlier, 95.0, [80.0, 110.0], [50.0, None]),
                                      (later, 30.0, [25.0, 36.0], [60.0, 90.0])):
        audit["metrics"]["overall"]["first_response_median_min"] = median
        audit["metrics"]["intervals"] = {"overall": {"first_response_median_min": ci,
                                                     "first_response_p90_min": p90_ci,
                                                     "response_rate": [0.43, 0.57]}, "by_brand": {}}
        audit["metrics"]["interval_n"] = {"overall": {"first_response_median_min": 100}, "by_brand": {}}
    report = compare.build(earlier, later)
    rows = {r["metric"]: r for r in report["kpis"]["rows"]}
    assert rows["first_response_median_min"]["verdict"] == "better"          # lower is better, no overlap
    assert rows["first_response_median_min"]["basis"] == "95% intervals do not overlap"
    assert rows["first_response_p90_min"]["verdict"] == "no clear change"    # [50, inf) holds [60, 90]
    table = {r["kpi"]: r for r in report["kpis"]["table"]["rows"]}
    assert table["Median first response"]["then_evidence"] == "95% CI 1.3 h-1.8 h"
    assert table["90th percentile first response"]["then_evidence"] == "95% CI at least 50 min"
    assert table["Customer conversations answered"]["then_evidence"] == "95% CI 43%-57%"
    assert rows["response_rate"]["basis"].startswith("two-proportion z-test")  # counts win for shares


@pytest.mark.parametrize("tamper", [
    lambda a: [],
    lambda a: {},
    lambda a: {k: v for k, v in a.items() if k != "maturity"},
    lambda a: {**a, "maturity": {**a["maturity"], "score": str(a["maturity"]["score"])}},
    lambda a: {**a, "metrics": {**a["metrics"], "scope": {**a["metrics"]["scope"], "client_handles": "AcmeHelp"}}},
    lambda a: {**a, "schema_version": "9.0"},
], ids=["list", "empty", "no-maturity", "score-as-text", "handles-as-text", "future-version"])
def test_a_tampered_audit_json_is_one_sentence(runs, tmp_path, capsys, tamper):
    bad = tmp_path / "bad"
    shutil.copytree(runs / "q2", bad)
    audit = json.loads((bad / runfolder.AUDIT_JSON).read_text())
    (bad / runfolder.AUDIT_JSON).write_text(json.dumps(tamper(audit)))
    assert cli.main(["compare", str(runs / "q1"), str(bad), "--out", str(tmp_path / "p"), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_two_clients_auditing_the_same_handle_are_refused(runs, tmp_path, capsys):
    other = tmp_path / "other"
    shutil.copytree(runs / "q2", other)
    audit = json.loads((other / runfolder.AUDIT_JSON).read_text())
    (other / runfolder.AUDIT_JSON).write_text(json.dumps({**audit, "client": "Globex"}))
    assert cli.main(["compare", str(runs / "q1"), str(other), "--out", str(tmp_path / "p"), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert "'Acme'" in err and "'Globex'" in err
