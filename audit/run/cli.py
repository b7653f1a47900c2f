"""``social-audit``: one command per client audit, a batch of clients, or sentiment alone."""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from audit.common.errors import AuditInputError, StageFailed

EPILOG = """examples:
  social-audit run --data data/sample/twcs_sample.csv --client Acme --brand Acme --brand AcmeHelp
  social-audit run --data export.xlsx --mapping my_tool.yaml --client "Globex Bank" --redact
  social-audit run --config outputs/acme/audit.yaml          # repeat a run (flags given as well override)
  social-audit batch data/sample/clients.yaml --out outputs/demo --jobs 2
  social-audit lab outputs/demo/acme                          # JupyterLab on the run's own notebooks
  social-audit sentiment --data posts.csv --text-column text --out scores.csv
  social-audit topics --data posts.csv --text-column text --out topics.csv
  social-audit compare outputs/q3/acme outputs/q4/acme --out outputs/acme-progress
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
    g.add_argument("--rubric", help="maturity rubric YAML (default: audit/grading/rubrics/default.yaml)")
    g.add_argument("--questionnaire", help="interview answers YAML (see audit/grading/rubrics/questionnaire_template.yaml)")
    g.add_argument("--timezone", default="UTC", help="the client's local time zone for hours, nights and weekends (default: UTC)")
    g.add_argument("--since", metavar="DATE", help="analyse from this local date (YYYY-MM-DD); default: where the data's body starts")
    g.add_argument("--until", metavar="DATE", help="analyse up to this local date, inclusive; default: where the data's body ends")
    g.add_argument("--business-hours", default=None, metavar="SPEC",
                   help='the client\'s business hours in its time zone, e.g. "Mon-Fri 08:00-20:00; Sat 09:00-13:00" '
                        '(default: Mon-Fri 09:00-17:00)')
    g.add_argument("--holidays", metavar="REGION|FILE",
                   help="days off: a country or region (US, US-CA, GB-SCT, DE-BY) or a file with one YYYY-MM-DD per line")
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
    run.add_argument("--config", help="a run's audit.yaml (written into every run folder): repeat that run")
    run.add_argument("--data", help="the export: CSV, TSV, JSON, JSONL, Parquet or Excel (required without --config)")
    run.add_argument("--client", help="client name, for the report and the folder name (required without --config)")
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

    lab = sub.add_parser("lab", help="open JupyterLab on a run folder's own notebooks",
                         description="Open JupyterLab on RUN_DIR/notebooks: the stage notebooks with this run's "
                                     "values in their parameters cell. Change one, run the notebook (and the "
                                     "ones after it): the run's audit.yaml records the change.")
    lab.add_argument("run_dir", help="a run folder, e.g. outputs/demo/acme")

    sent = sub.add_parser("sentiment", help="score the sentiment of a column of texts",
                          description="Score every text of a file and write a CSV with label, score and probabilities.")
    sent.add_argument("--data", required=True, help="CSV, JSON, JSONL, Parquet or Excel file")
    sent.add_argument("--text-column", default="text", help="column holding the texts (default: text)")
    sent.add_argument("--out", required=True, help="output CSV")
    _add_model_options(sent)

    top = sub.add_parser("topics", help="group a column of texts into topics (what customers write about)",
                         description="Discover topics in every text of a file and write a CSV with the file's columns "
                                     "plus topic (-1: no clear topic) and topic_label.")
    top.add_argument("--data", required=True, help="CSV, JSON, JSONL, Parquet or Excel file")
    top.add_argument("--text-column", default="text", help="column holding the texts (default: text)")
    top.add_argument("--out", required=True, help="output CSV")
    top.add_argument("--device", default="auto", help="auto (GPU when present), cpu, cuda, mps (default: auto)")

    comp = sub.add_parser("compare", help="progress between two audits of the same client",
                          description="Compare two finished run folders of the same client (same handles and "
                                      "rubric): level, every KPI then and now with a verdict, the earlier "
                                      "roadmap met or not, new gaps. Writes progress.html/.pdf/.json.")
    comp.add_argument("earlier", help="run folder of the earlier audit (outputs/<client>/)")
    comp.add_argument("later", help="run folder of the later audit")
    comp.add_argument("--out", help="output folder (default: <later run folder>-progress)")
    comp.add_argument("--no-pdf", dest="pdf", action="store_false", help="write the HTML report only")
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
    business_hours: str | None = None
    holidays: str | None = None
    since: str | None = None
    until: str | None = None

    @field_validator("since", "until", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        """YAML reads an unquoted 2017-10-01 as a date: keep it as the text the CLI takes."""
        return value.isoformat() if isinstance(value, dt.date) else value


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
    if not spec.clients:
        raise AuditInputError(f"{path}: `clients` is empty; list at least one client (name, brands, ...).")
    resolved = []
    for c in spec.clients:
        c = c.model_copy(update={"data": c.data or spec.data, "mapping": c.mapping or spec.mapping})
        if not c.data:
            raise AuditInputError(f"{path}: client '{c.name}' has no data file (set `data` on it or at the top).")
        update = {k: str((p.parent / v).resolve()) for k in ("data", "mapping", "questionnaire", "rubric")
                  if (v := getattr(c, k))}
        if c.holidays and (p.parent / c.holidays).is_file():  # else a region code such as US-CA
            update["holidays"] = str((p.parent / c.holidays).resolve())
        resolved.append(c.model_copy(update=update))
    return resolved


def _run_config(args: argparse.Namespace, **overrides):
    from audit.run.config import RunConfig

    keys = ("out", "model", "device", "batch_size", "quantize", "engine", "scheduler", "cache", "rubric",
            "questionnaire", "timezone", "business_hours", "holidays", "since", "until", "redact", "pdf", "fresh")
    values = {k: getattr(args, k) for k in keys if getattr(args, k) is not None}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return RunConfig(**values)


def _config_from_file(args: argparse.Namespace):
    """``--config``: the recorded run, with the flags given on the command line on top."""
    from dataclasses import replace

    from audit.run import runfile
    config = runfile.load(args.config)
    defaults = build_parser().parse_args(["run", "--config", args.config])
    changed = {k: v for k, v in vars(args).items()
               if k not in ("command", "config") and hasattr(config, k) and v != getattr(defaults, k)}
    return replace(config, **changed)


def cmd_run(args: argparse.Namespace) -> int:
    from audit.run.pipeline import run

    if args.config:
        config = _config_from_file(args)
    elif not (args.data and args.client):
        raise AuditInputError("social-audit run needs --data and --client, or --config <run folder>/audit.yaml.")
    else:
        config = _run_config(args, data=args.data, client=args.client, brands=args.brands, mapping=args.mapping)
    summary = run(config, log=lambda m: print(m, flush=True))
    print(f"\n{summary['client']}: level {summary['level']} | rows {summary['input_rows']} = "
          f"{summary['accepted']} accepted + {summary['quarantined']} quarantined | "
          f"sentiment cache hit rate {summary['cache_hit_rate']:.0%}\nrun folder: {summary['run_dir']}")
    if summary.get("encoding_note"):
        print(f"note: {summary['data_name']} was {summary['encoding_note']}; ask for a UTF-8 export if texts look garbled.")
    return 0


def _client_command(client: BatchClient, args: argparse.Namespace) -> list[str]:
    cmd = [sys.executable, "-m", "audit.run.cli", "run", "--data", client.data, "--client", client.name, "--out", args.out]
    for b in client.brands:
        cmd += ["--brand", b]
    for flag, value in (("--mapping", client.mapping), ("--questionnaire", client.questionnaire or args.questionnaire),
                        ("--rubric", client.rubric or args.rubric), ("--model", args.model), ("--device", args.device),
                        ("--timezone", client.timezone or args.timezone),
                        ("--business-hours", client.business_hours or args.business_hours),
                        ("--holidays", client.holidays or args.holidays),
                        ("--since", client.since or args.since), ("--until", client.until or args.until),
                        ("--batch-size", str(args.batch_size)), ("--engine", args.engine),
                        ("--scheduler", args.scheduler), ("--cache", args.cache)):
        if value:
            cmd += [flag, value]
    cmd += [flag for flag, on in (("--quantize", args.quantize), ("--redact", args.redact),
                                   ("--no-pdf", not args.pdf), ("--fresh", args.fresh)) if on]
    return cmd


def _check_batch(clients: list[BatchClient], args: argparse.Namespace) -> None:
    """Every client's parameters, and distinct run folders, before the first client starts."""
    from audit.run.config import RunConfig

    folders: dict[Path, str] = {}
    for client in clients:
        config: RunConfig = _run_config(args, data=client.data, client=client.name, brands=client.brands,
                                        mapping=client.mapping, questionnaire=client.questionnaire,
                                        rubric=client.rubric, timezone=client.timezone,
                                        business_hours=client.business_hours, holidays=client.holidays)
        try:
            config.check()
        except AuditInputError as exc:
            raise AuditInputError(f"client {client.name!r}: {exc}") from None
        run_dir = config.run_dir()
        if run_dir in folders:
            raise AuditInputError(
                f"clients {folders[run_dir]!r} and {client.name!r} would share the run folder {run_dir} "
                "(names that differ only in case or punctuation); rename one of them."
            )
        folders[run_dir] = client.name


