"""The model registry through the stock MLflow client: register, alias, load by alias, and the rules
Stratus adds (versions hold their run's artifacts; every alias move is in the history)."""

from __future__ import annotations

import urllib.parse
import uuid
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from stratus_api import StratusApi


def _train_and_log(experiment_name: str, C: float):
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    mlflow.set_experiment(experiment_name)
    features, labels = load_iris(return_X_y=True)
    with mlflow.start_run() as run:
        model = LogisticRegression(max_iter=300, C=C).fit(features, labels)
        mlflow.log_metric("accuracy", float(model.score(features, labels)))
        # Pickled, as autolog does (the default, skops, is an extra the suite does not install).
        info = mlflow.sklearn.log_model(
            model, name="model", serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE
        )
    run.model_uri = info.model_uri  # models:/<logged model id>, what MLflow 3 hands back
    return run, model, features


def test_register_alias_and_load_by_alias(mlflow_env: StratusApi, experiment_name: str):
    name = f"iris-{uuid.uuid4().hex[:8]}"
    first_run, first_model, features = _train_and_log(experiment_name, C=0.5)

    first = mlflow.register_model(f"runs:/{first_run.info.run_id}/model", name)
    assert first.version == "1"
    assert first.status == "READY"
    assert first.run_id == first_run.info.run_id

    client = MlflowClient()
    client.set_registered_model_alias(name, "champion", first.version)
    assert client.get_model_version_by_alias(name, "champion").version == "1"
    assert client.get_registered_model(name).aliases == {"champion": "1"}

    loaded = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    assert list(loaded.predict(features)) == list(first_model.predict(features))
    by_number = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert list(by_number.predict(features)) == list(first_model.predict(features))

    # A second registration gets the next number; the alias moves, and both moves are in the history.
    second_run, second_model, _ = _train_and_log(experiment_name, C=0.05)
    second = mlflow.register_model(f"runs:/{second_run.info.run_id}/model", name)
    assert second.version == "2"
    client.set_registered_model_alias(name, "champion", "2")
    reloaded = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    assert list(reloaded.predict(features)) == list(second_model.predict(features))
    assert [v.version for v in client.get_latest_versions(name)] == ["2"]
    latest = mlflow.pyfunc.load_model(f"models:/{name}/latest")
    assert list(latest.predict(features)) == list(second_model.predict(features))

    history = mlflow_env.get(f"/api/v1/models/{urllib.parse.quote(name)}/alias-history?alias=champion")
    moves = [(event.get("from_version"), event.get("to_version")) for event in history["events"]]
    assert moves == [(1, 2), (None, 1)]

    # The version recorded each file's size and SHA-256, read from the stored bytes.
    version = mlflow_env.get(f"/api/v1/models/{urllib.parse.quote(name)}/versions/1")
    files = {file["path"]: file for file in version["files"]}
    assert "MLmodel" in files
    assert all(len(file["sha256"]) == 64 and file["size_bytes"] > 0 for file in files.values())


def test_search_tags_rename_and_errors(mlflow_env: StratusApi, experiment_name: str):
    prefix = f"srch-{uuid.uuid4().hex[:8]}"
    client = MlflowClient()
    run, _, _ = _train_and_log(experiment_name, C=1.0)
    client.create_registered_model(f"{prefix}-a", tags={"team": "risk"}, description="first")
    client.create_registered_model(f"{prefix}-b", tags={"team": "ops"})
    with pytest.raises(MlflowException) as duplicate:
        client.create_registered_model(f"{prefix}-a")
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"

    found = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'")
    assert [model.name for model in found] == [f"{prefix}-a", f"{prefix}-b"]
    risky = client.search_registered_models(filter_string=f"name LIKE '{prefix}%' AND tags.team = 'risk'")
    assert [model.name for model in risky] == [f"{prefix}-a"]

    version = client.create_model_version(f"{prefix}-a", run.model_uri, run_id=run.info.run_id)
    assert version.source == run.model_uri
    assert version.version == "1"
    # A version registered without a description reads "", not None, as from MLflow's server.
    assert version.description == ""
    assert client.get_model_version(f"{prefix}-a", "1").description == ""
    assert [v.description for v in client.search_model_versions(f"name = '{prefix}-a'")] == [""]
    client.set_model_version_tag(f"{prefix}-a", "1", "validated", "yes")
    client.update_model_version(f"{prefix}-a", "1", description="checked on holdout")
    got = client.get_model_version(f"{prefix}-a", "1")
    assert got.tags == {"validated": "yes"}
    assert got.description == "checked on holdout"
    client.delete_model_version_tag(f"{prefix}-a", "1", "validated")
    assert client.get_model_version(f"{prefix}-a", "1").tags == {}

    by_run = client.search_model_versions(f"run_id = '{run.info.run_id}'")
    assert [(v.name, v.version) for v in by_run] == [(f"{prefix}-a", "1")]

    client.set_registered_model_tag(f"{prefix}-a", "stage", "beta")
    client.delete_registered_model_tag(f"{prefix}-a", "team")
    client.rename_registered_model(f"{prefix}-a", f"{prefix}-renamed")
    renamed = client.get_registered_model(f"{prefix}-renamed")
    assert renamed.tags == {"stage": "beta"}
    assert renamed.description == "first"
    assert [v.version for v in client.search_model_versions(f"name = '{prefix}-renamed'")] == ["1"]
    with pytest.raises(MlflowException) as missing:
        client.get_registered_model(f"{prefix}-a")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"

    with pytest.raises(MlflowException) as bad_source:
        client.create_model_version(f"{prefix}-b", "s3://elsewhere/model")
    assert bad_source.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "source" in bad_source.value.message


