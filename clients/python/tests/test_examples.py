"""examples/ — the first seed's Quick Start and Querying Experiments — run as scripts against the stack."""

from __future__ import annotations

import os
import subprocess
import sys

from stratus import ExperimentTracker

from conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"


def run_example(name: str, stack, cwd) -> str:
    env = {**os.environ, "STRATUS_ENDPOINT": stack.url, "STRATUS_TOKEN": stack.token}
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "stratus:" not in done.stderr, done.stderr  # no outage warnings either
    return done.stdout


def test_quick_start(stack, tmp_path) -> None:
    output = run_example("quick_start.py", stack, tmp_path)
    run_id = output.split("Run ID: ")[1].split()[0]
    assert "Status: FINISHED" in output
    run = ExperimentTracker(stack.url, stack.token).get_run(run_id)
    assert run.run_name == "baseline_v1" and run.status == "FINISHED"
    assert run.params == {"n_estimators": "100", "max_depth": "10", "learning_rate": "0.01"}
    assert set(run.metrics) == {"accuracy", "loss"} and run.latest_metrics["loss"].step == 9
    assert sorted((a.path, a.artifact_type) for a in run.artifacts) == [("confusion_matrix.png", "plot"), ("model.pkl", "model")]
    # Run from a scratch directory, the script's own checkout is what its commit describes.
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=EXAMPLES, capture_output=True, text=True).stdout.strip()
    assert run.git_commit == head and run.tags["stratus.git.commit"] == head


def test_querying_experiments(stack, tmp_path) -> None:
    output = run_example("querying_experiments.py", stack, tmp_path)
    assert "Run Name: xgboost_0.92" in output
    params_line = output.split("Parameters: ")[1].splitlines()[0]
    assert eval(params_line) == {"model_type": "xgboost", "max_depth": "8"}  # the printed dict, whatever its order
    assert "accuracy > 0.9: ['xgboost_0.92']" in output
    assert "xgboost, accuracy > 0.85, best f1 first: ['xgboost_0.92', 'xgboost_0.88']" in output
    # The printed DataFrame shows every metric asked for (no "..." in place of columns).
    comparison = output.split("best f1 first: ")[1]
    assert all(f"metrics.{name}" in comparison for name in ("accuracy", "f1_score", "auc")) and "..." not in comparison
