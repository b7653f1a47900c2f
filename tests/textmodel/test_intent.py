"""Intent triage: accuracy on hand-labelled posts, the role of sentiment, the API contract and
validation of the exemplars file."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from audit.common.errors import AuditInputError
from audit.evaluation import intent_baseline as intent
from audit.textmodel import sentence_embedder
from audit.textmodel.normalize import normalize_text
from tests.helpers.paths import FIXTURES

FIXTURE = FIXTURES / "intent_posts.csv"
# Measured on the fixture: 0.886 overall without sentiment, 0.916 with label-consistent sentiment.
FLOOR_WITHOUT_SENTIMENT = 0.84
FLOOR_WITH_SENTIMENT = 0.87
FLOOR_RECALL = 0.65
# Probabilities a sentiment model would plausibly give each intent's posts.
FABRICATED = {"complaint": (0.85, 0.10, 0.05), "compliment": (0.03, 0.12, 0.85),
              "question": (0.10, 0.80, 0.10), "other": (0.15, 0.60, 0.25)}


def _sentiment(rows: list[tuple[float, float, float]], index=None) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(intent.SENTIMENT_COLUMNS), index=index)


@pytest.fixture(scope="module")
def posts() -> pd.DataFrame:
    df = pd.read_csv(FIXTURE)
    assert len(df) >= 160 and set(df["intent"]) == set(intent.INTENTS)
    assert df["intent"].value_counts().min() >= 30
    return df


@pytest.fixture(scope="module")
def plain(posts: pd.DataFrame) -> pd.DataFrame:
    return intent.classify(posts["text"])


@pytest.fixture(scope="module")
def with_sentiment(posts: pd.DataFrame) -> pd.DataFrame:
    return intent.classify(posts["text"], _sentiment([FABRICATED[i] for i in posts["intent"]], posts.index))


def _recall(truth: pd.Series, predicted: pd.Series) -> pd.Series:
    return (truth == predicted).groupby(truth).mean()


# ---- accuracy -------------------------------------------------------------------------------

def test_accuracy_without_sentiment(posts: pd.DataFrame, plain: pd.DataFrame):
    assert (plain["intent"] == posts["intent"]).mean() >= FLOOR_WITHOUT_SENTIMENT
    assert _recall(posts["intent"], plain["intent"]).min() >= FLOOR_RECALL


def test_accuracy_with_sentiment(posts: pd.DataFrame, plain: pd.DataFrame, with_sentiment: pd.DataFrame):
    accuracy = (with_sentiment["intent"] == posts["intent"]).mean()
    assert accuracy >= FLOOR_WITH_SENTIMENT
    assert accuracy >= (plain["intent"] == posts["intent"]).mean()
    assert _recall(posts["intent"], with_sentiment["intent"]).min() >= FLOOR_RECALL


def test_confidence_tracks_correctness(posts: pd.DataFrame, plain: pd.DataFrame):
    right = plain["intent"] == posts["intent"]
    assert plain.loc[right, "intent_confidence"].mean() > plain.loc[~right, "intent_confidence"].mean()


def test_sentiment_decides_ambiguous_posts():
    texts = ["@BankCo so the transfer finally went through", "@TelcoZ well that was an experience"]
    negative = intent.classify(texts, _sentiment([(0.9, 0.08, 0.02)] * 2))
    positive = intent.classify(texts, _sentiment([(0.02, 0.08, 0.9)] * 2))
    assert list(negative["intent"]) == ["complaint", "complaint"]
    assert list(positive["intent"]) == ["compliment", "compliment"]


# ---- API contract ---------------------------------------------------------------------------

def test_output_follows_the_input_index(posts: pd.DataFrame, plain: pd.DataFrame):
    assert list(plain.columns) == ["intent", "intent_confidence"]
    assert plain.index.equals(posts.index)
    assert set(plain["intent"]) <= set(intent.INTENTS)
    assert plain["intent_confidence"].between(0.25, 1.0).all()  # the winner of 4 beats a uniform guess

    texts = pd.Series(["@ShopCo where is my order??", "@ShopCo love you guys ❤️"], index=["m7", "m3"])
    labelled = intent.classify(texts)
    assert list(labelled.index) == ["m7", "m3"]
    assert intent.classify(list(texts)).index.equals(pd.RangeIndex(2))
    empty = intent.classify([])
    assert empty.empty and list(empty.columns) == ["intent", "intent_confidence"]


def test_sentiment_is_aligned_by_index():
    texts = pd.Series(["@BankCo so the transfer finally went through", "@TelcoZ well that was an experience"],
                      index=[10, 20])
    scores = _sentiment([(0.02, 0.08, 0.9), (0.9, 0.08, 0.02)], index=[20, 10])  # other order
    assert list(intent.classify(texts, scores)["intent"]) == ["complaint", "compliment"]
    missing = _sentiment([(0.5, 0.5, 0.0)] * 3, index=[1, 2, 3])
    with pytest.raises(AuditInputError, match="sentiment rows"):
        intent.classify(texts, missing)
    with pytest.raises(AuditInputError, match="p_positive"):
        intent.classify(texts, scores.drop(columns="p_positive"))


def test_same_text_same_answer_regardless_of_handles_and_links():
    out = intent.classify(["@AcmeHelp my parcel is lost http://t.co/abc", "@BrightMobile my parcel is lost https://x.y/z",
                           "@AcmeHelp my parcel is lost http://t.co/abc"])
    assert out["intent"].nunique() == 1 and np.allclose(out["intent_confidence"], out["intent_confidence"].iloc[0])


# ---- embeddings -----------------------------------------------------------------------------

def test_embed_gives_unit_vectors_that_reflect_meaning():
    vectors = sentence_embedder.embed(["@alice my bill is wrong again https://a.co/1", "@bob my bill is wrong again http://x.co",
                            "I was overcharged on my invoice", "what a lovely sunny afternoon"])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[1], atol=1e-6)  # handles and links are masked
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[3] + 0.2
    assert sentence_embedder.embed([]).shape == (0, 384)


def test_model_is_loaded_once():
    sentence_embedder.embed(["one"])
    loads = sentence_embedder.load.cache_info().misses
    sentence_embedder.embed(["two"])
    intent.classify(["three"])
    assert sentence_embedder.load.cache_info().misses == loads


def test_missing_model_is_a_user_error(tmp_path: Path):
    with pytest.raises(AuditInputError, match="sentence embedder"):
        sentence_embedder.embed(["hello"], model_path=str(tmp_path))


# ---- exemplars file -------------------------------------------------------------------------

def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", normalize_text(text).lower().replace("@user", "")).strip()


def test_default_exemplars_are_valid_and_not_taken_from_the_fixture(posts: pd.DataFrame):
    config = intent.load_config()
    assert set(config.exemplars) == set(intent.INTENTS)
    assert min(len(v) for v in config.exemplars.values()) >= 15
    fixture = {_key(t) for t in posts["text"]}
    exemplars = {_key(t) for texts in config.exemplars.values() for t in texts}
    assert not fixture & exemplars
    assert not any(e in f for e in exemplars for f in fixture if len(e) > 15)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["intents"].pop("other"), "exactly"),
    (lambda d: d["intents"]["question"]["exemplars"].append(d["intents"]["complaint"]["exemplars"][0]), "both"),
    (lambda d: d["intents"]["compliment"].update(exemplars=["thanks"]), "at least"),
    (lambda d: d["cues"]["question"].append({"pattern": "(unclosed", "weight": 1}), "not a valid regex"),
    (lambda d: d["cues"]["complaint"][0].update(weight="high"), "must be a number"),
    (lambda d: d["sentiment"]["complaint"].update(p_angry=1.0), "may only weight"),
    (lambda d: d.update(temperature=0), "temperature"),
])
def test_broken_exemplars_file_is_reported(tmp_path: Path, edit, message: str):
    doc = yaml.safe_load(intent.DEFAULT_EXEMPLARS.read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / "exemplars.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AuditInputError, match=message) as caught:
        intent.load_config(path)
    assert str(path) in str(caught.value)


def test_weights_in_the_file_drive_the_result(tmp_path: Path):
    doc = yaml.safe_load(intent.DEFAULT_EXEMPLARS.read_text(encoding="utf-8"))
    doc["intents"]["other"]["bias"] = 50.0
    path = tmp_path / "exemplars.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = intent.classify(["@ShopCo where is my refund?", "@ShopCo thank you!"], exemplars=path)
    assert (out["intent"] == "other").all()