def test_a_registered_runs_artifacts_stay_until_its_versions_go(mlflow_env: StratusApi, experiment_name: str):
    name = f"held-{uuid.uuid4().hex[:8]}"
    run, _, _ = _train_and_log(experiment_name, C=1.0)
    mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    client = MlflowClient()
    client.delete_run(run.info.run_id)

    status, body = mlflow_env.call("POST", f"/api/v1/runs/{run.info.run_id}/purge")
    assert status == 409, body
    assert f"{name}/1" in body["error"]["message"]

    client.delete_model_version(name, "1")
    status, body = mlflow_env.call("POST", f"/api/v1/runs/{run.info.run_id}/purge")
    assert status == 200, body
    client.delete_registered_model(name)
    with pytest.raises(MlflowException):
        client.get_registered_model(name)


def test_a_run_deleted_with_its_experiment_is_not_registered(mlflow_env: StratusApi, experiment_name: str):
    # It reads deleted and may be purged, so no version may come to hold its artifacts.
    name = f"gone-{uuid.uuid4().hex[:8]}"
    run, _, _ = _train_and_log(experiment_name, C=1.0)
    client = MlflowClient()
    client.delete_experiment(run.info.experiment_id)
    with pytest.raises(MlflowException, match="deleted with its experiment") as refused:
        mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    client.restore_experiment(run.info.experiment_id)
    assert mlflow.register_model(f"runs:/{run.info.run_id}/model", name).version == "1"


