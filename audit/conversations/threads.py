"""Threads: rebuild conversations from reply links and summarise each one.

Exports list posts in any order and lose some parents, so conversations are rebuilt from the
links alone: every post climbs to its root (pointer jumping on numpy index arrays, O(n log depth)),
a parent missing from the file makes the post a root, and accidental reply cycles are cut at
their earliest post. One row per conversation then carries what the metrics need: who opened,
when the brand first answered, who spoke last.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit.common.handles import clean_handle, handle_keys
from audit.conversations.voice import agents
from audit.reading.schema import THREAD_COLUMNS, validate_messages
from audit.reading.skew import clamp_to_parents

CONVERSATION_COLUMNS: dict[str, str] = {
    "conversation_id": "str",
    "brand": "str",
    "brands": "str",
    "customer": "str",
    "channel": "str",
    "opened_at": "datetime64[ns, UTC]",
    "opened_by_customer": "bool",
    "opening_message_id": "str",
    "first_response_id": "str",
    "first_response_at": "datetime64[ns, UTC]",
    "first_response_s": "float64",
    "answered": "bool",
    "n_messages": "int64",
    "n_customer": "int64",
    "n_brand": "int64",
    "last_speaker": "str",
    "last_customer_at": "datetime64[ns, UTC]",
    "last_brand_at": "datetime64[ns, UTC]",
    "duration_s": "float64",
}

UNKNOWN_BRAND = "unknown"
_MENTION = r"@(\w{1,50})"


def build(
    messages: pd.DataFrame, brands: Iterable[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``messages`` (same row order) with thread columns, and one row per conversation.

    ``brands`` are extra brand handles recognised when an unanswered opening post mentions them.
    """
    msgs = messages.drop(columns=[c for c in THREAD_COLUMNS if c in messages.columns])
    msgs = validate_messages(msgs).reset_index(drop=True)
    msgs["created_at"] = clamp_to_parents(msgs)[0]  # a reply never precedes its parent
    rank = _time_rank(msgs)
    parent, self_reply = _parent_positions(msgs)
    parent, broken = _break_cycles(parent, rank)
    broken |= self_reply
    root, depth = _climb(parent)
    turn = _turns(root, rank)
    msgs = msgs.assign(
        conversation_id=msgs["message_id"].to_numpy()[root],
        depth=depth,
        turn=turn,
        cycle_broken=broken,
    )
    conversations = _conversations(msgs, root, brands or ())
    msgs = msgs.assign(brand=conversations["brand"].reindex(root).to_numpy(),
                       agent=_agents(msgs))
    msgs = msgs.astype(THREAD_COLUMNS)
    return validate_messages(msgs, threaded=True), conversations.reset_index(drop=True)


def _time_rank(msgs: pd.DataFrame) -> np.ndarray:
    """Rank of each post by (created_at, source_row): the order 'earliest' and 'turn' use."""
    when = msgs["created_at"].to_numpy(dtype="datetime64[ns]")  # not an object array of Timestamps
    order = np.lexsort((msgs["source_row"].to_numpy(), when))
    rank = np.empty(len(msgs), dtype=np.int64)
    rank[order] = np.arange(len(msgs))
    return rank


