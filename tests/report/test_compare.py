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
from audit.report.format import interval
from audit.run import cli
from tests.helpers.runfolders import export, make_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Four quarters of one client: answers half, then 90%, then 55%, then half again; and q1b, a
    second quarter answering 62%: above the 60% an active brand needs, but not surely (n = 200)."""
    root = tmp_path_factory.mktemp("compare")
    plans = {"q1": (0.5, "2017-10-02", 0), "q2": (0.9, "2018-01-01", 1), "q3": (0.55, "2018-04-02", 2),
             "q4": (0.5, "2018-07-02", 3), "q1b": (0.62, "2018-01-01", 4)}
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
        "the 95% intervals overlap"
    assert report["level"]["changed"] and report["level"]["sentence"].startswith("Up from")
    rate = next(r for r in report["kpis"]["rows"] if r["metric"] == "response_rate")
    assert rate["then"]["interval"] == pytest.approx([0.4314, 0.5686])         # the interval the verdict read
    assert (rate["then"]["numerator"], rate["then"]["denominator"]) == (100, 200)
    assert (rate["now"]["numerator"], rate["now"]["denominator"]) == (180, 200)


def test_a_small_change_is_no_clear_change(runs):
    report = compare.build(compare.load_run(runs / "q1"), compare.load_run(runs / "q3"))
    rate = next(r for r in report["kpis"]["rows"] if r["metric"] == "response_rate")
    assert rate["now"]["value"] > rate["then"]["value"]      # 55% > 50% ...
    assert rate["verdict"] == "no clear change"                # ... but within noise at n=200
    assert rate["basis"] == "the 95% intervals overlap"


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


def test_a_share_recorded_without_an_interval_is_judged_by_the_wilson_interval_of_its_counts():
    # 50/100 -> 35/100: Wilson 40%-60% and 26%-45% overlap (a z-test would call p = 0.03 a drop) ...
    assert compare.judge(Figure(0.5, 50, 100), Figure(0.35, 35, 100), "share", True)["verdict"] == "no clear change"
    # ... 50/100 -> 30/100: 40%-60% and 22%-40%, apart at 40%: worse
    assert compare.judge(Figure(0.5, 50, 100), Figure(0.30, 30, 100), "share", True)["verdict"] == "worse"


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
    assert "do not overlap" in html and "Days 1-30" in html and "How an item is judged" in html
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
    assert rows["first_response_median_min"]["basis"] == "the 95% intervals do not overlap"
    assert rows["first_response_p90_min"]["verdict"] == "no clear change"    # [50, inf) holds [60, 90]
    table = {r["kpi"]: r["then"] for r in report["kpis"]["table"]["rows"]}
    shown = {kpi: interval(cell["interval"], cell["fmt"]) for kpi, cell in table.items()}
    assert shown["Median first response"] == "1.3 h–1.8 h"
    assert shown["90th percentile first response"] == "at least 50 min"
    assert shown["Customer conversations answered"] == "43%–57%"
    assert rows["response_rate"]["basis"] == "the 95% intervals overlap"   # the recorded interval, not a test


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


# --- roadmap verdicts follow the later audit's own grading and agree with the KPI table ------------
PAIRS = [("q1", "q1b"), ("q1", "q2"), ("q1", "q3"), ("q2", "q4")]


def _criteria(audit):
    return {c["ref"]: c for d in audit["maturity"]["dimensions"].values() for c in d["criteria"].values()}


def _side(crit, level):
    """Where a criterion's whole 95% interval lies against its threshold at ``level``: 'good', 'bad'
    or None (straddles, or no interval). Thresholds count as met, as in the rubric."""
    t, iv = crit["levels"][level]["threshold"], crit["interval"]
    if iv is None:
        return None
    low, high = iv
    if crit["direction"] == "at_least":
        return "good" if low >= t else "bad" if high is not None and high < t else None
    return "good" if high is not None and high <= t else "bad" if low > t else None


def _pair(runs, pair):
    earlier, later = (compare.load_run(runs / name) for name in pair)
    return earlier, later, compare.build(earlier, later), earlier["maturity"]["next_level"]["level"]


def test_an_item_whose_later_interval_straddles_the_target_is_not_met(runs):
    earlier, later, report, target = _pair(runs, ("q1", "q1b"))
    crit = _criteria(later)["responsiveness.response_rate"]
    threshold, (low, high) = crit["levels"][target]["threshold"], crit["interval"]
    assert crit["value"] >= threshold and low < threshold < high    # 62% clears 60%, its interval does not
    row = next(r for r in report["roadmap"]["rows"] if r["ref"] == "responsiveness.response_rate")
    assert row["status"] == "too early to tell"
    assert "spans the 60% target" in row["why"]


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_every_roadmap_verdict_agrees_with_the_kpi_row_of_its_metric(runs, pair):
    earlier, later, report, target = _pair(runs, pair)
    kpis = {r["metric"]: r["verdict"] for r in report["kpis"]["rows"]}
    before, after = _criteria(earlier), _criteria(later)
    checked = 0
    for item in report["roadmap"]["rows"]:
        then, now = before[item["ref"]], after[item["ref"]]
        if now["kind"] != "metric" or now["metric"] not in kpis:
            continue
        kpi = kpis[now["metric"]]
        if item["status"] == "met":          # the whole later interval clears the target ...
            assert _side(now, target) == "good", item
            if _side(then, target) == "bad":   # ... and, from surely short of it, the KPI rose
                assert kpi == "better", item
        if item["status"] == "not met":
            assert _side(now, target) == "bad", item
            if _side(then, target) == "good":
                assert kpi == "worse", item
        assert item["change"] == kpi, item   # the row shows the KPI table's own verdict
        checked += 1
    assert checked


def test_an_item_the_later_audit_grades_uncertain_is_never_met(runs):
    uncertain = 0
    for pair in PAIRS:
        _, later, report, target = _pair(runs, pair)
        after = _criteria(later)
        for item in report["roadmap"]["rows"]:
            if after[item["ref"]]["levels"][target]["status"] == "uncertain":
                uncertain += 1
                assert item["status"] == "too early to tell", (pair, item)
    assert uncertain >= 2


def test_a_grade_that_crosses_the_target_against_its_kpi_is_too_early_to_tell():
    """Runs whose figures carry no interval (graded by the value alone) can cross a target while the
    KPI table, reading the Wilson intervals of the counts, sees no change: the item waits."""
    verdict = compare.item_verdict
    assert verdict("not met", "met", "no clear change") == "too early to tell"
    assert verdict("met", "not met", "better") == "too early to tell"
    assert verdict("not met", "met", "better") == "met"
    assert verdict("not met", "met", "not judged") == "met"             # nothing to contradict
    assert verdict("too early to tell", "met", "no clear change") == "met"
    assert verdict("not met", "not met", "better") == "not met"          # better, not yet enough
