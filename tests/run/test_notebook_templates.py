"""The stage notebooks in notebooks/ are templates: output-free in git, no local paths, every
parameter but run_dir left to the run's configuration, and one parameter per stage setting."""
from __future__ import annotations

import ast

import nbformat
import pytest

from audit.run.config import NOTEBOOK_DIR, STAGES
from audit.run.notebook_copies import parameters_cell, parameters_source


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.notebook)
def test_template_is_output_free_and_defers_to_the_run(stage):
    raw = (NOTEBOOK_DIR / stage.notebook).read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "clear the outputs before committing"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, "no papermill or JupyterLab state"
    assert "/home/" not in raw and "/work/" not in raw and "/Users/" not in raw and ":\\\\" not in raw
    values = {t.id: ast.literal_eval(a.value) for a in ast.parse(parameters_cell(nb).source).body
              for t in a.targets}
    assert set(values) == {"run_dir", *stage.params}
    assert not values["run_dir"].startswith("/")
    assert all(values[k] is None for k in stage.params)
    assert all(f"{k}={k}" in "".join(c.source for c in code) for k in stage.params), "every parameter reaches run_stage"


def test_a_runs_parameters_cell_holds_its_values_with_the_templates_comments():
    template = parameters_cell(nbformat.read(NOTEBOOK_DIR / "03_analysis.ipynb", as_version=4)).source
    values = {"run_dir": "..", "rubric": None, "questionnaire": "/q.yaml", "timezone": "Europe/London",
              "business_hours": "Mon-Fri 08:00-20:00", "holidays": "GB-ENG", "since": "2017-10-01", "until": None}
    source = parameters_source(template, values)
    tree = ast.parse(source)
    assert {t.id: ast.literal_eval(a.value) for a in tree.body for t in a.targets} == values
    assert "# the client's local time zone" in source and "audit.yaml" in source.splitlines()[0]


def test_lab_opens_the_runs_own_notebooks_with_its_values(tmp_path):
    from audit.common import runfolder
    from audit.run import runfile
    from audit.run.config import RunConfig
    from audit.run.lab import lab_command
    from audit.run.notebook_copies import ensure

    run = tmp_path / "acme"
    run.mkdir()
    runfile.write(RunConfig(data=str(tmp_path / "x.csv"), client="Acme", questionnaire=str(tmp_path / "q.yaml"),
                            timezone="Europe/London", out=str(tmp_path)), run)
    paths = ensure(run)
    assert [p.name for p in paths] == [s.notebook for s in STAGES]
    cell = parameters_cell(nbformat.read(run / runfolder.NOTEBOOKS / "03_analysis.ipynb", as_version=4))
    values = {t.id: ast.literal_eval(a.value) for a in ast.parse(cell.source).body for t in a.targets}
    assert values == {"run_dir": "..", "rubric": None, "questionnaire": str(tmp_path / "q.yaml"),
                      "timezone": "Europe/London", "business_hours": "Mon-Fri 09:00-17:00", "holidays": None,
                      "since": None, "until": None}
    command = lab_command(run)
    assert f"--ServerApp.root_dir={run.resolve()}" in command and command[-1] == "notebooks/03_analysis.ipynb"
