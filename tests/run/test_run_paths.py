"""Paths a run creates (the score cache, the run folder) are checked for writability before any
stage, never for existence; one run per run folder at a time."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.common.runlock import LOCK, run_lock
from audit.run import in_notebook, stages
from audit.run.cli import main
from audit.textmodel import cache
from tests.helpers.runfolders import BRAND, export, make_run


def _run(data: str, out: Path, *extra: str) -> list[str]:
    return ["run", "--data", data, "--client", "Acme", "--brand", "AcmeHelp", "--out", str(out), *extra]


def test_the_cache_variable_names_a_file_like_the_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIAL_AUDIT_CACHE", str(tmp_path / "mine.sqlite"))
    assert cache.default_path() == tmp_path / "mine.sqlite"


def test_a_new_cache_file_is_created_up_front(tmp_path):
    target = tmp_path / "new" / "cache.sqlite"
    assert cache.check(str(target)) == target and target.is_file()


def test_a_notebook_takes_a_cache_file_that_does_not_exist_yet(tmp_path, monkeypatch):
    """The regression: the score stage refused a new --cache file after ingest ("not found")."""
    monkeypatch.chdir(tmp_path)
    assert in_notebook._notebook_value("cache", "cache.sqlite") == str(tmp_path / "cache.sqlite")


@pytest.mark.parametrize("make, words", [
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: p.write_bytes(b"not a database, just text " * 100), "SQLite"),
])
def test_an_unusable_cache_is_one_sentence_before_any_stage(small_export, tmp_path, capsys, make, words):
    bad = tmp_path / "cache.sqlite"
    make(bad)
    with pytest.raises(AuditInputError, match=words):
        cache.check(str(bad))
    assert main(_run(small_export[0], tmp_path / "out", "--cache", str(bad))) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "acme").exists()   # refused before ingest
    assert main(["sentiment", "--data", small_export[0], "--out", str(tmp_path / "s.csv"), "--cache", str(bad)]) == 2


def test_a_second_run_into_a_folder_being_written_is_refused_naming_the_first(small_export, tmp_path, capsys):
    run_dir = tmp_path / "out" / "acme"
    run_dir.mkdir(parents=True)
    with run_lock(run_dir):
        assert main(_run(small_export[0], tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert f"pid {os.getpid()} on {socket.gethostname()}" in err and "Traceback" not in err
    assert not (run_dir / runfolder.MESSAGES).exists()


def test_the_lock_of_a_dead_run_is_taken_over(tmp_path):
    (tmp_path / LOCK).write_text('{"pid": 999999999, "host": "gone", "started": "yesterday"}')
    with run_lock(tmp_path):
        with pytest.raises(AuditInputError, match="pid"):
            with run_lock(tmp_path):
                pass


def test_quarantine_csv_changes_only_with_the_report(tmp_path):
    """A run killed after ingest of a changed export must not leave the new export's quarantine
    beside the old report."""
    run_dir = tmp_path / "acme"
    make_run(run_dir, export(40, 0.8, 0.2))
    before = (run_dir / runfolder.QUARANTINE).read_bytes()
    changed = export(40, 0.8, 0.2, seed=3)
    changed.loc[0, "created_at"] = "not a date"
    changed.to_csv(tmp_path / "changed.csv", index=False)
    stages.ingest(run_dir, tmp_path / "changed.csv", brands=[BRAND])
    assert (run_dir / runfolder.QUARANTINE).read_bytes() == before
    stages.playbook(run_dir, "Acme", pdf=False)
    assert b"not a date" in (run_dir / runfolder.QUARANTINE).read_bytes()


@pytest.mark.parametrize("command", ["topics", "sentiment"])
def test_table_commands_check_their_options_like_run(small_export, tmp_path, capsys, command):
    argv = [command, "--data", small_export[0], "--out", str(tmp_path / "out.csv")]
    assert main([*argv, "--device", "cuda:99"]) == 2
    err = capsys.readouterr().err
    assert "--device cuda:99" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main([command, "--data", small_export[0], "--out", str(tmp_path)]) == 2   # a folder, not a file
    assert "is a folder" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_batch_help_says_a_bad_client_refuses_the_whole_batch(capsys):
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "one bad client refuses the whole batch" in text
