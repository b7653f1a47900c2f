"""Progress between two audits of the same client: ``social-audit compare EARLIER LATER``.

Why: consultants re-audit a client every quarter, and the playbook's roadmap ends with "re-run
this audit and compare". The report says where the client was and is (level, every KPI with its
evidence), whether each change is real or noise, which roadmap items of the earlier playbook are
now met, and which standards the client has slipped below.

The verdict rules, documented in the report itself. One rule reads every figure, so a roadmap
item and the KPI row of its metric cannot disagree:

* a KPI (``judge``) is *better* / *worse* only when the 95% intervals of the two runs
  (``metrics.intervals``; a share recorded without one: the Wilson interval of its counts) do not
  overlap, *no clear change* when they overlap, *not judged* when a run has no interval; volumes
  are neither good nor bad: their change is shown, not judged;
* a roadmap item (``item_verdict``) is what the later audit's own grading made of its criterion at
  the level the earlier playbook aimed for (``grading.criteria``: *pass* only when the whole interval
  clears the threshold, *fail* only when it is wholly on the wrong side, else *uncertain*, also when
  the evidence is thinner than the rubric's ``min_evidence``): *met*, *not met*, *too early to
  tell*. An item the earlier audit missed surely reads *met* only when its KPI is *better* (and one
  it met surely, *not met* only when *worse*); otherwise *too early to tell*.

Two runs are comparable only when they audit the same brand handles under the same rubric
(name, version and every threshold); otherwise the command refuses and says what differs.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.common.handles import handle_key
from audit.metrics.intervals import Interval, overlap, wilson
from audit.report.audit_file import validate
from audit.report.figures import Figure, figure
from audit.report.format import figure as show
from audit.report.format import interval as span
from audit.report.playbook.context import table_block

BETTER, WORSE, SAME, UNJUDGED, NO_DATA = "better", "worse", "no clear change", "not judged", "no data"
MET, NOT_MET, TOO_EARLY, NOT_ASSESSED = "met", "not met", "too early to tell", "not assessed"
RULE = ("Each figure is shown with its 95% interval in brackets: the range the true figure lies in, given "
        "the sample. A KPI is better or worse only when its 95% intervals in the two audits do not overlap; when they "
        "overlap, the change is within what chance alone could produce: no clear change. Volumes are "
        "shown, not judged.")
ROADMAP_RULE = ("An item is met when the later audit's whole 95% interval clears the target, not met when "
                "the whole interval misses it, and too early to tell when the interval spans the target or "
                "rests on too little data: the way the audit grades every standard. An item the earlier "
                "audit surely missed reads met only when its KPI is better.")
#: the grading's status of a criterion at a level (``grading.criteria``), in the report's words
GRADED = {"pass": MET, "fail": NOT_MET, "uncertain": TOO_EARLY}
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
def bounds(f: Figure, unit: str | None) -> Interval | None:
    """The figure's 95% interval; a share recorded without one: the Wilson interval of its counts,
    the interval the audit itself gives a share."""
    if f.has_interval:
        return f.low, f.high
    if unit == "share" and f.denominator and f.numerator is not None:
        return wilson(f.numerator, f.denominator)
    return None


def judge(then: Figure, now: Figure, unit: str | None, higher_is_better: bool | None) -> dict[str, Any]:
    """Verdict on one figure's change, with the evidence it rests on (see the module docstring)."""
    if then.value is None or now.value is None:
        return {"verdict": NO_DATA, "basis": "no value in one of the audits"}
    if higher_is_better is None:
        return {"verdict": UNJUDGED, "basis": "a volume: neither good nor bad"}
    a, b = bounds(then, unit), bounds(now, unit)
    if a is None or b is None:
        return {"verdict": UNJUDGED, "basis": "no 95% interval in one of the audits"}
    if overlap(a, b):
        return {"verdict": SAME, "basis": "the 95% intervals overlap"}
    rose = b[0] > a[1]
    return {"verdict": BETTER if rose == higher_is_better else WORSE, "basis": "the 95% intervals do not overlap"}


def graded(criterion: Mapping | None, level: str | None) -> str:
    """What the audit's own grading made of a criterion at ``level``: met, not met, too early to
    tell (its status ``uncertain``), or not assessed (no figure, no answer, no such level)."""
    spec = ((criterion or {}).get("levels") or {}).get(level or "") or {}
    return GRADED.get(spec.get("status"), NOT_ASSESSED)


