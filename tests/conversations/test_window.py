"""The analysis window (audit.conversations.window): stray timestamps isolated from the body of the data are
left out of rates and profiles, listed with a reason, never dropped from the row accounting."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit.common.errors import AuditInputError
from audit.conversations import window

NOW = pd.Timestamp("2026-11-30", tz="UTC")


def _posts(times: list[str] | pd.DatetimeIndex) -> pd.Series:
    return pd.Series(pd.to_datetime(list(times), utc=True), index=[f"m{i}" for i in range(len(times))])


def _quarter(n: int = 3000, seed: int = 0) -> list[pd.Timestamp]:
    """n posts spread at random over October-December 2017 (the body of a real export)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2017-10-01", tz="UTC")
    return sorted(start + pd.to_timedelta(rng.uniform(0, 92 * 86400, n), unit="s"))


def test_the_issue_example_a_2011_tweet_and_a_2016_exchange_do_not_stretch_the_window():
    times = _posts([*_quarter(), "2011-05-03 10:00", "2016-02-01 09:00", "2016-02-01 09:40"])
    w = window.find(times, pd.Series(times.index, index=times.index), now=NOW)
    assert w.start >= pd.Timestamp("2017-10-01", tz="UTC") and w.end <= pd.Timestamp("2018-01-01", tz="UTC")
    assert 85 <= len(w.days()) <= 92                       # not 2,289 days
    assert sorted(w.excluded["message_id"]) == ["m3000", "m3001", "m3002"]
    assert set(w.excluded["reason"]) == {"stray_early"}
    d = w.to_dict()
    assert d["excluded_by_reason"] == {"stray_early": 3} and d["start_source"] == "detected"
    assert d["end_source"] == "data" and len(d["excluded_listed"]) == 3


def test_a_late_stray_is_cut_at_the_end():
    times = _posts([*_quarter(500), "2019-06-01 12:00"])
    w = window.find(times, now=NOW)
    assert w.excluded["reason"].tolist() == ["stray_late"] and w.end < pd.Timestamp("2018-01-01", tz="UTC")


def test_a_steady_export_with_quiet_edges_keeps_every_post():
    # two years, busy in the middle, a handful of posts a week at both ends: no gap is isolating
    rng = np.random.default_rng(1)
    body = pd.Timestamp("2016-03-01", tz="UTC") + pd.to_timedelta(rng.uniform(0, 600, 5000), unit="D")
    edges = [pd.Timestamp("2016-01-01", tz="UTC") + pd.Timedelta(days=3 * i) for i in range(20)]
    edges += [pd.Timestamp("2017-10-25", tz="UTC") + pd.Timedelta(days=4 * i) for i in range(15)]
    w = window.find(_posts(sorted([*body, *edges])), now=NOW)
    assert w.excluded.empty and w.start_source == w.end_source == "data"


def test_impossible_dates_are_flagged_even_inside_a_small_export():
    times = _posts(["1970-01-01 00:00", "2017-10-01 10:00", "2017-10-02 11:00", "2031-01-01 00:00"])
    w = window.find(times, now=NOW)
    assert dict(zip(w.excluded["message_id"], w.excluded["reason"])) == {"m0": "before_2006", "m3": "future"}
    assert w.start == pd.Timestamp("2017-10-01 10:00", tz="UTC")


def test_since_and_until_set_the_window_in_the_local_clock():
    times = _posts(["2017-09-30 22:30", "2017-10-01 12:00", "2017-12-31 23:30", "2018-01-01 00:30"])
    w = window.find(times, since="2017-10-01", until="2017-12-31", tz="Europe/London", now=NOW)
    # 22:30 UTC on 30 Sep is 23:30 in London (before); 23:30 UTC on 31 Dec is still 31 Dec there
    assert dict(zip(w.excluded["message_id"], w.excluded["reason"])) == {
        "m0": "before_since", "m3": "after_until"}
    assert len(w.days("Europe/London")) == 92 and w.start_source == w.end_source == "explicit"


