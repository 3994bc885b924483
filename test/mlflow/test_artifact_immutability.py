"""A settled artifact cannot be replaced through the URL the stock client uploaded it with.

The client follows the 307 of its artifact PUT without adding headers, so that URL cannot carry
If-None-Match: it is the one part of an S3 multipart upload the service completes when it next looks
(listing, download, registration). After that the URL writes nothing, however long it stays valid.
"""

from __future__ import annotations

import mlflow
import pytest
import requests
from mlflow import MlflowClient

from stratus_api import StratusApi


@pytest.fixture
def redirects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Location of every 307 the client is sent, as it follows them."""
    seen: list[str] = []
    original = requests.Session.send

    def send(self, request, **kwargs):
        response = original(self, request, **kwargs)
        # A followed redirect is in the final response's history (and each hop passes through here).
        for hop in [*response.history, response]:
            if hop.status_code == 307 and hop.headers["Location"] not in seen:
                seen.append(hop.headers["Location"])
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    return seen


def test_the_clients_upload_url_cannot_replace_a_settled_artifact(
    mlflow_env: StratusApi, experiment_name: str, redirects: list[str]
):
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run() as run:
        mlflow.log_text("first", "notes.txt")
    assert len(redirects) == 1
    url = redirects[0]
    assert "partNumber=1" in url and "uploadId=" in url

    client = MlflowClient()
    [listed] = client.list_artifacts(run.info.run_id)
    assert (listed.path, listed.file_size) == ("notes.txt", 5)
    assert mlflow_env.artifacts(run.info.run_id)["notes.txt"]["status"] == "COMPLETE"

    # The same URL, still within its lifetime, with other bytes of the same length: refused by S3.
    replay = requests.put(url, data=b"SECND", headers={"Content-Type": "text/plain"}, timeout=30)
    assert replay.status_code == 404, replay.text
    assert "NoSuchUpload" in replay.text
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes.txt") == "first"

    # Logging the path again is refused with MLflow's code (the client raises the HTTP error it got).
    with pytest.raises(requests.HTTPError) as again:
        client.log_text(run.info.run_id, "SECND", "notes.txt")
    assert again.value.response.status_code == 400
    assert again.value.response.json()["error_code"] == "RESOURCE_ALREADY_EXISTS"
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes.txt") == "first"


def test_an_empty_file_is_stored_without_a_redirect(mlflow_env: StratusApi, experiment_name: str, redirects: list[str]):
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run() as run:
        mlflow.log_text("", "pkg/__init__.py")
    assert redirects == []
    assert mlflow_env.artifacts(run.info.run_id)["pkg/__init__.py"]["size_bytes"] == 0
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/pkg/__init__.py") == ""
