"""The analyst's loop on a run folder: a copied folder is its own run and a renamed client stays
in its folder (issue 23, item 6). Run folders come from the fast stand-in stages."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from audit.common import runfolder
from audit.run import in_notebook, runfile
from audit.run.cli import build_parser, run_config
from audit.run.config import RunConfig
from tests.helpers.runfolders import BRAND, export, make_run


@pytest.fixture
def recorded_run(tmp_path) -> Path:
    """A finished run folder with its audit.yaml, as `social-audit run` leaves it."""
    run_dir = tmp_path / "runs" / "acme"
    make_run(run_dir, export(40, 0.8, 0.2))
    config = RunConfig(data=str(run_dir / "export.csv"), client="Acme", brands=[BRAND], out=str(run_dir.parent),
                       pdf=False)
    runfile.write(config, run_dir)
    runfolder.claim(run_dir, "Acme")
    return run_dir


def _config(*argv: str):
    return run_config(build_parser().parse_args(["run", *argv]))


def test_a_copied_run_folder_is_its_own_run(recorded_run, tmp_path):
    copy = tmp_path / "elsewhere" / "acme-q4"
    shutil.copytree(recorded_run, copy)
    assert _config("--config", str(copy / runfolder.CONFIG)).run_dir() == copy
    assert _config("--config", str(copy / runfolder.CONFIG), "--out", str(tmp_path / "new")).run_dir() == \
        tmp_path / "new" / "acme"
    assert "out" not in yaml.safe_load((copy / runfolder.CONFIG).read_text())   # the folder is the run


def test_a_client_renamed_in_the_playbook_notebook_stays_in_its_folder(recorded_run):
    in_notebook.run_stage(recorded_run, "playbook", client="Acme Renamed")
    config = runfile.load(recorded_run)
    assert config.client == "Acme Renamed" and config.run_dir() == recorded_run
    assert runfolder.folder_owner(recorded_run) == "Acme Renamed"
    config.check()   # the CLI's next run goes into the same folder
    assert not (recorded_run.parent / "acme-renamed").exists()


def test_lab_takes_a_port_and_no_browser(recorded_run, capsys):
    from audit.run.cli import main
    from audit.run.lab import lab_command

    args = build_parser().parse_args(["lab", str(recorded_run), "--port", "9999", "--no-browser"])
    assert (args.port, args.browser) == (9999, False)
    command = lab_command(recorded_run, args.port, args.browser)
    assert "--port=9999" in command and "--no-browser" in command
    assert "--no-browser" not in lab_command(recorded_run)
    assert main(["lab", str(recorded_run), "--port", "0"]) == 2
    assert "--port 0" in capsys.readouterr().err


def test_a_rerun_that_reused_scoring_says_so_not_a_zero_hit_rate():
    from audit.run.cli import _scoring_note

    reused = {"stages": {"score": {"status": "reused"}}, "cache_hit_rate": 0.0}
    assert _scoring_note(reused) == "sentiment scores reused from the previous run"
    assert _scoring_note({"stages": {"score": {"status": "ran"}}, "cache_hit_rate": 0.5}) == \
        "sentiment cache hit rate 50%"


def test_a_stale_notebook_tab_cannot_undo_a_newer_setting(recorded_run):
    from dataclasses import replace

    from audit.common.errors import AuditInputError
    from audit.run.notebook_copies import ensure

    ensure(recorded_run)   # the run's notebooks, holding timezone = "UTC"
    runfile.write(replace(runfile.load(recorded_run), timezone="Europe/London"), recorded_run)   # the CLI's change
    with pytest.raises(AuditInputError, match="still holds 'UTC'.*'Europe/London'"):
        in_notebook.run_stage(recorded_run, "analysis", timezone="UTC")
    assert runfile.load(recorded_run).timezone == "Europe/London"
    in_notebook.run_stage(recorded_run, "analysis", timezone="America/New_York")   # a value typed on purpose
    assert runfile.load(recorded_run).timezone == "America/New_York"
    in_notebook.run_stage(recorded_run, "analysis", timezone="America/New_York")   # and run again


def test_a_notebook_run_marks_what_it_made_stale(recorded_run):
    html = recorded_run / runfolder.NOTEBOOKS / "03_analysis.html"
    html.parent.mkdir(exist_ok=True)
    html.write_text("<p>the earlier grade</p>")
    runfolder.write_json({"config": {"timezone": "UTC"}, "stages": {}}, recorded_run / runfolder.RUN_LOG)
    in_notebook.run_stage(recorded_run, "analysis", timezone="Europe/London")
    assert not html.exists()
    stale = runfolder.read_json(recorded_run / runfolder.RUN_LOG)["stale"]
    assert stale["because"] == "03_analysis.ipynb was run in a notebook"
    assert runfolder.RUN_LOG in stale["outdated"] and runfolder.AUDIT_JSON in stale["outdated"]
