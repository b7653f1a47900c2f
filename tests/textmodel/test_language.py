"""Language of customer posts (audit.textmodel.language): posts the English model cannot read
are named, counted and left unscored; short Latin-script posts stay undetermined and scored."""
from __future__ import annotations

import socket
import time

import numpy as np
import pandas as pd

from audit.textmodel import language


def test_posts_in_other_languages_are_named_and_short_english_is_not_mistaken():
    texts = ["@AmazonHelp 注文した物はちゃんと届けてください。勝手にキャンセル対応しないでください。",
             "@AmazonHelp Bonjour, j'ai passé une commande jeudi et je n'ai rien reçu depuis",
             "@115821 todo muy bonito esta mañana pero el producto esta defectuoso, que hago?",
             "@AmazonHelp my parcel never arrived and nobody answers the phone",
             "Also wtf", "DM me.", "0012155087386", ""]
    assert language.detect(texts).tolist() == ["ja", "fr", "es", "en", "und", "und", "und", "und"]


def test_unread_posts_are_left_unscored_not_neutral():
    scores = pd.DataFrame({"message_id": ["a", "b", "c"], "sentiment": ["neutral", "negative", "neutral"],
                           "sentiment_score": [0.0, -0.8, 0.1], "p_negative": [0.1, 0.9, 0.2],
                           "p_neutral": [0.8, 0.05, 0.7], "p_positive": [0.1, 0.05, 0.1],
                           "p_question": [0.1, 0.1, 0.1], "p_complaint": [0.2, 0.9, 0.1], "p_compliment": [0.0, 0.0, 0.0]})
    customer = np.array([True, True, False])
    out = language.unread_left_out(scores, customer, ["Amazon支払い番号まだ！！！連絡ください", "my order is late again today"])
    assert out["language"].tolist()[:2] == ["ja", "en"] and pd.isna(out["language"].iloc[2])
    assert out["readable"].tolist() == [False, True, True]
    assert pd.isna(out.loc[0, "sentiment"]) and pd.isna(out.loc[0, "p_complaint"])
    assert out.loc[1, "sentiment"] == "negative" and out.loc[2, "sentiment"] == "neutral"


def test_detection_is_offline_and_cheap(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("language detection tried to open a network connection")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    language._identifier.cache_clear()
    language.detect(["warm the model up with one sentence"])
    posts = ["@AcmeHelp my order from last week still has not arrived, can you check?"] * 2000
    started = time.perf_counter()
    language.detect(posts)
    per_post = (time.perf_counter() - started) / len(posts)
    assert per_post < 0.002    # measured ~0.2 ms; the transformer takes several ms a post on a CPU
