"""The demo data generator: TWCS layout, reproducible, three clearly different service profiles.

Profiles are measured straight from the generated frame (threads rebuilt from reply ids here),
not from the generator's own settings, so a change that breaks the story fails a test.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from audit.demo import posts, sample, twcs
from tests.helpers.paths import ROOT

SAMPLE_DIR = ROOT / "data" / "sample"
HANDLES = ("NorthwindHome", "BrightMobile", "Acme", "AcmeHelp")
TIME_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}$")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return sample.generate()


@pytest.fixture(scope="module")
def threads(frame: pd.DataFrame) -> pd.DataFrame:
    """Posts with their time, the row of their thread's root, and the handle the root addressed."""
    t = pd.to_datetime(frame["created_at"], format=twcs.TWCS_TIME_FORMAT, utc=True)
    row_of = pd.Series(np.arange(len(frame)), index=frame["tweet_id"].to_numpy())
    reply = frame["in_response_to_tweet_id"]
    parent = np.where(reply.notna(), row_of.reindex(reply.fillna(-1).astype(np.int64)).fillna(-1), -1)
    parent = parent.astype(np.int64)
    root = np.arange(len(frame))
    while (parent[root] >= 0).any():
        root = np.where(parent[root] >= 0, parent[root], root)
    lower = frame["text"].str.lower()
    addressed = pd.Series(None, index=frame.index, dtype=object)
    for handle in HANDLES:  # "@acme\b" does not match "@acmehelp"
        addressed[lower.str.contains(rf"@{handle.lower()}\b", regex=True) & addressed.isna()] = handle
    return frame.assign(t=t, parent=parent, root=root, addressed=addressed)


@pytest.fixture(scope="module")
def profile(threads: pd.DataFrame) -> pd.DataFrame:
    """Per addressed handle: customer-opened conversations, share answered, first-response delay."""
    roots = threads[(threads["parent"] < 0) & threads["inbound"]]
    first = threads[~threads["inbound"]].groupby("root")["t"].min()
    delay_h = (roots.index.map(first).to_series(index=roots.index) - roots["t"]).dt.total_seconds() / 3600
    grouped = delay_h.groupby(roots["addressed"])
    return pd.DataFrame({"conversations": grouped.size(), "answered": grouped.apply(lambda d: d.notna().mean()),
                         "median_h": grouped.median(), "p90_h": grouped.quantile(0.9)})


# ---- determinism and size -------------------------------------------------------------------

def test_same_seed_gives_identical_frame_and_other_seed_differs():
    a = sample.generate(400, seed=11, weeks=3)
    pd.testing.assert_frame_equal(a, sample.generate(400, seed=11, weeks=3))
    assert not a["text"].equals(sample.generate(400, seed=12, weeks=3)["text"])


def test_committed_sample_is_what_the_generator_writes(frame: pd.DataFrame):
    committed = (SAMPLE_DIR / "twcs_sample.csv").read_text(encoding="utf-8")
    assert frame.to_csv(index=False, lineterminator="\n") == committed


def test_committed_sample_size_and_span(frame: pd.DataFrame, threads: pd.DataFrame):
    assert 12_000 <= len(frame) <= 18_000
    assert (SAMPLE_DIR / "twcs_sample.csv").stat().st_size < 4_000_000
    assert (threads["t"].max() - threads["t"].min()).days >= 70
    assert (threads["parent"] < 0).sum() > 5000


@pytest.mark.parametrize("n", [1, 7, 2_345, 20_000])
def test_exact_message_count_with_consistent_threads(n: int):
    df = sample.generate(n_messages=n, seed=3, weeks=4)
    assert len(df) == n
    _assert_links_consistent(df)


# ---- layout ---------------------------------------------------------------------------------

def test_columns_and_dtypes(frame: pd.DataFrame):
    assert list(frame.columns) == twcs.COLUMNS
    assert frame["tweet_id"].dtype == np.int64 and frame["tweet_id"].is_unique
    assert frame["tweet_id"].is_monotonic_increasing
    assert frame["inbound"].dtype == bool
    assert frame["in_response_to_tweet_id"].dtype == np.float64
    assert frame["created_at"].str.fullmatch(TIME_RE).all()
    assert frame["text"].str.strip().str.len().gt(0).all()
    assert frame["text"].str.len().le(posts.MAX_CHARS).all()


def test_authors(frame: pd.DataFrame):
    customers = frame.loc[frame["inbound"], "author_id"]
    assert customers.str.fullmatch(r"\d{6,7}").all()
    assert customers.nunique() < len(customers)  # some customers write more than once
    assert set(frame.loc[~frame["inbound"], "author_id"]) == set(HANDLES)


