"""Sentiment + triage throughput: today's two passes against the bundled model's single pass.

In one run, on the same texts (cache off unless stated), the median of --repeats runs of
  (a) transformers pipeline("text-classification"), batch_size=32: sentiment only,
  (b) two passes, fp32: audit.textmodel.score, then the exemplar triage (audit.evaluation.intent_baseline.classify),
  (c) one pass, fp32: audit.textmodel.score(triage=True),
  (d) two passes, int8 sentiment (the exemplar embedder has no int8 path),
  (e) one pass, int8,
  (f) one pass again with every text already in the score cache,
and the ratios (c)/(b), (e)/(d), (e)/(a), plus label agreement of int8 with fp32.

    python benchmarks/bench_triage.py [--texts 2000] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench_sentiment import timed  # one timer for every benchmark (median of repeats)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--texts", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()

    import torch
    from transformers import pipeline

    from audit.evaluation import intent_baseline as intent
    from audit.textmodel import DEFAULT_MODEL, primary_intent, score
    from audit.textmodel.normalize import normalize_text

    sys_path = Path(__file__).resolve().parent
    import sys

    sys.path.insert(0, str(sys_path))
    from bench_sentiment import sample_texts

    torch.set_num_threads(os.cpu_count() or 1)
    texts = sample_texts(args.texts)
    n = len(texts)
    print(f"{n} unique texts, {torch.get_num_threads()} threads")
    pipe = pipeline("text-classification", model=str(DEFAULT_MODEL), tokenizer=str(DEFAULT_MODEL),
                    dtype=torch.float32, device="cpu")
    norm = [normalize_text(t) for t in texts]

    def two_pass(quantize: bool):
        s = score(texts, cache=False, device="cpu", quantize=quantize, show_progress=False)
        return s, intent.classify(texts, sentiment=s[["p_negative", "p_neutral", "p_positive"]], device="cpu",
                                  show_progress=False)

    def one_pass(quantize: bool, cache=False):
        return score(texts, cache=cache, device="cpu", quantize=quantize, show_progress=False, triage=True)

    rates = {}
    t, _ = timed(lambda: pipe(norm, batch_size=32, truncation=True, max_length=128), args.repeats)
    rates["(a) pipeline batch 32, sentiment only"] = n / t
    t, _ = timed(lambda: two_pass(False), args.repeats)
    rates["(b) two passes fp32"] = n / t
    t, fp32 = timed(lambda: one_pass(False), args.repeats)
    rates["(c) one pass fp32"] = n / t
    t, _ = timed(lambda: two_pass(True), args.repeats)
    rates["(d) two passes, int8 sentiment"] = n / t
    t, int8 = timed(lambda: one_pass(True), args.repeats)
    rates["(e) one pass int8"] = n / t
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "cache.sqlite"
        one_pass(True, db)
        t, _ = timed(lambda: one_pass(True, db), args.repeats)
    rates["(f) one pass, all cached"] = n / t

    a, b, c, d, e, f = rates.values()
    print(f"\n{'variant':<40} {'texts/s':>9}")
    for name, rate in rates.items():
        print(f"{name:<40} {rate:>9.1f}")
    print(f"\nratios: (c)/(b) {c / b:.2f}x  (e)/(d) {e / d:.2f}x  (e)/(b) {e / b:.2f}x  (e)/(a) {e / a:.2f}x  (f)/(e) {f / e:.1f}x")
    agree_s = (fp32["label"] == int8["label"]).mean()
    agree_i = (primary_intent(fp32)["intent"] == primary_intent(int8)["intent"]).mean()
    print(f"int8 vs fp32 agreement: sentiment label {agree_s:.3f}, primary intent {agree_i:.3f}")


if __name__ == "__main__":
    main()
