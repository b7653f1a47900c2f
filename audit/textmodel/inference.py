"""Shared plumbing for running a transformer over many short texts fast on a laptop.

Both the sentiment scorer and the intent embedder use it: pick the device, use every core,
de-duplicate, sort by length so each batch pads to its own longest text, and show progress.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

import numpy as np

MAX_TOKENS = 128


def resolve_device(device: str = "auto") -> str:
    """``auto`` picks CUDA, then Apple MPS, else CPU; anything else is passed to torch as-is."""
    import torch

    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def use_all_cores() -> None:
    """torch defaults to physical cores of one socket; a laptop audit should use them all."""
    import torch

    n = os.cpu_count() or 1
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def length_sorted_batches(texts: Sequence[str], batch_size: int) -> Iterator[np.ndarray]:
    """Yield index arrays into ``texts``, longest first, so padding stays small and memory
    peaks early (an out-of-memory error shows up in the first batch, not the last)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    order = np.argsort(-lengths, kind="stable")
    for start in range(0, len(order), batch_size):
        yield order[start:start + batch_size]


def progress(total: int, desc: str, enabled: bool | None = None):
    """A tqdm bar that renders as a widget-free text bar in papermill notebooks and terminals."""
    from tqdm import tqdm  # the text bar: widgets do not survive papermill's saved outputs

    if enabled is None:
        enabled = total >= 2000
    return tqdm(total=total, desc=desc, unit="text", disable=not enabled, mininterval=1.0,
                dynamic_ncols=True, ascii=os.environ.get("AUDIT_ASCII_PROGRESS") == "1")


def run_batched(
    texts: Sequence[str],
    forward: Callable[[list[str]], np.ndarray],
    batch_size: int,
    desc: str,
    show_progress: bool | None = None,
) -> np.ndarray:
    """Apply ``forward`` (list of texts -> 2-D array, one row per text) over unique texts in
    length-sorted batches and return rows in the original order of ``texts``."""
    texts = list(texts)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    uniques, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    out: np.ndarray | None = None
    with progress(len(uniques), desc, show_progress) as bar:
        for idx in length_sorted_batches(uniques, batch_size):
            rows = forward([uniques[i] for i in idx])
            if out is None:
                out = np.empty((len(uniques), rows.shape[1]), dtype=np.float32)
            out[idx] = rows
            bar.update(len(idx))
    return out[inverse]
