"""The maturity rubric: thresholds per level for each criterion, kept as YAML in ``rubrics/``,
loaded and validated here.

Why a YAML rubric validated by pydantic: thresholds are a consultant's judgement and get tuned per
sector, so they live outside the code, but a typo in a metric name or a share of 60 instead of 0.6
would silently change a client's grade. Loading therefore fails loudly, once, listing every
problem and the valid names.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from audit.common import runfolder
from audit.grading.levels import GRADED_LEVELS, Level
from audit.grading.questionnaire import ANSWERS, Q_PREFIX, normalise_answer, questionnaire_items
from audit.grading.user_files import RUBRIC_DIR, invalid_file_error
from audit.metrics.metric import UNITS
from audit.metrics.registry import METRICS, metric_names

DEFAULT_RUBRIC = RUBRIC_DIR / "default.yaml"

Direction = Literal["at_least", "at_most"]


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: bool | float | str
    required: bool = False
    source: str = Field(min_length=1)


class MinEvidence(BaseModel):
    """The least evidence (conversations, posts, replies or judged hours: the metric's ``n``)
    below which a criterion is ``uncertain`` whatever its value, and why."""

    model_config = ConfigDict(extra="forbid")
    n: int = Field(ge=1)
    reason: str = Field(min_length=1)


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric: str
    title: str | None = None
    direction: Direction | None = None
    floor: float | None = None
    weight: float = Field(1.0, gt=0)
    min_evidence: MinEvidence | None = None
    thresholds: dict[Level, Threshold] = Field(min_length=1)

    @property
    def is_question(self) -> bool:
        return self.metric.startswith(Q_PREFIX)

    @property
    def unit(self) -> str:
        return "answer" if self.is_question else METRICS[self.metric].unit

    def numeric(self, raw: object) -> float:
        return ANSWERS[str(normalise_answer(raw))] if self.is_question else float(raw)  # type: ignore[arg-type]

    def ordered(self) -> list[tuple[str, Threshold]]:
        return [(level, self.thresholds[level]) for level in GRADED_LEVELS if level in self.thresholds]

    @field_validator("metric")
    @classmethod
    def _known(cls, v: str) -> str:
        if v.startswith(Q_PREFIX):
            if v[len(Q_PREFIX):] not in questionnaire_items():
                raise ValueError(f"unknown questionnaire item {v!r}")
        elif v not in METRICS:
            raise ValueError(f"unknown metric {v!r}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Criterion:
        problems = self._direction_problems() + self._value_problems()
        if self.is_question and self.min_evidence is not None:
            problems.append("min_evidence applies to metrics only; a questionnaire answer is one answer")
        if not problems:
            problems = self._order_problems() + self._floor_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _direction_problems(self) -> list[str]:
        higher = True if self.is_question else METRICS[self.metric].higher_is_better
        if higher is None:
            return [] if self.direction else [
                f"metric {self.metric!r} has no better direction: set direction to at_least or at_most"]
        natural = "at_least" if higher else "at_most"
        if self.direction is None:
            self.direction = natural
            return []
        if self.direction != natural:
            return [f"direction {self.direction} contradicts metric {self.metric!r} "
                    f"({'higher' if higher else 'lower'} is better): use {natural}"]
        return []

    def _value_problems(self) -> list[str]:
        problems = []
        for level, t in self.ordered():
            if self.is_question:
                if normalise_answer(t.value) not in ANSWERS:
                    problems.append(f"{level} threshold {t.value!r} must be one of yes, partial, no")
                continue
            lo, hi = UNITS[self.unit]
            if isinstance(t.value, (bool, str)) or not math.isfinite(t.value):
                problems.append(f"{level} threshold {t.value!r} must be a number")
            elif not lo <= t.value <= hi:
                problems.append(f"{level} threshold {t.value:g} is out of range for unit {self.unit!r} "
                                f"({_range_text(lo, hi)})")
        return problems

    def _order_problems(self) -> list[str]:
        sign = 1 if self.direction == "at_least" else -1
        problems = []
        pairs = self.ordered()
        for (low, a), (high, b) in zip(pairs, pairs[1:]):
            if sign * self.numeric(b.value) < sign * self.numeric(a.value):
                problems.append(f"{high} threshold {b.value} is looser than {low} threshold {a.value}; "
                                f"higher levels must be at least as strict")
        return problems

    def _floor_problems(self) -> list[str]:
        lo, hi = (0.0, 1.0) if self.is_question else UNITS[self.unit]
        if self.floor is None:
            default = lo if self.direction == "at_least" else hi
            if not math.isfinite(default):
                return [f"set floor (the {self.unit} value that scores 0) for an at_most criterion"]
            self.floor = default
        first = self.numeric(self.ordered()[0][1].value)
        if not lo <= self.floor <= hi:
            return [f"floor {self.floor:g} is out of range for unit {self.unit!r} ({_range_text(lo, hi)})"]
        worse = self.floor < first if self.direction == "at_least" else self.floor > first
        return [] if worse else [f"floor {self.floor:g} must be worse than the first threshold {first:g}"]


def _range_text(lo: float, hi: float) -> str:
    return f"between {lo:g} and {hi:g}" if math.isfinite(hi) else f"at least {lo:g}"


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    weight: float = Field(gt=0)
    description: str = ""
    criteria: dict[str, Criterion] = Field(min_length=1)


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    name: str = "custom"
    description: str = ""
    sources: dict[str, str] = Field(default_factory=dict)
    evidence: dict[str, MinEvidence] = Field(default_factory=dict)  # named minimums, cited by YAML anchor
    dimensions: dict[str, Dimension] = Field(min_length=1)
    _path: str | None = PrivateAttr(default=None)

    @property
    def path(self) -> str | None:
        """The file it was loaded from."""
        return self._path


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and validate a rubric; every problem is reported in one :class:`AuditInputError`."""
    path = Path(path) if path is not None else DEFAULT_RUBRIC
    data = runfolder.read_yaml(path, "rubric")
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise invalid_file_error("Rubric", path, exc,
                                 f"Valid metric names: {', '.join(metric_names())}."
                                 f"\nValid questionnaire items: {', '.join(Q_PREFIX + q for q in questionnaire_items())}."
                                 "\nShares are fractions between 0 and 1 (0.6, not 60); times are minutes. Fix the file and run again."
                                 ) from None
    rubric._path = str(path)
    return rubric
