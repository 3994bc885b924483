"""Test helpers: the stack's coordinates and a proxy that can fail on purpose."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Dict, List, Optional


@dataclass
class Stack:
    url: str
    token: str

    @property
    def api(self) -> str:
        return self.url + "/api/v1"


@dataclass
class ProxyPlan:
    """What the proxy does to the next requests matching `path_contains` (all when empty)."""

    #: Answer this many requests 503 with Retry-After: 1 instead of forwarding them.
    busy: int = 0
    #: Forward this many requests, then drop the connection instead of answering.
    lose_answer: int = 0
    path_contains: str = ""
    seen: List[str] = field(default_factory=list)
    idempotency_keys: List[Optional[str]] = field(default_factory=list)


class FlakyProxy:
    """An HTTP proxy on a fixed loopback port in front of the stack that can be stopped and
    restarted (an outage: connections refused), answer 503, or lose answers after forwarding."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.plan = ProxyPlan()
        self._server: Optional[http.server.ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                plan = proxy.plan
                matches = plan.path_contains in self.path
                if matches:
                    plan.seen.append(f"{self.command} {self.path}")
                    plan.idempotency_keys.append(self.headers.get("idempotency-key"))
                if matches and plan.busy > 0:
                    plan.busy -= 1
                    payload = b'{"error":{"code":"service.busy","message":"busy"}}'
                    self.send_response(503)
                    self.send_header("retry-after", "1")
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers: Dict[str, str] = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")
                }
                request = urllib.request.Request(proxy.upstream + self.path, data=body, method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, answer_headers, payload = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as error:
                    status, answer_headers, payload = error.code, error.headers, error.read()
                if matches and plan.lose_answer > 0:
                    plan.lose_answer -= 1
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(status)
                for name, value in answer_headers.items():
                    if name.lower() not in ("connection", "transfer-encoding", "content-length", "date", "server"):
                        self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def cli_runner():
    """A click CliRunner whose result has stdout and stderr apart (click 8.1 needs asking; 8.2 always does)."""
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def mlflow_post(stack: Stack, route: str, body: dict) -> dict:
    """A call to MLflow's REST API of the same stack: how a job's `mlflow` client logs datasets and models."""
    request = urllib.request.Request(
        f"{stack.url}/api/2.0/mlflow/{route}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {stack.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())
