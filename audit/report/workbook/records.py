"""The Agents and Topics sheets: the run's scorecards and topics, one row each, every field in
its own column under a human header (``columns.yaml``), or a line saying why there are none."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from audit.report import format as fmt
from audit.report.workbook.cells import note, table, unavailable
from audit.report.workbook.columns import columns


def agents_sheet(ws: Worksheet, agents: Any) -> None:
    """``metrics.agents`` (``audit.metrics.agents.summary``): one row per scored agent and one
    pooled row per handle, the best agents flagged; how many replies are signed underneath."""
    from audit.metrics.agents import POOLED, card_key

    if not isinstance(agents, Mapping) or agents.get("available") is False or not agents.get("scorecards"):
        reason = agents.get("reason") if isinstance(agents, Mapping) else None
        unavailable(ws, "Agents", reason or "The run has no agent scorecards.")
        return
    best = set(agents.get("best") or [])
    records = [{**card, "best": card_key(card) in best} for card in agents["scorecards"]]
    n = table(ws, columns("Agents"), records)
    if agents.get("replies"):
        note(ws, n + 3, f"Signed replies: {agents.get('signed_replies', 0):,} of the client's {agents['replies']:,} "
                        f"replies ({fmt.percent(agents.get('signed_share'))}).")
    note(ws, n + 4, f"An agent with at least {agents.get('min_replies', '?')} signed replies is scored on their own; "
                    f"the others are pooled per handle as '{POOLED}'.")


def topics_sheet(ws: Worksheet, topics: Any) -> None:
    """The client's topics as ``topics.json`` lists them (the playbook's table): one row per
    topic, keywords as one phrase, the first masked example; or a line saying why there are none."""
    if not isinstance(topics, Mapping) or not topics.get("topics"):
        reason = topics.get("note") if isinstance(topics, Mapping) else None
        unavailable(ws, "Topics", reason or "No group of similar posts was large enough to be a topic.")
        return
    table(ws, columns("Topics"), topics["topics"])
