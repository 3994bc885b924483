"""examples/ — every Python block of both seeds — run as scripts, in order, on a stack that
already holds other people's runs in the very experiments the seeds use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stratus import ExperimentTracker

from conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
HEAD = subprocess.run(["git", "rev-parse", "HEAD"], cwd=EXAMPLES, capture_output=True, text=True).stdout.strip()

# Runs a script as `python script.py` would (its own interpreter, its exit hooks), then prints
# the values its names hold at the end, so the test can check what the seed's code computed.
HARNESS = """
import dataclasses, json, runpy, sys
names = sys.argv[2:]
found = runpy.run_path(sys.argv[1], run_name="__main__")
def plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if hasattr(value, "to_dict") and hasattr(value, "reset_index"):
        return plain(value.reset_index().to_dict("records"))
    return value
sys.stdout.flush()
print("\\n@@RESULT@@" + json.dumps({name: plain(found.get(name)) for name in names}, default=str))
"""

SCRIPTS = {
    "seed1_01_quick_start.py": ["run"],
    "seed1_02_core_concepts.py": ["run1", "run2", "run"],
    "seed1_03_querying_experiments.py": ["run1", "run2", "run3", "run", "runs", "comparison"],
    "seed1_04_model_registry.py": ["run", "version"],
    "seed1_05_best_practices.py": [],
    "seed1_06_troubleshooting.py": ["correct_run_id", "run"],
    "seed1_07_advanced_usage.py": ["run", "artifact"],
    "seed2_sandbox.py": ["experiment_id", "experiment", "experiments", "recent_experiments", "prod_experiments", "components"],
}


def other_peoples_runs(tracker: ExperimentTracker) -> dict:
    """Runs that are already there before the examples: matches and non-matches for every query."""
    ids = {}
    for name, model, accuracy, f1 in [
        ("other-best", "xgboost", 0.99, 0.97),
        ("other-forest", "random_forest", 0.95, 0.99),
        ("other-weak", "xgboost", 0.80, 0.99),
    ]:
        with tracker.run("risk_prediction", run_name=name) as run:
            run.log_params({"model_type": model})
            run.log_metrics({"accuracy": accuracy, "f1_score": f1, "auc": 0.5})
        ids[name] = run.run_id
    for project, environment in [("my_project", "production"), ("my_project", "staging")]:
        with tracker.run(project, run_name=f"earlier-{environment}", tags={"environment": environment}) as run:
            pass
        ids[f"earlier-{environment}"] = run.run_id
    with tracker.run("mental_health_risk_model", run_name="baseline_v1"):
        pass
    return ids


@pytest.fixture(scope="module")
def ran(stack, tmp_path_factory):
    """Every example, in order, each in a scratch directory: its stdout and its final values."""
    tracker = ExperimentTracker(stack.url, stack.token)
    before = other_peoples_runs(tracker)
    env = {**os.environ, "STRATUS_ENDPOINT": stack.url, "STRATUS_TOKEN": stack.token}
    results = {}
    assert sorted(SCRIPTS) == sorted(p.name for p in EXAMPLES.glob("*.py")), "every example runs here"
    for script, names in SCRIPTS.items():
        cwd = tmp_path_factory.mktemp(script[:-3])
        done = subprocess.run(
            [sys.executable, "-c", HARNESS, str(EXAMPLES / script), *names],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=180,
        )
        assert done.returncode == 0, f"{script}:\n{done.stderr}"
        assert "stratus:" not in done.stderr, done.stderr  # no warnings, no outage
        output, _, values = done.stdout.rpartition("\n@@RESULT@@")
        results[script] = {"output": output, "values": json.loads(values), "cwd": cwd}
    return {"tracker": tracker, "before": before, **results}


def test_quick_start(ran) -> None:
    result = ran["seed1_01_quick_start.py"]
    run_id = result["values"]["run"]["run_id"]
    assert f"Run ID: {run_id}" in result["output"] and "Status: FINISHED" in result["output"]
    run = ran["tracker"].get_run(run_id)
    assert run.run_name == "baseline_v1" and run.status == "FINISHED"
    assert run.params == {"n_estimators": "100", "max_depth": "10", "learning_rate": "0.01"}
    assert set(run.metrics) == {"accuracy", "loss"} and run.latest_metrics["loss"].step == 9
    assert sorted((a.path, a.artifact_type) for a in run.artifacts) == [("confusion_matrix.png", "plot"), ("model.pkl", "model")]
    # FileSystemStorage received a copy; the script's own checkout is the commit recorded.
    copy = result["cwd"] / "experiments" / "artifacts" / run_id / "model.pkl"
    assert copy.read_bytes() == (result["cwd"] / "model.pkl").read_bytes()
    assert run.git_commit == HEAD and run.tags["stratus.git.commit"] == HEAD


def test_core_concepts(ran) -> None:
    values = ran["seed1_02_core_concepts.py"]["values"]
    assert "Status: RUNNING" in ran["seed1_02_core_concepts.py"]["output"]
    tracker = ran["tracker"]
    first, second, tuned = (tracker.get_run(values[name]["run_id"]) for name in ("run1", "run2", "run"))
    # Nothing ended them in the script: the interpreter's exit did.
    assert first.status == second.status == tuned.status == "FINISHED"
    assert first.experiment_id == second.experiment_id == tuned.experiment_id
    assert tuned.tags["author"] == "data_scientist_1" and len(tuned.params) == 6
    assert tuned.params["learning_rate"] == "0.05" and first.params == {} and first.metrics == {}
    assert tuned.latest_metrics["train_accuracy"].step == 3 and tuned.metrics["train_accuracy"] == 0.92
    assert tuned.metrics["final_auc"] == 0.94 and tuned.latest_metrics["final_auc"].step == 0
    assert sorted((a.path, a.artifact_type) for a in tuned.artifacts) == [
        ("data/predictions.csv", "data"),
        ("models/model.pkl", "model"),
        ("plots/feature_importance.png", "plot"),
        ("plots/roc_curve.png", "plot"),
        ("reports/model_card.html", "report"),
    ]


def test_querying_experiments_on_a_busy_stack(ran) -> None:
    result = ran["seed1_03_querying_experiments.py"]
    values = result["values"]
    assert "Run Name: xgboost_0.92" in result["output"]
    params_line = result["output"].split("Parameters: ")[1].splitlines()[0]
    assert eval(params_line) == {"model_type": "xgboost", "max_depth": "8"}  # the printed dict, whatever its order
    assert values["run"]["run_id"] == values["run2"]
    # The last search: every xgboost run above 0.85 in the experiment, whoever logged it, best f1 first.
    found = values["runs"]
    assert all(r["params"]["model_type"] == "xgboost" and r["metrics"]["accuracy"] > 0.85 for r in found)
    assert {values["run2"], values["run3"], ran["before"]["other-best"]} <= {r["run_id"] for r in found}
    assert ran["before"]["other-weak"] not in {r["run_id"] for r in found}
    f1 = [r["metrics"]["f1_score"] for r in found]
    assert f1 == sorted(f1, reverse=True)
    # Compare: the three runs, the metrics asked for, and print() showed them all.
    rows = values["comparison"]
    assert [row["run_id"] for row in rows] == [values["run1"], values["run2"], values["run3"]]
    assert [row["metrics.accuracy"] for row in rows] == [0.84, 0.92, 0.88]
    printed = result["output"].split("Artifacts: ")[1]
    assert all(f"metrics.{m}" in printed for m in ("accuracy", "f1_score", "auc")) and "..." not in printed


def test_model_registry(ran, stack) -> None:
    from stratus import ModelRegistry

    result = ran["seed1_04_model_registry.py"]
    run_id = result["values"]["run"]["run_id"]
    version = result["values"]["version"]
    assert f"Registered: risk_predictor_v2 version {version['version']} from run {run_id}" in result["output"]
    assert "Champion predicts: [0, 1]" in result["output"]
    registry = ModelRegistry(stack.url, stack.token)
    champion = registry.get_model_version("risk_predictor_v2", "champion")
    assert champion.version == version["version"] and champion.run_id == run_id and champion.artifact_path == "model.pkl"
    run = ran["tracker"].get_run(run_id)
    assert champion.metadata == {"experiment_id": run.experiment_id, "run_id": run_id, "accuracy": 0.93}
    model_file = result["cwd"] / "model.pkl"
    assert [(f.path, f.size_bytes) for f in champion.files] == [("model.pkl", model_file.stat().st_size)]
    assert f"sha256={champion.files[0].sha256}" in result["output"]


def test_best_practices(ran) -> None:
    tracker = ran["tracker"]

    def runs(experiment: str, filter_string: str = ""):
        return tracker.search_runs(experiment_name=experiment, filter_string=filter_string or None)

    assert [r.status for r in runs("suicide_risk_lstm_baseline", "run_name = 'lstm_128_units_dropout_0.3'")][:1] == ["FINISHED"]
    assert runs("exp1", "run_name = 'run1'")[0].status == "FINISHED"
    tagged = runs("risk_prediction", "tags.purpose = 'hyperparameter_tuning'")[0]
    assert tagged.status == "FINISHED" and tagged.tags["data_split"] == "temporal"
    history = tracker.get_metric_history(tagged.run_id, "val_loss")
    assert [p.step for p in history] == [0, 5, 10]
    assert len(tracker.get_metric_history(tagged.run_id, "train_loss")) == 11
    handled = [r for r in runs("risk_model", "params.max_depth = '6'") if r.params.get("lr") == "0.01"][0]
    assert handled.status == "FINISHED" and handled.metrics == {"accuracy": 0.9}
    assert [a.path for a in tracker.get_run(handled.run_id).artifacts] == ["model.pkl"]
    managed = runs("risk_model", "run_name = 'test'")[0]
    assert managed.status == "FINISHED" and managed.params == {"lr": "0.01"} and managed.metrics == {"accuracy": 0.9}


def test_troubleshooting(ran) -> None:
    values = ran["seed1_06_troubleshooting.py"]["values"]
    assert values["run"]["run_id"] == values["correct_run_id"]
    run = ran["tracker"].get_run(values["correct_run_id"])
    assert run.status == "FINISHED" and run.metrics == {"accuracy": 0.9}


def test_advanced_usage(ran) -> None:
    result = ran["seed1_07_advanced_usage.py"]
    run_id = result["values"]["run"]["run_id"]
    assert result["values"]["artifact"]["copy_uri"] == f"s3://my-experiments/{run_id}/model.pkl"
    assert (result["cwd"] / "fake-s3" / run_id / "model.pkl").read_bytes() == b"weights"
    assert f"git_commit: {HEAD}" in result["output"]
    assert ran["tracker"].get_run(run_id).git_commit == HEAD


def test_the_second_seed(ran) -> None:
    result = ran["seed2_sandbox.py"]
    values = result["values"]
    experiment_id = values["experiment_id"]
    assert "Status: COMPLETED" in result["output"]
    assert "Duration: 0:00:0" in result["output"]  # a timedelta, as the seed's datetimes give
    assert values["experiment"]["id"] == experiment_id and values["experiment"]["name"] == "MyExperiment"
    # list_experiments: the project's runs, this one and the earlier ones, newest first.
    listed = [e["id"] for e in values["experiments"]]
    assert listed[0] == experiment_id and ran["before"]["earlier-staging"] in listed
    # The SQL blocks ran on the file storage_uri wrote.
    assert [row[0] for row in values["recent_experiments"]] == [experiment_id]
    assert values["recent_experiments"][0][3] == "COMPLETED"
    assert json.loads(values["recent_experiments"][0][4])["environment"] == "production"
    assert [row[0] for row in values["prod_experiments"]] == [experiment_id]
    assert values["components"] == []
    assert Path(result["cwd"] / "experiments.db").exists()


def test_list_experiments_filters_by_tag_on_a_busy_stack(ran, stack) -> None:
    from stratus.sandbox import SandboxTracker

    tracker = SandboxTracker(ran["tracker"], {"project_name": "my_project"}, "MyExperiment")
    production = tracker.list_experiments(filters={"tags": {"environment": "production"}})
    ids = {e.id for e in production}
    assert ran["seed2_sandbox.py"]["values"]["experiment_id"] in ids and ran["before"]["earlier-production"] in ids
    assert ran["before"]["earlier-staging"] not in ids
    assert all(e.tags["environment"] == "production" for e in production)


def test_the_readmes_python_snippet_runs_on_a_fresh_experiment(stack, tmp_path) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    snippet = readme.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "model.pkl").write_bytes(b"weights")
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "roc.png").write_bytes(b"png")
    experiment = f"readme-{tmp_path.name[-8:]}"
    script = tmp_path / "snippet.py"
    script.write_text(snippet.replace('"risk_prediction"', repr(experiment)))
    env = {**os.environ, "STRATUS_ENDPOINT": stack.url, "STRATUS_TOKEN": stack.token}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "'acknowledged': 30" in done.stdout and "metrics.accuracy" in done.stdout
    assert (tmp_path / "out" / "roc.png").read_bytes() == b"png"
    runs = ExperimentTracker(stack.url, stack.token).search_runs(experiment_name=experiment, filter_string="params.model_type = 'xgboost'")
    assert [r.run_name for r in runs] == ["baseline_v1"]


def test_the_readme_states_the_trackers_defaults() -> None:
    import inspect
    import re

    readme = re.sub(r"\s+", " ", (REPO_ROOT / "README.md").read_text())
    default = {name: p.default for name, p in inspect.signature(ExperimentTracker.__init__).parameters.items()}
    for phrase in [
        f"batches of up to {default['batch_size']:,} points when a batch is full or {default['flush_interval']:g} s after",
        f"spool of at most `max_spool` points ({default['max_spool']:,})",
        f"`flush_timeout`, {default['flush_timeout']:g} s by default",
        f"(`upload_workers`, {default['upload_workers']})",
        f"every {default['system_metrics_interval']:g} s (`system_metrics_interval`)",
    ]:
        assert phrase in readme, phrase
