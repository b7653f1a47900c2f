"""Every parameter of a run, declared once (:data:`PARAMETERS`).

Why one declaration: each parameter used to be restated about ten times (the CLI flags, the batch
file's keys, the batch pre-check, ``audit.yaml``'s path lists, the notebooks' path handling, the
up-front checks) and the copies drifted: a batch checked every client but forgot ``since`` and
``until``, and a bad ``--since`` failed only after ingest and scoring. Everything else derives
from here: :class:`audit.run.config.RunConfig` and each stage's parameters, the ``run``, ``batch``
and ``sentiment`` flags, the batch file's keys, ``audit.yaml``, and ``RunConfig.check``. A new
parameter is one :class:`Parameter` line, plus its check if it has one.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass
from enum import Enum
from typing import Any, get_origin

import yaml

from audit.common import checks
from audit.metrics.business_hours import DEFAULT_SPEC as DEFAULT_BUSINESS_HOURS

#: the default of a parameter without one: a run cannot start without it
REQUIRED = MISSING
#: a check gets every parameter's value (a check may need another one: the time zone of a date)
Check = Callable[[Mapping[str, Any]], None]


class Kind(Enum):
    """How a value is read where it is written down: ``audit.yaml``, a batch file, a notebook."""

    PATH = "path"  # a file or folder: absolute in audit.yaml, a relative one read against its file or notebook
    FILE_OR_NAME = "file or name"  # a path where such a file exists, else a name (holidays: US-CA or a file)
    PLAIN = "plain"
    ONE_OFF = "one-off switch"  # of a single command, not part of what a run is: never recorded


class Batch(Enum):
    """Where ``social-audit batch`` takes a parameter from."""

    COMMAND = "a flag of the batch command, the same for every client"
    CLIENT = "a client's key, else the batch command's flag"
    FILE = "a client's key, else the clients file's top-level key"
    OWN = "a client's key only"
    #: where the batch runs, not what a client's run is: never passed on to a client
    WHOLE = "the batch's own: a flag of the batch command, else the clients file's top-level key"


@dataclass(frozen=True)
class Parameter:
    """One setting of a run: its field of ``RunConfig`` (name, type, default), its help text, the
    stage that takes it, how its value is written down (kind) and set in a batch, and its check."""

    name: str
    type: Any
    default: Any
    help: str
    stage: str | None = None  # the stage that takes it; None: the run itself (out, fresh)
    kind: Kind = Kind.PLAIN
    batch: Batch = Batch.COMMAND
    check: Check | None = None
    group: str | None = None  # its heading in --help; None: among the command's own options
    flag: str | None = None  # default --name-with-dashes, or --no-name for a switch that is on by default
    metavar: str | None = None
    batch_key: str | None = None  # default: the name
    #: a path the run creates (the cache, the output folder): checked for writability, never for existence
    created: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def key(self) -> str:
        """Its key in a batch file."""
        return self.batch_key or self.name

    @property
    def option(self) -> str:
        if self.flag:
            return self.flag
        dashed = self.name.replace("_", "-")
        return f"--no-{dashed}" if self.default is True else f"--{dashed}"

    @property
    def is_list(self) -> bool:
        return get_origin(self.type) is list

    def add_flag(self, parser: argparse._ActionsContainer, note: str = "") -> None:
        """The flag, defaulting to ``None`` (not given), so a recorded run or a batch client's own
        value is overridden only by a flag actually given (:func:`given`)."""
        text = self.help
        if not self.required and self.default not in (None, True, False) and not self.is_list:
            text += f" (default: {self.default})"
        text += note
        spec: dict[str, Any] = {"dest": self.name, "default": None, "help": text.replace("%", "%%")}
        if self.type is bool:
            spec["action"] = "store_false" if self.default is True else "store_true"
        else:
            spec.update(action="append" if self.is_list else "store", metavar=self.metavar)
            if self.type in (int, float):
                spec["type"] = self.type
        parser.add_argument(self.option, **spec)

    def argv(self, value: Any) -> list[str]:
        """The flags that give ``value`` (none for the default): how a batch runs each client."""
        if value is None or value == self.default or (self.is_list and list(value) == list(self.default)):
            return []
        if self.type is bool:
            return [self.option]
        return [arg for item in (value if self.is_list else [value]) for arg in (self.option, str(item))]


class _SettingsLoader(yaml.SafeLoader):
    """Safe YAML without YAML 1.1's dates: an unquoted 2017-10-01 stays the text the CLI takes
    (and 2017-13-45 a value the check refuses in one sentence, not a crash of the reader)."""


_SettingsLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_settings(text: str) -> Any:
    """A file of parameter values (``audit.yaml``, a clients file), read safely."""
    return yaml.load(text, Loader=_SettingsLoader)


# --------------------------------------------------------------------------- the checks
# Each runs before any stage (RunConfig.check, the batch pre-check): a typo costs one sentence
# (exit 2), not a stage failure after ingest and scoring. Heavy modules are imported on use.

def _data(v: Mapping[str, Any]) -> None:
    from audit.reading.formats import check_file

    checks.input_file("data", v["data"])
    check_file(v["data"])


def _mapping(v: Mapping[str, Any]) -> None:
    from audit.reading.mapping import load_mapping

    if v["mapping"]:
        load_mapping(v["mapping"])


def _out(v: Mapping[str, Any]) -> None:
    checks.writable_folder("out", v["out"])


def _cache(v: Mapping[str, Any]) -> None:
    from audit.textmodel import cache

    cache.check(v["cache"])


def _rubric(v: Mapping[str, Any]) -> None:
    from audit import grading as maturity

    checks.input_file("rubric", v["rubric"])
    maturity.load_rubric(v["rubric"])


def _questionnaire(v: Mapping[str, Any]) -> None:
    from audit import grading as maturity

    checks.input_file("questionnaire", v["questionnaire"])
    if v["questionnaire"]:
        maturity.load_questionnaire(v["questionnaire"])


def _hours(v: Mapping[str, Any]) -> None:
    """The business hours with the holidays, in the client's time zone."""
    from audit.metrics import business_hours

    business_hours.parse(v["business_hours"], v["holidays"], v["timezone"])


