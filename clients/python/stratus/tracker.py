"""ExperimentTracker: the seeds' API (start_run, log_params, log_metrics, log_artifact,
end_run, get_run, search_runs, compare_runs) over the Stratus HTTP API."""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import threading
import urllib.parse
import uuid
import weakref
from dataclasses import dataclass, field
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, TypeVar

from . import _artifacts, _chunks, _compare, _exit, _git, _system
from ._http import RetryPolicy, Transport
from ._metrics import MetricBatcher, Point
from ._wire import decode_metric_value, encode_metric_value, now_ms
from .errors import NotFoundError, StratusError
from .models import Artifact, Experiment, LoggedModel, Metric, PipelineComponent, Run, RunLineage
from .storage import StorageBackend, check_db_connection, check_storage_backend

log = logging.getLogger("stratus")

F = TypeVar("F", bound=Callable[..., Any])
_ID = re.compile(r"^[0-9a-f]{32}$")


def _is_experiment_id(text: str) -> bool:
    """An experiment's id, rather than its name: 32 hex characters, or "0", the default experiment."""
    return bool(_ID.match(text)) or text == "0"


_END_STATUSES = ("FINISHED", "FAILED", "KILLED", "COMPLETED")
#: Params and tags the API takes in one request (start_run's first ones included).
_PARAMS_PER_REQUEST = 100
_TAGS_PER_REQUEST = 100
#: Set to 1/true/yes to sample system metrics in every run (as start_run(log_system_metrics=True)).
SYSTEM_METRICS_ENV = "STRATUS_LOG_SYSTEM_METRICS"


def canonical_status(status: str) -> str:
    """The seeds' COMPLETED is Stratus's FINISHED."""
    status = status.upper()
    return "FINISHED" if status == "COMPLETED" else status


