"""``social-audit``: one command per client audit, a batch of clients, or sentiment alone."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from audit.common.errors import AuditInputError, StageFailed
from audit.run.batch import CLIENT_KEYS as BATCH_CLIENT
from audit.run.batch import FLAGS as BATCH_FLAGS
from audit.run.batch import TOP_KEYS as BATCH_TOP
from audit.run.batch import cmd_batch
from audit.run.parameters import BY_NAME, PARAMETERS, Batch, Parameter, add_flags, check, defaults, given, of_stage

#: the run parameters ``social-audit topics`` takes
TOPICS_FLAGS = (BY_NAME["device"],)

EPILOG = """examples:
  social-audit run --data data/sample/twcs_sample.csv --client Acme --brand Acme --brand AcmeHelp
  social-audit run --data export.xlsx --mapping my_tool.yaml --client "Globex Bank" --redact
  social-audit run --config outputs/acme/audit.yaml          # repeat a run (flags given as well override)
  social-audit batch data/sample/clients.yaml --out outputs/demo --jobs 2
  social-audit batch clients.yaml --scheduler tcp://scheduler:8786   # each client on a Dask worker
  social-audit lab outputs/demo/acme                          # JupyterLab on the run's own notebooks
  social-audit sentiment --data posts.csv --text-column text --out scores.csv
  social-audit topics --data posts.csv --text-column text --out topics.csv
  social-audit compare outputs/q3/acme outputs/q4/acme --out outputs/acme-progress
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="social-audit", description="Audit a brand's social customer service and write its playbook.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="audit one client: ingest, score, grade, render the playbook",
                         description="Audit one client. Writes <out>/<client-slug>/ with audit.json, "
                                     "quarantine.csv, playbook.html/.pdf and the executed notebooks.")
    run.add_argument("--config", help="a run's audit.yaml (written into every run folder): repeat that run")
    add_flags(run, PARAMETERS, note=lambda p: " (required without --config)" if p.required else "")

    batch = sub.add_parser("batch", help="audit many clients listed in a YAML file",
                           description=f"Run every client in CLIENTS (YAML: {', '.join(p.key for p in BATCH_TOP)}, "
                                       f"clients: [{{{', '.join(p.key for p in BATCH_CLIENT)}}}]; relative paths "
                                       "are relative to the file). Every client's settings are checked before the "
                                       "first starts: one bad client refuses the whole batch. Once started, a "
                                       "client whose audit fails is reported and does not stop the others. With "
                                       "--scheduler, each client is a task on a worker of that Dask cluster "
                                       "(the workers need social-audit and the same paths: a shared file system).")
    batch.add_argument("clients", help="clients YAML (see data/sample/clients.yaml)")
    add_flags(batch, BATCH_FLAGS, note=_batch_note)
    batch.add_argument("--jobs", type=int, default=1, help="clients audited at the same time on this machine "
                                                           "(default: 1; with --scheduler: the workers' threads)")

    lab = sub.add_parser("lab", help="open JupyterLab on a run folder's own notebooks",
                         description="Open JupyterLab on RUN_DIR/notebooks: the stage notebooks with this run's "
                                     "values in their parameters cell. Change one, run the notebook (and the "
                                     "ones after it): the run's audit.yaml records the change.")
    lab.add_argument("run_dir", help="a run folder, e.g. outputs/demo/acme")
    lab.add_argument("--port", type=int, help="the port JupyterLab listens on (default: JupyterLab's, 8888 or the "
                                              "next free one)")
    lab.add_argument("--no-browser", dest="browser", action="store_false",
                     help="start the server without opening a browser (print its address only)")

    sent = sub.add_parser("sentiment", help="score the sentiment of a column of texts",
                          description="Score every text of a file and write a CSV with label, score and probabilities.")
    sent.add_argument("--data", required=True, help="CSV, JSON, JSONL, Parquet or Excel file")
    sent.add_argument("--text-column", default="text", help="column holding the texts (default: text)")
    sent.add_argument("--out", required=True, help="output CSV")
    add_flags(sent, of_stage("score"))

    top = sub.add_parser("topics", help="group a column of texts into topics (what customers write about)",
                         description="Discover topics in every text of a file and write a CSV with the file's columns "
                                     "plus topic (-1: no clear topic) and topic_label.")
    top.add_argument("--data", required=True, help="CSV, JSON, JSONL, Parquet or Excel file")
    top.add_argument("--text-column", default="text", help="column holding the texts (default: text)")
    top.add_argument("--out", required=True, help="output CSV")
    add_flags(top, TOPICS_FLAGS)

    comp = sub.add_parser("compare", help="progress between two audits of the same client",
                          description="Compare two finished run folders of the same client (same handles and "
                                      "rubric): level, every KPI then and now with a verdict, the earlier "
                                      "roadmap met or not, new gaps. Writes progress.html/.pdf/.json.")
    comp.add_argument("earlier", help="run folder of the earlier audit (outputs/<client>/)")
    comp.add_argument("later", help="run folder of the later audit")
    comp.add_argument("--out", help="output folder (default: <later run folder>-progress)")
    comp.add_argument("--no-pdf", dest="pdf", action="store_false", help="write the HTML report only")
    return parser


