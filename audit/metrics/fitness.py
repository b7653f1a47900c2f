"""Can this export support an audit? Checks on the client's own rows that say when the figures
describe the export's making (a sample, an extract, a crawl) rather than the client's service.

Each check is a pure function returning one entry: ``check``, ``status`` (pass / warn / fail),
``value``, ``detail`` and the report sections it ``undermines``. The thresholds below carry
their reason; every check's definition sits beside its calculation.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from audit.common.handles import handle_key, handle_keys

PASS, WARN, FAIL = "pass", "warn", "fail"

#: period length (days): under a week no weekly pattern exists at all; under four weeks a
#: weekly rate or roster rests on fewer weeks than one month's cycle.
PERIOD_FAIL_DAYS, PERIOD_WARN_DAYS = 7, 28
#: concentration: the busiest tenth of the days (at least one) would hold about a tenth of the
#: conversations of a steady desk; half or more means a few days make the whole picture.
BUSIEST_DAYS_SHARE = 0.10
CONCENTRATION_WARN, CONCENTRATION_FAIL = 0.30, 0.50
#: gaps: a week without a single conversation is a hole in the export, not a quiet week
GAP_WARN_DAYS, GAP_FAIL_DAYS = 7, 21
#: selection: answered shares of exactly 100% for every brand, or every conversation ending with
#: the brand, are what a sample picked for its replies looks like (real desks miss some, and
#: customers often write last: "thanks"). Brands need this many conversations to count.
SELECTION_MIN_CONVERSATIONS = 10
ENDS_WITH_BRAND_WARN, ENDS_WITH_BRAND_FAIL = 0.95, 0.99
#: extract signs: a desk's agents each handle many conversations; many agents with a few each
#: is a slice of a much larger desk's traffic (78 agents signing 102 conversations).
AGENTS_MIN = 5
CONVERSATIONS_PER_AGENT_WARN, CONVERSATIONS_PER_AGENT_FAIL = 10.0, 3.0
#: broken links: brand replies to posts the export does not hold (a random sample of posts keeps
#: the replies and drops what they answer) make every conversation look unanswered.
ORPHAN_WARN, ORPHAN_FAIL = 0.10, 0.50
#: surges: one clock hour holding this share of a week-or-longer period's customer posts is a
#: crawl or a campaign burst before it is a service pattern (a steady week spreads over 168 hours).
SURGE_MIN_POSTS = 20
SURGE_WARN, SURGE_FAIL = 0.05, 0.10
#: language: posts the (English) model cannot read are left out of text-derived shares
UNREAD_WARN, UNREAD_FAIL = 0.05, 0.25

#: the report sections each check undermines, and what happens to them
UNDERMINES: dict[str, tuple[str, ...]] = {
    "period_length": ("current_state", "staffing", "kpis"),
    "concentration": ("current_state", "staffing", "escalation"),
    "gaps": ("current_state", "staffing"),
    "selection_answered": ("current_state", "kpis"),
    "selection_ends_with_brand": ("current_state", "kpis"),
    "extract_signs": ("coaching", "staffing"),
    "orphan_replies": ("executive_summary", "current_state", "kpis", "escalation"),
    "surges": ("escalation", "topics"),
    "languages": ("current_state", "triage", "topics"),
}
#: checks whose failure stops weekly and monthly projections ("N more conversations would settle it")
STOPS_PROJECTIONS = ("period_length", "concentration", "gaps")


def _status(value: float | None, warn: float, fail: float, higher_is_worse: bool = True) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return PASS
    if higher_is_worse:
        return FAIL if value >= fail else WARN if value >= warn else PASS
    return FAIL if value <= fail else WARN if value <= warn else PASS


def _entry(check: str, status: str, value: object, detail: str) -> dict:
    return {"check": check, "status": status, "value": value, "detail": detail,
            "undermines": list(UNDERMINES[check]) if status != PASS else []}


def _per_day(opened_local: pd.Series, days: pd.DatetimeIndex) -> pd.Series:
    day = opened_local.dt.normalize().dt.tz_localize(None)
    return day.value_counts().reindex(days.tz_localize(None) if days.tz is not None else days, fill_value=0)


def period_length(days: pd.DatetimeIndex) -> dict:
    """Calendar days of the client's period."""
    n = len(days)
    status = FAIL if n < PERIOD_FAIL_DAYS else WARN if n < PERIOD_WARN_DAYS else PASS
    return _entry("period_length", status, n, f"The client's conversations span {n} day{'s' * (n != 1)}; "
                  f"weekly rates, rosters and projections need at least {PERIOD_WARN_DAYS}.")


