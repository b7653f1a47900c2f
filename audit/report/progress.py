"""Progress between two audits of the same client: ``social-audit compare EARLIER LATER``.

Why: consultants re-audit a client every quarter, and the playbook's roadmap ends with "re-run
this audit and compare". The report says where the client was and is (level, every KPI with its
evidence), whether each change is real or noise, which roadmap items of the earlier playbook are
now met, and which standards the client has slipped below.

The verdict rule (``judge``), documented in the report itself:

* a share with its counts in both runs (n answered of n conversations, ...): a two-sided
  two-proportion z-test (pooled variance) at the 5% level; a significant move in the metric's
  good direction is *better*, in the other *worse*, anything else *no clear change*;
* any other figure (medians, percentiles): *better* / *worse* only when the 95% intervals of the
  two runs (``metrics.intervals``) do not overlap; *no clear change* when they overlap;
  *not judged* when a run has no interval for it;
* volumes are neither good nor bad: their change is shown, not judged.

Two runs are comparable only when they audit the same brand handles under the same rubric
(name, version and every threshold); otherwise the command refuses and says what differs.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from statistics import NormalDist
from typing import Any

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.common.handles import handle_key
from audit.report.audit_file import validate
from audit.report.figures import Figure, figure
from audit.report.playbook.context import table_block

ALPHA = 0.05
BETTER, WORSE, SAME, UNJUDGED, NO_DATA = "better", "worse", "no clear change", "not judged", "no data"
RULE = ("Shares: two-sided two-proportion z-test on the counts of both runs, 5% level. Medians and "
        "other figures: better or worse only when the 95% intervals of the two runs do not overlap. "
        "Volumes are shown, not judged.")
#: Context figures shown with the KPIs (volume: neither good nor bad).
VOLUMES = ("customer_conversations", "inbound_per_day", "brand_replies")
PROGRESS_JSON, PROGRESS_HTML, PROGRESS_PDF = "progress.json", "progress.html", "progress.pdf"


# --- reading and checking ---------------------------------------------------------------------
def load_run(path: str | os.PathLike) -> dict:
    """A finished run's ``audit.json`` from its folder (or the file itself)."""
    p = Path(path)
    target = p / runfolder.AUDIT_JSON if p.is_dir() else p
    if not target.is_file():
        raise AuditInputError(f"{path}: no audit.json there. Give the folder of a finished run "
                              f"(outputs/<client>/), made by `social-audit run`.")
    try:
        data = runfolder.read_json(target)
    except ValueError as exc:
        raise AuditInputError(f"{target} is not valid JSON ({exc}); re-run that audit.") from None
    return validate(data, target)


def _handles(audit: Mapping) -> list[str]:
    return sorted(handle_key(h) for h in audit["metrics"]["scope"]["client_handles"])


def _thresholds(audit: Mapping) -> dict[str, dict]:
    """Every criterion's thresholds per level: the rubric as it was applied."""
    return {c["ref"]: {lvl: spec.get("threshold") for lvl, spec in (c.get("levels") or {}).items()}
            for d in audit["maturity"]["dimensions"].values() for c in d["criteria"].values()}


def differences(earlier: Mapping, later: Mapping) -> list[str]:
    """What makes two runs incomparable, in sentences (empty: comparable)."""
    out = []
    if _handles(earlier) != _handles(later):
        out.append(f"brand handles differ: {', '.join(earlier['metrics']['scope']['client_handles'])} then, "
                   f"{', '.join(later['metrics']['scope']['client_handles'])} now")
    r1, r2 = earlier["maturity"]["rubric"], later["maturity"]["rubric"]
    if (r1.get("name"), r1.get("version")) != (r2.get("name"), r2.get("version")):
        out.append(f"rubrics differ: {r1.get('name')} v{r1.get('version')} then, {r2.get('name')} v{r2.get('version')} now")
    else:
        t1, t2 = _thresholds(earlier), _thresholds(later)
        changed = sorted(ref for ref in set(t1) | set(t2) if t1.get(ref) != t2.get(ref))
        if changed:
            out.append(f"the rubric's criteria or thresholds differ ({', '.join(changed[:5])}"
                       f"{' ...' if len(changed) > 5 else ''})")
    return out


