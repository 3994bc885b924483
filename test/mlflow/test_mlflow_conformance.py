"""What users of MLflow expect of its tracking server, found by running MLflow's own REST tests
(tests/tracking/test_rest_tracking.py) against Stratus: each test here is one behaviour those tests
check that Stratus got wrong, through the stock client or a raw request as a script would send it."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import requests
from mlflow import MlflowClient
from mlflow.entities import LoggedModelOutput, Metric, Param
from mlflow.exceptions import MlflowException

from stratus_api import StratusApi


def post(stack: StratusApi, path: str, body: dict) -> tuple[int, dict]:
    """A raw MLflow REST call, as a script without the client makes it."""
    request = urllib.request.Request(stack.url + path, data=json.dumps(body).encode(), method="POST")
    request.add_header("authorization", f"Bearer {stack.token}")
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_tags_params_and_notes_may_span_lines(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    client.set_experiment_tag(experiment_id, "multiline tag", "value2\nvalue2\nvalue2")
    assert client.get_experiment(experiment_id).tags["multiline tag"] == "value2\nvalue2\nvalue2"
    run_id = client.create_run(experiment_id).info.run_id
    note = "# Notes\n\n- tried lr 0.1\r\n- next:\tlr 0.01"
    client.set_tag(run_id, "mlflow.note.content", note)
    client.log_param(run_id, "prompt", "line one\nline two")
    data = client.get_run(run_id).data
    assert data.tags["mlflow.note.content"] == note
    assert data.params["prompt"] == "line one\nline two"
    # Other control characters are still refused, naming the field.
    status, body = post(mlflow_env, "/api/2.0/mlflow/runs/set-tag", {"run_id": run_id, "key": "k", "value": "a\x00b"})
    assert status == 400
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "parameter 'value'" in body["message"]


def test_a_run_created_without_a_user_is_unknown_and_user_id_is_kept(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    run = client.create_run(experiment_id)
    assert run.info.user_id == "unknown"
    assert client.get_run(run.info.run_id).info.user_id == "unknown"
    status, body = post(mlflow_env, "/api/2.0/mlflow/runs/create", {"experiment_id": experiment_id, "user_id": "ann"})
    assert status == 200, body
    assert body["run"]["info"]["user_id"] == "ann"
    assert client.get_run(body["run"]["info"]["run_id"]).info.user_id == "ann"


def test_runs_that_tie_are_paged_in_run_id_order(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    runs = sorted(client.create_run(experiment_id, start_time=1).info.run_id for _ in range(10))
    seen: list[str] = []
    token = None
    for expected in (runs[0:4], runs[4:8], runs[8:]):
        page = client.search_runs([experiment_id], max_results=4, page_token=token)
        assert [run.info.run_id for run in page] == expected
        seen.extend(run.info.run_id for run in page)
        token = page.token
    assert token is None
    assert seen == runs


def test_runs_that_tie_on_the_keys_asked_for_come_newest_first_as_mlflow_orders_them(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's server completes every order with start_time DESC (unless start_time is a key) and then run id:
    runs with the same value of the key asked for come newest first. Stratus ordered them by run id alone."""
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    runs = {}
    for start, lr in ((1000, "0.1"), (3000, "0.1"), (5000, "0.1"), (2000, "0.1"), (6000, "0.1"), (4000, "0.01")):
        run_id = client.create_run(experiment_id, start_time=start).info.run_id
        client.log_param(run_id, "lr", lr)
        runs[run_id] = start
    tied = [6000, 5000, 3000, 2000, 1000]
    for order, expected in ((["params.lr ASC"], [4000, *tied]), (["params.lr DESC"], [*tied, 4000])):
        seen, token = [], None
        while True:
            page = client.search_runs([experiment_id], order_by=order, max_results=2, page_token=token)
            seen.extend(runs[run.info.run_id] for run in page)
            token = page.token
            if not token:
                break
        assert seen == expected, order
    # start_time asked for: no other tie-break than the run id.
    ascending = [run.info.start_time for run in client.search_runs([experiment_id], order_by=["attributes.start_time ASC"])]
    assert ascending == [1000, 2000, 3000, 4000, 5000, 6000]


def test_refusals_are_worded_as_mlflow_words_them(mlflow_env: StratusApi, experiment_name: str):
    status, body = post(mlflow_env, "/api/2.0/mlflow/experiments/create", {"name": 123})
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    assert body["message"].startswith("Invalid value 123 for parameter 'name' supplied")
    status, body = post(mlflow_env, "/api/2.0/mlflow/experiments/create", {})
    assert (status, body["message"]) == (400, "Missing value for required parameter 'name'.")
    experiment_id = MlflowClient().create_experiment(experiment_name)
    run_id = MlflowClient().create_run(experiment_id).info.run_id
    status, body = post(mlflow_env, "/api/2.0/mlflow/runs/log-metric", {"run_id": run_id, "key": "m", "value": 1, "timestamp": "foo"})
    assert status == 400
    assert body["message"].startswith("Invalid value \"foo\" for parameter 'timestamp' supplied")
    status, body = post(mlflow_env, "/api/2.0/mlflow/runs/log-metric", {"run_id": None, "key": "m", "value": 1, "timestamp": 1})
    assert (status, body["message"]) == (400, "Missing value for required parameter 'run_id'.")


