"""What every section builder reads: the client's rows, its baseline figures, its grade, and the
build ``Context`` where each section records its inputs; plus the cell and table helpers the
sections share, so every table reaches the renderer in one shape.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from audit.common.handles import handle_key, handle_keys
from audit.grading.levels import LEVEL_TITLES, LEVELS

#: the report's sections in reading order, with their titles
SECTIONS = (
    ("executive_summary", "Executive summary"),
    ("current_state", "Where you are today"),
    ("topics", "What customers write about"),
    ("triage", "Triage and routing matrix"),
    ("escalation", "Escalation tiers and response standards"),
    ("response_guidelines", "Response guidelines"),
    ("coaching", "Who answers: agent scorecards and coaching"),
    ("staffing", "Staffing and coverage"),
    ("kpis", "KPIs and targets"),
    ("roadmap", "30/60/90-day roadmap"),
    ("appendix", "Appendix: method and data quality"),
)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def as_number(value: Any) -> float | None:
    """A metric value as float, or None when missing/NaN (metrics.json uses null)."""
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def minutes_to_s(value: Any) -> float | None:
    x = as_number(value)
    return None if x is None else x * 60.0


def figure_value(value: Any, fmt: str) -> dict:
    """A cell whose unit differs from its column's (KPI tables mix shares and durations)."""
    return {"value": value, "fmt": fmt}


def tile(label: str, value: Any, fmt: str | None, note: str = "", alert: bool = False,
          interval: list | None = None) -> dict:
    """A headline figure; ``alert`` marks one that misses its benchmark; ``interval`` its 95% range."""
    return {"label": label, "value": value, "fmt": fmt, "note": note, "alert": bool(alert), "interval": interval}


def interval_of(metrics: Mapping, metric: str, scope: str = "overall", handle: str | None = None,
                scale: float = 1.0) -> list | None:
    """A figure's 95% interval from ``metrics.intervals`` (times scaled, e.g. minutes -> seconds)."""
    ivs = (metrics.get("intervals") or {}).get(scope) or {}
    iv = (ivs.get(handle) or {}).get(metric) if handle is not None else ivs.get(metric)
    if not iv:
        return None
    return [None if x is None else float(x) * scale for x in iv]


def plural(n: float, word: str, many: str | None = None) -> str:
    """'1 complaint', '3 complaints', '1,204 conversations': the count and the right form."""
    return f"{n:,.0f} {word if round(n) == 1 else many or word + 's'}"


def span(days: int) -> str:
    """A period in words: days below four weeks ('3 days', '1 day'), whole weeks from there."""
    return plural(days, "day") if days < 28 else plural(round(days / 7), "week")


def is_below(value: float | None, bar: float) -> bool:
    return value is not None and value < bar


def table_block(columns: Sequence[tuple], rows: list[dict], empty: str = "") -> dict:
    """Columns as (key, label, fmt[, css class]); the renderer formats cells by ``fmt``."""
    out = {"columns": [{"key": c[0], "label": c[1], "fmt": c[2], "cls": c[3] if len(c) > 3 else ""}
                       for c in columns],
           "rows": rows}
    if empty:
        out["empty"] = empty
    return out


