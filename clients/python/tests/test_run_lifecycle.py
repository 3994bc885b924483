"""Active runs as a stack, ending runs when the interpreter exits, counters after end_run,
COMPLETED as FINISHED, and the first seed's storage/database constructor arguments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from stratus import ExperimentTracker, FileSystemStorage, StorageBackend, get_db_connection


def test_nested_runs_form_a_stack(tracker: ExperimentTracker, experiment_name: str) -> None:
    with tracker.run(experiment_name, run_name="sweep") as parent:
        for lr in (0.1, 0.01):
            with tracker.run(experiment_name, run_name=f"lr={lr}") as child:
                assert tracker.active_run is child
                tracker.log_metrics({"loss": lr})  # goes to the innermost run
            assert tracker.active_run is parent  # the parent is active again
            assert tracker.get_run(child.run_id).parent_run_id == parent.run_id
        tracker.log_metrics({"best_loss": 0.01})
    assert tracker.active_run is None
    children = tracker.search_runs(experiment_name=experiment_name, filter_string=f"parent_run_id = '{parent.run_id}'")
    assert sorted(run.run_name for run in children) == ["lr=0.01", "lr=0.1"]
    assert all(run.metrics == {"loss": float(run.run_name[3:])} for run in children)
    assert tracker.get_run(parent.run_id).metrics == {"best_loss": 0.01}

    # start_run stacks too; nested=True makes the new run a child of the active one.
    first = tracker.start_run(experiment_name, run_name="first")
    second = tracker.start_run(experiment_name, run_name="second", nested=True)
    assert tracker.active_run is second and second.parent_run_id == first.run_id
    tracker.end_run()
    assert tracker.active_run is first
    tracker.end_run()
    assert tracker.active_run is None


def test_ending_a_run_by_id_leaves_the_others_active(tracker: ExperimentTracker, experiment_name: str) -> None:
    outer = tracker.start_run(experiment_name, run_name="outer")
    inner = tracker.start_run(experiment_name, run_name="inner")
    tracker.end_run(run_id=outer.run_id)
    assert tracker.active_run is inner and outer.status == "FINISHED"
    tracker.end_run()
    assert tracker.active_run is None
    with pytest.raises(RuntimeError, match="nested=True needs an active run"):
        tracker.start_run(experiment_name, nested=True)


def test_an_experiment_counts_its_active_and_deleted_runs(tracker: ExperimentTracker, experiment_name: str) -> None:
    runs = []
    for _ in range(3):
        runs.append(tracker.start_run(experiment_name).run_id)
        tracker.end_run()

    def counts() -> tuple:
        one = tracker.get_experiment_by_name(experiment_name)
        listed = [e for e in tracker.iter_experiments() if e.experiment_id == one.experiment_id]
        # The list and the single read agree.
        assert [(e.run_count, e.deleted_run_count) for e in listed] == [(one.run_count, one.deleted_run_count)]
        return one.run_count, one.deleted_run_count

    assert counts() == (3, 0)
    tracker.delete_run(runs[0])
    assert counts() == (2, 1)
    deleted = tracker.delete_experiment(experiment_name)
    assert (deleted.run_count, deleted.deleted_run_count) == (0, 3)  # its runs all read as deleted
    restored = tracker.restore_experiment(deleted.experiment_id)
    assert (restored.run_count, restored.deleted_run_count) == (2, 1)
    tracker.restore_run(runs[0])
    assert counts() == (3, 0)


SCRIPT = """
import sys, time
from stratus import ExperimentTracker

tracker = ExperimentTracker(flush_interval=60)   # nothing is sent before the end: exit must flush
outer = tracker.start_run("{experiment}", run_name="outer")
inner = tracker.start_run("{experiment}", run_name="inner", nested=True)
tracker.log_metrics({{"loss": 0.5}}, step=1)
print(outer.run_id, inner.run_id, flush=True)
mode = sys.argv[1]
if mode == "raise":
    raise RuntimeError("training crashed")
if mode == "wait":
    time.sleep(60)
