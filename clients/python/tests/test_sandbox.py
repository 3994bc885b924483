"""The second seed's @sandbox on a class and on a function, its queries, and storage_uri."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

import stratus
from stratus import ExperimentTracker, sandbox


class BaseUseCase:
    """Stands in for healthchain's base class: a method the subclass inherits, and its own __init__."""

    def __init__(self) -> None:
        self.started = False

    def start_sandbox(self) -> str:
        self.started = True
        return self.run_use_case()

    def run_use_case(self) -> str:
        raise NotImplementedError


def test_a_decorated_class_stays_a_class_and_its_object_is_one_run(env, experiment_name) -> None:
    @sandbox(
        experiment_config={
            "project_name": experiment_name,
            "tags": {"environment": "production"},
            "pipeline_config": {"model": "zephyr-7b", "max_new_tokens": 512},
            "pipeline_components": [
                {"name": "tokenizer", "type": "preprocessor", "stage": "prep"},
                {"name": "summarizer", "type": "llm", "stage": "inference"},
            ],
        }
    )
    class MyExperiment(BaseUseCase):
        def __init__(self) -> None:
            super().__init__()
            # The tracker is there already in __init__, as the seed says.
            self.experiment_tracker.log_params({"threshold": 0.7})

        def run_use_case(self) -> str:
            self.experiment_tracker.log_metrics({"cards": 3})
            return "done"

    assert isinstance(MyExperiment, type) and MyExperiment.__name__ == "MyExperiment"

    class Child(MyExperiment):  # subclassing works
        pass

    experiment = MyExperiment()
    assert isinstance(experiment, BaseUseCase) and isinstance(Child(), MyExperiment)
    tracker = experiment.experiment_tracker
    run_id = tracker.experiment_id
    assert experiment.start_sandbox() == "done"
    # The run spans the object's work: still RUNNING after a method, until it is ended.
    assert tracker.get_experiment(run_id).status == "RUNNING"
    tracker.end()
    seen = tracker.get_experiment(run_id)
    assert seen.status == "COMPLETED" and seen.duration is not None and seen.duration.total_seconds() >= 0
    assert seen.end_time - seen.start_time == seen.duration
    assert seen.tags["environment"] == "production" and seen.project_name == experiment_name
    assert seen.pipeline_config == {"model": "zephyr-7b", "max_new_tokens": 512}
    assert [(c.name, c.type, c.stage, c.position) for c in seen.pipeline_components] == [
        ("tokenizer", "preprocessor", "prep", 0),
        ("summarizer", "llm", "inference", 1),
    ]
    run = ExperimentTracker().get_run(run_id)
    assert run.status == "FINISHED" and run.params == {"threshold": "0.7"} and run.metrics == {"cards": 3.0}
    assert run.run_name == "MyExperiment"
    assert ExperimentTracker().search_runs(experiment_name=experiment_name, filter_string="components.type = 'llm'")


def test_work_that_raises_ends_the_run_failed(env, experiment_name) -> None:
    @sandbox(experiment_config={"project_name": experiment_name})
    class Flaky(BaseUseCase):
        def run_use_case(self) -> str:
            return self.helper()

        def helper(self) -> str:  # a public method called by another: the error is recorded once
            raise ValueError("the endpoint timed out")

    flaky = Flaky()
    with pytest.raises(ValueError, match="timed out"):
        flaky.start_sandbox()
    seen = flaky.experiment_tracker.get_experiment()
    assert seen.status == "FAILED" and seen.end_time is not None
    assert seen.tags["error.type"] == "ValueError" and seen.tags["error.message"] == "the endpoint timed out"

    @sandbox(experiment_config={"project_name": experiment_name})
    class BrokenInit:
        def __init__(self) -> None:
            raise RuntimeError("no model weights")

    with pytest.raises(RuntimeError):
        BrokenInit()
    failed = ExperimentTracker().search_runs(
        experiment_name=experiment_name, filter_string="run_name = 'BrokenInit' AND status = 'FAILED'"
    )
    assert len(failed) == 1 and failed[0].tags["error.message"] == "no model weights"


def test_a_with_block_ends_the_run(env, experiment_name) -> None:
    @sandbox(experiment_config={"project_name": experiment_name})
    class Job:
        def work(self, fail: bool) -> None:
            if fail:
                raise KeyError("x")

    with Job() as job:
        job.work(False)
    assert job.experiment_tracker.get_experiment().status == "COMPLETED"
    with pytest.raises(KeyError):
        with Job() as failing:
            failing.experiment_tracker.log_metrics({"before": 1})
            raise KeyError("y")
    assert failing.experiment_tracker.get_experiment().status == "FAILED"


def test_a_sandbox_records_the_dataset_it_used(env, experiment_name) -> None:
    @sandbox(experiment_config={"project_name": experiment_name})
    class Scoring:
        def score(self) -> None:
            self.experiment_tracker.log_input("claims-2026-10", "s3://data/claims.parquet", context="evaluation")

    with Scoring() as job:
        job.score()
    lineage = ExperimentTracker().get_run_lineage(job.experiment_tracker.experiment_id)
    assert [(d.name, d.source_type, d.context) for d in lineage.datasets] == [("claims-2026-10", "s3", "evaluation")]

