"""The seed's tracking API against the real local stack."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any, List, Tuple

import pytest

from support import mlflow_post

from stratus import (
    AuthenticationError,
    ConflictError,
    ExperimentTracker,
    NotFoundError,
    RunLineage,
    StratusError,
    ValidationError,
    tracked,
)


def test_quick_start_flow_records_everything(tracker: ExperimentTracker, experiment_name: str) -> None:
    run = tracker.start_run(
        experiment_name=experiment_name,
        run_name="baseline_v1",
        tags={"model_type": "random_forest", "dataset": "v1.2"},
    )
    assert run.status == "RUNNING" and len(run.run_id) == 32 and run.experiment_id
    tracker.log_params({"n_estimators": 100, "max_depth": 10, "learning_rate": 0.01})
    for epoch in range(10):
        tracker.log_metrics({"accuracy": 0.5 + epoch / 20, "loss": 1.0 / (epoch + 1)}, step=epoch)
    tracker.log_metrics({"final_auc": 0.94})
    tracker.end_run(status="FINISHED")
    assert run.status == "FINISHED" and tracker.active_run is None

    stored = tracker.get_run(run.run_id)
    assert stored.run_name == "baseline_v1"
    assert stored.status == "FINISHED" and stored.end_time is not None
    assert stored.params == {"n_estimators": "100", "max_depth": "10", "learning_rate": "0.01"}
    assert stored.metrics["accuracy"] == pytest.approx(0.95)
    assert stored.latest_metrics["accuracy"].step == 9
    assert stored.metrics["final_auc"] == pytest.approx(0.94) and stored.latest_metrics["final_auc"].step == 0
    assert stored.tags["model_type"] == "random_forest"
    history = tracker.get_metric_history(run.run_id, "loss")
    assert [point.step for point in history] == list(range(10))
    assert history[3].value == pytest.approx(0.25)


def test_git_and_process_context_is_captured(tracker: ExperimentTracker, experiment_name: str) -> None:
    # The tests run inside the repository's checkout, so there is a commit to capture.
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    run = tracker.start_run(experiment_name)
    tracker.end_run()
    stored = tracker.get_run(run.run_id)
    assert stored.git_commit == head
    assert stored.code_version
    assert stored.tags["stratus.git.commit"] == head
    assert stored.tags["stratus.git.dirty"] in ("true", "false")
    assert stored.tags["stratus.python_version"] == ".".join(map(str, sys.version_info[:3]))
    assert stored.tags["stratus.host"]
    assert "pytest" in stored.tags["stratus.command"] or "py" in stored.tags["stratus.command"]


def test_git_capture_is_skipped_outside_a_checkout(stack, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["train.py"])  # not a file here: the working directory is used
    tracker = ExperimentTracker(stack.url, stack.token)
    run = tracker.start_run("outside-git")
    tracker.end_run()
    stored = tracker.get_run(run.run_id)
    assert stored.git_commit is None
    assert "stratus.git.commit" not in stored.tags
    assert stored.tags["stratus.host"]


def test_non_finite_values_round_trip(tracker: ExperimentTracker, experiment_name: str) -> None:
    run = tracker.start_run(experiment_name)
    tracker.log_metrics({"weird": math.nan}, step=0)
    tracker.log_metrics({"weird": math.inf}, step=1)
    tracker.log_metrics({"weird": -math.inf}, step=2)
    tracker.log_metrics({"weird": 2**60}, step=3)
    tracker.end_run()
    values = [point.value for point in tracker.get_metric_history(run.run_id, "weird")]
    assert math.isnan(values[0]) and values[1] == math.inf and values[2] == -math.inf
    assert values[3] == float(2**60)


def test_params_are_immutable_and_conflicts_raise(tracker: ExperimentTracker, experiment_name: str) -> None:
    tracker.start_run(experiment_name)
    tracker.log_params({"lr": 0.01})
    tracker.log_params({"lr": 0.01})  # the same value again is fine
    with pytest.raises(ConflictError) as raised:
        tracker.log_params({"lr": 0.02})
    assert raised.value.status == 409 and raised.value.code and "lr" in raised.value.message
    tracker.end_run()


def test_params_are_stored_as_python_writes_them(tracker: ExperimentTracker, experiment_name: str) -> None:
    # As MLflow's client sends them (str(value)), so a filter written as Python prints the value finds it.
    # NaN and infinities used to raise ValueError from json.dumps, and 1e-05 was stored as "0.00001".
    params = {"lr": 1e-5, "use_bn": True, "clip": math.inf, "floor": -math.inf, "missing": math.nan, "n": 100}
    run = tracker.start_run(experiment_name, params={"warmup": 1e-7})
    tracker.log_params(params)
    tracker.log_params({"lr": 1e-5})  # the same value again is fine
    tracker.end_run()
    stored = tracker.get_run(run.run_id).params
    assert stored == {
        "warmup": "1e-07",
        "lr": "1e-05",
        "use_bn": "True",
        "clip": "inf",
        "floor": "-inf",
        "missing": "nan",
        "n": "100",
    }
    found = tracker.search_runs(experiment_name, filter_string="params.lr = '1e-05' AND params.use_bn = 'True'")
    assert [r.run_id for r in found] == [run.run_id]


def test_many_params_are_sent_in_chunks(tracker: ExperimentTracker, experiment_name: str) -> None:
    run = tracker.start_run(experiment_name)
    tracker.log_params({f"p{i}": i for i in range(250)})
    tracker.end_run()
    assert len(tracker.get_run(run.run_id).params) == 250


def test_api_errors_are_typed(stack, tracker: ExperimentTracker) -> None:
    with pytest.raises(NotFoundError) as missing:
        tracker.get_run("0" * 32)
    assert missing.value.status == 404 and missing.value.code.endswith("not_found")
    bad = ExperimentTracker(stack.url, "stratus_0000000000000000_" + "A" * 43)
    with pytest.raises(AuthenticationError) as unauthorized:
        bad.list_experiments()
    assert unauthorized.value.status == 401
    with pytest.raises(StratusError) as invalid:
        tracker.create_experiment("x" * 300)
    assert invalid.value.status == 400 and "experiment_name" in invalid.value.message


def test_constructor_reads_the_environment(env, monkeypatch) -> None:
    tracker = ExperimentTracker()
    assert tracker.endpoint == env.api
    monkeypatch.delenv("STRATUS_TOKEN")
    with pytest.raises(ValueError, match="STRATUS_TOKEN"):
        ExperimentTracker()


def test_context_manager_ends_finished_or_failed(tracker: ExperimentTracker, experiment_name: str) -> None:
    with tracker.run(experiment_name, run_name="ok") as run:
        run.log_params({"lr": 0.1})
        run.log_metrics({"acc": 0.9}, step=1)
    assert tracker.get_run(run.run_id).status == "FINISHED"
    assert tracker.get_run(run.run_id).metrics == {"acc": 0.9}

    with pytest.raises(ZeroDivisionError):
        with tracker.run(experiment_name, run_name="boom") as failing:
            failing.log_metrics({"acc": 0.1})
            1 / 0
    stored = tracker.get_run(failing.run_id)
    assert stored.status == "FAILED" and stored.metrics == {"acc": 0.1}


def test_decorators_end_runs(tracker: ExperimentTracker, env, experiment_name: str) -> None:
    seen = {}

    @tracker.track(experiment_name, tags={"kind": "decorated"})
    def train(lr: float, run=None) -> float:
        seen["run"] = run
        run.log_params({"lr": lr})
        return lr * 2

    assert train(0.5) == 1.0
    assert tracker.get_run(seen["run"].run_id).status == "FINISHED"

    @tracked(experiment_config={"project_name": experiment_name, "tags": {"environment": "production"}})
    def broken(run=None) -> None:
        seen["broken"] = run
        raise ValueError("bad data")

    with pytest.raises(ValueError, match="bad data"):
        broken()
    stored = tracker.get_run(seen["broken"].run_id)
    assert stored.status == "FAILED" and stored.tags["environment"] == "production"


def test_lists_and_lookups(tracker: ExperimentTracker, experiment_name: str) -> None:
    experiment = tracker.create_experiment(experiment_name, description="d", tags={"team": "risk"})
    assert tracker.get_experiment(experiment.experiment_id).experiment_name == experiment_name
    assert tracker.get_experiment(experiment_name).experiment_id == experiment.experiment_id
    assert experiment.experiment_id in [e.experiment_id for e in tracker.list_experiments(filters={"tags": {"team": "risk"}})]
    ids = []
    for index in range(3):
        ids.append(tracker.start_run(experiment_name, run_name=f"r{index}").run_id)
        tracker.end_run()
    listed = tracker.list_runs(experiment_name)
    assert [r.run_id for r in listed] == list(reversed(ids))  # newest first
    assert len(list(tracker.iter_runs(experiment.experiment_id, page_size=1))) == 3
    with pytest.raises(ConflictError):
        tracker.create_experiment(experiment_name)


def test_end_run_rejects_unknown_status(tracker: ExperimentTracker, experiment_name: str) -> None:
    tracker.start_run(experiment_name)
    with pytest.raises(ValueError):
        tracker.end_run(status="DONE")
    tracker.end_run(status="COMPLETED")


def test_start_run_sends_first_params_and_metrics_in_the_same_request(
    tracker: ExperimentTracker, experiment_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: List[Tuple[str, str]] = []
    request = tracker.transport.request

    def counting(method: str, path: str, **kwargs: Any) -> Any:
        sent.append((method, path))
        return request(method, path, **kwargs)

    monkeypatch.setattr(tracker.transport, "request", counting)
    run = tracker.start_run(
        experiment_name,
        run_name="one-call",
        params={"lr": 0.01, "layers": 3, "optimizer": "adam"},
        metrics={"loss": 0.9, "acc": float("nan")},
        step=0,
    )
    assert sent == [("POST", "/runs")]
    assert run.params == {"lr": "0.01", "layers": "3", "optimizer": "adam"}
    stored = tracker.get_run(run.run_id)
    assert stored.params == run.params
    assert stored.metrics["loss"] == 0.9 and math.isnan(stored.metrics["acc"])
    tracker.end_run()

    # Past the 100 params a request takes, the rest follow in log_params: nothing is lost.
    sent.clear()
    many = {f"p{i:03d}": i for i in range(150)}
    wide = tracker.start_run(experiment_name, params=many)
    assert sent == [("POST", "/runs"), ("POST", f"/runs/{wide.run_id}/params")]
    assert tracker.get_run(wide.run_id).params == {key: str(value) for key, value in many.items()}
    tracker.end_run()


def test_reads_see_the_points_this_tracker_just_logged(stack, experiment_name: str) -> None:
    # A sender that would otherwise wait a minute: only the reads themselves can make the points visible.
    tracker = ExperimentTracker(endpoint=stack.url, token=stack.token, flush_interval=60.0)
    try:
        run = tracker.start_run(experiment_name, run_name="reads-own-writes")
        tracker.log_metrics({"loss": 0.5, "acc": 0.7}, step=0)
        assert tracker.get_run(run.run_id).metrics == {"loss": 0.5, "acc": 0.7}
        tracker.log_metric("loss", 0.25, step=1)
        assert [point.value for point in tracker.get_metric_history(run.run_id, "loss")] == [0.5, 0.25]
        tracker.log_metric("loss", 0.125, step=2)
        found = tracker.search_runs(experiment_name, "metrics.loss < 0.2")
        assert [found_run.run_id for found_run in found] == [run.run_id]
        tracker.log_metric("acc", 0.95, step=3)
        rows = tracker.compare_runs([run.run_id], metric_names=["acc"], as_dataframe=False)
        assert rows[0]["metrics.acc"] == 0.95
    finally:
        tracker.close()


def test_a_run_reads_whole_past_the_first_page_of_its_answer(tracker: ExperimentTracker, experiment_name: str) -> None:
    """A run's answer carries the first page (under 1 MiB) of its params and of its tags, with a
    token for the rest: get_run, list_runs and search_runs read the rest, so a run reads whole."""
    params = {f"p{i:03d}": "x" * 6000 for i in range(200)}
    tags = {f"t{i:03d}": "y" * 8000 for i in range(180)}
    run = tracker.start_run(experiment_name=experiment_name)
    tracker.log_params(params)
    items = list(tags.items())
    for start in range(0, len(items), 50):
        tracker.set_tags(dict(items[start : start + 50]))
    tracker.log_metric("loss", 0.5, step=3)
    tracker.log_metric("loss", 0.4, step=5)
    tracker.end_run()

    raw = tracker.transport.json("GET", f"/runs/{run.run_id}")
    assert len(raw["params"]) < len(params) and raw["params_truncated"] is True
    assert raw["tags_truncated"] is True
    for read in (tracker.get_run(run.run_id), tracker.search_runs(experiment_name)[0]):
        assert read.params == params
        assert {key: value for key, value in read.tags.items() if key in tags} == tags
    # A list gives runs without params (as the API's list does), with every tag.
    listed = tracker.list_runs(experiment_name)[0]
    assert {key: value for key, value in listed.tags.items() if key in tags} == tags
    stored = tracker.get_run(run.run_id)
    assert stored.latest_metrics["loss"].step == 5 and stored.latest_metrics["loss"].min_step == 3


def test_params_and_tags_past_one_request_go_in_several(tracker: ExperimentTracker, experiment_name: str) -> None:
    """100 params of 6,000 characters past ASCII, as this client sends them, are 7.2 MB, and 150 tags are more
    than a request holds: the SDK splits them into requests the service takes (1 MiB, 100 entries), whole."""
    params = {f"p{i:03d}": "😀" * 6000 for i in range(100)}
    tags = {f"t{i:03d}": "€" * 8000 for i in range(150)}
    run = tracker.start_run(experiment_name=experiment_name, params=params, tags=tags)
    tracker.end_run()
    for read in (run, tracker.get_run(run.run_id)):
        assert read.params == params
        assert {key: value for key, value in read.tags.items() if key.startswith("t")} == tags
    later = tracker.start_run(experiment_name=experiment_name)
    tracker.log_params(params)
    tracker.set_tags(tags)
    tracker.end_run()
    stored = tracker.get_run(later.run_id)
    assert stored.params == params and {key: value for key, value in stored.tags.items() if key.startswith("t")} == tags


def test_run_lineage_reads_what_mlflow_logged(stack: Any, tracker: ExperimentTracker, experiment_name: str) -> None:
    run = tracker.start_run(experiment_name, run_name="trained")
    tracker.end_run()
    run_id, experiment_id = run.run_id, run.experiment_id
    dataset = {"name": "train", "digest": "d1", "source_type": "local", "source": '{"uri": "/data/train"}'}
    mlflow_post(
        stack,
        "runs/log-inputs",
        {"run_id": run_id, "datasets": [{"dataset": dataset, "tags": [{"key": "mlflow.data.context", "value": "training"}]}]},
    )
    created = mlflow_post(
        stack, "logged-models", {"experiment_id": experiment_id, "name": "clf", "source_run_id": run_id}
    )
    model_id = created["model"]["info"]["model_id"]
    mlflow_post(stack, "runs/outputs", {"run_id": run_id, "models": [{"model_id": model_id, "step": 3}]})

    lineage = tracker.get_run_lineage(run_id)
    assert lineage.run_id == run_id
    [train] = lineage.datasets
    assert (train.name, train.digest, train.source_type, train.context) == ("train", "d1", "local", "training")
    assert train.tags == {"mlflow.data.context": "training"}
    [model] = lineage.models
    assert (model.model_id, model.used, model.produced_at_step, model.name) == (model_id, False, 3, "clf")
    assert lineage.models_looked_up == 1

    plain = tracker.start_run(experiment_name, run_name="plain")
    tracker.end_run()
    assert tracker.get_run_lineage(plain.run_id) == RunLineage(plain.run_id)
    with pytest.raises(NotFoundError):
        tracker.get_run_lineage("0" * 32)


def test_logged_models_of_an_experiment_newest_first_with_their_metrics(
    stack: Any, tracker: ExperimentTracker, experiment_name: str
) -> None:
    run = tracker.start_run(experiment_name, run_name="trained")
    tracker.end_run()
    run_id, experiment_id = run.run_id, run.experiment_id
    ids = [
        mlflow_post(
            stack,
            "logged-models",
            {
                "experiment_id": experiment_id,
                "name": name,
                "source_run_id": run_id,
                "params": [{"key": "alpha", "value": "0.1"}],
            },
        )["model"]["info"]["model_id"]
        for name in ("first", "second", "third")
    ]
    mlflow_post(
        stack,
        "runs/log-metric",
        {"run_id": run_id, "key": "f1", "value": "NaN", "timestamp": 5, "step": 2, "model_id": ids[0]},
    )
    # Read by name and by id, a page of two at a time: newest first.
    models = list(tracker.iter_logged_models(experiment_name, page_size=2))
    assert [model.model_id for model in models] == ids[::-1]
    assert [model.model_id for model in tracker.list_logged_models(experiment_id, max_results=1)] == [ids[2]]
    first = models[2]
    assert (first.name, first.status, first.source_run_id, first.experiment_id) == ("first", "PENDING", run_id, experiment_id)
    assert first.params == {"alpha": "0.1"}
    [f1] = first.metrics
    assert (f1.key, f1.step, f1.timestamp, f1.run_id, f1.dataset_name) == ("f1", 2, 5, run_id, None)
    assert math.isnan(f1.value)
    with pytest.raises(NotFoundError):
        tracker.list_logged_models("0" * 32)


def test_log_input_records_what_the_run_trained_on(tracker: ExperimentTracker, experiment_name: str) -> None:
    with tracker.run(experiment_name, run_name="fit") as run:
        first = run.log_input("train", "s3://bucket/train.parquet", context="training", tags={"rows": 1000})
        run.log_input("holdout", "/data/holdout.csv", context="evaluation", digest="c0ffee")
        # The same dataset again (the same name and source: the same digest) keeps its first record.
        again = run.log_input("train", "s3://bucket/train.parquet", context="evaluation")
    assert first is not None and again is not None
    [train] = first.datasets
    assert (train.name, train.source_type, train.context) == ("train", "s3", "training")
    assert json.loads(train.source) == {"uri": "s3://bucket/train.parquet"}
    assert train.tags == {"rows": "1000", "mlflow.data.context": "training"}
    lineage = tracker.get_run_lineage(run.run_id)
    assert [(d.name, d.source_type, d.digest, d.context) for d in lineage.datasets] == [
        ("train", "s3", train.digest, "training"),
        ("holdout", "local", "c0ffee", "evaluation"),
    ]
    assert again.datasets == lineage.datasets
    with pytest.raises(ValidationError) as refused:
        tracker.log_input("x", "/x", context="training", tags={"mlflow.data.context": "other"}, run_id=run.run_id)
    assert "context" in str(refused.value)
