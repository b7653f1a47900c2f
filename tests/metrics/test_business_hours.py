"""The client's business hours: parsing, refusals, the business-seconds calendar (weekends,
holidays, daylight saving) against hand-computed answers and a minute-by-minute count, and the
figures that move when the hours change."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit.common.errors import AuditInputError
from audit.metrics import business_hours as B
from audit.metrics import registry as M
from audit.run.cli import main
from tests.helpers import frames as F
from tests.helpers.metric_rows import fixture_rows
from tests.helpers.paths import SAMPLE_CSV

NY = "America/New_York"


def ny(*stamps: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(stamps)).tz_localize(NY))


def test_spec_is_parsed_into_a_canonical_week():
    h = B.parse("mon-fri 08:00-20:00; Sat 09:00-13:00", tz=NY)
    assert h.spec == "Mon-Fri 08:00-20:00; Sat 09:00-13:00"
    assert h.hours_per_week == 5 * 12 + 4
    # several ranges a day, a range past midnight runs into the next day, Sun wraps to Mon
    assert B.parse("Mon 08:00-12:00, 13:00-17:00").spec == "Mon 08:00-12:00, 13:00-17:00"
    assert B.parse("Sun 22:00-02:00").spec == "Mon 00:00-02:00; Sun 22:00-24:00"
    assert B.parse("Mon-Sun 00:00-24:00").hours_per_week == 168
    share = B.parse("Mon 09:30-10:00").open_share_by_hour()
    assert share[9] == 0.5 and sum(share) == 0.5


@pytest.mark.parametrize("spec, why", [
    ("", "empty"), ("Mon 9-17", "not a time range"), ("Funday 09:00-17:00", "unknown day"),
    ("Mon 09:00-25:00", "not a time of day"), ("Mon 09:00-09:00", "is empty"), ("09:00-17:00", "no days"),
])
def test_bad_specs_are_refused_with_the_reason(spec, why):
    with pytest.raises(AuditInputError, match=why):
        B.parse(spec)


@pytest.mark.parametrize("holidays, why", [
    ("XX", "unknown country"), ("US-ZZ", "no region 'ZZ'"), ("no_such_file.txt", "neither a file nor"),
])
def test_bad_holidays_are_refused(holidays, why):
    with pytest.raises(AuditInputError, match=why):
        B.parse(holidays=holidays)


def test_holiday_file_and_bad_lines(tmp_path):
    good = tmp_path / "days.csv"
    good.write_text("date,name\n2017-09-04,Labor Day\n# office party\n2017-12-22\n")
    assert B.parse(holidays=str(good)).holiday_dates([2017]) == [pd.Timestamp("2017-09-04").date(),
                                                                 pd.Timestamp("2017-12-22").date()]
    bad = tmp_path / "bad.txt"
    bad.write_text("2017-09-04\n04/09/2017\n")
    with pytest.raises(AuditInputError, match="line 2"):
        B.parse(holidays=str(bad))


def test_reply_across_a_weekend_and_a_holiday_counts_only_open_time(tmp_path):
    """Fri 1 Sep 2017 16:00 -> Tue 5 Sep 10:00, Mon-Fri 09:00-17:00 New York; Mon 4 Sep is Labor Day.
    Fri 16-17 (1 h) + Tue 09-10 (1 h) = 2 h; without the holiday Monday's 8 h count too."""
    start, end = ny("2017-09-01 16:00", "2017-09-01 18:00"), ny("2017-09-05 10:00", "2017-09-01 19:00")
    us = B.parse("Mon-Fri 09:00-17:00", "US", NY)
    assert (B.business_seconds(us, start, end) / 3600).tolist() == [2.0, 0.0]  # 2nd: both after hours
    plain = B.parse("Mon-Fri 09:00-17:00", None, NY)
    assert (B.business_seconds(plain, start, end) / 3600).tolist() == [10.0, 0.0]
    file = tmp_path / "h.txt"
    file.write_text("2017-09-04\n")
    assert (B.business_seconds(B.parse("Mon-Fri 09:00-17:00", str(file), NY), start, end) / 3600).tolist() == [2.0, 0.0]
    assert B.is_open(us, ny("2017-09-04 10:00", "2017-09-05 10:00", "2017-09-02 10:00")).tolist() == [False, True, False]


def test_daylight_saving_and_missing_values():
    """Round the clock in London across the spring change: 12:00 to 12:00 is 23 real hours."""
    h = B.parse("Mon-Sun 00:00-24:00", tz="Europe/London")
    start = pd.Series(pd.to_datetime(["2024-03-30 12:00", None]).tz_localize("Europe/London"))
    end = pd.Series(pd.to_datetime(["2024-03-31 12:00", "2024-03-31 12:00"]).tz_localize("Europe/London"))
    out = B.business_seconds(h, start, end)
    assert out.iloc[0] == 23 * 3600 and np.isnan(out.iloc[1])