def _since(v: Mapping[str, Any]) -> None:
    from audit.conversations import window

    window.parse_bound(v["since"], v["timezone"], end=False)


def _until(v: Mapping[str, Any]) -> None:
    """Readable, and not before ``since``."""
    from audit.conversations import window

    window.bounds(v["since"], v["until"], v["timezone"])


MODEL = "model and scoring"
REPORT = "grading and report"

PARAMETERS: tuple[Parameter, ...] = (
    Parameter("data", str, REQUIRED, "the export: CSV, TSV, JSON, JSONL, Parquet or Excel", stage="ingest",
              kind=Kind.PATH, batch=Batch.FILE, check=_data),
    Parameter("client", str, REQUIRED, "client name, for the report and the folder name", stage="playbook",
              batch=Batch.OWN, batch_key="name"),
    Parameter("brands", list[str], (), "a brand handle of the client (repeat for several; default: every brand "
              "in the data)", stage="ingest", batch=Batch.OWN, flag="--brand", metavar="HANDLE"),
    Parameter("mapping", str | None, None, "YAML column mapping for exports not in the TWCS layout", stage="ingest",
              kind=Kind.PATH, batch=Batch.FILE, check=_mapping),
    Parameter("out", str, "outputs", "parent folder of run folders", kind=Kind.PATH, check=_out, created=True),
    Parameter("model", str | None, None, "Hugging Face model id (in the local cache) or directory; default: the "
              "bundled offline model", stage="score", group=MODEL, check=lambda v: checks.model(v["model"])),
    Parameter("device", str, "auto", "auto (GPU when present), cpu, cuda, cuda:1, mps", stage="score", group=MODEL,
              check=lambda v: checks.device(v["device"], v["quantize"])),
    Parameter("batch_size", int, 64, "texts per forward pass", stage="score", group=MODEL,
              check=lambda v: checks.batch_size(v["batch_size"])),
    Parameter("quantize", bool, False, "int8 dynamic quantisation on CPU (faster, ~same labels)", stage="score",
              group=MODEL),
    Parameter("engine", str, "local", "local or dask", stage="score", group=MODEL,
              check=lambda v: checks.engine(v["engine"])),
    Parameter("scheduler", str | None, None, "Dask scheduler address, e.g. tcp://HOST:8786: `run --engine dask` "
              "scores there (none: a local cluster); `batch` runs its clients on its workers, each scored there",
              stage="score", group=MODEL, batch=Batch.WHOLE, metavar="ADDRESS",
              check=lambda v: checks.scheduler(v["scheduler"], v["engine"])),
    Parameter("cache", str | None, None, "score cache file, created if new (default: $SOCIAL_AUDIT_CACHE or "
              "~/.cache/social-audit/sentiment.sqlite)", stage="score", kind=Kind.PATH, group=MODEL, check=_cache,
              created=True),
    Parameter("rubric", str | None, None, "maturity rubric YAML (default: audit/grading/rubrics/default.yaml)",
              stage="analysis", kind=Kind.PATH, batch=Batch.CLIENT, group=REPORT, check=_rubric),
    Parameter("questionnaire", str | None, None, "interview answers YAML (see "
              "audit/grading/rubrics/questionnaire_template.yaml)", stage="analysis", kind=Kind.PATH,
              batch=Batch.CLIENT, group=REPORT, check=_questionnaire),
    Parameter("timezone", str, "UTC", "the client's local time zone for hours, nights and weekends",
              stage="analysis", batch=Batch.CLIENT, group=REPORT, check=lambda v: checks.timezone(v["timezone"])),
    Parameter("business_hours", str | None, DEFAULT_BUSINESS_HOURS, "the client's business hours in its time zone, "
              'e.g. "Mon-Fri 08:00-20:00; Sat 09:00-13:00"', stage="analysis", batch=Batch.CLIENT, group=REPORT,
              metavar="SPEC", check=_hours),
    Parameter("holidays", str | None, None, "days off: a country or region (US, US-CA, GB-SCT, DE-BY) or a file "
              "with one YYYY-MM-DD per line", stage="analysis", kind=Kind.FILE_OR_NAME, batch=Batch.CLIENT,
              group=REPORT, metavar="REGION|FILE"),  # checked with the business hours
    Parameter("since", str | None, None, "analyse from this local date (YYYY-MM-DD); default: where the data's "
              "body starts", stage="analysis", batch=Batch.CLIENT, group=REPORT, metavar="DATE", check=_since),
    Parameter("until", str | None, None, "analyse up to this local date, inclusive; default: where the data's "
              "body ends", stage="analysis", batch=Batch.CLIENT, group=REPORT, metavar="DATE", check=_until),
    Parameter("redact", bool, False, "mask customer handles, e-mails, phones and long numbers in every output",
              stage="ingest", group=REPORT),
    Parameter("pdf", bool, True, "write the HTML playbook only", stage="playbook", group=REPORT),
    Parameter("fresh", bool, False, "re-run every stage (default: resume, reusing stages already done)",
              kind=Kind.ONE_OFF, group=REPORT),
)

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


