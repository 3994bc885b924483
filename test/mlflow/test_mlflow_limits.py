"""MLflow's own length limits through the stock `mlflow` client: values as long as MLflow
accepts (a param of 6,000 characters, a run tag of 8,000, an experiment note of 20,000) are
stored and read back whole, through the client and through /api/v1."""

from __future__ import annotations

import mlflow
from mlflow import MlflowClient
from mlflow.utils.validation import MAX_EXPERIMENT_TAG_VAL_LENGTH, MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH

from stratus_api import StratusApi


def longest(length: int, seed: str) -> str:
    """`length` characters, '€' (three UTF-8 bytes) after the seed, so byte budgets are exercised too."""
    return (seed + "€" * length)[:length]


def test_values_as_long_as_mlflow_accepts(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    note = longest(MAX_EXPERIMENT_TAG_VAL_LENGTH, "notes ")
    client.set_experiment_tag(experiment_id, "mlflow.note.content", note)
    param = longest(MAX_PARAM_VAL_LENGTH, "config ")
    tag = longest(MAX_TAG_VAL_LENGTH, "log ")
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run(description=tag) as run:
        mlflow.log_param("config", param)
        mlflow.set_tag("log", tag)

    fetched = client.get_run(run.info.run_id)
    assert fetched.data.params["config"] == param
    assert fetched.data.tags["log"] == tag
    assert fetched.data.tags["mlflow.note.content"] == tag
    assert client.get_experiment(experiment_id).tags["mlflow.note.content"] == note
    stored = mlflow_env.run(run.info.run_id)
    assert stored["params"]["config"] == param
    assert stored["tags"]["log"] == tag
