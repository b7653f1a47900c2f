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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import audit
from audit import business_hours, files, runfile
from audit.business_hours import DEFAULT_SPEC as DEFAULT_BUSINESS_HOURS
from audit.errors import AuditInputError, StageFailed
from audit.safeio import recover_publish, remove_stale_temps, safe_child, slugify

NOTEBOOK_DIR = Path(audit.__file__).resolve().parent.parent / "notebooks"
NBCONVERT_TEMPLATES = Path(audit.__file__).resolve().parent.parent / "playbook_templates" / "nbconvert"
KERNEL = "python3"
STATE = ".stages.json"


@dataclass(frozen=True)
class Stage:
    name: str
    notebook: str
    params: tuple[str, ...]
    outputs: tuple[str, ...]
    input_files: tuple[str, ...] = ()
    #: outputs written only when a parameter is on: {parameter: file}
    switched_outputs: tuple[tuple[str, str], ...] = ()

    def expected(self, params: dict[str, Any]) -> tuple[str, ...]:
        return self.outputs + tuple(out for param, out in self.switched_outputs if params.get(param))


STAGES = (
    Stage("ingest", "01_ingest.ipynb", ("data", "mapping", "brands", "redact"),
          (files.MESSAGES, files.CONVERSATIONS, files.QUARANTINE, files.INGEST_SUMMARY), ("data", "mapping")),
    Stage("score", "02_sentiment.ipynb", ("model", "device", "batch_size", "quantize", "engine", "scheduler", "cache"),
          (files.SCORES, files.INTENTS, files.SCORE_SUMMARY, files.TOPIC_POSTS, files.TOPIC_MODEL)),
    Stage("analysis", "03_analysis.ipynb", ("rubric", "questionnaire", "timezone", "business_hours", "holidays",
                                            "since", "until"),
          (files.METRICS, files.PEERS, files.MATURITY, files.TOPICS), ("rubric", "questionnaire", "holidays")),
    Stage("playbook", "04_playbook.ipynb", ("client", "pdf"),
          (files.PLAYBOOK_JSON, files.PLAYBOOK_HTML, files.AUDIT_JSON, files.AUDIT_XLSX), switched_outputs=(("pdf", files.PLAYBOOK_PDF),)),
)


@dataclass
class RunConfig:
    """Everything a consultant can set for one client's audit (the CLI's flags)."""

    data: str
    client: str
    brands: list[str] = field(default_factory=list)
    mapping: str | None = None
    out: str = "outputs"
    model: str | None = None
    device: str = "auto"
    batch_size: int = 64
    quantize: bool = False
    engine: str = "local"
    scheduler: str | None = None
    cache: str | None = None
    rubric: str | None = None
    questionnaire: str | None = None
    timezone: str = "UTC"
    business_hours: str | None = DEFAULT_BUSINESS_HOURS  # None: the default hours
    holidays: str | None = None  # a country/region code (US, GB-SCT) or a file of dates
    since: str | None = None   # analysis window bounds (YYYY-MM-DD, local); None = detected (audit.window)
    until: str | None = None
    redact: bool = False
    pdf: bool = True
    fresh: bool = False

    def run_dir(self) -> Path:
        """``<out>/<client-slug>``; the slug can never climb out of ``out``."""
        return safe_child(Path(self.out), slugify(self.client))

    def check(self) -> None:
        """Every parameter before any stage runs: one clear message (exit 2), never a stage
        failure after ingest and scoring."""
        from audit import checks, maturity
        from audit.ingest import check_file
        from audit.mapping import load_mapping

        for name in ("data", "rubric", "questionnaire"):
            checks.input_file(name, getattr(self, name))
        check_file(self.data)
        if self.mapping:
            load_mapping(self.mapping)
        maturity.load_rubric(self.rubric)
        if self.questionnaire:
            maturity.load_questionnaire(self.questionnaire)
        checks.timezone(self.timezone)
        business_hours.parse(self.business_hours, self.holidays, self.timezone)
        checks.scoring(self.model, self.device, self.batch_size, self.engine, self.quantize)
        checks.writable_folder("out", self.out)
        run_dir = self.run_dir()
        if run_dir.exists() and not run_dir.is_dir():
            raise AuditInputError(f"{run_dir} is a file; the run folder of {self.client!r} must be a folder.")
        files.check_owner(run_dir, self.client)


def _fingerprint(stage: Stage, params: dict[str, Any], upstream: str, config: RunConfig) -> str:
    content = {
        "version": audit.__version__,
        "params": {k: params[k] for k in stage.params},
        "files": {k: files.file_sha256(getattr(config, k)) if getattr(config, k) and Path(getattr(config, k)).is_file()
                  else None for k in stage.input_files},
        "upstream": upstream,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _parameters(config: RunConfig, run_dir: Path) -> dict[str, Any]:
    params = asdict(config)
    for key in ("data", "mapping", "rubric", "questionnaire", "cache", "holidays"):
        if params[key] and (key != "holidays" or Path(params[key]).is_file()):
            params[key] = str(Path(params[key]).resolve())
    params["run_dir"] = str(run_dir.resolve())
    return params


def execute_stage(stage: Stage, params: dict[str, Any], run_dir: Path) -> Path:
    """Execute one notebook with papermill; turn a failing cell into one clear message."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from audit.run_notebooks import RUN_DIR_FROM_NOTEBOOK, prepared

    source = NOTEBOOK_DIR / stage.notebook
    if not source.exists():
        raise AuditInputError(f"Notebook {source} is missing: run from a checkout installed with `pip install -e .`.")
    target = run_dir / files.NOTEBOOKS / stage.notebook
    target.parent.mkdir(parents=True, exist_ok=True)
    # the run's values go into the parameters cell itself (no injected cell overriding it);
    # written first and executed in place, so the notebook's metadata names a path, not a copy
    nbformat.write(prepared(source, {"run_dir": RUN_DIR_FROM_NOTEBOOK, **{k: params[k] for k in stage.params}}), target)
    try:
        papermill.execute_notebook(str(target), str(target), kernel_name=KERNEL, progress_bar=False,
                                   request_save_on_cell_execute=False, cwd=str(target.parent))
    except PapermillExecutionError as exc:
        if exc.ename in ("AuditInputError", "audit.errors.AuditInputError"):
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
    from audit.safeio import atomic_write_text

    atomic_write_text(target, body)
    return target


def run(config: RunConfig, log=print) -> dict[str, Any]:
    """Run (or resume) every stage for one client; returns the run summary."""
    config.check()
    run_dir = config.run_dir()
    run_dir.mkdir(parents=True, exist_ok=True)
    files.claim(run_dir, config.client)
    recover_publish(run_dir)
    remove_stale_temps(run_dir)  # debris of a killed run's atomic writes
    runfile.write(config, run_dir)
    params = _parameters(config, run_dir)
    state_path = run_dir / STATE
    state = {} if config.fresh or not state_path.exists() else files.read_json(state_path)
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
        files.write_json(state, state_path)
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
        files.write_json(state, state_path)
    _write_log(run_dir, config, timings, started)
    audit_json = files.read_json(run_dir / files.AUDIT_JSON)
    accounting = audit_json["accounting"]
    scoring = files.read_json(run_dir / files.SCORE_SUMMARY)
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

    files.write_json({
        "config": asdict(config),
        "stages": timings,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 2),
        "versions": {"social-audit": audit.__version__, "python": platform.python_version(),
                     **{name: version(name) for name in ("pandas", "torch", "transformers", "papermill")}},
    }, run_dir / files.RUN_LOG)
