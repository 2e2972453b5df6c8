"""``hypecheck batch --dask`` and ``hypecheck.distributed.check_bag`` on a real ``distributed.LocalCluster``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from batch_records import write_records
from conftest import run_cli

dask_bag = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

from hypecheck.batching import Output, PipelineSpec  # noqa: E402
from hypecheck.distributed import check_bag  # noqa: E402


def _cluster():
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")


@pytest.fixture(scope="module")
def cluster():
    with _cluster() as running:
        yield running


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return write_records(tmp_path_factory.mktemp("dask") / "in.jsonl", 2000)


@pytest.fixture(scope="module")
def local_output(records):
    result = run_cli("batch", str(records))
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def test_dask_output_equals_local_batch_on_2000_records(cluster, records, local_output):
    result = run_cli("batch", str(records), "--dask", cluster.scheduler_address, "--batch-size", "100")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == local_output
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(rows) == 2000 and rows[0]["id"] == "r0" and rows[-1]["id"] == "r1999"
    assert sum("error" in r for r in rows) == 21 and b"21 of 2000 records could not be read" in result.stderr


def test_dask_csv_and_output_dir(cluster, tmp_path):
    source = write_records(tmp_path / "in.jsonl", 150)
    local = run_cli("batch", str(source), "--format", "csv")
    remote = run_cli("batch", str(source), "--format", "csv", "--dask", cluster.scheduler_address, "--batch-size", "40")
    assert remote.returncode == 0 and remote.stdout == local.stdout
    out = tmp_path / "parts"
    parted = run_cli(
        "batch", str(source), "--dask", cluster.scheduler_address, "--batch-size", "40", "--output-dir", str(out)
    )
    assert parted.returncode == 0, parted.stderr.decode()
    parts = sorted(out.iterdir())
    assert [p.name for p in parts] == [f"part-0000{n}.jsonl" for n in range(4)]
    assert b"".join(p.read_bytes() for p in parts) == run_cli("batch", str(source)).stdout


def test_a_worker_killed_mid_run_loses_no_record(records, local_output):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with _cluster() as cluster, distributed.Client(cluster) as client:
        before = set(client.scheduler_info()["workers"])
        pids = client.run(os.getpid)
        run = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hypecheck",
                "batch",
                str(records),
                "--dask",
                cluster.scheduler_address,
                "--batch-size",
                "50",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        victim = None
        while victim is None and run.poll() is None:  # the first worker seen running one of the run's tasks
            busy = {w: keys for w, keys in client.processing().items() if any("hypecheck-" in str(k) for k in keys)}
            victim = next(iter(busy), None)
            time.sleep(0.05)
        assert victim is not None and run.poll() is None, "the run ended before a worker could be killed"
        os.kill(pids[victim], signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=600)
        client.wait_for_workers(2, timeout=120)
        after = set(client.scheduler_info()["workers"])
    assert run.returncode == 0, stderr.decode()
    assert victim in before and victim not in after  # the nanny started a new worker in its place
    assert stdout == local_output


def test_check_bag_gives_batch_rows_in_order(cluster, tmp_path):
    source = write_records(tmp_path / "in.jsonl", 90)
    expected = [json.loads(line) for line in run_cli("batch", str(source), "-j", "us,eu").stdout.splitlines()]
    items = [
        json.loads(line) for line in source.read_text("utf-8", "replace").splitlines() if line.startswith('{"id": "r')
    ]
    items.insert(10, ["not", "a", "record"])
    items.insert(20, {"id": "no-text"})
    with distributed.Client(cluster) as client:
        bag = dask_bag.from_sequence(items, npartitions=5)
        got = client.compute(check_bag(bag, PipelineSpec(), Output(jurisdictions=("us", "eu")))).result()
    assert got[10] == {"id": None, "error": "item: not a record object with id and text", "findings": []}
    assert got[20] == {"id": "no-text", "error": "item: no text string", "findings": []}
    del got[20], got[10]
    assert got == [row for row in expected if "error" not in row]


def test_local_cluster_from_the_command_line(tmp_path):
    source = write_records(tmp_path / "in.jsonl", 30)
    result = run_cli("batch", str(source), "--dask", "local:2", "--batch-size", "10")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == run_cli("batch", str(source)).stdout


def test_unreachable_scheduler_and_bad_local_count(tmp_path):
    source = write_records(tmp_path / "in.jsonl", 3)
    os.environ["DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"] = "2s"
    try:
        result = run_cli("batch", str(source), "--dask", "tcp://127.0.0.1:9")
    finally:
        del os.environ["DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"]
    assert result.returncode == 2 and b"cannot reach the scheduler" in result.stderr
    result = run_cli("batch", str(source), "--dask", "local:none")
    assert result.returncode == 2 and b"local:N needs a number" in result.stderr


def test_without_dask_installed_the_command_says_how_to_install_it(tmp_path):
    blocker = tmp_path / "site" / "distributed"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named distributed')\n", encoding="utf-8")
    source = write_records(tmp_path / "in.jsonl", 3)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker.parent), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "hypecheck", "batch", str(source), "--dask", "local:1"],
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2 and b"pip install 'hypecheck[dask]'" in result.stderr


def test_settings_reach_the_workers(cluster, tmp_path):
    source = write_records(tmp_path / "in.jsonl", 60)
    options = ("--select", "disease,dose", "-j", "us", "--min-confidence", "0", "--notes")
    local = run_cli("--rules-only", "batch", str(source), *options)
    remote = run_cli("--rules-only", "batch", str(source), *options, "--dask", cluster.scheduler_address)
    assert remote.returncode == 0 and remote.stdout == local.stdout
    rows = [json.loads(line) for line in local.stdout.splitlines()]
    found = [f for r in rows for f in r["findings"]]
    assert found and {f["category"] for f in found} <= {"disease", "dose"}
    notes = [r["notes"][i] for r in rows for f in r["findings"] for i in f["notes"]]  # ids into the record's table
    assert notes and all(n["jurisdiction"] == "us" for n in notes if n["kind"] == "regulatory")
    assert not any(f["rule"].endswith(".learned") for f in found)
