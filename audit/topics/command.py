"""``social-audit topics``: topics for a column of texts, for analysts who only want the
clustering (one row per input row, the file's columns plus ``topic`` and ``topic_label``)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from audit.common.errors import AuditInputError
from audit.topics.model import assign


def topics_table(data: str | Path, text_column: str, out: str | Path, device: str = "auto") -> pd.DataFrame:
    """Read ``data``, assign topics to ``text_column`` and write ``out`` (formula-safe CSV)."""
    from audit.common.safeio import write_csv_safe
    from audit.reading.tables import read_table

    table = read_table(data)
    if text_column not in table.columns:
        raise AuditInputError(f"{data} has no column '{text_column}'. Columns found: "
                              f"{', '.join(map(str, table.columns))}. Pass --text-column NAME.")
    texts = table[text_column].fillna("").astype(str).tolist()
    model = assign(texts, device=device)
    out_frame = table.reset_index(drop=True).assign(topic=model.labels, topic_label=model.label_of().to_numpy())
    write_csv_safe(out_frame, Path(out))
    return out_frame
