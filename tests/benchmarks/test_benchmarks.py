"""The benchmark scripts run (smoke tests at a small N; timings are printed, never asserted)."""
from __future__ import annotations

import subprocess
import sys


def test_end_to_end_benchmark_runs_every_stage_at_small_n():
    proc = subprocess.run([sys.executable, "benchmarks/bench_e2e.py", "--messages", "1500"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for stage in ("ingest", "threads", "sentiment", "metrics", "grading", "rendering", "total"):
        assert f" {stage} " in proc.stdout, stage
    assert "skipped" not in proc.stdout


def test_topics_benchmark_runs_at_small_n():
    proc = subprocess.run([sys.executable, "benchmarks/bench_topics.py", "--posts", "200"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "200 unique posts" in proc.stdout and "%" in proc.stdout.splitlines()[-1]
