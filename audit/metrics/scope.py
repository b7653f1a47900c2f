"""Who is accountable for which rows: a scope is one brand handle, one channel, or the client's
handles together, and every metric is computed on one. Also which handles are in the data at all
and which of them are service desks, since peers and the service-handle metrics need both."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from audit.common.handles import handle_key
from audit.conversations.threads import UNKNOWN_BRAND
from audit.metrics.prepare import Prepared

SERVICE_HANDLE = re.compile(r"(?:help|support|cares|service)$", re.IGNORECASE)


@dataclass(frozen=True)
class Scope:
    """The rows one set of handles is accountable for.

    ``inbound``: customer posts in conversations with the handles; ``convs``: customer-opened
    conversations with them; ``replies``: brand replies *written by* them (so a service handle
    answering on the marketing handle's conversation is credited to the service handle).
    """

    inbound: pd.DataFrame
    convs: pd.DataFrame
    replies: pd.DataFrame
    handles: frozenset[str]
    service: frozenset[str]
    days: int


def scope(prep: Prepared, handles: Iterable[str], service: Iterable[str] = (),
          channel: str | None = None) -> Scope:
    """Select the rows the given handles (optionally on one channel) are accountable for."""
    keys = frozenset(handle_key(h) for h in handles)
    m, c = prep.messages, prep.conversations
    m_in = m["channel"].eq(channel) if channel is not None else pd.Series(True, index=m.index)
    c_in = c["channel"].eq(channel) if channel is not None else pd.Series(True, index=c.index)
    return Scope(
        inbound=m.loc[m_in & m["is_customer"] & m["_brand"].isin(keys)],
        convs=c.loc[c_in & c["opened_by_customer"] & c["_brand"].isin(keys)],
        replies=m.loc[m_in & m["_is_reply"] & m["_author"].isin(keys)],
        handles=keys,
        service=frozenset(handle_key(s) for s in service),
        days=len(prep.days),
    )


def brand_handles(prep: Prepared) -> dict[str, str]:
    """Every brand handle in the data (conversation brands and reply authors), key -> spelling."""
    m, c = prep.messages, prep.conversations
    spelled = pd.concat([c.loc[c["brand"].notna(), "brand"].astype("str").str.lstrip("@"),
                         m.loc[~m["is_customer"], "author"].astype("str").str.lstrip("@")])
    spelled = spelled.loc[spelled.ne(UNKNOWN_BRAND)].sort_values().drop_duplicates()
    return dict(zip(spelled.str.casefold(), spelled)) if len(spelled) else {}


def service_handles(handles: Iterable[str], configured: Iterable[str] = ()) -> list[str]:
    """Handles named like a service desk (``*help``, ``*support``, ``*cares``, ``*service``) or configured."""
    extra = {handle_key(h) for h in configured}
    return sorted(h for h in handles if SERVICE_HANDLE.search(h) or h.casefold() in extra)
