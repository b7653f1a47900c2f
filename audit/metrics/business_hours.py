"""The client's business hours: when its social team is on duty, in its own time zone.

A specification such as ``"Mon-Fri 08:00-20:00; Sat 09:00-13:00"`` (days ``Mon``..``Sun``,
ranges and lists of days, several time ranges per day, ``24:00`` as an end, a range past midnight
such as ``22:00-06:00`` runs into the next day) plus holidays: a country or region of the
``holidays`` package (``US``, ``US-CA``, ``GB-SCT``, ``DE-BY``) or a file of dates (one
``YYYY-MM-DD`` per line, or a CSV whose first column holds them; ``#`` comments allowed).

Why a calendar of open intervals: business-hours reply times (Zendesk and Sparkcentral pause the
clock outside a team's hours) must follow daylight-saving changes and holidays exactly and stay
vectorised. The open intervals of every local day in the data, converted to UTC seconds, and
their cumulative length give "business seconds since the start" for any instant with one
``numpy.searchsorted``; a reply's business time is the difference of two such lookups.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audit.common import checks
from audit.common.errors import AuditInputError

DEFAULT_SPEC = "Mon-Fri 09:00-17:00"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_DAY_INDEX = {d.casefold(): i for i, d in enumerate(DAYS)} | {
    name.casefold(): i for i, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                 "Saturday", "Sunday"))}
_TIME = r"(\d{1,2}):(\d{2})"
_RANGE = re.compile(rf"^{_TIME}\s*-\s*{_TIME}$")
_REGION = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z0-9]{1,6}))?$")
_EXAMPLE = 'e.g. "Mon-Fri 08:00-20:00; Sat 09:00-13:00"'


def _error(spec: str, why: str) -> AuditInputError:
    return AuditInputError(f"--business-hours {spec!r}: {why}. Write days then time ranges, {_EXAMPLE}.")


def _days(text: str, spec: str) -> list[int]:
    """``Mon-Fri,Sun`` -> [0, 1, 2, 3, 4, 6]; a range may wrap (``Fri-Mon``)."""
    out: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        ends = [e.strip().casefold() for e in part.split("-")]
        if len(ends) > 2 or any(e not in _DAY_INDEX for e in ends):
            raise _error(spec, f"unknown day {part!r} (use {', '.join(DAYS)})")
        first, last = _DAY_INDEX[ends[0]], _DAY_INDEX[ends[-1]]
        out += [(first + k) % 7 for k in range((last - first) % 7 + 1)]
    if not out:
        raise _error(spec, "no day given")
    return out


def _minutes(hour: str, minute: str, spec: str, *, end: bool) -> int:
    h, m = int(hour), int(minute)
    if m > 59 or h > 24 or (h == 24 and (m or not end)):
        raise _error(spec, f"{hour}:{minute} is not a time of day")
    return h * 60 + m


def week_mask(spec: str) -> np.ndarray:
    """The 10,080 minutes of a week (Monday 00:00 first), True where the team is on duty."""
    mask = np.zeros(MINUTES_PER_WEEK, dtype=bool)
    clauses = [c.strip() for c in re.split(r"[;\n]", spec or "") if c.strip()]
    if not clauses:
        raise _error(spec, "it is empty")
    for clause in clauses:
        match = re.match(r"^([A-Za-z,\-\s]+?)\s+(\d.*)$", clause)
        if not match:
            raise _error(spec, f"{clause!r} has no days or no time range")
        days = _days(match.group(1).replace(" ", ""), spec)
        for rng in (r.strip() for r in match.group(2).split(",")):
            found = _RANGE.match(rng)
            if not found:
                raise _error(spec, f"{rng!r} is not a time range like 09:00-17:00")
            start = _minutes(*found.group(1, 2), spec, end=False)
            stop = _minutes(*found.group(3, 4), spec, end=True)
            if start == stop:
                raise _error(spec, f"{rng!r} is empty")
            length = (stop - start) % MINUTES_PER_DAY or MINUTES_PER_DAY  # past midnight: next day
            for d in days:
                idx = (d * MINUTES_PER_DAY + start + np.arange(length)) % MINUTES_PER_WEEK
                mask[idx] = True
    return mask


def describe(mask: np.ndarray) -> str:
    """The canonical text of a week mask: days with equal hours grouped (``Mon-Fri 09:00-17:00``)."""
    per_day = []
    for d in range(7):
        day = mask[d * MINUTES_PER_DAY:(d + 1) * MINUTES_PER_DAY].astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], day, [0]))))
        per_day.append(", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
                                 for a, b in zip(edges[::2], edges[1::2])))
    clauses, d = [], 0
    while d < 7:
        e = d
        while e + 1 < 7 and per_day[e + 1] == per_day[d]:
            e += 1
        if per_day[d]:
            days = DAYS[d] if d == e else f"{DAYS[d]}-{DAYS[e]}"
            clauses.append(f"{days} {per_day[d]}")
        d = e + 1
    return "; ".join(clauses) or "closed"


@dataclass(frozen=True)
class BusinessHours:
    """A validated specification: the weekly hours, the holiday source, the time zone."""

    spec: str                      # canonical text (``describe``)
    tz: str
    holidays: str | None = None    # what the user gave: a region code or a file path
    mask: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(0, bool))
    holiday_file_dates: tuple[dt.date, ...] = ()

    @property
    def hours_per_week(self) -> float:
        return float(self.mask.sum()) / 60.0

    def open_share_by_hour(self) -> list[float]:
        """Share of each of the 168 hours of the week (Monday 00:00 first) inside the hours."""
        return [float(x) for x in self.mask.reshape(168, 60).mean(axis=1)]

    def holiday_dates(self, years: Iterable[int]) -> list[dt.date]:
        """The holidays falling in the given years (a region's calendar, or the file's dates)."""
        years = sorted(set(int(y) for y in years))
        if not self.holidays:
            return []
        if self.holiday_file_dates:
            return sorted(d for d in self.holiday_file_dates if d.year in years)
        country, subdiv = _region(self.holidays)
        import holidays as holidays_pkg

        return sorted(holidays_pkg.country_holidays(country, subdiv=subdiv, years=years))

    def holidays_between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The holidays from ``first`` to ``last`` (local dates, inclusive)."""
        first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
        return [d for d in self.holiday_dates(range(first.year, last.year + 1)) if first <= d <= last]

    def describe(self) -> dict:
        """What ``metrics.json`` records (``scope.business_hours``)."""
        return {"spec": self.spec, "timezone": self.tz, "holidays": self.holidays,
                "hours_per_week": round(self.hours_per_week, 2)}


