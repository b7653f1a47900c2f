"""Every run parameter is declared once (audit.run.parameters.PARAMETERS) and the declaration drives
the rest: the flags of `run` and `batch`, the batch file's keys, the command each batch client
runs, audit.yaml, the stages' keywords. Each test walks the whole declaration, so a parameter
added there is covered without touching this file. None of them runs a stage."""
from __future__ import annotations

import inspect
import re
from dataclasses import replace
from typing import Any

import pytest
import yaml

from audit.common.errors import AuditInputError
from audit.run import batch, runfile
from audit.run.cli import build_parser, run_config
from audit.run.config import STAGES, RunConfig
from audit.run.in_notebook import FUNCTIONS
from audit.run.parameters import BY_NAME, PARAMETERS, Batch, Kind, Parameter, defaults


def other(p: Parameter, tag: str = "") -> Any:
    """A value of ``p`` that is not its default."""
    if p.type is bool:
        return not p.default
    if p.type is int:
        return p.default + 1
    if p.is_list:
        return [f"{tag}{p.name}-1", f"{tag}{p.name}-2"]
    return f"{tag}{p.name}-value"


def all_set(tag: str = "") -> RunConfig:
    return RunConfig(**{p.name: other(p, tag) for p in PARAMETERS})


def command_help(command: str, capsys) -> str:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    return capsys.readouterr().out


def test_every_parameter_has_its_flag_and_help_in_run_and_batch_as_declared(capsys):
    run, batch_help = command_help("run", capsys), command_help("batch", capsys)
    unwrapped = re.sub(r"\s", "", run)  # argparse wraps lines, at spaces and hyphens
    for p in PARAMETERS:
        assert re.search(rf"{p.option}\b", run) and re.sub(r"\s", "", p.help) in unwrapped, p.name
        in_batch = re.search(rf"{p.option}\b", batch_help) is not None
        assert in_batch == (p.batch in (Batch.COMMAND, Batch.CLIENT, Batch.WHOLE)), p.name
    assert "--no-pdf" in run and "--brand HANDLE" in run and "(default: 64)" in run
    assert "(default:Mon-Fri09:00-17:00)" in unwrapped  # the declared default, not a copy of it


def test_flags_give_back_every_parameter(tmp_path):
    """What a batch runs for a client (``batch.command``) is the `run` that rebuilds its config."""
    for config in (all_set(), RunConfig(data="x.csv", client="Acme")):
        argv = batch.command(config)[4:]
        assert run_config(build_parser().parse_args(["run", *argv])) == config
    assert batch.command(RunConfig(data="x.csv", client="Acme"))[4:] == ["--data", "x.csv", "--client", "Acme"]


def test_flags_given_override_a_recorded_run_and_only_those(tmp_path):
    runfile.write(all_set(), tmp_path)
    args = build_parser().parse_args(["run", "--config", str(tmp_path / "audit.yaml"), "--timezone", "UTC", "--fresh"])
    recorded = runfile.load(tmp_path)
    assert run_config(args) == replace(recorded, timezone="UTC", fresh=True)


def test_every_batch_key_is_read_as_declared(tmp_path):
    """A client's keys win over the file's top-level keys and the batch command's flags; paths in
    the file are relative to it; flags are the same for every client; the batch's own settings
    (a flag, else the top-level key) are no client's."""
    own = [p for p in PARAMETERS if p.batch in (Batch.CLIENT, Batch.FILE, Batch.OWN)]
    top = [p for p in PARAMETERS if p.batch in (Batch.FILE, Batch.WHOLE)]
    spec = {**{p.key: other(p, "top-") for p in top},
            "clients": [{p.key: other(p, "own-") for p in own}, {"name": "Second"}]}
    path = tmp_path / "clients.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    flags = [arg for p in batch.FLAGS for arg in p.argv(other(p, "flag-"))]
    args = build_parser().parse_args(["batch", str(path), *flags])
    first, second = batch.configs(str(path), args)

    def from_file(p: Parameter, tag: str) -> Any:
        value = other(p, tag)
        return str((tmp_path / value).resolve()) if p.kind is Kind.PATH else value

    for p in PARAMETERS:
        if p.batch is Batch.COMMAND:
            assert getattr(first, p.name) == getattr(second, p.name) == other(p, "flag-"), p.name
        elif p.batch is Batch.WHOLE:
            assert getattr(first, p.name) == getattr(second, p.name) == p.default, p.name
        else:
            assert getattr(first, p.name) == from_file(p, "own-"), p.name
    assert second.client == "Second" and second.brands == defaults()["brands"]
    for p in PARAMETERS:
        if p.batch is Batch.FILE:
            assert getattr(second, p.name) == from_file(p, "top-"), p.name
        elif p.batch is Batch.CLIENT:
            assert getattr(second, p.name) == other(p, "flag-"), p.name
    whole = [p for p in PARAMETERS if p.batch is Batch.WHOLE]
    assert batch.settings(str(path), args) == {p.name: other(p, "flag-") for p in whole}
    assert batch.settings(str(path), build_parser().parse_args(["batch", str(path)])) == {
        p.name: from_file(p, "top-") for p in whole}


