"""ExperimentTracker: the seeds' API (start_run, log_params, log_metrics, log_artifact,
end_run, get_run, search_runs, compare_runs) over the Stratus HTTP API."""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import os
import re
import threading
import urllib.parse
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, TypeVar, Union

from . import _artifacts, _git
from ._http import RetryPolicy, Transport
from ._metrics import MetricBatcher, Point
from ._wire import decode_metric_value, encode_metric_value, now_ms
from .errors import StratusError
from .models import Artifact, Experiment, Metric, Run

log = logging.getLogger("stratus")

F = TypeVar("F", bound=Callable[..., Any])
_ID = re.compile(r"^[0-9a-f]{32}$")
_END_STATUSES = ("FINISHED", "FAILED", "KILLED", "COMPLETED")


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


@dataclass
class ActiveRun(Run):
    """A run started by this tracker: a :class:`Run` that can also log to itself."""

    _tracker: Any = field(default=None, repr=False, compare=False)
    #: True when the service could not be reached at start_run (non-strict mode): logging is a no-op.
    offline: bool = field(default=False, compare=False)

    def log_params(self, params: Mapping[str, Any]) -> Dict[str, str]:
        return self._tracker.log_params(params, run_id=self.run_id)

    def log_metrics(self, metrics: Mapping[str, Any], step: Optional[int] = None) -> None:
        self._tracker.log_metrics(metrics, step=step, run_id=self.run_id)

    def log_metric(self, key: str, value: Any, step: Optional[int] = None) -> None:
        self._tracker.log_metrics({key: value}, step=step, run_id=self.run_id)

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        self._tracker.set_tags(tags, run_id=self.run_id)

    def log_artifact(self, local_path: str, artifact_type: str = "other", **kwargs: Any) -> Optional[Artifact]:
        return self._tracker.log_artifact(local_path, artifact_type=artifact_type, run_id=self.run_id, **kwargs)

    def end(self, status: str = "FINISHED") -> None:
        self._tracker.end_run(status=status, run_id=self.run_id)


