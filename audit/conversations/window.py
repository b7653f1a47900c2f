"""The analysis window: the period in which the client's conversations actually happen.

Real exports carry stray timestamps: a 2011 tweet in an October-December 2017 export, a 2016
exchange, a date in the future. Dividing by the whole span would report 2,289 days and spread the
hour-of-week volumes over 327 weeks instead of 13. So rates, the hour-of-week profile and staffing
use a window, and posts outside it are listed in data quality (never dropped from the row
accounting: ingest has counted them as accepted).

The rule (automatic, per side, unless ``since``/``until`` set that side explicitly):

1. Impossible dates are always outside: before 2006-01-01 (before any social network this tool
   reads) or after the time of the analysis.
2. The *body* is the middle 98% of the remaining posts (1st to 99th percentile of post times).
3. Walking outwards from the body post by post, the window grows while the gap to the next post
   is at most ``max(7 days, 10% of the body's span)``; the first longer gap ends it. Posts beyond
   it are *stray*: isolated from the dense body by a quiet period longer than any the body shows.

A conversation belongs to the window when it was opened in it; its later posts come with it.
The window is found on the client's own posts (:func:`of_handles`): a client with 49 days of
conversations in a 417-day multi-brand export is measured over its 49 days, not the export's.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from audit.common.errors import AuditInputError
from audit.common.handles import handle_key, handle_keys

EARLIEST = pd.Timestamp("2006-01-01", tz="UTC")
BODY_QUANTILES = (0.01, 0.99)
MIN_GAP = pd.Timedelta(days=7)
GAP_SHARE_OF_BODY = 0.10
MAX_LISTED = 100      # stray and impossible dates: listed one by one (there are few)
MAX_EXAMPLES = 10     # posts outside --since/--until: examples (there may be many)

#: why a post is outside the window -> the sentence data quality prints
REASONS: dict[str, str] = {
    "before_2006": "dated before 2006 (an impossible date for social media)",
    "future": "dated after the analysis was run",
    "stray_early": "isolated before the body of the data (a gap longer than any inside it)",
    "stray_late": "isolated after the body of the data (a gap longer than any inside it)",
    "before_since": "before the requested --since date",
    "after_until": "after the requested --until date",
}


@dataclass(frozen=True)
class Window:
    """``[start, end]`` (UTC, inclusive), how each bound was set, and the posts left outside."""

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    start_source: str  # "data" (first post), "detected" (strays cut), "explicit" (--since)
    end_source: str
    excluded: pd.DataFrame = field(repr=False)  # message_id, created_at, reason

    def days(self, tz: str = "UTC") -> pd.DatetimeIndex:
        """Local calendar days of the window, inclusive (what 'per day' divides by)."""
        if self.start is None or self.end is None:
            return pd.DatetimeIndex([])
        return pd.date_range(self.start.tz_convert(tz).normalize(), self.end.tz_convert(tz).normalize(), freq="D")

    def select(self, messages: pd.DataFrame, conversations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The conversations opened inside the window, and all their messages."""
        if self.start is None or self.end is None:
            return messages.iloc[0:0], conversations.iloc[0:0]
        opened = conversations["opened_at"]
        keep = conversations.loc[opened.between(self.start, self.end)]
        return messages.loc[messages["conversation_id"].isin(keep["conversation_id"])], keep

    def to_dict(self, tz: str = "UTC") -> dict:
        """JSON-ready summary for metrics.json / audit.json and the playbook's data quality."""
        counts = self.excluded["reason"].value_counts()
        ordered = self.excluded.sort_values(["created_at", "message_id"])
        explicit = ordered["reason"].isin(["before_since", "after_until"])
        listed = pd.concat([ordered.loc[~explicit].head(MAX_LISTED),
                            ordered.loc[explicit].groupby("reason").head(MAX_EXAMPLES)])
        days = self.days(tz)
        return {
            "start": self.start.isoformat() if self.start is not None else None,
            "end": self.end.isoformat() if self.end is not None else None,
            "start_source": self.start_source,
            "end_source": self.end_source,
            "days": len(days),
            "excluded_posts": int(len(self.excluded)),
            "excluded_by_reason": {r: int(counts.get(r, 0)) for r in REASONS if counts.get(r, 0)},
            "excluded_listed": [{"message_id": str(r.message_id), "created_at": r.created_at.isoformat(),
                                 "reason": r.reason} for r in listed.itertuples()],
            "rule": RULE,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> "Window":
        """The window recorded by the analysis stage (the excluded list is not needed to select)."""
        ts = (lambda v: pd.Timestamp(v).tz_convert("UTC") if v else None)
        return cls(ts(d.get("start")), ts(d.get("end")), str(d.get("start_source")), str(d.get("end_source")),
                   pd.DataFrame({"message_id": [], "created_at": [], "reason": []}))


RULE = ("Posts dated before 2006 or after the analysis are outside the window. The body of the data is "
        "its middle 98% of posts; the window extends outwards from it post by post while the gap to "
        f"the next post is at most {MIN_GAP.days} days or {GAP_SHARE_OF_BODY:.0%} of the body's span "
        "(whichever is longer). --since/--until set a bound explicitly.")


def parse_bound(value: object, tz: str, *, end: bool) -> pd.Timestamp | None:
    """A ``--since``/``--until`` value (date or date-time, local to ``tz``) as a UTC bound.

    A bare date means the whole day: ``--until 2017-12-31`` includes 31 December.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise AuditInputError(f"Cannot read the date {text!r}: use YYYY-MM-DD (or YYYY-MM-DD HH:MM).") from None
    if stamp is pd.NaT:
        raise AuditInputError(f"Cannot read the date {text!r}: use YYYY-MM-DD (or YYYY-MM-DD HH:MM).")
    date_only = len(text) <= 10
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
    if end and date_only:
        stamp = stamp + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return stamp.tz_convert("UTC")


def bounds(since: object, until: object, tz: str = "UTC") -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``--since``/``--until`` as UTC bounds, refused when unreadable or when ``since`` is after
    ``until`` (the run checks them with this before any stage; :func:`find` uses them)."""
    lo, hi = parse_bound(since, tz, end=False), parse_bound(until, tz, end=True)
    if lo is not None and hi is not None and lo > hi:
        raise AuditInputError(f"--since {since} is after --until {until}: nothing to analyse.")
    return lo, hi


def find(created_at: pd.Series, message_ids: pd.Series | None = None, *, since: object = None,
         until: object = None, tz: str = "UTC", now: pd.Timestamp | None = None) -> Window:
    """The analysis window of posts dated ``created_at`` (tz-aware); see the module's rule."""
    when = pd.Series(created_at.to_numpy(), index=created_at.index)
    ids = (message_ids if message_ids is not None else pd.Series(created_at.index.astype(str), index=created_at.index))
    now = pd.Timestamp.now(tz="UTC") if now is None else now
    lo, hi = bounds(since, until, tz)
    reason = pd.Series(pd.NA, index=when.index, dtype="object")
    reason[when < EARLIEST] = "before_2006"
    reason[when > now] = "future"
    if lo is not None:
        reason[reason.isna() & (when < lo)] = "before_since"
    if hi is not None:
        reason[reason.isna() & (when > hi)] = "after_until"
    inside = when[reason.isna()].sort_values()
    start_source = "explicit" if lo is not None else "data"
    end_source = "explicit" if hi is not None else "data"
    if len(inside) >= 2 and (lo is None or hi is None):
        first, last = _body_edges(inside)
        if lo is None and first > 0:
            reason[inside.index[:first]] = "stray_early"
            start_source = "detected"
        if hi is None and last < len(inside) - 1:
            reason[inside.index[last + 1:]] = "stray_late"
            end_source = "detected"
        inside = when[reason.isna()].sort_values()
    start = lo if lo is not None else (inside.iloc[0] if len(inside) else None)
    end = hi if hi is not None else (inside.iloc[-1] if len(inside) else None)
    out = reason.notna()
    excluded = pd.DataFrame({"message_id": ids[out].astype(str).to_numpy(), "created_at": when[out].to_numpy(),
                             "reason": reason[out].astype(str).to_numpy()})
    return Window(start, end, start_source, end_source, excluded)


def handle_rows(messages: pd.DataFrame, handles: Iterable[str]) -> pd.Series:
    """Posts that belong to ``handles``: written by them, or in a conversation with them (the
    customer posts addressed to them). Handles compare without '@' and case-insensitively."""
    keys = {handle_key(h) for h in handles}
    key = (lambda col: handle_keys(messages[col]).isin(keys).fillna(False))
    return (key("author") | key("brand")).astype(bool)


def of_handles(messages: pd.DataFrame, handles: Iterable[str], *, since: object = None, until: object = None,
               tz: str = "UTC", now: pd.Timestamp | None = None) -> Window:
    """The analysis window of ``handles``' own posts (see :func:`handle_rows`): the period of a
    client, or of one peer for the peer table."""
    own = messages.loc[handle_rows(messages, handles)]
    return find(own["created_at"], own["message_id"], since=since, until=until, tz=tz, now=now)


def require_posts(everything: pd.DataFrame, selected: pd.DataFrame, handles: Iterable[str], *,
                  since: object = None, until: object = None, tz: str = "UTC") -> None:
    """Refuse an explicit window that holds none of the client's posts, in one sentence that says
    where the client's posts actually are (the fix is the dates, not the brand list)."""
    handles = list(handles)
    if not (since or until) or handle_rows(selected, handles).any():
        return
    own = everything.loc[handle_rows(everything, handles), "created_at"]
    where = ("the export holds none of their posts" if own.empty else
             f"their posts run from {own.min().tz_convert(tz):%Y-%m-%d} to {own.max().tz_convert(tz):%Y-%m-%d}")
    raise AuditInputError(
        f"No post of {', '.join('@' + h.lstrip('@') for h in handles)} falls between --since "
        f"{since or '(the start)'} and --until {until or '(the end)'} ({tz}): {where}. Widen or move the window.")


def _body_edges(sorted_times: pd.Series) -> tuple[int, int]:
    """Positions of the first and last post of the window among ``sorted_times``."""
    t = sorted_times.reset_index(drop=True)
    q_lo, q_hi = t.quantile(BODY_QUANTILES[0]), t.quantile(BODY_QUANTILES[1])
    max_gap = max(MIN_GAP, (q_hi - q_lo) * GAP_SHARE_OF_BODY)
    gaps = t.diff()  # gaps[i] = t[i] - t[i-1]
    first = int((t >= q_lo).idxmax())
    while first > 0 and gaps.iloc[first] <= max_gap:
        first -= 1
    last = int((t <= q_hi)[::-1].idxmax())
    while last < len(t) - 1 and gaps.iloc[last + 1] <= max_gap:
        last += 1
    return first, last
