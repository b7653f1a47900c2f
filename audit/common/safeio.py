"""Safe file output: atomic writes, spreadsheet-safe CSVs, client names that cannot escape a folder.

Run folders are read by people in Excel and re-read by resumed runs, so a crash must never leave
a half-written file in place of a good one, a customer's tweet starting with ``=`` must never run
as a formula, and a client called ``../../etc`` must never write outside ``outputs/``.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pandas as pd

from audit.common.errors import AuditInputError

#: First characters that make Excel/LibreOffice/Sheets treat a cell as a formula (or DDE).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"[=+\-@\t\r]"
_PLAIN_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SLUG_MAX = 64


@contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success fsync it and move it over ``path``.

    If the block raises, the temporary file is removed and ``path`` keeps its old content.
    """
    if mode not in ("w", "wb"):
        raise ValueError("atomic_open writes whole files: mode must be 'w' or 'wb'")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        binary = mode == "wb"
        with os.fdopen(fd, mode, encoding=None if binary else encoding,
                       newline=None if binary else newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in _FULL:
            raise AuditInputError(
                f"No space left on the device while writing {target.name} in {target.parent} "
                f"(nothing was half-written); free some space there or write the run elsewhere (--out)."
            ) from None
        raise
    _fsync_dir(target.parent)


#: errno values of a full disk or an exhausted quota.
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; new files get the usual 0666 minus umask."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself (best effort: not every OS/filesystem allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` all-or-nothing."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], data: str, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` all-or-nothing (newlines written as given)."""
    with atomic_open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(data)
    return Path(path)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix ``'`` to text cells (and headers) a spreadsheet would run as a formula.

    Only text is touched: numeric columns, and text cells that are plain numbers like ``-5``, stay
    as they are, so figures still add up when opened in Excel.
    """
    out = df.copy()
    for col in out.columns:
        values = out[col]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        # Only real strings can be formulas; object columns may mix in numbers, dates, None.
        text = (values.where(values.map(type) == str) if values.dtype == object else values).astype(str)
        risky = text.str.match(_FORMULA_START) & ~text.str.fullmatch(_PLAIN_NUMBER)
        if risky.any():
            out[col] = values.where(~risky, "'" + text)
    out.columns = [_neutral_name(c) for c in out.columns]
    return out


def _neutral_name(name: object) -> object:
    if isinstance(name, str) and name.startswith(FORMULA_PREFIXES) and not re.fullmatch(_PLAIN_NUMBER, name):
        return "'" + name
    return name


def write_csv_safe(df: pd.DataFrame, path: str | os.PathLike[str], **to_csv_kwargs) -> Path:
    """Write ``df`` as UTF-8 CSV with formulas neutralised, atomically; no index by default.

    Lines end in CRLF (RFC 4180) by default: Python's csv only quotes a field holding a bare
    ``\r`` when ``\r`` is part of the line terminator, and an unquoted one splits the row.
    """
    to_csv_kwargs.setdefault("index", False)
    to_csv_kwargs.setdefault("lineterminator", "\r\n")
    with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
        neutralise_formulas(df).to_csv(fh, **to_csv_kwargs)
    return Path(path)


def slugify(name: str) -> str:
    """Folder-safe form of a client name: lowercase ASCII letters, digits and single hyphens.

    Never empty and never ``.``/``..``: a name with no ASCII letter or digit (``"日本"``) gets a
    stable ``client-<hash>`` so two such clients do not share a folder.
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:_SLUG_MAX].strip("-")
    if slug:
        return slug
    digest = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:10]
    return f"client-{digest}"


def safe_child(base: str | os.PathLike[str], name: str | os.PathLike[str]) -> Path:
    """``base/name`` resolved, refusing anything that lands outside ``base`` (or on it).

    Catches ``..`` segments, absolute paths, empty names and symlinks pointing elsewhere.
    """
    text = os.fspath(name)
    if not str(text).strip() or "\x00" in str(text):
        raise AuditInputError(f"invalid name {text!r}: it must be a non-empty file or folder name")
    if Path(text).is_absolute() or Path(text).anchor:
        raise AuditInputError(f"{text!r} is an absolute path; give a name inside {os.fspath(base)}")
    root = Path(base).resolve()
    candidate = (root / text).resolve()
    if candidate == root or not candidate.is_relative_to(root):
        raise AuditInputError(f"{text!r} points outside {root}; use a plain name such as a slug")
    return candidate


#: Journal of a multi-file publish: written (atomically) once every new file is staged; its
#: presence means "roll forward". See :func:`publish`.
PUBLISH_JOURNAL = ".publish.json"
_STAGED = ".{}.publish"


def publish(directory: str | os.PathLike[str], contents: dict[str, bytes | None]) -> None:
    """Replace several files of ``directory`` as one: readers get all new versions or all old.

    Each new file is first written (and fsynced) beside its target under a temporary name; then
    a journal naming them is written atomically (the commit point); then the files are renamed
    into place (``None`` removes a file, e.g. a PDF the new run does not make). A kill before
    the commit point leaves the old set untouched; a kill after it is completed by
    :func:`recover_publish`, which every run and the playbook stage call first.
    """
    import json

    directory = Path(directory)
    recover_publish(directory)
    staged: dict[str, str | None] = {}
    for name, data in contents.items():
        if data is None:
            staged[name] = None
            continue
        atomic_write_bytes(directory / _STAGED.format(name), data)
        staged[name] = _STAGED.format(name)
    atomic_write_text(directory / PUBLISH_JOURNAL, json.dumps(staged, sort_keys=True))
    recover_publish(directory)


def remove_stale_temps(directory: str | os.PathLike[str]) -> list[str]:
    """Delete the temporary files of atomic writes that a killed process never renamed.

    Only call it when no other writer works in ``directory`` (a run calls it on start): an
    ``atomic_open`` temp is never read, so one left behind is debris, never data.
    """
    removed = []
    for leftover in Path(directory).glob(".*.tmp"):
        if leftover.is_file():
            leftover.unlink(missing_ok=True)
            removed.append(leftover.name)
    return sorted(removed)


def recover_publish(directory: str | os.PathLike[str]) -> None:
    """Finish a committed publish (roll forward) or drop the files of an uncommitted one."""
    import json

    directory = Path(directory)
    journal = directory / PUBLISH_JOURNAL
    if not journal.exists():
        for leftover in directory.glob(_STAGED.format("*")):
            leftover.unlink(missing_ok=True)
        return
    staged = json.loads(journal.read_text(encoding="utf-8"))
    for name, tmp in staged.items():
        if tmp is None:
            (directory / name).unlink(missing_ok=True)
        elif (directory / tmp).exists():
            os.replace(directory / tmp, directory / name)
    _fsync_dir(directory)
    journal.unlink()
    _fsync_dir(directory)
