"""search_runs and compare_runs (SDK and CLI) against the search API (branch `search`)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from support import cli_runner

from stratus import ExperimentTracker
from stratus.cli.commands import cli


@pytest.fixture
def risk_runs(tracker: ExperimentTracker, experiment_name: str):
    """Four finished runs with the seed's params and metrics."""
    specs = [
        ("rf", {"accuracy": 0.82, "f1_score": 0.80, "auc": 0.85}),
        ("xgboost", {"accuracy": 0.91, "f1_score": 0.88, "auc": 0.93}),
        ("xgboost", {"accuracy": 0.87, "f1_score": 0.90, "auc": 0.91}),
        ("xgboost", {"accuracy": 0.95, "f1_score": 0.86, "auc": 0.96}),
    ]
    ids = []
    for index, (model, metrics) in enumerate(specs):
        with tracker.run(experiment_name, run_name=f"{model}-{index}") as run:
            run.log_params({"model_type": model, "max_depth": 4 + index})
            run.log_metrics(metrics)
        ids.append(run.run_id)
    return ids


def test_search_runs_filters_and_orders(tracker, experiment_name, risk_runs) -> None:
    everything = tracker.search_runs(experiment_name=experiment_name)
    assert sorted(run.run_id for run in everything) == sorted(risk_runs)
    assert all(run.params and run.metrics for run in everything)

    good = tracker.search_runs(experiment_name=experiment_name, filter_string="metrics.accuracy > 0.9")
    assert sorted(run.run_id for run in good) == sorted([risk_runs[1], risk_runs[3]])

    ordered = tracker.search_runs(experiment_name=experiment_name, order_by=["metrics.accuracy DESC"])
    assert [run.run_id for run in ordered] == [risk_runs[3], risk_runs[1], risk_runs[2], risk_runs[0]]

    complex_ = tracker.search_runs(
        experiment_name=experiment_name,
        filter_string="params.model_type = 'xgboost' AND metrics.accuracy > 0.85",
        order_by=["metrics.f1_score DESC", "start_time DESC"],
    )
    assert [run.run_id for run in complex_] == [risk_runs[2], risk_runs[1], risk_runs[3]]


def test_search_pages_through_results(tracker, experiment_name, risk_runs) -> None:
    paged = list(tracker.iter_search_runs(experiment_name, order_by=["metrics.auc ASC"], page_size=1))
    assert [run.run_id for run in paged] == [risk_runs[0], risk_runs[2], risk_runs[1], risk_runs[3]]
    assert len(tracker.search_runs(experiment_name=experiment_name, max_results=2)) == 2


def test_compare_runs_as_dataframe_and_as_dicts(tracker, risk_runs) -> None:
    frame = tracker.compare_runs(run_ids=risk_runs[:3], metric_names=["accuracy", "f1_score", "auc"])
    assert list(frame.index) == risk_runs[:3]
    assert frame.loc[risk_runs[1], "metrics.accuracy"] == pytest.approx(0.91)
    # By default: the metrics asked for, and only the params whose values differ.
    assert list(frame.columns) == [
        "run_name", "status", "start_time", "metrics.accuracy", "metrics.f1_score", "metrics.auc",
        "params.max_depth", "params.model_type",
    ]
    assert str(frame["start_time"].dtype).startswith("datetime64")
    assert tracker.compare_runs(run_ids=risk_runs[1:3], metric_names=["auc"]).columns.tolist()[-1] == "params.max_depth"

    rows = tracker.compare_runs(run_ids=risk_runs[:2], metric_names=["accuracy"], as_dataframe=False)
    assert [row["run_id"] for row in rows] == risk_runs[:2]
    assert rows[0]["metrics.accuracy"] == pytest.approx(0.82)
    assert "metrics.auc" not in rows[0]
    assert rows[0]["start_time"].year >= 2024  # a datetime, not epoch milliseconds

    every_param = tracker.compare_runs(run_ids=risk_runs[1:3], only_differing_params=False, as_dataframe=False)
    assert "params.max_depth" in every_param[0] and "params.model_type" in every_param[0]
    named = tracker.compare_runs(run_ids=risk_runs[1:3], param_names=["model_type"], as_dataframe=False)
    assert named[0]["params.model_type"] == "xgboost" and "params.max_depth" not in named[0]


