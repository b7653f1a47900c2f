"""One way to read and compare social handles.

Why: the same account reaches an export spelled several ways: ``@AppleSupport``, ``applesupport``,
``AppleSupport\\u200b`` (a zero-width space pasted from a web page), full-width ``ＡｐｐｌｅＳｕｐｐｏｒｔ``.
Compared naively they split one brand into two; here a handle is cleaned once (NFKC, Unicode
format characters removed, trimmed) and compared by one key (also without ``@``, case-folded).
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd


@cache
def _format_chars() -> re.Pattern[str]:
    """Every Unicode format character (category Cf: zero-width spaces and joiners, BOM, bidi
    marks); they live in planes 0, 1 and 14 only, so only those are scanned."""
    planes = (*range(0x20000), *range(0xE0000, 0xE1000))
    found = "".join(chr(c) for c in planes if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{re.escape(found)}]")


def clean_handle(value: object) -> str:
    """A handle as it should be shown: NFKC, without format characters, trimmed (case and ``@`` kept)."""
    return _format_chars().sub("", unicodedata.normalize("NFKC", str(value))).strip()


def handle_key(value: object) -> str:
    """The form two handles are compared by: cleaned, without a leading ``@``, case-folded."""
    return clean_handle(value).lstrip("@").casefold()


def clean_handles(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`clean_handle` for a text column (missing stays missing), and the mask of cells that
    changed beyond trimming (what the accounting counts as normalised)."""
    trimmed = values.str.strip()
    cleaned = trimmed.str.normalize("NFKC").str.replace(_format_chars(), "", regex=True).str.strip()
    return cleaned, ((cleaned != trimmed) & trimmed.notna()).fillna(False).astype(bool)


def handle_keys(values: pd.Series) -> pd.Series:
    """:func:`handle_key` for a column (missing stays missing). Each distinct handle is keyed once:
    a column of a million posts holds far fewer authors, and the metrics compare handles often."""
    codes, uniques = pd.factorize(values)
    keys = clean_handles(pd.Series(uniques, dtype="string"))[0].str.lstrip("@").str.casefold()
    out = keys.to_numpy(dtype=object, na_value=None)[codes] if len(uniques) else np.full(len(codes), None, dtype=object)
    out[codes < 0] = None
    return pd.Series(out, index=values.index, dtype="string")
