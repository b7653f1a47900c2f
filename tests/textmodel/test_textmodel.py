"""The bundled text model: sentiment and triage heads from one encoder pass, cached together."""
from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest

from audit.common.realdata import real_dir
from audit.textmodel import DEFAULT_MODEL, TRIAGE_COLUMNS, embed, primary_intent, score
from audit.textmodel.model import load
from audit.textmodel.training.data import question_rule
from tests.helpers.paths import FIXTURES

REAL = real_dir()
LABELS = FIXTURES / "real_labels" / "twcs_customer_posts.csv"
POSTS = [
    "@AcmeHelp my parcel never arrived and nobody answers the phone",
    "@AcmeHelp how do I change the delivery address on my order?",
    "@AcmeHelp thank you so much, the engineer was brilliant today!",
    "@AcmeHelp ok",
    "@AcmeHelp why was I charged twice this month? sort it out",
]


@pytest.fixture()
def forward_calls(monkeypatch):
    """Count calls of the bundled model's encoder forward and of its heads (the instance the scorer
    gets: ``load`` is cached on its exact positional arguments)."""
    m = load(None, "cpu", False, ())
    calls = {"encoder": 0, "heads": 0}
    for part, module in (("encoder", m.module), ("heads", m.heads)):
        original = module.forward

        def counted(*args, _part=part, _original=original, **kwargs):
            calls[_part] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, "forward", counted)
    return calls


def test_heads_give_three_probabilities_per_text_beside_sentiment():
    out = score(POSTS, cache=False, device="cpu", triage=True)
    assert list(out.columns) == ["label", "score", "p_negative", "p_neutral", "p_positive", *TRIAGE_COLUMNS]
    triage = out[list(TRIAGE_COLUMNS)].to_numpy()
    assert triage.shape == (len(POSTS), 3)
    assert ((triage >= 0) & (triage <= 1)).all()
    assert np.allclose(out[["p_negative", "p_neutral", "p_positive"]].sum(axis=1), 1, atol=1e-4)
    heads = load(None, "cpu").heads
    assert heads[-1].out_features == 3


def test_triage_does_not_change_sentiment():
    plain = score(POSTS, cache=False, device="cpu")
    both = score(POSTS, cache=False, device="cpu", triage=True)
    assert np.allclose(plain[["p_negative", "p_neutral", "p_positive"]], both[["p_negative", "p_neutral", "p_positive"]], atol=1e-6)


def test_one_forward_pass_per_batch_gives_sentiment_and_triage(forward_calls):
    texts = [f"@AcmeHelp order {i} is late, can you check? " + "really " * i for i in range(10)]
    score(texts, cache=False, device="cpu", batch_size=4, triage=True)
    assert forward_calls == {"encoder": math.ceil(10 / 4), "heads": math.ceil(10 / 4)}


def test_triage_is_cached_and_a_cached_rerun_runs_no_model(tmp_path, forward_calls):
    db = tmp_path / "cache.sqlite"
    first = score(POSTS + POSTS, cache=db, device="cpu", triage=True)
    assert first.attrs["cache"]["misses"] == len(POSTS) and forward_calls["encoder"] == 1
    again = score(POSTS, cache=db, device="cpu", triage=True)
    assert again.attrs["cache"]["hits"] == len(POSTS) and forward_calls["encoder"] == 1
    assert (first["label"].iloc[:len(POSTS)].tolist() == again["label"].tolist())
    assert np.allclose(first.iloc[:len(POSTS), 1:].to_numpy(float), again.iloc[:, 1:].to_numpy(float), atol=1e-6)


def test_sentiment_cached_alone_still_gets_triage_in_one_pass(tmp_path, forward_calls):
    db = tmp_path / "cache.sqlite"
    score(POSTS, cache=db, device="cpu")
    assert forward_calls["heads"] == 0
    out = score(POSTS, cache=db, device="cpu", triage=True)
    assert forward_calls == {"encoder": 2, "heads": 1}
    assert out[list(TRIAGE_COLUMNS)].notna().all().all()


