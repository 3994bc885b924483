"""Fixtures for the real-client tests: the stock `mlflow` client against a local stack it starts itself.

The stack is test/support/serve-test-stack.ts (DynamoDB Local, the S3 server and the API on free
loopback ports, a fresh admin token), stopped when its stdin closes, so a killed pytest leaves no
JVM behind. The client is configured exactly as a user would: MLFLOW_TRACKING_URI and
MLFLOW_TRACKING_TOKEN, nothing else.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO_ROOT / "test" / "support"))

from stratus_api import StratusApi  # noqa: E402
from local_stack import local_stack  # noqa: E402

# The client must not write into the working tree or try to reach the internet.
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def stack() -> Iterator[StratusApi]:
    with local_stack() as (url, token):
        yield StratusApi(url=url, token=token)


@pytest.fixture
def mlflow_env(stack: StratusApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The two variables a team sets to move to Stratus, and a clean fluent state."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", stack.url)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", stack.token)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(stack.url)
    # Each test starts as a fresh process would: no experiment chosen yet.
    mlflow.tracking.fluent._active_experiment_id = None
    yield stack
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


@pytest.fixture
def experiment_name() -> str:
    return f"mlflow-{uuid.uuid4().hex[:10]}"
