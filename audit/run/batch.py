"""``social-audit batch``: every client of a YAML file, each audited by its own ``social-audit run``.

Why derived from the declared parameters (:mod:`audit.run.parameters`): the file's keys, the
batch command's flags and the command run for each client used to be three lists kept in step
by hand, and the pre-check a fourth that forgot ``since``/``until``. Here each client's full
:class:`RunConfig` is built once, checked before the first client starts, and turned back into
the ``run`` flags that give it.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from audit.common import cluster, runfolder
from audit.common.decoding import read_user_file
from audit.common.errors import AuditInputError
from audit.common.safeio import slugify
from audit.run.config import RunConfig, absolute
from audit.run.parameters import PARAMETERS, Batch, Kind, Parameter, defaults, given, read_settings

#: the batch command's flags: the same for every client, every client's default, or the batch's own
FLAGS = tuple(p for p in PARAMETERS if p.batch in (Batch.COMMAND, Batch.CLIENT, Batch.WHOLE))
#: the keys of a client in the file (its own first: name, brands), and those the file may set at
#: the top: for all its clients, or the batch's own
CLIENT_KEYS = tuple(sorted((p for p in PARAMETERS if p.batch in (Batch.CLIENT, Batch.FILE, Batch.OWN)),
                           key=lambda p: p.batch is not Batch.OWN))
TOP_KEYS = tuple(p for p in PARAMETERS if p.batch in (Batch.FILE, Batch.WHOLE))
#: where the batch runs (the Dask scheduler): never part of a client's run
WHOLE = tuple(p for p in PARAMETERS if p.batch is Batch.WHOLE)
#: ``social-audit run`` in a Python: what each client runs
RUN = ("-m", "audit.run.cli", "run")


def _model(name: str, params: tuple[Parameter, ...], **more: Any) -> type[BaseModel]:
    """A strict model of those keys: a client's own required key (its name) must be there; any
    other may be left out (``None``: taken from the top of the file, a flag or the default)."""
    fields = {p.key: (p.type, ...) if p.required and p.batch is Batch.OWN else (p.type | None, None) for p in params}
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields, **more)


BatchClient = _model("BatchClient", CLIENT_KEYS)
BatchFile = _model("BatchFile", TOP_KEYS, clients=(list[BatchClient], ...))


def _from_file(params: tuple[Parameter, ...], entry: BaseModel, base: Path) -> dict[str, Any]:
    """The values ``entry`` sets, by parameter name; relative paths read against the file's folder."""
    values = {}
    for p in params:
        value = getattr(entry, p.key)
        if value is None:
            continue
        if p.kind is Kind.PATH or (p.kind is Kind.FILE_OR_NAME and (base / value).is_file()):
            value = str((base / value).resolve())
        values[p.name] = value
    return values


def _read(path: str) -> Any:
    """The clients file, validated."""
    p = Path(path)
    if not p.is_file():
        raise AuditInputError(f"{path}: no such clients file.")
    try:
        spec = BatchFile.model_validate(read_settings(read_user_file(p)) or {})
    except (ValidationError, yaml.YAMLError) as exc:
        raise AuditInputError(f"{path} is not a valid clients file: {exc}") from None
    if not spec.clients:
        raise AuditInputError(f"{path}: `clients` is empty; list at least one client (name, brands, ...).")
    return spec


def load(path: str) -> list[dict[str, Any]]:
    """Read and validate the clients file: each client's values (its own keys, else the file's
    top-level ones), by parameter name."""
    spec, base = _read(path), Path(path).parent
    shared = tuple(q for q in TOP_KEYS if q.batch is Batch.FILE)
    top = _from_file(shared, spec, base)
    clients = []
    for entry in spec.clients:
        values = top | _from_file(CLIENT_KEYS, entry, base)
        missing = [q.key for q in shared if q.required and q.name not in values]
        if missing:
            raise AuditInputError(f"{path}: client '{values['client']}' has no {missing[0]} "
                                  f"(set `{missing[0]}` on it or at the top).")
        clients.append(values)
    return clients


def configs(path: str, args: argparse.Namespace) -> list[RunConfig]:
    """Each client's full configuration: its values from the file over the batch command's flags."""
    flags = given(args, tuple(p for p in FLAGS if p.batch is not Batch.WHOLE))
    return [RunConfig(**(flags | values)) for values in load(path)]


def settings(path: str, args: argparse.Namespace) -> dict[str, Any]:
    """The batch's own settings (:data:`WHOLE`): a flag given, else the file's top-level key."""
    return _from_file(WHOLE, _read(path), Path(path).parent) | given(args, WHOLE)


