"""Ingest: read a client export, map it onto the normalised messages, quarantine what is unusable.

``load`` ties the steps together (``tables`` reads, ``normalise`` checks each row, ``quarantine``
explains the rejects) and keeps two promises. Nothing vanishes: every input row ends up either in
``messages`` or in ``quarantine`` with a reason, and the accounting proves it. And it scales: a
million-row export is read once as strings and every check is a vectorised column operation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from audit.common.errors import AuditInputError
from audit.reading.formats import format_of
from audit.reading.mapping import Mapping, closest_preset, detect_mapping, load_mapping
from audit.reading.normalise import normalise_rows
from audit.reading.quarantine import nothing_usable
from audit.reading.tables import read_raw
from audit.reading.workbooks import refuse_rounded_ids


@dataclass
class IngestResult:
    """What ingest hands to the next stage and to the audit's row accounting."""

    messages: pd.DataFrame
    quarantine: pd.DataFrame
    accounting: dict[str, Any] = field(default_factory=dict)


def load(
    path: str | Path,
    mapping: Mapping | str | Path | None = None,
    brands: list[str] | None = None,
) -> IngestResult:
    """Read ``path`` and return normalised messages, quarantined rows and the row accounting.

    ``mapping`` is a :class:`Mapping`, a preset/bundled name or a YAML path; without one the layout
    is detected (TWCS or already-normalised columns). ``brands`` are extra brand handles: their
    posts count as the brand's whatever the customer flag says.
    """
    path = Path(path)
    fmt = format_of(path)
    chosen = load_mapping(mapping) if mapping is not None else None
    raw, source, malformed = read_raw(path, fmt, chosen)
    chosen = _resolve_mapping(path, raw.columns, chosen, source.pop("sheet_headers", {}))
    refuse_rounded_ids(path, raw, source.pop("rounded_numbers", {}), chosen)
    if chosen.customer_flag is None and not chosen.brand_handles and not brands:
        raise AuditInputError(
            f"mapping {chosen.name!r} cannot tell customers from the brand: set customer_flag "
            "(a column) or brand_handles (a list) in the mapping, or pass the brand handles"
        )
    messages, quarantine, flags, by_reason = normalise_rows(raw, malformed, chosen, brands or [])
    accounting = {
        "input_rows": len(raw),
        "accepted": len(messages),
        "quarantined": len(quarantine),
        "by_reason": by_reason,
        "flags": flags,
        **source,
        "format": fmt,
        "mapping": chosen.name,
        "timezone": chosen.timezone,
        "source": path.name,
    }
    if accounting["input_rows"] != accounting["accepted"] + accounting["quarantined"]:
        raise AssertionError(f"row accounting broken: {accounting}")  # survives python -O
    if messages.empty:
        raise AuditInputError(nothing_usable(path, quarantine, chosen))
    return IngestResult(messages, quarantine, accounting)


def _resolve_mapping(path: Path, columns: pd.Index, chosen: Mapping | None,
                     sheet_headers: dict[str, list[str]]) -> Mapping:
    """Use the given mapping or detect a preset; one error names every missing column, or the
    workbook sheet that has them (a cover page before the data)."""
    mapping = chosen or detect_mapping(columns) or closest_preset(columns)
    missing = [c for c in mapping.source_columns() if c not in columns]
    for sheet, header in sheet_headers.items():
        fits = set(mapping.source_columns()) <= set(header) if chosen else detect_mapping(header)
        if missing and fits:
            raise AuditInputError(
                f"{path.name}: the columns are on sheet {sheet!r}, not on the first sheet (a "
                f"cover page?); set sheet: {sheet!r} in a mapping (--mapping) or move that sheet first."
            )
    if missing:
        how = (
            f"needed by the mapping {mapping.name!r}" if chosen
            else f"needed by the closest built-in layout ({mapping.name!r}); no mapping was given"
        )
        raise AuditInputError(
            f"{path.name} is missing column(s) {', '.join(missing)} {how}. "
            f"Columns found: {', '.join(columns)}. If the export names them differently, pass "
            "--mapping <file.yaml> (examples in audit/reading/mappings/)."
        )
    return mapping
