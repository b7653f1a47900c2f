"""The analyst's loop: a run's notebooks and the CLI share one configuration (audit.yaml) and one
stage state, so notebooks never grade with other inputs than the run's and the CLI never reuses
a stage a notebook changed. Notebooks run in-process through papermill, without injected
parameters where an analyst would edit the parameters cell."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from audit import grading as maturity
from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.run import in_notebook as notebook
from audit.run import runfile
from audit.run.cli import main
from audit.run.config import NOTEBOOK_DIR, STATE
from audit.run.notebook_copies import parameters_cell
from tests.conftest import copy_run


def _execute(path: Path, cwd: Path, **parameters) -> None:
    papermill.execute_notebook(str(path), str(path), parameters=parameters or None, kernel_name="python3",
                               progress_bar=False, cwd=str(cwd))


def _edit_parameter(path: Path, name: str, value: str) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = parameters_cell(nb)
    lines = [f"{name} = {value}" if line.startswith(f"{name} = ") else line for line in cell.source.splitlines()]
    assert lines != cell.source.splitlines(), f"{name} not in the parameters cell"
    cell.source = "\n".join(lines)
    nbformat.write(nb, path)


def _level(run: Path) -> str:
    return runfolder.read_json(run / runfolder.AUDIT_JSON)["maturity"]["level"]


def test_cli_writes_a_complete_configuration_and_repeats_it(questionnaire_run, tmp_path, capsys):
    config = runfile.load(questionnaire_run)
    assert config.questionnaire.endswith("acme.yaml") and config.brands == ["Acme", "AcmeHelp"]
    assert Path(config.data).is_absolute()
    run = copy_run(questionnaire_run, tmp_path)
    assert main(["run", "--config", str(run / runfolder.CONFIG)]) == 0
    out = capsys.readouterr().out
    assert out.count("up to date, reused") == 4, out


def test_template_notebooks_grade_with_the_runs_inputs(questionnaire_run, tmp_path):
    """The issue's reproduction: the templates' 03 then 04 on a run made with a questionnaire."""
    run = copy_run(questionnaire_run, tmp_path)
    before = (run / runfolder.MATURITY).read_text()
    without = maturity.grade(runfolder.read_json(run / runfolder.METRICS), maturity.load_rubric(None), None)
    assert without != json.loads(before)   # the questionnaire matters to this grade
    for name in ("03_analysis.ipynb", "04_playbook.ipynb"):
        target = tmp_path / name
        target.write_bytes((NOTEBOOK_DIR / name).read_bytes())
        _execute(target, tmp_path, run_dir=run.name)   # relative to the notebook's folder
    assert (run / runfolder.MATURITY).read_text() == before
    assert runfile.load(run).questionnaire == runfile.load(questionnaire_run).questionnaire
    assert not (run / notebook.OVERRIDES).exists()   # nothing was overridden


def test_the_loop_notebook_then_cli_gives_one_consistent_run_folder(questionnaire_run, tmp_path, capsys):
    run = copy_run(questionnaire_run, tmp_path)
    own = run / runfolder.NOTEBOOKS
    _edit_parameter(own / "03_analysis.ipynb", "timezone", '"Europe/London"')
    level = _level(run)
    _execute(own / "03_analysis.ipynb", own)
    state = runfolder.read_json(run / STATE)
    assert "analysis" not in state and "playbook" not in state and "score" in state
    _execute(own / "04_playbook.ipynb", own)

    assert runfile.load(run).timezone == "Europe/London"
    log = runfolder.read_json(run / notebook.OVERRIDES)
    assert [(e["notebook"], e["setting"], e["was"], e["now"]) for e in log] == [
        ("03_analysis.ipynb", "timezone", "UTC", "Europe/London")]
    by_notebook = (run / runfolder.AUDIT_JSON).read_text()
    assert json.loads(by_notebook)["metrics"]["scope"]["tz"] == "Europe/London"
    assert _level(run) == level   # the questionnaire stayed in

    capsys.readouterr()
    assert main(["run", "--config", str(run / runfolder.CONFIG)]) == 0
    out = capsys.readouterr().out
    assert "ingest: up to date" in out and "score: up to date" in out
    assert "analysis: running" in out and "playbook: running" in out   # the CLI never reuses them
    assert (run / runfolder.AUDIT_JSON).read_text() == by_notebook          # and agrees with the notebooks
    cell = parameters_cell(nbformat.read(own / "03_analysis.ipynb", as_version=4))
    assert 'timezone = "Europe/London"' in cell.source                  # the run's notebook shows it
    assert main(["run", "--config", str(run / runfolder.CONFIG)]) == 0
    assert capsys.readouterr().out.count("up to date, reused") == 4


def test_a_refused_override_is_one_message_and_not_recorded(questionnaire_run, tmp_path):
    run = copy_run(questionnaire_run, tmp_path)
    own = run / runfolder.NOTEBOOKS
    _edit_parameter(own / "03_analysis.ipynb", "timezone", '"Mars/Olympus_Mons"')
    with pytest.raises(PapermillExecutionError) as failure:
        _execute(own / "03_analysis.ipynb", own)
    assert failure.value.ename == "AuditInputError" and "Unknown time zone" in failure.value.evalue
    errors = [o for c in nbformat.read(own / "03_analysis.ipynb", as_version=4).cells
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1 and len(errors[0].traceback) == 1   # one sentence, no traceback
    assert runfile.load(run).timezone == "UTC" and not (run / notebook.OVERRIDES).exists()


def test_run_dir_resolves_from_the_notebook_or_the_repository_root(tmp_path, monkeypatch):
    monkeypatch.chdir(NOTEBOOK_DIR)
    assert notebook.resolve("notebooks") == NOTEBOOK_DIR        # repository root
    assert notebook.resolve("../notebooks") == NOTEBOOK_DIR     # this notebook's folder
    with pytest.raises(AuditInputError, match="neither relative to this notebook"):
        notebook.resolve("outputs/no-such-client")


def test_audit_yaml_is_validated_on_load(tmp_path, capsys):
    bad = tmp_path / "audit.yaml"
    bad.write_text("data: x.csv\nclient: Acme\ntimezon: Europe/London\n")
    with pytest.raises(AuditInputError, match="did you mean 'timezone'"):
        runfile.load(bad)
    bad.write_text("data: x.csv\nclient: Acme\nbatch_size: many\n")
    assert main(["run", "--config", str(bad)]) == 2
    assert "batch_size" in capsys.readouterr().err
    assert main(["run", "--config", str(tmp_path / "none.yaml")]) == 2
    assert main(["run", "--client", "Acme"]) == 2