def cmd_batch(args: argparse.Namespace) -> int:
    from audit.common import runfolder
    from audit.common.safeio import slugify

    clients = load_batch(args.clients)
    _check_batch(clients, args)
    Path(args.out).mkdir(parents=True, exist_ok=True)  # the clients' logs go there (make demo's outputs/demo)

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
            level = runfolder.read_json(run_dir / runfolder.AUDIT_JSON)["maturity"]["level"]
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
    from audit import textmodel
    from audit.textmodel import TRIAGE_COLUMNS, primary_intent
    from audit.reading.tables import read_table
    from audit.common import checks
    from audit.common.safeio import write_csv_safe

    checks.input_file("data", args.data)
    checks.scoring(args.model, args.device, args.batch_size, args.engine, args.quantize)
    checks.output_file("out", args.out)
    table = read_table(args.data)
    if args.text_column not in table.columns:
        raise AuditInputError(f"{args.data} has no column '{args.text_column}'. Columns found: {', '.join(map(str, table.columns))}. "
                              f"Pass --text-column NAME.")
    options = {"scheduler": args.scheduler} if args.scheduler else None
    scores = textmodel.score(table[args.text_column].fillna("").astype(str).tolist(), model=args.model,
                             batch_size=args.batch_size, device=args.device, quantize=args.quantize, cache=args.cache,
                             engine=args.engine, engine_options=options, show_progress=True, triage=True)
    out = table.reset_index(drop=True).join(scores.drop(columns=list(TRIAGE_COLUMNS)).add_prefix("sentiment_"))
    out = out.join(scores[list(TRIAGE_COLUMNS)]).join(primary_intent(scores)[["intent"]])
    write_csv_safe(out, Path(args.out))
    c = scores.attrs["cache"]
    print(f"{len(out)} texts scored -> {args.out} ({c['unique_texts']} unique, cache hit rate {c['hit_rate']:.0%})")
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from audit.topics.command import topics_table

    out = topics_table(args.data, args.text_column, args.out, device=args.device)
    print(f"{len(out)} texts -> {args.out} ({out['topic'].max() + 1 if len(out) else 0} topics, "
          f"{(out['topic'] >= 0).mean() if len(out) else 0:.0%} of texts in one)")
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    from audit.run.lab import lab

    return lab(args.run_dir)


def cmd_compare(args: argparse.Namespace) -> int:
    from audit.report import progress as compare
    out = args.out or f"{str(args.later).rstrip('/')}-progress"
    written = compare.write(args.earlier, args.later, out, pdf=args.pdf)
    print("progress report: " + ", ".join(written.values()))
    return 0


COMMANDS = {"run": cmd_run, "batch": cmd_batch, "lab": cmd_lab, "sentiment": cmd_sentiment, "compare": cmd_compare,
            "topics": cmd_topics}


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
    except OSError as exc:  # a folder that vanished, a full disk: the OS's words, no traceback
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished stages are kept; re-run the same command to resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