def item_verdict(then: str, now: str, change: str) -> str:
    """A roadmap item's verdict: the later grade (``graded``), unless it crossed the target from the
    earlier grade while the KPI table, reading the same intervals, shows no move that way."""
    needed = {(NOT_MET, MET): BETTER, (MET, NOT_MET): WORSE}.get((then, now))
    if needed and change in (BETTER, WORSE, SAME) and change != needed:
        return TOO_EARLY
    return now


# --- the report model -------------------------------------------------------------------------
def _cell(f: Figure, unit: str | None) -> dict:
    """A figure for the table: value, formatted by unit, with the 95% interval ``judge`` reads (an
    end the data cannot bound: None) and its counts."""
    fmt = {"share": "percent", "minutes": "minutes", "count": "number", "posts_per_day": "decimal"}.get(unit or "", None)
    iv = bounds(f, unit) if f.value is not None else None
    return {"value": f.value, "fmt": fmt, "numerator": f.numerator, "denominator": f.denominator,
            "interval": None if iv is None else [iv[0], iv[1] if iv[1] is not None and math.isfinite(iv[1]) else None]}


def kpi_row(earlier: Mapping, later: Mapping, metric: str, label: str | None = None) -> dict:
    """One figure then and now with its verdict: a KPI table row, and the change a roadmap item shows."""
    spec = later["metrics"]["definitions"].get(metric) or {}
    unit, higher = spec.get("unit"), spec.get("higher_is_better")
    then, now = figure(earlier["metrics"], metric), figure(later["metrics"], metric)
    return {"metric": metric, "kpi": label or spec.get("title", metric), "unit": unit,
            "then": _cell(then, unit), "now": _cell(now, unit), **judge(then, now, unit, higher)}


def kpi_rows(earlier: Mapping, later: Mapping) -> list[dict]:
    from audit.report.playbook.kpis import KPIS

    return [kpi_row(earlier, later, metric, label)
            for metric, label in [(k[0], k[1]) for k in KPIS] + [(v, None) for v in VOLUMES]]


def _criteria(audit: Mapping) -> dict[str, dict]:
    return {c["ref"]: c for d in audit["maturity"]["dimensions"].values() for c in d["criteria"].values()}


def roadmap_progress(earlier: Mapping, later: Mapping, kpis: Mapping[str, dict] | None = None) -> list[dict]:
    """Each roadmap action of the earlier playbook that named a rubric criterion: met now? With the
    change of its figure, the KPI table's own row (``kpis`` by metric) where it has one."""
    target = (earlier["maturity"].get("next_level") or {}).get("level")
    before, after = _criteria(earlier), _criteria(later)
    rows = []
    for phase in earlier["playbook"]["roadmap"]["phases"]:
        for action in phase["actions"]["rows"]:
            ref = action.get("ref")
            if not ref:
                continue
            crit = after.get(ref) or before.get(ref) or {}
            metric = crit.get("metric") if crit.get("kind") == "metric" else None
            change = ((kpis or {}).get(metric) or kpi_row(earlier, later, metric))["verdict"] if metric else UNJUDGED
            then, now = graded(before.get(ref), target), graded(after.get(ref), target)
            status = item_verdict(then, now, change)
            threshold = ((crit.get("levels") or {}).get(target) or {}).get("threshold")
            rows.append({"phase": phase["name"], "action": action["action"], "criterion": crit.get("title", ref),
                         "ref": ref, "target": {"value": threshold, "fmt": _fmt(crit)},
                         "then": _value(before.get(ref)), "now": _value(after.get(ref)), "change": change,
                         "status": status, "why": _why(after.get(ref) or {}, threshold, status, now, change)})
    return rows


def _why(crit: Mapping, threshold: Any, status: str, grade: str, change: str) -> str:
    """The verdict of one roadmap item in a sentence a client reads: the figure against the target."""
    fmt = _fmt(crit)
    target, value, iv = show(threshold, fmt), show(crit.get("value"), fmt), crit.get("interval")
    if crit.get("kind") != "metric":
        return ("Not answered in the later audit's questionnaire." if grade == NOT_ASSESSED
                else f"The later audit's questionnaire answers “{value}”; the target is “{target}”.")
    if grade == NOT_ASSESSED:
        return "The later audit's export holds no figure for this."
    if status != grade:
        return (f"The later audit grades it {grade} ({value} against {target}), but the figure shows "
                f"{change} since the earlier audit, so it is too early to tell.")
    need, n = (crit.get("min_evidence") or {}).get("n"), crit.get("n")
    if grade == TOO_EARLY and need is not None and n is not None and n < need:
        reason = " ".join(str(crit["min_evidence"].get("reason", "")).split())
        return f"Too little evidence to judge: {n:,} measured where {need:,} are needed. {reason}".strip()
    if not iv:
        return f"Now {value} against the {target} target (no 95% interval recorded)."
    band = f"the whole 95% interval ({span(iv, fmt)})"
    good, bad = ("at or above", "below") if crit.get("direction") == "at_least" else ("at or below", "above")
    return {MET: f"Now {value}: {band} is {good} the {target} target.",
            NOT_MET: f"Now {value}: {band} is {bad} the {target} target.",
            TOO_EARLY: f"Now {value}, but its 95% interval ({span(iv, fmt)}) spans the {target} target: "
                       "the data cannot tell yet."}[grade]


