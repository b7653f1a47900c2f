"""The public TWCS layout the sample is written in: its columns, its time text, its rows.

Why: writing "Customer Support on Twitter" exactly (ids growing with time, reply links both ways,
``Tue Oct 31 22:10:47 +0000 2017``) is what lets the sample exercise the real ingest path.
"""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd

from audit.demo.profiles import author_handles
from audit.demo.timing import DAY_SECONDS

COLUMNS = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
           "in_response_to_tweet_id"]
TWCS_TIME_FORMAT = "%a %b %d %H:%M:%S +0000 %Y"


def format_twcs_time(t: np.ndarray) -> np.ndarray:
    """Seconds since the epoch -> ``Tue Oct 31 22:10:47 +0000 2017``; formats each distinct day
    and each second of a day once, so a million rows format in well under a second."""
    day, sec = np.divmod(np.asarray(t, dtype=np.int64), DAY_SECONDS)
    uniq, inv = np.unique(day, return_inverse=True)
    heads, tails = [], []
    for d in uniq:
        stamp = datetime.fromtimestamp(int(d) * DAY_SECONDS, tz=timezone.utc)
        heads.append(stamp.strftime("%a %b %d "))
        tails.append(stamp.strftime(" +0000 %Y"))
    clock = np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY_SECONDS)], dtype=object)
    return (np.array(heads, dtype=object)[inv] + clock[sec] + np.array(tails, dtype=object)[inv])


def to_twcs(steps: pd.DataFrame) -> pd.DataFrame:
    """Number posts in time order (tweet ids grow with time), link replies both ways, format."""
    t = steps["t"].to_numpy()
    order = np.lexsort((steps["step"].to_numpy(), steps["conv"].to_numpy(), t))
    ids = np.empty(len(t), dtype=np.int64)
    ids[order] = np.arange(1, len(t) + 1)
    parent = steps["parent"].to_numpy()
    has_parent = parent >= 0
    in_reply = np.where(has_parent, ids[np.maximum(parent, 0)], 0).astype(float)
    in_reply[~has_parent] = np.nan
    children = pd.DataFrame({"parent": ids[parent[has_parent]], "child": ids[has_parent]}).sort_values("child")
    joined = children.groupby("parent")["child"].agg(lambda c: ",".join(map(str, c)))
    handle = author_handles(steps)
    inbound = handle == ""
    frame = pd.DataFrame({
        "tweet_id": ids,
        "author_id": np.where(inbound, steps["customer"].astype(str).to_numpy(), handle),
        "inbound": inbound,
        "created_at": format_twcs_time(t),
        "text": steps["text"].to_numpy(),
        "response_tweet_id": pd.Series(ids).map(joined).to_numpy(),
        "in_response_to_tweet_id": in_reply,
    })
    frame = frame.sort_values("tweet_id", ignore_index=True)
    for col in ("author_id", "created_at", "text", "response_tweet_id"):
        frame[col] = frame[col].astype("str")
    return frame
