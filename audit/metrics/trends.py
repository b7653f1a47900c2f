"""Monthly series of the key figures inside one audit: is the service getting better or worse?

Why: a year of data summarised as one number hides a team that fixed its night cover in March,
or one that fell apart in the summer. Each month (local calendar month of the client's time
zone) gets the same definitions as the whole-period metrics (``audit.metrics.registry``): response rate,
median first response, share of negative customer posts, and volume, with the counts behind
each so a thin month is visible as thin. Pure functions on the thread-built frames.
"""
from __future__ import annotations

import pandas as pd

#: A month with fewer customer-opened conversations than this is reported but flagged thin.
MIN_MONTH_CONVERSATIONS = 30
#: The series need at least this many calendar months in the data.
MIN_MONTHS = 2
#: What each monthly figure is, for the notebook, the playbook and the workbook.
SERIES = {
    "inbound_posts": ("Customer posts", "count"),
    "conversations": ("Customer-opened conversations", "count"),
    "response_rate": ("Response rate", "share"),
    "first_response_median_min": ("Median first response (min)", "minutes"),
    "negative_share": ("Negative customer posts", "share"),
}


def _months(stamps: pd.Series, tz: str) -> pd.Series:
    """'YYYY-MM' of each timestamp on the client's local clock."""
    return stamps.dt.tz_convert(tz).dt.strftime("%Y-%m")


def _local_day(day: pd.Timestamp, tz: str) -> pd.Timestamp:
    """A day of the period as a local midnight (naive days are already local)."""
    day = pd.Timestamp(day)
    return (day.tz_convert(tz) if day.tzinfo else day.tz_localize(tz)).normalize()


def monthly(conversations: pd.DataFrame, inbound: pd.DataFrame, tz: str = "UTC",
            days: pd.DatetimeIndex | None = None) -> dict:
    """Key figures per local calendar month.

    ``conversations``: the client's customer-opened conversations (``opened_at``, ``answered``,
    ``first_response_s``); ``inbound``: the client's customer posts (``created_at``,
    ``sentiment``). A conversation belongs to the month it was opened in, a post to the month it
    was written in. The first and last month are usually partial: ``days`` says how many days of
    the month the export covers, ``partial`` flags it, ``thin`` flags a month with fewer than
    ``MIN_MONTH_CONVERSATIONS`` conversations. ``days``: the analysis period's local days (what
    ``compute_all`` divides by and the report's cover states); the months and the days each covers
    are counted on it, so a month table never states another period than the cover. Without it,
    the first to the last dated customer post.
    """
    stamps = pd.concat([conversations["opened_at"], inbound["created_at"]]).dropna()
    if stamps.empty:
        return {"available": False, "reason": "no dated customer posts", "months": []}
    local = stamps.dt.tz_convert(tz)
    first, last = local.min().normalize(), local.max().normalize()
    if days is not None and len(days):
        first, last = _local_day(days.min(), tz), _local_day(days.max(), tz)
    month_index = pd.period_range(first.tz_localize(None), last.tz_localize(None), freq="M")
    if len(month_index) < MIN_MONTHS:
        return {"available": False, "months": [],
                "reason": f"the data covers {len(month_index)} calendar month; trends need at least {MIN_MONTHS}"}
    days = pd.Series(pd.date_range(first.tz_localize(None), last.tz_localize(None), freq="D"))
    days_in = days.dt.strftime("%Y-%m").value_counts()

    answered = conversations["answered"].fillna(False).astype(bool)
    conv = pd.DataFrame({"month": _months(conversations["opened_at"], tz), "answered": answered,
                         "frt_min": (conversations["first_response_s"].astype("float64") / 60).where(answered)})
    by_conv = conv.groupby("month").agg(conversations=("answered", "size"), answered=("answered", "sum"),
                                        first_response_median_min=("frt_min", "median"))
    posts = pd.DataFrame({"month": _months(inbound["created_at"], tz),
                          "negative": inbound["sentiment"].eq("negative").fillna(False).astype(bool)})
    by_post = posts.groupby("month").agg(inbound_posts=("negative", "size"), negative_posts=("negative", "sum"))

    rows = []
    for period in month_index:
        key = period.strftime("%Y-%m")
        n_conv = int(by_conv["conversations"].get(key, 0))
        n_ans = int(by_conv["answered"].get(key, 0))
        n_posts = int(by_post["inbound_posts"].get(key, 0))
        n_neg = int(by_post["negative_posts"].get(key, 0))
        median = by_conv["first_response_median_min"].get(key)
        covered = int(days_in.get(key, 0))
        rows.append({
            "month": key, "days": covered, "partial": covered < period.days_in_month,
            "thin": n_conv < MIN_MONTH_CONVERSATIONS,
            "inbound_posts": n_posts, "negative_posts": n_neg,
            "negative_share": n_neg / n_posts if n_posts else None,
            "conversations": n_conv, "answered": n_ans,
            "response_rate": n_ans / n_conv if n_conv else None,
            "first_response_median_min": None if median is None or pd.isna(median) else float(median),
        })
    return {"available": True, "reason": None, "tz": tz, "months": rows,
            "min_month_conversations": MIN_MONTH_CONVERSATIONS}


def table(trends: dict) -> pd.DataFrame:
    """The monthly series as a table (one row a month), for the notebook and the workbook."""
    columns = ["month", "days", "partial", "thin", *SERIES, "answered", "negative_posts"]
    return pd.DataFrame(trends.get("months") or [], columns=columns)
