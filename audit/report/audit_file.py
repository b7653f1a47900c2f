"""The parts of a finished run's ``audit.json`` that ``compare`` reads, checked before it reads them.

Why: an audit.json edited by hand or cut short (``[]``, ``{}``, a missing key, a number saved as
text) must cost one sentence naming the file and the key, never a traceback from deep inside
the comparison. Only what ``compare`` uses is declared; everything else may vary.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr, ValidationError

from audit.common.errors import AuditInputError

#: the audit.json versions this code reads (the major version of ``schema_version``)
SCHEMA_MAJOR = "1"
Number = StrictInt | StrictFloat


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Period(_Part):
    start: StrictStr | None = None
    end: StrictStr | None = None


class _Scope(_Part):
    client_handles: list[StrictStr]
    period: _Period
    tz: StrictStr | None = None


class _Metrics(_Part):
    scope: _Scope
    definitions: dict[str, dict[str, Any]]


class _Dimension(_Part):
    score: Number | None = None
    criteria: dict[str, dict[str, Any]]


class _Maturity(_Part):
    level: StrictStr
    level_index: StrictInt | None = None
    score: Number | None = None
    rubric: dict[str, Any]
    dimensions: dict[str, _Dimension]


class _Roadmap(_Part):
    phases: list[dict[str, Any]]


class _Playbook(_Part):
    meta: dict[str, Any]
    roadmap: _Roadmap


class AuditFile(_Part):
    schema_version: StrictStr
    client: StrictStr
    metrics: _Metrics
    maturity: _Maturity
    playbook: _Playbook


def validate(data: Any, path: Path) -> dict:
    """``data`` if it is an audit.json this version reads; else one sentence naming the key."""
    if not isinstance(data, dict):
        raise AuditInputError(f"{path} holds a {type(data).__name__}, not an audit; re-run that audit.")
    version = data.get("schema_version")
    if isinstance(version, str) and version.split(".")[0] != SCHEMA_MAJOR:
        raise AuditInputError(f"{path} is schema version {version}; this version reads {SCHEMA_MAJOR}.x: "
                              "re-run that audit with this version.")
    try:
        AuditFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "the file"
        raise AuditInputError(f"{path} is not a complete audit ({where}: {first['msg'].lower()}); "
                              "re-run that audit rather than editing its audit.json.") from None
    return data
