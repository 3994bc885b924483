"""Background metric batching with a bounded spool, retries and idempotency keys.

`log_metrics` only appends points to an in-memory spool; a daemon thread sends
them in batches of at most ``batch_size`` points (the API takes 1,000 per
request) when a batch is full or ``flush_interval`` seconds after the oldest
point arrived. Each batch gets an idempotency key when it is formed and keeps it
through every retry, so a batch whose answer was lost and is sent again adds no
points twice.

While the service is unreachable the head batch is retried with exponential
backoff and jitter (honouring ``Retry-After``), and new points wait in the
spool. The spool holds at most ``max_spool`` points (pending plus in flight).
When it is full, **new points are dropped** and counted in ``dropped`` (a
warning is logged once per overflow); in strict mode ``add`` raises instead.
Points the API rejects outright (a 4xx, e.g. the run already ended) are dropped
and counted in ``rejected``; strict mode raises the error at the next call.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import uuid
from typing import Any, Callable, Deque, Dict, List, Optional

from ._http import RetryPolicy
from .errors import StratusError

log = logging.getLogger("stratus")

Point = Dict[str, Any]
SendBatch = Callable[[List[Point], str], None]


class MetricBatcher:
    """Sends one run's metric points from a background thread; see the module docstring."""

    def __init__(
        self,
        send_batch: SendBatch,
        *,
        batch_size: int = 1000,
        flush_interval: float = 2.0,
        max_spool: int = 100_000,
        strict: bool = False,
        retry: Optional[RetryPolicy] = None,
        name: str = "stratus-metrics",
    ) -> None:
        if not 1 <= batch_size <= 1000:
            raise ValueError("batch_size must be between 1 and 1000 (the API's limit per request)")
        self._send_batch = send_batch
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_spool = max(max_spool, batch_size)
        self.strict = strict
        # Retries go on for as long as the outage lasts, so the attempt count is unbounded here.
        self.retry = retry or RetryPolicy(base_delay=0.5, max_delay=30.0)
        self._pending: Deque[Point] = collections.deque()
        self._oldest_pending_at: Optional[float] = None
        self._in_flight: List[Point] = []
        self._flush_requests = 0
        self._closing = False
        self._abandoned = False
        self._wake = threading.Condition()
        self._backoff = threading.Event()
        self._errors: List[StratusError] = []
        self._overflowing = False
        #: Points acknowledged by the service / dropped on a full spool / rejected by the API.
        self.acknowledged = 0
        self.dropped = 0
        self.rejected = 0
        #: Requests that failed and were retried (outages, 429, 5xx).
        self.retries = 0
        self._batch_counter = 0
        self._key_prefix = uuid.uuid4().hex
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def unsent(self) -> int:
        with self._wake:
            return len(self._pending) + len(self._in_flight)

    def add(self, points: List[Point]) -> None:
        """Queues points; never blocks on the network."""
        with self._wake:
            self._raise_pending_error()
            if self._closing:
                raise RuntimeError("this run's metric sender is closed")
            room = self.max_spool - len(self._pending) - len(self._in_flight)
            if len(points) > room:
                if self.strict:
                    raise StratusError(
                        None,
                        "spool.full",
                        f"metric spool is full ({self.max_spool} points unsent); the service is not keeping up",
                    )
                self.dropped += len(points) - max(room, 0)
                if not self._overflowing:
                    log.warning(
                        "stratus: metric spool full (%d points unsent); dropping new points until the service "
                        "catches up",
                        self.max_spool,
                    )
                    self._overflowing = True
                points = points[: max(room, 0)]
            if not points:
                return
            if self._oldest_pending_at is None:
                self._oldest_pending_at = time.monotonic()
            self._pending.extend(points)
            if len(self._pending) >= self.batch_size:
                self._wake.notify_all()

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends everything queued and waits until the service acknowledged it.

        Returns True when nothing is left unsent. On timeout returns False, or
        raises in strict mode; a rejected batch raises in strict mode.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._wake:
            self._flush_requests += 1
            self._wake.notify_all()
            self._backoff.set()  # a flush is a good moment to try again right away
            while self._pending or self._in_flight:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                self._wake.wait(remaining if remaining is not None else 1.0)
            self._flush_requests -= 1
            done = not self._pending and not self._in_flight
            if self.strict:
                self._raise_pending_error()
                if not done:
                    raise StratusError(
                        None,
                        "flush.timeout",
                        f"{len(self._pending) + len(self._in_flight)} metric points still unsent after {timeout}s",
                    )
            return done

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flushes, then stops the thread. Points still unsent after `timeout` are abandoned with a warning."""
        try:
            done = self.flush(timeout)
        finally:
            with self._wake:
                self._closing = True
                left = len(self._pending) + len(self._in_flight)
                if left:
                    self._abandoned = True
                self._wake.notify_all()
            self._backoff.set()
        if left:
            log.warning("stratus: %d metric points could not be sent and were abandoned", left)
        self._thread.join(timeout=5)
        return done

    def _raise_pending_error(self) -> None:
        if self.strict and self._errors:
            error = self._errors.pop(0)
            raise error

    # ----- the sender thread -----

    def _batch_due(self) -> bool:
        if not self._pending:
            return False
        if len(self._pending) >= self.batch_size or self._flush_requests or self._closing:
            return True
        assert self._oldest_pending_at is not None
        return time.monotonic() - self._oldest_pending_at >= self.flush_interval

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._batch_due() and not self._closing:
                    wait = None
                    if self._oldest_pending_at is not None:
                        wait = max(0.0, self.flush_interval - (time.monotonic() - self._oldest_pending_at))
                    self._wake.wait(wait)
                if self._abandoned or (self._closing and not self._pending):
                    return
                count = min(self.batch_size, len(self._pending))
                self._in_flight = [self._pending.popleft() for _ in range(count)]
                self._oldest_pending_at = time.monotonic() if self._pending else None
                self._batch_counter += 1
                key = f"py-{self._key_prefix}-{self._batch_counter}"
            self._send_until_settled(self._in_flight, key)
            with self._wake:
                self._in_flight = []
                self._wake.notify_all()

    def _send_until_settled(self, batch: List[Point], key: str) -> None:
        attempt = 0
        while True:
            try:
                self._send_batch(batch, key)
            except StratusError as error:
                if not error.retryable:
                    with self._wake:
                        self.rejected += len(batch)
                        self._errors.append(error)
                    log.warning("stratus: %d metric points rejected: %s", len(batch), error)
                    return
                with self._wake:
                    if self._abandoned:
                        return
                    self.retries += 1
                if attempt == 0:
                    log.warning("stratus: sending metrics failed, will retry: %s", error)
                retry_after = getattr(error, "retry_after", None)
                delay = self.retry.delay(min(attempt, 16), retry_after)
                if retry_after is None:
                    # A flush or close cuts an outage's pause short; a pause the server asked for is kept.
                    self._backoff.wait(delay)
                    self._backoff.clear()
                else:
                    time.sleep(delay)
                attempt += 1
                continue
            except Exception as error:  # a bug must not kill the sender thread silently
                with self._wake:
                    self.rejected += len(batch)
                    self._errors.append(StratusError(None, "client.error", repr(error)))
                log.exception("stratus: unexpected error sending metrics")
                return
            with self._wake:
                self.acknowledged += len(batch)
                self._overflowing = False
            if attempt:
                log.warning("stratus: metrics delivered after %d retries", attempt)
            return