def _parent_positions(msgs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row position of each post's parent (a root points to itself), and the self-replies.

    A post answering its own id is the smallest cycle: it becomes a root and is flagged.
    """
    found = pc.index_in(
        pa.array(msgs["reply_to_id"], pa.large_string()),
        value_set=pa.array(msgs["message_id"], pa.large_string()),
    )
    positions = found.to_numpy(zero_copy_only=False)
    own = np.arange(len(msgs))
    parent = np.where(pd.isna(positions), own, positions).astype(np.int64)
    return parent, (parent == own) & ~pd.isna(positions)


def _break_cycles(parent: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make the earliest post of every reply cycle a root; flag the posts whose link was cut.

    After k doublings ``jump`` is each post's 2**k-th ancestor and ``low`` the lowest rank on the
    way. With 2**k >= n, a post whose ancestor is not a root leads into a cycle, that ancestor
    lies on the cycle and its ``low`` is the earliest post of the whole cycle.
    """
    n = len(parent)
    own = np.arange(n)
    broken = np.zeros(n, dtype=bool)
    jump, low = parent.copy(), rank.copy()
    for _ in range(max(n, 1).bit_length() + 1):
        low = np.minimum(low, low[jump])
        jump = jump[jump]
    in_cycle = parent[jump] != jump
    if not in_cycle.any():
        return parent, broken
    order = np.argsort(rank)
    earliest = np.unique(order[low[np.unique(jump[in_cycle])]])
    parent = parent.copy()
    parent[earliest] = earliest
    broken[earliest] = True
    return parent, broken


def _climb(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Root position and depth of every post by pointer jumping (parent must be acyclic)."""
    jump = parent.copy()
    depth = (parent != np.arange(len(parent))).astype(np.int64)
    for _ in range(64):
        ahead = jump[jump]
        if np.array_equal(ahead, jump):
            return jump, depth
        depth = depth + depth[jump]
        jump = ahead
    raise AssertionError("reply links still cyclic after cycle breaking")


def _turns(root: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """0-based position of each post in its conversation, by time."""
    order = np.lexsort((rank, root))
    sorted_root = root[order]
    positions = np.arange(len(root))
    starts = np.r_[True, sorted_root[1:] != sorted_root[:-1]] if len(root) else np.array([], bool)
    first = np.maximum.accumulate(np.where(starts, positions, 0)) if len(root) else positions
    turn = np.empty(len(root), dtype=np.int64)
    turn[order] = positions - first
    return turn


def _conversations(msgs: pd.DataFrame, root: np.ndarray, brands: Iterable[str]) -> pd.DataFrame:
    """One row per conversation, from the posts sorted by conversation and turn.

    Groups are keyed by the root's row position (an integer), far cheaper than the id strings.
    """
    s = msgs.assign(_root=root).sort_values(["_root", "turn"]).reset_index(drop=True)
    by = s.groupby("_root", sort=False)
    opening = by.head(1).set_index("_root")
    closing = by.tail(1).set_index("_root")
    customers = s[s["is_customer"]]
    brand_posts = s[~s["is_customer"]]
    first_customer = customers.groupby("_root", sort=False).head(1).set_index("_root")

    waiting_since = s["_root"].map(first_customer["turn"])
    answers = s[~s["is_customer"] & (s["turn"] > waiting_since)]
    first_answer = answers.groupby("_root", sort=False).head(1).set_index("_root")

    out = pd.DataFrame(index=opening.index)
    out["conversation_id"] = opening["conversation_id"]
    out["brand"] = brand_posts.groupby("_root", sort=False)["author"].first()
    out["brands"] = _brand_lists(brand_posts)
    out["customer"] = first_customer["author"]
    out["channel"] = opening["channel"]
    out["opened_at"] = opening["created_at"]
    out["opened_by_customer"] = opening["is_customer"]
    out["opening_message_id"] = opening["message_id"]
    out["first_response_id"] = first_answer["message_id"]
    out["first_response_at"] = first_answer["created_at"]
    out["first_response_s"] = (
        out["first_response_at"] - first_customer["created_at"]
    ).dt.total_seconds()
    out["answered"] = out["first_response_id"].notna()
    out["n_messages"] = by.size()
    out["n_customer"] = by["is_customer"].sum()
    out["n_brand"] = out["n_messages"] - out["n_customer"]
    out["last_speaker"] = np.where(closing["is_customer"].reindex(out.index), "customer", "brand")
    out["last_customer_at"] = customers.groupby("_root", sort=False)["created_at"].max()
    out["last_brand_at"] = brand_posts.groupby("_root", sort=False)["created_at"].max()
    out["duration_s"] = (closing["created_at"] - opening["created_at"]).dt.total_seconds()
    out["brands"] = out["brands"].fillna("")
    unbranded = out["brand"].isna()
    if unbranded.any():
        known = _known_brands(msgs, brands)
        out.loc[unbranded, "brand"] = _mentioned_brand(opening.loc[unbranded, "text"], known)
    out["brand"] = out["brand"].fillna(UNKNOWN_BRAND)
    out = out.sort_values(["opened_at", "conversation_id"], kind="stable")
    return out[list(CONVERSATION_COLUMNS)].astype(CONVERSATION_COLUMNS)


def _agents(msgs: pd.DataFrame) -> pd.Series:
    """The signing agent of each brand post (customer posts get none), for per-agent figures."""
    brand = ~msgs["is_customer"].to_numpy()
    out = pd.Series(np.nan, index=msgs.index, dtype="str")
    out[brand] = agents(msgs.loc[brand, "text"], msgs.loc[brand, "author"])
    return out


def _brand_lists(brand_posts: pd.DataFrame) -> pd.Series:
    """Distinct brand authors per conversation in order of appearance, comma-joined.

    Only the rare multi-brand conversations pay for a per-group join; the rest are a lookup.
    """
    pairs = brand_posts.drop_duplicates(["_root", "author"])
    several = pairs["_root"].duplicated(keep=False)
    single = pairs.loc[~several].set_index("_root")["author"]
    joined = pairs.loc[several].groupby("_root", sort=False)["author"].agg(",".join)
    return pd.concat([single, joined])


def _known_brands(msgs: pd.DataFrame, extra: Iterable[str]) -> pd.Series:
    """Brand handles by their key (:func:`handle_keys`): authors of brand posts, then the given handles."""
    handles = pd.concat([
        msgs.loc[~msgs["is_customer"], "author"].astype("string"),
        pd.Series([clean_handle(h).lstrip("@") for h in extra], dtype="string"),
    ], ignore_index=True).drop_duplicates()
    return pd.Series(handles.to_numpy(), index=handle_keys(handles).to_numpy()).groupby(level=0).first()


def _mentioned_brand(texts: pd.Series, known: pd.Series) -> pd.Series:
    """The first known brand ``@handle`` in each opening post (NaN when none)."""
    mentions = handle_keys(texts.str.extractall(_MENTION)[0])
    mentions = mentions[mentions.isin(known.index)]
    first = mentions.groupby(level=0).first()
    return first.map(known).reindex(texts.index)
