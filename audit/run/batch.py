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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from audit.common import runfolder
from audit.common.decoding import read_user_file
from audit.common.errors import AuditInputError
from audit.common.safeio import slugify
from audit.run.config import RunConfig
from audit.run.parameters import PARAMETERS, Batch, Kind, Parameter, defaults, given, read_settings

#: the batch command's flags: the same for every client, or every client's default
FLAGS = tuple(p for p in PARAMETERS if p.batch in (Batch.COMMAND, Batch.CLIENT))
#: the keys of a client in the file (its own first: name, brands), and those the file may set for
#: all its clients at the top
CLIENT_KEYS = tuple(sorted((p for p in PARAMETERS if p.batch in (Batch.CLIENT, Batch.FILE, Batch.OWN)),
                           key=lambda p: p.batch is not Batch.OWN))
TOP_KEYS = tuple(p for p in PARAMETERS if p.batch is Batch.FILE)


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


def load(path: str) -> list[dict[str, Any]]:
    """Read and validate the clients file: each client's values (its own keys, else the file's
    top-level ones), by parameter name."""
    p = Path(path)
    if not p.is_file():
        raise AuditInputError(f"{path}: no such clients file.")
    try:
        spec = BatchFile.model_validate(read_settings(read_user_file(p)) or {})
    except (ValidationError, yaml.YAMLError) as exc:
        raise AuditInputError(f"{path} is not a valid clients file: {exc}") from None
    if not spec.clients:
        raise AuditInputError(f"{path}: `clients` is empty; list at least one client (name, brands, ...).")
    top = _from_file(TOP_KEYS, spec, p.parent)
    clients = []
    for entry in spec.clients:
        values = top | _from_file(CLIENT_KEYS, entry, p.parent)
        missing = [q.key for q in TOP_KEYS if q.required and q.name not in values]
        if missing:
            raise AuditInputError(f"{path}: client '{values['client']}' has no {missing[0]} "
                                  f"(set `{missing[0]}` on it or at the top).")
        clients.append(values)
    return clients


def configs(path: str, args: argparse.Namespace) -> list[RunConfig]:
    """Each client's full configuration: its values from the file over the batch command's flags."""
    flags = given(args, FLAGS)
    return [RunConfig(**(flags | values)) for values in load(path)]


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


def command(config: RunConfig) -> list[str]:
    """The ``social-audit run`` that audits this client (each in its own process: one client's
    crash or memory never takes the others down)."""
    flags = [arg for p in PARAMETERS for arg in p.argv(getattr(config, p.name))]
    return [sys.executable, "-m", "audit.run.cli", "run", *flags]


def cmd_batch(args: argparse.Namespace) -> int:
    clients = configs(args.clients, args)
    check(clients)
    out = Path(given(args).get("out", defaults()["out"]))
    out.mkdir(parents=True, exist_ok=True)  # the clients' logs go there (make demo's outputs/demo)

    def one(config: RunConfig) -> dict:
        t0 = time.time()
        log_path = out / f"{slugify(config.client)}.log"
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.run(command(config), stdout=log, stderr=subprocess.STDOUT)
        lines = log_path.read_text(encoding="utf-8").strip().splitlines()
        status = "ok" if proc.returncode == 0 else "FAILED"
        level = "-"
        if status == "ok":  # the grade as recorded, not scraped from the log
            level = runfolder.read_json(config.run_dir() / runfolder.AUDIT_JSON)["maturity"]["level"]
        message = "" if status == "ok" else (lines[-1] if lines else f"exit {proc.returncode}")
        print(f"[{config.client}] {status}" + (f": {message}" if message else ""), flush=True)
        return {"client": config.client, "status": status, "level": level, "seconds": round(time.time() - t0, 1),
                "log": str(log_path), "message": message}

    print(f"auditing {len(clients)} client(s), {args.jobs} at a time", flush=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, clients))
    width = max(len(r["client"]) for r in results)
    print(f"\n{'client':<{width}}  status  level             seconds  log")
    for r in results:
        print(f"{r['client']:<{width}}  {r['status']:<6}  {r['level']:<16}  {r['seconds']:>7}  {r['log']}")
    failed = [r for r in results if r["status"] != "ok"]
    print(f"\n{len(results) - len(failed)} of {len(results)} client(s) audited. "
          f"Run folders: {out}/<client>/ (playbook.html, playbook.pdf, audit.json).")
    return 1 if failed else 0