def check_comparable(earlier: Mapping, later: Mapping) -> list[str]:
    """Refuse runs of different handles or rubrics; return notes on what differs but is allowed."""
    if earlier["client"] != later["client"]:
        raise AuditInputError(f"These two runs audit different clients ({earlier['client']!r} then, "
                              f"{later['client']!r} now): compare two audits of the same client.")
    problems = differences(earlier, later)
    if problems:
        raise AuditInputError("These two runs cannot be compared: " + "; ".join(problems) +
                              ". Re-run one of them with the same --brand handles and --rubric.")
    p1, p2 = earlier["metrics"]["scope"]["period"], later["metrics"]["scope"]["period"]
    if p1.get("end") and p2.get("end") and p2["end"] < p1["end"]:
        raise AuditInputError(f"The later run ends {p2['end']}, before the earlier one ({p1['end']}): "
                              "give the earlier run first.")
    notes = []
    if p1.get("end") and p2.get("start") and p2["start"] <= p1["end"]:
        notes.append(f"The periods overlap ({p1['start']} - {p1['end']} and {p2['start']} - {p2['end']}): "
                     "part of the change is shared data.")
    tz1, tz2 = earlier["metrics"]["scope"].get("tz"), later["metrics"]["scope"].get("tz")
    if tz1 != tz2:
        notes.append(f"Time zones differ ({tz1} then, {tz2} now): hour-of-week figures use different clocks.")
    return notes


# --- the verdict rule -------------------------------------------------------------------------
def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (identical proportions at 0 or 1: 1)."""
    pooled = (k1 + k2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 1.0
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (k2 / n2 - k1 / n1) / se
    return 2 * NormalDist().cdf(-abs(z))


def judge(then: Figure, now: Figure, unit: str | None, higher_is_better: bool | None) -> dict[str, Any]:
    """Verdict on one figure's change, with the evidence it rests on (see the module docstring)."""
    if then.value is None or now.value is None:
        return {"verdict": NO_DATA, "basis": "no value in one of the runs", "p_value": None}
    if higher_is_better is None:
        return {"verdict": UNJUDGED, "basis": "volume: neither good nor bad", "p_value": None}
    moved = None
    if unit == "share" and then.denominator and now.denominator and then.numerator is not None and now.numerator is not None:
        p = two_proportion_p(then.numerator, then.denominator, now.numerator, now.denominator)
        basis = "two-proportion z-test, " + (f"p = {p:.2g}" if p >= 0.001 else "p < 0.001")
        if p < ALPHA:
            moved = now.value > then.value
        result_p = round(p, 6)
    elif then.has_interval and now.has_interval:
        result_p = None
        if now.low > then.high:
            moved, basis = True, "95% intervals do not overlap"
        elif now.high < then.low:
            moved, basis = False, "95% intervals do not overlap"
        else:
            basis = "95% intervals overlap"
    else:
        return {"verdict": UNJUDGED, "basis": "no interval for this figure in one of the runs", "p_value": None}
    if moved is None:
        return {"verdict": SAME, "basis": basis, "p_value": result_p}
    return {"verdict": BETTER if moved == higher_is_better else WORSE, "basis": basis, "p_value": result_p}


# --- the report model -------------------------------------------------------------------------
def _cell(f: Figure, unit: str | None) -> dict:
    """A figure for the table: value, formatted by unit, with its interval or counts as note."""
    fmt = {"share": "percent", "minutes": "minutes", "count": "number", "posts_per_day": "decimal"}.get(unit or "", None)
    return {"value": f.value, "fmt": fmt, "low": f.low, "high": f.high,
            "numerator": f.numerator, "denominator": f.denominator}


def _span(low: float, high: float, fmt: str | None) -> str:
    """'41-55%', '12 min-2 h', 'at least 3 h' (an interval the sample cannot bound above)."""
    from audit.report.format import figure as show

    if not math.isfinite(high):
        return f"at least {show(low, fmt)}"
    return f"{show(low, fmt)}-{show(high, fmt)}"


def kpi_rows(earlier: Mapping, later: Mapping) -> list[dict]:
    from audit.report.playbook.kpis import KPIS

    definitions = later["metrics"]["definitions"]
    rows = []
    for metric, label in [(k[0], k[1]) for k in KPIS] + [(v, definitions[v]["title"]) for v in VOLUMES]:
        spec = definitions.get(metric) or {}
        unit, higher = spec.get("unit"), spec.get("higher_is_better")
        then, now = figure(earlier["metrics"], metric), figure(later["metrics"], metric)
        rows.append({"metric": metric, "kpi": label, "unit": unit, "then": _cell(then, unit), "now": _cell(now, unit),
                     **judge(then, now, unit, higher)})
    return rows