def _region(code: str) -> tuple[str, str | None]:
    match = _REGION.match(code.strip())
    return match.group(1).upper(), (match.group(2).upper() if match.group(2) else None)


def _read_holiday_file(path: Path) -> tuple[dt.date, ...]:
    dates = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        cell = line.split("#", 1)[0].split(",", 1)[0].strip().strip('"')
        if not cell or (n == 1 and not cell[:1].isdigit()):  # blank, comment or a header
            continue
        try:
            dates.append(dt.date.fromisoformat(cell))
        except ValueError:
            raise AuditInputError(f"--holidays {path}, line {n}: {cell!r} is not a date; write one "
                                  "YYYY-MM-DD per line.") from None
    if not dates:
        raise AuditInputError(f"--holidays {path}: no dates found; write one YYYY-MM-DD per line.")
    return tuple(sorted(set(dates)))


def _check_region(code: str) -> None:
    import holidays as holidays_pkg

    match = _REGION.match(code.strip())
    if not match:
        raise AuditInputError(f"--holidays {code!r}: neither a file nor a country code. Give a country or region "
                              "such as US, US-CA, GB-SCT, DE-BY, or a file with one YYYY-MM-DD per line.")
    country, subdiv = _region(code)
    supported = holidays_pkg.list_supported_countries()
    if country not in supported:
        raise AuditInputError(f"--holidays {code!r}: unknown country {country!r} (ISO 3166 codes such as US, GB, "
                              "DE, FR), and no such file.")
    if subdiv and subdiv not in {s.upper() for s in supported[country]}:
        raise AuditInputError(f"--holidays {code!r}: {country} has no region {subdiv!r}. Regions: "
                              f"{', '.join(sorted(supported[country]))}.")


def parse(spec: str | None = DEFAULT_SPEC, holidays: str | None = None, tz: str = "UTC") -> BusinessHours:
    """Validate everything a user can get wrong, before any stage runs (``AuditInputError``)."""
    checks.timezone(tz)
    mask = week_mask(spec if spec is not None else DEFAULT_SPEC)
    file_dates: tuple[dt.date, ...] = ()
    holidays = (holidays or "").strip() or None
    if holidays:
        path = Path(holidays)
        if path.is_file():
            file_dates = _read_holiday_file(path)
        else:
            _check_region(holidays)
    return BusinessHours(describe(mask), tz, holidays, mask, file_dates)


# --- the calendar: vectorised business time ------------------------------------------------
@dataclass(frozen=True)
class Calendar:
    """Open intervals ``[starts, ends)`` in UTC epoch seconds, sorted and disjoint, and the open
    seconds accumulated before each one."""

    starts: np.ndarray
    ends: np.ndarray
    before: np.ndarray
    holidays: tuple[dt.date, ...]

    def open_seconds_until(self, t: np.ndarray) -> np.ndarray:
        """Business seconds from the calendar's start up to each instant ``t`` (epoch seconds)."""
        i = np.searchsorted(self.starts, t, side="right") - 1
        inside = np.clip(t - self.starts[np.maximum(i, 0)], 0, None)
        length = self.ends[np.maximum(i, 0)] - self.starts[np.maximum(i, 0)]
        return np.where(i >= 0, self.before[np.maximum(i, 0)] + np.minimum(inside, length), 0.0)