def test_calendar_matches_a_minute_by_minute_count():
    """Random spans over three weeks against counting open minutes one by one (the slow, obvious way)."""
    h = B.parse("Mon-Fri 08:30-12:00, 13:00-18:00; Sat 10:00-14:00; Sun 23:00-01:00", "US-NY", NY)
    rng = np.random.default_rng(7)
    base = pd.Timestamp("2017-11-15", tz=NY)  # includes Thanksgiving, 23 Nov
    a = base + pd.to_timedelta(rng.integers(0, 21 * 1440, 40), unit="min")
    b = a + pd.to_timedelta(rng.integers(0, 6 * 1440, 40), unit="min")
    got = B.business_seconds(h, pd.Series(a), pd.Series(b)) / 60
    holidays = set(h.holiday_dates([2017]))
    for s, e, g in zip(a, b, got):
        minutes = pd.date_range(s, e, freq="min", inclusive="left")
        idx = minutes.dayofweek * 1440 + minutes.hour * 60 + minutes.minute
        expected = int((h.mask[idx] & ~pd.Index(minutes.date).isin(holidays)).sum())
        assert g == expected


CLIENT = ["Acme", "AcmeHelp"]


@pytest.fixture(scope="module")
def frames():
    return F.build(fixture_rows())


def test_business_hours_figures_move_with_the_hours(frames, tmp_path):
    """The metrics fixture (week of Mon 4 Mar 2024, UTC): by default 8 conversations open in
    Mon-Fri 09-17 (7 answered) and 2 outside (c2 Mon 23:30 answered in 120 min, c3 Saturday never)."""
    def figures(**kw):
        out = M.compute_all(*frames, CLIENT, business_hours=B.parse(tz="UTC", **kw))["overall"]
        return {k: out[k] for k in ("business_hours_response_rate", "outside_hours_response_rate",
                                    "outside_hours_first_response_median_min")}

    assert figures() == {"business_hours_response_rate": 0.875, "outside_hours_response_rate": 0.5,
                         "outside_hours_first_response_median_min": 120.0}
    # round the clock: every conversation is in hours, none outside
    assert figures(spec="Mon-Sun 00:00-24:00") == {"business_hours_response_rate": 0.8,
                                                   "outside_hours_response_rate": None,
                                                   "outside_hours_first_response_median_min": None}
    # Monday 4 March a holiday: c1 (Mon 10:00, answered in 30 min) moves outside
    days = tmp_path / "days.txt"
    days.write_text("2024-03-04\n")
    assert figures(holidays=str(days)) == {"business_hours_response_rate": round(6 / 7, 4),
                                           "outside_hours_response_rate": round(2 / 3, 4),
                                           "outside_hours_first_response_median_min": 75.0}
    scope = M.compute_all(*frames, CLIENT, business_hours=B.parse(holidays=str(days)))["scope"]["business_hours"]
    assert scope["holidays_in_period"] == ["2024-03-04"] and scope["spec"] == "Mon-Fri 09:00-17:00"


def test_bad_hours_fail_before_any_stage(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["run", "--data", str(SAMPLE_CSV),
            "--client", "Acme", "--out", str(out), "--no-pdf"]
    assert main(args + ["--business-hours", "Mon-Fri 9-5"]) == 2
    assert "'9-5' is not a time range" in capsys.readouterr().err
    assert main(args + ["--holidays", "Atlantis"]) == 2
    assert "--holidays 'Atlantis'" in capsys.readouterr().err
    assert not out.exists()  # nothing ran, nothing written


def test_bad_hours_in_a_batch_file_fail_the_batch_before_any_client(tmp_path, capsys):
    data = SAMPLE_CSV
    clients = tmp_path / "clients.yaml"
    clients.write_text(f"data: {data}\nclients:\n  - name: A\n    business_hours: Mon-Fri 09:00-17:00\n"
                       "    holidays: US-CA\n  - name: B\n    business_hours: Someday 09:00-17:00\n")
    assert main(["batch", str(clients), "--out", str(tmp_path / "out")]) == 2
    assert "unknown day 'Someday'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_business_hours_coverage_judges_only_the_hours_inside_them():
    """Mon 4 Mar 2024: five conversations at 10:xx answered in 10 min (covered), five at 20:xx
    answered in 3 h (not covered); hours need 5 conversations to be judged."""
    rows = []
    for i in range(5):
        rows += F.conversation(f"d{i}", "Acme", f"d{i}", f"2024-03-04 10:{i * 10:02d}",
                               [(0, f"d{i}", "@Acme hi"), (10, "Acme", "Hello")])
        rows += F.conversation(f"e{i}", "Acme", f"e{i}", f"2024-03-04 20:{i * 10:02d}",
                               [(0, f"e{i}", "@Acme hi"), (180, "Acme", "Hello")])
    frames = F.build(rows)

    def covered(spec):
        return M.compute_all(*frames, ["Acme"], business_hours=B.parse(spec))["overall"]["business_hours_covered_share"]

    assert covered("Mon-Fri 09:00-17:00") == 1.0    # only Mon 10:00 is inside: covered
    assert covered("Mon 08:00-22:00") == 0.5        # Mon 10:00 covered, Mon 20:00 not
    assert covered("Mon 20:31-22:00") is None       # 20:00-21:00 under half open: not inside, nothing judged
    assert covered("Mon 20:00-22:00") == 0.0
