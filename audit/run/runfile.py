"""``audit.yaml``: a run's full configuration, kept in its run folder.

Why: the run folder must say, by itself, how it was made, so ``social-audit run --config
<run>/audit.yaml`` repeats it and the notebooks default to it instead of their own literals.
The file is generated from the declared parameters (:mod:`audit.run.parameters`: every one but
the one-off switches such as ``fresh``; paths by their kind), so a parameter declared there is
written, read and validated here without further code.
"""
from __future__ import annotations

import difflib
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from audit.common import runfolder
from audit.common.decoding import read_user_file
from audit.common.errors import AuditInputError
from audit.common.safeio import atomic_write_text
from audit.run.config import RunConfig
from audit.run.parameters import BY_NAME, PARAMETERS, Kind, read_settings

#: what a run *is*: every parameter but the one-off switches of a single command, and ``out``:
#: the folder the file is in is the run (a copied folder is its own run)
RECORDED = tuple(p.name for p in PARAMETERS if p.kind is not Kind.ONE_OFF and p.name != "out")
#: settings older audit.yaml files hold that are now read from where the file is
IGNORED = ("out",)


def _is_path(key: str, value: Any, base: Path) -> bool:
    """A path parameter's value, or a file-or-name one naming a file in ``base``."""
    if not isinstance(value, str) or not value or key not in BY_NAME:
        return False
    kind = BY_NAME[key].kind
    return kind is Kind.PATH or (kind is Kind.FILE_OR_NAME and (base / value).is_file())


def recorded(config) -> dict[str, Any]:
    """The config as written to ``audit.yaml``: paths absolute, one-off switches left out."""
    values = {k: v for k, v in asdict(config).items() if k in RECORDED}
    for key, value in values.items():
        if _is_path(key, value, Path.cwd()):
            values[key] = str(Path(value).resolve())
    return values


def write(config, run_dir: Path) -> Path:
    """Write ``<run_dir>/audit.yaml`` (atomically)."""
    path = Path(run_dir) / runfolder.CONFIG
    header = (f"# social-audit run configuration of {config.client!r}, written by `social-audit run`.\n"
              f"# Repeat the run: social-audit run --config {path}\n"
              "# Values an analyst changes in a notebook are written here (see notebook_overrides.json).\n")
    atomic_write_text(path, header + yaml.safe_dump(recorded(config), sort_keys=False, allow_unicode=True))
    return path


def load(path: str | Path):
    """Read and validate an ``audit.yaml``; one clear message for any problem."""
    path = Path(path)
    if path.is_dir():
        path = path / runfolder.CONFIG
    if not path.is_file():
        raise AuditInputError(f"{path}: no such run configuration. A run folder made by `social-audit run` holds one "
                              f"({runfolder.CONFIG}); re-run the audit once with the CLI to create it.")
    try:
        raw = read_settings(read_user_file(path))
    except yaml.YAMLError as exc:
        raise AuditInputError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise AuditInputError(f"{path} must be a mapping of setting: value (see `social-audit run --help`).")
    for key in IGNORED:
        raw.pop(key, None)
    known = list(RECORDED)
    unknown = [k for k in raw if k not in known]
    if unknown:
        hints = [f"'{k}'" + (f" (did you mean '{m[0]}'?)" if (m := difflib.get_close_matches(str(k), known, 1)) else "")
                 for k in unknown]
        raise AuditInputError(f"{path}: unknown setting(s) {', '.join(hints)}. Valid settings: {', '.join(known)}.")
    for key, value in raw.items():
        if _is_path(key, value, path.parent):
            raw[key] = str((path.parent / value).resolve())
    try:
        config = TypeAdapter(RunConfig).validate_python(
            {**raw, "out": str(path.parent.resolve().parent), "folder": str(path.parent.resolve())})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors())
        raise AuditInputError(f"{path} is not a valid run configuration: {problems}.") from None
    return config
