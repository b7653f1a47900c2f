"""One run per run folder at a time: a lock file that names its holder.

Why: two runs into one folder with different exports interleave their stages, and the first
reports the second's rows as its own. ``fcntl.flock`` is released by the kernel when its holder
dies, so a lock left by a killed run (a dead pid in the file) is simply taken over.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from audit.common.errors import AuditInputError

LOCK = ".run.lock"
#: the run folder whose lock this process's run holds, for the notebook kernels it starts
HELD = "SOCIAL_AUDIT_RUN_LOCK_HELD"


def _holder(handle) -> str:
    """The running holder in words, from the lock file's content."""
    handle.seek(0)
    try:
        who = json.loads(handle.read() or "{}")
    except ValueError:
        who = {}
    return (f"pid {who.get('pid', '?')} on {who.get('host', '?')}, started {who.get('started', '?')}")


@contextmanager
def run_lock(run_dir: str | os.PathLike) -> Iterator[None]:
    """Hold ``run_dir``'s lock for the block; a second holder is refused in one sentence."""
    path = Path(run_dir) / LOCK
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AuditInputError(f"Another run is writing {run_dir} ({_holder(handle)}); wait for it to "
                                  "finish, or run into another folder.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def lock_held_for_kernels(run_dir: str | os.PathLike) -> Iterator[None]:
    """Tell the notebook kernels a run starts (they inherit the environment) that their run
    already holds ``run_dir``'s lock, so their stages do not wait on their own run."""
    previous = os.environ.get(HELD)
    os.environ[HELD] = str(Path(run_dir).resolve())
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(HELD, None)
        else:
            os.environ[HELD] = previous


@contextmanager
def stage_lock(run_dir: str | os.PathLike) -> Iterator[None]:
    """The lock a notebook's stage takes: none inside a run that holds it, else :func:`run_lock`."""
    if os.environ.get(HELD) == str(Path(run_dir).resolve()):
        yield
        return
    with run_lock(run_dir):
        yield