def test_csv_fields_look_like_twcs(frame: pd.DataFrame, tmp_path: Path):
    path = tmp_path / "twcs.csv"
    frame.head(3000).to_csv(path, index=False)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["inbound"] for r in rows} == {"True", "False"}
    assert all(re.fullmatch(r"(\d+(,\d+)*)?", r["response_tweet_id"]) for r in rows)
    assert all(re.fullmatch(r"(\d+\.0)?", r["in_response_to_tweet_id"]) for r in rows)
    assert any("," in r["response_tweet_id"] for r in rows)
    assert any(r["in_response_to_tweet_id"] == "" for r in rows)


def test_reply_links_are_consistent(frame: pd.DataFrame):
    _assert_links_consistent(frame)


def _assert_links_consistent(df: pd.DataFrame) -> None:
    """Every reply points at an earlier post that lists it among its responses, and back."""
    ids = set(df["tweet_id"])
    t = pd.to_datetime(df["created_at"], format=twcs.TWCS_TIME_FORMAT, utc=True)
    time_of = dict(zip(df["tweet_id"], t))
    listed = {(int(p), int(c)) for p, cs in zip(df["tweet_id"], df["response_tweet_id"]) if isinstance(cs, str)
              for c in cs.split(",")}
    replies = {(int(p), int(c)) for c, p in zip(df["tweet_id"], df["in_response_to_tweet_id"]) if p == p}
    assert listed == replies
    assert all(p in ids and p < c and time_of[p] <= time_of[c] for p, c in replies)


def test_brand_replies_start_with_the_customer_they_answer(threads: pd.DataFrame):
    replies = threads[~threads["inbound"] & (threads["parent"] >= 0)]
    parents = threads["author_id"].to_numpy()[replies["parent"].to_numpy()]
    assert all(text.startswith(f"@{who} ") for text, who in zip(replies["text"], parents))
    assert threads.loc[~threads["inbound"], "parent"].lt(0).sum() > 0  # announcements


def test_customer_texts_vary_and_look_like_tweets(frame: pd.DataFrame):
    text = frame.loc[frame["inbound"], "text"]
    assert text.nunique() / len(text) > 0.6
    for pattern in (r"&amp;|&gt;|&lt;", r"\n", r"https?://", r"#\w+", r"[\U0001F300-\U0001FAFF]", r"\b[A-Z]{5,}\b",
                    r"^@(?:AcmeHelp|BrightMobile|NorthwindHome)\b", r"#A\d{9}|NW\d{6}"):
        assert text.str.contains(pattern, regex=True).sum() >= 10, pattern
    brand = frame.loc[~frame["inbound"], "text"].str.replace(r"^@\d+ ", "", regex=True)
    assert brand.value_counts().iloc[0] >= 30  # canned replies repeat word for word


def test_timestamps_follow_a_daily_cycle(threads: pd.DataFrame):
    opened = threads.loc[(threads["parent"] < 0) & threads["inbound"], "t"]
    by_hour = opened.dt.hour.value_counts().sort_index()
    assert by_hour.loc[12:20].min() > 2 * by_hour.loc[2:5].max() > 0
    assert str(threads["t"].dt.tz) == "UTC"


# ---- service profiles -----------------------------------------------------------------------

def test_response_rates(profile: pd.DataFrame):
    rate = profile["answered"]
    assert 0.15 <= rate["NorthwindHome"] <= 0.25
    assert 0.80 <= rate["BrightMobile"] <= 0.90
    assert rate["AcmeHelp"] >= 0.92


def test_first_response_delays(profile: pd.DataFrame):
    median = profile["median_h"]
    assert median["NorthwindHome"] >= 8
    assert 1 <= median["BrightMobile"] <= 3
    assert 0.25 <= median["AcmeHelp"] <= 0.5
    assert profile.loc["AcmeHelp", "p90_h"] < 1


def _brand_posts(threads: pd.DataFrame, handle: str) -> pd.DataFrame:
    """The handle's replies (announcements left out)."""
    return threads[(threads["author_id"] == handle) & (threads["parent"] >= 0)]


def test_opening_hours(threads: pd.DataFrame):
    northwind = _brand_posts(threads, "NorthwindHome")["t"]
    assert (northwind.dt.weekday < 5).all() and northwind.dt.hour.between(9, 16).all()
    bright = _brand_posts(threads, "BrightMobile")["t"]
    assert bright.dt.hour.between(8, 21).all() and (bright.dt.hour >= 18).mean() > 0.1
    acme_help = _brand_posts(threads, "AcmeHelp")["t"]
    assert acme_help.dt.weekday.nunique() == 7 and acme_help.dt.hour.between(0, 5).sum() > 20


