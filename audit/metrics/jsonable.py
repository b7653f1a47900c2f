"""One way to make figures JSON-ready, so every JSON the audit writes (metrics, grade, progress)
is deterministic: the same input gives byte-identical files, which keeps reruns and diffs honest."""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd


def jsonable(obj: object, ndigits: int = 4) -> object:
    """Deterministic JSON-ready copy: keys sorted, floats rounded, NaN/inf/NA -> None."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(obj[k], ndigits) for k in sorted(obj, key=str)}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, ndigits) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return round(x, ndigits) if math.isfinite(x) else None
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    return obj
