"""The interview questionnaire: what can only be asked, never seen in posts (escalation policy,
CRM, routing...).

Why: without answers those criteria are reported as not assessed, never guessed. The template's
items are the single list a rubric may cite as ``q:<item>``; an answer needs a respondent, so
every answered criterion in the grade says who said so.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from audit.common import runfolder
from audit.grading.user_files import RUBRIC_DIR, invalid_file_error

ANSWERS = {"no": 0.0, "partial": 0.5, "yes": 1.0}
Q_PREFIX = "q:"
QUESTIONNAIRE_TEMPLATE = RUBRIC_DIR / "questionnaire_template.yaml"


@lru_cache(maxsize=1)
def questionnaire_items() -> dict[str, str]:
    """Item id -> question, from the template (the single list rubrics may cite as ``q:<id>``)."""
    items = yaml.safe_load(QUESTIONNAIRE_TEMPLATE.read_text(encoding="utf-8"))["items"]
    return {key: " ".join(str(item["question"]).split()) for key, item in items.items()}


def normalise_answer(value: object) -> object:
    """YAML 1.1 reads an unquoted yes/no as a boolean: accept both spellings."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str):
        value = value.strip().lower()
        return value or None
    return value


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = ""
    ask: str = ""
    answer: Literal["yes", "no", "partial"] | None = None
    note: str = ""
    respondent: str = ""

    @field_validator("answer", mode="before")
    @classmethod
    def _normalise(cls, v: object) -> object:
        return normalise_answer(v)

    @field_validator("question", "ask", "note", "respondent", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return "" if v is None else v

    @model_validator(mode="after")
    def _cited(self) -> Answer:
        if self.answer is not None and not self.respondent.strip():
            raise ValueError("answered without a respondent: write who gave the answer (name, role)")
        return self


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: str = ""
    completed_on: str = ""
    interviewer: str = ""
    items: dict[str, Answer] = Field(default_factory=dict)
    _path: str | None = PrivateAttr(default=None)

    @property
    def path(self) -> str | None:
        """The file it was loaded from (None when given as data)."""
        return self._path

    @field_validator("client", "completed_on", "interviewer", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return "" if v is None else v.isoformat() if isinstance(v, date) else v

    @field_validator("items", mode="before")
    @classmethod
    def _known(cls, v: object) -> object:
        if isinstance(v, Mapping):
            unknown = sorted(set(map(str, v)) - set(questionnaire_items()))
            if unknown:
                raise ValueError(f"unknown item(s) {', '.join(unknown)}; valid items: "
                                 f"{', '.join(questionnaire_items())}")
        return v


def load_questionnaire(source: str | Path | Mapping) -> Questionnaire:
    """Load a filled questionnaire (same shape as the template); problems in one AuditInputError."""
    path = None if isinstance(source, Mapping) else Path(source)
    data = source if path is None else runfolder.read_yaml(path, "questionnaire")
    try:
        q = Questionnaire.model_validate(data)
    except ValidationError as exc:
        raise invalid_file_error("Questionnaire", path or "(given as data)", exc,
                                 f"Answers are yes, no or partial; every answer needs a respondent. Start from {QUESTIONNAIRE_TEMPLATE}."
                                 ) from None
    q._path = None if path is None else str(path)
    return q
