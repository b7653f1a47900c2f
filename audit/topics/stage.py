"""The run's two topic steps: assign topics to customer posts next to the other model outputs
(scoring stage: the embedding is the costly part, done once per input), and turn them into the
report's figures (analysis stage: cheap, re-run when the owners file or time zone changes).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from audit.common import runfolder
from audit.common.handles import handle_key, handle_keys
from audit.topics import emerging, figures, routing
from audit.topics.model import OTHER_LANGUAGE, UNASSIGNED_LABEL, TopicModel, assign

#: How many topics the report and ``audit.json`` describe (the rest are counted, not listed).
TOP_TOPICS = 12


def client_rows(posts: pd.DataFrame, brands: list[str] | None) -> np.ndarray:
    """Which posts are the client's: addressed to one of ``brands`` (all, when no brand is named
    or the frame has no brand column). Peers' posts never enter the client's topics."""
    if not brands or "brand" not in posts.columns:
        return np.ones(len(posts), dtype=bool)
    wanted = {handle_key(b) for b in brands}
    mine = handle_keys(posts["brand"]).isin(wanted)
    return mine.fillna(False).to_numpy(dtype=bool)


def _run_brands(run_dir: Path) -> list[str] | None:
    """The client's handles, as the ingest stage recorded them."""
    path = run_dir / runfolder.INGEST_SUMMARY
    return runfolder.read_json(path).get("client_brands") if path.exists() else None


def write_assignments(run_dir: str | Path, customer_posts: pd.DataFrame, device: str = "auto",
                      cache: str | bool | None = False, brands: list[str] | None = None) -> dict[str, Any]:
    """``topic_posts.parquet`` (message_id, topic, topic_label) and ``topic_model.json`` for the
    client's customer posts only (``brands``; default: the run's client brands); ``cache`` as in
    ``audit.textmodel.score`` (the embeddings are cached beside the scores)."""
    run_dir = Path(run_dir)
    customer_posts = customer_posts.loc[client_rows(customer_posts, brands if brands is not None else _run_brands(run_dir))]
    texts = customer_posts["text"].fillna("").astype(str).tolist()
    model = assign(texts, device=device, cache=cache) if texts else TopicModel(np.zeros(0, dtype=np.int64), [], 0)
    ids = customer_posts["message_id"].to_numpy()
    posts = pd.DataFrame({"message_id": ids, "topic": model.labels, "topic_label": model.label_of().to_numpy()})
    description = {"posts": len(texts), "fitted_on": model.fitted_on,
                   "topics": [{**{k: v for k, v in t.items() if k != "representatives"},
                               "representative_ids": [str(ids[r]) for r in t["representatives"]]}
                              for t in model.topics]}
    runfolder.write_parquet(posts, run_dir / runfolder.TOPIC_POSTS)
    runfolder.write_json(description, run_dir / runfolder.TOPIC_MODEL)
    return description


def report(messages: pd.DataFrame, posts: pd.DataFrame, description: dict, brands: list[str], tz: str = "UTC",
           owners: routing.Owners | None = None, rule: emerging.SpikeRule = emerging.SpikeRule()) -> dict[str, Any]:
    """Per-topic figures, owners, masked examples and emerging issues, JSON-ready.

    ``messages``: the enriched messages (intent and sentiment joined); ``posts``: topic per
    customer post; ``description``: ``topic_model.json``."""
    from audit.reading.redact import redact_text

    owners = owners or routing.load_owners()
    customer = messages.loc[messages["is_customer"].astype(bool)].merge(posts, on="message_id", how="inner")
    customer = customer.loc[client_rows(customer, brands)].reset_index(drop=True)  # never a peer's post
    described = {t["topic"]: t for t in description["topics"]}
    per_topic, weekly = figures.topic_figures(customer, figures.first_replies(messages), tz)
    routes = routing.route(customer["text"].fillna("").tolist(), customer["topic"].to_numpy(), len(described), owners)
    text_of = messages.set_index("message_id")["text"]
    rows = []
    for topic, t in described.items():
        f = per_topic.get(topic, {"posts": 0})
        asks = (f.get("complaint_share") or 0) + (f.get("question_share") or 0)
        rows.append({"topic": topic, "label": t["label"], "keywords": t["keywords"][:6], **routes[topic], **f,
                     "complaints_and_questions": round(asks * f["posts"]),
                     "examples": [redact_text(str(text_of.get(i, "")), brands) for i in t["representative_ids"]]})
    # complaints and questions first: the topics that need an answer lead the report
    rows.sort(key=lambda r: (-r["complaints_and_questions"], -r["posts"], r["topic"]))
    episodes = emerging.episodes(weekly.drop(columns=[c for c in weekly.columns if c < 0], errors="ignore"), rule)
    label = {t: d["label"] for t, d in described.items()}
    for e in episodes:
        e["label"] = label.get(e["topic"], UNASSIGNED_LABEL)
        e["owner"] = routes[e["topic"]]["owner"] if e["topic"] in described else owners.default_owner
    unassigned = int((customer["topic"] == -1).sum())
    foreign = int((customer["topic"] == OTHER_LANGUAGE).sum())
    n = len(customer)
    return {
        "method": ("the client's customer posts only; sentence embeddings (bundled all-MiniLM-L6-v2), "
                   "k-means with about one topic per 15 posts (at most 30), topics under the minimum size "
                   "dissolved into their neighbours, the 10% of posts farthest from any topic centre in "
                   "\"other\", posts in another language kept apart; c-TF-IDF keywords; owners from "
                   "keywords (audit/topics/topic_owners.yaml)"),
        "posts": int(n), "assigned_share": ((n - unassigned - foreign) / n) if n else None,
        "unassigned_posts": unassigned, "other_share": (unassigned / n) if n else None,
        "other_language_posts": foreign, "n_topics": len(rows), "fitted_on": description.get("fitted_on"),
        "definitions": figures.DEFINITIONS, "owners_file": owners.source.split("/")[-1],
        "spike_rule": emerging.rule_dict(rule),
        "topics": rows[:TOP_TOPICS], "more_topics": max(0, len(rows) - TOP_TOPICS),
        "emerging": episodes,
    }


def write_report(run_dir: str | Path, messages: pd.DataFrame, brands: list[str], tz: str = "UTC") -> dict[str, Any]:
    """``topics.json`` from the run folder's topic files (empty when the scoring stage made none)."""
    run_dir = Path(run_dir)
    if not (run_dir / runfolder.TOPIC_POSTS).exists():
        result: dict[str, Any] = {"posts": 0, "topics": [], "emerging": [], "note": "topics were not computed for this run"}
    else:
        result = report(messages, pd.read_parquet(run_dir / runfolder.TOPIC_POSTS),
                        runfolder.read_json(run_dir / runfolder.TOPIC_MODEL), brands, tz)
    runfolder.write_json(result, run_dir / runfolder.TOPICS)
    return result
