"""The stock `mlflow` client (3.17) against Stratus, configured with MLFLOW_TRACKING_URI and
MLFLOW_TRACKING_TOKEN only. Every scenario also reads back through /api/v1 what was stored."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

import mlflow
from mlflow import MlflowClient
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException, RestException

from stratus_api import StratusApi


def test_fluent_run_logs_params_metrics_tags_and_artifacts(mlflow_env: StratusApi, experiment_name: str, tmp_path: Path):
    experiment = mlflow.set_experiment(experiment_name)
    assert experiment.name == experiment_name
    notes = tmp_path / "notes.txt"
    notes.write_text("first notes\n")
    folder = tmp_path / "reports"
    (folder / "deep").mkdir(parents=True)
    (folder / "a.csv").write_text("x,y\n1,2\n")
    (folder / "deep" / "b.json").write_text('{"b": 1}')

    with mlflow.start_run(run_name="fluent-baseline") as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"depth": 6, "optimizer": "adam"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"accuracy": 0.91, "f1": 0.88}, step=4)
        mlflow.set_tag("team", "risk")
        mlflow.log_artifact(str(notes))
        mlflow.log_artifacts(str(folder), artifact_path="reports")
        mlflow.log_dict({"classes": ["a", "b"]}, "config/classes.json")
        mlflow.log_text("hello stratus", "texts/hello.txt")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots()
        axes.plot([0, 1, 2], [2, 1, 0])
        mlflow.log_figure(figure, "plots/curve.png")
        plt.close(figure)
        run_id = run.info.run_id

    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")
    stored = mlflow_env.run(run_id)
    assert stored["run_name"] == "fluent-baseline"
    assert stored["experiment_id"] == experiment.experiment_id
    assert stored["status"] == "FINISHED"
    assert stored["params"] == {"lr": "0.01", "depth": "6", "optimizer": "adam"}
    assert stored["tags"]["team"] == "risk"
    loss = stored["metrics"]["loss"]
    # min_step: the key's lowest step; a value logged once has it equal to its step.
    assert loss == {"value": 0.2, "step": 4, "min_step": 0, "timestamp": loss["timestamp"]}
    assert stored["metrics"]["accuracy"]["value"] == 0.91
    assert stored["metrics"]["accuracy"]["min_step"] == 4
    assert [(p["step"], p["value"]) for p in mlflow_env.history(run_id, "loss")] == [
        (step, 1.0 / (step + 1)) for step in range(5)
    ]
    artifacts = mlflow_env.artifacts(run_id)
    assert {path: a["status"] for path, a in artifacts.items()} == {
        "config/classes.json": "COMPLETE",
        "notes.txt": "COMPLETE",
        "plots/curve.png": "COMPLETE",
        "reports/a.csv": "COMPLETE",
        "reports/deep/b.json": "COMPLETE",
        "texts/hello.txt": "COMPLETE",
    }
    assert artifacts["notes.txt"]["size_bytes"] == len("first notes\n")

    # And the client reads back what it wrote.
    client = MlflowClient()
    fetched = client.get_run(run_id)
    assert fetched.data.params == {"lr": "0.01", "depth": "6", "optimizer": "adam"}
    assert fetched.data.metrics == {"loss": 0.2, "accuracy": 0.91, "f1": 0.88}
    assert fetched.data.tags["team"] == "risk"
    assert fetched.data.tags["mlflow.runName"] == "fluent-baseline"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/classes.json") == {"classes": ["a", "b"]}
    assert mlflow.artifacts.load_text(f"{run.info.artifact_uri}/texts/hello.txt") == "hello stratus"


def test_nested_runs_record_their_parent(mlflow_env: StratusApi, experiment_name: str):
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run(run_name="sweep") as parent:
        children = []
        for lr in (0.1, 0.01):
            with mlflow.start_run(run_name=f"lr-{lr}", nested=True) as child:
                mlflow.log_param("lr", lr)
                children.append(child.info.run_id)
    for child_id in children:
        assert mlflow_env.run(child_id)["parent_run_id"] == parent.info.run_id
    found = mlflow.search_runs(
        experiment_names=[experiment_name],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
        output_format="list",
    )
    assert sorted(run.info.run_id for run in found) == sorted(children)
    assert MlflowClient().get_run(children[0]).data.tags["mlflow.parentRunId"] == parent.info.run_id


def test_client_search_history_rename_lifecycle_and_artifacts(
    mlflow_env: StratusApi, experiment_name: str, tmp_path: Path
):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name, tags={"team": "risk"})
    assert client.get_experiment_by_name(experiment_name).experiment_id == experiment_id
    run_ids = []
    for i in range(5):
        run = client.create_run(experiment_id, run_name=f"run-{i}", tags={"i": str(i)})
        client.log_batch(
            run.info.run_id,
            metrics=[mlflow.entities.Metric("acc", 0.5 + i / 10, 0, step) for step in range(3)],
            params=[mlflow.entities.Param("seed", str(i))],
        )
        run_ids.append(run.info.run_id)

    history = client.get_metric_history(run_ids[2], "acc")
    assert [(m.step, m.value) for m in history] == [(0, 0.7), (1, 0.7), (2, 0.7)]

    best = client.search_runs([experiment_id], "metrics.acc > 0.65", order_by=["metrics.acc DESC"])
    assert [r.info.run_id for r in best] == [run_ids[4], run_ids[3], run_ids[2]]
    by_name = client.search_runs([experiment_id], "attributes.run_name = 'run-1'")
    assert [r.info.run_id for r in by_name] == [run_ids[1]]
    by_tag = client.search_runs([experiment_id], "tags.mlflow.runName LIKE 'run-%' AND params.seed IN ('0', '3')")
    assert sorted(r.info.run_id for r in by_tag) == sorted([run_ids[0], run_ids[3]])

    pages, token = [], None
    while True:
        page = client.search_runs([experiment_id], order_by=["attributes.start_time ASC"], max_results=2, page_token=token)
        pages.append([r.info.run_id for r in page])
        token = page.token
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [run_id for page in pages for run_id in page] == run_ids

    found = client.search_experiments(filter_string=f"name = '{experiment_name}'")
    assert [e.experiment_id for e in found] == [experiment_id]
    assert client.search_experiments(filter_string="tags.team = 'risk'", max_results=1000)

    client.rename_experiment(experiment_id, experiment_name + "-renamed")
    assert mlflow_env.get(f"/api/v1/experiments/{experiment_id}")["experiment_name"] == experiment_name + "-renamed"
    client.update_run(run_ids[0], name="renamed-run")
    assert mlflow_env.run(run_ids[0])["run_name"] == "renamed-run"

    client.delete_run(run_ids[1])
    assert run_ids[1] not in [r.info.run_id for r in client.search_runs([experiment_id])]
    deleted = client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)
    assert [r.info.run_id for r in deleted] == [run_ids[1]]
    assert client.get_run(run_ids[1]).info.lifecycle_stage == "deleted"
    assert mlflow_env.run(run_ids[1])["lifecycle_stage"] == "deleted"
    client.restore_run(run_ids[1])
    assert mlflow_env.run(run_ids[1])["lifecycle_stage"] == "active"

    client.delete_tag(run_ids[2], "i")
    assert "i" not in mlflow_env.run(run_ids[2])["tags"]

    (tmp_path / "model.bin").write_bytes(b"\x00\x01" * 1000)
    client.log_artifact(run_ids[3], str(tmp_path / "model.bin"), artifact_path="weights")
    listed = client.list_artifacts(run_ids[3])
    assert [(f.path, f.is_dir) for f in listed] == [("weights", True)]
    inside = client.list_artifacts(run_ids[3], "weights")
    assert [(f.path, f.file_size) for f in inside] == [("weights/model.bin", 2000)]
    local = client.download_artifacts(run_ids[3], "weights/model.bin", str(tmp_path))
    assert Path(local).read_bytes() == b"\x00\x01" * 1000

    client.set_terminated(run_ids[4], status="KILLED")
    assert mlflow_env.run(run_ids[4])["status"] == "KILLED"

    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert experiment_id not in [e.experiment_id for e in client.search_experiments()]
    assert experiment_id in [e.experiment_id for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)]
    with pytest.raises(MlflowException) as taken:
        client.create_experiment(experiment_name + "-renamed")
    assert taken.value.error_code == "RESOURCE_ALREADY_EXISTS"
    client.restore_experiment(experiment_id)
    assert mlflow_env.get(f"/api/v1/experiments/{experiment_id}")["lifecycle_stage"] == "active"


def test_search_runs_returns_a_dataframe(mlflow_env: StratusApi, experiment_name: str):
    mlflow.set_experiment(experiment_name)
    for lr in (0.1, 0.2, 0.3):
        with mlflow.start_run():
            mlflow.log_param("lr", lr)
            mlflow.log_metric("loss", lr * 2)
    frame = mlflow.search_runs(experiment_names=[experiment_name], order_by=["metrics.loss ASC"])
    assert list(frame["params.lr"]) == ["0.1", "0.2", "0.3"]
    assert list(frame["metrics.loss"]) == [0.2, 0.4, 0.6]
    assert set(frame["status"]) == {"FINISHED"}
    for run_id in frame["run_id"]:
        assert mlflow_env.run(run_id)["experiment_id"] == frame["experiment_id"][0]


def test_search_runs_by_dataset_and_missing_keys(mlflow_env: StratusApi, experiment_name: str):
    import pandas as pd

    mlflow.set_experiment(experiment_name)
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
    with mlflow.start_run(run_name="with-data") as with_data:
        mlflow.log_input(mlflow.data.from_pandas(frame, name="train-set"), context="training")
        mlflow.log_param("lr", 0.1)
    with mlflow.start_run(run_name="without"):
        mlflow.log_metric("loss", 1.0)
    found = mlflow.search_runs(experiment_names=[experiment_name], filter_string="dataset.name = 'train-set'")
    assert list(found["run_id"]) == [with_data.info.run_id]
    found = mlflow.search_runs(experiment_names=[experiment_name], filter_string="datasets.context = 'training'")
    assert list(found["run_id"]) == [with_data.info.run_id]
    found = mlflow.search_runs(experiment_names=[experiment_name], filter_string="params.lr IS NULL")
    assert list(found["tags.mlflow.runName"]) == ["without"]
    found = mlflow.search_runs(experiment_names=[experiment_name], filter_string="params.lr IS NOT NULL")
    assert list(found["tags.mlflow.runName"]) == ["with-data"]
    assert MlflowClient().get_run(with_data.info.run_id).inputs.dataset_inputs[0].dataset.name == "train-set"


def test_search_runs_answers_inputs_and_outputs_as_get_run(mlflow_env: StratusApi, experiment_name: str):
    """As MLflow's server: datasets in the order first logged (a repeat keeps its place and tags), the models a
    run produced by id, and the models it used only from get_run (its search answers none of them)."""
    import pandas as pd
    from mlflow.entities import LoggedModelOutput

    experiment = mlflow.set_experiment(experiment_name)
    client = MlflowClient()
    frame = lambda rows: pd.DataFrame({"x": list(range(rows))})  # noqa: E731
    with mlflow.start_run(run_name="b-with-io") as run:
        mlflow.log_input(mlflow.data.from_pandas(frame(3), name="train"), context="training")
        mlflow.log_input(mlflow.data.from_pandas(frame(2), name="eval"), context="evaluation")
        mlflow.log_input(mlflow.data.from_pandas(frame(3), name="train"), context="again")
        mlflow.log_input(mlflow.data.from_pandas(frame(1), name="test"), context="testing")
        models = [
            client.create_logged_model(experiment.experiment_id, source_run_id=run.info.run_id, name=name)
            for name in ("m0", "m1")
        ]
        outputs = [LoggedModelOutput(model.model_id, step) for step, model in enumerate(models)]
        client.log_outputs(run.info.run_id, outputs)
        # The fluent client records the model a metric is logged for as one the run used.
        mlflow.log_metric("accuracy", 0.9, model_id=models[1].model_id)
    with mlflow.start_run(run_name="a-plain"):
        mlflow.log_param("lr", 0.1)

    plain, with_io = client.search_runs([experiment.experiment_id], order_by=["attributes.run_name ASC"])
    assert (plain.inputs.dataset_inputs, plain.inputs.model_inputs, plain.outputs.model_outputs) == ([], [], [])
    assert [(i.dataset.name, [(t.key, t.value) for t in i.tags]) for i in with_io.inputs.dataset_inputs] == [
        ("train", [("mlflow.data.context", "training")]),
        ("eval", [("mlflow.data.context", "evaluation")]),
        ("test", [("mlflow.data.context", "testing")]),
    ]
    by_id = sorted(enumerate(models), key=lambda pair: pair[1].model_id)
    assert [(o.model_id, o.step) for o in with_io.outputs.model_outputs] == [(m.model_id, step) for step, m in by_id]
    assert with_io.inputs.model_inputs == []
    got = client.get_run(run.info.run_id)
    as_dicts = lambda entities: [entity.to_dictionary() for entity in entities]  # noqa: E731
    assert as_dicts(with_io.inputs.dataset_inputs) == as_dicts(got.inputs.dataset_inputs)
    assert as_dicts(with_io.outputs.model_outputs) == as_dicts(got.outputs.model_outputs)
    assert [m.model_id for m in got.inputs.model_inputs] == [models[1].model_id]


def test_logged_models_carry_their_metrics_and_are_searched_by_them(mlflow_env: StratusApi, experiment_name: str):
    import numpy as np

    class Doubler(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input * 2

    experiment_id = mlflow.set_experiment(experiment_name).experiment_id
    ids = {}
    with mlflow.start_run():
        for name, accuracy in (("small", 0.71), ("large", 0.93), ("medium", 0.85)):
            info = mlflow.pyfunc.log_model(name=name, python_model=Doubler(), input_example=np.array([[1.0]]))
            mlflow.log_metric("accuracy", accuracy, model_id=info.model_id)
            ids[name] = info.model_id
    model = mlflow.get_logged_model(ids["large"])
    assert [(metric.key, metric.value) for metric in model.metrics] == [("accuracy", 0.93)]
    best = mlflow.search_logged_models(
        experiment_ids=[experiment_id],
        filter_string="metrics.accuracy > 0.8",
        order_by=[{"field_name": "metrics.accuracy", "ascending": False}],
        output_format="list",
    )
    assert [found.model_id for found in best] == [ids["large"], ids["medium"]]
    # IN and NOT IN over attributes, as MLflow's server takes them.
    named = mlflow.search_logged_models(
        experiment_ids=[experiment_id],
        filter_string="name IN ('small', 'large') AND name NOT IN ('large')",
        output_format="list",
    )
    assert [found.model_id for found in named] == [ids["small"]]


def test_a_search_by_dataset_alone_finds_the_models_measured_on_it(mlflow_env: StratusApi, experiment_name: str):
    """As on MLflow's server, `datasets=` without a metric filter keeps the models with a metric on one of
    those datasets; Stratus answered every model of the experiment."""
    import pandas as pd

    experiment_id = mlflow.set_experiment(experiment_name).experiment_id
    evaluation = mlflow.data.from_pandas(pd.DataFrame({"x": [1.0, 2.0]}), name="holdout")
    with mlflow.start_run():
        measured = mlflow.initialize_logged_model(name="measured").model_id
        unmeasured = mlflow.initialize_logged_model(name="unmeasured").model_id
        mlflow.log_metric("accuracy", 0.9, model_id=measured, dataset=evaluation)
        mlflow.log_metric("accuracy", 0.8, model_id=unmeasured)

    def found(**filters) -> list[str]:
        return [m.model_id for m in mlflow.search_logged_models(experiment_ids=[experiment_id], output_format="list", **filters)]

    assert found(datasets=[{"dataset_name": "holdout"}]) == [measured]
    assert found(datasets=[{"dataset_name": "holdout", "dataset_digest": evaluation.digest}]) == [measured]
    assert found(datasets=[{"dataset_name": "other"}]) == []
    assert sorted(found()) == sorted([measured, unmeasured])


def test_a_run_records_the_logged_models_it_used(mlflow_env: StratusApi, experiment_name: str):
    """A metric logged for a model (an evaluation) or under set_active_model makes the model an input of the
    run: MLflow's server answers it in run.inputs.model_inputs; Stratus took log_inputs' models and dropped them."""
    from mlflow.entities import LoggedModelInput

    mlflow.set_experiment(experiment_name)
    with mlflow.start_run() as producer:
        candidate = mlflow.initialize_logged_model(name="candidate").model_id
        baseline = mlflow.initialize_logged_model(name="baseline").model_id
    with mlflow.start_run() as evaluation:
        mlflow.log_metric("accuracy", 0.9, model_id=candidate)
        MlflowClient().log_inputs(evaluation.info.run_id, models=[LoggedModelInput(baseline), LoggedModelInput(candidate)])
    active = mlflow.set_active_model(name="agent").model_id
    try:
        with mlflow.start_run() as traced:
            mlflow.log_metric("latency", 1.0)
    finally:
        mlflow.clear_active_model()
    client = MlflowClient()
    # By id, as MLflow's server answers them (its inputs table's primary key), not in the order logged.
    assert [i.model_id for i in client.get_run(evaluation.info.run_id).inputs.model_inputs] == sorted([candidate, baseline])
    assert [i.model_id for i in client.get_run(traced.info.run_id).inputs.model_inputs] == [active]
    assert client.get_run(producer.info.run_id).inputs.model_inputs == []


def test_log_model_leaves_each_metric_point_once(mlflow_env: StratusApi, experiment_name: str):
    """MLflow 3's log_model sends the run's points at the model's step again, for the model, in one
    batch of its own order (lightgbm's autolog sends its first points again likewise): MLflow's
    server keeps each point once, whichever requests first carried it."""
    import numpy as np

    class Doubler(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input * 2

    mlflow.set_experiment(experiment_name)
    client = MlflowClient()
    with mlflow.start_run() as run:
        for epoch in range(3):
            mlflow.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
            mlflow.log_metric("acc", 0.5 + epoch / 10, step=epoch)
        mlflow.log_metrics({"f1": 0.7, "auc": 0.8}, step=2)
        first = mlflow.pyfunc.log_model(name="first", python_model=Doubler(), input_example=np.array([[1.0]]))
        last = mlflow.pyfunc.log_model(name="last", python_model=Doubler(), step=2)
        now = int(time.time() * 1000)
        x, y = mlflow.entities.Metric("x", 1.0, now, 0), mlflow.entities.Metric("y", 2.0, now, 0)
        client.log_batch(run.info.run_id, metrics=[x, y])
        client.log_batch(run.info.run_id, metrics=[y, x])
    run_id = run.info.run_id

    def steps(key: str) -> list[int]:
        return [m.step for m in client.get_metric_history(run_id, key)]

    assert steps("loss") == [0, 1, 2] and steps("acc") == [0, 1, 2]
    assert steps("f1") == [2] and steps("auc") == [2]
    assert steps("x") == [0] and steps("y") == [0]
    assert [point["step"] for point in mlflow_env.history(run_id, "loss")] == [0, 1, 2]
    # The copies still reached the models, as log_model meant them to.
    assert {m.key: m.value for m in mlflow.get_logged_model(first.model_id).metrics} == {"loss": 1.0, "acc": 0.5}
    assert {m.key: m.step for m in mlflow.get_logged_model(last.model_id).metrics} == {
        "loss": 2,
        "acc": 2,
        "f1": 2,
        "auc": 2,
    }


def test_a_model_logged_outside_a_run_gets_a_finished_run_to_hold_it(mlflow_env: StratusApi, experiment_name: str):
    """MLflow 3's log_model without start_run creates a model of no run (MLflow 2's started a run).
    Stratus keeps a model's files as a run's artifacts, so it starts a FINISHED run to hold them."""
    import numpy as np

    class Doubler(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input * 2

    experiment_id = mlflow.set_experiment(experiment_name).experiment_id
    name = f"{experiment_name}-outside"
    info = mlflow.pyfunc.log_model(name="outside", python_model=Doubler(), registered_model_name=name)
    assert mlflow.active_run() is None
    assert mlflow.pyfunc.load_model(info.model_uri).predict(np.array([[2.0]])).tolist() == [[4.0]]
    assert mlflow.pyfunc.load_model(f"models:/{name}/1").predict(np.array([[3.0]])).tolist() == [[6.0]]

    model = mlflow.get_logged_model(info.model_id)
    holder = MlflowClient().get_run(model.source_run_id)
    assert (holder.info.status, holder.info.run_name) == ("FINISHED", "outside")
    assert holder.info.experiment_id == experiment_id
    assert holder.data.tags["stratus.holds_model"] == info.model_id
    assert f"models/{info.model_id}/MLmodel" in mlflow_env.artifacts(holder.info.run_id)
    assert mlflow_env.run(holder.info.run_id)["status"] == "FINISHED"

    # initialize_logged_model and set_active_model create models outside a run as well.
    assert mlflow.initialize_logged_model(name="empty").name == "empty"
    try:
        active = mlflow.set_active_model(name="agent")
        assert mlflow.get_logged_model(active.model_id).name == "agent"
    finally:
        # The active model is the process's: every metric logged after it would also go to it.
        mlflow.clear_active_model()


def test_a_logged_models_params_are_immutable(mlflow_env: StratusApi, experiment_name: str):
    """As a run's: the same value again is taken (a retry), another value is refused and changes nothing.
    MLflow's SQL server refuses both, quoting its failed INSERT; its file store overwrites the value."""
    mlflow.set_experiment(experiment_name)
    model = mlflow.initialize_logged_model(name="tuned", params={"seed": "7"})
    mlflow.log_model_params({"seed": "7", "lr": "0.1"}, model_id=model.model_id)
    with pytest.raises(MlflowException) as refused:
        mlflow.log_model_params({"seed": "8"}, model_id=model.model_id)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "'old_value': '7', 'new_value': '8'" in refused.value.message
    assert mlflow.get_logged_model(model.model_id).params == {"seed": "7", "lr": "0.1"}