def test_print_of_a_comparison_shows_every_metric(tracker, risk_runs, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = str(tracker.compare_runs(run_ids=risk_runs, metric_names=["accuracy", "f1_score", "auc"]))
    for name in ("metrics.accuracy", "metrics.f1_score", "metrics.auc", "0.91", "0.96"):
        assert name in text, text
    assert "..." not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_compare_no_runs_is_an_empty_table(tracker) -> None:
    empty = tracker.compare_runs([])
    assert len(empty) == 0 and list(empty.columns) == ["run_name", "status", "start_time"]
    assert tracker.compare_runs([], metric_names=["accuracy"], as_dataframe=False) == []
    assert str(tracker.compare_runs([], as_dataframe=False)) == "(no runs)"


def test_compare_runs_of_a_whole_sweep(tracker, experiment_name) -> None:
    # The README's own lines, on a sweep of 250 runs: search_runs gives them all, and compare_runs
    # took at most the service's 100 (a ValidationError for run_ids) before it asked in slices.
    for index in range(250):
        params = {"lr": index, "seed": 7, "phase": "warmup" if index < 100 else "main"}
        if index == 249:
            params["late"] = "yes"
        tracker.start_run(experiment_name, run_name=f"trial-{index}", params=params, metrics={"acc": index / 250})
        tracker.end_run()
    runs = tracker.search_runs(experiment_name=experiment_name, order_by=["metrics.acc DESC"])
    assert len(runs) == 250
    rows = tracker.compare_runs(run_ids=[run.run_id for run in runs], as_dataframe=False)
    assert [row["run_id"] for row in rows] == [run.run_id for run in runs]
    # Params that differ over the whole sweep, even when each slice of 100 holds one value (phase) or the
    # param only in its last run (late); never the one all runs share (seed).
    assert rows.columns == ["run_id", "run_name", "status", "start_time", "metrics.acc", "params.late", "params.lr", "params.phase"]
    assert rows[0]["metrics.acc"] == pytest.approx(249 / 250) and rows[0]["params.late"] == "yes"
    assert rows[-1]["params.phase"] == "warmup" and rows[-1]["params.late"] is None
    named = tracker.compare_runs([run.run_id for run in runs], param_names=["seed"], metric_names=[], as_dataframe=False)
    assert named.columns[-1] == "params.seed" and {row["params.seed"] for row in named} == {"7"}


def test_compare_runs_without_pandas_gives_dicts(tracker, risk_runs, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    rows = tracker.compare_runs(run_ids=risk_runs[:2], metric_names=["auc"])
    assert isinstance(rows, list) and rows[1]["metrics.auc"] == pytest.approx(0.93)
    lines = str(rows).splitlines()
    assert lines[0].split() == ["run_id", "run_name", "status", "start_time", "metrics.auc", "params.max_depth", "params.model_type"]
    assert risk_runs[1] in lines[2] and "0.93" in lines[2]


def test_cli_search_and_compare(env, experiment_name, risk_runs) -> None:
    runner = cli_runner()

    def stratus(*args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output + result.stderr
        return result.stdout

    table = stratus("runs", "search", experiment_name, "--filter", "metrics.accuracy > 0.9", "--order-by", "metrics.accuracy DESC")
    assert table.index(risk_runs[3]) < table.index(risk_runs[1]) and risk_runs[0] not in table
    # The metric the runs are ordered by, under its own name, right after the status.
    assert table.splitlines()[0].split()[:4] == ["run_id", "run_name", "status", "accuracy"]
    # So is a metric the filter compares, in an 80-column terminal too (it used to be dropped there).
    filtered = runner.invoke(cli, ["runs", "search", experiment_name, "--filter", "metrics.f1_score > 0.5 AND metrics.`auc` > 0"], env={"COLUMNS": "80"})
    assert filtered.stdout.splitlines()[0].split()[:5] == ["run_id", "run_name", "status", "f1_score", "auc"], filtered.stdout
    found = json.loads(stratus("runs", "search", experiment_name, "--order-by", "metrics.auc ASC", "--json"))
    assert [run["run_id"] for run in found] == [risk_runs[0], risk_runs[2], risk_runs[1], risk_runs[3]]

    compared = list(csv.DictReader(io.StringIO(stratus("runs", "compare", *risk_runs[:2], "--metric", "accuracy", "--csv"))))
    assert [row["run_id"] for row in compared] == risk_runs[:2]
    assert float(compared[1]["metrics.accuracy"]) == pytest.approx(0.91)
    assert compared[0]["params.model_type"] == "rf"
    every = list(csv.DictReader(io.StringIO(stratus("runs", "compare", *risk_runs[1:3], "--all-params", "--csv"))))
    assert every[0]["params.model_type"] == every[1]["params.model_type"] == "xgboost"
    assert "params.model_type" not in stratus("runs", "compare", *risk_runs[1:3], "--csv").splitlines()[0]
    human = stratus("runs", "compare", *risk_runs)
    assert all(run_id in human for run_id in risk_runs) and "f1_score" in human


def test_compare_shows_only_differing_params_by_default_as_the_typescript_sdk(tracker, experiment_name) -> None:
    pair = []
    for model in ("a", "b"):
        run = tracker.start_run(experiment_name=experiment_name)
        tracker.log_params({"seed": 7, "model": model})
        tracker.end_run()
        pair.append(run.run_id)

    def columns(**options):
        rows = tracker.compare_runs(run_ids=pair, as_dataframe=False, **options)
        return [column for column in rows[0] if column.startswith("params.")]

    assert columns() == ["params.model"]
    assert columns(only_differing_params=False) == ["params.model", "params.seed"]
    assert columns(param_names=["seed"]) == ["params.seed"]


def test_compare_runs_reads_whole_the_runs_past_the_answers_bound(tracker, experiment_name) -> None:
    """The service ends a comparison's columns before its answer passes a function's 6 MB and flags
    the runs with values past them; compare_runs reads those runs whole, so no cell is lost."""
    # A `"` is four bytes in the payload (escaped in the body, escaped again in the function's answer):
    # three runs of 100 such params are 7.2 MB, the last run's own params sort past all of theirs.
    params = {f"p{i:03d}": f"v{i}" + '"' * 5990 for i in range(100)}
    ids = []
    for index in range(3):
        run = tracker.start_run(experiment_name, run_name=f"wide-{index}", params={**params, "seed": "7"})
        tracker.end_run()
        ids.append(run.run_id)
    last = tracker.start_run(experiment_name, run_name="narrow", params={"seed": "7", "z-last": "small"})
    tracker.end_run()
    ids.append(last.run_id)
    raw = tracker.transport.json("POST", "/runs/compare", json_body={"run_ids": ids})
    assert len(raw["param_names"]) < len(params) and all(run.get("params_truncated") for run in raw["runs"][:3])

    rows = tracker.compare_runs(ids, only_differing_params=False, as_dataframe=False)
    assert rows.columns[4:] == [f"params.{key}" for key in [*params, "seed", "z-last"]]
    for row in rows[:3]:
        assert {key: row[f"params.{key}"] for key in params} == params and row["params.z-last"] is None
    assert rows[3]["params.z-last"] == "small" and rows[3]["params.p099"] is None
    # Only those that differ over every run: not the seed they all share.
    assert "params.seed" not in tracker.compare_runs(ids, as_dataframe=False).columns
    assert tracker.compare_runs(ids, as_dataframe=False).columns[-1] == "params.z-last"


def test_compare_runs_reads_the_latest_metrics_of_runs_past_the_answers_bound(tracker, experiment_name) -> None:
    # Five runs of 1,000 metrics with 250-character keys, all different: 5,000 columns of five cells, 10 MB.
    ids = []
    for index in range(5):
        metrics = {f"m{index}-{i:04d}-".ljust(250, "x"): i / 8 for i in range(1000)}
        run = tracker.start_run(experiment_name, run_name=f"deep-{index}", metrics=metrics)
        tracker.end_run()
        ids.append(run.run_id)
    raw = tracker.transport.json("POST", "/runs/compare", json_body={"run_ids": ids})
    assert len(raw["metric_names"]) < 5000 and raw["runs"][-1].get("metrics_truncated") is True
    rows = tracker.compare_runs(ids, as_dataframe=False)
    metric_columns = [column for column in rows.columns if column.startswith("metrics.")]
    assert len(metric_columns) == 5000
    for index, row in enumerate(rows):
        own = {column: value for column, value in row.items() if column.startswith(f"metrics.m{index}-")}
        assert len(own) == 1000 and own[f"metrics.m{index}-0008-".ljust(258, "x")] == 1.0
        assert sum(value is not None for column, value in row.items() if column.startswith("metrics.")) == 1000
