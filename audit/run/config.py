"""What a run *is*: every parameter a consultant sets (:class:`RunConfig`), the stages with the
parameters and outputs of each (:data:`STAGES`), and the values the stage functions receive.

Why below everything that executes a run: the pipeline, the notebooks' own copies, ``audit.yaml``
and the notebooks' ``run_stage`` all read these declarations; none of them is imported here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.common.safeio import safe_child, slugify
from audit.metrics import business_hours
from audit.metrics.business_hours import DEFAULT_SPEC as DEFAULT_BUSINESS_HOURS

#: the stage notebook templates (``notebooks/`` in the checkout, package data in a wheel)
NOTEBOOK_DIR = Path(str(resources.files("audit.run.notebooks")))
#: the run folder's record of the stages that are up to date (stage name -> fingerprint)
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
          (runfolder.MESSAGES, runfolder.CONVERSATIONS, runfolder.QUARANTINE, runfolder.INGEST_SUMMARY), ("data", "mapping")),
    Stage("score", "02_sentiment.ipynb", ("model", "device", "batch_size", "quantize", "engine", "scheduler", "cache"),
          (runfolder.SCORES, runfolder.INTENTS, runfolder.SCORE_SUMMARY, runfolder.TOPIC_POSTS, runfolder.TOPIC_MODEL)),
    Stage("analysis", "03_analysis.ipynb", ("rubric", "questionnaire", "timezone", "business_hours", "holidays",
                                            "since", "until"),
          (runfolder.METRICS, runfolder.PEERS, runfolder.MATURITY, runfolder.TOPICS), ("rubric", "questionnaire", "holidays")),
    Stage("playbook", "04_playbook.ipynb", ("client", "pdf"),
          (runfolder.PLAYBOOK_JSON, runfolder.PLAYBOOK_HTML, runfolder.AUDIT_JSON, runfolder.AUDIT_XLSX), switched_outputs=(("pdf", runfolder.PLAYBOOK_PDF),)),
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
    since: str | None = None   # analysis window bounds (YYYY-MM-DD, local); None = detected (audit.conversations.window)
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
        from audit.common import checks
        from audit.grading import maturity
        from audit.reading.formats import check_file
        from audit.reading.mapping import load_mapping

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
        runfolder.check_owner(run_dir, self.client)


def parameters(config: RunConfig, run_dir: Path) -> dict[str, Any]:
    """The stage functions' keyword values: every field, input paths absolute, and ``run_dir``."""
    params = asdict(config)
    for key in ("data", "mapping", "rubric", "questionnaire", "cache", "holidays"):
        if params[key] and (key != "holidays" or Path(params[key]).is_file()):
            params[key] = str(Path(params[key]).resolve())
    params["run_dir"] = str(run_dir.resolve())
    return params
