"""The Ray engine joining a cluster that was started on its own (``ray start --head``), as on a real cluster."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ledger_content, require_loopback, run_cli_in

pytest.importorskip("ray", reason="the Ray engine needs the ray extra: pip install 'provenance-toolkit[ray]'")
RAY = Path(sys.executable).with_name("ray")
# A throw-away cluster on loopback: no token (a real cluster keeps Ray's token authentication on; see the README).
CLUSTER_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster():
    if not RAY.exists():
        pytest.skip("the ray command is not installed beside this Python")
    require_loopback()
    port = free_port()
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # Ray's socket paths must stay short
    env = {**os.environ, **CLUSTER_ENV}
    start = [str(RAY), "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
             "--disable-usage-stats", f"--temp-dir={temp}"]  # fmt: skip
    done = subprocess.run(start, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    yield f"127.0.0.1:{port}"
    # only this cluster's processes: 'ray stop' would stop every Ray instance on the machine
    subprocess.run(["pkill", "-9", "-f", temp], capture_output=True, timeout=60)
    shutil.rmtree(temp, ignore_errors=True)


def test_scan_on_an_existing_cluster_equals_the_local_engine(cluster: str, sample_data: Path, tmp_path: Path) -> None:
    local = tmp_path / "local.duckdb"
    code, _, err = run_cli_in(tmp_path, "scan", sample_data, "--ledger", local, "-q")
    assert code == 0, err
    on_ray = tmp_path / "ray.duckdb"
    (tmp_path / "ray.duckdb.key").write_bytes((tmp_path / "local.duckdb.key").read_bytes())
    code, _, err = run_cli_in(
        tmp_path, "scan", sample_data, "--ledger", on_ray, "-q", "--engine", "ray", "--ray-address", cluster,
        "--workers", "2", timeout=300, env=CLUSTER_ENV,
    )  # fmt: skip
    assert code == 0, err
    assert "Traceback" not in err
    assert ledger_content(on_ray) == ledger_content(local)