def _fmt(criterion: Mapping) -> str | None:
    """How a criterion's figures print: a metric by its unit, an answer as given."""
    if criterion.get("kind") != "metric":
        return None
    return {"share": "percent", "minutes": "minutes"}.get(criterion.get("unit"), "decimal")


def _value(criterion: Mapping | None) -> dict:
    """A criterion's value for a table cell, with its 95% interval when it has one."""
    crit = criterion or {}
    return {"value": crit.get("value"), "fmt": _fmt(crit), "interval": crit.get("interval")}


def new_gaps(earlier: Mapping, later: Mapping) -> list[dict]:
    """Criteria the earlier audit graded met at some level and the later one surely misses there
    (``graded``): a figure that merely dips into uncertainty is not a new gap."""
    titles = {k: v.get("title", k) for k, v in later["maturity"].get("level_definitions", {}).items()}
    before, after = _criteria(earlier), _criteria(later)
    rows = []
    for ref, crit in after.items():
        lost = [lvl for lvl in (crit.get("levels") or {})
                if graded(crit, lvl) == NOT_MET and graded(before.get(ref), lvl) == MET]
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
    roadmap = roadmap_progress(earlier, later, {r["metric"]: r for r in kpis})
    gaps = new_gaps(earlier, later)
    counts = {v: sum(r["verdict"] == v for r in kpis) for v in (BETTER, WORSE, SAME, UNJUDGED, NO_DATA)}
    done = {v: sum(r["status"] == v for r in roadmap) for v in (MET, NOT_MET, TOO_EARLY, NOT_ASSESSED)}
    dims_then = {k: d.get("score") for k, d in earlier["maturity"]["dimensions"].items()}
    dimensions = [{"dimension": d.get("title", k), "then": {"value": dims_then.get(k), "fmt": "decimal"},
                   "now": {"value": d.get("score"), "fmt": "decimal"}}
                  for k, d in later["maturity"]["dimensions"].items()]

    def figure_cell(c: dict, with_interval: bool = False) -> dict:
        return {"value": c["value"], "fmt": c["fmt"], **({"interval": c["interval"]} if with_interval else {})}

    kpi_table = [{"kpi": r["kpi"], "then": figure_cell(r["then"], True), "now": figure_cell(r["now"], True),
                  "verdict": r["verdict"], "basis": r["basis"]} for r in kpis]
    # the roadmap table prints values only: each row's "Why" line gives the interval that decides it
    roadmap_table = [{**r, "then": figure_cell(r["then"]), "now": figure_cell(r["now"])} for r in roadmap]
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
                 "table": table_block([("kpi", "KPI", None), ("then", "Then", "mixed"),
                                       ("now", "Now", "mixed"), ("verdict", "Verdict", "verdict"),
                                       ("basis", "Judged by", None)], kpi_table, "No KPIs."),
                 "lead": (f"{counts[BETTER]} KPI(s) better, {counts[WORSE]} worse, {counts[SAME]} with no clear "
                          f"change, {counts[UNJUDGED] + counts[NO_DATA]} not judged.")},
        "roadmap": {"lead": (f"{done[MET]} of {len(roadmap)} roadmap item(s) of the earlier playbook are met now, "
                             f"{done[NOT_MET]} not met, {done[TOO_EARLY]} too early to tell, "
                             f"{done[NOT_ASSESSED]} not assessed." if roadmap
                             else "The earlier playbook's roadmap named no rubric criterion."),
                    "rule": ROADMAP_RULE, "rows": roadmap,
                    "table": table_block([("phase", "Phase", None),
                                          ("action", "Action (earlier playbook)", None, "widest"),
                                          ("target", "Target", "mixed"), ("then", "Then", "mixed"),
                                          ("now", "Now", "mixed"), ("change", "Change", "verdict"),
                                          ("status", "Target met?", "verdict"), ("why", "Why", "below")],
                                         roadmap_table, "No roadmap items.")},
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
