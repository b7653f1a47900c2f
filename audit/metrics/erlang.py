"""How many social agents each hour of the week needs: Erlang C on the client's own arrivals.

Why Erlang C: it is the standard contact-centre model a workforce planner will recognise and
check. It assumes random (Poisson) arrivals and that a waiting customer waits rather than leaves,
which is close enough for a public social queue, and it turns "answer 80% within 1 hour" into a
head count per hour. All functions are pure; the playbook calls ``plan`` once per brand.

Hour-of-week index: ``weekday * 24 + hour`` with Monday = 0 (pandas ``dayofweek``), 168 slots.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from audit.metrics.hours_of_week import HOURS_PER_WEEK  # one grid for the roster and the coverage metrics

DEFAULT_HANDLE_MIN = 6.0
DEFAULT_TARGET_MIN = 60.0
DEFAULT_TARGET_SHARE = 0.8
DEFAULT_MAX_OCCUPANCY = 0.85
DEFAULT_SHRINKAGE = 0.30
DEFAULT_CONTRACT_HOURS = 37.5
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability by the stable recursion (no factorials, no overflow for big N)."""
    if agents < 0 or traffic < 0:
        raise ValueError("traffic and agents must be non-negative")
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a contact has to wait; 1.0 when the queue is unstable (agents <= traffic)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    b = erlang_b(traffic, agents)
    return agents * b / (agents - traffic * (1.0 - b))


def service_level(traffic: float, agents: int, handle_s: float, target_s: float) -> float:
    """Share of contacts answered within ``target_s``: 1 - C * exp(-(N - A) * T / AHT)."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1.0 - erlang_c(traffic, agents) * math.exp(-(agents - traffic) * target_s / handle_s)


def average_wait_s(traffic: float, agents: int, handle_s: float) -> float:
    """Mean wait before the first answer (ASA), in seconds; infinite when understaffed."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * handle_s / (agents - traffic)


def agents_needed(
    arrivals_per_hour: float,
    handle_s: float,
    target_s: float,
    target_share: float = DEFAULT_TARGET_SHARE,
    max_occupancy: float | None = DEFAULT_MAX_OCCUPANCY,
) -> int:
    """Fewest agents that meet the service level (and keep occupancy sustainable); 0 if no arrivals.

    The occupancy cap matters for high volumes: Erlang C alone would run agents at 95%+, which no
    team sustains for a shift.
    """
    if not 0 < target_share < 1:
        raise ValueError("target_share must be between 0 and 1")
    traffic = arrivals_per_hour * handle_s / 3600.0
    if traffic <= 0:
        return 0
    n = max(1, math.floor(traffic) + 1)
    if max_occupancy:
        n = max(n, math.ceil(traffic / max_occupancy))
    while service_level(traffic, n, handle_s, target_s) < target_share:
        n += 1
    return n


def backup_cover(agents: int, min_agents: int = 0) -> int:
    """Rostered head count: never below the minimum, and +1 where the model says one person,
    because a single agent on a public channel is a single point of failure (breaks, sickness,
    one long escalation)."""
    cover = max(agents, min_agents)
    return cover + 1 if cover == 1 else cover


def smooth_week(values: Sequence[float], window: int = 3) -> list[float]:
    """Centred moving average around the week (Sunday 23:00 wraps to Monday 00:00).

    Why: a few weeks of data leave single empty or busy hours that are noise, not a pattern a
    roster should follow; averaging each hour with its neighbours keeps the daily shape."""
    if window <= 1:
        return [float(v) for v in values]
    n, half = len(values), window // 2
    return [sum(values[(i + k) % n] for k in range(-half, half + 1)) / (2 * half + 1) for i in range(n)]


def fill_gaps(cover: Sequence[int], max_gap: int = 2) -> list[int]:
    """Close short breaks in a roster (a shift does not stop for one quiet hour): a run of at most
    ``max_gap`` unstaffed hours between staffed hours gets the smaller neighbour's head count."""
    out = [int(c) for c in cover]
    n = len(out)
    if not any(out):
        return out
    h = 0
    while h < n:
        if out[h] == 0 and out[h - 1] > 0:          # a gap starts (index -1 wraps to Sunday 23:00)
            end = h
            while out[end % n] == 0 and end - h < n:
                end += 1
            if end - h <= max_gap:
                fill = min(out[h - 1], out[end % n])
                for k in range(h, end):
                    out[k % n] = fill
            h = end
        else:
            h += 1
    return out


