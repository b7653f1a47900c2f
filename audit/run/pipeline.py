"""Run an audit: the four stage notebooks, in order, through papermill, into one run folder.

A stage whose inputs and parameters have not changed since its last success is skipped, so a
re-run after a failure (or after editing the rubric) resumes where it stopped. Wall-clock
timings go to ``run_log.json``, never into ``audit.json``.
"""
from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import audit
from audit.common import runfolder
from audit.common.errors import AuditInputError, StageFailed
from audit.common.runlock import lock_held_for_kernels, run_lock
from audit.common.safeio import recover_publish, remove_stale_temps
from audit.report.render import TEMPLATES
from audit.run import runfile
from audit.run.config import NOTEBOOK_DIR, STAGES, STATE, RunConfig, Stage, parameters
from audit.run.notebook_copies import RUN_DIR_FROM_NOTEBOOK, prepared, remember
from audit.run.stages import MODEL_LICENCE

NBCONVERT_TEMPLATES = TEMPLATES / "nbconvert"
KERNEL = "python3"


def _fingerprint(stage: Stage, params: dict[str, Any], upstream: str, config: RunConfig) -> str:
    content = {
        "version": audit.__version__,
        "params": {k: params[k] for k in stage.params},
        "files": {k: runfolder.file_sha256(getattr(config, k)) if getattr(config, k) and Path(getattr(config, k)).is_file()
                  else None for k in stage.input_files},
        "upstream": upstream,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def execute_stage(stage: Stage, params: dict[str, Any], run_dir: Path) -> Path:
    """Execute one notebook with papermill; turn a failing cell into one clear message."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = NOTEBOOK_DIR / stage.notebook
    if not source.exists():
        raise AuditInputError(f"Notebook {source} is missing: run from a checkout installed with `pip install -e .`.")
    target = run_dir / runfolder.NOTEBOOKS / stage.notebook
    target.parent.mkdir(parents=True, exist_ok=True)
    # the run's values go into the parameters cell itself (no injected cell overriding it);
    # written first and executed in place, so the notebook's metadata names a path, not a copy
    values = {k: params[k] for k in stage.params}
    nbformat.write(prepared(source, {"run_dir": RUN_DIR_FROM_NOTEBOOK, **values}), target)
    remember(run_dir, values)
    try:
        papermill.execute_notebook(str(target), str(target), kernel_name=KERNEL, progress_bar=False,
                                   request_save_on_cell_execute=False, cwd=str(target.parent))
    except PapermillExecutionError as exc:
        if exc.ename in ("AuditInputError", "audit.common.errors.AuditInputError"):
            raise AuditInputError(exc.evalue) from None
        raise StageFailed(
            f"Stage '{stage.name}' failed in notebook {stage.notebook}, cell {exc.cell_index} "
            f"({exc.ename}: {exc.evalue}). The executed notebook with the full traceback is {target}."
        ) from None
    return target


def export_analysis_html(notebook: Path) -> Path:
    """A no-input HTML export of the analysis notebook that works offline (the classic template
    needs no CDN). Customer text is safe in it because every output cell is an escaped pandas
    table, an SVG we draw, or escaped Markdown (nbconvert's sanitiser would mangle the tables)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_template_basedirs=[str(NBCONVERT_TEMPLATES)], template_name="offline",
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target = notebook.with_suffix(".html")
    from audit.common.safeio import atomic_write_text

    atomic_write_text(target, body)
    return target


def run(config: RunConfig, log=print) -> dict[str, Any]:
    """Run (or resume) every stage for one client, holding the run folder's lock; returns the
    run summary."""
    config.check()
    if config.scheduler:  # (with --engine dask) an unreachable scheduler is said before ingest, not after it
        from audit.common.cluster import connect

        connect(config.scheduler).close()
    run_dir = config.run_dir()
    run_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(run_dir), lock_held_for_kernels(run_dir):
        return _run(config, run_dir, log)


def _run(config: RunConfig, run_dir: Path, log) -> dict[str, Any]:
    runfolder.claim(run_dir, config.client)
    recover_publish(run_dir)
    remove_stale_temps(run_dir)  # debris of a killed run's atomic writes
    runfile.write(config, run_dir)
    params = parameters(config, run_dir)
    state_path = run_dir / STATE
    state = {} if config.fresh or not state_path.exists() else runfolder.read_json(state_path)
    timings: dict[str, Any] = {}
    upstream = ""
    started = time.time()
    for stage in STAGES:
        fingerprint = _fingerprint(stage, params, upstream, config)
        upstream = fingerprint
        outputs_present = all((run_dir / o).exists() for o in stage.expected(params))
        if state.get(stage.name) == fingerprint and outputs_present:
            timings[stage.name] = {"status": "reused"}
            log(f"[{config.client}] {stage.name}: up to date, reused")
            continue
        state.pop(stage.name, None)
        runfolder.write_json(state, state_path)
        t0 = time.time()
        log(f"[{config.client}] {stage.name}: running {stage.notebook} ...")
        try:
            executed = execute_stage(stage, params, run_dir)
        except (AuditInputError, StageFailed):
            timings[stage.name] = {"status": "failed", "seconds": round(time.time() - t0, 2)}
            _write_log(run_dir, config, timings, started)
            raise
        if stage.name == "analysis":
            export_analysis_html(executed)
        timings[stage.name] = {"status": "ran", "seconds": round(time.time() - t0, 2)}
        state[stage.name] = fingerprint
        runfolder.write_json(state, state_path)
    _write_log(run_dir, config, timings, started)
    audit_json = runfolder.read_json(run_dir / runfolder.AUDIT_JSON)
    accounting = audit_json["accounting"]
    scoring = runfolder.read_json(run_dir / runfolder.SCORE_SUMMARY)
    return {
        "client": config.client,
        "run_dir": str(run_dir),
        "level": audit_json["maturity"]["level"],
        "input_rows": accounting["input_rows"],
        "accepted": accounting["accepted"],
        "quarantined": accounting["quarantined"],
        "cache_hit_rate": scoring["cache"]["hit_rate"],
        "encoding_note": accounting.get("encoding_note"),
        "data_name": Path(config.data).name,
        "stages": timings,
    }


def _write_log(run_dir: Path, config: RunConfig, timings: dict, started: float) -> None:
    from importlib.metadata import version

    scoring = run_dir / runfolder.SCORE_SUMMARY
    model = runfolder.read_json(scoring).get("model") if scoring.exists() else None
    runfolder.write_json({
        "config": asdict(config),
        "model": {"name": model, "licence": MODEL_LICENCE if model == "default" else "as supplied"},
        "stages": timings,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 2),
        "versions": {"social-audit": audit.__version__, "python": platform.python_version(),
                     **{name: version(name) for name in ("pandas", "torch", "transformers", "papermill")}},
    }, run_dir / runfolder.RUN_LOG)
