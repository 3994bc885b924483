"""Multi-line text through the stock `mlflow` client: a run's description (the tag
`mlflow.note.content`), an experiment's notes, multi-line params and tags, a model's description.
Each is read back through the client and through /api/v1 exactly as written."""

from __future__ import annotations

import mlflow
from mlflow import MlflowClient

from stratus_api import StratusApi

NOTE = "Baseline sweep.\n\n- lr from 1e-4 to 1e-1\n- batch\t64\n"
COMMAND = "python train.py \\\n  --lr 0.01 \\\n  --epochs 10"


def test_descriptions_notes_params_and_tags_may_span_lines(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    client.set_experiment_tag(experiment_id, "mlflow.note.content", NOTE)
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run(description=NOTE) as run:
        mlflow.log_param("command", COMMAND)
        mlflow.log_params({"config": '{\n  "lr": 0.01\n}'})
        mlflow.set_tag("stack", 'Traceback:\n  File "train.py", line 3')

    fetched = client.get_run(run.info.run_id)
    assert fetched.data.tags["mlflow.note.content"] == NOTE
    assert fetched.data.params["command"] == COMMAND
    assert fetched.data.params["config"] == '{\n  "lr": 0.01\n}'
    assert fetched.data.tags["stack"] == 'Traceback:\n  File "train.py", line 3'
    assert client.get_experiment(experiment_id).tags["mlflow.note.content"] == NOTE
    stored = mlflow_env.run(run.info.run_id)
    assert stored["params"]["command"] == COMMAND
    assert stored["tags"]["mlflow.note.content"] == NOTE

    found = client.search_runs([experiment_id], filter_string=f"params.command = '{COMMAND}'\n  AND tags.stack LIKE 'Traceback%'")
    assert [r.info.run_id for r in found] == [run.info.run_id]

    model = client.create_registered_model(f"{experiment_name}-model", description=NOTE)
    assert client.get_registered_model(model.name).description == NOTE