def test_missing_and_existing_things_are_worded_as_mlflow_words_them(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    run_id = client.create_run(experiment_id).info.run_id
    missing_run = "0123456789abcdef0123456789abcdef"
    with pytest.raises(MlflowException, match=rf"^RESOURCE_DOES_NOT_EXIST: Run with id={missing_run} not found$"):
        client.get_run(missing_run)
    with pytest.raises(MlflowException, match=r"Run .+ not found"):
        client.delete_tag("fake_run_id", "taggity")
    with pytest.raises(MlflowException, match=rf"^RESOURCE_DOES_NOT_EXIST: No tag with name: fakeTag in run with id {run_id}$"):
        client.delete_tag(run_id, "fakeTag")
    status, body = post(mlflow_env, "/api/2.0/mlflow/experiments/delete-experiment-tag", {"experiment_id": experiment_id, "key": "fakeTag"})
    assert (status, body) == (404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"No tag with name: fakeTag in experiment with id {experiment_id}"})
    with pytest.raises(MlflowException, match=rf"No Experiment with id={missing_run} exists"):
        client.get_experiment(missing_run)
    assert client.get_experiment_by_name(f"{experiment_name}-absent") is None
    with pytest.raises(MlflowException, match=rf"Experiment\(name={experiment_name}\) already exists\.") as exists:
        client.create_experiment(experiment_name)
    assert exists.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(MlflowException, match="Logged model with ID 'm-absent' not found."):
        client.get_logged_model("m-absent")
    model = f"{experiment_name}-model"
    with pytest.raises(MlflowException, match=rf"Registered Model with name={model} not found"):
        client.get_registered_model(model)
    client.create_registered_model(model)
    with pytest.raises(MlflowException, match=rf"Registered Model \(name={model}\) already exists\."):
        client.create_registered_model(model)
    with pytest.raises(MlflowException, match=rf"Model Version \(name={model}, version=9\) not found"):
        client.get_model_version(model, "9")
    # What `models:/<name>@<alias>` raises for an alias the model lacks.
    with pytest.raises(MlflowException, match=r"^INVALID_PARAMETER_VALUE: Registered model alias champion not found\.$"):
        client.get_model_version_by_alias(model, "champion")


