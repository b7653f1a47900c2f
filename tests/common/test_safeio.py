"""Atomic writes, spreadsheet-safe CSVs and folder names a client name cannot escape."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from audit.common.errors import AuditInputError
from audit.common.safeio import (
    atomic_open,
    atomic_write_bytes,
    atomic_write_text,
    neutralise_formulas,
    safe_child,
    slugify,
    write_csv_safe,
)

# --------------------------------------------------------------------------- formulas


def test_formula_prefixes_are_neutralised_and_numbers_stay_numbers(tmp_path):
    df = pd.DataFrame({
        "text": ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1 555 0100 call me", "-sorry-",
                 "@AcmeHelp help", "\tindented", "\rcarriage", "plain 😀", "-5", "+3.5e2", None],
        "count": [1, -2, 3, 4, 5, 6, 7, 8, 9, 10],
        "ratio": [-0.5] * 10,
    })
    path = write_csv_safe(df, tmp_path / "quarantine.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["text", "count", "ratio"]
    assert [r[0] for r in rows[1:]] == [
        "'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1 555 0100 call me", "'-sorry-",
        "'@AcmeHelp help", "'\tindented", "'\rcarriage", "plain 😀", "-5", "+3.5e2", "",
    ]
    assert [r[1] for r in rows[1:3]] == ["1", "-2"]  # numeric column untouched
    assert rows[1][2] == "-0.5"


def test_object_columns_with_mixed_values_and_risky_headers():
    df = pd.DataFrame({"=cmd": pd.Series(["@x", 3, None, "ok"], dtype=object)})
    out = neutralise_formulas(df)
    assert list(out.columns) == ["'=cmd"]
    assert out.iloc[:, 0].tolist()[:2] == ["'@x", 3] and out.iloc[3, 0] == "ok"
    assert df.iloc[0, 0] == "@x"  # the caller's frame is not modified


# --------------------------------------------------------------------------- names and paths


@pytest.mark.parametrize("name, slug", [
    ("Globex Bank", "globex-bank"),
    ("  Café Müller & Söhne GmbH ", "cafe-muller-sohne-gmbh"),
    ("../../etc/passwd", "etc-passwd"),
    ("..", None),
    ("", None),
    ("日本航空", None),
    ("A" * 200, "a" * 64),
])
def test_slugify(name, slug):
    result = slugify(name)
    assert result and result not in (".", "..") and ".." not in result
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in result)
    assert result == result.lower() and not result.startswith("-") and not result.endswith("-")
    if slug is not None:
        assert result == slug
    else:
        assert result.startswith("client-")


def test_slugify_keeps_names_without_ascii_apart():
    assert slugify("日本航空") != slugify("全日空") and slugify("日本航空") == slugify("日本航空")


@pytest.mark.parametrize("name", ["../../etc", "..", "a/../../b", "/etc/passwd", "", "  ", "x\x00y", "."])
def test_safe_child_refuses_escapes(tmp_path, name):
    with pytest.raises(AuditInputError):
        safe_child(tmp_path / "outputs", name)


def test_safe_child_refuses_symlinks_out_of_base(tmp_path):
    base = tmp_path / "outputs"
    base.mkdir()
    (base / "sneaky").symlink_to(tmp_path)
    with pytest.raises(AuditInputError, match="outside"):
        safe_child(base, "sneaky/secrets")


def test_safe_child_accepts_names_inside(tmp_path):
    base = tmp_path / "outputs"
    assert safe_child(base, "globex-bank") == (base / "globex-bank").resolve()
    assert safe_child(base, "globex-bank/charts/x.svg") == (base / "globex-bank/charts/x.svg").resolve()


# --------------------------------------------------------------------------- atomic writes


def test_failed_write_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "playbook.html"
    target.write_text("old, complete report", encoding="utf-8")
    with pytest.raises(RuntimeError, match="renderer crashed"):
        with atomic_open(target) as fh:
            fh.write("<html>half of the new rep")
            raise RuntimeError("renderer crashed")
    assert target.read_text(encoding="utf-8") == "old, complete report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["playbook.html"]  # no temp file left


def test_failed_csv_write_keeps_old_csv(tmp_path):
    target = tmp_path / "quarantine.csv"
    target.write_text("source_row,reason\n1,empty_text\n", encoding="utf-8")

    class Boom:  # a cell whose str() explodes half-way through writing
        def __str__(self):
            raise ValueError("cannot render")

    with pytest.raises(ValueError, match="cannot render"):
        write_csv_safe(pd.DataFrame({"x": ["fine"] * 1000 + [Boom()]}), target)
    assert target.read_text(encoding="utf-8") == "source_row,reason\n1,empty_text\n"
    assert len(list(tmp_path.iterdir())) == 1


def test_atomic_writes_replace_content_and_keep_permissions(tmp_path):
    target = tmp_path / "sub" / "audit.json"
    atomic_write_text(target, '{"a": 1}\r\n')
    assert target.read_bytes() == b'{"a": 1}\r\n'  # newlines written as given
    os.chmod(target, 0o640)
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert target.stat().st_mode & 0o777 == 0o640


def test_atomic_open_rejects_append_mode(tmp_path):
    with pytest.raises(ValueError, match="whole files"):
        with atomic_open(tmp_path / "x", "a"):
            pass


def test_new_files_get_normal_permissions(tmp_path):
    path = atomic_write_text(tmp_path / "new.txt", "hi")
    umask = os.umask(0)
    os.umask(umask)
    assert Path(path).stat().st_mode & 0o777 == 0o666 & ~umask


def test_safe_csv_round_trips_awkward_texts(tmp_path):
    texts = ["line\nbreak", "bare\rreturn", 'say "hi", ok', "=1+1", "tab\tinside", "é😀"]
    write_csv_safe(pd.DataFrame({"source_row": range(1, 7), "text": texts}), tmp_path / "q.csv")
    back = pd.read_csv(tmp_path / "q.csv", dtype={"text": str})
    assert back["source_row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert back["text"].tolist() == [t if not t.startswith("=") else "'" + t for t in texts]


def test_a_killed_writers_temp_files_are_swept_and_nothing_else(tmp_path):
    from audit.common.safeio import remove_stale_temps

    (tmp_path / ".stages.json.k3j2.tmp").write_text("{half")    # what SIGKILL mid-write leaves
    (tmp_path / "stages.tmp").write_text("not ours: no leading dot")
    (tmp_path / "audit.json").write_text("{}")
    assert remove_stale_temps(tmp_path) == [".stages.json.k3j2.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json", "stages.tmp"]


def test_a_full_disk_names_the_file_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import errno
    import os

    from audit.common.errors import AuditInputError
    from audit.common.safeio import atomic_write_bytes

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(AuditInputError, match=r"No space left on the device while writing messages\.parquet"):
        atomic_write_bytes(tmp_path / "messages.parquet", b"x" * 10)
    assert list(tmp_path.iterdir()) == []
