"""Stratus: the Python SDK of a serverless ML experiment tracker (standard library only).

    from stratus import ExperimentTracker
    tracker = ExperimentTracker()            # STRATUS_ENDPOINT, STRATUS_TOKEN
    run = tracker.start_run(experiment_name="risk", run_name="baseline")
    tracker.log_params({"max_depth": 10})
    tracker.log_metrics({"loss": 0.3}, step=1)
    tracker.end_run()
"""

__version__ = "0.1.0"

from ._http import RetryPolicy  # noqa: E402
from .errors import (  # noqa: E402
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StratusConnectionError,
    StratusError,
    ValidationError,
)
from .models import (  # noqa: E402
    Artifact,
    Experiment,
    LineageDataset,
    LineageModel,
    LoggedModel,
    LoggedModelMetric,
    Metric,
    PipelineComponent,
    Run,
    RunLineage,
)
from .registry import AliasEvent, ModelRegistry, ModelVersion, ModelVersionFile, RegisteredModel  # noqa: E402
from .sandbox import SandboxExperiment, SandboxTracker, sandbox, tracked  # noqa: E402
from .storage import FileSystemStorage, StorageBackend, get_db_connection  # noqa: E402
from .tracker import ActiveRun, ExperimentTracker  # noqa: E402

__all__ = [
    "ActiveRun",
    "AliasEvent",
    "Artifact",
    "AuthenticationError",
    "ConflictError",
    "Experiment",
    "ExperimentTracker",
    "FileSystemStorage",
    "LineageDataset",
    "LineageModel",
    "LoggedModel",
    "LoggedModelMetric",
    "Metric",
    "ModelRegistry",
    "ModelVersion",
    "ModelVersionFile",
    "NotFoundError",
    "PermissionDeniedError",
    "PipelineComponent",
    "RegisteredModel",
    "RetryPolicy",
    "Run",
    "RunLineage",
    "SandboxExperiment",
    "SandboxTracker",
    "StorageBackend",
    "StratusConnectionError",
    "StratusError",
    "ValidationError",
    "__version__",
    "get_db_connection",
    "sandbox",
    "tracked",
]