def test_a_runs_artifacts_are_listed_without_its_logged_models(mlflow_env: StratusApi, experiment_name: str, tmp_path: Path):
    """MLflow 3 keeps a model's files outside the run's artifact root: listing or downloading the run
    shows none of them (Stratus keeps them under the run's models/<id>/), and the model is read at its
    own artifact location."""
    import numpy as np

    class Doubler(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input * 2

    mlflow.set_experiment(experiment_name)
    (tmp_path / "notes.txt").write_text("kept")
    (tmp_path / "m-own.txt").write_text("mine")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(tmp_path / "notes.txt"))
        mlflow.log_artifact(str(tmp_path / "m-own.txt"), artifact_path="models")
        info = mlflow.pyfunc.log_model(name="model", python_model=Doubler())
    client = MlflowClient()
    assert [(a.path, a.is_dir) for a in client.list_artifacts(run.info.run_id)] == [("models", True), ("notes.txt", False)]
    assert [a.path for a in client.list_artifacts(run.info.run_id, "models")] == ["models/m-own.txt"]
    downloaded = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=str(tmp_path / "run")))
    assert sorted(str(p.relative_to(downloaded)) for p in downloaded.rglob("*") if p.is_file()) == [
        "models/m-own.txt",
        "notes.txt",
    ]
    model = mlflow.get_logged_model(info.model_id)
    listed = mlflow.artifacts.list_artifacts(artifact_uri=model.artifact_location)
    assert "MLmodel" in [a.path.rsplit("/", 1)[-1] for a in listed]
    assert mlflow.pyfunc.load_model(info.model_uri).predict(np.array([[2.0]])).tolist() == [[4.0]]
    assert mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model").predict(np.array([[1.0]])).tolist() == [[2.0]]