def _criteria(audit: Mapping) -> dict[str, dict]:
    return {c["ref"]: c for d in audit["maturity"]["dimensions"].values() for c in d["criteria"].values()}


def _level_status(criterion: Mapping | None, level: str | None) -> str:
    spec = ((criterion or {}).get("levels") or {}).get(level or "")
    if not spec or spec.get("passed") is None:
        return "not assessed"
    return "met" if spec["passed"] else "not met"


def roadmap_progress(earlier: Mapping, later: Mapping) -> list[dict]:
    """Each roadmap action of the earlier playbook that named a rubric criterion: met now?"""
    target = (earlier["maturity"].get("next_level") or {}).get("level")
    before, after = _criteria(earlier), _criteria(later)
    rows = []
    for phase in earlier["playbook"]["roadmap"]["phases"]:
        for action in phase["actions"]["rows"]:
            ref = action.get("ref")
            if not ref:
                continue
            crit = after.get(ref) or before.get(ref) or {}
            rows.append({"phase": phase["name"], "action": action["action"], "criterion": crit.get("title", ref),
                         "ref": ref, "then": _value(before.get(ref)), "now": _value(after.get(ref)),
                         "status": _level_status(after.get(ref), target)})
    return rows


def _value(criterion: Mapping | None) -> dict:
    """A criterion's value for a table cell: a metric formatted by its unit, an answer as given."""
    if not criterion or criterion.get("kind") != "metric":
        return {"value": (criterion or {}).get("value"), "fmt": None}
    fmt = {"share": "percent", "minutes": "minutes"}.get(criterion.get("unit"), "decimal")
    return {"value": criterion.get("value"), "fmt": fmt}


def new_gaps(earlier: Mapping, later: Mapping) -> list[dict]:
    """Criteria met at some level in the earlier run and missed at that level now."""
    titles = {k: v.get("title", k) for k, v in later["maturity"].get("level_definitions", {}).items()}
    before, after = _criteria(earlier), _criteria(later)
    rows = []
    for ref, crit in after.items():
        lost = [lvl for lvl, spec in (crit.get("levels") or {}).items()
                if spec.get("passed") is False and ((before.get(ref) or {}).get("levels") or {}).get(lvl, {}).get("passed")]
        if lost:
            rows.append({"criterion": crit.get("title", ref), "ref": ref,
                         "levels": ", ".join(titles.get(lvl, lvl) for lvl in lost),
                         "then": _value(before.get(ref)), "now": _value(crit)})
    return rows


def _level(audit: Mapping) -> dict:
    g = audit["maturity"]
    return {"key": g["level"], "label": g.get("level_title", g["level"]), "index": g.get("level_index"),
            "score": g.get("score"), "period": audit["playbook"]["meta"]["period"]}


def _level_sentence(then: dict, now: dict) -> str:
    if now["index"] is None or then["index"] is None or now["index"] == then["index"]:
        return f"Still {now['label']} (score {then['score']:.0f} then, {now['score']:.0f} now)."
    verb = "Up" if now["index"] > then["index"] else "Down"
    return f"{verb} from {then['label']} to {now['label']} (score {then['score']:.0f} then, {now['score']:.0f} now)."


