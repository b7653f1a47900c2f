"""Where the shared real public data lives (calibration, evaluations, the real-data tests).

One place for that fact. The data is never copied into the repository (licence): it sits in
``shared/real/`` beside the checkout, as in CI. ``$SOCIAL_AUDIT_REAL_DATA`` points elsewhere; a
clone of a local checkout (``git clone /path/to/project``) also finds it beside its origin.
"""
from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TWCS_SAMPLE = "twcs_random5000.csv"


def _beside(checkout: Path) -> Path:
    return checkout.parent / "shared" / "real"


def _origin() -> Path | None:
    """The local checkout this one was cloned from, if any."""
    try:
        url = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(url.removeprefix("file://")) if url else None
    return path if path is not None and path.is_dir() else None


@lru_cache(maxsize=1)
def real_dir() -> Path:
    """The folder of the shared real data; the usual place (beside the checkout) when none exists,
    so a message about missing data names where it should be."""
    if os.environ.get("SOCIAL_AUDIT_REAL_DATA"):
        return Path(os.environ["SOCIAL_AUDIT_REAL_DATA"])
    candidates = [_beside(REPO)] + ([_beside(_origin())] if _origin() else [])
    return next((c for c in candidates if c.is_dir()), candidates[0])
