"""95% intervals: coverage by simulation on data with a known truth, and their place in metrics.json."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from audit.metrics import intervals as I
from audit.metrics.registry import METRICS, compute_all

REPS = 2000  # simulated samples per case: the coverage estimate is good to about +-1 point


@pytest.mark.parametrize("p, n", [(0.5, 12), (0.8, 30), (0.95, 60), (0.1, 200)])
def test_wilson_covers_a_known_rate_about_95_percent_of_the_time(p, n):
    rng = np.random.default_rng(11)
    ks = rng.binomial(n, p, size=REPS)
    hits = sum(lo <= p <= hi for lo, hi in (I.wilson(int(k), n) for k in ks))
    assert 0.92 <= hits / REPS <= 0.99, hits / REPS


@pytest.mark.parametrize("q, n", [(0.5, 15), (0.5, 200), (0.9, 60), (0.9, 400)])
def test_quantile_interval_covers_a_known_quantile_of_a_skewed_distribution(q, n):
    """Response times are heavy-tailed: a lognormal with a known quantile."""
    rng = np.random.default_rng(12)
    sigma, mu = 1.2, np.log(20.0)
    truth = float(np.exp(mu + sigma * __import__("scipy").stats.norm.ppf(q)))
    hits = 0
    for _ in range(REPS // 4):
        lo, hi = I.quantile_interval(rng.lognormal(mu, sigma, size=n), q)
        hits += lo <= truth <= (np.inf if hi is None else hi)
    assert 0.93 <= hits / (REPS // 4) <= 1.0, hits / (REPS // 4)


def test_interval_edges():
    assert I.wilson(0, 0) is None and I.quantile_interval(pd.Series([], dtype="float64"), 0.5) is None
    lo, hi = I.wilson(0, 5)
    assert lo == 0.0 and 0.4 < hi < 0.6                       # 0 of 5 does not mean "never"
    assert I.quantile_interval([3.0, 4.0, 5.0], 0.5) == (0.0, None)   # 3 values bound nothing at 95%
    lo, hi = I.quantile_interval(np.arange(1, 41, dtype=float), 0.9)
    assert lo < 36 < hi                                        # a 90th percentile needs ~35 values
    assert I.excludes((0.62, 0.7), 0.6) == "above" and I.excludes((0.4, 0.59), 0.6) == "below"
    assert I.excludes((0.5, 0.7), 0.6) is None and I.excludes((10.0, None), 60) is None
    assert I.overlap((0.1, 0.3), (0.3, 0.5)) and not I.overlap((0.1, 0.2), (0.3, 0.5))
    assert I.overlap((0.0, None), (100.0, 200.0))
    need = I.n_to_settle(30, 0.7, I.wilson(21, 30), 0.6)
    assert need > 30 and I.excludes(I.wilson(round(0.7 * need), need), 0.6) == "above"


def _frames(n: int, rate: float, seed: int):
    """``n`` customer conversations with one brand, a known share answered after ~20 min."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2024-03-04", tz="UTC")
    opened = t0 + pd.to_timedelta(rng.integers(0, 28 * 24 * 60, size=n), unit="min")
    answered = rng.random(n) < rate
    frt = rng.exponential(20 * 60, size=n)
    ids = [f"c{i}" for i in range(n)]
    msgs = pd.DataFrame({"message_id": ids, "reply_to_id": pd.NA, "author": [f"u{i}" for i in range(n)],
                         "is_customer": True, "created_at": opened, "text": "my order is late",
                         "channel": "twitter", "conversation_id": ids, "brand": "AcmeHelp", "sentiment": "negative"})
    rid = [f"r{i}" for i in range(n)]
    replies = pd.DataFrame({"message_id": rid, "reply_to_id": ids, "author": "AcmeHelp", "is_customer": False,
                            "created_at": opened + pd.to_timedelta(frt, unit="s"), "text": "Sorry, DM us ^JS",
                            "channel": "twitter", "conversation_id": ids, "brand": "AcmeHelp",
                            "sentiment": "neutral"}).loc[answered]
    convs = pd.DataFrame({"conversation_id": ids, "brand": "AcmeHelp", "channel": "twitter", "opened_at": opened,
                          "opened_by_customer": True, "opening_message_id": ids,
                          "first_response_at": (opened + pd.to_timedelta(frt, unit="s")).where(answered),
                          "first_response_s": pd.Series(frt).where(answered), "answered": answered,
                          "last_customer_at": opened,
                          "last_brand_at": (opened + pd.to_timedelta(frt, unit="s")).where(answered)})
    return pd.concat([msgs, replies], ignore_index=True), convs


def test_metrics_json_carries_intervals_shaped_like_overall_and_by_brand():
    figures = compute_all(*_frames(40, 0.7, 1), ["AcmeHelp"])
    ivs, ns = figures["intervals"], figures["interval_n"]
    assert set(ivs) == set(ns) == {"overall", "by_brand", "by_channel"}
    assert set(ivs["by_brand"]) == set(figures["by_brand"])
    estimates = {k for k, m in METRICS.items() if m.unit in ("share", "minutes")}
    assert set(ivs["overall"]) == set(ns["overall"]) == estimates      # counts carry no interval
    lo, hi = ivs["overall"]["response_rate"]
    assert lo < figures["overall"]["response_rate"] < hi and ns["overall"]["response_rate"] == 40
    assert ns["overall"]["first_response_median_min"] == figures["counts"]["response_rate"]["numerator"]
    lo, hi = ivs["overall"]["first_response_median_min"]
    assert lo <= figures["overall"]["first_response_median_min"] <= hi
    assert ivs["overall"]["compliments_answered_rate"] is None     # nothing to estimate from
    assert figures["interval_confidence"] == 0.95


def test_intervals_narrow_with_more_data_and_are_deterministic():
    small = compute_all(*_frames(30, 0.7, 2), ["AcmeHelp"])
    big = compute_all(*_frames(3000, 0.7, 2), ["AcmeHelp"])
    width = lambda f: np.subtract(*f["intervals"]["overall"]["response_rate"][::-1])
    assert width(big) < width(small) / 5
    again = compute_all(*_frames(3000, 0.7, 2), ["AcmeHelp"])
    assert json.dumps(big, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_hours_with_too_few_conversations_are_not_judged():
    thin = compute_all(*_frames(20, 1.0, 3), ["AcmeHelp"])["overall"]
    assert thin["hours_covered_share"] is None and thin["hours_covered_1h"] == 0
    assert thin["hours_not_judged"] > 0      # the report says how many hours it could not judge
    thick = compute_all(*_frames(4000, 1.0, 3), ["AcmeHelp"])
    assert thick["overall"]["hours_not_judged"] == 0 and thick["interval_n"]["overall"]["hours_covered_share"] == 168