def test_an_experiments_artifact_location_is_taken_and_ignored(mlflow_env: StratusApi, experiment_name: str):
    # README, 'From MLflow': scripts that pass one still run, and their artifacts stay in Stratus.
    experiment_id = mlflow.create_experiment(experiment_name, artifact_location="s3://elsewhere/prefix")
    assert mlflow.get_experiment(experiment_id).artifact_location == f"mlflow-artifacts:/{experiment_id}"
    with mlflow.start_run(experiment_id=experiment_id) as run:
        mlflow.log_text("kept", "a.txt")
    assert run.info.artifact_uri.startswith(f"mlflow-artifacts:/{experiment_id}/")
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/a.txt") == "kept"
    assert mlflow_env.artifacts(run.info.run_id)["a.txt"]["status"] == "COMPLETE"


def test_a_run_keeps_the_start_time_the_client_gives(mlflow_env: StratusApi, experiment_name: str):
    # MLflow's client may create a run after the fact, dated when the job started.
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    backdated = client.create_run(experiment_id, start_time=1_700_000_000_000, run_name="backdated")
    assert client.get_run(backdated.info.run_id).info.start_time == 1_700_000_000_000
    assert mlflow_env.run(backdated.info.run_id)["start_time"] == 1_700_000_000_000


def test_an_ended_run_still_takes_params_and_metrics(mlflow_env: StratusApi, experiment_name: str):
    # As on MLflow's server: a test score logged after the training run's `with` block ended it.
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run() as run:
        mlflow.log_metric("train_loss", 0.5, step=0)
    run_id = run.info.run_id
    client = MlflowClient()
    client.log_metric(run_id, "test_acc", 0.91)
    client.log_param(run_id, "evaluated_on", "holdout")
    client.log_batch(run_id, metrics=[mlflow.entities.Metric("train_loss", 0.25, 0, 1)])
    ended = client.get_run(run_id)
    assert ended.info.status == "FINISHED"
    assert ended.data.metrics == {"train_loss": 0.25, "test_acc": 0.91}
    assert ended.data.params == {"evaluated_on": "holdout"}
    stored = mlflow_env.run(run_id)
    assert stored["status"] == "FINISHED" and stored["params"] == {"evaluated_on": "holdout"}
    assert [point["value"] for point in mlflow_env.history(run_id, "train_loss")] == [0.5, 0.25]


