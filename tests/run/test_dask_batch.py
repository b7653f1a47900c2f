"""Past one machine: `batch --scheduler` runs each client as a task on a Dask cluster's workers,
and `run --engine dask --scheduler` scores there; what they compute equals the local run's.

The cluster is real and multi-process (two worker processes, one thread each): a worker imports
the installed `audit` and runs each client's `social-audit run` in its own Python, as a cluster
of machines sharing a file system would. Each run scores into its own cold cache, so the figures
compared were computed where the run happened, not read back from the local run's cache.
"""
from __future__ import annotations

import operator
import os
import socket

import dask
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from audit.common import cluster as dask_cluster
from audit.common import runfolder
from audit.run.cli import main

#: Acme and Bright are audited; Ghost's brand is not in the data, so its run fails after ingest
CLIENTS = {"acme": "ok", "bright": "ok", "ghost": "FAILED"}


@pytest.fixture(scope="module")
def address():
    before = dict(os.environ)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        # its nannies leave their workers' settings (OMP_NUM_THREADS=1, ...) in this process's
        # environment: the local runs compared with the cluster's would inherit them
        for key in set(os.environ) - set(before):
            del os.environ[key]
        os.environ.update(before)
        yield local.scheduler_address


@pytest.fixture(scope="module")
def clients_file(small_export, tmp_path_factory):
    data, _ = small_export
    path = tmp_path_factory.mktemp("batch") / "clients.yaml"
    path.write_text(f"data: {data}\nclients:\n  - name: Acme\n    brands: [Acme, AcmeHelp]\n"
                    "  - name: Bright\n    brands: [BrightMobile]\n  - name: Ghost\n    brands: [GhostBrand]\n")
    return path


def batch(clients_file, out, *more: str) -> int:
    return main(["batch", str(clients_file), "--out", str(out), "--no-pdf", "--cache", str(out / "cache.sqlite"),
                 *more])


