"""Grade a brand's social customer service maturity from its metrics (and an optional questionnaire).

Why a YAML rubric validated by pydantic: thresholds are a consultant's judgement and get tuned per
sector, so they live outside the code, but a typo in a metric name or a share of 60 instead of 0.6
would silently change a client's grade. Loading therefore fails loudly, once, listing every
problem and the valid names. Why a questionnaire: integration (escalation policy, CRM, routing...)
cannot be seen in posts; without answers those criteria are reported as not assessed, never
guessed, and the levels that depend on them as "not confirmed".

Why intervals in the grade: a threshold met by 12 conversations is not met in the same way as one
met by 12,000. Each data criterion is judged on its 95% interval (``metrics.intervals``) and its
evidence size against the rubric's ``min_evidence``: ``pass`` or ``fail`` only when the whole
interval is on one side of the threshold, else ``uncertain``. A level is ``not_reached`` only on
a confident failure; uncertain criteria make it ``not_confirmed`` (held back) or ``provisional``
(reached only through them), and ``confidence`` says in words how far to trust the grade and how
much more data would settle it.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.metrics.intervals import n_to_settle
from audit.metrics.jsonable import jsonable
from audit.metrics.metric import UNITS
from audit.metrics.registry import METRICS, metric_names

LEVELS = ("passive", "active", "strategic", "cross_functional")
GRADED_LEVELS = LEVELS[1:]
LEVEL_TITLES = {"passive": "Passive (invisible)", "active": "Active", "strategic": "Strategic",
                "cross_functional": "Cross-functional"}
LEVEL_DESCRIPTIONS = {
    "passive": "Little or no service in social channels: complaints unanswered, no monitoring, "
               "few and slow replies.",
    "active": "Responsive: answers questions and complaints, thanks and cultivates advocates, "
              "catches negative issues early and turns them around.",
    "strategic": "Service deliberately separated from marketing: a dedicated service handle, cases "
                 "moved to private channels, response-time standards that are met, around-the-clock "
                 "coverage.",
    "cross_functional": "Integrated across the organisation: triage and routing to support, customer "
                        "service and marketing, escalation policies, one voice across phone, web and "
                        "social, follow-up until satisfied, feedback into training and products.",
}
ANSWERS = {"no": 0.0, "partial": 0.5, "yes": 1.0}
Q_PREFIX = "q:"
RUBRIC_DIR = Path(__file__).resolve().parent / "rubrics"
DEFAULT_RUBRIC = RUBRIC_DIR / "default.yaml"
QUESTIONNAIRE_TEMPLATE = RUBRIC_DIR / "questionnaire_template.yaml"

Level = Literal["active", "strategic", "cross_functional"]
Direction = Literal["at_least", "at_most"]


# --- questionnaire -----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def questionnaire_items() -> dict[str, str]:
    """Item id -> question, from the template (the single list rubrics may cite as ``q:<id>``)."""
    items = yaml.safe_load(QUESTIONNAIRE_TEMPLATE.read_text(encoding="utf-8"))["items"]
    return {key: " ".join(str(item["question"]).split()) for key, item in items.items()}


def _answer(value: object) -> object:
    """YAML 1.1 reads an unquoted yes/no as a boolean: accept both spellings."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str):
        value = value.strip().lower()
        return value or None
    return value


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = ""
    ask: str = ""
    answer: Literal["yes", "no", "partial"] | None = None
    note: str = ""
    respondent: str = ""

    @field_validator("answer", mode="before")
    @classmethod
    def _normalise(cls, v: object) -> object:
        return _answer(v)

    @field_validator("question", "ask", "note", "respondent", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return "" if v is None else v

    @model_validator(mode="after")
    def _cited(self) -> Answer:
        if self.answer is not None and not self.respondent.strip():
            raise ValueError("answered without a respondent: write who gave the answer (name, role)")
        return self


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: str = ""
    completed_on: str = ""
    interviewer: str = ""
    items: dict[str, Answer] = Field(default_factory=dict)
    _path: str | None = PrivateAttr(default=None)

    @field_validator("client", "completed_on", "interviewer", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return "" if v is None else v.isoformat() if isinstance(v, date) else v

    @field_validator("items", mode="before")
    @classmethod
    def _known(cls, v: object) -> object:
        if isinstance(v, Mapping):
            unknown = sorted(set(map(str, v)) - set(questionnaire_items()))
            if unknown:
                raise ValueError(f"unknown item(s) {', '.join(unknown)}; valid items: "
                                 f"{', '.join(questionnaire_items())}")
        return v


# --- rubric ------------------------------------------------------------------------------------
class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: bool | float | str
    required: bool = False
    source: str = Field(min_length=1)


class MinEvidence(BaseModel):
    """The least evidence (conversations, posts, replies or judged hours: the metric's ``n``)
    below which a criterion is ``uncertain`` whatever its value, and why."""

    model_config = ConfigDict(extra="forbid")
    n: int = Field(ge=1)
    reason: str = Field(min_length=1)


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric: str
    title: str | None = None
    direction: Direction | None = None
    floor: float | None = None
    weight: float = Field(1.0, gt=0)
    min_evidence: MinEvidence | None = None
    thresholds: dict[Level, Threshold] = Field(min_length=1)

    @property
    def is_question(self) -> bool:
        return self.metric.startswith(Q_PREFIX)

    @property
    def unit(self) -> str:
        return "answer" if self.is_question else METRICS[self.metric].unit

    def numeric(self, raw: object) -> float:
        return ANSWERS[str(_answer(raw))] if self.is_question else float(raw)  # type: ignore[arg-type]

    def ordered(self) -> list[tuple[str, Threshold]]:
        return [(level, self.thresholds[level]) for level in GRADED_LEVELS if level in self.thresholds]

    @field_validator("metric")
    @classmethod
    def _known(cls, v: str) -> str:
        if v.startswith(Q_PREFIX):
            if v[len(Q_PREFIX):] not in questionnaire_items():
                raise ValueError(f"unknown questionnaire item {v!r}")
        elif v not in METRICS:
            raise ValueError(f"unknown metric {v!r}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Criterion:
        problems = self._direction_problems() + self._value_problems()
        if self.is_question and self.min_evidence is not None:
            problems.append("min_evidence applies to metrics only; a questionnaire answer is one answer")
        if not problems:
            problems = self._order_problems() + self._floor_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _direction_problems(self) -> list[str]:
        higher = True if self.is_question else METRICS[self.metric].higher_is_better
        if higher is None:
            return [] if self.direction else [
                f"metric {self.metric!r} has no better direction: set direction to at_least or at_most"]
        natural = "at_least" if higher else "at_most"
        if self.direction is None:
            self.direction = natural
            return []
        if self.direction != natural:
            return [f"direction {self.direction} contradicts metric {self.metric!r} "
                    f"({'higher' if higher else 'lower'} is better): use {natural}"]
        return []

    def _value_problems(self) -> list[str]:
        problems = []
        for level, t in self.ordered():
            if self.is_question:
                if _answer(t.value) not in ANSWERS:
                    problems.append(f"{level} threshold {t.value!r} must be one of yes, partial, no")
                continue
            lo, hi = UNITS[self.unit]
            if isinstance(t.value, (bool, str)) or not math.isfinite(t.value):
                problems.append(f"{level} threshold {t.value!r} must be a number")
            elif not lo <= t.value <= hi:
                problems.append(f"{level} threshold {t.value:g} is out of range for unit {self.unit!r} "
                                f"({_range_text(lo, hi)})")
        return problems

    def _order_problems(self) -> list[str]:
        sign = 1 if self.direction == "at_least" else -1
        problems = []
        pairs = self.ordered()
        for (low, a), (high, b) in zip(pairs, pairs[1:]):
            if sign * self.numeric(b.value) < sign * self.numeric(a.value):
                problems.append(f"{high} threshold {b.value} is looser than {low} threshold {a.value}; "
                                f"higher levels must be at least as strict")
        return problems

    def _floor_problems(self) -> list[str]:
        lo, hi = (0.0, 1.0) if self.is_question else UNITS[self.unit]
        if self.floor is None:
            default = lo if self.direction == "at_least" else hi
            if not math.isfinite(default):
                return [f"set floor (the {self.unit} value that scores 0) for an at_most criterion"]
            self.floor = default
        first = self.numeric(self.ordered()[0][1].value)
        if not lo <= self.floor <= hi:
            return [f"floor {self.floor:g} is out of range for unit {self.unit!r} ({_range_text(lo, hi)})"]
        worse = self.floor < first if self.direction == "at_least" else self.floor > first
        return [] if worse else [f"floor {self.floor:g} must be worse than the first threshold {first:g}"]


def _range_text(lo: float, hi: float) -> str:
    return f"between {lo:g} and {hi:g}" if math.isfinite(hi) else f"at least {lo:g}"


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    weight: float = Field(gt=0)
    description: str = ""
    criteria: dict[str, Criterion] = Field(min_length=1)


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    name: str = "custom"
    description: str = ""
    sources: dict[str, str] = Field(default_factory=dict)
    evidence: dict[str, MinEvidence] = Field(default_factory=dict)  # named minimums, cited by YAML anchor
    dimensions: dict[str, Dimension] = Field(min_length=1)
    _path: str | None = PrivateAttr(default=None)


# --- loading -----------------------------------------------------------------------------------
def _where(loc: tuple) -> str:
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] in ("dimensions", "items"):
        kind = "dimension" if parts[0] == "dimensions" else "item"
        where, rest = f"{kind} {parts[1]!r}", parts[2:]
        if kind == "dimension" and len(rest) >= 2 and rest[0] == "criteria":
            where, rest = f"{where}, criterion {rest[1]!r}", rest[2:]
    else:
        where, rest = "top level", parts
    return f"{where} (field {'.'.join(rest)})" if rest else where


def _invalid(kind: str, where: object, exc: ValidationError, hint: str) -> AuditInputError:
    """Every validation problem of a file in one message, then how to fix it."""
    problems = [f"{_where(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]
    return AuditInputError(f"{kind} {where} has {len(problems)} problem(s):\n"
                           + "\n".join(f"  - {p}" for p in problems) + "\n" + hint)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and validate a rubric; every problem is reported in one :class:`AuditInputError`."""
    path = Path(path) if path is not None else DEFAULT_RUBRIC
    data = runfolder.read_yaml(path, "rubric")
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise _invalid("Rubric", path, exc,
                       f"Valid metric names: {', '.join(metric_names())}."
                       f"\nValid questionnaire items: {', '.join(Q_PREFIX + q for q in questionnaire_items())}."
                       "\nShares are fractions between 0 and 1 (0.6, not 60); times are minutes. Fix the file and run again."
                       ) from None
    rubric._path = str(path)
    return rubric


def load_questionnaire(source: str | Path | Mapping) -> Questionnaire:
    """Load a filled questionnaire (same shape as the template); problems in one AuditInputError."""
    path = None if isinstance(source, Mapping) else Path(source)
    data = source if path is None else runfolder.read_yaml(path, "questionnaire")
    try:
        q = Questionnaire.model_validate(data)
    except ValidationError as exc:
        raise _invalid("Questionnaire", path or "(given as data)", exc,
                       f"Answers are yes, no or partial; every answer needs a respondent. Start from {QUESTIONNAIRE_TEMPLATE}."
                       ) from None
    q._path = None if path is None else str(path)
    return q


# --- grading -----------------------------------------------------------------------------------
def _passes(value: float, threshold: float, direction: str) -> bool:
    return value >= threshold if direction == "at_least" else value <= threshold


def criterion_score(value: float, thresholds: list[tuple[str, float]], floor: float, direction: str) -> float:
    """Place a value on the 0-100 maturity scale: 0 at ``floor``, each level's threshold at that
    level's anchor (active 33.3, strategic 66.7, cross-functional 100), linear in between.

    Anchoring to levels (not to the criterion's own number of thresholds) keeps a criterion score
    comparable with the grade: a brand exactly at every active threshold scores about 33.
    A criterion tops out at the anchor of its highest level.
    """
    sign = 1.0 if direction == "at_least" else -1.0
    v = sign * value
    points = [(sign * floor, 0.0)] + [(sign * t, 100.0 * LEVELS.index(level) / (len(LEVELS) - 1))
                                      for level, t in thresholds]
    score = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if v >= x1:
            score = y1
        elif v > x0:
            score = max(score, y0 + (y1 - y0) * (v - x0) / (x1 - x0))
            break
        else:
            break
    return score


def _metric_value(crit: Criterion, overall: Mapping, questionnaire: Questionnaire | None
                  ) -> tuple[str, object, str | None]:
    """(state, value, note): state is assessed, no_data or not_assessed."""
    if crit.is_question:
        if questionnaire is None:
            return "not_assessed", None, "not assessed (no questionnaire)"
        item = questionnaire.items.get(crit.metric[len(Q_PREFIX):])
        if item is None or item.answer is None:
            return "not_assessed", None, "not assessed (not answered in the questionnaire)"
        return "assessed", item.answer, None
    if crit.metric not in overall:
        return "no_data", None, "no data (metric missing from the metrics input)"
    value = overall[crit.metric]
    if value is None:
        return "no_data", None, "no data (nothing to measure, e.g. no qualifying posts or replies)"
    return "assessed", value, None


def _evidence(crit: Criterion, metrics: Mapping, questionnaire: Questionnaire | None) -> dict:
    if crit.is_question:
        item_id = crit.metric[len(Q_PREFIX):]
        item = questionnaire.items.get(item_id) if questionnaire else None
        return {"question": questionnaire_items()[item_id],
                "answer": item.answer if item else None, "note": item.note if item else None,
                "respondent": item.respondent if item else None,
                "questionnaire": None if questionnaire is None else {
                    "file": questionnaire._path, "completed_on": questionnaire.completed_on,
                    "interviewer": questionnaire.interviewer}}
    metric = METRICS[crit.metric]
    counts = metrics.get("counts", {}).get(crit.metric, {})
    key = metric.example
    return {"numerator": counts.get("numerator"), "denominator": counts.get("denominator"),
            "example_kind": key,
            "example_description": metrics.get("example_definitions", {}).get(key) if key else None,
            "examples": list(metrics.get("examples", {}).get(key, [])) if key else []}


def _interval(crit: Criterion, metrics: Mapping) -> tuple[tuple | None, int | None]:
    """The criterion's 95% interval and evidence size, when the metrics carry them."""
    if crit.is_question:
        return None, None
    iv = (metrics.get("intervals") or {}).get("overall", {}).get(crit.metric)
    n = (metrics.get("interval_n") or {}).get("overall", {}).get(crit.metric)
    return (tuple(iv) if iv is not None else None), n


def _level_status(number: float | None, threshold: float, crit: Criterion, interval: tuple | None,
                  n: int | None) -> str:
    """pass / fail only when the evidence is enough and the whole interval is on one side of the
    threshold; uncertain otherwise; not_assessed without a value. Without an interval (an answer,
    a flag, or an ``overall`` dict graded alone) the value decides."""
    if number is None:
        return "not_assessed"
    point = _passes(number, threshold, crit.direction)
    if crit.min_evidence is not None and n is not None and n < crit.min_evidence.n:
        return "uncertain"
    if interval is None:
        return "pass" if point else "fail"
    low, high = interval
    if crit.direction == "at_least":
        sure_pass, sure_fail = low is not None and low >= threshold, high is not None and high < threshold
    else:
        sure_pass, sure_fail = high is not None and high <= threshold, low is not None and low > threshold
    return "pass" if sure_pass else "fail" if sure_fail else "uncertain"


def _why_uncertain(crit: Criterion, n: int | None) -> str:
    if crit.min_evidence is not None and n is not None and n < crit.min_evidence.n:
        return (f"too little evidence: n = {n}, fewer than the {crit.min_evidence.n} needed "
                f"({' '.join(crit.min_evidence.reason.split())})")
    return "the 95% interval straddles the threshold"


def _criterion_status(levels: Mapping[str, Mapping]) -> str:
    """Where the criterion stands on its way up: the status at its first level not passed."""
    return next((lv["status"] for lv in levels.values() if lv["status"] != "pass"), "pass")


def _evaluate(dim_id: str, crit_id: str, crit: Criterion, metrics: Mapping, overall: Mapping,
              questionnaire: Questionnaire | None) -> dict:
    state, value, note = _metric_value(crit, overall, questionnaire)
    number = crit.numeric(value) if state == "assessed" else None
    interval, n = _interval(crit, metrics)
    levels = {level: {"threshold": t.value if not crit.is_question else _answer(t.value),
                      "required": t.required, "source": " ".join(t.source.split()),
                      "passed": None if number is None else _passes(number, crit.numeric(t.value), crit.direction),
                      "status": _level_status(number, crit.numeric(t.value), crit, interval, n)}
              for level, t in crit.ordered()}
    status = _criterion_status(levels)
    if status == "uncertain":
        note = _why_uncertain(crit, n)
    score = None if number is None else criterion_score(
        number, [(level, crit.numeric(t.value)) for level, t in crit.ordered()], float(crit.floor), crit.direction)
    metric = None if crit.is_question else METRICS[crit.metric]
    return {
        "ref": f"{dim_id}.{crit_id}", "dimension": dim_id, "criterion": crit_id, "metric": crit.metric,
        "kind": "questionnaire" if crit.is_question else "metric",
        "title": crit.title or (metric.title if metric else questionnaire_items()[crit.metric[len(Q_PREFIX):]]),
        "definition": metric.definition if metric else None,
        "unit": crit.unit, "direction": crit.direction, "floor": crit.floor, "weight": crit.weight,
        "status": status, "note": note, "value": value, "interval": interval, "n": n,
        "min_evidence": crit.min_evidence.model_dump() if crit.min_evidence else None,
        "score": score, "levels": levels,
        "evidence": _evidence(crit, metrics, questionnaire),
    }


ATTAINED = ("reached", "provisional")


def _gate(results: list[dict], required_only: bool) -> list[dict]:
    """Level L is reached when every (required) threshold of L and of all lower levels passes.

    ``not_reached`` only when one fails with confidence (its whole interval on the failing side).
    Otherwise a level held back by a threshold that is not assessed, or uncertain with its value on
    the failing side, is ``not_confirmed``: the data cannot say. One whose uncertain thresholds
    all have their value on the passing side is ``provisional``: reached, but only just shown.
    """
    out = [{"level": "passive", "title": LEVEL_TITLES["passive"], "status": "reached", "failed": [],
            "not_assessed": [], "uncertain": []}]
    previous = "reached"
    for level in GRADED_LEVELS:
        own = [(r["ref"], r["levels"][level]) for r in results
               if level in r["levels"] and (r["levels"][level]["required"] or not required_only)]
        failed = [ref for ref, t in own if t["status"] == "fail"]
        unknown = [ref for ref, t in own if t["status"] == "not_assessed"]
        uncertain = [ref for ref, t in own if t["status"] == "uncertain"]
        held = unknown + [ref for ref, t in own if t["status"] == "uncertain" and not t["passed"]]
        status = ("not_reached" if previous == "not_reached" or failed
                  else "not_confirmed" if previous == "not_confirmed" or held
                  else "provisional" if previous == "provisional" or uncertain else "reached")
        out.append({"level": level, "title": LEVEL_TITLES[level], "status": status, "failed": failed,
                    "not_assessed": unknown, "uncertain": uncertain})
        previous = status
    return out


def _highest(gates: list[dict]) -> str:
    return [g["level"] for g in gates if g["status"] in ATTAINED][-1]


def _weighted(pairs: list[tuple[float, float | None]]) -> float | None:
    scored = [(w, s) for w, s in pairs if s is not None]
    total = sum(w for w, _ in scored)
    return sum(w * s for w, s in scored) / total if total else None


def _target(r: dict, level: str) -> dict:
    t = r["levels"][level]
    state = {"not_assessed": "not_assessed", "uncertain": "uncertain"}.get(t["status"], "failed")
    return {"ref": r["ref"], "metric": r["metric"], "title": r["title"], "status": state,
            "note": r["note"], "value": r["value"], "interval": r["interval"], "n": r["n"],
            "passed": t["passed"], "target": t["threshold"], "direction": r["direction"],
            "required": t["required"], "source": t["source"]}


def _next_level(level: str, results: list[dict]) -> dict | None:
    """What the next level needs: each of its thresholds not passed with confidence."""
    if level == LEVELS[-1]:
        return None
    nxt = LEVELS[LEVELS.index(level) + 1]
    todo = [r for r in results if nxt in r["levels"] and r["levels"][nxt]["status"] != "pass"]
    return {"level": nxt, "title": LEVEL_TITLES[nxt],
            "required": [_target(r, nxt) for r in todo if r["levels"][nxt]["required"]],
            "recommended": [_target(r, nxt) for r in todo if not r["levels"][nxt]["required"]]}


def _summary(level: str, score: float | None, gates: list[dict], confidence: str) -> str:
    """One paragraph for the report: the grade, what blocks the next level, what was not confirmed."""
    provisional = {g["level"]: g for g in gates}[level]["status"] == "provisional"
    parts = [LEVEL_TITLES[level] + (" (provisional)" if provisional else "")
             + (f" (score {score:.0f}/100)." if score is not None else ".")]
    nxt = next((g for g in gates if g["status"] not in ATTAINED), None)
    if nxt is not None and nxt["failed"]:
        parts.append(f"{nxt['title']} not reached: {', '.join(nxt['failed'])} below target.")
    if provisional:
        shown = [ref for g in gates if g["status"] == "provisional" for ref in g["uncertain"]]
        parts.append(f"Reached only on uncertain evidence: {', '.join(dict.fromkeys(shown))}.")
    for g in gates:
        if g["status"] == "not_confirmed":
            why = [f"not assessed: {', '.join(g['not_assessed'])}"] if g["not_assessed"] else []
            unsure = [ref for ref in g["uncertain"] if ref not in g["not_assessed"]]
            why += [f"uncertain: {', '.join(unsure)}"] if unsure else []
            parts.append(f"{g['title']} could not be confirmed, {'; '.join(why)}.")
    parts.append(f"Confidence in the grade: {confidence}.")
    return " ".join(parts)


def _decisive(level: str, results: list[dict], gates: list[dict]) -> list[tuple[dict, str]]:
    """The required data thresholds that decide the grade: those of every level up to the grade,
    and the next level's unless a confident failure already settles that one."""
    status = {g["level"]: g["status"] for g in gates}
    top = LEVELS.index(level) + (1 if level != LEVELS[-1] and status[LEVELS[LEVELS.index(level) + 1]] == "not_confirmed" else 0)
    return [(r, lv) for r in results if r["kind"] == "metric"
            for lv in LEVELS[1:top + 1] if lv in r["levels"] and r["levels"][lv]["required"]]


def _count_words(n: float, word: str) -> str:
    return f"{n:,.0f} {word}{'' if round(n) == 1 else 's'}"


def _confidence(level: str, results: list[dict], gates: list[dict], metrics: Mapping) -> dict:
    """high / medium / low, the reason in words, and roughly how much more data would settle it.

    low: a threshold that decides the grade has less evidence than the rubric's ``min_evidence``;
    medium: one has enough evidence but its interval straddles the threshold; high: neither.
    """
    decisive = _decisive(level, results, gates)
    unsure = [(r, lv) for r, lv in decisive if r["levels"][lv]["status"] == "uncertain"]
    thin = [(r, lv) for r, lv in unsure if r["min_evidence"] and r["n"] is not None and r["n"] < r["min_evidence"]["n"]]
    close = [(r, lv) for r, lv in unsure if (r, lv) not in thin]
    overall = metrics.get("overall") or {}
    conversations = overall.get("customer_conversations")
    days = ((metrics.get("scope") or {}).get("period") or {}).get("days")
    basis = (f"{_count_words(conversations, 'customer conversation')} over {_count_words(days, 'day')}"
             if conversations is not None and days else "the figures given")
    factors = [r["min_evidence"]["n"] / max(r["n"], 1) for r, _ in thin]
    for r, lv in ([] if thin else close):   # thin evidence first: more of it may move the figure too
        need = n_to_settle(int(r["n"] or 0), float(r["value"]), r["interval"], float(r["levels"][lv]["threshold"]))
        if need:
            factors.append(need / max(r["n"], 1))
    factor = max(factors, default=None)
    more = None
    if factor is not None and conversations and days:
        more = {"factor": factor, "conversations": int(math.ceil(conversations * factor)),
                "days": int(math.ceil(days * factor)), "weeks": int(math.ceil(days * factor / 7))}
    settle = ("" if not more else
              f" An export of about {_count_words(more['weeks'], 'week')} (about "
              f"{_count_words(more['conversations'], 'customer conversation')} at today's volume) would settle it."
              if more["weeks"] <= 104 else
              " Even two years of data at today's volume may not settle it: the figure sits almost on the threshold.")
    names = lambda pairs: ", ".join(dict.fromkeys(str(r["title"]).lower() for r, _ in pairs))
    refs = lambda pairs: len({r["ref"] for r, _ in pairs})
    if thin:
        level_name, reason = "low", (
            f"Based on {basis}: {refs(thin)} of the {refs(decisive)} measured criteria that decide the grade "
            f"rest{'s' if refs(thin) == 1 else ''} on too little data ({names(thin)}).{settle}")
    elif close:
        level_name, reason = "medium", (
            f"Based on {basis}: enough data, but {names(close)} sit{'s' if refs(close) == 1 else ''} "
            f"so close to the threshold that the 95% interval straddles it.{settle}")
    else:
        level_name, reason = "high", (
            f"Based on {basis}: every measured criterion that decides the grade clears or misses its "
            "threshold with its whole 95% interval.")
    return {"confidence": level_name, "confidence_reason": reason, "more_data": more,
            "uncertain_criteria": sorted({r["ref"] for r, _ in unsure})}


def _as_questionnaire(q: Questionnaire | Mapping | str | Path | None) -> Questionnaire | None:
    return q if q is None or isinstance(q, Questionnaire) else load_questionnaire(q)


def grade(metrics: Mapping, rubric: Rubric | str | Path | None = None,
          questionnaire: Questionnaire | Mapping | str | Path | None = None) -> dict:
    """Grade ``metrics`` (the ``compute_all`` output, or just its ``overall`` dict) against a rubric.

    Returns a deterministic JSON-ready dict: level, 0-100 scores, each criterion with value,
    thresholds, pass/fail, source and evidence, levels not confirmed, and what the next level needs.
    """
    rub = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    quest = _as_questionnaire(questionnaire)
    full = isinstance(metrics.get("overall"), Mapping)
    overall = metrics["overall"] if full else metrics
    context = metrics if full else {}
    dimensions, results = {}, []
    for dim_id, dim in rub.dimensions.items():
        crit = [_evaluate(dim_id, cid, c, context, overall, quest) for cid, c in dim.criteria.items()]
        results += crit
        total = sum(r["weight"] for r in crit)
        dimensions[dim_id] = {
            "title": dim.title, "description": dim.description, "weight": dim.weight,
            "score": _weighted([(r["weight"], r["score"]) for r in crit]),
            "assessed_weight_share": sum(r["weight"] for r in crit if r["score"] is not None) / total,
            "level": _highest(_gate(crit, required_only=False)),
            "criteria": {r["criterion"]: r for r in crit},
        }
    gates = _gate(results, required_only=True)
    level = _highest(gates)
    score = _weighted([(d["weight"], d["score"]) for d in dimensions.values()])
    confidence = _confidence(level, results, gates, context)
    return jsonable({
        "level": level, "level_title": LEVEL_TITLES[level], "level_index": LEVELS.index(level),
        "level_status": {g["level"]: g["status"] for g in gates}[level],
        "score": score,
        "assessed_weight_share": _weighted([(d["weight"], d["assessed_weight_share"]) for d in dimensions.values()]),
        "summary": _summary(level, score, gates, confidence["confidence"]),
        **confidence,
        "levels": gates,
        "not_confirmed": [{"level": g["level"], "title": g["title"], "not_assessed": g["not_assessed"],
                           "uncertain": g["uncertain"]}
                          for g in gates if g["status"] == "not_confirmed"],
        "next_level": _next_level(level, results),
        "dimensions": dimensions,
        "questionnaire": {
            "provided": quest is not None,
            "file": quest._path if quest else None,
            "answered": sum(a.answer is not None for a in quest.items.values()) if quest else 0,
            "items": len(questionnaire_items()),
        },
        "rubric": {"name": rub.name, "version": rub.version, "file": rub._path},
        "level_definitions": {lv: {"title": LEVEL_TITLES[lv], "description": LEVEL_DESCRIPTIONS[lv],
                                   "index": i} for i, lv in enumerate(LEVELS)},
    })