def test_another_sentiment_model_keeps_the_bundled_triage(tmp_path):
    """``--model`` swaps sentiment only: a model directory without heads still gets triage."""
    other = tmp_path / "user-model"
    other.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(DEFAULT_MODEL / name, other / name)
    assert load(str(other), "cpu").heads is None
    theirs = score(POSTS, model=str(other), cache=tmp_path / "c.sqlite", device="cpu", triage=True)
    ours = score(POSTS, cache=False, device="cpu", triage=True)
    assert np.allclose(theirs[list(TRIAGE_COLUMNS)], ours[list(TRIAGE_COLUMNS)], atol=1e-5)
    assert theirs.attrs["cache"]["model"] != theirs.attrs["cache"]["triage_model"]


def test_int8_and_fp32_agree_on_most_labels():
    texts = pd.read_csv(FIXTURES / "intent_posts.csv")["text"].tolist()
    fp32 = score(texts, cache=False, device="cpu", triage=True)
    int8 = score(texts, cache=False, device="cpu", triage=True, quantize=True)
    assert (fp32["label"] == int8["label"]).mean() >= 0.8
    assert (primary_intent(fp32)["intent"] == primary_intent(int8)["intent"]).mean() >= 0.8


def test_primary_intent_rule():
    probs = pd.DataFrame([[0.9, 0.8, 0.1], [0.9, 0.2, 0.9], [0.1, 0.2, 0.7], [0.3, 0.4, 0.2], [0.5, 0.1, 0.1]],
                         columns=list(TRIAGE_COLUMNS), index=[10, 11, 12, 13, 14])
    out = primary_intent(probs)
    assert out["intent"].tolist() == ["complaint", "question", "compliment", "other", "question"]
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    assert out["intent_confidence"].round(3).tolist() == [0.8, 0.9, 0.7, 0.6, 0.5]


def test_embed_matches_plain_transformers_mean_pooling():
    import torch
    from transformers import AutoModel, AutoTokenizer

    vectors = embed(POSTS[:3], device="cpu")
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    tok = AutoTokenizer.from_pretrained(DEFAULT_MODEL)
    model = AutoModel.from_pretrained(DEFAULT_MODEL, dtype=torch.float32).eval()
    from audit.textmodel.normalize import normalize_text

    enc = tok([normalize_text(t) for t in POSTS[:3]], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    assert np.allclose(vectors, pooled, atol=1e-4)


def test_question_rule_for_weak_labels():
    assert question_rule("@user where is my order?") == 1.0
    assert question_rule("@user my order is late") == 0.0
    assert math.isnan(question_rule("@user can you check my order"))


def test_hand_labelled_posts_are_ids_and_labels_only():
    labels = pd.read_csv(LABELS, dtype={"tweet_id": str})
    assert list(labels.columns) == ["tweet_id", "question", "complaint", "compliment", "sentiment", "flat_tone"]
    assert len(labels) >= 500 and labels["tweet_id"].is_unique
    assert set(np.unique(labels[["question", "complaint", "compliment", "flat_tone"]])) <= {0, 1}
    assert set(labels["sentiment"]) <= {"negative", "neutral", "positive"}
    assert (LABELS.parent / "CUSTOMER_POSTS_LABELLING.md").exists()


def test_hand_labelled_ids_are_real_customer_posts():
    assert (REAL / "twcs_random5000.csv").exists(), f"real data missing: {REAL} must sit beside the project"
    from audit.evaluation.triage import hand_labelled

    df = hand_labelled()
    raw = pd.read_csv(REAL / "twcs_random5000.csv", dtype={"tweet_id": str}, lineterminator="\n")
    inbound = raw.set_index("tweet_id").loc[df["tweet_id"], "inbound"].astype(str)
    assert (inbound == "True").all()
    assert set(df["intent"]) == {"question", "complaint", "compliment", "other"}