def test_default_experiment_is_used_when_none_is_set(mlflow_env: StratusApi):
    with mlflow.start_run() as run:
        mlflow.log_metric("x", 1)
    assert run.info.experiment_id == "0"
    assert MlflowClient().get_experiment("0").name == "Default"
    assert mlflow_env.get("/api/v1/experiments/0")["experiment_name"] == "Default"


def test_sklearn_autolog_model_loads_and_predicts_the_same(mlflow_env: StratusApi, experiment_name: str):
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    mlflow.set_experiment(experiment_name)
    mlflow.sklearn.autolog(log_input_examples=False, log_models=True, silent=True)
    try:
        features, labels = load_iris(return_X_y=True)
        with mlflow.start_run() as run:
            model = LogisticRegression(max_iter=300, C=0.5).fit(features, labels)
    finally:
        mlflow.sklearn.autolog(disable=True)
    loaded = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    assert list(loaded.predict(features)) == list(model.predict(features))

    stored = mlflow_env.run(run.info.run_id)
    assert stored["params"]["C"] == "0.5"
    assert stored["params"]["max_iter"] == "300"
    assert "training_accuracy_score" in stored["metrics"]
    model_files = [a for a in mlflow_env.artifacts(run.info.run_id) if a.endswith("MLmodel")]
    assert model_files, "the model's files are stored as the run's artifacts"


