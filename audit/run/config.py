"""What a run *is*: every parameter a consultant sets (:class:`RunConfig`, one field per parameter
declared in :mod:`audit.run.parameters`), the stages with the parameters and outputs of each
(:data:`STAGES`), and the values the stage functions receive.

Why below everything that executes a run: the pipeline, the notebooks' own copies, ``audit.yaml``
and the notebooks' ``run_stage`` all read these declarations; none of them is imported here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, make_dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.common.safeio import safe_child, slugify
from audit.run.parameters import PARAMETERS, Kind, Parameter, check, of_stage

#: the stage notebook templates (``notebooks/`` in the checkout, package data in a wheel)
NOTEBOOK_DIR = Path(str(resources.files("audit.run.notebooks")))
#: the run folder's record of the stages that are up to date (stage name -> fingerprint)
STATE = ".stages.json"


@dataclass(frozen=True)
class Stage:
    name: str
    notebook: str
    outputs: tuple[str, ...]
    #: parameters whose file's content is part of the stage's fingerprint (an edited rubric re-runs it)
    input_files: tuple[str, ...] = ()
    #: outputs written only when a parameter is on: {parameter: file}
    switched_outputs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        stray = set(self.input_files) - set(self.params)
        if stray:
            raise ValueError(f"stage {self.name}: input_files {sorted(stray)} are not parameters of the stage")

    @property
    def params(self) -> tuple[str, ...]:
        """The parameters declared with ``stage=`` this stage (:data:`audit.run.parameters.PARAMETERS`)."""
        return tuple(p.name for p in of_stage(self.name))

    def expected(self, params: dict[str, Any]) -> tuple[str, ...]:
        return self.outputs + tuple(out for param, out in self.switched_outputs if params.get(param))


STAGES = (
    Stage("ingest", "01_ingest.ipynb",
          (runfolder.MESSAGES, runfolder.CONVERSATIONS, runfolder.INGEST_QUARANTINE, runfolder.INGEST_SUMMARY), ("data", "mapping")),
    Stage("score", "02_sentiment.ipynb",
          (runfolder.SCORES, runfolder.INTENTS, runfolder.SCORE_SUMMARY, runfolder.TOPIC_POSTS, runfolder.TOPIC_MODEL)),
    Stage("analysis", "03_analysis.ipynb",
          (runfolder.METRICS, runfolder.PEERS, runfolder.MATURITY, runfolder.TOPICS), ("rubric", "questionnaire", "holidays")),
    Stage("playbook", "04_playbook.ipynb",
          (runfolder.PLAYBOOK_JSON, runfolder.PLAYBOOK_HTML, runfolder.AUDIT_JSON, runfolder.AUDIT_XLSX,
           runfolder.QUARANTINE), switched_outputs=(("pdf", runfolder.PLAYBOOK_PDF),)),
)


class _Run:
    """What a run does with its parameters; the fields are the declared parameters."""

    def run_dir(self) -> Path:
        """The folder of the run's ``audit.yaml`` when read from one (a copied folder is its own
        run, a renamed client stays in its folder), else ``<out>/<client-slug>``; the slug can
        never climb out of ``out``."""
        if self.folder is not None:
            return Path(self.folder)
        return safe_child(Path(self.out), slugify(self.client))

    def check(self) -> None:
        """Every parameter's check, then the run folder's, before any stage runs: one clear
        message (exit 2), never a stage failure after ingest and scoring."""
        check(asdict(self))
        run_dir = self.run_dir()
        if run_dir.exists() and not run_dir.is_dir():
            raise AuditInputError(f"{run_dir} is a file; the run folder of {self.client!r} must be a folder.")
        if self.folder is None:  # a run's own folder may rename its client
            runfolder.check_owner(run_dir, self.client)


def _field(p: Parameter) -> tuple[str, Any] | tuple[str, Any, Any]:
    if p.required:
        return p.name, p.type
    if p.is_list:
        return p.name, p.type, field(default_factory=lambda d=p.default: list(d))
    return p.name, p.type, field(default=p.default)


#: not a parameter: the run folder an ``audit.yaml`` was read from (None: ``<out>/<client-slug>``)
_FOLDER = ("folder", str | None, field(default=None))

RunConfig = make_dataclass("RunConfig", [*(_field(p) for p in PARAMETERS), _FOLDER], bases=(_Run,), kw_only=True, namespace={
    "__module__": __name__,
    "__doc__": "Everything a consultant can set for one client's audit: one field per declared parameter.",
})


def absolute(config: RunConfig) -> RunConfig:
    """The same run with every path absolute: what a stage, or a Dask worker in another working
    folder, is given."""
    return replace(config, **{p.name: str(Path(value).resolve()) for p in PARAMETERS
                              if (value := getattr(config, p.name))
                              and (p.kind is Kind.PATH or (p.kind is Kind.FILE_OR_NAME and Path(value).is_file()))})


def parameters(config: RunConfig, run_dir: Path) -> dict[str, Any]:
    """The stage functions' keyword values: every field, paths absolute, and ``run_dir``."""
    return asdict(absolute(config)) | {"run_dir": str(run_dir.resolve())}
