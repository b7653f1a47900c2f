"""Parameter checks that run before any stage: a typo costs one clear message, not a stage failure
after ingest and scoring.

Each function raises :class:`AuditInputError` (the CLI prints it and exits with status 2).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from audit.common.errors import AuditInputError

ENGINES = ("local", "dask")
_DEVICE = re.compile(r"auto|cpu|mps|cuda(?::\d+)?")


def timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise AuditInputError(
            f"Unknown time zone '{name}': use an IANA name such as Europe/London or America/New_York."
        ) from None


def input_file(flag: str, value: str | None) -> None:
    if value and not Path(value).is_file():
        what = "a folder, not a file" if Path(value).is_dir() else "no such file"
        raise AuditInputError(f"--{flag} {value}: {what}.")


def batch_size(value: int) -> None:
    if not isinstance(value, int) or value < 1:
        raise AuditInputError(f"--batch-size {value}: must be a whole number of at least 1 (default 64).")


def engine(name: str) -> None:
    if name not in ENGINES:
        raise AuditInputError(f"--engine {name}: use one of {', '.join(ENGINES)}.")


def scheduler(address: str | None, engine: str) -> None:
    """Only the dask engine scores on a scheduler (the local engine would fail on its first text)."""
    if address and engine != "dask":
        raise AuditInputError(f"--scheduler {address} is where --engine dask scores: add --engine dask.")


def device(device: str, quantize: bool) -> None:
    """A device this machine has; int8 quantisation only with the CPU."""
    if not _DEVICE.fullmatch(device or ""):
        raise AuditInputError(f"--device {device}: use auto, cpu, cuda, cuda:N or mps.")
    if quantize and device not in ("auto", "cpu"):
        raise AuditInputError("--quantize is int8 on the CPU: drop it or use --device cpu.")
    if device.startswith("cuda"):
        import torch

        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = int(device.partition(":")[2] or 0)
        if index >= count:
            found = f"{count} CUDA GPU(s) found" if count else "no CUDA GPU found on this machine"
            raise AuditInputError(f"--device {device}: {found}; use --device auto (GPU when present) or cpu.")
    elif device == "mps":
        import torch

        if not torch.backends.mps.is_available():
            raise AuditInputError("--device mps: Apple's MPS is not available here; use --device auto or cpu.")


def model(model: str | None) -> None:
    """A model directory with a config.json, or a Hugging Face id already in the local cache
    (checked without loading the model); ``None`` is the bundled model."""
    if not model:
        return
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir() or not (path / "config.json").is_file():
            raise AuditInputError(
                f"--model {model}: not a model directory (a folder with config.json and weights)."
            )
        return
    hub_like = re.fullmatch(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?", model) and not model.startswith(".")
    if not hub_like:
        raise AuditInputError(f"--model {model}: no such model directory.")
    if os.environ.get("SOCIAL_AUDIT_ALLOW_DOWNLOAD") == "1":
        return
    try:
        from huggingface_hub import snapshot_download

        snapshot_download(model, local_files_only=True)
    except Exception:
        raise AuditInputError(
            f"--model {model}: no such directory, and not a Hugging Face model in the local cache "
            "(downloads are off; set SOCIAL_AUDIT_ALLOW_DOWNLOAD=1 to allow them, or leave --model "
            "out to use the bundled offline model)."
        ) from None


def writable_folder(flag: str, folder: str | os.PathLike) -> None:
    """The folder exists or could be made, and a file can be written there (nothing is left
    behind: a check that fails later must not have created the folder)."""
    path = Path(folder).absolute()
    if path.exists() and not path.is_dir():
        raise AuditInputError(f"--{flag} {folder}: is a file; give a folder.")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise AuditInputError(f"--{flag} {folder}: cannot write there ({existing} is a file).")
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise AuditInputError(f"--{flag} {folder}: cannot write there ({exc.strerror or exc}).") from None


def output_file(flag: str, value: str) -> None:
    """An output file path: not a folder, and its folder writable."""
    path = Path(value)
    if path.is_dir():
        raise AuditInputError(f"--{flag} {value}: is a folder; give a file name such as scores.csv.")
    writable_folder(flag, path.parent if str(path.parent) else ".")