_EPOCH = pd.Timestamp(0, tz="UTC")


def _epoch_s(times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Seconds since 1970 whatever the datetime resolution (pandas 3 may store microseconds)."""
    return np.asarray((pd.to_datetime(times, utc=True) - _EPOCH) / pd.Timedelta(seconds=1), dtype="float64")


def calendar(hours: BusinessHours, first: pd.Timestamp, last: pd.Timestamp) -> Calendar:
    """The open intervals of every local day from ``first`` to ``last`` (UTC timestamps), one day
    of margin either side, holidays removed."""
    zone = hours.tz
    start_day = (pd.Timestamp(first).tz_convert(zone).normalize().tz_localize(None) - pd.Timedelta(days=1))
    end_day = (pd.Timestamp(last).tz_convert(zone).normalize().tz_localize(None) + pd.Timedelta(days=1))
    days = pd.date_range(start_day, end_day, freq="D")
    holiday_days = hours.holiday_dates(range(days.min().year, days.max().year + 1)) if len(days) else []
    days = days[~days.isin(pd.DatetimeIndex(pd.to_datetime(holiday_days)))] if holiday_days else days
    # runs of open minutes per weekday, split at midnight
    starts_local, ends_local = [], []
    for weekday in range(7):
        day = hours.mask[weekday * MINUTES_PER_DAY:(weekday + 1) * MINUTES_PER_DAY].astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], day, [0]))))
        on = days[days.dayofweek == weekday]
        for a, b in zip(edges[::2], edges[1::2]):
            starts_local.append(on + pd.Timedelta(minutes=int(a)))
            ends_local.append(on + pd.Timedelta(minutes=int(b)))
    if not starts_local or not sum(len(s) for s in starts_local):
        empty = np.zeros(0)
        return Calendar(empty, empty, empty, tuple(holiday_days))

    def to_utc(parts: list[pd.DatetimeIndex]) -> np.ndarray:
        local = pd.DatetimeIndex(np.concatenate([p.to_numpy() for p in parts]))
        # a wall time skipped by a DST change moves forward; a repeated one is read as standard time
        utc = local.tz_localize(zone, nonexistent="shift_forward", ambiguous=np.zeros(len(local), dtype=bool))
        return _epoch_s(utc)

    starts, ends = to_utc(starts_local), to_utc(ends_local)
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], np.maximum(ends[order], starts[order])
    before = np.concatenate(([0.0], np.cumsum(ends - starts)[:-1]))
    return Calendar(starts, ends, before, tuple(holiday_days))


def business_seconds(hours: BusinessHours, start: pd.Series, end: pd.Series,
                     cal: Calendar | None = None) -> pd.Series:
    """Seconds between ``start`` and ``end`` that fall inside the business hours (holidays
    excluded): the clock stops outside them. NaN where either end is missing; negative spans
    (clock skew) come out negative, as the calendar difference does."""
    start = pd.to_datetime(start, utc=True)
    end = pd.to_datetime(end, utc=True)
    known = start.notna() & end.notna()
    out = pd.Series(np.nan, index=start.index, dtype="float64")
    if not known.any():
        return out
    if cal is None:
        both = pd.concat([start[known], end[known]])
        cal = calendar(hours, both.min(), both.max())
    if len(cal.starts) == 0:
        out[known] = 0.0
        return out
    a = cal.open_seconds_until(_epoch_s(start[known]))
    b = cal.open_seconds_until(_epoch_s(end[known]))
    out[known] = b - a
    return out


def is_open(hours: BusinessHours, times: pd.Series) -> pd.Series:
    """Whether each instant falls inside the business hours in the client's zone (holidays closed)."""
    t = pd.to_datetime(times, utc=True)
    local = t.dt.tz_convert(hours.tz)
    minute = (local.dt.dayofweek * MINUTES_PER_DAY + local.dt.hour * 60 + local.dt.minute)
    known = minute.notna()
    open_ = pd.Series(False, index=t.index)
    open_[known] = hours.mask[minute[known].astype("int64").to_numpy()]
    if hours.holidays and known.any():
        years = range(int(local[known].dt.year.min()), int(local[known].dt.year.max()) + 1)
        closed = pd.to_datetime(pd.Series(hours.holiday_dates(years), dtype="object"))
        day = local.dt.tz_localize(None).dt.normalize()
        open_ &= ~day.isin(closed)
    return open_