def concentration(opened_local: pd.Series, days: pd.DatetimeIndex) -> dict:
    """Share of the client's customer-opened conversations on its busiest tenth of days."""
    counts = _per_day(opened_local, days).sort_values(ascending=False)
    k = max(1, round(len(counts) * BUSIEST_DAYS_SHARE))
    total = int(counts.sum())
    value = float(counts.head(k).sum() / total) if total else None
    status = _status(value, CONCENTRATION_WARN, CONCENTRATION_FAIL) if len(counts) >= 2 else PASS
    detail = (f"{value:.0%} of {total:,} conversations fall on the busiest {k} of {len(counts)} days "
              f"(a steady desk: about {k / max(len(counts), 1):.0%})." if value is not None else "No conversations.")
    return _entry("concentration", status, None if value is None else round(value, 4), detail)


def gaps(opened_local: pd.Series, days: pd.DatetimeIndex) -> dict:
    """Longest run of consecutive days inside the period without a customer-opened conversation."""
    quiet = _per_day(opened_local, days).eq(0).to_numpy()
    longest = run = 0
    for q in quiet:
        run = run + 1 if q else 0
        longest = max(longest, run)
    status = _status(float(longest), GAP_WARN_DAYS, GAP_FAIL_DAYS)
    return _entry("gaps", status, longest, f"Longest stretch without a conversation: {longest} day"
                  f"{'s' * (longest != 1)} (a hole of a week or more is missing data, not a quiet week).")


def selection_answered(brands: pd.DataFrame) -> dict:
    """Share of brands (``brand``, ``conversations``, ``response_rate``; those with enough
    conversations) answering every conversation: all of them at 100% is a selected sample."""
    eligible = brands.loc[brands["conversations"] >= SELECTION_MIN_CONVERSATIONS]
    if len(eligible) < 2:
        return _entry("selection_answered", PASS, None,
                      f"Fewer than two brands with {SELECTION_MIN_CONVERSATIONS}+ conversations: not assessed.")
    full = eligible["response_rate"].astype("float64").ge(1.0)
    value = float(full.mean())
    status = FAIL if full.all() else WARN if value >= 0.5 else PASS
    return _entry("selection_answered", status, round(value, 4),
                  f"{int(full.sum())} of {len(eligible)} brands answer 100% of their conversations"
                  + (": the export looks selected for conversations that were answered." if status == FAIL else "."))


def selection_ends_with_brand(conversations: pd.DataFrame) -> dict:
    """Share of the client's answered conversations whose last post is the brand's."""
    c = conversations.loc[conversations["last_brand_at"].notna()]
    if len(c) < SELECTION_MIN_CONVERSATIONS:
        return _entry("selection_ends_with_brand", PASS, None, "Too few answered conversations to assess.")
    last = c["last_customer_at"].isna() | (c["last_brand_at"] >= c["last_customer_at"])
    value = float(last.mean())
    return _entry("selection_ends_with_brand", _status(value, ENDS_WITH_BRAND_WARN, ENDS_WITH_BRAND_FAIL),
                  round(value, 4), f"{value:.0%} of {len(c):,} answered conversations end with a brand post "
                  "(customers usually write last in some: thanks, a follow-up).")


def extract_signs(agents: int, conversations: int) -> dict:
    """Conversations per agent signing the client's replies: many agents with a few each means
    the export is a slice of a larger desk's traffic, not all of it."""
    if agents < AGENTS_MIN or not conversations:
        return _entry("extract_signs", PASS, None, f"{agents} signing agents: not assessed.")
    value = conversations / agents
    status = _status(value, CONVERSATIONS_PER_AGENT_WARN, CONVERSATIONS_PER_AGENT_FAIL, higher_is_worse=False)
    return _entry("extract_signs", status, round(value, 2),
                  f"{agents} agents sign replies in {conversations:,} conversations ({value:.1f} each)"
                  + (": this export holds a slice of the desk's traffic." if status != PASS else "."))


def orphan_replies(reply_unknown: pd.Series) -> dict:
    """Share of the client's replies that answer a post missing from the export (``reply_to_unknown``)."""
    n = len(reply_unknown)
    if not n:
        return _entry("orphan_replies", PASS, None, "No brand replies.")
    value = float(reply_unknown.fillna(False).astype(bool).mean())
    status = _status(value, ORPHAN_WARN, ORPHAN_FAIL)
    return _entry("orphan_replies", status, round(value, 4),
                  f"{value:.0%} of {n:,} brand replies answer a post the export does not hold"
                  + (": response rates and reply times here understate the desk." if status != PASS else "."))


