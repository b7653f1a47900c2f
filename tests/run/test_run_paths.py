"""Paths a run creates (the score cache, the run folder) are checked for writability before any
stage, never for existence; one run per run folder at a time."""
from __future__ import annotations

from pathlib import Path

import pytest

from audit.common.errors import AuditInputError
from audit.run import in_notebook
from audit.run.cli import main
from audit.textmodel import cache


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