@pytest.mark.parametrize("p", [p for p in PARAMETERS if p.batch in (Batch.COMMAND, Batch.WHOLE)], ids=lambda p: p.name)
def test_a_batch_client_cannot_set_what_is_the_same_for_every_client(p, tmp_path):
    path = tmp_path / "clients.yaml"
    path.write_text(yaml.safe_dump({"data": "x.csv", "clients": [{"name": "A", p.key: other(p)}]}), encoding="utf-8")
    with pytest.raises(AuditInputError, match="not a valid clients file"):
        batch.load(str(path))


def test_audit_yaml_round_trips_every_recorded_parameter(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = all_set()
    (tmp_path / "run").mkdir()
    runfile.write(config, tmp_path / "run")
    written = yaml.safe_load((tmp_path / "run" / "audit.yaml").read_text())
    # every parameter but the one-off switches and `out`: the folder the file is in is the run
    assert set(written) == {p.name for p in PARAMETERS if p.kind is not Kind.ONE_OFF} - {"out"}
    for p in PARAMETERS:
        if p.kind is Kind.PATH and p.name != "out":
            assert written[p.name] == str((tmp_path / other(p)).resolve()), p.name  # absolute
    loaded = runfile.load(tmp_path / "run")
    one_off = {p.name: p.default for p in PARAMETERS if p.kind is Kind.ONE_OFF}
    absolute = {p.name: str((tmp_path / other(p)).resolve()) for p in PARAMETERS if p.kind is Kind.PATH}
    folder = {"out": str(tmp_path.resolve()), "folder": str((tmp_path / "run").resolve())}
    assert loaded == replace(config, **one_off, **(absolute | folder))


def test_audit_yaml_reads_relative_paths_against_itself_and_dates_as_text(tmp_path):
    (tmp_path / "days.txt").write_text("2017-12-25\n")
    (tmp_path / "audit.yaml").write_text(
        "data: export.csv\nclient: Acme\nrubric: ../rubric.yaml\nholidays: days.txt\nsince: 2017-10-01\n"
        "until: 2017-12-31 18:00\n")
    config = runfile.load(tmp_path)
    assert config.data == str(tmp_path / "export.csv") and config.rubric == str(tmp_path.parent / "rubric.yaml")
    assert config.holidays == str(tmp_path / "days.txt")
    assert (config.since, config.until) == ("2017-10-01", "2017-12-31 18:00")  # YAML would make them dates
    (tmp_path / "audit.yaml").write_text("data: x.csv\nclient: Acme\nholidays: US-CA\n")
    assert runfile.load(tmp_path).holidays == "US-CA"  # a name, not a file


def test_every_stage_takes_its_declared_parameters():
    assert {p.stage for p in PARAMETERS} <= {None} | {s.name for s in STAGES}
    for stage in STAGES:
        keywords = set(inspect.signature(FUNCTIONS[stage.name]).parameters) - {"run_dir"}
        assert keywords == set(stage.params), stage.name
    assert {p.name for p in PARAMETERS if p.stage is None} == {"out", "fresh"}


def test_declarations_are_consistent():
    assert len(BY_NAME) == len(PARAMETERS)
    for p in PARAMETERS:
        assert p.kind is not Kind.ONE_OFF or p.type is bool, p.name
        assert not p.required or p.batch in (Batch.FILE, Batch.OWN), f"{p.name}: a batch client needs a way to set it"
        assert p.default is not None or "None" in str(p.type), f"{p.name}: a None default needs an optional type"
