"""The client's time series: inbound posts by local day and by hour of the week, the share
answered within an hour by hour of the week, and the first-response quantiles, for the charts."""
from __future__ import annotations

from audit.metrics.hours_of_week import HOURS_PER_WEEK, within_1h_by_hour
from audit.metrics.prepare import Prepared
from audit.metrics.scope import Scope


def series(s: Scope, prep: Prepared) -> dict[str, object]:
    by_day = s.inbound["_local"].dt.normalize().value_counts().reindex(prep.days, fill_value=0)
    by_hour = s.inbound["_how"].value_counts().reindex(range(HOURS_PER_WEEK), fill_value=0)
    frt = s.convs["_frt_min"].dropna()
    quantiles = {f"p{int(q * 100)}": (float(frt.quantile(q)) if len(frt) else None)
                 for q in (0.1, 0.25, 0.5, 0.75, 0.9, 0.95)}
    return {
        "inbound_by_day": {d.strftime("%Y-%m-%d"): int(n) for d, n in by_day.items()},
        "inbound_by_hour_of_week": [int(n) for n in by_hour],
        "answered_within_1h_by_hour_of_week": within_1h_by_hour(s.convs).tolist(),
        "first_response_minutes_quantiles": {**quantiles, "n": int(len(frt))},
    }
