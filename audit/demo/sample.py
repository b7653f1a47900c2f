"""Seeded generator of demo social customer-service data in the public TWCS layout.

Why: the pipeline, notebooks, tests and benchmarks need data we can commit and share, and real
exports are client-confidential. The generator writes the "Customer Support on Twitter" (TWCS)
layout so the real ingest path is exercised, and it plays three demo clients whose service
profiles differ on purpose, so every maturity level has something to grade:

* ``NorthwindHome`` (passive): answers few posts, slowly, office hours only, canned replies.
* ``BrightMobile`` (active): answers most posts within a few hours, thanks fans, signs replies.
* ``Acme`` + ``AcmeHelp`` (strategic / cross-functional): the marketing handle redirects service
  questions to a 24/7 help handle that answers in minutes, moves cases to DM, escalates to other
  teams and turns complaints around.

Everything is drawn from one ``numpy`` generator, so a seed gives the same frame on any machine.
Conversation plans, timestamps and ids are vectorised; only the final text composition loops in
Python, which keeps a million messages to seconds.

CLI: ``python -m audit.demo.sample --out data/sample/twcs_sample.csv [--conversations N | --messages N]
[--seed S] [--weeks W] [--start YYYY-MM-DD]``.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from audit.demo.plans import Plan, build_plan, expected_length
from audit.demo.posts import post_texts
from audit.demo.profiles import CLIENTS, ENTRIES, INTENTS
from audit.demo.timing import brand_post_times, customer_times, post_times
from audit.demo.twcs import to_twcs

DEFAULT_CONVERSATIONS = 6000
DEFAULT_SEED = 2017
DEFAULT_WEEKS = 12
DEFAULT_START = "2017-10-02"  # a Monday, in the period the public TWCS data covers


def generate(n_conversations: int = DEFAULT_CONVERSATIONS, *, n_messages: int | None = None,
             seed: int = DEFAULT_SEED, weeks: int = DEFAULT_WEEKS, start: str = DEFAULT_START) -> pd.DataFrame:
    """Return a TWCS-layout frame of demo conversations, one row per post, ordered by tweet id.

    ``n_conversations`` counts customer-opened conversations; brand announcements come on top
    (a few per week). Pass ``n_messages`` instead to get exactly that many rows (for benchmarks):
    the conversation count is sized from the plan's mean thread length and the last thread is
    cut short if needed.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    rng = np.random.default_rng(seed)
    entries = ENTRIES
    plan, choices = build_plan(entries)
    start_s = int(pd.Timestamp(start, tz="UTC").timestamp())
    n_promo = [int(round(e.per_week * weeks)) for e in entries]
    if n_messages is not None:
        if n_messages < 1:
            raise ValueError("n_messages must be at least 1")
        n_conversations = int(n_messages / expected_length(entries, plan, choices) * 1.05) + 20
    convs = _draw_conversations(rng, entries, plan, choices, n_conversations, n_promo, start_s, weeks)
    steps = _explode(convs, plan, n_messages)
    steps["t"] = post_times(rng, steps, plan)
    steps["text"] = post_texts(rng, steps, plan, entries)
    return to_twcs(steps)


def _draw_conversations(rng, entries, plan, choices, n_customer: int, n_promo: list[int],
                        start_s: int, weeks: int) -> dict[str, np.ndarray]:
    """One row per conversation: entry, intent, thread shape, topic, customer, start time."""
    shares = np.array([e.share for e in entries])
    entry = np.concatenate([rng.choice(len(entries), size=n_customer, p=shares / shares.sum()),
                            np.repeat(np.arange(len(entries)), n_promo)])
    n = len(entry)
    intent_p = np.array([e.intents for e in entries])
    cum = intent_p.cumsum(axis=1)
    intent = (rng.random(n)[:, None] > cum[entry]).sum(axis=1).clip(0, len(INTENTS) - 1)
    pattern = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    for (e, i), (ids, probs) in choices.items():
        sel = (entry == e) & (intent == i)
        pattern[sel] = ids[np.searchsorted(probs.cumsum(), u[sel] * (1 - 1e-12))]
    pool = max(200, int(n * 0.7))
    customer_ids = 110_000 + rng.choice(pool * 8, size=pool, replace=False)
    customer = customer_ids[(pool * rng.random(n) ** 1.6).astype(np.int64)]  # some write often
    t0 = np.concatenate([customer_times(rng, n_customer, start_s, weeks),
                         brand_post_times(rng, n - n_customer, start_s, weeks)])
    order = rng.permutation(n)  # interleave announcements so a cut to N rows is unbiased
    return {"entry": entry[order], "intent": intent[order], "pattern": pattern[order],
            "topic": rng.integers(0, 1 << 30, size=n)[order], "customer": customer[order], "t0": t0[order]}


def _explode(convs: dict[str, np.ndarray], plan: Plan, n_messages: int | None) -> pd.DataFrame:
    """One row per planned post; with ``n_messages``, keep whole threads up to N and a prefix of
    the next (a prefix of a thread is still a valid thread)."""
    length = plan.length[convs["pattern"]].astype(np.int64)
    if n_messages is not None:
        ends = np.cumsum(length)
        if ends[-1] < n_messages:
            raise RuntimeError("conversation estimate too small; raise the safety margin")
        last = int(np.searchsorted(ends, n_messages))
        length = length[:last + 1].copy()
        length[-1] -= ends[last] - n_messages
        convs = {k: v[:last + 1] for k, v in convs.items()}
    conv = np.repeat(np.arange(len(length)), length)
    first = np.cumsum(length) - length
    step = np.arange(len(conv)) - first[conv]
    pat = convs["pattern"][conv]
    reply_step = plan.reply[pat, step].astype(np.int64)
    return pd.DataFrame({
        "conv": conv, "step": step, "speaker": plan.speaker[pat, step], "kind": plan.kind[pat, step],
        "parent": np.where(reply_step >= 0, first[conv] + reply_step, -1),
        "entry": convs["entry"][conv], "intent": convs["intent"][conv], "topic": convs["topic"][conv],
        "customer": convs["customer"][conv], "t0": convs["t0"][conv],
    })


def write_clients_yaml(path: Path, data_name: str) -> None:
    """The demo clients and their handles, next to the data they audit; a client's example
    questionnaire is listed only when that file sits beside the YAML (paths are relative to it)."""
    import yaml

    clients = []
    for name, (handles, questionnaire) in CLIENTS.items():
        entry: dict[str, object] = {"name": name, "brands": list(handles)}
        if (Path(path).parent / questionnaire).is_file():
            entry["questionnaire"] = questionnaire
        clients.append(entry)
    Path(path).write_text(yaml.safe_dump({"data": data_name, "clients": clients}, sort_keys=False), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m audit.demo.sample", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS,
                      help="customer-opened conversations (default %(default)s)")
    size.add_argument("--messages", type=int, help="exact number of rows instead (benchmarks)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS)
    parser.add_argument("--start", default=DEFAULT_START, help="first day, YYYY-MM-DD (UTC)")
    parser.add_argument("--clients-yaml", type=Path, default=None,
                        help="also write the demo clients file here")
    args = parser.parse_args(argv)
    frame = generate(args.conversations, n_messages=args.messages, seed=args.seed, weeks=args.weeks,
                     start=args.start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, lineterminator="\n")
    if args.clients_yaml:
        write_clients_yaml(args.clients_yaml, Path(args.out).name)
    print(f"wrote {len(frame):,} posts to {args.out}")


if __name__ == "__main__":
    main()
