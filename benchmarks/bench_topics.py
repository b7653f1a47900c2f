"""Topic discovery benchmark: what clustering and labelling cost at N posts, next to the
embedding step they follow (measured in the same run, on the same machine).

Embedding N posts at benchmark sizes would take hours on a laptop, so the encoder's throughput
is measured on ``--embed-sample`` real-shaped posts and the time for N extrapolated from it; the
N embeddings are those vectors resampled with a little noise (and their texts with them), which
keeps the real data's cluster structure. Everything after the embeddings runs for real at N.

    python benchmarks/bench_topics.py --posts 100000
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from audit.common.realdata import TWCS_SAMPLE, real_dir

REAL = real_dir() / TWCS_SAMPLE


def _texts() -> list[str]:
    if REAL.exists():
        posts = pd.read_csv(REAL)
        return posts.loc[posts["inbound"].astype(str).str.lower() == "true", "text"].astype(str).tolist()
    from audit.demo.sample import generate  # offline fallback: the seeded sample's customer posts
    messages = generate()
    return messages.loc[messages["inbound"].astype(str).str.lower() == "true", "text"].astype(str).tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, nargs="+", default=[100_000])
    parser.add_argument("--embed-sample", type=int, default=512)
    args = parser.parse_args()

    from audit.topics import emerging, routing
    from audit.topics.discover import discover
    from audit.topics.embeddings import embed
    from audit.topics.keywords import describe_topics

    base_texts = _texts()[: max(args.embed_sample, 64)]
    embed(base_texts[:32], device="cpu", show_progress=False)  # load the model outside the timing
    t0 = time.perf_counter()
    base = embed(base_texts, device="cpu", show_progress=False)
    per_post = (time.perf_counter() - t0) / len(base_texts)
    print(f"encoder: {1 / per_post:,.0f} posts/s on {len(base_texts)} posts")
    print(f"{'posts':>9} {'embed (extrapolated)':>21} {'cluster':>8} {'label':>7} {'route':>7} {'weekly+spikes':>14} "
          f"{'after embed':>12} {'ratio':>7}")
    rng = np.random.default_rng(0)
    owners = routing.load_owners()
    for n in args.posts:
        pick = rng.integers(0, len(base), size=n)
        x = base[pick] + rng.normal(scale=0.01, size=(n, base.shape[1])).astype(np.float32)
        texts = [base_texts[i] for i in pick]
        times = {}
        t = time.perf_counter()
        c = discover(x)
        times["cluster"] = time.perf_counter() - t
        t = time.perf_counter()
        describe_topics(texts, c.labels, c.reduced, c.centroids)
        times["label"] = time.perf_counter() - t
        t = time.perf_counter()
        routing.route(texts, c.labels, len(c.centroids), owners)
        times["route"] = time.perf_counter() - t
        t = time.perf_counter()
        when = pd.Series(pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 180 * 86400, n), unit="s"))
        emerging.episodes(emerging.weekly_counts(when, pd.Series(c.labels)))
        times["weekly"] = time.perf_counter() - t
        after = sum(times.values())
        embed_s = per_post * n
        print(f"{n:>9,} {embed_s:>20,.0f}s {times['cluster']:>7.1f}s {times['label']:>6.1f}s {times['route']:>6.1f}s "
              f"{times['weekly']:>13.1f}s {after:>11.1f}s {after / embed_s:>6.1%}")


if __name__ == "__main__":
    main()
