"""From mapped source columns to message fields: ids, customer flag, text, parent links, channel.

Why: each field has its own quirks (float-looking ids, flag spellings, HTML entities, TWCS reply
lists, ticket ids instead of reply links); each is one vectorised column operation here, so a
million-row export is never looped over in Python.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit.common.handles import handle_key, handle_keys
from audit.reading.mapping import Mapping

# Character classes spelled with literal characters so pyarrow's RE2 and Python's re agree.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_COMMON_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"),
                    ("&apos;", "'"), ("&nbsp;", "\xa0"), ("&amp;", "&"))  # &amp; last: one pass
_ANY_COMMON_ENTITY = r"&(?:lt|gt|quot|#39|apos|nbsp|amp);"
_OTHER_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"


def isin(values: pd.Series, allowed: pd.Series | tuple[str, ...] | list[str]) -> pd.Series:
    """``Series.isin`` for string columns via Arrow; pandas' own boxes every allowed value."""
    allowed = allowed if isinstance(allowed, pd.Series) else pd.Series(list(allowed), dtype=str)
    found = pc.is_in(pa.array(values.astype(str), pa.large_string()),
                     value_set=pa.array(allowed.astype(str), pa.large_string()))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index).fillna(False).astype(bool)


def blank_to_na(values: pd.Series) -> pd.Series:
    return values.where(values != "")


def normalise_ids(values: pd.Series) -> tuple[pd.Series, int]:
    """Trim ids and turn float-looking ones (``3.0``, an artefact of pandas/Excel) into ``3``."""
    trimmed = blank_to_na(values.str.strip())
    fixed = trimmed.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return fixed, int(((fixed != trimmed) & trimmed.notna()).sum())


def customer_flags(
    raw: pd.DataFrame, author: pd.Series, mapping: Mapping, brands: list[str]
) -> tuple[pd.Series, pd.Series]:
    """``is_customer`` per row and a mask of rows whose flag value is unusable."""
    author_key = handle_keys(author)
    extra = [handle_key(b) for b in brands]
    if mapping.customer_flag:
        flag = raw[mapping.customer_flag].str.strip().str.lower()
        truthy = isin(flag, mapping.customer_true_values)
        bad = ~(truthy | isin(flag, mapping.customer_false_values))
    else:
        truthy = ~isin(author_key, mapping.brand_handles or ())
        bad = pd.Series(False, index=raw.index)
    is_customer = truthy & ~isin(author_key, extra)
    return is_customer.astype(bool), bad.astype(bool)


def clean_text(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Strip control characters and decode HTML entities; return the masks of rows changed."""
    text = raw.fillna("")
    stripped = text.str.replace(_CONTROL, "", regex=True)
    control = stripped != text
    # Only texts with rare entities (numeric, named) pay for html.unescape; the common ones
    # (&gt; &amp; ...) are replaced column-wise. Deciding per row keeps decoding single-pass.
    rare = (
        stripped.str.replace(_ANY_COMMON_ENTITY, "", regex=True)
        .str.contains(_OTHER_ENTITY, regex=True)
    )
    decoded = stripped
    for entity, char in _COMMON_ENTITIES:
        decoded = decoded.str.replace(entity, char, regex=False)
    if rare.any():
        decoded = decoded.where(~rare, stripped[rare].map(html.unescape))
    entities = decoded != stripped
    return decoded, {"control_chars_stripped": control, "html_entities_decoded": entities}


def recover_parents(
    reply_to: pd.Series, message_id: pd.Series, responses: pd.Series, usable: np.ndarray
) -> tuple[pd.Series, int]:
    """Fill missing parent links from the parents' lists of reply ids (TWCS ``response_tweet_id``)."""
    source = responses[usable & message_id.notna().to_numpy()].dropna()
    if source.empty:
        return reply_to, 0
    lists = pc.split_pattern_regex(pa.array(source.to_numpy(dtype=object), pa.string()),
                                   r"[\s,;\[\]\"']+")
    children = pc.list_flatten(lists)
    parents = message_id[source.index].to_numpy(dtype=object)[
        pc.list_parent_indices(lists).to_numpy()
    ]
    pairs = pd.DataFrame({
        "child": normalise_ids(pd.Series(children.to_numpy(zero_copy_only=False), dtype=str))[0],
        "parent": pd.Series(parents, dtype=str),
    }).dropna()
    pairs = pairs[pairs["child"] != pairs["parent"]].drop_duplicates("child")
    found = message_id.map(pairs.set_index("child")["parent"])
    fill = reply_to.isna() & found.notna() & pd.Series(usable, index=reply_to.index)
    return reply_to.where(~fill, found), int(fill.sum())


def chain_conversation(messages: pd.DataFrame, conversation: pd.Series) -> tuple[pd.DataFrame, int]:
    """Messages without a reply link answer the previous message of their conversation/ticket."""
    order = messages.assign(_conv=conversation).sort_values(["_conv", "created_at", "source_row"])
    previous = order.groupby("_conv", sort=False)["message_id"].shift(1).reindex(messages.index)
    fill = messages["reply_to_id"].isna() & previous.notna()
    out = messages.assign(reply_to_id=messages["reply_to_id"].where(~fill, previous))
    return out, int(fill.sum())


def channel_column(raw: pd.DataFrame, mapping: Mapping) -> pd.Series:
    constant = pd.Series(mapping.channel.strip().lower(), index=raw.index, dtype=str)
    if not mapping.channel_column:
        return constant
    return blank_to_na(raw[mapping.channel_column].str.strip().str.lower()).fillna(constant)