def test_one_explicit_side_leaves_the_other_detected():
    times = _posts([*_quarter(500), "2011-01-01 00:00"])
    w = window.find(times, until="2017-11-30", now=NOW)
    assert w.start_source == "detected" and w.end_source == "explicit"
    assert set(w.excluded["reason"]) == {"stray_early", "after_until"}


@pytest.mark.parametrize("since, until, message", [
    ("2017-12-01", "2017-10-01", "is after --until"), ("next tuesday", None, "Cannot read the date"),
])
def test_bad_bounds_are_clear_errors(since, until, message):
    with pytest.raises(AuditInputError, match=message):
        window.find(_posts(["2017-10-01 10:00"]), since=since, until=until)
    with pytest.raises(AuditInputError, match=message):  # what a run checks before any stage
        window.bounds(since, until, "Europe/London")


def test_select_keeps_whole_conversations_opened_inside_and_round_trips():
    conversations = pd.DataFrame({"conversation_id": ["a", "b"],
                                  "opened_at": pd.to_datetime(["2011-01-01", "2017-10-05"], utc=True)})
    messages = pd.DataFrame({"message_id": ["a1", "a2", "b1", "b2"], "conversation_id": ["a", "a", "b", "b"],
                             "created_at": pd.to_datetime(["2011-01-01", "2017-10-06", "2017-10-05", "2017-10-07"],
                                                          utc=True)})
    w = window.find(messages["created_at"], messages["message_id"], since="2017-10-01", until="2017-10-06", now=NOW)
    m, c = w.select(messages, conversations)
    assert c["conversation_id"].tolist() == ["b"] and m["message_id"].tolist() == ["b1", "b2"]
    again = window.Window.from_dict(w.to_dict())
    m2, c2 = again.select(messages, conversations)
    assert m2.equals(m) and c2.equals(c)


def test_the_period_is_the_clients_own_not_the_exports():
    """A client with 7 days of conversations in a 60-day multi-brand export is measured over 7 days:
    its handle's posts and the customer posts addressed to it, never a peer's."""
    from tests.helpers.frames import build, conversation

    start = pd.Timestamp("2024-01-01 10:00", tz="UTC")
    rows = []
    for d in range(0, 60, 2):      # the peer posts every other day for 60 days
        rows += conversation(f"p{d}", "PeerHelp", f"u{d}", start + pd.Timedelta(days=d),
                             [(0, f"u{d}", "hello"), (5, "PeerHelp", "hi")])
    for d in range(20, 27):        # the client, 20-26 January: 7 days
        rows += conversation(f"a{d}", "AcmeHelp", f"v{d}", start + pd.Timedelta(days=d),
                             [(0, f"v{d}", "@AcmeHelp help"), (30, "AcmeHelp", "on it")])
    m, c = build(rows)
    everything = window.find(m["created_at"], m["message_id"], now=NOW)
    mine = window.of_handles(m, ["@acmehelp"], now=NOW)
    assert len(everything.days()) == 59 and len(mine.days()) == 7
    assert mine.start == start + pd.Timedelta(days=20) and mine.end == start + pd.Timedelta(days=26, minutes=30)
    assert window.handle_rows(m, ["AcmeHelp"]).sum() == 14


def test_an_explicit_window_without_the_clients_posts_says_where_they_are():
    """Not "fix the brand list": the client is right, the dates are not."""
    import pandas as pd
    import pytest

    from audit.common.errors import AuditInputError
    from audit.conversations.window import require_posts

    t = pd.to_datetime(["2017-10-02 10:00", "2017-10-20 12:00"], utc=True)
    posts = pd.DataFrame({"created_at": t, "author": ["AcmeHelp", "AcmeHelp"], "brand": ["AcmeHelp", "AcmeHelp"],
                          "message_id": ["1", "2"]})
    require_posts(posts, posts, ["AcmeHelp"], since="2017-10-01")  # posts inside: nothing to say
    require_posts(posts, posts.iloc[:0], ["AcmeHelp"])              # a detected window is not refused here
    with pytest.raises(AuditInputError, match=r"@AcmeHelp .* their posts run from 2017-10-02 to 2017-10-20"):
        require_posts(posts, posts.iloc[:0], ["AcmeHelp"], since="2018-01-01", until="2018-03-31")