def test_reply_styles(threads: pd.DataFrame):
    def share(handle: str, pattern: str) -> float:
        return _brand_posts(threads, handle)["text"].str.contains(pattern, regex=True).mean()

    signoff = r"(?:\^[A-Z][A-Za-z]{1,4}|-[A-Z][a-z]+|Cheers, [A-Z][a-z]+)$"
    assert share("NorthwindHome", signoff) == 0 and share("NorthwindHome", r"\bDM\b") == 0
    assert share("BrightMobile", signoff) > 0.8 and share("BrightMobile", r"\bDM\b") < 0.1
    assert share("AcmeHelp", signoff) > 0.8 and share("AcmeHelp", r"\bDM\b") > 0.2
    assert share("AcmeHelp", r"passed this to our|escalated") > 0.05
    assert _brand_posts(threads, "NorthwindHome")["text"].str.replace(r"^@\d+ ", "", regex=True).nunique() <= 5
    assert share("Acme", r"@AcmeHelp") > 0.2


def test_acme_redirects_to_its_help_handle(threads: pd.DataFrame):
    in_acme_threads = threads[threads["root"].isin(threads.index[threads["addressed"] == "Acme"])]
    both = in_acme_threads.groupby("root")["author_id"].agg(lambda a: {"Acme", "AcmeHelp"} <= set(a))
    assert both.sum() > 50


def test_complaints_are_turned_around_by_active_brands_only(threads: pd.DataFrame):
    """Share of customer-opened threads where the customer's last post is a thank-you reply."""
    def thankful_endings(handle: str) -> float:
        roots = threads.index[(threads["parent"] < 0) & threads["inbound"] & (threads["addressed"] == handle)]
        said = threads[threads["root"].isin(roots) & threads["inbound"]]
        last = said.sort_values("t").groupby("root").tail(1)
        thanks = (last["parent"] >= 0) & last["text"].str.contains(r"thank|cheers", case=False)
        return thanks.sum() / len(roots)

    assert thankful_endings("NorthwindHome") < 0.03
    assert thankful_endings("BrightMobile") > 0.15
    assert thankful_endings("AcmeHelp") > 0.2


# ---- formatting helper, CLI and clients file ----------------------------------------------

def test_format_twcs_time_matches_strftime():
    seconds = np.array([0, 1_509_487_847, 1_514_764_799])
    expected = [pd.Timestamp(s, unit="s", tz="UTC").strftime(twcs.TWCS_TIME_FORMAT) for s in seconds]
    assert list(twcs.format_twcs_time(seconds)) == expected
    assert expected[1] == "Tue Oct 31 22:10:47 +0000 2017"


def test_cli_writes_csv_and_clients_file(tmp_path: Path):
    out = tmp_path / "demo.csv"
    sample.main(["--out", str(out), "--messages", "500", "--seed", "4", "--weeks", "2",
                 "--clients-yaml", str(tmp_path / "clients.yaml")])
    df = pd.read_csv(out)
    assert len(df) == 500 and list(df.columns) == twcs.COLUMNS
    written = yaml.safe_load((tmp_path / "clients.yaml").read_text())
    assert written["data"] == "demo.csv"
    assert all("questionnaire" not in c for c in written["clients"])  # none beside it to point at


def test_committed_clients_file(frame: pd.DataFrame):
    doc = yaml.safe_load((SAMPLE_DIR / "clients.yaml").read_text(encoding="utf-8"))
    assert (SAMPLE_DIR / doc["data"]).is_file()
    clients = {c["name"]: c["brands"] for c in doc["clients"]}
    assert clients == {"Acme": ["Acme", "AcmeHelp"], "BrightMobile": ["BrightMobile"],
                       "Northwind Home": ["NorthwindHome"]}
    assert {h for brands in clients.values() for h in brands} == set(frame.loc[~frame["inbound"], "author_id"])


def test_example_questionnaires_load_and_differ_by_client():
    from audit.grading.questionnaire import load_questionnaire

    doc = yaml.safe_load((SAMPLE_DIR / "clients.yaml").read_text(encoding="utf-8"))
    answers = {c["name"]: [a.answer for a in load_questionnaire(SAMPLE_DIR / c["questionnaire"]).items.values()]
               for c in doc["clients"]}
    assert set(answers["Acme"]) == {"yes"}
    assert "partial" in answers["BrightMobile"] and "no" in answers["BrightMobile"]
    assert answers["Northwind Home"].count("no") >= 5 and None in answers["Northwind Home"]  # not assessed
