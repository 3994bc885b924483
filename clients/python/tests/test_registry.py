"""The model registry through the Python SDK, the CLI and the seed's example, against the local stack."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import uuid

import pytest
from support import cli_runner

from stratus import ConflictError, ExperimentTracker, ModelRegistry, NotFoundError, PermissionDeniedError
from stratus.cli.commands import cli
from stratus.registry import ChecksumMismatchError


def sha256_of(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def registry(stack) -> ModelRegistry:
    return ModelRegistry(stack.url, stack.token)


@pytest.fixture
def model_name() -> str:
    return f"model-{uuid.uuid4().hex[:10]}"


def test_register_from_a_logged_artifact_alias_and_load(tracker: ExperimentTracker, registry, model_name, experiment_name, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open("model.pkl", "wb") as handle:
        pickle.dump({"weights": [1, 2, 3]}, handle)
    run = tracker.start_run(experiment_name)
    tracker.log_artifact("model.pkl", artifact_type="model")
    tracker.end_run()

    version = registry.register_model(
        model_name=model_name,
        model_path="model.pkl",
        metadata={"experiment_id": run.experiment_id, "run_id": run.run_id, "accuracy": 0.93},
    )
    assert (version.name, version.version, version.run_id, version.source_kind) == (model_name, 1, run.run_id, "file")
    assert version.metadata == {"experiment_id": run.experiment_id, "run_id": run.run_id, "accuracy": 0.93}
    assert [(f.path, f.sha256, f.sha256_source) for f in version.files] == [("model.pkl", sha256_of("model.pkl"), "s3")]

    registry.set_alias(model_name, "champion", 1)
    again = registry.register_model(model_name, "model.pkl", run_id=run.run_id)
    assert again.version == 2
    assert registry.get_model(model_name).aliases == {"champion": 1}
    assert registry.get_model_version(model_name, "champion").version == 1
    assert registry.get_model_version(model_name, "latest").version == 2
    assert registry.load(model_name, "champion") == {"weights": [1, 2, 3]}

    registry.set_alias(model_name, "champion", 2)
    history = registry.alias_history(model_name, alias="champion")
    assert [(e.change, e.from_version, e.to_version) for e in history] == [("set", 1, 2), ("set", None, 1)]
    assert all(e.by for e in history)


def test_a_local_file_or_folder_not_yet_logged_is_uploaded_first(tracker, registry, model_name, experiment_name, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = tracker.start_run(experiment_name)
    (tmp_path / "weights.bin").write_bytes(os.urandom(5000))
    version = registry.register_model(model_name, "weights.bin", run_id=run.run_id)
    assert version.artifact_path == "weights.bin" and version.files[0].size_bytes == 5000
    assert [a.path for a in tracker.list_artifacts(run.run_id)] == ["weights.bin"]

    folder = tmp_path / "bundle"
    (folder / "data").mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors: {}\n")
    (folder / "data" / "model.bin").write_bytes(os.urandom(300))
    tracker.end_run()  # an ended run still takes artifacts, and can be registered from
    bundle = registry.register_model(model_name, "bundle", run_id=run.run_id)
    assert bundle.version == 2 and bundle.source_kind == "folder"
    assert sorted(f.path for f in bundle.files) == ["MLmodel", "data/model.bin"]

    out = registry.download(model_name, 2, str(tmp_path / "out"))
    assert out == str((tmp_path / "out").resolve())
    assert sha256_of(str(tmp_path / "out" / "data" / "model.bin")) == sha256_of(str(folder / "data" / "model.bin"))
    assert registry.download(model_name, 1, str(tmp_path / "one")).endswith("weights.bin")

    with pytest.raises(NotFoundError) as missing:
        registry.register_model(model_name, "not-here.pkl", run_id=run.run_id)
    assert missing.value.code == "artifact.not_found"


def test_registry_from_the_active_run_of_a_tracker(tracker, model_name, experiment_name, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.pkl").write_bytes(b"abc")
    registry = ModelRegistry(tracker=tracker)
    with tracker.run(experiment_name) as run:
        version = registry.register_model(model_name, "m.pkl")
    assert version.run_id == run.run_id


def test_a_tampered_download_is_refused(tracker, registry, model_name, experiment_name, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.bin").write_bytes(b"original bytes")
    run = tracker.start_run(experiment_name)
    registry.register_model(model_name, "m.bin", run_id=run.run_id)
    links = registry.transport.json("GET", f"/models/{model_name}/versions/1/download")
    real = links["files"][0]
    # A link whose recorded checksum does not match what comes back is refused and leaves no file.
    from stratus.registry import _fetch_verified

    target = str(tmp_path / "copy.bin")
    with pytest.raises(ChecksumMismatchError):
        _fetch_verified(registry.transport, real["url"], target, real["size_bytes"], "0" * 64)
    assert not os.path.exists(target) and not os.path.exists(target + ".part")
    _fetch_verified(registry.transport, real["url"], target, real["size_bytes"], real["sha256"])
    assert open(target, "rb").read() == b"original bytes"


def test_errors_are_typed(stack, registry, model_name) -> None:
    registry.create_model(model_name)
    with pytest.raises(ConflictError) as taken:
        registry.create_model(model_name)
    assert taken.value.code == "registered_model.exists"
    with pytest.raises(NotFoundError):
        registry.get_model_version(model_name, 7)
    with pytest.raises(NotFoundError):
        registry.get_model_version(model_name, "latest")
    reader_token = registry.transport.json("POST", "/admin/tokens", json_body={"scope": "read", "name": "r"})["token"]
    with pytest.raises(PermissionDeniedError):
        ModelRegistry(stack.url, reader_token).set_alias(model_name, "prod", 1)
    # The seed's constructor: a Stratus connection works, a database connection is refused with a reason.
    from stratus.storage import get_db_connection

    assert ModelRegistry(db_connection=get_db_connection(stack.url, stack.token)).get_model(model_name).name == model_name
    with pytest.raises(TypeError, match="db_connection=object"):
        ModelRegistry(db_connection=object())


def test_cli_models_commands(env, tracker, model_name, experiment_name, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = cli_runner()

    def stratus(*args: str, expect: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}{result.stderr}"
        return result

    run = tracker.start_run(experiment_name)
    (tmp_path / "model.pkl").write_bytes(b"cli model")
    registered = json.loads(stratus("models", "register", model_name, run.run_id, "model.pkl", "--metadata", "accuracy=0.9", "--json").stdout)
    assert registered["version"] == 1 and registered["metadata"] == {"accuracy": "0.9"}
    stratus("models", "register", model_name, run.run_id, "model.pkl")
    assert "→ version 1" in stratus("models", "alias", model_name, "champion", "1").stdout
    assert "(was 1)" in stratus("models", "alias", model_name, "champion", "2").stdout

    listed = stratus("models", "list", "--name", model_name.upper()).stdout
    assert model_name in listed and "champion→2" in listed
    shown = stratus("models", "show", model_name).stdout
    assert "versions" in shown and "alias history" in shown and "champion" in shown
    # Aliases are written as `models list` writes them (not `champion=2`), and a move says what moved, as the
    # web UI does (it said `set`, with the versions in two more columns).
    assert re.search(r"^aliases\s+champion→2$", shown, re.M), shown
    history = shown.split("alias history:\n", 1)[1].splitlines()
    assert history[0].split() == ["when", "alias", "change", "by", "token"]
    assert [re.split(r"\s{2,}", line)[2] for line in history[1:]] == ["moved 1 → 2", "set to 1"], shown
    # One way to write a time: to the minute, with the year (it was `2026-12-02 12:53:34` here, `12-02 12:53` there).
    times = re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?", shown)
    assert len(times) >= 6 and all(len(time) == 16 for time in times), shown
    unknown = stratus("models", "show", f"{model_name}-nope", expect=1).stderr
    assert f"model '{model_name}-nope' does not exist" in unknown and "registered_model '" not in unknown
    one = stratus("models", "show", model_name, "champion").stdout
    assert "model.pkl" in one and "s3" in one
    path = stratus("models", "download", model_name, "champion", "-o", str(tmp_path / "dl")).stdout.strip()
    assert open(path, "rb").read() == b"cli model"
    # The path printed is as -o was given: relative (to the working directory) for a relative -o.
    assert stratus("models", "download", model_name, "champion", "-o", "rel").stdout.strip() == os.path.join("rel", "model.pkl")
    stratus("models", "alias", model_name, "champion", "--delete")
    failed = stratus("models", "show", model_name, "champion", expect=1)
    assert "alias.not_found" in failed.stderr

