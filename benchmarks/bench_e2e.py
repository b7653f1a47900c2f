"""End-to-end audit benchmark: wall time, throughput and peak memory per stage at N messages.

Scales the seeded sample generator to N messages and runs the stages in-process (the same
library calls the notebooks make, without kernel start-up):
ingest, threads, sentiment (+ intent), topics, metrics, grading, rendering (HTML + PDF).
By default every text is real-shaped (``realshaped.py``: unique at real exports' rates, made of
real TWCS fragments), so the model stages score unique texts as they would on a client's export;
``--text sample`` keeps the generator's repeating texts (what earlier figures measured).
Each row gives unique texts/s for the model stages and the stage's share of the total time.

    python benchmarks/bench_e2e.py --messages 10000 100000
    python benchmarks/bench_e2e.py --messages 1000000 --skip-models   # all but the model stages

``--skip-models`` gives every message a neutral score and an "other" intent instead of running
the transformers, and says so in the table: it measures the other stages at sizes where scoring
would take hours on a laptop (scoring throughput is measured at the smaller sizes).
"""
from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import psutil


class PeakMemory:
    """Samples this process's resident memory every 20 ms; the peak within each ``stage``."""

    def __init__(self) -> None:
        self._proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(0.02)

    def reset(self) -> None:
        self.peak = self._proc.memory_info().rss

    def close(self) -> None:
        self._stop.set()


def run(n: int, skip_models: bool, workdir: Path, rows: list[dict], quantize: bool = False,
        text: str = "real") -> None:
    from audit import grading as maturity
    from audit import textmodel
    from audit.conversations import threads
    from audit.demo.sample import generate
    from audit.metrics import peers
    from audit.metrics import registry as metrics
    from audit.reading import ingest
    from audit.report import playbook, render
    from audit.textmodel import TRIAGE_COLUMNS, primary_intent
    from audit.topics import model as topic_model

    mem = PeakMemory()
    csv = workdir / f"export_{n}.csv"
    frame = generate(n_messages=n, seed=5)
    if text == "real":
        import realshaped

        frame = realshaped.reshape(frame)
        print(f"  unique texts (handles and links masked): {realshaped.uniqueness(frame)}", flush=True)
    frame.to_csv(csv, index=False)
    brands = ["Acme", "AcmeHelp"]
    results: dict = {}
    total_t0 = time.perf_counter()

    first = len(rows)

    @contextmanager
    def stage(name: str, items: int, note: str = "", unique: int | None = None):
        mem.reset()
        t0 = time.perf_counter()
        yield
        seconds = time.perf_counter() - t0
        rows.append({"messages": n, "stage": name, "seconds": round(seconds, 2),
                     "items/s": round(items / seconds) if seconds else None,
                     "unique texts/s": round(unique / seconds) if unique and seconds else None,
                     "peak RSS (MB)": round(mem.peak / 2**20), "note": note})
        print(f"  {n:>9,} {name:<10} {seconds:8.2f} s  peak {mem.peak / 2**20:7.0f} MB {note}", flush=True)

    with stage("ingest", n):
        loaded = ingest.load(csv)
    with stage("threads", n):
        messages, conversations = threads.build(loaded.messages)
    customer = messages["is_customer"].to_numpy()
    if skip_models:
        with stage("sentiment", n, "skipped (--skip-models): neutral placeholder"):
            scores = pd.DataFrame({"sentiment": "neutral", "sentiment_score": 0.0, "p_negative": 0.0,
                                   "p_neutral": 1.0, "p_positive": 0.0}, index=messages.index)
            intents = pd.DataFrame({"intent": "other", "intent_confidence": 1.0}, index=messages.index[customer])
    else:
        unique_all = messages["text"].nunique()
        unique_posts = messages.loc[customer, "text"].nunique()
        with stage("sentiment", n, "incl. triage (one pass); cache off", unique_all):
            scored = textmodel.score(messages["text"].tolist(), cache=False, show_progress=False, triage=True,
                                     quantize=quantize)
            scores = pd.DataFrame({"sentiment": scored["label"].to_numpy(),
                                   "sentiment_score": (scored["p_positive"] - scored["p_negative"]).to_numpy(),
                                   "p_negative": scored["p_negative"].to_numpy(), "p_neutral": scored["p_neutral"].to_numpy(),
                                   "p_positive": scored["p_positive"].to_numpy()}, index=messages.index)
            intents = primary_intent(scored.loc[customer, list(TRIAGE_COLUMNS)].set_axis(messages.index[customer]))
        with stage("topics", int(customer.sum()), "customer posts: sentence embeddings + clustering; cache off",
                   unique_posts):
            topic_model.assign(messages.loc[customer, "text"].tolist(), cache=False)
    enriched = messages.join(scores).join(intents)
    with stage("metrics", n):
        figures = metrics.compute_all(enriched, conversations, brands)
        peer_table = peers.from_metrics(figures)
    with stage("grading", n):
        grade = maturity.grade(figures, maturity.load_rubric())
    with stage("rendering", n, "playbook model, HTML and PDF"):
        book = playbook.build(figures, grade, enriched, conversations, client="Acme", brands=brands,
                              accounting=loaded.accounting, peers=peer_table)
        html = render.render_html(book, charts_dir=workdir / f"charts_{n}")
        render.write_html(html, workdir / f"playbook_{n}.html")
        render.write_pdf(html, workdir / f"playbook_{n}.pdf")
    total = time.perf_counter() - total_t0
    for row in rows[first:]:
        row["share of total"] = f"{row['seconds'] / total:.0%}"
    rows.append({"messages": n, "stage": "total", "seconds": round(total, 2), "items/s": round(n / total),
                 "peak RSS (MB)": round(mem.peak / 2**20), "note": "skip-models" if skip_models else ("int8" if quantize else "")})
    print(f"  {n:>9,} {'total':<10} {total:8.2f} s  (level {grade['level']})", flush=True)
    mem.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, nargs="+", default=[10_000])
    p.add_argument("--skip-models", action="store_true", help="placeholder scores instead of the transformers")
    p.add_argument("--quantize", action="store_true", help="int8 scoring, as social-audit --quantize")
    p.add_argument("--text", choices=("real", "sample"), default="real",
                   help="real-shaped unique texts (default) or the generator's repeating ones")
    p.add_argument("--workdir", help="where generated exports and reports go (default: a temp dir)")
    args = p.parse_args()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"{os.cpu_count()} cores; per stage: messages, stage, wall time, peak resident memory")
        for n in args.messages:
            run(n, args.skip_models, workdir, rows, args.quantize, args.text)
    table = pd.DataFrame(rows)
    print("\n" + table.to_markdown(index=False) if _has_tabulate() else "\n" + table.to_string(index=False))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    main()
