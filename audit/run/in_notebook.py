"""What a stage notebook calls: run one stage on a run folder with the run's own configuration.

Why: a notebook must never grade a client with other inputs than its run (``audit.yaml``), and
the CLI must never reuse a stage a notebook has changed. So a notebook parameter left at
``None`` takes the run's value; one set to something else is an override, written into the
run's ``audit.yaml`` (and logged in ``notebook_overrides.json``); and the stage and every stage
after it lose their "up to date" record, so the next ``social-audit run`` re-runs them.

Importing this module in a kernel also shows library errors (:class:`AuditInputError`) as one
sentence without a traceback and turns off progress bars that need widgets.
"""
from __future__ import annotations

import os
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.common.runlock import stage_lock
from audit.run import runfile, stages
from audit.run.config import NOTEBOOK_DIR, STAGES, STATE, parameters
from audit.run.notebook_copies import remember, written_values
from audit.run.parameters import BY_NAME, Kind

OVERRIDES = "notebook_overrides.json"
#: each stage's function: it takes the stage's declared parameters as keywords
FUNCTIONS = {"ingest": stages.ingest, "score": stages.score, "analysis": stages.analyse, "playbook": stages.playbook}


def repo_root() -> Path:
    return NOTEBOOK_DIR.parent


def resolve(path: str | Path, what: str = "run_dir") -> Path:
    """A path as typed in a notebook: absolute, or relative to the notebook (the kernel's working
    folder) or to the repository root, whichever exists."""
    p = Path(path).expanduser()
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, repo_root() / p]
    for candidate in candidates:
        if candidate.exists():
            return candidate.resolve()
    raise AuditInputError(f"{what} = {str(path)!r} not found, neither relative to this notebook ({Path.cwd()}) "
                          f"nor to the repository root ({repo_root()}).")


def _stage(name: str):
    for i, stage in enumerate(STAGES):
        if stage.name == name:
            return stage, STAGES[i:]
    raise AuditInputError(f"unknown stage {name!r}: one of {', '.join(s.name for s in STAGES)}.")


def _notebook_value(key: str, value: Any) -> Any:
    """``""`` clears an optional setting; a relative path resolves like ``run_dir`` (by the
    parameter's declared kind: a file-or-name one only when such a file exists), one the run
    creates (the cache) against the notebook's folder."""
    if value == "":
        return None
    kind = BY_NAME[key].kind
    if kind is Kind.PATH and BY_NAME[key].created and isinstance(value, (str, Path)):
        return str((Path.cwd() / Path(value).expanduser()).resolve())  # made by the run: need not exist yet
    if kind is Kind.PATH and isinstance(value, (str, Path)):
        return str(resolve(value, key))
    if kind is Kind.FILE_OR_NAME and isinstance(value, (str, Path)):
        try:
            return str(resolve(value, key))
        except AuditInputError:
            return value
    return value


def configuration(run_dir: str | Path, stage_name: str, **values: Any):
    """The run folder and the run's configuration with this notebook's overrides applied.
    Returns ``(run_dir, config, overrides)``; nothing is written."""
    directory = resolve(run_dir)
    config = runfile.load(directory)
    stage, _ = _stage(stage_name)
    unknown = sorted(set(values) - set(stage.params))
    if unknown:
        raise AuditInputError(f"{', '.join(unknown)}: not a parameter of the {stage_name} stage "
                              f"(its parameters: {', '.join(stage.params)}).")
    recorded = runfile.recorded(config)
    written = written_values(directory)
    overrides = {}
    for key, value in values.items():
        if value is None:
            continue
        value = _notebook_value(key, value)
        now = recorded.get(key)
        if key in written and written[key] != now and value == written[key]:
            raise AuditInputError(
                f"{key}: this notebook still holds {value!r}, but the run's {runfolder.CONFIG} has said {now!r} "
                "since the notebook was written; reload the notebook from disk, or type the value you want.")
        if value != now:
            overrides[key] = value
    return directory, replace(config, **overrides), overrides


def _record(directory: Path, stage, config, overrides: dict[str, Any], previous: dict[str, Any]) -> None:
    runfile.write(config, directory)
    runfolder.claim(directory, config.client)  # a renamed client is renamed within its folder
    log_path = directory / OVERRIDES
    log = runfolder.read_json(log_path) if log_path.exists() else []
    log += [{"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "notebook": stage.notebook, "setting": key,
             "was": previous.get(key), "now": value} for key, value in overrides.items()]
    runfolder.write_json(log, log_path)


def _invalidate(directory: Path, stale) -> None:
    """Drop the "up to date" record of this stage and every later one."""
    path = directory / STATE
    if path.exists():
        state = runfolder.read_json(path)
        runfolder.write_json({k: v for k, v in state.items() if k not in {s.name for s in stale}}, path)


def run_stage(run_dir: str | Path, stage_name: str, **values: Any) -> dict[str, Any]:
    """Run one stage for the run in ``run_dir``: the run's configuration, this notebook's overrides
    recorded, the CLI's stage records of this stage and later ones dropped."""
    directory, config, overrides = configuration(run_dir, stage_name, **values)
    with stage_lock(directory):
        return _run_stage(directory, stage_name, config, overrides)


def _run_stage(directory: Path, stage_name: str, config, overrides: dict[str, Any]) -> dict[str, Any]:
    stage, stale = _stage(stage_name)
    config.check()
    previous = runfile.recorded(runfile.load(directory))
    _invalidate(directory, stale)  # before: even a failing run may have replaced some outputs
    params = parameters(config, directory)
    result = FUNCTIONS[stage_name](directory, **{k: params[k] for k in stage.params})
    if overrides:  # after: a value the stage refused is not recorded
        _record(directory, stage, config, overrides, previous)
        remember(directory, overrides)
    _mark_stale(directory, stage, stale)
    return result


def _mark_stale(directory: Path, stage, stale) -> None:
    """What a stage run from a notebook leaves behind, said in ``run_log.json`` (the CLI's record
    of the run, rewritten by its next run): the later stages' outputs, the log itself, and the
    no-input HTML export of a re-run notebook, removed (it showed the earlier results)."""
    for s in stale:
        (directory / runfolder.NOTEBOOKS / Path(s.notebook).with_suffix(".html")).unlink(missing_ok=True)
    log_path = directory / runfolder.RUN_LOG
    if not log_path.is_file():
        return
    later = [name for s in stale if s is not stage for name in s.outputs if (directory / name).exists()]
    log = runfolder.read_json(log_path)
    log["stale"] = {
        "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "because": f"{stage.notebook} was run in a notebook",
        "outdated": [runfolder.RUN_LOG, *later],
        "refresh": f"social-audit run --config {runfolder.CONFIG} (in this folder)",
    }
    runfolder.write_json(log, log_path)


def _show_error_briefly(shell, etype, value, tb, tb_offset=None) -> None:
    """An :class:`AuditInputError` says what is wrong and how to fix it: show that sentence, not
    a traceback. The cell still fails (papermill and "Run all" stop there)."""
    shell._showtraceback(etype, value, [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"])


def _setup_kernel() -> None:
    # no widget progress bars in notebooks: tqdm.auto warns "IProgress not found" without ipywidgets
    os.environ.setdefault("TQDM_DISABLE", "1")
    warnings.filterwarnings("ignore", message="IProgress not found")
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((AuditInputError,), _show_error_briefly)
        import pandas as pd

        pd.set_option("display.max_colwidth", 280)  # example posts shown whole (they are short)


_setup_kernel()
