"""Section "What customers write about": the client's top topics of customer posts (complaints
and questions first), the team each should be routed to, and emerging issues.

Reads ``topics.json`` (``audit.topics.stage.report``); without it the section says so.
"""
from __future__ import annotations

from collections.abc import Mapping

from audit.report.format import percent as _pct
from audit.report.playbook.context import Context, table_block

#: the topic table; the example quote is printed under its row (fmt "below"), across the table
TABLE_COLUMNS = (("label", "Topic", None), ("posts", "Posts", "number"),
                 ("complaint_share", "Complaints", "percent"), ("negative_share", "Negative", "percent"),
                 ("response_rate", "Answered", "percent"), ("first_response_s", "Median first reply", "duration"),
                 ("owner", "Route to", None), ("example", "Example (masked)", "below"))


def _example(row: Mapping) -> str:
    """One masked post, trimmed: a reader needs the gist, not the whole thread."""
    text = next((e for e in row.get("examples", []) if e.strip()), "")
    return (text[:157] + "...") if len(text) > 160 else text


def _duration_words(episode: Mapping) -> str:
    return " and is still high" if episode["ongoing"] else f" for {episode['weeks']} week(s)"


def build_topics(ctx: Context, topics: Mapping | None) -> dict:
    ctx.inputs["topics"] = None if not topics else {
        "posts": topics.get("posts"), "n_topics": topics.get("n_topics"),
        "assigned_share": topics.get("assigned_share"), "spike_rule": topics.get("spike_rule")}
    if not topics or not topics.get("topics"):
        return {"lead": "Topics could not be discovered for this export (too few customer posts, or the "
                        "scoring stage did not run them), so this section is empty.",
                "table": table_block([], []), "emerging": [], "no_emerging": "", "routing": [], "note": ""}
    rows = [{"label": t["label"], "posts": t["posts"], "complaint_share": t.get("complaint_share"),
             "negative_share": t.get("negative_share"), "response_rate": t.get("response_rate"),
             "first_response_s": t.get("first_response_median_s"), "owner": t["owner"],
             "example": _example(t)} for t in topics["topics"]]
    lead_topic = topics["topics"][0]
    foreign = topics.get("other_language_posts") or 0
    apart = f" ({foreign:,} posts in another language are kept apart)" if foreign else ""
    lead = (f"The client's {topics['posts']:,} customer posts were grouped by what they are about; "
            f"{_pct(topics['assigned_share'])} fall into {topics['n_topics']} topics, "
            f"{_pct(topics.get('other_share'))} are in \u201cother\u201d (too varied or too short to group){apart}. The topic with the most complaints and questions is "
            f"\u201c{lead_topic['label']}\u201d ({lead_topic['posts']:,} posts, {_pct(lead_topic.get('complaint_share'))} "
            f"complaints): route it to {lead_topic['owner']}.")
    by_owner: dict[str, list[str]] = {}
    for t in topics["topics"]:
        by_owner.setdefault(t["owner"], []).append(t["label"])
    routing = [f"{owner}: {', '.join(labels)}" for owner, labels in sorted(by_owner.items())]
    emerging = [f"\u201c{e['label']}\u201d rose to {e['peak_posts']} posts a week (baseline "
                f"{e['baseline_posts_per_week']:g}) from the week of {e['started']}"
                f"{_duration_words(e)}; "
                f"owner: {e['owner']}." for e in topics.get("emerging", [])]
    return {
        "lead": lead,
        "table": table_block(TABLE_COLUMNS, rows),
        "routing": routing,
        "emerging": emerging,
        "no_emerging": f"No topic spiked: {topics['spike_rule']['text']}." if not emerging else "",
        "note": (f"Rule for emerging issues: {topics['spike_rule']['text']}. Owners are suggested from the "
                 "words of each topic's posts; the word list can be edited to match the client's teams."),
    }


def _owner_topics(topics: Mapping, per_owner: int = 2) -> dict[str, list[str]]:
    """Each owner's largest topics (by complaints and questions, the report's order)."""
    out: dict[str, list[str]] = {}
    for t in topics.get("topics", []):
        if len(out.setdefault(t["owner"], [])) < per_owner:
            out[t["owner"]].append(f"\u201c{t['label']}\u201d")
    return out


def attach_topic_routing(sections: dict, topics: Mapping | None) -> None:
    """Name the client's real topics where the playbook routes work: a rule in the triage section
    and a cross-functional action in the roadmap's last phase. Nothing changes without topics."""
    if not topics or not topics.get("topics"):
        return
    owners = _owner_topics(topics)
    listing = "; ".join(f"{owner}: {', '.join(labels)}" for owner, labels in sorted(owners.items()))
    sections["triage"]["rules"].append(
        f"Route posts by topic as well as by intent (section \u201cWhat customers write about\u201d): {listing}.")
    phases = sections["roadmap"].get("phases") or []
    if phases:
        phases[-1]["actions"]["rows"].append({
            "action": (f"Send each team its topics every month and flag emerging issues within a week: {listing}"),
            "why": "Cross-functional: what customers say reaches the team that can fix it",
            "owner": "Head of customer service + the owning teams", "ref": None})