def test_list_experiments_with_the_seeds_filters(env, experiment_name) -> None:
    @sandbox(experiment_config={"project_name": experiment_name, "tags": {"environment": "production"}})
    class Production:
        pass

    @sandbox(experiment_config={"project_name": experiment_name, "tags": {"environment": "staging"}})
    class Staging:
        pass

    first, second, staging = Production(), Production(), Staging()
    first.experiment_tracker.end()
    staging.experiment_tracker.end(status="FAILED")
    tracker = second.experiment_tracker
    everything = tracker.list_experiments()
    assert [e.id for e in everything] == [staging.experiment_tracker.experiment_id, tracker.experiment_id, first.experiment_tracker.experiment_id]
    prod = tracker.list_experiments(filters={"tags": {"environment": "production"}})
    assert sorted(e.id for e in prod) == sorted([first.experiment_tracker.experiment_id, tracker.experiment_id])
    done = tracker.list_experiments(filters={"tags": {"environment": "production"}, "status": "COMPLETED"})
    assert [e.id for e in done] == [first.experiment_tracker.experiment_id] and done[0].status == "COMPLETED"
    with pytest.raises(ValueError, match="unknown key.*'owner'"):
        tracker.list_experiments(filters={"owner": "me"})
    second.experiment_tracker.end()


def test_nothing_passed_is_silently_ignored(env) -> None:
    with pytest.raises(ValueError, match=r"storage_uri='postgresql://db/x'.*sqlite:///experiments\.db.*stratus export"):
        sandbox(experiment_config={"storage_uri": "postgresql://db/x"})
    with pytest.raises(ValueError, match="unknown key.*'storage'"):
        sandbox(experiment_config={"storage": "sqlite:///x.db"})


def test_storage_uri_writes_the_seeds_tables_and_its_sql_runs(env, experiment_name, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    @sandbox(
        experiment_config={
            "storage_uri": "sqlite:///experiments.db",
            "project_name": experiment_name,
            "tags": {"environment": "production"},
            "pipeline_components": [{"name": "summarizer", "type": "llm", "stage": "inference"}],
        }
    )
    class Summarizer:
        def __init__(self) -> None:
            self.experiment_tracker.log_metrics({"rouge": 0.4}, step=1)

    job = Summarizer()
    experiment_id = job.experiment_tracker.experiment_id
    job.experiment_tracker.end()
    # The seed's "Querying the Database Directly", verbatim.
    conn = sqlite3.connect("experiments.db")
    cursor = conn.cursor()
    cursor.execute("""
        SELECT id, name, start_time, status, tags
        FROM experiments
        ORDER BY start_time DESC
        LIMIT 5;
    """)
    recent_experiments = cursor.fetchall()
    cursor.execute("""
        SELECT id, name, start_time, status
        FROM experiments
        WHERE json_extract(tags, '$.environment') = 'production';
    """)
    prod_experiments = cursor.fetchall()
    cursor.execute("""
        SELECT name, type, stage
        FROM pipeline_components
        WHERE experiment_id = ?;
    """, (experiment_id,))
    components = cursor.fetchall()
    conn.close()
    assert recent_experiments[0][0] == experiment_id and recent_experiments[0][3] == "COMPLETED"
    assert json.loads(recent_experiments[0][4])["environment"] == "production"
    assert [row[0] for row in prod_experiments] == [experiment_id]
    assert components == [("summarizer", "llm", "inference")]
    with sqlite3.connect("experiments.db") as again:
        assert again.execute("SELECT step, value FROM metrics WHERE run_id = ?", (experiment_id,)).fetchall() == [(1, 0.4)]


def test_a_decorated_function_is_a_run_per_call(env, experiment_name) -> None:
    calls = []

    @stratus.tracked(experiment_config={"project_name": experiment_name})
    def train(lr: float, run=None) -> float:
        calls.append(run.run_id)
        run.log_metrics({"lr": lr})
        return lr

    assert train(0.1) == 0.1 and train(0.2) == 0.2
    runs = ExperimentTracker().search_runs(experiment_name=experiment_name, filter_string="status = 'COMPLETED'")
    assert sorted(run.run_id for run in runs) == sorted(calls) and all(run.run_name == "train" for run in runs)


SCRIPT = """
from stratus import sandbox

@sandbox(experiment_config={{"project_name": "{experiment}"}})
class Summarizer:
    def start_sandbox(self):
        print(self.experiment_tracker.experiment_id, flush=True)

Summarizer().start_sandbox()
{ending}
"""


@pytest.mark.parametrize("ending, status", [("", "FINISHED"), ("raise SystemExit('bye')", "FINISHED"), ("1 / 0", "FAILED")])
def test_a_run_left_open_ends_with_the_interpreter(env, tmp_path, experiment_name, ending, status) -> None:
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(SCRIPT.format(experiment=experiment_name, ending=ending)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=os.environ, timeout=60)
    run_id = done.stdout.split()[0]
    assert ExperimentTracker().get_run(run_id).status == status


def test_an_unreachable_service_gives_an_offline_object_that_still_works(monkeypatch, caplog) -> None:
    monkeypatch.setenv("STRATUS_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("STRATUS_TOKEN", "stratus_0000000000000000_" + "A" * 43)
    client = ExperimentTracker(retry=stratus.RetryPolicy(max_attempts=1))

    @sandbox(experiment_config={"project_name": "offline"}, tracker=client)
    class Job:
        def work(self) -> int:
            self.experiment_tracker.log_metrics({"x": 1})
            return 42

    job = Job()
    assert job.experiment_tracker.experiment_id is None and job.work() == 42
    job.experiment_tracker.end()
    assert client.active_run is None
    assert "cannot start a run" in caplog.text