def build(earlier: Mapping, later: Mapping) -> dict:
    """The progress report model (plain data; ``render`` lays it out, ``progress.json`` keeps it)."""
    from audit.metrics.jsonable import jsonable

    notes = check_comparable(earlier, later)
    then, now = _level(earlier), _level(later)
    kpis = kpi_rows(earlier, later)
    roadmap = roadmap_progress(earlier, later)
    gaps = new_gaps(earlier, later)
    counts = {v: sum(r["verdict"] == v for r in kpis) for v in (BETTER, WORSE, SAME, UNJUDGED, NO_DATA)}
    met = sum(r["status"] == "met" for r in roadmap)
    dims_then = {k: d.get("score") for k, d in earlier["maturity"]["dimensions"].items()}
    dimensions = [{"dimension": d.get("title", k), "then": {"value": dims_then.get(k), "fmt": "decimal"},
                   "now": {"value": d.get("score"), "fmt": "decimal"}}
                  for k, d in later["maturity"]["dimensions"].items()]

    def figure_cell(c: dict) -> dict:
        return {"value": c["value"], "fmt": c["fmt"]}

    def evidence(c: dict) -> str:
        if c["low"] is not None and c["high"] is not None:
            return "95% CI " + _span(c["low"], c["high"], c["fmt"])
        if c["fmt"] == "percent" and c["numerator"] is not None and c["denominator"]:
            return f"{c['numerator']:,} of {c['denominator']:,}"
        return ""

    kpi_table = [{"kpi": r["kpi"], "then": figure_cell(r["then"]), "then_evidence": evidence(r["then"]),
                  "now": figure_cell(r["now"]), "now_evidence": evidence(r["now"]), "verdict": r["verdict"],
                  "basis": r["basis"]} for r in kpis]
    toc = [{"id": i, "number": n, "title": t} for n, (i, t) in enumerate(
        (("progress_level", "Maturity then and now"), ("progress_kpis", "Every KPI then and now"),
         ("progress_roadmap", "The earlier roadmap: done or not"), ("progress_gaps", "New gaps")), start=1)]
    return jsonable({
        "meta": {"client": later.get("client"), "brands": later["metrics"]["scope"]["client_handles"],
                 "rubric": later["maturity"]["rubric"].get("name"), "then": then, "now": now,
                 "notes": notes, "redacted": bool(later.get("ingest", {}).get("redacted"))},
        "toc": toc,
        "level": {"sentence": _level_sentence(then, now), "changed": then["key"] != now["key"],
                  "dimensions": table_block([("dimension", "Dimension", None), ("then", "Score then", "mixed"),
                                        ("now", "Score now", "mixed")], dimensions, "No dimensions.")},
        "kpis": {"rule": RULE, "counts": counts, "rows": kpis,
                 "table": table_block([("kpi", "KPI", None), ("then", "Then", "mixed"), ("then_evidence", "Evidence then", None),
                                  ("now", "Now", "mixed"), ("now_evidence", "Evidence now", None),
                                  ("verdict", "Verdict", "verdict"), ("basis", "Judged by", None)],
                                 kpi_table, "No KPIs."),
                 "lead": (f"{counts[BETTER]} KPI(s) better, {counts[WORSE]} worse, {counts[SAME]} with no clear "
                          f"change, {counts[UNJUDGED] + counts[NO_DATA]} not judged.")},
        "roadmap": {"lead": (f"{met} of {len(roadmap)} roadmap item(s) of the earlier playbook are met now."
                             if roadmap else "The earlier playbook's roadmap named no rubric criterion."),
                    "rows": roadmap,
                    "table": table_block([("phase", "Phase", None), ("action", "Action (earlier playbook)", None),
                                     ("then", "Then", "mixed"), ("now", "Now", "mixed"), ("status", "Status", "verdict")],
                                    roadmap, "No roadmap items.")},
        "gaps": {"lead": (f"{len(gaps)} standard(s) met in the earlier audit are missed now." if gaps
                          else "No standard met in the earlier audit is missed now."),
                 "rows": gaps,
                 "table": table_block([("criterion", "Criterion", None), ("levels", "Needed for", None),
                                  ("then", "Then", "mixed"), ("now", "Now", "mixed")], gaps, "No new gaps.")},
        "charts": {},
    })


def write(earlier_dir: str | os.PathLike, later_dir: str | os.PathLike, out: str | os.PathLike,
          pdf: bool = True) -> dict[str, str]:
    """Compare two run folders; write progress.json, progress.html (and .pdf) into ``out``."""
    from audit.report import render
    report = build(load_run(earlier_dir), load_run(later_dir))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    runfolder.write_json(report, out / PROGRESS_JSON)
    html = render.render_html(report, template="compare.html.j2")
    render.write_html(html, out / PROGRESS_HTML)
    written = {"json": str(out / PROGRESS_JSON), "html": str(out / PROGRESS_HTML)}
    if pdf:
        render.write_pdf(html, out / PROGRESS_PDF)
        written["pdf"] = str(out / PROGRESS_PDF)
    return written
