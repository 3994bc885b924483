"""MLflow's own length limits through the stock `mlflow` client: values as long as MLflow
accepts (a param of 6,000 characters, a run tag of 8,000, an experiment note of 20,000) are
stored and read back whole, through the client and through /api/v1."""

from __future__ import annotations

import mlflow
import requests
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


def test_a_batch_as_large_as_mlflow_accepts_is_stored_and_one_larger_is_refused(mlflow_env: StratusApi, experiment_name: str):
    """MLflow takes 1,000 entries a log-batch (at most 1,000 metrics, 100 params, 100 tags). A run that has
    metric keys already takes hundreds more in one batch, and 100 params beside new metric keys; each used to be a
    500 (the write's DynamoDB condition grew past the 4 KB an expression may have)."""
    from mlflow.entities import Metric, Param, RunTag

    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    metrics = [Metric(f"m{i}", i, 1000, 0) for i in range(1000)]
    params = [Param(f"p{i}", str(i)) for i in range(100)]
    tags = [RunTag(f"t{i}", "v") for i in range(100)]

    full = client.create_run(experiment_id).info.run_id
    client.log_batch(full, metrics=metrics[:800], params=params, tags=tags)
    data = client.get_run(full).data
    assert (len(data.metrics), len(data.params), len([k for k in data.tags if k.startswith("t")])) == (800, 100, 100)

    growing = client.create_run(experiment_id).info.run_id
    client.log_batch(growing, metrics=metrics[:150])
    client.log_batch(growing, metrics=metrics[150:])
    assert client.get_run(growing).data.metrics == {f"m{i}": i for i in range(1000)}

    # The client splits a larger batch itself; a script posting one gets MLflow's refusal.
    def log_batch(body: dict) -> requests.Response:
        run_id = client.create_run(experiment_id).info.run_id
        headers = {"authorization": f"Bearer {mlflow_env.token}"}
        url = f"{mlflow_env.url}/api/2.0/mlflow/runs/log-batch"
        return requests.post(url, json={"run_id": run_id, **body}, headers=headers, timeout=60)

    def entries(count: int, prefix: str, **fields) -> list[dict]:
        return [{"key": f"{prefix}{i}", "value": "1", **fields} for i in range(count)]

    refused = log_batch({"metrics": entries(801, "m", value=1, timestamp=1), "params": entries(100, "p"), "tags": entries(100, "t")})
    assert refused.status_code == 400
    assert refused.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert refused.json()["message"].startswith("A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001")
    twice = log_batch({"params": [{"key": "p0", "value": "1"}, {"key": "p0", "value": "1"}]})
    assert twice.status_code == 400
    assert twice.json()["message"].startswith("Duplicate parameter keys have been submitted: ['p0'].")


def test_a_batch_of_the_longest_non_ascii_values_is_taken_as_on_mlflow(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's client escapes every character past ASCII (`\\u20ac`, 6 bytes for a `€`): its log-batch of 100
    params of 6,000 such characters is a 3.6 MB body, which MLflow's server takes. It used to be refused for
    passing a 1 MiB bound; the bound is now what the function's event holds (README, "Limits")."""
    mlflow.set_experiment(experiment_name)
    params = {f"p{i:03d}": longest(MAX_PARAM_VAL_LENGTH, f"{i} ") for i in range(100)}
    tags = {f"t{i:02d}": longest(MAX_TAG_VAL_LENGTH, f"{i} ") for i in range(60)}
    with mlflow.start_run() as run:
        mlflow.log_params(params)
        mlflow.set_tags(tags)
    data = MlflowClient().get_run(run.info.run_id).data
    assert data.params == params
    assert {key: value for key, value in data.tags.items() if key.startswith("t")} == tags