def test_tables_images_and_folders_come_back_as_logged(mlflow_env: StratusApi, experiment_name: str, tmp_path: Path):
    import numpy as np
    import pandas as pd

    mlflow.set_experiment(experiment_name)
    (tmp_path / "tree" / "a" / "b").mkdir(parents=True)
    (tmp_path / "tree" / "a" / "b" / "deep.txt").write_text("deep")
    (tmp_path / "tree" / "top.txt").write_text("top")
    table = pd.DataFrame({"epoch": [1, 2], "split": ["train", "val"]})
    with mlflow.start_run() as run:
        mlflow.log_table(table, "eval/table.json")
        mlflow.log_image(np.full((4, 6, 3), 200, dtype=np.uint8), "images/grey.png")
        mlflow.log_image(np.zeros((4, 4, 3), dtype=np.uint8), key="sample", step=3)
        mlflow.log_artifacts(str(tmp_path / "tree"), "tree")
        # log_table appends by rewriting the file: a second table to that path is refused (README, 'From MLflow').
        with pytest.raises(Exception, match="RESOURCE_ALREADY_EXISTS"):
            mlflow.log_table(table, "eval/table.json")
    run_id = run.info.run_id
    loaded = mlflow.load_table("eval/table.json", run_ids=[run_id], extra_columns=["run_id"])
    assert loaded.to_dict("list") == {"epoch": [1, 2], "split": ["train", "val"], "run_id": [run_id, run_id]}
    assert mlflow.artifacts.load_image(f"runs:/{run_id}/images/grey.png").size == (6, 4)
    client = MlflowClient()
    images = [artifact.path for artifact in client.list_artifacts(run_id, "images")]
    assert "images/grey.png" in images and any(path.startswith("images/sample+step+3+") for path in images)
    assert [(a.path, a.is_dir) for a in client.list_artifacts(run_id, "tree")] == [("tree/a", True), ("tree/top.txt", False)]
    assert [(a.path, a.is_dir, a.file_size) for a in client.list_artifacts(run_id, "tree/a/b")] == [("tree/a/b/deep.txt", False, 4)]
    folder = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="tree/a", dst_path=str(tmp_path / "down")))
    assert (folder / "b" / "deep.txt").read_text() == "deep"