def _batch_note(p: Parameter) -> str:
    """Where else a batch takes a flag's value from."""
    if p.batch is Batch.CLIENT:
        return f"; a client's own `{p.key}:` wins"
    if p.batch is Batch.WHOLE:
        return f"; a clients file may set it at its top (`{p.key}:`)"
    return ""


def run_config(args: argparse.Namespace):
    """``run``'s configuration: the flags given, over the recorded run of ``--config`` if any."""
    from dataclasses import replace

    from audit.run import runfile
    from audit.run.config import RunConfig

    values = given(args)
    if args.config:  # the run in the file's folder, unless --out names another parent
        return replace(runfile.load(args.config), **values, **({"folder": None} if "out" in values else {}))
    missing = [p.option for p in PARAMETERS if p.required and p.name not in values]
    if missing:
        raise AuditInputError(f"social-audit run needs {' and '.join(missing)}, "
                              "or --config <run folder>/audit.yaml.")
    return RunConfig(**values)


def cmd_run(args: argparse.Namespace) -> int:
    from audit.reading.quarantine import quarantine_warning
    from audit.run.pipeline import run

    config = run_config(args)
    summary = run(config, log=lambda m: print(m, flush=True))
    print(f"\n{summary['client']}: level {summary['level']} | rows {summary['input_rows']} = "
          f"{summary['accepted']} accepted + {summary['quarantined']} quarantined | "
          f"{_scoring_note(summary)}\nrun folder: {summary['run_dir']}")
    if warning := quarantine_warning(summary):
        print(f"warning: {warning}")
    if summary.get("encoding_note"):
        print(f"note: {summary['data_name']} was {summary['encoding_note']}; ask for a UTF-8 export if texts look garbled.")
    return 0


def _scoring_note(summary: dict) -> str:
    """What scoring did in this run: reused from the previous one, or its cache hit rate."""
    if summary["stages"].get("score", {}).get("status") == "reused":
        return "sentiment scores reused from the previous run"
    return f"sentiment cache hit rate {summary['cache_hit_rate']:.0%}"


def cmd_sentiment(args: argparse.Namespace) -> int:
    from audit import textmodel
    from audit.common.safeio import write_csv_safe
    from audit.reading.tables import read_table
    from audit.textmodel import TRIAGE_COLUMNS, primary_intent

    score = of_stage("score")
    opts = _checked(args, score)
    table = read_table(args.data)
    if args.text_column not in table.columns:
        raise AuditInputError(f"{args.data} has no column '{args.text_column}'. Columns found: {', '.join(map(str, table.columns))}. "
                              f"Pass --text-column NAME.")
    options = {"scheduler": opts["scheduler"]} if opts["scheduler"] else None
    scores = textmodel.score(table[args.text_column].fillna("").astype(str).tolist(), model=opts["model"],
                             batch_size=opts["batch_size"], device=opts["device"], quantize=opts["quantize"],
                             cache=opts["cache"], engine=opts["engine"], engine_options=options, show_progress=True,
                             triage=True)
    out = table.reset_index(drop=True).join(scores.drop(columns=list(TRIAGE_COLUMNS)).add_prefix("sentiment_"))
    out = out.join(scores[list(TRIAGE_COLUMNS)]).join(primary_intent(scores)[["intent"]])
    write_csv_safe(out, Path(args.out))
    c = scores.attrs["cache"]
    print(f"{len(out)} texts scored -> {args.out} ({c['unique_texts']} unique, cache hit rate {c['hit_rate']:.0%})")
    return 0


def _checked(args: argparse.Namespace, params) -> dict:
    """A table command's options, checked as ``run`` checks them, before the file is read:
    the input file, each parameter's own check, the output file."""
    from audit.common import checks

    opts = defaults(of_stage("score")) | defaults(params) | given(args, params)
    checks.input_file("data", args.data)
    check(opts, params)
    checks.output_file("out", args.out)
    return opts


def cmd_topics(args: argparse.Namespace) -> int:
    from audit.topics.command import topics_table

    opts = _checked(args, TOPICS_FLAGS)
    out = topics_table(args.data, args.text_column, args.out, device=opts["device"])
    print(f"{len(out)} texts -> {args.out} ({out['topic'].max() + 1 if len(out) else 0} topics, "
          f"{(out['topic'] >= 0).mean() if len(out) else 0:.0%} of texts in one)")
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    from audit.run.lab import lab

    return lab(args.run_dir, port=args.port, browser=args.browser)


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