def test_listing_a_path_that_climbs_out_of_the_run_is_invalid(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id
    # Every path MLflow's validate_path_is_safe refuses: a climb, and absolute, encoded or URI forms of one.
    for path in ("../path", "a/../../b", "..", "/etc", "%2E%2E/x", "a#b", "file:///etc", "C:/x", "a\\b"):
        query = urllib.parse.urlencode({"run_id": run_id, "path": path})
        request = urllib.request.Request(f"{mlflow_env.url}/api/2.0/mlflow/artifacts/list?{query}")
        request.add_header("authorization", f"Bearer {mlflow_env.token}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 400
        body = json.loads(refused.value.read())
        # MLflow's own test compares the whole body.
        assert body == {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path"}
    # The client lists through the artifact proxy, whose errors it raises as requests' HTTPError.
    with pytest.raises(requests.exceptions.HTTPError, match="Invalid path"):
        client.list_artifacts(run_id, "../path")
    assert client.list_artifacts(run_id, "a/b") == []
    # A trailing slash (as MLflow's web app sends a folder) is the folder.
    query = urllib.parse.urlencode({"run_id": run_id, "path": "a/b/"})
    request = urllib.request.Request(f"{mlflow_env.url}/api/2.0/mlflow/artifacts/list?{query}")
    request.add_header("authorization", f"Bearer {mlflow_env.token}")
    assert json.loads(urllib.request.urlopen(request, timeout=30).read())["files"] == []


def test_a_datasets_tags_come_back_by_key(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's server answers a dataset's tags sorted by key (code point order: `B` before `a`), in get_run
    and in search_runs, whatever order they were logged in: checked side by side against MLflow 3.17.2's
    server. Stratus answered them in the order given."""
    from mlflow.entities import Dataset, DatasetInput, InputTag

    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    run_id = client.create_run(experiment_id).info.run_id
    given = [("foo", "baz"), ("zeta", "1"), ("mlflow.data.context", "train"), ("alpha", "2"), ("Beta", "3")]
    dataset = Dataset(name="dataset", digest="f0f3e026", source_type="local", source='{"uri": "/tmp/x.csv"}')
    client.log_inputs(run_id, datasets=[DatasetInput(dataset, tags=[InputTag(key, value) for key, value in given])])
    [logged] = client.get_run(run_id).inputs.dataset_inputs
    by_key = [("Beta", "3"), ("alpha", "2"), ("foo", "baz"), ("mlflow.data.context", "train"), ("zeta", "1")]
    assert [(tag.key, tag.value) for tag in logged.tags] == by_key
    [found] = client.search_runs([experiment_id])
    assert [(tag.key, tag.value) for tag in found.inputs.dataset_inputs[0].tags] == by_key
    assert (logged.dataset.name, logged.dataset.digest, logged.dataset.source_type) == ("dataset", "f0f3e026", "local")


def test_a_runs_datasets_come_back_in_the_order_logged_and_its_models_by_id(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's server answers a run's datasets in the order they were logged, so
    `run.inputs.dataset_inputs[0]` is the first dataset (autolog's training set before an
    evaluation's), and its model outputs in the order of their ids (its inputs table's primary
    key); Stratus answered datasets in the order of their storage keys (digests)."""
    import mlflow
    import pandas as pd

    mlflow.set_experiment(experiment_name)
    names = ["train", "eval", "test", "holdout", "extra"]
    with mlflow.start_run() as run:
        for index, name in enumerate(names[:3]):
            mlflow.log_input(mlflow.data.from_pandas(pd.DataFrame({"x": [index]}), name=name), context=name)
        mlflow.log_inputs(
            [mlflow.data.from_pandas(pd.DataFrame({"y": [index]}), name=name) for index, name in enumerate(names[3:])],
            contexts=names[3:],
            tags_list=[{}, {}],
        )
        models = [mlflow.initialize_logged_model(name=f"model-{index}").model_id for index in range(4)]
        for model_id in models:
            MlflowClient().log_outputs(run.info.run_id, [LoggedModelOutput(model_id, step=0)])
    logged = MlflowClient().get_run(run.info.run_id)
    assert [dataset_input.dataset.name for dataset_input in logged.inputs.dataset_inputs] == names
    assert [output.model_id for output in logged.outputs.model_outputs] == sorted(models)


def test_a_dataset_logged_again_keeps_its_first_record(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's server records a dataset once per run (by name and digest): a resumed run, or an
    evaluation, that logs the same data again does not replace its tags and context."""
    import mlflow
    import pandas as pd

    mlflow.set_experiment(experiment_name)
    train = mlflow.data.from_pandas(pd.DataFrame({"x": [1, 2, 3]}), source="s3://bucket/train.csv", name="train")
    with mlflow.start_run() as run:
        mlflow.log_input(train, context="training", tags={"split": "train", "version": "3"})
    with mlflow.start_run(run_id=run.info.run_id):
        mlflow.log_input(train, context="evaluation")
        mlflow.log_input(train)
    [logged] = MlflowClient().get_run(run.info.run_id).inputs.dataset_inputs
    # By key, as MLflow's server answers a dataset's tags (checked against MLflow 3.17.2's server).
    assert [(tag.key, tag.value) for tag in logged.tags] == [
        ("mlflow.data.context", "training"),
        ("split", "train"),
        ("version", "3"),
    ]
    # Search sees the record the run keeps.
    assert len(mlflow.search_runs(filter_string="datasets.context = 'training'")) == 1
    assert len(mlflow.search_runs(filter_string="datasets.context = 'evaluation'")) == 0


def test_a_search_of_no_experiments_finds_no_runs(mlflow_env: StratusApi, experiment_name: str):
    """A script that searches the runs of the experiments it found gets [] when it found none, as on MLflow's
    server (the client leaves the empty list out of the request)."""
    client = MlflowClient()
    experiments = client.search_experiments(filter_string=f"name = '{experiment_name}-none'")
    assert list(client.search_runs([e.experiment_id for e in experiments])) == []
    # The filter is still read: a broken one is refused, whatever the experiments.
    with pytest.raises(MlflowException, match="INVALID_PARAMETER_VALUE") as refused:
        client.search_runs([], filter_string="metrics.loss >")
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"


def test_an_endpoint_stratus_lacks_is_endpoint_not_found(mlflow_env: StratusApi, experiment_name: str):
    """Traces are not served (README, 'From MLflow'): the client says so instead of INTERNAL_ERROR."""
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    with pytest.raises(MlflowException, match=r"^ENDPOINT_NOT_FOUND: no route for ") as missing:
        client.search_traces(locations=[experiment_id])
    assert missing.value.error_code == "ENDPOINT_NOT_FOUND"
    # A path served with other methods: 405, naming them.
    response = requests.delete(
        f"{mlflow_env.url}/api/2.0/mlflow/runs/get", headers={"authorization": f"Bearer {mlflow_env.token}"}, timeout=30
    )
    assert (response.status_code, response.headers["allow"]) == (405, "GET")
    assert response.json()["error_code"] == "ENDPOINT_NOT_FOUND"


def test_a_metric_without_a_timestamp_is_refused_naming_it(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id
    status, body = post(mlflow_env, "/api/2.0/mlflow/runs/log-batch", {"run_id": run_id, "metrics": [{"key": "mae", "value": 2.5}]})
    assert (status, body["message"]) == (400, "Missing value for required parameter 'metrics[0].timestamp'.")
    status, body = post(mlflow_env, "/api/2.0/mlflow/runs/log-metric", {"run_id": run_id, "key": "mae", "value": 2.5})
    assert (status, body["message"]) == (400, "Missing value for required parameter 'timestamp'.")
    # The stock client stamps every point it sends, whichever way it logs.
    client.log_metric(run_id, "a", 1.0)
    client.log_batch(run_id, metrics=[Metric("b", 2.0, int(time.time() * 1000), 3)])
    status, body = post(
        mlflow_env, "/api/2.0/mlflow/runs/log-batch", {"run_id": run_id, "metrics": [{"key": "c", "value": 3, "timestamp": 123456789}]}
    )
    assert status == 200, body
    metrics = client.get_run(run_id).data.metrics
    assert metrics == {"a": 1.0, "b": 2.0, "c": 3.0}


def test_a_metric_point_logged_again_is_kept_once_as_mlflow_keeps_it(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's SQL store drops a point identical to one it holds (key, value, step and timestamp are its
    primary key), so a retried request, or log_metric twice with one timestamp, leaves one point."""
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id

    def history(key: str) -> list[tuple]:
        return sorted((m.step, m.timestamp, m.value) for m in client.get_metric_history(run_id, key))

    client.log_metric(run_id, "loss", 0.5, timestamp=1000, step=1)
    client.log_metric(run_id, "loss", 0.5, timestamp=1000, step=1)
    # Points identical but for the value or the timestamp are all kept, as MLflow keeps them.
    client.log_metric(run_id, "loss", 0.4, timestamp=1000, step=1)
    client.log_metric(run_id, "loss", 0.5, timestamp=1001, step=1)
    # The first point once more, after the key had later points.
    client.log_metric(run_id, "loss", 0.5, timestamp=1000, step=1)
    assert history("loss") == [(1, 1000, 0.4), (1, 1000, 0.5), (1, 1001, 0.5)]

    # A batch sent twice (as a retry after a lost answer sends it), long enough to be stored in chunks.
    batch = [Metric("acc", step / 10, 2000 + step, step) for step in range(12)]
    client.log_batch(run_id, metrics=batch)
    client.log_metric(run_id, "acc", 0.99, timestamp=3000, step=12)
    client.log_batch(run_id, metrics=batch)
    assert history("acc") == [(step, 2000 + step, step / 10) for step in range(12)] + [(12, 3000, 0.99)]

    # A point twice in one batch is kept once; NaN equals NaN here, as in MLflow's table.
    client.log_batch(run_id, metrics=[Metric("f1", 0.1, 5, 0), Metric("f1", 0.1, 5, 0), Metric("f1", 0.2, 5, 0)])
    assert history("f1") == [(0, 5, 0.1), (0, 5, 0.2)]

    # The raw routes, as a script retrying by hand sends them.
    for _ in range(2):
        point = {"run_id": run_id, "key": "raw", "value": "NaN", "timestamp": 7, "step": 3}
        assert post(mlflow_env, "/api/2.0/mlflow/runs/log-metric", point)[0] == 200
        body = {"run_id": run_id, "metrics": [{"key": "raw", "value": 1.5, "timestamp": 8, "step": 4}] * 2}
        assert post(mlflow_env, "/api/2.0/mlflow/runs/log-batch", body)[0] == 200
    raw = client.get_metric_history(run_id, "raw")
    assert [(m.step, m.timestamp) for m in raw] == [(3, 7), (4, 8)]
    assert raw[0].value != raw[0].value and raw[1].value == 1.5
    # Each run keeps its own: the same point on another run is that run's first.
    other = client.create_run(client.get_run(run_id).info.experiment_id).info.run_id
    client.log_metric(other, "loss", 0.5, timestamp=1000, step=1)
    assert [(m.step, m.timestamp, m.value) for m in client.get_metric_history(other, "loss")] == [(1, 1000, 0.5)]


def test_experiments_are_found_by_id_as_mlflow_finds_them(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    ids = [client.create_experiment(f"{experiment_name}-{i}") for i in range(3)]

    def names(filter_string: str) -> list[str]:
        found = client.search_experiments(filter_string=f"name LIKE '{experiment_name}-%' AND {filter_string}", order_by=["name"])
        return [experiment.name[len(experiment_name) + 1 :] for experiment in found]

    assert names(f"experiment_id = '{ids[0]}'") == ["0"]
    assert names(f"attribute.experiment_id != '{ids[0]}'") == ["1", "2"]
    assert names(f"experiment_id IN ('{ids[0]}', \"{ids[2]}\")") == ["0", "2"]
    assert names(f"experiment_id NOT IN ('{ids[1]}')") == ["0", "2"]
    for unquoted in (f"experiment_id = {ids[0]}", "experiment_id IN ()"):
        with pytest.raises(MlflowException, match="filter") as refused:
            names(unquoted)
        assert refused.value.error_code == "INVALID_PARAMETER_VALUE"


def test_a_doubled_quote_in_a_filter_string_is_two_quotes_as_mlflow_reads_it(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's tokenizer keeps 'it''s' as one string and strips only its outer quotes: it finds the text it''s.
    A filter with one used to be a 400 on Stratus."""
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    client.create_experiment(f"{experiment_name}-it''s")
    client.create_experiment(f"{experiment_name}-it's")
    found = client.search_experiments(filter_string=f"name = '{experiment_name}-it''s'")
    assert [experiment.name for experiment in found] == [f"{experiment_name}-it''s"]
    for name, tag in (("it's", "a''b"), ("it''s", "a'b")):
        client.create_run(experiment_id, run_name=name, tags={"x": tag})

    def run_names(filter_string: str) -> list[str]:
        return sorted(run.info.run_name for run in client.search_runs([experiment_id], filter_string))

    assert run_names("attributes.run_name = 'it''s'") == ["it''s"]
    assert run_names("tags.x = 'a''b'") == ["it's"]
    assert run_names("tags.x LIKE '%''%'") == ["it's"]
    assert run_names("tags.x = \"a'b\"") == ["it''s"]


def test_runs_are_found_among_a_thousand_run_ids(mlflow_env: StratusApi, experiment_name: str):
    """A filter naming 1,000 run ids (36,000 characters) is taken, as on MLflow's server."""
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    wanted = client.create_run(experiment_id).info.run_id
    client.create_run(experiment_id)
    ids = [wanted] + [f"{i:032x}" for i in range(999)]
    filter_string = "attributes.run_id IN (" + ", ".join(f"'{run_id}'" for run_id in ids) + ")"
    assert [run.info.run_id for run in client.search_runs([experiment_id], filter_string)] == [wanted]


def test_a_deleted_experiment_takes_no_new_run_as_on_mlflow(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    client.delete_experiment(experiment_id)
    message = rf"^INVALID_PARAMETER_VALUE: The experiment {experiment_id} must be in the 'active' state\. Current state is deleted\.$"
    with pytest.raises(MlflowException, match=message):
        client.create_run(experiment_id)
    client.restore_experiment(experiment_id)
    assert client.create_run(experiment_id).info.lifecycle_stage == "active"


def test_deleting_the_run_name_tag_succeeds_and_the_run_keeps_its_name(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's server deletes the tag and keeps the run's name; Stratus keeps the name as a field (shown as the
    tag), and the deletion used to be RESOURCE_DOES_NOT_EXIST."""
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name), run_name="kept").info.run_id
    client.delete_tag(run_id, "mlflow.runName")
    assert client.get_run(run_id).info.run_name == "kept"
    with pytest.raises(MlflowException, match="Run with id=0123456789abcdef0123456789abcdef not found"):
        client.delete_tag("0123456789abcdef0123456789abcdef", "mlflow.runName")


def test_requests_mlflow_takes_loosely_written_are_taken(mlflow_env: StratusApi, experiment_name: str):
    """What MLflow's server accepts from scripts that write JSON by hand: a param or tag without a value (its
    value is empty), a metric value written as a string, and a history page size above 25,000 (a page is at
    most 25,000 points, the rest follows with next_page_token). Each was a 400."""
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id
    assert post(mlflow_env, "/api/2.0/mlflow/runs/log-parameter", {"run_id": run_id, "key": "p"})[0] == 200
    assert post(mlflow_env, "/api/2.0/mlflow/runs/set-tag", {"run_id": run_id, "key": "t"})[0] == 200
    batch = {"run_id": run_id, "params": [{"key": "q"}], "tags": [{"key": "u"}]}
    batch["metrics"] = [{"key": "b", "value": " 2e3 ", "timestamp": 1}]
    assert post(mlflow_env, "/api/2.0/mlflow/runs/log-batch", batch)[0] == 200
    point = {"run_id": run_id, "key": "m", "value": "1.5", "timestamp": 1}
    assert post(mlflow_env, "/api/2.0/mlflow/runs/log-metric", point)[0] == 200
    status, body = post(mlflow_env, "/api/2.0/mlflow/runs/log-metric", {**point, "value": "1.5x"})
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    assert "parameter 'value'" in body["message"]
    data = client.get_run(run_id).data
    assert data.params == {"p": "", "q": ""}
    assert (data.tags["t"], data.tags["u"]) == ("", "")
    assert data.metrics == {"m": 1.5, "b": 2000.0}
    history = get(mlflow_env, "/api/2.0/mlflow/metrics/get-history", {"run_id": run_id, "metric_key": "m", "max_results": 10**9})
    assert history.status_code == 200, history.text
    assert [point["value"] for point in history.json()["metrics"]] == [1.5]


def _every_write(client: MlflowClient, run_id: str) -> dict:
    """One of each write the stock client makes to a run, by name (the ends last)."""
    from mlflow.entities import Dataset, DatasetInput, Param, RunTag

    now = int(time.time() * 1000)
    return {
        "set_tag": lambda: client.set_tag(run_id, "k", "v"),
        "log_param": lambda: client.log_param(run_id, "p", "1"),
        "delete_tag": lambda: client.delete_tag(run_id, "k"),
        "log_metric": lambda: client.log_metric(run_id, "m", 1.0, timestamp=now, step=0),
        "log_batch": lambda: client.log_batch(
            run_id, metrics=[Metric("b", 2.0, now, 1)], params=[Param("q", "2")], tags=[RunTag("u", "w")]
        ),
        "log_inputs": lambda: client.log_inputs(run_id, [DatasetInput(Dataset("train", "d1", "local", "{}"))]),
        "update_run": lambda: client.update_run(run_id, name="renamed"),
        "set_terminated": lambda: client.set_terminated(run_id),
    }


def test_writing_to_a_deleted_run_is_worded_as_mlflow_words_it(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name), tags={"k": "v"}).info.run_id
    client.delete_run(run_id)
    # (log_param's error gets a hint about nested runs appended by the client.)
    message = rf"^INVALID_PARAMETER_VALUE: The run {run_id} must be in the 'active' state\. Current state is deleted\."
    for name, write in _every_write(client, run_id).items():
        with pytest.raises(MlflowException, match=message):
            write()
            pytest.fail(f"{name} was taken")
    client.restore_run(run_id)
    run = client.get_run(run_id)
    assert (run.info.status, run.data.tags.get("k"), run.data.params, run.data.metrics) == ("RUNNING", "v", {}, {})


def test_a_run_deleted_only_with_its_experiment_still_takes_writes(mlflow_env: StratusApi, experiment_name: str):
    # A deliberate difference (README, "Lifecycle"): writes check the run's own stage, as a second
    # read of the experiment on every metric write would cost; MLflow's server refuses these.
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    run_id = client.create_run(experiment_id, tags={"k": "v"}).info.run_id
    client.delete_experiment(experiment_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    for write in _every_write(client, run_id).values():
        write()
    client.restore_experiment(experiment_id)
    run = client.get_run(run_id)
    assert (run.info.status, run.info.run_name, run.data.params) == ("FINISHED", "renamed", {"p": "1", "q": "2"})
    assert sorted(run.data.metrics) == ["b", "m"]


def get(stack: StratusApi, path: str, params: dict) -> requests.Response:
    """A GET of MLflow's web-app routes, as its REST tests send it; redirects are followed (to S3, without the token)."""
    return requests.get(f"{stack.url}{path}", params=params, headers={"authorization": f"Bearer {stack.token}"}, timeout=30)


INVALID_PATH = {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path"}


def test_get_artifact_serves_one_file_of_a_run(mlflow_env: StratusApi, experiment_name: str, tmp_path):
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id
    (tmp_path / "hello.txt").write_text("hello world")
    client.log_artifact(run_id, str(tmp_path / "hello.txt"), "notes")
    for run_field in ("run_uuid", "run_id"):
        response = get(mlflow_env, "/get-artifact", {run_field: run_id, "path": "notes/hello.txt"})
        assert (response.status_code, response.text) == (200, "hello world")
        # The one hop: a presigned GET of exactly that object, served as an attachment (as MLflow's server does).
        [hop] = response.history
        assert hop.status_code == 302
        assert "/notes/hello.txt?" in hop.headers["location"] and "X-Amz-Signature=" in hop.headers["location"]
        assert response.headers["content-disposition"].startswith("attachment")
    missing_run = "0123456789abcdef0123456789abcdef"
    response = get(mlflow_env, "/get-artifact", {"run_id": missing_run, "path": "notes/hello.txt"})
    assert (response.status_code, response.json()) == (
        404,
        {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"Run with id={missing_run} not found"},
    )
    response = get(mlflow_env, "/get-artifact", {"run_id": run_id, "path": "notes/absent.txt"})
    assert (response.status_code, response.json()["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    response = get(mlflow_env, "/get-artifact", {"run_id": run_id})
    assert (response.status_code, response.json()["message"]) == (400, "Missing value for required parameter 'path'.")
    # MLflow's validate_path_is_safe: checked before the run is read, decoded as it decodes.
    for path in ("../path", "notes/../../x", "/etc/passwd", "%2E%2E/x", "%252E%252E/x", "a#b", "file:///etc/passwd", "C:/x", "a\\b"):
        for run in (run_id, missing_run):
            response = get(mlflow_env, "/get-artifact", {"run_id": run, "path": path})
            assert (response.status_code, response.json()) == (400, INVALID_PATH), path


def test_model_version_get_artifact_serves_one_file_of_a_version(mlflow_env: StratusApi, experiment_name: str, tmp_path):
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id
    (tmp_path / "model" / "data").mkdir(parents=True)
    (tmp_path / "model" / "MLmodel").write_text("flavors: {}\n")
    (tmp_path / "model" / "data" / "weights.bin").write_bytes(b"\x00\x01\x02")
    client.log_artifacts(run_id, str(tmp_path / "model"), "model")
    name = f"{experiment_name}-model"
    client.create_registered_model(name)
    version = client.create_model_version(name, f"runs:/{run_id}/model", run_id).version
    response = get(mlflow_env, "/model-versions/get-artifact", {"name": name, "version": version, "path": "MLmodel"})
    assert (response.status_code, response.text) == (200, "flavors: {}\n")
    response = get(mlflow_env, "/model-versions/get-artifact", {"name": name, "version": version, "path": "data/weights.bin"})
    assert (response.status_code, response.content) == (200, b"\x00\x01\x02")
    response = get(mlflow_env, "/model-versions/get-artifact", {"name": name, "version": "9", "path": "MLmodel"})
    assert (response.status_code, response.json()) == (
        404,
        {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"Model Version (name={name}, version=9) not found"},
    )
    response = get(mlflow_env, "/model-versions/get-artifact", {"name": name, "version": version, "path": "absent"})
    assert (response.status_code, response.json()["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")


def test_a_folder_asked_for_as_a_file_is_a_directory_not_a_file(mlflow_env: StratusApi, experiment_name: str, tmp_path):
    """MLflow's file routes answer a folder with 400 "Artifact path refers to a directory, not a file",
    not 404: the path exists, as the run's listing shows."""
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    run_id = client.create_run(experiment_id).info.run_id
    (tmp_path / "model" / "data").mkdir(parents=True)
    (tmp_path / "model" / "MLmodel").write_text("flavors: {}\n")
    (tmp_path / "model" / "data" / "weights.bin").write_bytes(b"\x00")
    client.log_artifacts(run_id, str(tmp_path / "model"), "model")

    def directory(path: str) -> dict:
        return {"error_code": "INVALID_PARAMETER_VALUE", "message": f"Artifact path refers to a directory, not a file: '{path}'"}

    for folder in ("model", "model/data"):
        response = get(mlflow_env, "/get-artifact", {"run_id": run_id, "path": folder})
        assert (response.status_code, response.json()) == (400, directory(folder))
        proxied = f"/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/artifacts/{folder}"
        response = get(mlflow_env, proxied, {})
        assert (response.status_code, response.json()) == (400, directory(folder))
    # A prefix of a name is not a folder: nothing is there.
    response = get(mlflow_env, "/get-artifact", {"run_id": run_id, "path": "mod"})
    assert (response.status_code, response.json()["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    name = f"{experiment_name}-model"
    client.create_registered_model(name)
    version = client.create_model_version(name, f"runs:/{run_id}/model", run_id).version
    response = get(mlflow_env, "/model-versions/get-artifact", {"name": name, "version": version, "path": "data"})
    assert (response.status_code, response.json()) == (400, directory("data"))


def test_paths_that_climb_out_are_invalid_on_every_file_route(mlflow_env: StratusApi, experiment_name: str):
    """MLflow's test_path_validation, verbatim in what it sends (the doubled slash included)."""
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id
    for path, params in (
        ("/api/2.0/mlflow/artifacts/list", {"run_id": run_id, "path": "../path"}),
        ("/get-artifact", {"run_id": run_id, "path": "../path"}),
        ("//model-versions/get-artifact", {"name": "model", "version": 1, "path": "../path"}),
    ):
        response = get(mlflow_env, path, params)
        assert (response.status_code, response.json()) == (400, INVALID_PATH), path


def test_deleting_an_experiment_deletes_its_runs_until_it_is_restored(mlflow_env: StratusApi, experiment_name: str):
    import mlflow
    from mlflow.entities import ViewType

    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    kept = client.create_run(experiment_id).info.run_id
    dropped = client.create_run(experiment_id).info.run_id
    client.log_metric(kept, "acc", 0.9)
    client.delete_run(dropped)
    mlflow.delete_experiment(experiment_id)
    assert client.search_runs([experiment_id]) == []
    assert client.search_runs([experiment_id], "metrics.acc > 0.5") == []
    assert len(mlflow.search_runs([experiment_id])) == 0
    every = client.search_runs([experiment_id], run_view_type=ViewType.ALL)
    assert sorted((run.info.run_id, run.info.lifecycle_stage) for run in every) == sorted(
        [(kept, "deleted"), (dropped, "deleted")]
    )
    deleted = client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)
    assert sorted(run.info.run_id for run in deleted) == sorted([kept, dropped])
    assert client.get_run(kept).info.lifecycle_stage == "deleted"
    # MLflow's server would answer 200 and leave the run active in a deleted experiment; Stratus says why not.
    with pytest.raises(MlflowException, match="must be in the 'active' state"):
        client.restore_run(kept)
    client.restore_experiment(experiment_id)
    assert client.get_run(kept).info.lifecycle_stage == "active"
    assert [run.info.run_id for run in client.search_runs([experiment_id])] == [kept]
    # Deleted on its own before: it stays deleted (MLflow's server would restore it too; README says why).
    assert client.get_run(dropped).info.lifecycle_stage == "deleted"


def test_deleting_or_restoring_an_experiment_twice_is_a_404_as_on_mlflow(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    status, body = post(mlflow_env, "/api/2.0/mlflow/experiments/restore", {"experiment_id": experiment_id})
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    assert body["message"] == f"No Experiment with id={experiment_id} exists"
    client.delete_experiment(experiment_id)
    with pytest.raises(MlflowException, match=f"No Experiment with id={experiment_id} exists") as raised:
        client.delete_experiment(experiment_id)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    client.restore_experiment(experiment_id)
    with pytest.raises(MlflowException, match="RESOURCE_DOES_NOT_EXIST"):
        client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"
    # Runs, unlike experiments, are deleted and restored twice without complaint on MLflow's server too.
    run_id = client.create_run(experiment_id).info.run_id
    client.delete_run(run_id)
    client.delete_run(run_id)
    client.restore_run(run_id)
    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"


def test_the_history_of_a_run_that_does_not_exist_is_empty_as_on_mlflow(mlflow_env: StratusApi):
    client = MlflowClient()
    missing = "0" * 32
    assert client.get_metric_history(missing, "loss") == []
    query = urllib.parse.urlencode({"run_ids": missing, "metric_key": "loss", "max_results": 10})
    request = urllib.request.Request(f"{mlflow_env.url}/api/2.0/mlflow/metrics/get-history-bulk-interval?{query}")
    request.add_header("authorization", f"Bearer {mlflow_env.token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert json.loads(response.read()).get("metrics", []) == []


def test_runs_are_found_by_their_artifact_uri(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    first = client.create_run(experiment_id).info
    second = client.create_run(experiment_id).info
    found = lambda text: sorted(run.info.run_id for run in client.search_runs([experiment_id], text))  # noqa: E731
    assert found(f"attributes.artifact_uri = '{first.artifact_uri}'") == [first.run_id]
    assert found(f"artifact_uri != '{first.artifact_uri}'") == [second.run_id]
    assert found("attributes.artifact_uri LIKE '%/artifacts'") == sorted([first.run_id, second.run_id])
    assert found(f"attributes.artifact_uri ILIKE '%{second.run_id.upper()}%'") == [second.run_id]
    ordered = client.search_runs([experiment_id], order_by=["attributes.artifact_uri DESC"])
    assert [run.info.run_id for run in ordered] == sorted([first.run_id, second.run_id], reverse=True)
    with pytest.raises(MlflowException, match="artifact_uri is a string"):
        client.search_runs([experiment_id], "attributes.artifact_uri > 'a'")


def test_long_param_and_tag_values_are_cut_to_the_limit_as_on_mlflow(mlflow_env: StratusApi, experiment_name: str):
    from mlflow.entities import Param, RunTag

    client = MlflowClient()
    experiment_id = client.create_experiment(experiment_name)
    run_id = client.create_run(experiment_id, tags={"long at start": "s" * 9000}).info.run_id
    client.log_param(run_id, "config", "c" * 7000)
    client.set_tag(run_id, "notes", "n" * 9000)
    client.log_batch(run_id, params=[Param("batch", "b" * 6500)], tags=[RunTag("batched", "t" * 8500)])
    # The same long value again is the same cut value: params stay immutable without a conflict.
    client.log_param(run_id, "config", "c" * 7000)
    data = client.get_run(run_id).data
    assert (len(data.params["config"]), len(data.params["batch"])) == (6000, 6000)
    assert (len(data.tags["notes"]), len(data.tags["batched"]), len(data.tags["long at start"])) == (8000, 8000, 8000)
    # An experiment's tag is not cut (MLflow's server refuses a long one too), naming the field.
    with pytest.raises(MlflowException, match="'value'"):
        client.set_experiment_tag(experiment_id, "long", "e" * 20001)


@pytest.mark.parametrize("bad_id", ["abc", "12abc", "1.5", "0x1"])
def test_an_experiment_id_that_is_not_one_is_invalid_as_on_mlflow(mlflow_env: StratusApi, bad_id: str):
    """MLflow's server answers an id that is not an integer with INVALID_PARAMETER_VALUE (400), not
    a 404; a well-formed id of no experiment is a 404, and a search of one finds nothing."""
    client = MlflowClient()
    for call in (
        lambda: client.get_experiment(bad_id),
        lambda: client.delete_experiment(bad_id),
        lambda: client.restore_experiment(bad_id),
        lambda: client.rename_experiment(bad_id, "renamed"),
        lambda: client.search_runs([bad_id]),
    ):
        with pytest.raises(MlflowException) as raised:
            call()
        assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
        assert "'experiment_id" in raised.value.message
    with pytest.raises(MlflowException, match="No Experiment with id=424242 exists") as missing:
        client.get_experiment("424242")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert client.search_runs(["424242"]) == []


def test_a_key_that_is_not_a_name_is_refused_in_mlflow_words(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id
    for write in (
        lambda key: client.log_metric(run_id, key, 1.0),
        lambda key: client.log_param(run_id, key, "1"),
        lambda key: client.set_tag(run_id, key, "1"),
        lambda key: client.log_batch(run_id, params=[Param(key, "1")]),
    ):
        with pytest.raises(MlflowException, match="This name would resolve to 'b'") as raised:
            write("a/../b")
        assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
        with pytest.raises(MlflowException, match=r"Names may only contain alphanumerics"):
            write("acc@1")
    # What MLflow takes: colons, spaces, any script.
    client.log_metric(run_id, "eval: top 1/精度", 0.5)
    assert client.get_run(run_id).data.metrics == {"eval: top 1/精度": 0.5}


def test_a_param_logged_again_with_another_value_is_refused_in_mlflow_words(mlflow_env: StratusApi, experiment_name: str):
    client = MlflowClient()
    run_id = client.create_run(client.create_experiment(experiment_name)).info.run_id
    client.log_param(run_id, "lr", "0.1")
    client.log_param(run_id, "q", "it's")
    # The client puts the code before the server's message and its own advice after it (PARAM_VALIDATION_MSG).
    with pytest.raises(MlflowException) as one:
        client.log_param(run_id, "lr", "0.2")
    assert one.value.error_code == "INVALID_PARAMETER_VALUE"
    assert one.value.message.startswith(
        f"INVALID_PARAMETER_VALUE: Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run ID='{run_id}'. "
        "Attempted logging new value '0.2'."
    )
    # log-batch lists every changed param, as MLflow's server prints its list of dicts.
    with pytest.raises(MlflowException) as batch:
        client.log_batch(run_id, params=[Param("lr", "0.3"), Param("new", "1"), Param("q", 'say "hi"')])
    assert batch.value.error_code == "INVALID_PARAMETER_VALUE"
    changes = [{"key": "lr", "old_value": "0.1", "new_value": "0.3"}, {"key": "q", "old_value": "it's", "new_value": 'say "hi"'}]
    assert batch.value.message.startswith(f"INVALID_PARAMETER_VALUE: Changing param values is not allowed. Params were already logged='{changes}' for run ID='{run_id}'.")
    assert "new" not in client.get_run(run_id).data.params


def test_every_method_mlflow_declares_for_a_served_path_is_served(stack: StratusApi):
    """MLflow's protos declare each operation's endpoints (the `rpc` option), some by GET and POST
    alike, and its server serves every one: a path Stratus serves answers each of its methods, none
    with a 405. Every request is empty, so each is refused for what it lacks, or finds nothing."""
    from mlflow.protos import databricks_pb2
    from mlflow.protos.model_registry_pb2 import ModelRegistryService
    from mlflow.protos.service_pb2 import MlflowService

    declared: dict[str, set[str]] = {}
    for service in (MlflowService, ModelRegistryService):
        for method in service.DESCRIPTOR.methods:
            for endpoint in method.GetOptions().Extensions[databricks_pb2.rpc].endpoints:
                path = f"/api/{endpoint.since.major}.0{endpoint.path}"
                declared.setdefault(re.sub(r"\{[\w.]+\}", "m-0", path), set()).add(endpoint.method)
    served = 0
    for path, methods in sorted(declared.items()):
        answers = {method: stack.call(method, path, None if method == "GET" else {}) for method in sorted(methods)}
        if all(status == 404 and body and body.get("error_code") == "ENDPOINT_NOT_FOUND" for status, body in answers.values()):
            continue  # an MLflow feature Stratus does not serve (traces, prompts, ...)
        served += 1
        for method, (status, body) in answers.items():
            assert status != 405, (method, path, body)
    assert served > 50


def test_registry_versions_and_aliases_are_read_as_mlflow_reads_them(mlflow_env: StratusApi, experiment_name: str):
    """What MLflow 3.17.2's server answered the stock client, side by side (docs/registry.md)."""
    client = MlflowClient()
    model = f"{experiment_name}-refs"
    named = re.escape(model)
    # A missing model's version is named as the version, as MLflow's server names it.
    with pytest.raises(MlflowException, match=rf"^RESOURCE_DOES_NOT_EXIST: Model Version \(name={named}, version=3\) not found$"):
        client.get_model_version(model, "3")
    client.create_registered_model(model)
    with pytest.raises(MlflowException, match=r"^INVALID_PARAMETER_VALUE: 'latest' alias name \(case insensitive\) is reserved\.$"):
        client.set_registered_model_alias(model, "Latest", "1")
    with pytest.raises(MlflowException, match=r"^INVALID_PARAMETER_VALUE: Version alias name 'v1' is reserved\.$"):
        client.set_registered_model_alias(model, "v1", "1")
    # `models:/<name>@latest` asks the server for its highest version.
    with pytest.raises(MlflowException, match=rf"^RESOURCE_DOES_NOT_EXIST: Latest version not found for model {named}\.$"):
        client.get_model_version_by_alias(model, "latest")
    with pytest.raises(MlflowException, match=r"^INVALID_PARAMETER_VALUE: Parameter 'version' must be an integer, got 'x'\.$"):
        client.get_model_version(model, "x")
    with pytest.raises(MlflowException, match=rf"^RESOURCE_DOES_NOT_EXIST: Model Version \(name={named}, version=0\) not found$"):
        client.get_model_version(model, "0")
