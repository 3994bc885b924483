"""The local stack for Python test suites: test/support/serve-test-stack.ts in a child process.

It prints `{"url", "token"}` (DynamoDB Local, the S3 server and the API on free loopback ports, a
fresh admin token) and stops everything when its stdin closes, so even a killed pytest leaves no
JVM behind. Used by the Python SDK's tests and the real-`mlflow`-client tests alike.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def local_stack() -> Iterator[Tuple[str, str]]:
    """Starts the stack, yields (url, token), and stops it."""
    npx = shutil.which("npx")
    if npx is None:
        raise RuntimeError("npx is needed to start the local stack (Node 20+)")
    process = subprocess.Popen(
        [npx, "tsx", "test/support/serve-test-stack.ts"],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError(f"the local stack did not start (exit {process.wait()})")
    info = json.loads(line)
    try:
        yield info["url"], info["token"]
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=10)
