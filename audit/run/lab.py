"""``social-audit lab``: JupyterLab on a run folder's own notebooks (never on the templates)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.run.notebook_copies import ensure


def lab_command(run_dir: Path, port: int | None = None, browser: bool = True) -> list[str]:
    """JupyterLab rooted at the run folder (so the templates in ``notebooks/`` are out of reach and
    stay clean), opening the analysis notebook; ``port`` and ``browser`` are JupyterLab's own
    ``--port`` and ``--no-browser``, passed through."""
    first = (Path(runfolder.NOTEBOOKS) / "03_analysis.ipynb").as_posix()
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers, CI
    server = ([f"--port={port}"] if port is not None else []) + ([] if browser else ["--no-browser"])
    return [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={Path(run_dir).resolve()}", *as_root,
            *server, first]


def lab(run_dir: str | Path, port: int | None = None, browser: bool = True) -> int:
    """``social-audit lab <run folder>``."""
    run_dir = Path(run_dir)
    if not (run_dir / runfolder.CONFIG).is_file():
        raise AuditInputError(f"{run_dir} is not a run folder with an {runfolder.CONFIG}: audit the client first "
                              f"(social-audit run ..., or make demo), then open its folder.")
    ensure(run_dir)
    if port is not None and not 0 < port < 65536:
        raise AuditInputError(f"--port {port}: use a port number from 1 to 65535.")
    return subprocess.call(lab_command(run_dir, port, browser), cwd=run_dir)
