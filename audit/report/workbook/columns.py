"""The workbook's words: every sheet's headers and units, read from ``columns.yaml`` beside this file.

Why data: a header is something a consultant reads on a slide, and the same field ("Answered",
"First response, median") must read the same on every sheet; keeping all of them in one file
makes that one place to look and one place to change. Why the unit beside the header: the header
says its unit through the unit ("(h:mm)", "(%)"), so no header can disagree with its cells.

How a unit rounds is not said here: ``audit.report.format`` prints each kind of figure for the
playbook, and ``decimals`` reads its rounding off its output, so the workbook rounds as the
playbook prints.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from audit.report import format as fmt

PATH = Path(__file__).with_name("columns.yaml")
#: kinds rounded as ``audit.report.format.figure`` prints them
ROUNDED = ("percent", "number", "decimal")
KINDS = (*ROUNDED, "minutes", "seconds", "flag", "date", "datetime", "text")
ROW = "row"  # a column whose cells take their row's unit (a table mixing metrics)
TAKES = ("join", "first")


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    label: str    # what the unit is called in a "Unit" column
    suffix: str   # what a header says after its text, in brackets ("" for none)
    width: int


@dataclass(frozen=True)
class Column:
    key: str          # the field of the record the column reads
    header: str       # as printed, unit suffix included
    unit: str | None  # a unit name, ROW, or None (text)
    width: int
    take: str | None = None  # how a list becomes one cell


class ColumnsError(ValueError):
    """``columns.yaml`` is malformed: a packaging or editing mistake, named precisely."""


@functools.cache
def decimals(kind: str) -> int:
    """Decimals ``audit.report.format`` prints for ``kind`` (of the percentage for ``percent``),
    read off its own output so that there is one rounding per kind of figure."""
    return len(fmt.figure(1 / 3, kind).rstrip("%").partition(".")[2])


def headed(text: str, unit: Unit | None) -> str:
    """A header with its unit: ``Answered (%)``; a unit without a suffix adds nothing."""
    return f"{text} ({unit.suffix})" if unit is not None and unit.suffix else text


@functools.lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Unit], dict[str, dict[str, dict[str, Column]]]]:
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping) or set(data) != {"units", "sheets"}:
        raise ColumnsError(f"{PATH.name}: expected exactly the keys 'units' and 'sheets'")
    units = {name: _unit(name, spec) for name, spec in data["units"].items()}
    sheets = {}
    for sheet, parts in data["sheets"].items():
        if not isinstance(parts, Mapping) or not parts or set(parts) - {"columns", "rows"}:
            raise ColumnsError(f"{PATH.name}: sheet {sheet!r} must hold 'columns' (and, for a list, 'rows')")
        sheets[sheet] = {part: {key: _column(f"{sheet}/{part}/{key}", key, spec, units)
                                for key, spec in fields.items()} for part, fields in parts.items()}
    return units, sheets


def _unit(name: str, spec: object) -> Unit:
    if not isinstance(spec, Mapping) or set(spec) - {"kind", "name", "suffix", "width"}:
        raise ColumnsError(f"{PATH.name}: unit {name!r} must be a mapping of kind, name, suffix, width")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ColumnsError(f"{PATH.name}: unit {name!r} has kind {kind!r}; use one of {list(KINDS)}")
    if kind in ROUNDED and not fmt.figure(1 / 3, kind)[:1].isdigit():
        raise ColumnsError(f"{PATH.name}: unit {name!r}: audit.report.format does not print {kind!r}")
    return Unit(name, kind, str(spec.get("name") or name), str(spec.get("suffix") or ""), int(spec.get("width") or 12))


def _column(where: str, key: str, spec: object, units: Mapping[str, Unit]) -> Column:
    spec = {"header": spec} if isinstance(spec, str) else spec
    if not isinstance(spec, Mapping) or not spec.get("header") or set(spec) - {"header", "unit", "width", "take"}:
        raise ColumnsError(f"{PATH.name}: {where} must be a header or a mapping of header, unit, width, take")
    unit = spec.get("unit")
    if unit is not None and unit != ROW and unit not in units:
        raise ColumnsError(f"{PATH.name}: {where} has unit {unit!r}; use one of {sorted(units)} or {ROW!r}")
    if spec.get("take") not in (None, *TAKES):
        raise ColumnsError(f"{PATH.name}: {where} has take {spec['take']!r}; use one of {list(TAKES)}")
    known = units.get(unit or "text")
    width = int(spec.get("width") or (known.width if known else 12))
    return Column(key, headed(str(spec["header"]), known), unit, width, spec.get("take"))


def unit(name: str | None) -> Unit | None:
    """The unit called ``name`` (None for text or a name the file does not know)."""
    return _load()[0].get(name) if name else None


def columns(sheet: str, part: str = "columns") -> list[Column]:
    """A sheet's columns (or, with ``part="rows"``, the Summary's rows) in the file's order."""
    return list(_load()[1][sheet][part].values())


def column(sheet: str, key: str, part: str = "columns") -> Column:
    return _load()[1][sheet][part][key]
