"""Text normalisation shared by training, scoring and the cache key.

Tweet models are trained on text where mentions read ``@user`` and links ``http``; doing the
same here keeps customer handles out of the model's view (and out of the cache key), so two
customers writing the same words share one score. E-mail addresses, phone numbers and long
digit runs are masked exactly as ``audit.reading.redact`` masks them, so a ``--redact`` run (which scores
already-masked text) gets the very same scores as a plain run.
"""
from __future__ import annotations

import html
import re

from audit.reading.redact import HANDLE_MASK, redact_text

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w{1,30}")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def normalize_text(text: object) -> str:
    """Return the model-facing form of a message: entities decoded, handles and links masked."""
    if text is None:
        return ""
    s = str(text)
    s = html.unescape(s)
    s = _CONTROL.sub(" ", s)
    s = _URL.sub("http", s)
    s = redact_text(s).replace(HANDLE_MASK, "@user")
    s = _MENTION.sub("@user", s)
    return _SPACE.sub(" ", s).strip()