def check(clients: list[RunConfig]) -> None:
    """Every client's parameters, and distinct run folders, before the first client starts."""
    folders: dict[Path, str] = {}
    for config in clients:
        try:
            config.check()
        except AuditInputError as exc:
            raise AuditInputError(f"client {config.client!r}: {exc}") from None
        run_dir = config.run_dir()
        if run_dir in folders:
            raise AuditInputError(
                f"clients {folders[run_dir]!r} and {config.client!r} would share the run folder {run_dir} "
                "(names that differ only in case or punctuation); rename one of them."
            )
        folders[run_dir] = config.client


def flags(config: RunConfig) -> list[str]:
    """The ``run`` flags that give this client's configuration."""
    return [arg for p in PARAMETERS for arg in p.argv(getattr(config, p.name))]


def command(config: RunConfig) -> list[str]:
    """The ``social-audit run`` that audits this client (each in its own process: one client's
    crash or memory never takes the others down)."""
    return [sys.executable, *RUN, *flags(config)]


def audit_client(run_flags: list[str], log_path: str, audit_json: str) -> dict[str, Any]:
    """``social-audit run`` with these flags in this machine's Python, its output to ``log_path``:
    whether it passed, its grade as recorded (not scraped from the log), the log's last line when
    it failed, its seconds. On a cluster this is the task a worker runs, in the worker's Python."""
    t0 = time.time()
    with open(log_path, "w", encoding="utf-8") as log:
        code = subprocess.run([sys.executable, *RUN, *run_flags], stdout=log, stderr=subprocess.STDOUT,
                              env=cluster.child_env()).returncode
    lines = Path(log_path).read_text(encoding="utf-8", errors="replace").strip().splitlines()
    ok = code == 0
    return {"ok": ok, "level": runfolder.read_json(Path(audit_json))["maturity"]["level"] if ok else "-",
            "message": "" if ok else (lines[-1] if lines else f"exit {code}"), "seconds": round(time.time() - t0, 1)}


Call = tuple[list[str], str, str]


def _calls(clients: list[RunConfig], out: Path) -> list[Call]:
    """Each client's :func:`audit_client` arguments, every path absolute (a worker's working
    folder is not the batch's)."""
    return [(flags(config), str((out / f"{slugify(config.client)}.log").resolve()),
             str((config.run_dir() / runfolder.AUDIT_JSON).resolve())) for config in map(absolute, clients)]


def _here(calls: list[Call], jobs: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each client on this machine, ``jobs`` at a time, as they finish."""
    print(f"auditing {len(calls)} client(s), {jobs} at a time", flush=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(audit_client, *call): i for i, call in enumerate(calls)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _on_cluster(address: str, calls: list[Call]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each client as one task on the cluster's workers, as they finish; a task that failed or
    whose worker was lost is that client's failure, never the others'."""
    client = cluster.connect(address)
    try:
        print(f"auditing {len(calls)} client(s) on the Dask cluster at {address}: {cluster.describe(client)}",
              flush=True)
        for i, outcome, seconds in cluster.each_task(client, audit_client, calls):
            if isinstance(outcome, Exception):
                reason = next(iter(str(outcome).strip().splitlines()), "")
                outcome = {"ok": False, "level": "-", "seconds": seconds,
                           "message": f"its task failed on the cluster ({type(outcome).__name__}"
                                      f"{': ' if reason else ''}{reason})"}
            yield i, outcome
    finally:
        client.close()


def cmd_batch(args: argparse.Namespace) -> int:
    clients = configs(args.clients, args)
    check(clients)
    address = settings(args.clients, args).get("scheduler")
    if address and clients[0].engine != "local":  # the engine is a flag of the batch: every client's
        raise AuditInputError(f"batch --scheduler runs each client on a worker and scores it there: "
                              f"drop --engine {clients[0].engine}.")
    out = Path(given(args).get("out", defaults()["out"]))
    out.mkdir(parents=True, exist_ok=True)  # the clients' logs go there (make demo's outputs/demo)
    calls = _calls(clients, out)
    results: list[dict[str, Any]] = [{}] * len(clients)
    for i, outcome in _on_cluster(address, calls) if address else _here(calls, max(1, args.jobs)):
        name, status = clients[i].client, "ok" if outcome["ok"] else "FAILED"
        print(f"[{name}] {status}" + (f": {outcome['message']}" if outcome["message"] else ""), flush=True)
        results[i] = {**outcome, "client": name, "status": status, "log": calls[i][1]}
    width = max(len(r["client"]) for r in results)
    print(f"\n{'client':<{width}}  status  level             seconds  log")
    for r in results:
        print(f"{r['client']:<{width}}  {r['status']:<6}  {r['level']:<16}  {r['seconds']:>7}  {r['log']}")
    failed = [r for r in results if r["status"] != "ok"]
    print(f"\n{len(results) - len(failed)} of {len(results)} client(s) audited. "
          f"Run folders: {out}/<client>/ (playbook.html, playbook.pdf, audit.json).")
    return 1 if failed else 0