def of_stage(stage: str) -> tuple[Parameter, ...]:
    return tuple(p for p in PARAMETERS if p.stage == stage)


def defaults(params: Iterable[Parameter] = PARAMETERS) -> dict[str, Any]:
    """Every default (lists as new lists); required parameters have none."""
    return {p.name: list(p.default) if p.is_list else p.default for p in params if not p.required}


def add_flags(parser: argparse.ArgumentParser, params: Iterable[Parameter],
              note: Callable[[Parameter], str] = lambda p: "") -> None:
    """The parameters' flags, each under its ``--help`` heading; ``note``: what a command adds
    to a parameter's help."""
    groups: dict[str, argparse._ArgumentGroup] = {}
    for p in params:
        if p.group is not None and p.group not in groups:
            groups[p.group] = parser.add_argument_group(p.group)
        p.add_flag(parser if p.group is None else groups[p.group], note(p))


def given(args: argparse.Namespace, params: Iterable[Parameter] = PARAMETERS) -> dict[str, Any]:
    """The values of the flags given on the command line (every flag defaults to ``None``)."""
    return {p.name: value for p in params if (value := getattr(args, p.name, None)) is not None}


def check(values: Mapping[str, Any], params: Iterable[Parameter] = PARAMETERS) -> None:
    """Every parameter's check, in declaration order (the time zone before the dates read in it)."""
    for p in params:
        if p.check is not None:
            p.check(values)
