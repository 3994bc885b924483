"""The HTTP transport: bearer auth, JSON, typed errors and retries with backoff.

Only the standard library (urllib), so the SDK installs anywhere a training job
runs. Retries use exponential backoff with full jitter and honour the
``Retry-After`` header of 429 and 503 answers.
"""

from __future__ import annotations

import email.utils
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Dict, Iterable, Mapping, Optional, Tuple, Union

from . import __version__
from .errors import StratusConnectionError, StratusError, error_for

Query = Mapping[str, Union[str, int, bool, Iterable[str], None]]
Body = Union[bytes, IO[bytes], None]


@dataclass
class RetryPolicy:
    """How often and how long to retry a request the service could not take."""

    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: Optional[float] = None) -> float:
        """Full jitter on an exponential ceiling; never sooner than the server asked (up to 5 minutes)."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        delay = random.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, min(retry_after, 300.0))
        return delay


@dataclass
class Response:
    status: int
    headers: Dict[str, str]
    body: bytes = field(repr=False)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def normalise_endpoint(endpoint: str) -> str:
    """`http://host:8000`, `.../api/v1` and a trailing slash all mean the same API root."""
    base = endpoint.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"endpoint must start with http:// or https://, got {endpoint!r}")
    return base if base.endswith("/api/v1") else base + "/api/v1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        return None


_opener = urllib.request.build_opener(_NoRedirect())


def send(
    method: str,
    url: str,
    body: Body = None,
    headers: Optional[Mapping[str, str]] = None,
    timeout: float = 30.0,
) -> Response:
    """One HTTP exchange. Non-2xx answers are returned, not raised; no answer raises StratusConnectionError."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with _opener.open(request, timeout=timeout) as answer:
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:
        payload = error.read() if error.fp else b""
        return Response(error.code, {k.lower(): v for k, v in (error.headers or {}).items()}, payload)
    except urllib.error.URLError as error:
        reason = error.reason
        refused = isinstance(reason, ConnectionRefusedError)
        raise StratusConnectionError(f"cannot reach {_origin(url)}: {reason}", request_sent=not refused) from None
    except (ConnectionError, socket.timeout, TimeoutError, OSError) as error:
        refused = isinstance(error, ConnectionRefusedError)
        raise StratusConnectionError(f"cannot reach {_origin(url)}: {error}", request_sent=not refused) from None


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def error_from_response(response: Response) -> StratusError:
    code, message = f"http.{response.status}", f"HTTP {response.status}"
    try:
        payload = json.loads(response.body)
        code = payload["error"]["code"]
        message = payload["error"]["message"]
    except (ValueError, KeyError, TypeError):
        text = response.body[:200].decode("utf-8", "replace").strip()
        if text:
            message = f"{message}: {text}"
    error = error_for(response.status, code, message)
    error.retry_after = parse_retry_after(response.headers.get("retry-after"))
    return error


class Transport:
    """Talks JSON to the API root with the bearer token; raises typed errors."""

    def __init__(self, endpoint: str, token: str, *, timeout: float = 30.0, retry: Optional[RetryPolicy] = None):
        self.base_url = normalise_endpoint(endpoint)
        self._token = token
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep: Callable[[float], None] = time.sleep

    def url(self, path: str, query: Optional[Query] = None) -> str:
        url = self.base_url + path
        pairs = []
        for name, value in (query or {}).items():
            if value is None:
                continue
            if isinstance(value, bool):
                pairs.append((name, "true" if value else "false"))
            elif isinstance(value, (str, int)):
                pairs.append((name, str(value)))
            else:
                pairs.extend((name, str(item)) for item in value)
        return url + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        query: Optional[Query] = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotent: bool = True,
        attempts: Optional[int] = None,
    ) -> Response:
        """Sends a request, retrying outages and overload.

        A request that is not ``idempotent`` (it would create something twice) is
        retried only when it certainly did nothing: a refused connection, 429 or 503.
        """
        all_headers = {
            "authorization": f"Bearer {self._token}",
            "accept": "application/json",
            "user-agent": f"stratus-python/{__version__}",
            **(headers or {}),
        }
        body = None
        if json_body is not None:
            body = json.dumps(json_body, allow_nan=False).encode("utf-8")
            all_headers["content-type"] = "application/json"
        url = self.url(path, query)
        response, _ = self.with_retries(
            lambda: send(method, url, body, all_headers, self.timeout), idempotent=idempotent, attempts=attempts
        )
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            # Something else answers at this address (another server, or the web UI's page for a
            # path it does not know): say so, rather than "Expecting value: line 1 column 1".
            kind = response.headers.get("content-type", "").split(";")[0] or "a body"
            message = f"{self.base_url}{path} answered {kind}, not the Stratus API's JSON: is the endpoint the API's address?"
            raise StratusError(response.status, "response.not_json", message) from None

    def with_retries(
        self, exchange: Callable[[], Response], *, idempotent: bool = True, attempts: Optional[int] = None
    ) -> Tuple[Response, int]:
        """Runs `exchange` until it answers 2xx/3xx, retrying what may succeed later; raises the last error."""
        limit = attempts or self.retry.max_attempts
        attempt = 0
        while True:
            retry_after: Optional[float] = None
            try:
                response = exchange()
            except StratusConnectionError as error:
                if attempt + 1 >= limit or (not idempotent and error.request_sent):
                    raise
            else:
                if response.status < 400:
                    return response, attempt
                error = error_from_response(response)
                safe_to_repeat = idempotent or response.status in (429, 503)
                if not error.retryable or not safe_to_repeat or attempt + 1 >= limit:
                    raise error
                retry_after = error.retry_after
            self.sleep(self.retry.delay(attempt, retry_after))
            attempt += 1
