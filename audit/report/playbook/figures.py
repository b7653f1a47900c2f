"""The client's figures as the report quotes them: one value, one unit, one rounding per figure.

Why: a consultant reading '89.6%' in the roadmap beside '90%' in the KPI table, or '13 negative
posts' beside 'no complaints', sees a contradiction, not two roundings or two units. Every section
quotes a metric of the client through :class:`Figures`: its value in the unit it prints in
(seconds for times), the formatter (``format.figure``) and the decimals, decided once for the whole
report. A share gets one decimal only where a target of it would otherwise read the same as
today's figure ('from 89.6% to 90%', in the roadmap, the KPI table and the tiles alike). Cells
and tiles carry the figure's ``key``, so the rendered report shows which figure each number is
and a test can check that every occurrence of a key reads the same.

The counts of what went unanswered come in two units that must never be confused: conversations
opened with a complaint that got no reply at all (``COMPLAINT_CONVERSATIONS``), and negative
customer posts, follow-ups included, that no brand post came after (``NEGATIVE_POSTS``).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from audit.report.format import figure, percent
from audit.report.playbook.context import as_number, plural

#: metric unit (``metrics.definitions``) -> how the report prints it, and the factor to that unit
FORMATS = {"share": ("percent", 1.0), "minutes": ("duration", 60.0), "count": ("number", 1.0),
           "hours_of_week": ("number", 1.0)}

#: the two units of "unanswered", in the words every section uses
COMPLAINT_CONVERSATIONS = ("complaint conversation", "complaint conversations")
NEGATIVE_POSTS = ("negative customer post", "negative customer posts")
UNITS_NOTE = ("A complaint conversation is one a customer opened with a complaint; negative customer "
              "posts count every post in a negative tone, questions and follow-ups after the last reply included.")


def count_of(n: float, unit: tuple[str, str]) -> str:
    """'1 complaint conversation', '38 negative customer posts': a count with its unit."""
    return plural(n, unit[0], unit[1])


@dataclass(frozen=True)
class Figure:
    """One figure of the report: ``value`` in the unit ``fmt`` prints (seconds for durations)."""

    key: str
    value: float | None
    fmt: str
    digits: int = 0

    @property
    def text(self) -> str:
        return figure(self.value, self.fmt, self.digits)

    def cell(self, interval: list | None = None) -> dict:
        """A table cell or tile value that names its figure; ``interval`` in the same unit."""
        out: dict[str, Any] = {"key": self.key, "value": self.value, "fmt": self.fmt, "digits": self.digits}
        if interval is not None:
            out["interval"] = interval
        return out


def digits_apart(value: float | None, goals: Iterable[float | None], fmt: str) -> int:
    """Decimals of a share: none, or one where a different goal would print the same as today's
    figure at whole percent (89.6% against a 90% target)."""
    if fmt != "percent" or value is None:
        return 0
    clash = any(g is not None and abs(g - value) > 1e-9 and percent(g) == percent(value) for g in goals)
    return 1 if clash else 0


class Figures(Mapping[str, Figure]):
    """The client's overall metrics as :class:`Figure` objects, keyed by metric name."""

    def __init__(self, metrics: Mapping, goals: Mapping[str, Iterable[float | None]]):
        overall, definitions = metrics.get("overall") or {}, metrics.get("definitions") or {}
        self._figures: dict[str, Figure] = {}
        for key, definition in definitions.items():
            fmt, scale = FORMATS.get(str(definition.get("unit")), (None, 1.0))
            if fmt is None:
                continue
            x = as_number(overall.get(key))
            value = None if x is None else x * scale
            shown_goals = [None if as_number(g) is None else float(g) * scale for g in goals.get(key, ())]
            self._figures[key] = Figure(key, value, fmt, digits_apart(value, shown_goals, fmt))

    def __getitem__(self, key: str) -> Figure:
        return self._figures[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._figures)

    def __len__(self) -> int:
        return len(self._figures)

    def text(self, key: str) -> str:
        """The figure as every sentence of the report prints it."""
        return self[key].text

    def as_dict(self) -> dict[str, dict]:
        """For ``book["figures"]``: each figure's value, unit and the one text it prints as."""
        return {k: {"value": f.value, "fmt": f.fmt, "digits": f.digits, "text": f.text}
                for k, f in sorted(self._figures.items())}


def figure_tile(label: str, fig: Figure, note: str = "", alert: bool = False, interval: list | None = None) -> dict:
    """A headline tile of one figure (``context.tile`` with the figure's key and decimals)."""
    return {"label": label, **fig.cell(), "note": note, "alert": bool(alert), "interval": interval}