def plan(
    arrivals: Sequence[float],
    *,
    handle_min: float = DEFAULT_HANDLE_MIN,
    target_min: float = DEFAULT_TARGET_MIN,
    target_share: float = DEFAULT_TARGET_SHARE,
    max_occupancy: float | None = DEFAULT_MAX_OCCUPANCY,
    min_agents: int = 0,
    shrinkage: float = DEFAULT_SHRINKAGE,
    contract_hours: float = DEFAULT_CONTRACT_HOURS,
    smooth_hours: int = 3,
    max_gap: int = 2,
) -> dict:
    """Staffing for each of the 168 hours of the week from average arrivals per hour-of-week.

    Arrivals are smoothed over ``smooth_hours`` and roster gaps of up to ``max_gap`` hours are
    closed before the back-up rule. Returns plain lists (JSON-ready) and a summary a manager can
    act on: peak head count, hours with someone on duty, the handling workload, and FTE after
    shrinkage (breaks, training, leave) for on-duty presence, for the workload alone and for the
    roster with back-up. At low volume presence dominates: that is the case for a blended role.
    """
    if len(arrivals) != HOURS_PER_WEEK:
        raise ValueError(f"need {HOURS_PER_WEEK} hourly arrival rates, got {len(arrivals)}")
    handle_s, target_s = handle_min * 60.0, target_min * 60.0
    rates = smooth_week([max(0.0, float(a)) for a in arrivals], smooth_hours)
    agents = fill_gaps([agents_needed(a, handle_s, target_s, target_share, max_occupancy) for a in rates],
                       max_gap)
    traffic = [a * handle_s / 3600.0 for a in rates]
    cover = [backup_cover(n, min_agents) for n in agents]
    occupancy = [t / n if n else 0.0 for t, n in zip(traffic, agents)]
    levels = [service_level(t, n, handle_s, target_s) if n else 1.0 for t, n in zip(traffic, agents)]
    waits = [average_wait_s(t, n, handle_s) / 60.0 if n else 0.0 for t, n in zip(traffic, agents)]
    rostered_hours = float(sum(cover))
    workload = sum(traffic)  # agent-hours of pure handling per week
    paid_hours = contract_hours * (1.0 - shrinkage)
    peak = max(range(HOURS_PER_WEEK), key=lambda h: (agents[h], rates[h], -h))
    return {
        "parameters": {
            "handle_min": handle_min, "target_min": target_min, "target_share": target_share,
            "max_occupancy": max_occupancy, "min_agents": min_agents, "shrinkage": shrinkage,
            "contract_hours": contract_hours, "smooth_hours": smooth_hours, "max_gap": max_gap,
        },
        "arrivals": [round(a, 3) for a in rates],
        "agents": agents,
        "cover": cover,
        "occupancy": [round(o, 3) for o in occupancy],
        "service_level": [round(s, 4) for s in levels],
        "avg_wait_min": [round(w, 2) for w in waits],
        "summary": {
            "contacts_per_week": round(sum(rates), 1),
            "peak_agents": agents[peak],
            "peak_cover": max(cover),
            "peak_hour": hour_label(peak),
            "hours_staffed": sum(n > 0 for n in agents),
            "workload_hours": round(workload, 1),
            "model_agent_hours": float(sum(agents)),
            "rostered_agent_hours": rostered_hours,
            "backup_hours": rostered_hours - float(sum(agents)),
            "fte_on_duty": round(sum(agents) / paid_hours, 1),
            "fte_workload": round(workload / (max_occupancy or 1.0) / paid_hours, 1),
            "fte_rostered": round(rostered_hours / paid_hours, 1),
            "mean_occupancy": round(workload / sum(agents), 3) if sum(agents) else 0.0,
        },
    }


def split_by_hours(values: Sequence[float], open_share: Sequence[float]) -> tuple[float, float]:
    """A per-hour-of-week quantity (arrivals, rostered agents) split into the part inside the
    client's business hours and the part outside; ``open_share`` is each hour's share of open
    minutes (``BusinessHours.open_share_by_hour``), so a half-open hour splits evenly."""
    if len(values) != HOURS_PER_WEEK or len(open_share) != HOURS_PER_WEEK:
        raise ValueError(f"need {HOURS_PER_WEEK} hourly values")
    inside = sum(float(v) * float(s) for v, s in zip(values, open_share))
    return inside, sum(float(v) for v in values) - inside


def hour_label(hour_of_week: int) -> str:
    """``37`` -> ``Tue 13:00``: how a roster names a slot."""
    day, hour = divmod(hour_of_week, 24)
    return f"{WEEKDAYS[day]} {hour:02d}:00"


def coverage_windows(cover: Sequence[int]) -> list[dict]:
    """Collapse the hourly roster into runs of equal head count per weekday, for a readable table."""
    windows: list[dict] = []
    for day in range(7):
        start = day * 24
        for hour in range(start, start + 24):
            if hour == start or cover[hour] != cover[hour - 1]:
                windows.append({"day": WEEKDAYS[day], "from": f"{hour - start:02d}:00",
                                "to": f"{hour - start + 1:02d}:00", "agents": int(cover[hour])})
            else:
                windows[-1]["to"] = f"{hour - start + 1:02d}:00"
    return windows
