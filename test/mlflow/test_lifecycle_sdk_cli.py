"""Lifecycle through Stratus's own Python SDK and CLI: delete/restore/rename/purge, tag removal,
and `stratus runs end --status KILLED` for a run whose job died. Checked through /api/v1 and S3."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from stratus import ExperimentTracker
from stratus.errors import ConflictError, NotFoundError
from stratus_api import StratusApi


def cli(stack: StratusApi, *args: str, token: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "STRATUS_ENDPOINT": stack.url, "STRATUS_TOKEN": token or stack.token, "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "stratus.cli", *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def tracker(stack: StratusApi):
    client = ExperimentTracker(stack.url, stack.token, flush_interval=0.2, capture_code=False)
    yield client
    client.close(timeout=10)


def test_a_run_left_running_is_ended_as_killed_from_the_cli(stack: StratusApi):
    # A job that started a run and died: the run stays RUNNING.
    status, body = stack.call("POST", "/api/v1/runs", {"experiment_name": f"cli-{uuid.uuid4().hex[:8]}", "run_name": "died"})
    assert status == 201, body
    run_id = body["run_id"]
    ended = cli(stack, "runs", "end", run_id, "--status", "KILLED")
    assert ended.returncode == 0, ended.stderr
    assert ended.stdout.strip() == f"run {run_id} is KILLED"
    assert stack.run(run_id)["status"] == "KILLED"
    again = cli(stack, "runs", "end", run_id, "--status", "FAILED")
    assert again.returncode == 1
    assert "already ended as KILLED" in again.stderr


def test_runs_delete_restore_rename_and_tags(stack: StratusApi, tracker: ExperimentTracker):
    name = f"life-{uuid.uuid4().hex[:8]}"
    run = tracker.start_run(experiment_name=name, run_name="first", tags={"keep": "1", "drop": "2"})
    tracker.end_run()
    experiment_id = stack.run(run.run_id)["experiment_id"]

    assert tracker.rename_run(run.run_id, "renamed").run_name == "renamed"
    sibling = tracker.start_run(experiment_name=name, run_name="sibling")
    tracker.end_run()
    assert tracker.set_run_parent(run.run_id, sibling.run_id).parent_run_id == sibling.run_id
    assert stack.run(run.run_id)["parent_run_id"] == sibling.run_id
    assert tracker.set_run_parent(run.run_id, None).parent_run_id is None
    with pytest.raises(NotFoundError):
        tracker.set_run_parent(run.run_id, "0" * 32)
    assert tracker.delete_run_tag(run.run_id, "drop").tags == {"keep": "1"}
    with pytest.raises(NotFoundError):
        tracker.delete_run_tag(run.run_id, "drop")

    deleted = cli(stack, "runs", "delete", run.run_id)
    assert deleted.returncode == 0, deleted.stderr
    assert stack.run(run.run_id)["lifecycle_stage"] == "deleted"
    listed = stack.get(f"/api/v1/experiments/{experiment_id}/runs")["runs"]
    assert run.run_id not in [r["run_id"] for r in listed]
    assert [r["run_id"] for r in stack.get(f"/api/v1/experiments/{experiment_id}/runs?lifecycle=deleted")["runs"]] == [run.run_id]
    status, body = stack.call("POST", f"/api/v1/runs/{run.run_id}/tags", {"tags": {"late": "x"}})
    assert (status, body["error"]["code"]) == (409, "run.deleted")

    assert cli(stack, "runs", "restore", run.run_id).returncode == 0
    assert stack.run(run.run_id)["lifecycle_stage"] == "active"
    assert run.run_id in [r["run_id"] for r in stack.get(f"/api/v1/experiments/{experiment_id}/runs")["runs"]]


def test_experiments_delete_keeps_the_name_until_purged(stack: StratusApi, tracker: ExperimentTracker, tmp_path: Path):
    name = f"purge-{uuid.uuid4().hex[:8]}"
    run = tracker.start_run(experiment_name=name)
    (tmp_path / "weights.bin").write_bytes(b"w" * 1234)
    artifact = tracker.log_artifact(str(tmp_path / "weights.bin"))
    tracker.log_metrics({"loss": 0.5}, step=1)
    tracker.end_run()
    experiment_id = stack.run(run.run_id)["experiment_id"]
    download = stack.get(f"/api/v1/runs/{run.run_id}/artifacts/download?path=weights.bin")["url"]

    renamed = cli(stack, "experiments", "rename", name, name + "-v2")
    assert renamed.returncode == 0, renamed.stderr
    assert stack.get(f"/api/v1/experiments/{experiment_id}")["experiment_name"] == name + "-v2"

    with pytest.raises(ConflictError):
        tracker.purge_run(run.run_id)  # only deleted runs can be purged
    assert cli(stack, "experiments", "delete", name + "-v2").returncode == 0
    assert experiment_id not in [e["experiment_id"] for e in stack.get("/api/v1/experiments?max_results=1000")["experiments"]]
    with pytest.raises(ConflictError):
        tracker.create_experiment(name + "-v2")  # the name stays taken while it can be restored

    write_token = tracker.transport.json("POST", "/admin/tokens", json_body={"name": "writer", "scope": "write"})["token"]
    refused = cli(stack, "experiments", "purge", experiment_id, "--yes", token=write_token)
    assert refused.returncode == 1 and "admin" in refused.stderr

    purged = cli(stack, "experiments", "purge", experiment_id, "--yes")
    assert purged.returncode == 0, purged.stderr
    assert "1 runs" in purged.stdout and "1 artifact objects" in purged.stdout
    assert stack.call("GET", f"/api/v1/experiments/{experiment_id}")[0] == 404
    assert stack.call("GET", f"/api/v1/runs/{run.run_id}")[0] == 404
    assert stack.call("GET", f"/api/v1/runs/{run.run_id}/metrics/loss")[0] == 404
    with pytest.raises(Exception):
        urllib.request.urlopen(download, timeout=10)  # the object is gone from S3
    assert tracker.create_experiment(name + "-v2").name == name + "-v2"  # and the name is free
    assert artifact is not None
