"""The second seed's ``@sandbox(experiment_config={...})``, on a class or a function.

In the second seed an *experiment* is one execution of a use case: what Stratus
calls a **run**. Its ``project_name`` groups them: a Stratus **experiment**.

On a **class** the class stays a class (subclassing and ``isinstance`` work)
and every instance is one run:

- the run starts when the object is constructed, before ``__init__``'s body,
  so ``__init__`` can already use ``self.experiment_tracker``;
- an exception escaping ``__init__`` or any public method (a name without a
  leading ``_``, inherited ones of decorated subclasses included) ends the run
  FAILED and records the error as the tags ``error.type`` and ``error.message``;
  the exception goes on as before;
- otherwise the run ends when you say so: ``self.experiment_tracker.end()``
  (COMPLETED, which Stratus stores as FINISHED), at the end of a ``with``
  block on the object, or, at the latest, when the interpreter exits
  (FINISHED; FAILED after an uncaught exception; KILLED on SIGTERM).

On a **function** every call is one run, FINISHED or FAILED; a ``run``
parameter receives the run.

``experiment_config`` keys (anything else is refused with a ValueError):

- ``project_name``: the Stratus experiment (default: the class or function name);
- ``tags``: tags of every run; ``run_name`` (default: the class or function name);
- ``storage_uri``: ``sqlite:///experiments.db`` also writes each run, when it
  ends, into that SQLite file with the seed's tables (``experiments``,
  ``pipeline_components``, see :mod:`stratus.export`), so the seed's SQL runs on
  it. Without it nothing is written locally: the runs live in Stratus (and
  ``stratus export --sqlite`` writes the same file later). Other URIs are refused.
- ``pipeline_config`` (a dict) and ``pipeline_components`` (name, type, stage,
  position): the run's pipeline, recorded when it starts;
- ``log_system_metrics``: as ``start_run(log_system_metrics=...)``;
- ``endpoint`` / ``token``: default ``STRATUS_ENDPOINT`` / ``STRATUS_TOKEN``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, TypeVar

from .export import mirror_run, seed_status
from .models import Artifact, PipelineComponent, Run, RunLineage
from .tracker import ActiveRun, ExperimentTracker

log = logging.getLogger("stratus")
T = TypeVar("T")

CONFIG_KEYS = (
    "project_name",
    "tags",
    "run_name",
    "storage_uri",
    "pipeline_config",
    "pipeline_components",
    "log_system_metrics",
    "endpoint",
    "token",
)


def sqlite_path(storage_uri: Optional[str]) -> Optional[str]:
    """The file of a ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` URI; refuses anything else."""
    if storage_uri is None:
        return None
    if not isinstance(storage_uri, str) or not storage_uri.startswith("sqlite:///") or storage_uri == "sqlite:///":
        raise ValueError(
            f"storage_uri={storage_uri!r}: Stratus keeps runs in its service; storage_uri may only name a SQLite "
            "file (sqlite:///experiments.db) that receives a copy of each run. For other databases, run "
            "`stratus export --sqlite FILE` or `--parquet DIR` and load that."
        )
    return storage_uri[len("sqlite:///") :]


def check_config(config: Mapping[str, Any]) -> Dict[str, Any]:
    unknown = sorted(set(config) - set(CONFIG_KEYS))
    if unknown:
        raise ValueError(
            f"experiment_config: unknown key(s) {', '.join(map(repr, unknown))}; known: {', '.join(CONFIG_KEYS)}"
        )
    checked = dict(config)
    sqlite_path(checked.get("storage_uri"))
    return checked


@dataclass
class SandboxExperiment:
    """A run in the second seed's words (its ``experiments`` row)."""

    id: str
    name: str
    start_time: Optional[_dt.datetime]
    end_time: Optional[_dt.datetime]
    #: RUNNING, COMPLETED (Stratus's FINISHED), FAILED or KILLED.
    status: str
    tags: Dict[str, str] = field(default_factory=dict)
    pipeline_config: Optional[Dict[str, Any]] = None
    pipeline_components: List[PipelineComponent] = field(default_factory=list)
    #: The Stratus experiment the run belongs to.
    project_name: Optional[str] = None
    #: The Stratus run behind it, with params, metrics and artifacts.
    run: Optional[Run] = field(default=None, repr=False)

    @property
    def duration(self) -> Optional[_dt.timedelta]:
        return None if self.start_time is None or self.end_time is None else self.end_time - self.start_time

    @classmethod
    def from_run(cls, run: Run, project_name: Optional[str] = None) -> "SandboxExperiment":
        def moment(epoch_ms: Optional[int]) -> Optional[_dt.datetime]:
            return None if epoch_ms is None else _dt.datetime.fromtimestamp(epoch_ms / 1000)

        return cls(
            id=run.run_id,
            name=run.run_name,
            start_time=moment(run.start_time),
            end_time=moment(run.end_time),
            status=seed_status(run.status),
            tags=dict(run.tags),
            pipeline_config=run.pipeline_config,
            pipeline_components=list(run.pipeline_components),
            project_name=project_name,
            run=run,
        )


def _quote(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


class SandboxTracker:
    """``self.experiment_tracker``: the seed's ExperimentTracker, bound to one project (and one run)."""

    def __init__(self, client: ExperimentTracker, config: Mapping[str, Any], default_name: str) -> None:
        self.client = client
        self.config = dict(config)
        self.project_name: str = self.config.get("project_name") or default_name
        self.run_name: str = self.config.get("run_name") or default_name
        self.storage_path = sqlite_path(self.config.get("storage_uri"))
        self.run: Optional[ActiveRun] = None
        self._ended = False
        self._lock = threading.Lock()

    # ----- the current run -----

    @property
    def experiment_id(self) -> Optional[str]:
        """The current run's id: the seed's experiment id."""
        return self.run.run_id if self.run and not self.run.offline else None

    run_id = experiment_id

    def start(self) -> ActiveRun:
        self.run = self.client.start_run(
            experiment_name=self.project_name,
            run_name=self.run_name,
            tags=self.config.get("tags"),
            pipeline_config=self.config.get("pipeline_config"),
            pipeline_components=self.config.get("pipeline_components"),
            log_system_metrics=self.config.get("log_system_metrics"),
        )
        if self.storage_path and self.experiment_id:
            self.client._on_run_end(self.experiment_id, self._mirror)
        return self.run

    def _mirror(self, run_id: str) -> None:
        try:
            mirror_run(self.client, self.storage_path, run_id)  # type: ignore[arg-type]
        except Exception as error:  # the run itself is safe in Stratus; say why the copy is missing
            log.warning("stratus: could not write run %s to %s: %s", run_id, self.storage_path, error)

    @property
    def ended(self) -> bool:
        return self._ended

    def end(self, status: str = "COMPLETED") -> None:
        """Ends the run (COMPLETED/FINISHED, FAILED or KILLED); later calls do nothing."""
        with self._lock:
            if self._ended or self.run is None:
                return
            self._ended = True
        if self.run.offline:
            self.client._forget(self.run)  # nothing was recorded, so there is nothing to end
            return
        self.client.end_run(status, run_id=self.run.run_id)

    end_experiment = end

    def fail(self, error: BaseException) -> None:
        """Records the error on the run and ends it FAILED (KILLED for Ctrl-C)."""
        if self._ended or self.run is None:
            return
        if self.experiment_id:
            try:
                self.client.set_tags(
                    {"error.type": type(error).__name__, "error.message": str(error)[:5000]}, run_id=self.experiment_id
                )
            except Exception as tag_error:  # pragma: no cover - the original error matters more
                log.warning("stratus: could not record the error on run %s: %s", self.experiment_id, tag_error)
        self.end("KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED")

    # ----- logging to the current run -----

    def _target(self) -> Optional[str]:
        if self.run is None:
            raise RuntimeError("this sandbox has no run yet")
        return self.run.run_id or None

    def log_params(self, params: Mapping[str, Any]) -> Dict[str, str]:
        target = self._target()
        return self.client.log_params(params, run_id=target) if target else {}

    def log_metrics(self, metrics: Mapping[str, Any], step: Optional[int] = None) -> None:
        target = self._target()
        if target:
            self.client.log_metrics(metrics, step=step, run_id=target)

    def log_metric(self, key: str, value: Any, step: Optional[int] = None) -> None:
        self.log_metrics({key: value}, step=step)

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        target = self._target()
        if target:
            self.client.set_tags(tags, run_id=target)

    def log_artifact(self, local_path: str, artifact_type: str = "other", **kwargs: Any) -> Optional[Artifact]:
        target = self._target()
        return self.client.log_artifact(local_path, artifact_type, run_id=target, **kwargs) if target else None

    def log_artifacts(self, local_dir: str, artifact_path: Optional[str] = None, **kwargs: Any) -> List[Artifact]:
        target = self._target()
        return self.client.log_artifacts(local_dir, artifact_path, run_id=target, **kwargs) if target else []

    def log_input(self, name: str, source: str, **kwargs: Any) -> Optional[RunLineage]:
        """A dataset the run used (see ExperimentTracker.log_input)."""
        target = self._target()
        return self.client.log_input(name, source, run_id=target, **kwargs) if target else None

    # ----- the seed's queries -----

    def get_experiment(self, experiment_id: Optional[str] = None) -> SandboxExperiment:
        """One experiment (a run) by id; the current one without an id."""
        run_id = experiment_id or self.experiment_id
        if not run_id:
            raise RuntimeError("no experiment id given and this sandbox's run is offline")
        return SandboxExperiment.from_run(self.client.get_run(run_id), self.project_name)

    def list_experiments(
        self, filters: Optional[Mapping[str, Any]] = None, *, limit: Optional[int] = None
    ) -> List[SandboxExperiment]:
        """The project's experiments (runs), newest first.

        ``filters``: ``{"tags": {key: value, ...}, "status": "COMPLETED", "name": "..."}``,
        all of which must hold; any other key is refused with a ValueError.
        """
        filters = dict(filters or {})
        unknown = sorted(set(filters) - {"tags", "status", "name"})
        if unknown:
            raise ValueError(f"filters: unknown key(s) {', '.join(map(repr, unknown))}; known: tags, status, name")
        clauses = [f"tags.`{key}` = {_quote(value)}" for key, value in (filters.get("tags") or {}).items()]
        if filters.get("status"):
            clauses.append(f"status = {_quote(filters['status'])}")
        if filters.get("name"):
            clauses.append(f"run_name = {_quote(filters['name'])}")
        try:
            runs = self.client.search_runs(
                experiment_name=self.project_name, filter_string=" AND ".join(clauses) or None, max_results=limit
            )
        except Exception as error:
            if getattr(error, "status", None) == 404:  # no run of this project yet
                return []
            raise
        return [SandboxExperiment.from_run(run, self.project_name) for run in runs]


def sandbox(
    experiment_config: Optional[Mapping[str, Any]] = None, *, tracker: Optional[ExperimentTracker] = None
) -> Callable[[T], T]:
    """``@sandbox(experiment_config={...})`` on a class or a function; see the module docstring."""
    config = check_config(experiment_config or {})
    clients: List[ExperimentTracker] = [tracker] if tracker else []

    def client() -> ExperimentTracker:
        # Made at first use, not at import: the environment may be set after the class is defined.
        if not clients:
            clients.append(ExperimentTracker(endpoint=config.get("endpoint"), token=config.get("token")))
        return clients[0]

    def decorate(target: Any) -> Any:
        if inspect.isclass(target):
            return _decorate_class(target, config, client)
        return _decorate_function(target, config, client)

    return decorate


tracked = sandbox


def _decorate_function(function: Callable[..., Any], config: Dict[str, Any], client: Callable[[], ExperimentTracker]) -> Any:
    wants_run = "run" in inspect.signature(function).parameters

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        session = SandboxTracker(client(), config, function.__name__)
        run = session.start()
        if wants_run and "run" not in kwargs:
            kwargs["run"] = run
        try:
            result = function(*args, **kwargs)
        except BaseException as error:
            session.fail(error)
            raise
        session.end()
        return result

    return wrapper


_depth = threading.local()


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Ends the object's run FAILED when an exception escapes the outermost guarded call."""

    def fail_run(instance: Any, error: BaseException) -> None:
        session = instance.__dict__.get("experiment_tracker") if hasattr(instance, "__dict__") else None
        if isinstance(session, SandboxTracker):
            session.fail(error)

    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except BaseException as error:
                fail_run(self, error)
                raise

        async_wrapper.__stratus_guarded__ = True  # type: ignore[attr-defined]
        return async_wrapper

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        depth = getattr(_depth, "value", 0)
        _depth.value = depth + 1
        try:
            return method(self, *args, **kwargs)
        except BaseException as error:
            if depth == 0:
                fail_run(self, error)
            raise
        finally:
            _depth.value = depth

    wrapper.__stratus_guarded__ = True  # type: ignore[attr-defined]
    return wrapper


def _guard_methods(cls: type) -> None:
    for name, value in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(value) or getattr(value, "__stratus_guarded__", False):
            continue
        setattr(cls, name, _guarded(value))


def _wrap_init(klass: type, config: Dict[str, Any], client: Callable[[], ExperimentTracker]) -> None:
    """Starts the object's run before the outermost ``__init__`` body; a failing ``__init__`` fails it."""
    original_init = klass.__init__

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        call = (lambda: original_init(self)) if original_init is object.__init__ else (lambda: original_init(self, *args, **kwargs))
        if isinstance(self.__dict__.get("experiment_tracker"), SandboxTracker):
            call()  # an outer (subclass) __init__ already started the run
            return
        session = SandboxTracker(client(), config, type(self).__name__)
        self.experiment_tracker = session
        session.start()
        depth = getattr(_depth, "value", 0)
        _depth.value = depth + 1
        try:
            call()
        except BaseException as error:
            session.fail(error)
            raise
        finally:
            _depth.value = depth

    klass.__init__ = __init__  # type: ignore[misc]


def _decorate_class(cls: type, config: Dict[str, Any], client: Callable[[], ExperimentTracker]) -> type:
    _wrap_init(cls, config, client)
    _guard_methods(cls)

    original_enter = getattr(cls, "__enter__", None)
    original_exit = getattr(cls, "__exit__", None)

    def __enter__(self: Any) -> Any:
        return original_enter(self) if original_enter else self

    def __exit__(self: Any, kind: Any, error: Any, traceback: Any) -> Any:
        handled = original_exit(self, kind, error, traceback) if original_exit else None
        session = self.__dict__.get("experiment_tracker")
        if isinstance(session, SandboxTracker):
            if error is not None and not handled:
                session.fail(error)
            else:
                session.end()
        return handled

    cls.__enter__ = __enter__  # type: ignore[attr-defined]
    cls.__exit__ = __exit__  # type: ignore[attr-defined]

    previous = vars(cls).get("__init_subclass__")

    def __init_subclass__(subclass: type, **kwargs: Any) -> None:
        if previous is not None:
            previous.__func__(subclass, **kwargs)
        else:
            super(cls, subclass).__init_subclass__(**kwargs)  # type: ignore[misc]
        if "__init__" in vars(subclass):
            _wrap_init(subclass, config, client)
        _guard_methods(subclass)

    cls.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]
    return cls


__all__ = ["SandboxExperiment", "SandboxTracker", "sandbox", "sqlite_path", "tracked"]
