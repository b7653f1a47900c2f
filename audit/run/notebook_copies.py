"""A run's own notebooks: the templates in ``notebooks/`` with the run's values written into their
``parameters`` cell (JupyterLab opens them: :mod:`audit.run.lab`).

Why written into the cell rather than injected by papermill: an injected cell below the
parameters cell silently overrides whatever an analyst types there. Here the parameters cell is
the one that counts, in ``social-audit run`` and in JupyterLab alike. ``run_dir`` is written
relative to the notebook (``..``) so the run folder can be moved.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.run import runfile
from audit.run.config import NOTEBOOK_DIR, STAGES, parameters

RUN_DIR_FROM_NOTEBOOK = ".."
HEADER = ("# This run's values (from ../audit.yaml). Change one and run the notebook: the new value becomes\n"
          "# the run's (recorded in audit.yaml and notebook_overrides.json); then run the next notebooks,\n"
          "# or `social-audit run --config ../audit.yaml` to refresh the whole run folder.\n")
ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)\s*=")
#: the value each parameter had when its notebook's parameters cell was last written (a tab
#: opened before audit.yaml changed still holds it: see :func:`audit.run.in_notebook.configuration`)
WRITTEN = ".notebook_values.json"


def written_values(run_dir: Path) -> dict[str, Any]:
    """The values the run's notebooks were last written with (none known for older runs)."""
    path = Path(run_dir) / WRITTEN
    return runfolder.read_json(path) if path.is_file() else {}


def remember(run_dir: Path, values: dict[str, Any]) -> None:
    """Record that the run's notebooks now hold ``values`` (parameter -> value)."""
    runfolder.write_json(written_values(run_dir) | values, Path(run_dir) / WRITTEN)


def parameters_cell(nb) -> Any:
    """The cell tagged ``parameters`` (papermill's convention)."""
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    raise AuditInputError("notebook has no cell tagged 'parameters'.")


def parameters_source(template: str, values: dict[str, Any]) -> str:
    """The template's parameters cell with each ``name = ...`` line set to the run's value; the
    template's leading comment block becomes :data:`HEADER`, per-parameter comments stay."""
    from papermill.translators import PythonTranslator

    lines = template.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    out, seen = [], set()
    for line in lines:
        match = ASSIGNMENT.match(line)
        if match and match.group(1) in values:
            name = match.group(1)
            seen.add(name)
            line = f"{name} = {PythonTranslator.translate(values[name])}"
        out.append(line)
    out += [f"{k} = {PythonTranslator.translate(v)}" for k, v in values.items() if k not in seen]
    return HEADER + "\n".join(out) + "\n"


def prepared(template: Path, values: dict[str, Any]):
    """The template notebook, outputs cleared, its parameters cell holding ``values``."""
    import nbformat

    nb = nbformat.read(template, as_version=4)
    cell = parameters_cell(nb)
    cell.source = parameters_source(cell.source, values)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    return nb


def ensure(run_dir: Path) -> list[Path]:
    """Every stage notebook of the run, written from its template and ``audit.yaml`` where missing
    (an executed notebook already holds the run's values and results, and stays as it is)."""
    import nbformat

    run_dir = Path(run_dir)
    params = parameters(runfile.load(run_dir), run_dir)
    paths = []
    for stage in STAGES:
        target = run_dir / runfolder.NOTEBOOKS / stage.notebook
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            values = {k: params[k] for k in stage.params}
            nbformat.write(prepared(NOTEBOOK_DIR / stage.notebook, {"run_dir": RUN_DIR_FROM_NOTEBOOK, **values}), target)
            remember(run_dir, values)
        paths.append(target)
    return paths