@pytest.fixture(scope="module")
def local_batch(clients_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    return batch(clients_file, out), out


def closed_address() -> str:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


def summary_rows(out: str) -> dict[str, str]:
    """client -> status, from the batch's summary table."""
    table = out.split("\nclient ", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return {line.split()[0].lower(): line.split()[1] for line in table}


def test_a_batch_on_the_cluster_audits_each_client_on_a_worker_as_the_local_batch(
        address, clients_file, local_batch, tmp_path, capsys):
    local_code, local_out = local_batch
    capsys.readouterr()
    code = batch(clients_file, tmp_path, "--scheduler", address)
    printed = capsys.readouterr().out
    assert local_code == code == 1  # Ghost failed, in both, and did not lose the others
    assert f"on the Dask cluster at {address}: 2 worker(s)" in printed
    assert summary_rows(printed) == CLIENTS
    assert "do not appear as brand authors" in printed  # Ghost's own reason, from its log
    for slug, status in CLIENTS.items():
        if status == "ok":
            here, there = local_out / slug, tmp_path / slug
            assert (there / runfolder.AUDIT_JSON).read_bytes() == (here / runfolder.AUDIT_JSON).read_bytes(), slug
            pd.testing.assert_frame_equal(pd.read_parquet(there / runfolder.SCORES),
                                          pd.read_parquet(here / runfolder.SCORES), check_exact=True)
            recorded = runfolder.read_json(there / runfolder.SCORE_SUMMARY)
            assert recorded["engine"] == "local" and recorded["cache"]["hits"] == 0  # scored on its worker
        assert (tmp_path / f"{slug}.log").is_file()


def test_run_with_the_dask_engine_on_the_cluster_scores_as_the_local_run(address, small_export, local_batch,
                                                                          tmp_path):
    data, _ = small_export
    _, local_out = local_batch
    assert main(["run", "--data", data, "--client", "Acme", "--brand", "Acme", "--brand", "AcmeHelp", "--out",
                 str(tmp_path), "--no-pdf", "--cache", str(tmp_path / "cache.sqlite"), "--engine", "dask",
                 "--scheduler", address]) == 0
    here, there = local_out / "acme", tmp_path / "acme"
    assert runfolder.read_json(there / runfolder.SCORE_SUMMARY)["engine"] == "dask"
    local, spread = pd.read_parquet(here / runfolder.SCORES), pd.read_parquet(there / runfolder.SCORES)
    assert spread["sentiment"].equals(local["sentiment"])
    # other partitions, other padding: probabilities within 1e-6, so a score rounded to 6 places
    # may land one step away
    pd.testing.assert_frame_equal(spread, local, check_exact=False, rtol=0, atol=2e-6)
    audit, expected = runfolder.read_json(there / runfolder.AUDIT_JSON), runfolder.read_json(here / runfolder.AUDIT_JSON)
    assert audit["scoring"].pop("engine") == "dask" and expected["scoring"].pop("engine") == "local"
    assert audit == expected  # every figure; the engine is the one difference


def test_a_task_that_fails_is_its_own_outcome_and_the_others_finish(address):
    with Client(address) as client:
        outcomes = {i: result for i, result, _ in dask_cluster.each_task(client, operator.truediv, [(1, 2), (1, 0)])}
    assert outcomes[0] == 0.5 and isinstance(outcomes[1], ZeroDivisionError)


def test_a_client_run_on_a_worker_scores_with_the_machines_cores(address):
    """A worker's nanny caps numeric threads at one (tasks share its process); a client's `run` is
    a process of its own and must not inherit the cap, or its scoring would use one core."""
    with Client(address) as client:
        assert client.submit(os.getenv, "OMP_NUM_THREADS", pure=False).result() == "1"
        env = client.submit(dask_cluster.child_env, pure=False).result()
    assert env is not None and env.get("OMP_NUM_THREADS") == os.environ.get("OMP_NUM_THREADS")
    assert env["SOCIAL_AUDIT_CACHE"] == os.environ["SOCIAL_AUDIT_CACHE"]  # the rest of its environment stays
    assert dask_cluster.child_env() is None  # not on a worker: this process's own


def test_an_unreachable_scheduler_is_one_line_naming_it_before_any_client_or_stage(clients_file, small_export,
                                                                                    tmp_path, capsys):
    data, _ = small_export
    gone = closed_address()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        assert batch(clients_file, tmp_path / "batch", "--scheduler", gone) == 2
        assert main(["run", "--data", data, "--client", "Acme", "--out", str(tmp_path / "run"), "--engine", "dask",
                     "--scheduler", gone]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"error: Could not reach the Dask scheduler at '{gone}': "
                   f"Timed out trying to connect to {gone} after 1 s."] * 2
    assert not list((tmp_path / "batch").glob("*.log")) and not (tmp_path / "run" / "acme").exists()


def test_the_scheduler_goes_with_its_engine(clients_file, small_export, tmp_path, capsys):
    """`run --scheduler` without the dask engine would fail on its first text; a batch on a
    cluster scores each client on its worker, never on a cluster of its own."""
    data, _ = small_export
    assert main(["run", "--data", data, "--client", "Acme", "--out", str(tmp_path), "--scheduler", "tcp://x:8786"]) == 2
    assert batch(clients_file, tmp_path, "--scheduler", "tcp://x:8786", "--engine", "dask") == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: --scheduler tcp://x:8786 is where --engine dask scores: add --engine dask.",
                   "error: batch --scheduler runs each client on a worker and scores it there: drop --engine dask."]


def test_a_clients_file_names_the_scheduler_at_the_top_never_on_a_client(clients_file, tmp_path, capsys):
    spec = tmp_path / "clients.yaml"
    spec.write_text(clients_file.read_text().replace("clients:\n", "scheduler: tcp://x:8786\nclients:\n", 1))
    assert batch(spec, tmp_path, "--engine", "dask") == 2
    assert "drop --engine dask" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text(clients_file.read_text().replace("  - name: Bright\n", "  - name: Bright\n    scheduler: x:1\n"))
    assert batch(bad, tmp_path) == 2
    assert "not a valid clients file" in capsys.readouterr().err