"""


@pytest.mark.parametrize("mode, status, returncode", [("exit", "FINISHED", 0), ("raise", "FAILED", 1), ("wait", "KILLED", -signal.SIGTERM)])
def test_runs_end_when_the_interpreter_exits(env, tmp_path, experiment_name, mode, status, returncode) -> None:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCRIPT.format(experiment=experiment_name)))
    process = subprocess.Popen([sys.executable, str(script), mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ)
    assert process.stdout is not None
    outer_id, inner_id = process.stdout.readline().split()
    if mode == "wait":
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == returncode, stderr
    if mode == "raise":
        assert "training crashed" in stderr  # the traceback is still printed
    client = ExperimentTracker()
    inner, outer = client.get_run(inner_id), client.get_run(outer_id)
    assert (inner.status, outer.status) == (status, status)
    assert inner.metrics == {"loss": 0.5}  # queued points were flushed before the end
    assert outer.end_time is not None and inner.end_time is not None


def test_metric_stats_answer_after_end_run(tracker: ExperimentTracker, experiment_name: str) -> None:
    run = tracker.start_run(experiment_name)
    tracker.log_metrics({"a": 1.0, "b": 2.0}, step=0)
    tracker.log_metrics({"a": 1.5}, step=1)
    tracker.end_run()
    assert tracker.active_run is None
    stats = tracker.metric_stats()  # the run ended last
    assert stats == {"acknowledged": 3, "dropped": 0, "rejected": 0, "retries": 0, "unsent": 0}
    assert tracker.metric_stats(run.run_id) == stats
    other = tracker.start_run(experiment_name)
    tracker.end_run()
    assert tracker.metric_stats()["acknowledged"] == 0 and tracker.metric_stats(other.run_id)["acknowledged"] == 0
    assert tracker.metric_stats(run.run_id)["acknowledged"] == 3


def test_completed_is_finished_when_reading_status(tracker: ExperimentTracker, experiment_name: str) -> None:
    done = tracker.start_run(experiment_name, run_name="done")
    tracker.end_run(status="COMPLETED")
    assert done.status == "FINISHED"
    tracker.start_run(experiment_name, run_name="failed")
    tracker.end_run(status="FAILED")
    assert [r.run_name for r in tracker.list_runs(experiment_name, status="COMPLETED")] == ["done"]
    assert [r.run_name for r in tracker.list_runs(experiment_name, status="completed")] == ["done"]
    found = tracker.search_runs(experiment_name=experiment_name, filter_string="status = 'COMPLETED'")
    assert [r.run_name for r in found] == ["done"]


def test_the_seeds_constructor_arguments(stack, tmp_path, experiment_name) -> None:
    db = get_db_connection(stack.url, stack.token)
    storage = FileSystemStorage(base_path=str(tmp_path / "experiments" / "artifacts"))
    tracker = ExperimentTracker(storage_backend=storage, db_connection=db)
    assert tracker.endpoint == stack.api
    model = tmp_path / "model.pkl"
    model.write_bytes(b"weights" * 100)
    run = tracker.start_run(experiment_name=experiment_name)
    artifact = tracker.log_artifact(str(model), artifact_type="model")
    tracker.end_run()
    copy = tmp_path / "experiments" / "artifacts" / run.run_id / "model.pkl"
    assert artifact is not None and artifact.copy_uri == str(copy) and copy.read_bytes() == model.read_bytes()
    assert [a.path for a in tracker.get_run(run.run_id).artifacts] == ["model.pkl"]  # the service has it too

    saved = {}

    class S3Storage(StorageBackend):
        def save_artifact(self, artifact: bytes, path: str) -> str:
            saved[path] = artifact
            return f"s3://my-experiments/{path}"

        def load_artifact(self, uri: str) -> bytes:
            return saved[uri.split("/", 3)[3]]

    custom = ExperimentTracker(storage_backend=S3Storage(), db_connection=db)
    run = custom.start_run(experiment_name=experiment_name)
    artifact = custom.log_artifact(str(model), artifact_path="models/m.pkl")
    custom.end_run()
    assert artifact.copy_uri == f"s3://my-experiments/{run.run_id}/models/m.pkl"
    assert S3Storage().load_artifact(artifact.copy_uri) == model.read_bytes()

    import sqlite3

    with pytest.raises(TypeError, match=r"db_connection=Connection\(\.\.\.\) is not used by Stratus.*stratus export --sqlite"):
        ExperimentTracker(stack.url, stack.token, db_connection=sqlite3.connect(":memory:"))
    with pytest.raises(TypeError, match="artifacts always go to the Stratus service"):
        ExperimentTracker(stack.url, stack.token, storage_backend="experiments/artifacts")


def test_a_folder_is_not_an_artifact_file(tracker: ExperimentTracker, experiment_name: str, tmp_path) -> None:
    tracker.start_run(experiment_name)
    with pytest.raises(IsADirectoryError, match="use log_artifacts"):
        tracker.log_artifact(str(tmp_path))
    tracker.end_run()


FORK_SCRIPT = """
import os, signal, sys, time
from stratus import ExperimentTracker

tracker = ExperimentTracker()
run = tracker.start_run("{experiment}", run_name="parent")
print(run.run_id, flush=True)
for ending in ("exit", "sigterm"):
    child = os.fork()
    if child == 0:  # a worker process, as a data loader makes: its end is not the run's
        if ending == "sigterm":
            time.sleep(30)
        sys.exit(0)
    if ending == "sigterm":
        time.sleep(0.5)
        os.kill(child, signal.SIGTERM)
    os.waitpid(child, 0)
print(tracker.get_run(run.run_id).status, flush=True)
"""


def test_a_forked_child_never_ends_its_parents_runs(env, tmp_path, experiment_name) -> None:
    script = tmp_path / "fork.py"
    script.write_text(textwrap.dedent(FORK_SCRIPT.format(experiment=experiment_name)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=os.environ, timeout=60)
    assert done.returncode == 0, done.stderr
    run_id, status_after_children = done.stdout.split()
    assert status_after_children == "RUNNING"
    assert ExperimentTracker().get_run(run_id).status == "FINISHED"  # ended by the parent's own exit
