"""Reply time, every way it is counted: hand-computed answers on a small fixture (with a reply
across a weekend and a holiday), and per-message medians on TWCS-layout files against an
independent computation made with plain pandas merges on the raw CSV."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from audit.common.realdata import real_dir
from audit.conversations import threads
from audit.metrics import business_hours as B
from audit.metrics import reply_time as R
from audit.reading import ingest
from tests.helpers import frames as F
from tests.helpers.paths import ROOT

REAL = real_dir()


def fixture() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    # a: Mon 4 Mar 2024 10:00. Brand answers the post in 30 min; customer again at +40, answered at +45
    #    (5 min). A second brand answer to the first post at +50 is not its first answer.
    rows += F.conversation("a", "Acme", "u1", "2024-03-04 10:00", [
        (0, "u1", "@Acme my order?"), (30, "Acme", "Checking now"), (40, "u1", "thanks, and the refund?"),
        (45, "Acme", "Refund is on its way")])
    rows.append({**rows[1], "message_id": "a-x", "reply_to_id": "a-0", "text": "also: tracking link",
                 "created_at": rows[0]["created_at"] + pd.Timedelta(minutes=50)})
    # b: Fri 8 Mar 16:50, answered Tue 12 Mar 09:10; Monday 11 Mar is a holiday (file). Calendar:
    #    5,300 min. Business hours Mon-Fri 09-17: Fri 10 min + Tue 10 min = 20 min.
    rows += F.conversation("b", "Acme", "u2", "2024-03-08 16:50", [(0, "u2", "@Acme hello?"), (5300, "Acme", "Hi!")])
    # c: Meta: u3 writes Tue 5 Mar 10:00, brand at 10:30 (30 min); u3 again at 11:00 (not new: 30 min
    #    since the brand); u3 again Thu 7 Mar 12:00 (49 h of silence: new), brand Fri 8 Mar 13:00 (25 h:
    #    after Meta's 24 h). Direct replies: 10:30 answers 10:00; the Friday post answers Thursday's.
    rows += F.conversation("c", "Acme", "u3", "2024-03-05 10:00", [
        (0, "u3", "@Acme hi"), (30, "Acme", "Hello"), (60, "u3", "ok"), (60 + 49 * 60, "u3", "@Acme again"),
        (60 + 49 * 60 + 25 * 60, "Acme", "Sorry for the wait")])
    # d: unanswered customer post
    rows += F.conversation("d", "Acme", "u4", "2024-03-06 12:00", [(0, "u4", "@Acme anyone?")])
    return F.build(rows)  # each post replies to the one before it: c-4 answers c-3 directly


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    m, c = fixture()
    days = tmp_path_factory.mktemp("h") / "days.txt"
    days.write_text("2024-03-11\n")
    hours = B.parse("Mon-Fri 09:00-17:00", str(days), "UTC")
    convs = c.loc[c["opened_by_customer"]]
    return R.compare(m, convs, ["Acme"], hours)


def test_conversation_first_response(result):
    d = result["conversation_first_response"]  # a 30, b 5300, c 30; d unanswered
    assert (d["n"], d["median"], d["mean"]) == (3, 30.0, (30 + 5300 + 30) / 3)
    assert d["p90"] == pytest.approx(30 + 0.8 * 5270)  # rank 1.8 of [30, 30, 5300]
    assert (d["rate_numerator"], d["rate_denominator"]) == (3, 4)


def test_per_message_reply_counts_each_answered_post_to_its_first_answer(result):
    d = result["message_reply"]
    # a-0 30, a-2 5, b-0 5300, c-0 30, c-3 1500; c-2 (answered by no brand post) and d-0 not:
    # 5 of the 7 customer posts
    assert d["n"] == 5 and d["median"] == 30.0 and d["mean"] == (30 + 5 + 5300 + 30 + 1500) / 5
    assert (d["rate_numerator"], d["rate_denominator"]) == (5, 7)


def test_business_hours_first_response_pauses_the_clock_over_weekend_and_holiday(result):
    d = result["business_hours_first_response"]  # a 30, b 20 (not 5300), c 30
    assert (d["n"], d["median"], d["mean"]) == (3, 30.0, pytest.approx(80 / 3))


def test_meta_counts_new_exchanges_and_averages_the_fastest_90_percent(result):
    d = result["meta_page_response"]
    # new messages: a-0 (30), b-0 (5300), c-0 (30), c-3 (1500), d-0 (never): rate within 24 h = 2 of 5
    assert (d["n"], d["rate_numerator"], d["rate_denominator"]) == (4, 2, 5)
    assert d["meta_response_time"] == pytest.approx((30 + 30 + 1500) / 3)  # floor(0.9 * 4) = 3 fastest
    assert d["definition"] and d["tools"]


def test_metrics_json_carries_every_definition():
    from audit.metrics import registry as M
    m, c = fixture()
    out = M.compute_all(m, c, ["Acme"])["reply_time_definitions"]
    assert set(out) == set(R.DEFINITIONS)
    assert out["message_reply"]["median"] == 30.0
    assert out["business_hours_first_response"]["median"] == 30.0  # b: Fri 10 + Mon 8 h + Tue 10 min = 500


def independent_medians(path: Path) -> pd.Series:
    """Per brand handle: median minutes from each customer tweet to the handle's first tweet that
    names it as in_response_to_tweet_id, straight from the raw CSV (no audit code)."""
    raw = pd.read_csv(path, dtype=str, lineterminator="\n", keep_default_na=False)
    raw.columns = [col.strip() for col in raw.columns]
    raw = raw.apply(lambda col: col.str.strip())
    raw["when"] = pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y", utc=True)
    raw["parent"] = raw["in_response_to_tweet_id"].str.replace(r"\.0$", "", regex=True)
    customers = raw.loc[raw["inbound"] == "True", ["tweet_id", "when"]]
    brands = raw.loc[(raw["inbound"] == "False") & raw["parent"].ne(""), ["author_id", "parent", "when"]]
    pairs = customers.merge(brands, left_on="tweet_id", right_on="parent", suffixes=("_post", "_reply"))
    first = pairs.sort_values("when_reply").groupby(["tweet_id", "author_id"]).head(1)  # each brand's first
    minutes = (first["when_reply"] - first["when_post"]).dt.total_seconds() / 60
    return minutes.groupby(first["author_id"]).median().sort_index()


@pytest.mark.parametrize("path", [REAL / "twcs_random5000.csv", ROOT / "data" / "sample" / "twcs_sample.csv"],
                         ids=["real_twcs_random5000", "sample"])
def test_per_message_medians_equal_an_independent_computation(path):
    if not path.exists():
        pytest.fail(f"{path} is missing (the real data sits beside the project, see HELPERS/README)")
    expected = independent_medians(path)
    assert len(expected) >= 1
    messages, _ = threads.build(ingest.load(path).messages)
    got = {brand: float(R.message_reply_minutes(messages, [brand])["minutes"].median()) for brand in expected.index}
    assert pd.Series(got).sort_index().to_dict() == pytest.approx(expected.to_dict())