def with_article(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def count_text(x: float) -> str:
    """Counts in sentences: one decimal below 10 ('0.8', '4'), whole numbers above."""
    return f"{x:.1f}".removesuffix(".0") if x < 10 else f"{x:,.0f}"


# --------------------------------------------------------------------------------------------
# What the playbook reads: a client-scoped view of messages and conversations
# --------------------------------------------------------------------------------------------
@dataclass
class Client:
    """The client's rows, selected once: customer posts and customer-opened conversations with
    its handles, and the replies its handles wrote."""

    name: str
    brands: list[str]
    keys: frozenset[str]
    tz: str
    inbound: pd.DataFrame       # customer posts to the client's handles
    replies: pd.DataFrame       # posts written by the client's handles
    messages: pd.DataFrame      # every message of the client's conversations, ordered
    conversations: pd.DataFrame  # customer-opened conversations with the client's handles


def select_client(messages: pd.DataFrame | None, conversations: pd.DataFrame | None, name: str,
            brands: Sequence[str], tz: str) -> Client:
    keys = frozenset(handle_key(b) for b in brands)
    if messages is None or len(messages) == 0:
        messages = pd.DataFrame({c: pd.Series(dtype="object") for c in (
            "message_id", "conversation_id", "author", "is_customer", "created_at", "text",
            "channel", "brand")})
    if conversations is None or len(conversations) == 0:
        conversations = pd.DataFrame({c: pd.Series(dtype="object") for c in (
            "conversation_id", "brand", "customer", "channel", "opened_at", "opened_by_customer",
            "opening_message_id", "first_response_s", "answered")})
    m = messages
    in_client = handle_keys(m["brand"]).isin(keys).fillna(False)
    is_customer = m["is_customer"].fillna(False).astype(bool)
    order = [c for c in ("conversation_id", "created_at", "turn", "message_id") if c in m.columns]
    client_msgs = m.loc[in_client].sort_values(order, kind="stable")
    author_key = handle_keys(m["author"])
    c = conversations
    c_in = (handle_keys(c["brand"]).isin(keys).fillna(False)
            & c["opened_by_customer"].fillna(False).astype(bool))
    return Client(
        name=name, brands=list(brands), keys=keys, tz=tz,
        inbound=client_msgs.loc[client_msgs["is_customer"].fillna(False).astype(bool)],
        replies=m.loc[~is_customer & author_key.isin(keys).fillna(False)].sort_values(order),
        messages=client_msgs,
        conversations=c.loc[c_in].sort_values("conversation_id", kind="stable"),
    )


# --------------------------------------------------------------------------------------------
# The client's baseline: the metrics figures the playbook reasons with
# --------------------------------------------------------------------------------------------
MIN_DAYS_TO_PROJECT = 28


@dataclass(frozen=True)
class Baseline:
    """Figures from ``metrics.json`` (overall scope), in seconds and shares."""

    conversations: int
    inbound: int
    replies: int
    response_rate: float | None
    median_s: float | None
    p90_s: float | None
    within_1h: float | None
    within_4h: float | None
    same_day: float | None
    recovery: float | None
    unanswered_negative: int | None
    hours_covered: int | None
    night_response_rate: float | None
    weekend_response_rate: float | None
    canned_share: float | None
    signoff_share: float | None
    personalised_share: float | None
    redirect_share: float | None
    follow_up_rate: float | None
    escalation_share: float | None
    days: int
    start: str | None
    end: str | None
    projections_ok: bool = True   # the fitness gate found no concentration/gap/short-period failure

    @property
    def weeks(self) -> float:
        return max(self.days / 7.0, 1 / 7)

    @property
    def can_project(self) -> bool:
        """Monthly or weekly projections only from at least four weeks of data that the fitness
        gate did not find concentrated on a few days or full of holes."""
        return self.days >= MIN_DAYS_TO_PROJECT and self.projections_ok


def baseline(metrics: Mapping) -> Baseline:
    """Read the figures the playbook needs from ``metrics.compute_all`` output."""
    o = metrics.get("overall", {})
    period = metrics.get("scope", {}).get("period", {})
    return Baseline(
        conversations=int(as_number(o.get("customer_conversations")) or 0),
        inbound=int(as_number(o.get("inbound_posts")) or 0),
        replies=int(as_number(o.get("brand_replies")) or 0),
        response_rate=as_number(o.get("response_rate")),
        median_s=minutes_to_s(o.get("first_response_median_min")),
        p90_s=minutes_to_s(o.get("first_response_p90_min")),
        within_1h=as_number(o.get("first_response_within_1h")),
        within_4h=as_number(o.get("first_response_within_4h")),
        same_day=as_number(o.get("first_response_same_day")),
        recovery=as_number(o.get("sentiment_recovery_rate")),
        unanswered_negative=None if as_number(o.get("unanswered_negative")) is None
        else int(o["unanswered_negative"]),
        hours_covered=None if as_number(o.get("hours_covered_1h")) is None else int(o["hours_covered_1h"]),
        night_response_rate=as_number(o.get("night_response_rate")),
        weekend_response_rate=as_number(o.get("weekend_response_rate")),
        canned_share=as_number(o.get("canned_share")),
        signoff_share=as_number(o.get("signoff_share")),
        personalised_share=as_number(o.get("personalised_share")),
        redirect_share=as_number(o.get("private_redirect_share")),
        follow_up_rate=as_number(o.get("follow_up_rate")),
        escalation_share=as_number(o.get("escalation_share")),
        days=int(period.get("days") or 0),
        start=period.get("start"),
        end=period.get("end"),
        projections_ok=bool((metrics.get("fitness") or {}).get("projections", True)),
    )


# --------------------------------------------------------------------------------------------
# The grade, as the playbook reads it (``maturity.grade`` output)
# --------------------------------------------------------------------------------------------
LEVEL_ANCHOR = {lv: 100.0 * i / (len(LEVELS) - 1) for i, lv in enumerate(LEVELS)}


@dataclass(frozen=True)
class Grade:
    level: str
    label: str
    score: float | None
    summary: str
    next_level: str | None
    next_label: str | None
    dimensions: list[dict]        # key, label, score, target (0-100), gap, description
    todo: list[dict]              # next level's unmet criteria (required first), with dimension
    next_thresholds: dict         # metric -> the next level's threshold (numeric metrics only)
    description: str
    status: str = "reached"       # reached / provisional (maturity.level_status)
    confidence: str = "high"      # high / medium / low (maturity.confidence)
    confidence_reason: str = ""
    more_data: dict | None = None


def dimension_target(criteria: list[Mapping], aim: str) -> float | None:
    """The dimension score once every criterion with a threshold at ``aim`` just meets it (a
    criterion scores its level's anchor at its threshold); criteria the level does not ask
    about keep today's score, so a dimension the next level ignores shows no gap."""
    pairs = []
    for crit in criteria:
        score = as_number(crit.get("score"))
        if score is None:
            continue  # not assessed: left out, as in the grade's own weighting
        asked = aim in (crit.get("levels") or {})
        pairs.append((float(crit.get("weight", 1.0)), max(score, LEVEL_ANCHOR[aim]) if asked else score))
    total = sum(w for w, _ in pairs)
    return sum(w * x for w, x in pairs) / total if total else None


def read_grade(maturity: Mapping) -> Grade:
    level = str(maturity.get("level", "passive"))
    nxt = maturity.get("next_level") or None
    aim = nxt["level"] if nxt else level   # at the top: hold the top level's thresholds
    dims, thresholds = [], {}
    for key, d in (maturity.get("dimensions") or {}).items():
        score = as_number(d.get("score"))
        criteria = list((d.get("criteria") or {}).values())
        target = dimension_target(criteria, aim)
        dims.append({"key": key, "label": d.get("title", key), "score": score, "target": target,
                     "gap": None if score is None or target is None else max(0.0, target - score),
                     "description": d.get("description", "")})
        for crit in criteria:
            t = (crit.get("levels") or {}).get(aim)
            if t is not None and crit.get("kind") == "metric" and as_number(t.get("threshold")) is not None:
                thresholds[crit["metric"]] = float(t["threshold"])
    todo = []
    if nxt:
        for required, items in ((True, nxt.get("required", [])), (False, nxt.get("recommended", []))):
            for item in items:
                todo.append({**item, "required": required, "dimension": str(item["ref"]).split(".")[0]})
    definitions = maturity.get("level_definitions") or {}
    return Grade(level=level, label=maturity.get("level_title") or LEVEL_TITLES.get(level, level),
                 score=as_number(maturity.get("score")), summary=str(maturity.get("summary", "")),
                 next_level=nxt["level"] if nxt else None, next_label=nxt.get("title") if nxt else None,
                 dimensions=dims, todo=todo, next_thresholds=thresholds,
                 description=str((definitions.get(level) or {}).get("description", "")),
                 status=str(maturity.get("level_status") or "reached"),
                 confidence=str(maturity.get("confidence") or "high"),
                 confidence_reason=str(maturity.get("confidence_reason") or ""),
                 more_data=maturity.get("more_data"))


# --------------------------------------------------------------------------------------------
# Build context: everything a section builder may read, and where it records its inputs
# --------------------------------------------------------------------------------------------
@dataclass
class Context:
    client: Client
    metrics: Mapping
    grade: "Grade"
    base: Baseline
    standards: dict
    evidence: dict
    inputs: dict
    figures: Any = None   # every quoted figure (a ``figures.Figures``), set once the targets are known
    #: the sections the report prints, in order (a section with nothing to say is left out)
    shown: tuple[str, ...] = tuple(sid for sid, _ in SECTIONS)

    def section(self, key: str) -> str:
        """'section 4': a section's number as printed, so a reference never goes stale."""
        return f"section {self.shown.index(key) + 1}"
