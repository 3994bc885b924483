"""Fixtures: one real local stack (DynamoDB Local + the API's Lambda handlers) for the session.

The stack is started by the repository's test/support/serve-test-stack.ts, which
prints `{"url", "token"}` and stops everything when its stdin closes, so even a
killed pytest leaves no JVM behind.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO_ROOT / "test" / "support"))

from support import FlakyProxy, Stack  # noqa: E402
from local_stack import local_stack  # noqa: E402


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with local_stack() as (url, token):
        yield Stack(url=url, token=token)


@pytest.fixture(scope="session", autouse=True)
def end_leftover_runs(stack: Stack) -> Iterator[None]:
    """Runs some test left open are ended (as the interpreter's exit would) while the stack is still up."""
    yield
    from stratus import _exit

    _exit._end_all("FINISHED")


@pytest.fixture
def env(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """STRATUS_ENDPOINT / STRATUS_TOKEN pointing at the stack, for code that reads the environment."""
    monkeypatch.setenv("STRATUS_ENDPOINT", stack.url)
    monkeypatch.setenv("STRATUS_TOKEN", stack.token)
    return stack


@pytest.fixture
def tracker(stack: Stack):
    from stratus import ExperimentTracker

    client = ExperimentTracker(stack.url, stack.token, flush_interval=0.2)
    yield client
    while client.active_run is not None:  # a test that left a run open: end it while the stack is up
        client.end_run(run_id=client.active_run.run_id or None)
    client.close(timeout=10)


@pytest.fixture
def experiment_name() -> str:
    return f"exp-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def proxy(stack: Stack) -> Iterator[FlakyProxy]:
    server = FlakyProxy(stack.url)
    server.start()
    yield server
    server.stop()
