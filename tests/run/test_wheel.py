"""The wheel works outside the checkout: built, installed into a fresh environment, it audits a
client from a folder that is not the repository (templates, notebooks, rubric and model found
through ``importlib.resources``, never by climbing out of the package).

Why not a full fresh install: the dependencies (PyTorch among them) take minutes to install, and
they are not what is tested. The new environment reads this environment's site-packages as a plain
path entry, so the dependencies import, but the editable install of the checkout does not (its
``.pth`` finder is not processed there): ``audit`` can only come from the wheel.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> Path:
    """A virtual environment holding only the project's wheel (dependencies reached read-only)."""
    build = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(build), str(ROOT)], check=True, capture_output=True)
    (wheel,) = build.glob("social_audit-*.whl")
    env = tmp_path_factory.mktemp("env") / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    return env


def test_the_wheel_holds_its_package_data(wheel_env):
    python = wheel_env / "bin" / "python"
    probe = ("import audit, json; from importlib import resources as r; from audit.run.config import NOTEBOOK_DIR;"
             "from audit.report.render import TEMPLATES; from audit.textmodel.model import DEFAULT_MODEL;"
             "from audit.grading.user_files import RUBRIC_DIR;"
             "print(json.dumps([audit.__file__, str(NOTEBOOK_DIR), str(TEMPLATES), str(DEFAULT_MODEL), str(RUBRIC_DIR)]))")
    paths = json.loads(subprocess.run([python, "-c", probe], check=True, capture_output=True, text=True,
                                      cwd=wheel_env).stdout)
    assert all(str(wheel_env) in p and str(ROOT) not in p for p in paths), paths
    notebooks, templates, model, rubrics = map(Path, paths[1:])
    assert sorted(p.name for p in notebooks.glob("*.ipynb")) == ["01_ingest.ipynb", "02_sentiment.ipynb",
                                                                 "03_analysis.ipynb", "04_playbook.ipynb"]
    assert (templates / "base.html.j2").is_file() and (templates / "sections" / "cover.html.j2").is_file()
    assert (templates / "nbconvert" / "offline" / "index.html.j2").is_file()
    assert (model / "model.safetensors").is_file() and (rubrics / "default.yaml").is_file()


def test_an_audit_runs_from_the_wheel_outside_the_checkout(wheel_env, small_export, tmp_path):
    data, _ = small_export
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{wheel_env / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # nbconvert's base templates are data files of the nbconvert install (share/jupyter), which a
    # real installation of the dependencies would put into the new environment
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    result = subprocess.run([wheel_env / "bin" / "social-audit", "run", "--data", data, "--client", "Acme",
                             "--brand", "Acme", "--brand", "AcmeHelp", "--out", str(tmp_path / "out"), "--no-pdf"],
                            cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    run_dir = tmp_path / "out" / "acme"
    audit = json.loads((run_dir / "audit.json").read_text())
    assert audit["maturity"]["level"] and (run_dir / "playbook.html").is_file()
    assert str(ROOT) not in (run_dir / "audit.yaml").read_text()  # nothing was read from the checkout
    assert str(wheel_env) in audit["maturity"]["rubric"]["file"]
