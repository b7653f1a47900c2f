"""Topic cost as a ratio of the scoring pass, measured in the same run on the same unique,
real-shaped texts (TWCS customer posts; the seeded demo's when the real data is absent).

Topics cost the second encoder pass (the sentence embedder) over the client's customer posts,
then k-means, labels and routing; scoring is the bundled model's one pass (sentiment + triage)
over every message. Both are timed here without cache on ``--posts`` texts, so the ratio holds
at any size (both are linear in posts); the report also gives it for an export shaped like the
real sample, where the client's customer posts are a fraction ``--client-share`` of the messages.

    python benchmarks/bench_topics.py --posts 1000
"""
from __future__ import annotations

import argparse
import time

import pandas as pd

from audit.common.realdata import TWCS_SAMPLE, real_dir

REAL = real_dir() / TWCS_SAMPLE


def _texts() -> list[str]:
    if REAL.exists():
        posts = pd.read_csv(REAL)
        texts = posts.loc[posts["inbound"].astype(str).str.lower() == "true", "text"].astype(str)
    else:
        from audit.demo.sample import generate  # offline fallback: the seeded sample's customer posts
        messages = generate()
        texts = messages.loc[messages["inbound"].astype(str).str.lower() == "true", "text"].astype(str)
    return list(dict.fromkeys(texts))  # unique: no cache or duplicate can flatter either side


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--client-share", type=float, default=0.3,
                        help="client customer posts / all messages (the real sample: 0.05 to 0.5)")
    args = parser.parse_args()

    from audit import textmodel
    from audit.topics.embeddings import embed
    from audit.topics.model import fit

    texts = _texts()[: args.posts]
    textmodel.score(texts[:16], device="cpu", cache=False, triage=True)  # models loaded outside the timing
    embed(texts[:16], device="cpu", show_progress=False)
    scoring = _timed(lambda: textmodel.score(texts, device="cpu", cache=False, triage=True))
    vectors = {}
    embedding = _timed(lambda: vectors.setdefault("x", embed(texts, device="cpu", show_progress=False)))
    clustering = _timed(lambda: fit(texts, vectors["x"]))
    topics = embedding + clustering
    print(f"{len(texts):,} unique posts: scoring {scoring:.1f}s, topics {topics:.1f}s "
          f"(embedding {embedding:.1f}s, k-means + labels {clustering:.1f}s)")
    print(f"topics / scoring, same posts: {topics / scoring:.0%}; in an export where the client's customer posts "
          f"are {args.client_share:.0%} of the messages: {args.client_share * topics / scoring:.0%}")


if __name__ == "__main__":
    main()
