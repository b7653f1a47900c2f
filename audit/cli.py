"""``social-audit``: one command per client audit, a batch of clients, or sentiment alone."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from audit.errors import AuditInputError, StageFailed

EPILOG = """examples:
  social-audit run --data data/sample/twcs_sample.csv --client Acme --brand Acme --brand AcmeHelp
  social-audit run --data export.xlsx --mapping my_tool.yaml --client "Globex Bank" --redact
  social-audit batch data/sample/clients.yaml --out outputs/demo --jobs 2
  social-audit sentiment --data posts.csv --text-column text --out scores.csv
"""


def _add_model_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model and scoring")
    g.add_argument("--model", help="Hugging Face model id (in the local cache) or directory; default: the bundled offline model")
    g.add_argument("--device", default="auto", help="auto (GPU when present), cpu, cuda, cuda:1, mps (default: auto)")
    g.add_argument("--batch-size", type=int, default=64, help="texts per forward pass (default: 64)")
    g.add_argument("--quantize", action="store_true", help="int8 dynamic quantisation on CPU (faster, ~same labels)")
    g.add_argument("--engine", default="local", help="local or dask (default: local)")
    g.add_argument("--scheduler", help="Dask scheduler address (with --engine dask); none starts a local cluster")
    g.add_argument("--cache", help="score cache file (default: $SOCIAL_AUDIT_CACHE or ~/.cache/social-audit/sentiment.sqlite)")


def _add_run_options(p: argparse.ArgumentParser) -> None:
    _add_model_options(p)
    g = p.add_argument_group("grading and report")
    g.add_argument("--rubric", help="maturity rubric YAML (default: audit/rubrics/default.yaml)")
    g.add_argument("--questionnaire", help="interview answers YAML (see audit/rubrics/questionnaire_template.yaml)")
    g.add_argument("--timezone", default="UTC", help="the client's local time zone for hours, nights and weekends (default: UTC)")
    g.add_argument("--redact", action="store_true", help="mask customer handles, e-mails, phones and long numbers in every output")
    g.add_argument("--no-pdf", dest="pdf", action="store_false", help="write the HTML playbook only")
    g.add_argument("--fresh", action="store_true", help="re-run every stage (default: resume, reusing stages already done)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="social-audit", description="Audit a brand's social customer service and write its playbook.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="audit one client: ingest, score, grade, render the playbook",
                         description="Audit one client. Writes <out>/<client-slug>/ with audit.json, "
                                     "quarantine.csv, playbook.html/.pdf and the executed notebooks.")
    run.add_argument("--data", required=True, help="the export: CSV, TSV, JSON, JSONL, Parquet or Excel")
    run.add_argument("--client", required=True, help="client name (used for the report and the folder name)")
    run.add_argument("--brand", dest="brands", action="append", default=[], metavar="HANDLE",
                     help="a brand handle of the client (repeat for several; default: every brand in the data)")
    run.add_argument("--mapping", help="YAML column mapping for exports not in the TWCS layout")
    run.add_argument("--out", default="outputs", help="parent folder of run folders (default: outputs)")
    _add_run_options(run)

    batch = sub.add_parser("batch", help="audit many clients listed in a YAML file",
                           description="Run every client in CLIENTS (YAML: data, clients: [{name, brands, ...}]). "
                                       "One client's failure is reported and does not stop the others.")
    batch.add_argument("clients", help="clients YAML (see data/sample/clients.yaml)")
    batch.add_argument("--out", default="outputs", help="parent folder of run folders (default: outputs)")
    batch.add_argument("--jobs", type=int, default=1, help="clients audited at the same time (default: 1)")
    _add_run_options(batch)

    sent = sub.add_parser("sentiment", help="score the sentiment of a column of texts",
                          description="Score every text of a file and write a CSV with label, score and probabilities.")
    sent.add_argument("--data", required=True, help="CSV, JSON, JSONL, Parquet or Excel file")
    sent.add_argument("--text-column", default="text", help="column holding the texts (default: text)")
    sent.add_argument("--out", required=True, help="output CSV")
    _add_model_options(sent)
    return parser


class BatchClient(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    brands: list[str] = []
    data: str | None = None
    mapping: str | None = None
    questionnaire: str | None = None
    rubric: str | None = None
    timezone: str | None = None


class BatchFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: str | None = None
    mapping: str | None = None
    clients: list[BatchClient]


def load_batch(path: str) -> list[BatchClient]:
    """Read and validate the clients file; relative paths are relative to the file."""
    p = Path(path)
    if not p.is_file():
        raise AuditInputError(f"{path}: no such clients file.")
    try:
        spec = BatchFile.model_validate(yaml.safe_load(p.read_text(encoding="utf-8")) or {})
    except (ValidationError, yaml.YAMLError) as exc:
        raise AuditInputError(f"{path} is not a valid clients file: {exc}") from None
    resolved = []
    for c in spec.clients:
        c = c.model_copy(update={"data": c.data or spec.data, "mapping": c.mapping or spec.mapping})
        if not c.data:
            raise AuditInputError(f"{path}: client '{c.name}' has no data file (set `data` on it or at the top).")
        update = {k: str((p.parent / v).resolve()) for k in ("data", "mapping", "questionnaire", "rubric")
                  if (v := getattr(c, k))}
        resolved.append(c.model_copy(update=update))
    return resolved


def _run_config(args: argparse.Namespace, **overrides):
    from audit.pipeline import RunConfig

    keys = ("out", "model", "device", "batch_size", "quantize", "engine", "scheduler", "cache", "rubric",
            "questionnaire", "timezone", "redact", "pdf", "fresh")
    values = {k: getattr(args, k) for k in keys}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return RunConfig(**values)


def cmd_run(args: argparse.Namespace) -> int:
    from audit.pipeline import run

    config = _run_config(args, data=args.data, client=args.client, brands=args.brands, mapping=args.mapping)
    summary = run(config, log=lambda m: print(m, flush=True))
    print(f"\n{summary['client']}: level {summary['level']} | rows {summary['input_rows']} = "
          f"{summary['accepted']} accepted + {summary['quarantined']} quarantined | "
          f"sentiment cache hit rate {summary['cache_hit_rate']:.0%}\nrun folder: {summary['run_dir']}")
    return 0


def _client_command(client: BatchClient, args: argparse.Namespace) -> list[str]:
    cmd = [sys.executable, "-m", "audit.cli", "run", "--data", client.data, "--client", client.name, "--out", args.out]
    for b in client.brands:
        cmd += ["--brand", b]
    for flag, value in (("--mapping", client.mapping), ("--questionnaire", client.questionnaire or args.questionnaire),
                        ("--rubric", client.rubric or args.rubric), ("--model", args.model), ("--device", args.device),
                        ("--timezone", client.timezone or args.timezone),
                        ("--batch-size", str(args.batch_size)), ("--engine", args.engine),
                        ("--scheduler", args.scheduler), ("--cache", args.cache)):
        if value:
            cmd += [flag, value]
    cmd += [flag for flag, on in (("--quantize", args.quantize), ("--redact", args.redact),
                                   ("--no-pdf", not args.pdf), ("--fresh", args.fresh)) if on]
    return cmd


def cmd_batch(args: argparse.Namespace) -> int:
    from audit import files
    from audit.safeio import slugify

    clients = load_batch(args.clients)
    Path(args.out).mkdir(parents=True, exist_ok=True)

    def one(client: BatchClient) -> dict:
        t0 = time.time()
        log_path = Path(args.out) / f"{slugify(client.name)}.log"
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.run(_client_command(client, args), stdout=log, stderr=subprocess.STDOUT)
        lines = log_path.read_text(encoding="utf-8").strip().splitlines()
        status = "ok" if proc.returncode == 0 else "FAILED"
        level = "-"
        if status == "ok":  # the grade as recorded, not scraped from the log
            run_dir = _run_config(args, data=client.data, client=client.name).run_dir()
            level = files.read_json(run_dir / files.AUDIT_JSON)["maturity"]["level"]
        message = "" if status == "ok" else (lines[-1] if lines else f"exit {proc.returncode}")
        print(f"[{client.name}] {status}" + (f": {message}" if message else ""), flush=True)
        return {"client": client.name, "status": status, "level": level, "seconds": round(time.time() - t0, 1),
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
          f"Run folders: {args.out}/<client>/ (playbook.html, playbook.pdf, audit.json).")
    return 1 if failed else 0


def cmd_sentiment(args: argparse.Namespace) -> int:
    from audit import sentiment
    from audit.textmodel import TRIAGE_COLUMNS, primary_intent
    from audit.ingest import read_table
    from audit.safeio import write_csv_safe

    table = read_table(args.data)
    if args.text_column not in table.columns:
        raise AuditInputError(f"{args.data} has no column '{args.text_column}'. Columns found: {', '.join(map(str, table.columns))}. "
                              f"Pass --text-column NAME.")
    options = {"scheduler": args.scheduler} if args.scheduler else None
    scores = sentiment.score(table[args.text_column].fillna("").astype(str).tolist(), model=args.model,
                             batch_size=args.batch_size, device=args.device, quantize=args.quantize, cache=args.cache,
                             engine=args.engine, engine_options=options, show_progress=True, triage=True)
    out = table.reset_index(drop=True).join(scores.drop(columns=list(TRIAGE_COLUMNS)).add_prefix("sentiment_"))
    out = out.join(scores[list(TRIAGE_COLUMNS)]).join(primary_intent(scores)[["intent"]])
    write_csv_safe(out, Path(args.out))
    c = scores.attrs["cache"]
    print(f"{len(out)} texts scored -> {args.out} ({c['unique_texts']} unique, cache hit rate {c['hit_rate']:.0%})")
    return 0


COMMANDS = {"run": cmd_run, "batch": cmd_batch, "sentiment": cmd_sentiment}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AuditInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StageFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: finished stages are kept; re-run the same command to resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