def surges(posted_local: pd.Series, days: int) -> dict:
    """Share of the client's customer posts in its single busiest clock hour."""
    n = len(posted_local)
    if n < SURGE_MIN_POSTS or days < PERIOD_FAIL_DAYS:
        return _entry("surges", PASS, None, "Too few posts or days to tell a surge from the pattern.")
    hours = posted_local.dt.floor("h").value_counts()
    peak, count = hours.index[0], int(hours.iloc[0])
    value = count / n
    status = _status(value, SURGE_WARN, SURGE_FAIL)
    return _entry("surges", status, round(value, 4),
                  f"The busiest hour ({peak:%d %b %Y %H:00}) holds {count} of {n:,} customer posts ({value:.0%})"
                  + (": check it is a real event (an outage, a campaign), not how the export was collected."
                     if status != PASS else "."))


def language_mix(languages: pd.Series, readable: pd.Series) -> tuple[dict, dict]:
    """Share of the client's customer posts per language, and the check on the unread share."""
    n = len(languages)
    mix = {str(k): round(float(v), 4) for k, v in languages.fillna("und").value_counts(normalize=True).sort_index().items()}
    unread = float((~readable.astype(bool)).mean()) if n else 0.0
    entry = _entry("languages", _status(unread, UNREAD_WARN, UNREAD_FAIL), round(unread, 4),
                   f"{unread:.0%} of {n:,} customer posts are in a language the model cannot read; they are "
                   "counted but left out of sentiment and complaint shares.")
    return mix, entry


def summary(checks: list[dict]) -> dict:
    """The gate's verdict, and per report section the failed/warned checks that undermine it."""
    worst = FAIL if any(c["status"] == FAIL for c in checks) else WARN if any(c["status"] == WARN for c in checks) else PASS
    marks: dict[str, list[dict]] = {}
    for c in checks:
        for section in c["undermines"]:
            marks.setdefault(section, []).append({"check": c["check"], "status": c["status"], "detail": c["detail"]})
    return {"status": worst, "marks": marks,
            "projections": not any(c["status"] == FAIL and c["check"] in STOPS_PROJECTIONS for c in checks)}


def assess(conversations: pd.DataFrame, inbound: pd.DataFrame, brands: pd.DataFrame, *, agents: int,
           days: pd.DatetimeIndex, tz: str = "UTC", reply_unknown: pd.Series | None = None) -> dict:
    """The gate on the client's rows: ``conversations`` its customer-opened conversations (with
    ``opened_at``, ``last_brand_at``, ``last_customer_at``), ``inbound`` its customer posts (with
    ``created_at``, ``language``, ``readable``), ``brands`` one row per brand in the export."""
    opened = conversations["opened_at"].dt.tz_convert(tz)
    lang = inbound["language"] if "language" in inbound else pd.Series("und", index=inbound.index)
    ok = inbound["readable"] if "readable" in inbound else pd.Series(True, index=inbound.index)
    mix, language_check = language_mix(lang, ok.fillna(True))
    checks = [period_length(days), concentration(opened, days), gaps(opened, days),
              selection_answered(brands), selection_ends_with_brand(conversations),
              extract_signs(agents, len(conversations)),
              orphan_replies(reply_unknown if reply_unknown is not None else pd.Series(dtype=bool)),
              surges(inbound["created_at"].dt.tz_convert(tz), len(days)), language_check]
    return {"checks": checks, "languages": mix, **summary(checks)}


def of_client(messages: pd.DataFrame, conversations: pd.DataFrame, handles: list[str], by_brand: Mapping[str, Mapping],
              *, days: pd.DatetimeIndex, tz: str = "UTC") -> dict:
    """:func:`assess` on the client's rows of the analysed messages and conversations."""
    from audit.conversations.voice import agents as signed_agents
    from audit.conversations.window import handle_rows

    keys = {handle_key(h) for h in handles}
    brand_key = handle_keys(conversations["brand"])
    convs = conversations.loc[brand_key.isin(keys).fillna(False) & conversations["opened_by_customer"].fillna(False).astype(bool)]
    mine = messages.loc[handle_rows(messages, handles)]
    customer = mine["is_customer"].fillna(False).astype(bool)
    replies = mine.loc[~customer & handle_keys(mine["author"]).isin(keys).fillna(False)]
    agents = int(signed_agents(replies["text"].fillna("").astype("string"), replies["author"]).nunique()) if len(replies) else 0
    brands = pd.DataFrame([{"brand": h, "conversations": v.get("customer_conversations") or 0,
                            "response_rate": v.get("response_rate")} for h, v in by_brand.items()],
                          columns=["brand", "conversations", "response_rate"])
    unknown = replies["reply_to_unknown"] if "reply_to_unknown" in replies else pd.Series(False, index=replies.index)
    return assess(convs, mine.loc[customer], brands, agents=agents, days=days, tz=tz, reply_unknown=unknown)