def _source_type(source: str) -> str:
    """MLflow's name for where a dataset is: its URI's scheme (s3, gs, http...), or local for a path."""
    scheme = urllib.parse.urlsplit(source).scheme.lower()
    # A Windows drive letter is no scheme; file: URIs are local, as MLflow names them.
    return scheme if len(scheme) > 1 and scheme != "file" else "local"


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

    def log_artifacts(self, local_dir: str, artifact_path: Optional[str] = None, **kwargs: Any) -> List[Artifact]:
        return self._tracker.log_artifacts(local_dir, artifact_path, run_id=self.run_id, **kwargs)

    def log_input(self, name: str, source: str, **kwargs: Any) -> Optional[RunLineage]:
        return self._tracker.log_input(name, source, run_id=self.run_id, **kwargs)

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
        system_metrics_interval: float = 10.0,
        storage_backend: Optional[StorageBackend] = None,
        db_connection: Any = None,
    ) -> None:
        connection = check_db_connection(db_connection)
        self.storage_backend = check_storage_backend(storage_backend)
        endpoint = endpoint or (connection.endpoint if connection else None) or os.environ.get("STRATUS_ENDPOINT")
        token = token or (connection.token if connection else None) or os.environ.get("STRATUS_TOKEN")
        if not endpoint:
            raise ValueError("no endpoint: pass endpoint=... or set STRATUS_ENDPOINT")
        if not token:
            raise ValueError("no token: pass token=... or set STRATUS_TOKEN")
        self.transport = Transport(endpoint, token, timeout=timeout, retry=retry)
        self.timeout = timeout
        self.strict = strict
        self.flush_timeout = flush_timeout
        self.capture_code = capture_code
        self.upload_workers = upload_workers
        self._batcher_options = dict(batch_size=batch_size, flush_interval=flush_interval, max_spool=max_spool)
        self.system_metrics_interval = system_metrics_interval
        self._batchers: Dict[str, MetricBatcher] = {}
        #: Counters of senders already closed (their runs ended), so metric_stats() still answers.
        self._final_stats: Dict[str, Dict[str, int]] = {}
        self._last_run_id: Optional[str] = None
        self._samplers: Dict[str, _system.SystemMetricsSampler] = {}
        self._lock = threading.RLock()
        #: Active runs, innermost last: ending one makes the one it was started in active again.
        self._stack: List[ActiveRun] = []
        self._end_callbacks: Dict[str, List[Callable[[str], None]]] = {}
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
        if _is_experiment_id(experiment_id):
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
        """The innermost run started and not yet ended (None when there is none)."""
        with self._lock:
            return self._stack[-1] if self._stack else None

    @property
    def _active(self) -> Optional[ActiveRun]:
        return self.active_run

    def start_run(
        self,
        experiment_name: Optional[str] = None,
        run_name: Optional[str] = None,
        tags: Optional[Mapping[str, Any]] = None,
        *,
        experiment_id: Optional[str] = None,
        parent_run_id: Optional[str] = None,
        nested: bool = False,
        git_commit: Optional[str] = None,
        code_version: Optional[str] = None,
        pipeline: Optional[Mapping[str, Any]] = None,
        pipeline_config: Optional[Mapping[str, Any]] = None,
        pipeline_components: Optional[Sequence[Any]] = None,
        log_system_metrics: Optional[bool] = None,
        params: Optional[Mapping[str, Any]] = None,
        metrics: Optional[Mapping[str, Any]] = None,
        step: Optional[int] = None,
    ) -> ActiveRun:
        """Starts a run (creating the experiment on first use) and makes it the active run.

        ``params`` and ``metrics`` (at ``step``) are the run's first data, sent in
        the same request that creates it: one request instead of three, applied
        with the run or not at all. Params and tags past what a request takes (100
        of each, and about 1 MB) follow in ``log_params`` and ``set_tags`` requests.

        Runs stack up: a run started while another is active becomes the active
        one until it ends, and then the other is active again. ``nested=True``
        also makes it a child of the active run (its ``parent_run_id``).

        The git commit, branch and dirty flag, host, Python version and command
        line are recorded as ``stratus.*`` tags (git parts only inside a checkout).
        ``pipeline_config`` (a dict) and ``pipeline_components`` (dicts or
        :class:`PipelineComponent` with name, type, stage; position defaults to
        the order given) describe the second seed's pipeline.
        ``log_system_metrics`` (default: the ``STRATUS_LOG_SYSTEM_METRICS``
        environment variable) samples CPU, memory, disk, network and GPUs every
        ``system_metrics_interval`` seconds into ``system/*`` metrics.
        """
        if (experiment_name is None) == (experiment_id is None):
            raise ValueError("give exactly one of experiment_name and experiment_id")
        if nested and parent_run_id is None:
            parent = self.active_run
            if parent is None:
                raise RuntimeError("nested=True needs an active run to nest in")
            parent_run_id = parent.run_id or None
        all_tags: Dict[str, str] = {}
        if self.capture_code:
            context = _git.capture()
            all_tags.update(context.tags())
            git_commit = git_commit or context.git_commit
            code_version = code_version or context.code_version
        all_tags.update({key: str(value) for key, value in (tags or {}).items()})
        # The first params and tags go with the run, as many as fit a quarter of a request (the tags) and a half
        # (the params), leaving room for the first metrics; more follow in requests of their own.
        budget = _chunks.ENTRY_BYTES_PER_REQUEST // 4
        tag_chunks = list(_chunks.chunks(list(all_tags.items()), _TAGS_PER_REQUEST, budget))
        body: Dict[str, Any] = {"tags": tag_chunks[0] if tag_chunks else {}}
        pipeline_body = _pipeline_body(pipeline, pipeline_config, pipeline_components)
        for name, value in (
            ("experiment_name", experiment_name),
            ("experiment_id", experiment_id),
            ("run_name", run_name),
            ("parent_run_id", parent_run_id),
            ("git_commit", git_commit),
            ("code_version", code_version),
            ("pipeline", pipeline_body),
        ):
            if value is not None:
                body[name] = value
        param_items = [(str(key), _param_value(value)) for key, value in (params or {}).items()]
        param_chunks = list(_chunks.chunks(param_items, _PARAMS_PER_REQUEST, 2 * budget))
        if param_chunks:
            body["params"] = param_chunks[0]
        if metrics:
            at = now_ms()
            first_points: List[Point] = []
            for key, value in metrics.items():
                point: Point = {"key": str(key), "value": encode_metric_value(value), "timestamp": at}
                if step is not None:
                    point["step"] = int(step)
                first_points.append(point)
            body["metrics"] = first_points
        # The key names the run, so a create whose answer was lost is sent again and answers the same run,
        # rather than failing the job or starting a second run with a copy of the first data.
        body["idempotency_key"] = uuid.uuid4().hex
        _exit.register(self)
        try:
            data = self.transport.json("POST", "/runs", json_body=body)
        except StratusError as error:
            if self.strict or not error.retryable:
                raise
            log.error("stratus: cannot start a run (%s); this run will not be recorded", error)
            run = ActiveRun(run_id="", experiment_id=experiment_id or "", run_name=run_name or "", status="OFFLINE")
            run._tracker, run.offline = self, True
            with self._lock:
                self._stack.append(run)
            return run
        run = ActiveRun(**vars(self._whole_run(data)))
        run._tracker = self
        with self._lock:
            self._stack.append(run)
            self._last_run_id = run.run_id
        if len(tag_chunks) > 1:
            later_tags = {key: value for chunk in tag_chunks[1:] for key, value in chunk.items()}
            self.set_tags(later_tags, run_id=run.run_id)
            run.tags.update(later_tags)
        if len(param_chunks) > 1:
            later_params = {key: value for chunk in param_chunks[1:] for key, value in chunk.items()}
            run.params.update(self.log_params(later_params, run_id=run.run_id))
        if log_system_metrics is None:
            log_system_metrics = os.environ.get(SYSTEM_METRICS_ENV, "").strip().lower() in ("1", "true", "yes", "on")
        if log_system_metrics:
            sampler = _system.SystemMetricsSampler(
                lambda points, run_id=run.run_id: self._batcher(run_id).add(points),
                interval=self.system_metrics_interval,
                name=f"stratus-system-{run.run_id[:8]}",
            )
            with self._lock:
                self._samplers[run.run_id] = sampler
            sampler.start()
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
        items = [(key, _param_value(value)) for key, value in params.items()]
        stored: Dict[str, str] = {}
        for chunk in _chunks.chunks(items, _PARAMS_PER_REQUEST):
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
        """Counters of a run's metric sender: acknowledged, dropped, rejected, retries, unsent.

        The run is the active one, or else the run this tracker ended last, so the
        counters can be checked after ``end_run`` (e.g. ``dropped`` after an outage).
        """
        active = self.active_run
        target = run_id or (active.run_id if active else None) or self._last_run_id or ""
        with self._lock:
            batcher = self._batchers.get(target)
            if batcher is None:
                return dict(self._final_stats.get(target) or _NO_STATS)
        return _stats_of(batcher)

    def _settle(self, run_id: Optional[str] = None) -> None:
        """Reads see this tracker's own writes: the points still queued for the run
        read (for every run, before a search or a comparison) are sent first, waiting up to
        ``timeout`` seconds. A training loop that logs and then reads its own run
        back expects the values it just logged, as it would from a local database.
        """
        with self._lock:
            if run_id is None:
                batchers = list(self._batchers.values())
            else:
                batcher = self._batchers.get(run_id)
                batchers = [] if batcher is None else [batcher]
        for batcher in batchers:
            batcher.flush(self.timeout)

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every queued metric point is acknowledged; False if some are still unsent."""
        with self._lock:
            batchers = list(self._batchers.values())
        return all([batcher.flush(timeout) for batcher in batchers])

    def log_input(
        self,
        name: str,
        source: str,
        *,
        context: Optional[str] = None,
        digest: Optional[str] = None,
        source_type: Optional[str] = None,
        schema: Optional[str] = None,
        profile: Optional[str] = None,
        tags: Optional[Mapping[str, Any]] = None,
        run_id: Optional[str] = None,
    ) -> Optional[RunLineage]:
        """Records a dataset the run used, as MLflow's ``log_input`` does: ``source`` is where it is
        (``s3://bucket/train.parquet``, a path), ``context`` what for (``training``, ``evaluation``).
        Without a ``digest`` it is one of the name and source, so logging the same dataset again
        keeps its first record, as MLflow's server does for the same name and digest. Answers the
        run's lineage (None when the service could not be reached and ``strict`` is off)."""
        target = self._run_id(run_id)
        if target is None:
            return None
        dataset: Dict[str, Any] = {
            "name": name,
            "digest": digest or hashlib.sha256(f"{name}\n{source}".encode()).hexdigest()[:8],
            "source_type": source_type or _source_type(source),
            "source": json.dumps({"uri": source}),
            "schema": schema,
            "profile": profile,
            "context": context,
            "tags": {key: str(value) for key, value in (tags or {}).items()},
        }
        body = {"datasets": [{key: value for key, value in dataset.items() if value is not None}]}
        answer = self._tolerate_outage(
            "log_input", lambda: self.transport.json("POST", f"/runs/{_quote(target)}/inputs", json_body=body)
        )
        return None if answer is None else RunLineage.from_json(answer)

    def set_tags(self, tags: Mapping[str, Any], run_id: Optional[str] = None) -> None:
        target = self._run_id(run_id)
        if target is None or not tags:
            return
        items = [(key, str(value)) for key, value in tags.items()]
        for chunk in _chunks.chunks(items, _TAGS_PER_REQUEST):
            self._tolerate_outage(
                "set_tags", lambda: self.transport.request("POST", f"/runs/{target}/tags", json_body={"tags": chunk})
            )

    def set_tag(self, key: str, value: Any, run_id: Optional[str] = None) -> None:
        self.set_tags({key: value}, run_id=run_id)

    def end_run(self, status: str = "FINISHED", run_id: Optional[str] = None) -> None:
        """Sends every queued metric point (waiting up to ``flush_timeout``), then ends the run.

        Without ``run_id`` it ends the active run, and the run it was started in
        (if any) becomes the active run again.
        """
        if status.upper() not in _END_STATUSES:
            raise ValueError(f"status must be one of {', '.join(_END_STATUSES)}, got {status!r}")
        status = canonical_status(status)
        target = self._run_id(run_id)
        with self._lock:
            if run_id is None:
                ending = self._stack[-1] if self._stack else None
            else:
                ending = next((run for run in reversed(self._stack) if run.run_id == run_id), None)
            if ending is not None:
                self._stack.remove(ending)
            sampler = self._samplers.pop(target or "", None)
        if target is None:
            return
        if sampler is not None:
            sampler.stop()
        with self._lock:
            batcher = self._batchers.pop(target, None)
            self._last_run_id = target
        try:
            if batcher is not None:
                batcher.close(self.flush_timeout)
        finally:
            if batcher is not None:
                with self._lock:
                    self._final_stats[target] = _stats_of(batcher)
            answer = self._tolerate_outage(
                "end_run",
                lambda: self.transport.json("PATCH", f"/runs/{target}", json_body={"status": status}),
            )
            if ending is not None and answer:
                ending._update_from(self._whole_run(answer))
            with self._lock:
                callbacks = self._end_callbacks.pop(target, [])
            for callback in callbacks:
                callback(target)

    def _on_run_end(self, run_id: str, callback: Callable[[str], None]) -> None:
        """Calls `callback(run_id)` once the run has ended, however it ends (used by the sandbox)."""
        with self._lock:
            self._end_callbacks.setdefault(run_id, []).append(callback)

    def _forget(self, run: ActiveRun) -> None:
        """Takes a run off the active stack without telling the service (an offline run)."""
        with self._lock:
            if run in self._stack:
                self._stack.remove(run)

    def _end_at_exit(self, status: str) -> None:
        """Ends every active run, innermost first (called once, as the interpreter exits)."""
        while True:
            with self._lock:
                if not self._stack:
                    return
                run = self._stack[-1]
            if run.offline:
                self._forget(run)
                continue
            log.info("stratus: ending run %s %s as the interpreter exits", run.run_id, status)
            try:
                self.end_run(status, run_id=run.run_id)
            except Exception as error:
                with self._lock:
                    if run in self._stack:
                        self._stack.remove(run)
                log.warning("stratus: could not end run %s at exit: %s", run.run_id, error)

    # Lifecycle: soft delete and restore, renames, tag removal, and purge (irreversible, admin tokens only).

    def _experiment_id(self, experiment: str) -> str:
        return experiment if _is_experiment_id(experiment) else self.get_experiment_by_name(experiment).experiment_id

    def delete_experiment(self, experiment: str) -> Experiment:
        """Soft-deletes an experiment (by id or name): it leaves lists until restored; its name stays taken."""
        return Experiment.from_json(self.transport.json("DELETE", f"/experiments/{self._experiment_id(experiment)}"))

    def restore_experiment(self, experiment_id: str) -> Experiment:
        return Experiment.from_json(self.transport.json("POST", f"/experiments/{experiment_id}/restore"))

    def rename_experiment(self, experiment: str, new_name: str) -> Experiment:
        return Experiment.from_json(
            self.transport.json(
                "PATCH", f"/experiments/{self._experiment_id(experiment)}", json_body={"experiment_name": new_name}
            )
        )

    def delete_experiment_tag(self, experiment: str, key: str) -> Experiment:
        path = f"/experiments/{self._experiment_id(experiment)}/tags/{_quote(key)}"
        return Experiment.from_json(self.transport.json("DELETE", path))

    def purge_experiment(self, experiment_id: str) -> Dict[str, int]:
        """Irreversibly removes a deleted experiment, its runs, their data and artifacts. Needs an admin token."""
        return dict(self.transport.json("POST", f"/experiments/{experiment_id}/purge", idempotent=False)["purged"])

    def delete_run(self, run_id: str) -> Run:
        """Soft-deletes a run: it leaves lists and searches and takes no new data until restored."""
        return self._whole_run(self.transport.json("DELETE", f"/runs/{run_id}"))

    def restore_run(self, run_id: str) -> Run:
        return self._whole_run(self.transport.json("POST", f"/runs/{run_id}/restore"))

    def rename_run(self, run_id: str, new_name: str) -> Run:
        return self._whole_run(self.transport.json("PATCH", f"/runs/{run_id}", json_body={"run_name": new_name}))

    def set_run_parent(self, run_id: str, parent_run_id: Optional[str]) -> Run:
        """Nests a run under another run of the workspace after it began, or moves it; None un-nests it."""
        return self._whole_run(self.transport.json("PATCH", f"/runs/{run_id}", json_body={"parent_run_id": parent_run_id}))

    def delete_run_tag(self, run_id: str, key: str) -> Run:
        return self._whole_run(self.transport.json("DELETE", f"/runs/{run_id}/tags/{_quote(key)}"))

    def purge_run(self, run_id: str) -> Dict[str, int]:
        """Irreversibly removes a deleted run, its data and its artifacts. Needs an admin token."""
        return dict(self.transport.json("POST", f"/runs/{run_id}/purge", idempotent=False)["purged"])

    def get_run(self, run_id: str) -> Run:
        """The run with its params, the latest value of every metric and its artifacts."""
        self._settle(run_id)
        return self._whole_run(self.transport.json("GET", f"/runs/{run_id}"))

    def get_run_lineage(self, run_id: str) -> RunLineage:
        """The datasets the run used (``log_input``'s, or MLflow's) and the logged models it used and
        produced (MLflow's ``log_model``)."""
        return RunLineage.from_json(self.transport.json("GET", f"/runs/{_quote(run_id)}/lineage"))

    def iter_logged_models(self, experiment: str, page_size: int = 100) -> Iterator[LoggedModel]:
        """An experiment's (by id or name) logged models, newest first: what MLflow 3's ``log_model``
        made, with status, source run, params, tags and the latest value of each metric logged for it."""
        experiment_id = self._experiment_id(experiment)
        for item in self._pages(f"/experiments/{experiment_id}/logged-models", "models", {"max_results": page_size}):
            yield LoggedModel.from_json(item)

    def list_logged_models(self, experiment: str, max_results: Optional[int] = None) -> List[LoggedModel]:
        return _take(self.iter_logged_models(experiment), max_results)

    def iter_runs(self, experiment: str, status: Optional[str] = None, page_size: int = 100) -> Iterator[Run]:
        """An experiment's runs (by id or name), newest first."""
        experiment_id = self._experiment_id(experiment)
        query = {"max_results": page_size, "status": canonical_status(status) if status else None}
        for item in self._pages(f"/experiments/{experiment_id}/runs", "runs", query):
            yield self._whole_run(item)

    def list_runs(self, experiment: str, status: Optional[str] = None, max_results: Optional[int] = None) -> List[Run]:
        return _take(self.iter_runs(experiment, status), max_results)

    def get_metric_history(
        self, run_id: str, key: str, *, start_step: Optional[int] = None, end_step: Optional[int] = None
    ) -> List[Metric]:
        """Every point of a metric in step order (see :meth:`iter_metric_history_pages` for long ones)."""
        pages = self.iter_metric_history_pages(run_id, key, start_step=start_step, end_step=end_step)
        return [point for page in pages for point in page]

    def iter_metric_history_pages(
        self,
        run_id: str,
        key: str,
        *,
        page_size: int = 10_000,
        start_step: Optional[int] = None,
        end_step: Optional[int] = None,
    ) -> Iterator[List[Metric]]:
        """A metric's points in step order, one page (at most ``page_size``) at a time."""
        self._settle(run_id)
        query: Dict[str, Any] = {"max_results": page_size, "start_step": start_step, "end_step": end_step}
        path = f"/runs/{run_id}/metrics/{_quote(key)}"
        while True:
            page = self.transport.json("GET", path, query=query)
            yield [Metric.from_json(point) for point in page.get("points") or []]
            token = page.get("next_page_token")
            if not token:
                return
            query["page_token"] = token

    def get_metric_summary(self, run_id: str, key: str, max_points: int = 200) -> List[Metric]:
        """A metric's history downsampled by the service to about ``max_points`` points (for a chart)."""
        self._settle(run_id)
        answer = self.transport.json("GET", f"/runs/{run_id}/metrics/{_quote(key)}", query={"max_points": max_points})
        return [Metric.from_json(point) for point in answer.get("points") or []]

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
        self._settle()
        while True:
            page = self.transport.json("POST", "/runs/search", json_body=body)
            for item in page.get("runs") or []:
                yield self._whole_run(item)
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
        only_differing_params: Optional[bool] = None,
        as_dataframe: Optional[bool] = None,
    ) -> Any:
        """Runs side by side, one row per run: ``run_id, run_name, status, start_time,
        metrics.<name>..., params.<name>...``.

        By default the metrics are those asked for (all the runs have, when none
        are named) and the params are only those whose values differ between the
        runs (``only_differing_params=False``, or ``param_names``, for others);
        ``start_time`` is a datetime. A pandas DataFrame indexed by run_id when
        pandas is importable (or ``as_dataframe=True``), else a list of dicts;
        either prints every column. No run ids give an empty table. Any number
        of runs: past the service's 100 a request, they are asked for in slices.
        """
        if only_differing_params is None:
            only_differing_params = param_names is None
        metric_list = list(metric_names) if metric_names is not None else None
        param_list = list(param_names) if param_names is not None else None
        rows: List[Dict[str, Any]] = []
        metric_columns = [f"metrics.{name}" for name in metric_list or []]
        param_columns = [f"params.{name}" for name in param_list or []]
        if run_ids:
            # The service compares up to 100 runs a request (a sweep's search gives more): slices are merged.
            ids = list(dict.fromkeys(run_ids))
            size = _compare.RUNS_PER_REQUEST
            slices = [ids[start : start + size] for start in range(0, len(ids), size)]
            self._settle()
            answers = []
            for part in slices:
                body: Dict[str, Any] = {
                    "run_ids": part,
                    "only_differing_params": only_differing_params and len(slices) == 1,
                }
                if metric_list is not None:
                    body["metric_names"] = metric_list
                if param_list is not None:
                    body["param_names"] = param_list
                answers.append(self.transport.json("POST", "/runs/compare", json_body=body))
            answer = (
                answers[0]
                if len(answers) == 1
                else _compare.merged(answers, metric_list, param_list, only_differing_params)
            )
            answer = self._whole_comparison(answer, metric_list, param_list, only_differing_params)
            metric_columns = [f"metrics.{name}" for name in answer.get("metric_names") or []]
            param_columns = [f"params.{name}" for name in answer.get("param_names") or []]
            for run in answer.get("runs") or []:
                row: Dict[str, Any] = {
                    "run_id": run["run_id"],
                    "run_name": run.get("run_name"),
                    "status": run.get("status"),
                    "start_time": _compare.readable_time(run.get("start_time")),
                }
                for name in answer.get("metric_names") or []:
                    value = (run.get("metrics") or {}).get(name)
                    row[f"metrics.{name}"] = None if value is None else decode_metric_value(value)
                for name in answer.get("param_names") or []:
                    row[f"params.{name}"] = (run.get("params") or {}).get(name)
                rows.append(row)
        columns = ["run_id", "run_name", "status", "start_time", *metric_columns, *param_columns]
        if as_dataframe is False:
            return _compare.ComparisonRows(rows, columns)
        try:
            return _compare.as_dataframe(rows, columns)
        except ImportError:
            if as_dataframe:
                raise
            return _compare.ComparisonRows(rows, columns)

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
        if os.path.isdir(local_path):
            raise IsADirectoryError(f"{local_path} is a folder: use log_artifacts({local_path!r}) to upload what it holds")
        if not os.path.isfile(local_path):
            raise FileNotFoundError(local_path)
        path = artifact_path or _artifacts.artifact_path_for(local_path)
        artifact = self._tolerate_outage(
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
        if artifact is not None and self.storage_backend is not None:
            artifact.copy_uri = self.storage_backend.save_file(local_path, f"{target}/{path}")
        return artifact

    def log_artifacts(
        self,
        local_dir: str,
        artifact_path: Optional[str] = None,
        *,
        artifact_type: str = "other",
        run_id: Optional[str] = None,
        progress: Optional[_artifacts.ProgressCallback] = None,
    ) -> List[Artifact]:
        """Uploads every file under a folder, keeping its layout, under ``artifact_path`` (default: the
        run's root, as MLflow does). Files go up ``upload_workers`` at a time; ``progress(done, total)``
        counts the bytes of all of them. Returns the artifacts stored (fewer after an outage)."""
        if not os.path.isdir(local_dir):
            raise NotADirectoryError(f"{local_dir} is not a folder" + (": use log_artifact" if os.path.isfile(local_dir) else ""))
        target = self._run_id(run_id)
        if target is None:
            return []
        files: List[Tuple[str, str]] = []
        for folder, subfolders, names in os.walk(local_dir):
            subfolders.sort()
            for name in sorted(names):
                local = os.path.join(folder, name)
                relative = os.path.relpath(local, local_dir).replace(os.sep, "/")
                files.append((local, f"{artifact_path.strip('/')}/{relative}" if artifact_path else relative))
        total = sum(os.path.getsize(local) for local, _ in files)
        done: Dict[str, int] = {}
        progress_lock = threading.Lock()

        def report(local: str) -> Optional[_artifacts.ProgressCallback]:
            if progress is None:
                return None

            def callback(file_done: int, _file_total: int) -> None:
                with progress_lock:
                    done[local] = file_done
                    progress(sum(done.values()), total)  # type: ignore[misc]

            return callback

        def upload(item: Tuple[str, str]) -> Optional[Artifact]:
            local, path = item
            return self.log_artifact(local, artifact_type, artifact_path=path, run_id=target, progress=report(local))

        if not files:
            return []
        with ThreadPoolExecutor(max_workers=max(1, min(self.upload_workers, len(files))), thread_name_prefix="stratus-files") as pool:
            return [artifact for artifact in pool.map(upload, files) if artifact is not None]

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
        overwrite: bool = False,
    ) -> str:
        """Downloads one artifact to a file, or into a directory (created when missing, or when
        ``destination`` ends with ``/``); returns the file written. See :meth:`download_artifacts`."""
        target = run_id or self._run_id(None)
        if not target:
            raise RuntimeError("the active run is offline")
        found = [artifact for artifact in self.iter_artifacts(target, prefix=path) if artifact.path == path]
        if not found:
            raise NotFoundError(404, "artifact.not_found", f"run {target} has no artifact {path!r}")
        planned = _artifacts.plan_downloads(found, path, destination)
        return _artifacts.download_all(
            self.transport, target, planned, workers=1, overwrite=overwrite, progress=progress
        )[0]

    def download_artifacts(
        self,
        run_id: Optional[str] = None,
        path: str = "",
        dest: str = ".",
        *,
        progress: Optional[_artifacts.ProgressCallback] = None,
        overwrite: bool = False,
        workers: Optional[int] = None,
    ) -> List[str]:
        """Downloads a whole run (``path=""``), a folder of it or one file into ``dest``, keeping the
        layout below ``path``; returns the files written.

        Files come down ``workers`` (default ``upload_workers``) at a time;
        ``progress(done, total)`` counts the bytes of all of them. Each file's
        SHA-256 is checked when one was recorded at upload (the SDK always
        records it); a mismatch raises and leaves nothing behind. An existing file
        is never replaced unless ``overwrite=True`` (checked before anything is fetched).
        """
        target = run_id or self._run_id(None)
        if not target:
            raise RuntimeError("the active run is offline")
        prefix = path.rstrip("/") if path else None
        artifacts = list(self.iter_artifacts(target, prefix=prefix))
        planned = _artifacts.plan_downloads(artifacts, path, dest)
        if not planned:
            where = f"at {path!r}" if path else "at all"
            raise NotFoundError(404, "artifact.not_found", f"run {target} has no artifacts {where}")
        return _artifacts.download_all(
            self.transport,
            target,
            planned,
            workers=workers or self.upload_workers,
            overwrite=overwrite,
            progress=progress,
        )

    # ----- scopes -----

    @contextlib.contextmanager
    def run(
        self, experiment_name: Optional[str] = None, run_name: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None, **kwargs: Any
    ) -> Iterator[ActiveRun]:
        """``with tracker.run("exp", run_name=...) as run:`` ends the run FINISHED, or FAILED
        (re-raising) when an exception escapes; KILLED on Ctrl-C.

        Inside another ``with tracker.run(...)`` block the run is nested: its parent is the
        outer run (``nested=False`` to start a sibling instead), and the outer run is the
        active run again once the inner block ends.
        """
        if "nested" not in kwargs and "parent_run_id" not in kwargs:
            outer = self.active_run
            kwargs["nested"] = bool(outer is not None and not outer.offline)
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
            samplers = list(self._samplers.values())
            self._samplers.clear()
            batchers = dict(self._batchers)
            self._batchers.clear()
        for sampler in samplers:
            sampler.stop()
        for run_id, batcher in batchers.items():
            batcher.close(self.flush_timeout if timeout is None else timeout)
            with self._lock:
                self._final_stats[run_id] = _stats_of(batcher)

    def __enter__(self) -> "ExperimentTracker":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _whole_comparison(
        self,
        answer: Dict[str, Any],
        metric_names: Optional[Sequence[str]],
        param_names: Optional[Sequence[str]],
        only_differing_params: bool,
    ) -> Dict[str, Any]:
        """The comparison with every cell. The service ends its columns before its answer would outgrow
        a function's 6 MB and flags each run with a value past them (``params_truncated``,
        ``metrics_truncated``); a run not flagged has none there. So the flagged runs are read whole (their
        params' pages; their details, which hold every metric's latest point) and the columns found again."""
        params: Dict[str, Dict[str, str]] = {}
        metrics: Dict[str, Dict[str, Any]] = {}
        for run in answer.get("runs") or []:
            run_id = run["run_id"]
            if run.get("params_truncated") and run_id not in params:
                params[run_id] = self._all_entries(run_id, "params")
            if run.get("metrics_truncated") and run_id not in metrics:
                latest = self.transport.json("GET", f"/runs/{run_id}").get("metrics") or {}
                metrics[run_id] = {key: point.get("value") for key, point in latest.items()}
        if not params and not metrics:
            return answer
        return _compare.completed(answer, params, metrics, metric_names, param_names, only_differing_params)

    def _whole_run(self, data: Dict[str, Any]) -> Run:
        """A run from an answer, whole: an answer carries the first page (under 1 MiB) of its params
        and of its tags, and ``params_truncated`` / ``tags_truncated`` when there are more."""
        for field_name in ("params", "tags"):
            if data.get(f"{field_name}_truncated"):
                data = {**data, field_name: self._all_entries(data["run_id"], field_name)}
        return Run.from_json(data)

    def _all_entries(self, run_id: str, field_name: str) -> Dict[str, str]:
        """Every param or tag of a run, from the pages of its list."""
        entries: Dict[str, str] = {}
        for page in self._page_answers(f"/runs/{run_id}/{field_name}", {}):
            entries.update(page.get(field_name) or {})
        return entries

    def _pages(self, path: str, items: str, query: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        for page in self._page_answers(path, query):
            yield from page.get(items) or []

    def _page_answers(self, path: str, query: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        query = dict(query)
        while True:
            page = self.transport.json("GET", path, query=query)
            yield page
            token = page.get("next_page_token")
            if not token:
                return
            query["page_token"] = token


_NO_STATS = {"acknowledged": 0, "dropped": 0, "rejected": 0, "retries": 0, "unsent": 0}


def _stats_of(batcher: MetricBatcher) -> Dict[str, int]:
    return {
        "acknowledged": batcher.acknowledged,
        "dropped": batcher.dropped,
        "rejected": batcher.rejected,
        "retries": batcher.retries,
        "unsent": batcher.unsent,
    }


def _pipeline_body(
    pipeline: Optional[Mapping[str, Any]],
    config: Optional[Mapping[str, Any]],
    components: Optional[Sequence[Any]],
) -> Optional[Dict[str, Any]]:
    """The API's ``pipeline`` object from either its own form or the seed's two fields."""
    if pipeline is not None and (config is not None or components is not None):
        raise ValueError("give pipeline=... or pipeline_config/pipeline_components, not both")
    if pipeline is not None:
        return dict(pipeline)
    if config is None and components is None:
        return None
    body: Dict[str, Any] = {}
    if config is not None:
        body["pipeline_config"] = dict(config)
    if components is not None:
        listed = []
        for index, component in enumerate(components):
            if isinstance(component, PipelineComponent):
                component = vars(component)
            item = {"name": component["name"], "type": component["type"], "position": component.get("position", index)}
            if component.get("stage") is not None:
                item["stage"] = component["stage"]
            listed.append(item)
        body["pipeline_components"] = listed
    return body


def _param_value(value: Any) -> str:
    """A param as Python writes it, ``str(value)``, as MLflow's client sends it: ``1e-05``, ``True``,
    ``nan``, the same text a filter on it is written with. (Sent as a JSON number, 1e-05 was stored
    as JavaScript writes it, ``0.00001``, and NaN or an infinity could not be sent at all.)"""
    return value if isinstance(value, str) else str(value)


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