def test_evaluate_a_classifier_logs_its_metrics_plots_and_dataset(mlflow_env: StratusApi, experiment_name: str):
    """mlflow.models.evaluate logs its dataset once, then again once per metric in one request:
    the same dataset many times over, which a batch write refused (a 500 the client retried)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    mlflow.set_experiment(experiment_name)
    features, labels = load_breast_cancer(return_X_y=True, as_frame=True)
    features = features.iloc[:, :4]
    with mlflow.start_run() as run:
        model = LogisticRegression(max_iter=500).fit(features, labels)
        logged = mlflow.sklearn.log_model(model, name="model", serialization_format="cloudpickle")
        data = features.assign(label=labels)
        result = mlflow.models.evaluate(logged.model_uri, data, targets="label", model_type="classifier")
    assert 0.8 < result.metrics["accuracy_score"] <= 1
    stored = mlflow_env.run(run.info.run_id)
    assert stored["metrics"]["accuracy_score"]["value"] == pytest.approx(result.metrics["accuracy_score"])
    assert "confusion_matrix.png" in mlflow_env.artifacts(run.info.run_id)
    [dataset] = MlflowClient().get_run(run.info.run_id).inputs.dataset_inputs
    assert dataset.dataset.name == "dataset"
    by_key = {metric.key: metric.value for metric in mlflow.get_logged_model(logged.model_id).metrics}
    assert by_key["accuracy_score"] == pytest.approx(result.metrics["accuracy_score"])


def test_a_20_mb_artifact_goes_up_in_presigned_parts(
    mlflow_env: StratusApi, experiment_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(4 * 1024 * 1024))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(8 * 1024 * 1024))
    big = tmp_path / "big.bin"
    payload = os.urandom(20 * 1024 * 1024)
    big.write_bytes(payload)
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(big), artifact_path="data")
    stored = mlflow_env.artifacts(run.info.run_id)["data/big.bin"]
    assert stored["status"] == "COMPLETE"
    assert stored["size_bytes"] == len(payload)
    local = MlflowClient().download_artifacts(run.info.run_id, "data/big.bin", str(tmp_path / "down"))
    assert hashlib.sha256(Path(local).read_bytes()).digest() == hashlib.sha256(payload).digest()


def test_server_info_sends_large_files_in_parts_and_fetches_files_in_ranges(
    mlflow_env: StratusApi, experiment_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """MLflow 3's client asks /api/3.0/mlflow/server-info before it moves artifacts: with no
    MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD, a file past the size setting goes up in presigned parts,
    and every download comes through the presigned route in ranges, straight from S3."""
    from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository
    from mlflow.utils.server_info import _SERVER_INFO_CACHE

    monkeypatch.delenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", raising=False)
    monkeypatch.delenv("MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD", raising=False)
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(4 * 1024 * 1024))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 * 1024 * 1024))
    monkeypatch.setenv("MLFLOW_MULTIPART_DOWNLOAD_CHUNK_SIZE", str(1024 * 1024))
    _SERVER_INFO_CACHE.clear()
    ranged: list[int] = []
    multipart_download = HttpArtifactRepository._multipart_download

    def counted(self, *args, **kwargs):
        ranged.append(kwargs["file_size"])
        return multipart_download(self, *args, **kwargs)

    monkeypatch.setattr(HttpArtifactRepository, "_multipart_download", counted)
    big = tmp_path / "big.bin"
    payload = os.urandom(11 * 1024 * 1024 + 17)
    big.write_bytes(payload)
    (tmp_path / "small.txt").write_text("small")
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(big), artifact_path="data")
        mlflow.log_artifact(str(tmp_path / "small.txt"), artifact_path="data")
    stored = mlflow_env.artifacts(run.info.run_id)
    assert stored["data/big.bin"]["status"] == "COMPLETE"
    assert stored["data/big.bin"]["size_bytes"] == len(payload)
    local = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=str(tmp_path / "down")))
    assert hashlib.sha256((local / "data" / "big.bin").read_bytes()).digest() == hashlib.sha256(payload).digest()
    assert (local / "data" / "small.txt").read_text() == "small"
    assert sorted(ranged) == [len("small"), len(payload)]


def test_a_large_artifact_without_the_multipart_settings_names_them(
    mlflow_env: StratusApi, experiment_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", raising=False)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x00" * (6 * 1024 * 1024))
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run() as run:
        with pytest.raises(Exception) as refused:
            mlflow.log_artifact(str(big))
    message = str(refused.value)
    assert "MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD" in message
    assert "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE" in message
    assert "big.bin" not in mlflow_env.artifacts(run.info.run_id)


def test_duplicate_experiment_is_resource_already_exists(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    client.create_experiment(experiment_name)
    with pytest.raises(RestException) as duplicate:
        client.create_experiment(experiment_name)
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert experiment_name in duplicate.value.message
    listed = mlflow_env.get("/api/v1/experiments?max_results=1000")["experiments"]
    assert [e["experiment_name"] for e in listed].count(experiment_name) == 1


def test_basic_auth_with_the_token_as_password(stack: StratusApi, experiment_name: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "anyone")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", stack.token)
    client = MlflowClient(stack.url)
    experiment_id = client.create_experiment(experiment_name)
    assert stack.get(f"/api/v1/experiments/{experiment_id}")["experiment_name"] == experiment_name
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "not-a-token")
    with pytest.raises(MlflowException) as refused:
        MlflowClient(stack.url).get_experiment(experiment_id)
    assert refused.value.error_code == "UNAUTHENTICATED"


def test_errors_use_mlflow_codes(mlflow_env: StratusApi):
    client = MlflowClient()
    with pytest.raises(RestException) as missing:
        client.get_run("0123456789abcdef0123456789abcdef")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    status, body = mlflow_env.call("GET", "/api/2.0/mlflow/runs/get")
    assert status == 400
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "run_id" in body["message"]
    assert json.dumps(body).startswith('{"error_code"')