class ExperimentTracker:
    """A client for one Stratus workspace.

    ``endpoint`` and ``token`` fall back to ``STRATUS_ENDPOINT`` and ``STRATUS_TOKEN``.
    Metrics are sent in the background (see :mod:`stratus._metrics`); nothing here
    raises because the service is unreachable unless ``strict=True``: an outage
    is logged as a warning and training goes on. Client errors (a bad value, a
    param logged again with another value) always raise.
    """

    def __init__(
        self,
        endpoint: Optional[str] = None,
        token: Optional[str] = None,
        *,
        strict: bool = False,
        timeout: float = 30.0,
        retry: Optional[RetryPolicy] = None,
        batch_size: int = 1000,
        flush_interval: float = 2.0,
        max_spool: int = 100_000,
        flush_timeout: Optional[float] = 300.0,
        capture_code: bool = True,
        upload_workers: int = 4,
    ) -> None:
        endpoint = endpoint or os.environ.get("STRATUS_ENDPOINT")
        token = token or os.environ.get("STRATUS_TOKEN")
        if not endpoint:
            raise ValueError("no endpoint: pass endpoint=... or set STRATUS_ENDPOINT")
        if not token:
            raise ValueError("no token: pass token=... or set STRATUS_TOKEN")
        self.transport = Transport(endpoint, token, timeout=timeout, retry=retry)
        self.strict = strict
        self.flush_timeout = flush_timeout
        self.capture_code = capture_code
        self.upload_workers = upload_workers
        self._batcher_options = dict(batch_size=batch_size, flush_interval=flush_interval, max_spool=max_spool)
        self._batchers: Dict[str, MetricBatcher] = {}
        self._lock = threading.Lock()
        self._active: Optional[ActiveRun] = None
        self._warned_offline = False
        # Points still queued when the interpreter exits get flush_timeout to reach the service.
        atexit.register(_close_at_exit, weakref.ref(self))

    @property
    def endpoint(self) -> str:
        return self.transport.base_url

    # ----- experiments -----

    def create_experiment(
        self, experiment_name: str, description: Optional[str] = None, tags: Optional[Mapping[str, str]] = None
    ) -> Experiment:
        body: Dict[str, Any] = {"experiment_name": experiment_name}
        if description is not None:
            body["description"] = description
        if tags:
            body["tags"] = {key: str(value) for key, value in tags.items()}
        return Experiment.from_json(self.transport.json("POST", "/experiments", json_body=body, idempotent=False))

    def get_experiment(self, experiment_id: str) -> Experiment:
        """An experiment by id, or by name when the argument is not an id."""
        if _ID.match(experiment_id):
            return Experiment.from_json(self.transport.json("GET", f"/experiments/{experiment_id}"))
        return self.get_experiment_by_name(experiment_id)

    def get_experiment_by_name(self, experiment_name: str) -> Experiment:
        return Experiment.from_json(self.transport.json("GET", f"/experiments/by-name/{_quote(experiment_name)}"))

    def iter_experiments(self, tags: Optional[Mapping[str, str]] = None, page_size: int = 100) -> Iterator[Experiment]:
        query: Dict[str, Any] = {"max_results": page_size}
        query.update({f"tag.{key}": str(value) for key, value in (tags or {}).items()})
        for item in self._pages("/experiments", "experiments", query):
            yield Experiment.from_json(item)

    def list_experiments(
        self,
        filters: Optional[Mapping[str, Any]] = None,
        *,
        tags: Optional[Mapping[str, str]] = None,
        max_results: Optional[int] = None,
    ) -> List[Experiment]:
        """Experiments newest first; ``filters={"tags": {...}}`` (the second seed's form) or ``tags=``."""
        wanted = dict(tags or {})
        wanted.update((filters or {}).get("tags") or {})
        return _take(self.iter_experiments(wanted), max_results)

    # ----- runs -----

    @property
    def active_run(self) -> Optional[ActiveRun]:
        return self._active

    def start_run(
        self,
        experiment_name: Optional[str] = None,
        run_name: Optional[str] = None,
        tags: Optional[Mapping[str, Any]] = None,
        *,
        experiment_id: Optional[str] = None,
        parent_run_id: Optional[str] = None,
        git_commit: Optional[str] = None,
        code_version: Optional[str] = None,
        pipeline: Optional[Mapping[str, Any]] = None,
    ) -> ActiveRun:
        """Starts a run (creating the experiment on first use) and makes it the active run.

        The git commit, branch and dirty flag, host, Python version and command
        line are recorded as ``stratus.*`` tags (git parts only inside a checkout).
        """
        if (experiment_name is None) == (experiment_id is None):
            raise ValueError("give exactly one of experiment_name and experiment_id")
        all_tags: Dict[str, str] = {}
        if self.capture_code:
            context = _git.capture()
            all_tags.update(context.tags())
            git_commit = git_commit or context.git_commit
            code_version = code_version or context.code_version
        all_tags.update({key: str(value) for key, value in (tags or {}).items()})
        body: Dict[str, Any] = {"tags": all_tags}
        for name, value in (
            ("experiment_name", experiment_name),
            ("experiment_id", experiment_id),
            ("run_name", run_name),
            ("parent_run_id", parent_run_id),
            ("git_commit", git_commit),
            ("code_version", code_version),
            ("pipeline", dict(pipeline) if pipeline else None),
        ):
            if value is not None:
                body[name] = value
        try:
            data = self.transport.json("POST", "/runs", json_body=body, idempotent=False)
        except StratusError as error:
            if self.strict or not error.retryable:
                raise
            log.error("stratus: cannot start a run (%s); this run will not be recorded", error)
            run = ActiveRun(run_id="", experiment_id=experiment_id or "", run_name=run_name or "", status="OFFLINE")
            run._tracker, run.offline = self, True
            self._active = run
            return run
        run = ActiveRun(**vars(Run.from_json(data)))
        run._tracker = self
        self._active = run
        return run

    def _run_id(self, run_id: Optional[str]) -> Optional[str]:
        """The run to act on, or None for an offline run (the call becomes a no-op)."""
        if run_id:
            return run_id
        if self._active is None:
            raise RuntimeError("no active run: call start_run() first or pass run_id=")
        if self._active.offline:
            if not self._warned_offline:
                log.warning("stratus: the active run is offline (start_run failed); nothing is recorded")
                self._warned_offline = True
            return None
        return self._active.run_id

    def _tolerate_outage(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except StratusError as error:
            if self.strict or not error.retryable:
                raise
            log.warning("stratus: %s failed, continuing without it: %s", what, error)
            return None

    def log_params(self, params: Mapping[str, Any], run_id: Optional[str] = None) -> Dict[str, str]:
        """Logs params (immutable: the same value again is fine, another one raises ConflictError)."""
        target = self._run_id(run_id)
        if target is None or not params:
            return {}
        items = list(params.items())
        stored: Dict[str, str] = {}
        for start in range(0, len(items), 100):  # the API takes 100 per request
            chunk = {key: _param_value(value) for key, value in items[start : start + 100]}
            answer = self._tolerate_outage(
                "log_params", lambda: self.transport.json("POST", f"/runs/{target}/params", json_body={"params": chunk})
            )
            stored.update((answer or {}).get("params") or {})
        return stored

    def log_param(self, key: str, value: Any, run_id: Optional[str] = None) -> None:
        self.log_params({key: value}, run_id=run_id)

    def log_metrics(
        self,
        metrics: Mapping[str, Any],
        step: Optional[int] = None,
        *,
        run_id: Optional[str] = None,
        timestamp: Optional[int] = None,
    ) -> None:
        """Queues metric points for the background sender; returns at once.

        Values are numbers (NaN and infinities included); ``step`` defaults to 0 on the service.
        """
        target = self._run_id(run_id)
        if target is None or not metrics:
            return
        at = timestamp if timestamp is not None else now_ms()
        points: List[Point] = []
        for key, value in metrics.items():
            point: Point = {"key": str(key), "value": encode_metric_value(value), "timestamp": at}
            if step is not None:
                point["step"] = int(step)
            points.append(point)
        self._batcher(target).add(points)

    def log_metric(self, key: str, value: Any, step: Optional[int] = None, run_id: Optional[str] = None) -> None:
        self.log_metrics({key: value}, step=step, run_id=run_id)

    def _batcher(self, run_id: str) -> MetricBatcher:
        with self._lock:
            batcher = self._batchers.get(run_id)
            if batcher is None:
                batcher = MetricBatcher(
                    functools.partial(self._send_metric_batch, run_id),
                    strict=self.strict,
                    retry=RetryPolicy(base_delay=self.transport.retry.base_delay, max_delay=self.transport.retry.max_delay),
                    name=f"stratus-metrics-{run_id[:8]}",
                    **self._batcher_options,  # type: ignore[arg-type]
                )
                self._batchers[run_id] = batcher
            return batcher

    def _send_metric_batch(self, run_id: str, points: List[Point], idempotency_key: str) -> None:
        self.transport.request(
            "POST",
            f"/runs/{run_id}/metrics",
            json_body={"metrics": points},
            headers={"Idempotency-Key": idempotency_key},
            attempts=1,  # the batcher retries, for as long as the outage lasts
        )

    def metric_stats(self, run_id: Optional[str] = None) -> Dict[str, int]:
        """Counters of the run's metric sender: acknowledged, dropped, rejected, retries, unsent."""
        target = run_id or (self._active.run_id if self._active else None)
        batcher = self._batchers.get(target or "")
        if batcher is None:
            return {"acknowledged": 0, "dropped": 0, "rejected": 0, "retries": 0, "unsent": 0}
        return {
            "acknowledged": batcher.acknowledged,
            "dropped": batcher.dropped,
            "rejected": batcher.rejected,
            "retries": batcher.retries,
            "unsent": batcher.unsent,
        }

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every queued metric point is acknowledged; False if some are still unsent."""
        with self._lock:
            batchers = list(self._batchers.values())
        return all([batcher.flush(timeout) for batcher in batchers])

    def set_tags(self, tags: Mapping[str, Any], run_id: Optional[str] = None) -> None:
        target = self._run_id(run_id)
        if target is None or not tags:
            return
        body = {"tags": {key: str(value) for key, value in tags.items()}}
        self._tolerate_outage("set_tags", lambda: self.transport.request("POST", f"/runs/{target}/tags", json_body=body))

    def set_tag(self, key: str, value: Any, run_id: Optional[str] = None) -> None:
        self.set_tags({key: value}, run_id=run_id)

    def end_run(self, status: str = "FINISHED", run_id: Optional[str] = None) -> None:
        """Sends every queued metric point (waiting up to ``flush_timeout``), then ends the run."""
        status = status.upper()
        if status not in _END_STATUSES:
            raise ValueError(f"status must be one of {', '.join(_END_STATUSES)}, got {status!r}")
        target = self._run_id(run_id)
        ending_active = self._active is not None and (run_id is None or run_id == self._active.run_id)
        if target is not None:
            with self._lock:
                batcher = self._batchers.pop(target, None)
            try:
                if batcher is not None:
                    batcher.close(self.flush_timeout)
            finally:
                answer = self._tolerate_outage(
                    "end_run",
                    lambda: self.transport.json("PATCH", f"/runs/{target}", json_body={"status": status}),
                )
                if ending_active and self._active is not None and answer:
                    self._active._update_from(Run.from_json(answer))
        if ending_active:
            self._active = None

    def get_run(self, run_id: str) -> Run:
        """The run with its params, the latest value of every metric and its artifacts."""
        return Run.from_json(self.transport.json("GET", f"/runs/{run_id}"))

    def iter_runs(self, experiment: str, status: Optional[str] = None, page_size: int = 100) -> Iterator[Run]:
        """An experiment's runs (by id or name), newest first."""
        experiment_id = experiment if _ID.match(experiment) else self.get_experiment_by_name(experiment).experiment_id
        query = {"max_results": page_size, "status": status}
        for item in self._pages(f"/experiments/{experiment_id}/runs", "runs", query):
            yield Run.from_json(item)

    def list_runs(self, experiment: str, status: Optional[str] = None, max_results: Optional[int] = None) -> List[Run]:
        return _take(self.iter_runs(experiment, status), max_results)

    def get_metric_history(
        self, run_id: str, key: str, *, start_step: Optional[int] = None, end_step: Optional[int] = None
    ) -> List[Metric]:
        """Every point of a metric in step order."""
        query = {"max_results": 10_000, "start_step": start_step, "end_step": end_step}
        path = f"/runs/{run_id}/metrics/{_quote(key)}"
        return [Metric.from_json(point) for point in self._pages(path, "points", query)]

    # ----- search and compare -----

    def iter_search_runs(
        self,
        experiment_name: Optional[str] = None,
        filter_string: Optional[str] = None,
        order_by: Optional[Sequence[str]] = None,
        *,
        experiment_ids: Optional[Sequence[str]] = None,
        experiment_names: Optional[Sequence[str]] = None,
        page_size: int = 100,
    ) -> Iterator[Run]:
        """Runs matching a filter such as ``"params.model = 'xgb' AND metrics.accuracy > 0.9"``, page by page."""
        body: Dict[str, Any] = {"max_results": page_size}
        names = list(experiment_names or []) + ([experiment_name] if experiment_name else [])
        if names:
            body["experiment_names"] = names
        if experiment_ids:
            body["experiment_ids"] = list(experiment_ids)
        if filter_string:
            body["filter"] = filter_string
        if order_by:
            body["order_by"] = [order_by] if isinstance(order_by, str) else list(order_by)
        while True:
            page = self.transport.json("POST", "/runs/search", json_body=body)
            for item in page.get("runs") or []:
                yield Run.from_json(item)
            token = page.get("next_page_token")
            if not token:
                return
            body["page_token"] = token

    def search_runs(
        self,
        experiment_name: Optional[str] = None,
        filter_string: Optional[str] = None,
        order_by: Optional[Sequence[str]] = None,
        max_results: Optional[int] = 1000,
        **kwargs: Any,
    ) -> List[Run]:
        """The first ``max_results`` runs matching the filter, in ``order_by`` order."""
        page_size = min(max_results or 1000, 1000)
        return _take(
            self.iter_search_runs(experiment_name, filter_string, order_by, page_size=page_size, **kwargs), max_results
        )

    def compare_runs(
        self,
        run_ids: Sequence[str],
        metric_names: Optional[Sequence[str]] = None,
        param_names: Optional[Sequence[str]] = None,
        *,
        only_differing_params: bool = False,
        as_dataframe: Optional[bool] = None,
    ) -> Any:
        """Runs side by side: one row per run with ``run_id, run_name, status, start_time,
        metrics.<name>..., params.<name>...`` (the API's CSV columns).

        A pandas DataFrame indexed by run_id when pandas is importable (or
        ``as_dataframe=True``), else a list of dicts.
        """
        body: Dict[str, Any] = {"run_ids": list(run_ids), "only_differing_params": only_differing_params}
        if metric_names is not None:
            body["metric_names"] = list(metric_names)
        if param_names is not None:
            body["param_names"] = list(param_names)
        answer = self.transport.json("POST", "/runs/compare", json_body=body)
        rows: List[Dict[str, Any]] = []
        for run in answer.get("runs") or []:
            row: Dict[str, Any] = {
                "run_id": run["run_id"],
                "run_name": run.get("run_name"),
                "status": run.get("status"),
                "start_time": run.get("start_time"),
            }
            for name in answer.get("metric_names") or []:
                value = (run.get("metrics") or {}).get(name)
                row[f"metrics.{name}"] = None if value is None else decode_metric_value(value)
            for name in answer.get("param_names") or []:
                row[f"params.{name}"] = (run.get("params") or {}).get(name)
            rows.append(row)
        if as_dataframe is False:
            return rows
        try:
            import pandas  # type: ignore[import-not-found]
        except ImportError:
            if as_dataframe:
                raise
            return rows
        frame = pandas.DataFrame(rows)
        return frame.set_index("run_id") if rows else frame

    # ----- artifacts -----

    def log_artifact(
        self,
        local_path: str,
        artifact_type: str = "other",
        *,
        artifact_path: Optional[str] = None,
        run_id: Optional[str] = None,
        content_type: Optional[str] = None,
        progress: Optional[_artifacts.ProgressCallback] = None,
    ) -> Optional[Artifact]:
        """Uploads a file as an artifact (model, plot, data, report or other).

        Stored under ``artifact_path``, by default the relative path given
        (``plots/roc.png``) or the file name of an absolute one. Large files go
        up in parallel parts; ``progress(bytes_done, total_bytes)`` is called as
        bytes leave. Returns None if an outage prevented it (non-strict mode).
        """
        target = self._run_id(run_id)
        if target is None:
            return None
        if not os.path.isfile(local_path):
            raise FileNotFoundError(local_path)
        path = artifact_path or _artifacts.artifact_path_for(local_path)
        return self._tolerate_outage(
            f"log_artifact {path}",
            lambda: _artifacts.upload(
                self.transport,
                target,
                local_path,
                artifact_path=path,
                artifact_type=artifact_type,
                content_type=content_type,
                progress=progress,
                workers=self.upload_workers,
            ),
        )

    def iter_artifacts(self, run_id: str, prefix: Optional[str] = None, page_size: int = 1000) -> Iterator[Artifact]:
        query = {"prefix": prefix, "max_results": page_size}
        for item in self._pages(f"/runs/{run_id}/artifacts", "artifacts", query):
            yield Artifact.from_json(item)

    def list_artifacts(self, run_id: Optional[str] = None, prefix: Optional[str] = None) -> List[Artifact]:
        target = run_id or self._run_id(None)
        return list(self.iter_artifacts(target, prefix)) if target else []

    def download_artifact(
        self,
        path: str,
        destination: str = ".",
        *,
        run_id: Optional[str] = None,
        progress: Optional[_artifacts.ProgressCallback] = None,
    ) -> str:
        """Downloads an artifact to a file or into a directory; returns the file written."""
        target = run_id or self._run_id(None)
        if not target:
            raise RuntimeError("the active run is offline")
        return _artifacts.download(self.transport, target, path, destination, progress)

    # ----- scopes -----

    @contextlib.contextmanager
    def run(
        self, experiment_name: Optional[str] = None, run_name: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None, **kwargs: Any
    ) -> Iterator[ActiveRun]:
        """``with tracker.run("exp", run_name=...) as run:`` ends the run FINISHED, or FAILED
        (re-raising) when an exception escapes; KILLED on Ctrl-C."""
        active = self.start_run(experiment_name, run_name, tags, **kwargs)
        try:
            yield active
        except KeyboardInterrupt:
            self._end_quietly(active, "KILLED")
            raise
        except BaseException:
            self._end_quietly(active, "FAILED")
            raise
        active.end("FINISHED")

    def _end_quietly(self, run: ActiveRun, status: str) -> None:
        """Ends a run while another exception is on its way out: that one matters more."""
        try:
            run.end(status)
        except Exception as error:  # pragma: no cover - reported, never masks the original
            log.warning("stratus: could not mark run %s %s: %s", run.run_id, status, error)

    def track(
        self, experiment_name: Optional[str] = None, run_name: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None
    ) -> Callable[[F], F]:
        """Decorator: every call of the function is a run in ``experiment_name`` (default: the
        function's name), FINISHED or FAILED. The function may take ``run=`` to receive it."""

        def decorate(function: F) -> F:
            import inspect

            wants_run = "run" in inspect.signature(function).parameters

            @functools.wraps(function)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.run(experiment_name or function.__name__, run_name, tags) as active:
                    if wants_run and "run" not in kwargs:
                        kwargs["run"] = active
                    return function(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return decorate

    # ----- lifecycle -----

    def close(self, timeout: Optional[float] = None) -> None:
        """Flushes and stops every metric sender (runs stay as they are)."""
        with self._lock:
            batchers = list(self._batchers.values())
            self._batchers.clear()
        for batcher in batchers:
            batcher.close(self.flush_timeout if timeout is None else timeout)

    def __enter__(self) -> "ExperimentTracker":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _pages(self, path: str, items: str, query: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        query = dict(query)
        while True:
            page = self.transport.json("GET", path, query=query)
            yield from page.get(items) or []
            token = page.get("next_page_token")
            if not token:
                return
            query["page_token"] = token


def _param_value(value: Any) -> Union[str, int, float, bool]:
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _take(items: Iterator[Any], limit: Optional[int]) -> List[Any]:
    result = []
    for item in items:
        if limit is not None and len(result) >= limit:
            break
        result.append(item)
    return result


def _close_at_exit(reference: "weakref.ReferenceType[ExperimentTracker]") -> None:
    tracker = reference()
    if tracker is not None:
        tracker.close()


def tracked(
    experiment_config: Optional[Mapping[str, Any]] = None, *, tracker: Optional[ExperimentTracker] = None
) -> Callable[[F], F]:
    """The second seed's ``@sandbox(experiment_config=...)`` for a function:

        @stratus.tracked(experiment_config={"project_name": "patient_summary", "tags": {"env": "prod"}})
        def train(run=None): ...

    ``project_name`` is the experiment (default: the function's name); ``tags`` and
    ``run_name`` are optional; ``endpoint``/``token`` default to the environment.
    """
    config = dict(experiment_config or {})

    def decorate(function: F) -> F:
        client = tracker or ExperimentTracker(endpoint=config.get("endpoint"), token=config.get("token"))
        return client.track(config.get("project_name"), config.get("run_name"), config.get("tags"))(function)

    return decorate