def test_create_model_version_from_a_runs_uri_and_load_by_version_and_alias(mlflow_env: StratusApi, experiment_name: str):
    """MLflow 3 keeps a logged model's files under models/<id>/, not under the run's `model/`: the
    runs:/<run>/model source a script hands create_model_version still names them."""
    name = f"runsuri-{uuid.uuid4().hex[:8]}"
    run, model, features = _train_and_log(experiment_name, C=0.3)
    client = MlflowClient()
    client.create_registered_model(name)
    version = client.create_model_version(name, source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    assert (version.version, version.status, version.run_id) == ("1", "READY", run.info.run_id)
    logged_model_id = run.model_uri.split("/")[-1]
    assert version.source == f"models:/{logged_model_id}"

    by_number = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert list(by_number.predict(features)) == list(model.predict(features))
    # copy_model_version registers the same files under another model (source models:/<name>/<version>).
    copy = client.copy_model_version(f"models:/{name}/1", f"{name}-prod")
    assert (copy.name, copy.version, copy.run_id) == (f"{name}-prod", "1", run.info.run_id)
    copied = mlflow.pyfunc.load_model(f"models:/{name}-prod/1")
    assert list(copied.predict(features)) == list(model.predict(features))

    client.set_registered_model_alias(name, "candidate", "1")
    local_copy = Path(mlflow.artifacts.download_artifacts(f"models:/{name}@candidate"))
    downloaded = sorted(str(p.relative_to(local_copy)) for p in local_copy.rglob("*") if p.is_file())
    registered = mlflow_env.get(f"/api/v1/models/{urllib.parse.quote(name)}/versions/1")["files"]
    assert "MLmodel" in downloaded
    # The client adds a registered_model_meta file of its own to what it downloads.
    assert [path for path in downloaded if path != "registered_model_meta"] == sorted(
        file["path"] for file in registered
    )

    # Without a run of that name, the error names the path (not a server error).
    with pytest.raises(MlflowException) as missing:
        client.create_model_version(name, source=f"runs:/{run.info.run_id}/no-such-model", run_id=run.info.run_id)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert "no-such-model" in missing.value.message


def test_stages_for_older_clients(mlflow_env: StratusApi, experiment_name: str):
    """transition_model_version_stage (deprecated in MLflow, still called) moves versions between
    stages, and models:/<name>/Production loads the newest version in Production."""
    import warnings

    name = f"staged-{uuid.uuid4().hex[:8]}"
    first_run, _, features = _train_and_log(experiment_name, C=0.5)
    second_run, second_model, _ = _train_and_log(experiment_name, C=0.05)
    first = mlflow.register_model(f"runs:/{first_run.info.run_id}/model", name)
    second = mlflow.register_model(f"runs:/{second_run.info.run_id}/model", name)
    assert first.current_stage == "None"
    client = MlflowClient()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        moved = client.transition_model_version_stage(name, first.version, "Production")
        assert moved.current_stage == "Production"
        client.transition_model_version_stage(name, second.version, "production", archive_existing_versions=True)
        stages = {v.version: v.current_stage for v in client.search_model_versions(f"name = '{name}'")}
        assert stages == {"1": "Archived", "2": "Production"}
        assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["2"]
        assert {(v.current_stage, v.version) for v in client.get_latest_versions(name)} == {
            ("Archived", "1"),
            ("Production", "2"),
        }
        assert client.get_latest_versions(name, stages=["Staging"]) == []

        production = mlflow.pyfunc.load_model(f"models:/{name}/Production")
        assert list(production.predict(features)) == list(second_model.predict(features))

        with pytest.raises(MlflowException) as bad_stage:
            client.transition_model_version_stage(name, first.version, "Live")
        assert bad_stage.value.error_code == "INVALID_PARAMETER_VALUE"
        assert "Live" in bad_stage.value.message


def test_latest_versions_in_search_get_and_get_latest(mlflow_env: StratusApi, experiment_name: str):
    """search_registered_models()[i].latest_versions, get_registered_model(...).latest_versions and
    get_latest_versions answer as MLflow's server does: the highest version in each stage; get and
    get_latest_versions in the order of each stage's lowest version, search in stage-name order."""
    import warnings

    mlflow.set_experiment(experiment_name)
    with mlflow.start_run() as run:
        mlflow.log_text("weights", "model/weights.txt")
    prefix = f"latest-{uuid.uuid4().hex[:8]}"
    name, other = f"{prefix}-staged", f"{prefix}-fresh"
    client = MlflowClient()
    client.create_registered_model(name)
    client.create_registered_model(other)
    source = f"runs:/{run.info.run_id}/model"
    for _ in range(5):
        client.create_model_version(name, source, run_id=run.info.run_id)
    client.create_model_version(other, source, run_id=run.info.run_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for version, stage in [("1", "Production"), ("3", "Staging"), ("4", "Archived"), ("5", "Staging")]:
            client.transition_model_version_stage(name, version, stage)

        def pairs(versions):
            return [(v.version, v.current_stage) for v in versions]

        searched = {m.name: pairs(m.latest_versions) for m in client.search_registered_models(f"name LIKE '{prefix}%'")}
        assert searched == {
            name: [("4", "Archived"), ("2", "None"), ("1", "Production"), ("5", "Staging")],
            other: [("1", "None")],
        }
        [exact] = client.search_registered_models(f"name = '{name}'")
        assert pairs(exact.latest_versions) == searched[name]
        in_version_order = [("1", "Production"), ("2", "None"), ("5", "Staging"), ("4", "Archived")]
        assert pairs(client.get_registered_model(name).latest_versions) == in_version_order
        assert pairs(client.get_latest_versions(name)) == in_version_order
        assert pairs(client.get_latest_versions(name, stages=["archived", "Production"])) == [
            ("1", "Production"),
            ("4", "Archived"),
        ]
        # Deleting a stage's newest version hands the stage to the next highest in it.
        client.delete_model_version(name, "5")
        assert pairs(client.get_latest_versions(name, stages=["Staging"])) == [("3", "Staging")]
        # update hands back the whole model, latest_versions included, as MLflow's server does (so does
        # rename, through HTTP; MlflowClient.rename_registered_model drops the answer).
        updated = client.update_registered_model(name, description="staged")
        assert pairs(updated.latest_versions) == [("1", "Production"), ("2", "None"), ("3", "Staging"), ("4", "Archived")]


def _all_pages(search, **arguments):
    """Every page of a search, one item a page, through the page tokens the client hands back."""
    found, token = [], None
    while True:
        page = search(max_results=1, page_token=token, **arguments)
        found += list(page)
        token = page.token
        if not token:
            return found


def test_searches_in_mlflows_orders_page_by_page(mlflow_env: StratusApi, experiment_name: str):
    """The orders MLflow's server answers (last change first, ties by name, then version descending),
    through one-item pages, and searches of every version without a model or run in the filter."""
    prefix = f"ord-{uuid.uuid4().hex[:8]}"
    client = MlflowClient()
    run, _, _ = _train_and_log(experiment_name, C=1.0)
    names = [f"{prefix}-{letter}" for letter in "cab"]
    for name in names:
        client.create_registered_model(name)
        client.create_model_version(name, run.model_uri, run_id=run.info.run_id)
    client.create_model_version(names[0], run.model_uri, run_id=run.info.run_id)
    # A change moves a version (and only it) to the front of the default order.
    client.update_model_version(names[2], "1", description="checked")

    models = _all_pages(
        client.search_registered_models,
        filter_string=f"name LIKE '{prefix}-%'",
        order_by=["last_updated_timestamp DESC"],
    )
    assert len(models) == 3
    assert [m.name for m in models] == [
        m.name for m in sorted(models, key=lambda m: (-m.last_updated_timestamp, m.name))
    ]
    by_name = _all_pages(client.search_registered_models, filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"])
    assert [m.name for m in by_name] == sorted(names, reverse=True)

    versions = _all_pages(client.search_model_versions, filter_string=f"name LIKE '{prefix}-%'")
    assert [(v.name, v.version) for v in versions] == [
        (v.name, v.version)
        for v in sorted(versions, key=lambda v: (-v.last_updated_timestamp, v.name, -int(v.version)))
    ]
    assert (versions[0].name, versions[0].version) == (names[2], "1")
    assert len(versions) == 4
    oldest = _all_pages(
        client.search_model_versions,
        filter_string=f"name LIKE '{prefix}-%'",
        order_by=["last_updated_timestamp ASC", "version_number ASC"],
    )
    assert [(v.name, v.version) for v in oldest] == [
        (v.name, v.version) for v in sorted(versions, key=lambda v: (v.last_updated_timestamp, int(v.version), v.name))
    ]
    # The fluent API turns the pages itself.
    later = mlflow.search_model_versions(filter_string=f"name LIKE '{prefix}-%' AND version_number > 1")
    assert [(v.name, v.version) for v in later] == [(names[0], "2")]
    one_model = client.search_model_versions(f"name = '{names[0]}'", order_by=["version_number ASC"])
    assert [v.version for v in one_model] == ["1", "2"]

    with pytest.raises(MlflowException) as refused:
        client.search_registered_models(order_by=["creation_timestamp DESC"])
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "order_by: Invalid order by key 'creation_timestamp'" in refused.value.message


def test_prompts_are_registered_versioned_aliased_and_loaded(mlflow_env: StratusApi, experiment_name: str):
    """MLflow 3's prompt registry keeps prompts as registered models: the client's own calls, unchanged."""
    mlflow.set_experiment(experiment_name)
    name = f"greeting-{uuid.uuid4().hex[:8]}"
    first = mlflow.genai.register_prompt(name=name, template="Hello {{name}}", commit_message="first", tags={"team": "nlp"})
    assert first.version == 1
    chat = [{"role": "user", "content": "Hi {{name}}!"}]
    second = mlflow.genai.register_prompt(name=name, template=chat)
    assert second.version == 2

    assert mlflow.genai.load_prompt(f"prompts:/{name}/1").format(name="Ada") == "Hello Ada"
    assert mlflow.genai.load_prompt(f"prompts:/{name}@latest").template == chat
    mlflow.genai.set_prompt_alias(name, "production", 1)
    assert mlflow.genai.load_prompt(f"prompts:/{name}@production", cache_ttl_seconds=0).template == "Hello {{name}}"

    client = MlflowClient()
    assert [prompt.name for prompt in mlflow.genai.search_prompts(f"name = '{name}'")] == [name]
    assert [version.version for version in client.search_prompt_versions(name)] == [2, 1]
    assert client.get_prompt(name).tags["team"] == "nlp"
    # A prompt is no model: the registry's own searches leave it out, as MLflow's server does.
    assert client.search_registered_models(f"name = '{name}'") == []
    assert client.search_model_versions(f"name = '{name}'") == []

    # Stratus's own SDK reads a prompt's version too: no run, no files.
    from stratus import ModelRegistry

    version = ModelRegistry(mlflow_env.url, mlflow_env.token).get_model_version(name, 2)
    assert (version.source_kind, version.run_id, version.files) == ("prompt", None, [])

    client.delete_prompt_version(name, "1")
    with pytest.raises(MlflowException):
        mlflow.genai.load_prompt(f"prompts:/{name}/1", cache_ttl_seconds=0)
    assert mlflow.genai.load_prompt(f"prompts:/{name}/2", cache_ttl_seconds=0).template == chat
