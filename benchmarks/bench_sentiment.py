"""Sentiment throughput: ours against the naive ``transformers`` pipeline, same model, same texts.

Prints texts/second for
  (a) pipeline("text-classification") called one text at a time,
  (b) the same pipeline with batch_size=32,
  (c) audit.textmodel.score, fp32 (cache off),
  (d) audit.textmodel.score, int8 dynamic quantisation (cache off),
the ratios, and the macro-F1 of (c) and (d) on the default model's held-out test split.
Machines are noisy: each variant runs --repeats times and the median is reported.

    python benchmarks/bench_sentiment.py [--texts 3000] [--repeats 3] [--no-f1]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import pandas as pd


def sample_texts(n: int) -> list[str]:
    """Unique real-shaped posts (customers' and brands') from the seeded sample generator."""
    from audit.demo.sample import generate

    frame = generate(seed=7)
    texts = frame["text"].astype(str).drop_duplicates()
    return texts.sample(min(n, len(texts)), random_state=0).tolist()


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--texts", type=int, default=3000)
    p.add_argument("--one-at-a-time", type=int, default=500, help="texts for variant (a), the slowest")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-f1", action="store_true", help="skip the held-out macro-F1 (needs the corpora from the registry)")
    args = p.parse_args()

    import torch
    from transformers import pipeline

    from audit.textmodel import DEFAULT_MODEL, score
    from audit.textmodel.normalize import normalize_text

    torch.set_num_threads(os.cpu_count() or 1)
    texts = sample_texts(args.texts)
    model_dir = str(DEFAULT_MODEL)
    print(f"{len(texts)} unique texts, {torch.get_num_threads()} threads, model {Path(model_dir).name}")
    pipe = pipeline("text-classification", model=model_dir, tokenizer=model_dir, dtype=torch.float32, device="cpu")
    kw = {"truncation": True, "max_length": 128}
    norm = [normalize_text(t) for t in texts]
    single = norm[: args.one_at_a_time]

    results = {}
    t, _ = timed(lambda: [pipe(x, **kw) for x in single], args.repeats)
    results["(a) pipeline, one text at a time"] = len(single) / t
    t, _ = timed(lambda: pipe(norm, batch_size=32, **kw), args.repeats)
    results["(b) pipeline, batch_size=32"] = len(norm) / t
    t, fp32 = timed(lambda: score(texts, cache=False, device="cpu", show_progress=False), args.repeats)
    results["(c) audit.textmodel.score, fp32"] = len(texts) / t
    t, int8 = timed(lambda: score(texts, cache=False, device="cpu", quantize=True, show_progress=False), args.repeats)
    results["(d) audit.textmodel.score, int8"] = len(texts) / t

    a, b, c, d = results.values()
    print(f"\n{'variant':<36} {'texts/s':>9}")
    for name, rate in results.items():
        print(f"{name:<36} {rate:>9.1f}")
    print(f"\nratios: (c)/(a) {c / a:.2f}x  (c)/(b) {c / b:.2f}x  (d)/(c) {d / c:.2f}x")
    print(f"label agreement int8 vs fp32 on these texts: {(fp32['label'] == int8['label']).mean():.3f}")

    if not args.no_f1:
        from audit.textmodel.training.measures import report
        from audit.textmodel.training.sentiment import heldout

        test = heldout(Path(".cache/corpora"))
        gold = test["label"].tolist()
        f_c = report(gold, score(test["text"].tolist(), cache=False, device="cpu", show_progress=False)["label"].tolist())
        f_d = report(gold, score(test["text"].tolist(), cache=False, device="cpu", quantize=True, show_progress=False)["label"].tolist())
        print(f"held-out macro-F1 ({f_c['n']} texts): (c) fp32 {f_c['macro_f1']:.4f}  (d) int8 {f_d['macro_f1']:.4f}  "
              f"difference {100 * (f_c['macro_f1'] - f_d['macro_f1']):+.2f} points")


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
