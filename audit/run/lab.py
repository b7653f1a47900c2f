"""``social-audit lab``: JupyterLab on a run folder's own notebooks (never on the templates)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.run.notebook_copies import ensure


def lab_command(run_dir: Path) -> list[str]:
    """JupyterLab rooted at the run folder (so the templates in ``notebooks/`` are out of reach and
    stay clean), opening the analysis notebook."""
    first = (Path(runfolder.NOTEBOOKS) / "03_analysis.ipynb").as_posix()
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers, CI
    return [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={Path(run_dir).resolve()}", *as_root, first]


def lab(run_dir: str | Path) -> int:
    """``social-audit lab <run folder>``."""
    run_dir = Path(run_dir)
    if not (run_dir / runfolder.CONFIG).is_file():
        raise AuditInputError(f"{run_dir} is not a run folder with an {runfolder.CONFIG}: audit the client first "
                              f"(social-audit run ..., or make demo), then open its folder.")
    ensure(run_dir)
    return subprocess.call(lab_command(run_dir), cwd=run_dir)
