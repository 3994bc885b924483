"""What the SDK returns: plain dataclasses built from the API's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ._wire import decode_metric_value


@dataclass
class Experiment:
    experiment_id: str
    experiment_name: str
    tags: Dict[str, str] = field(default_factory=dict)
    description: Optional[str] = None
    created_at: Optional[int] = None
    #: "active", or "deleted" (soft-deleted: restorable until purged).
    lifecycle_stage: str = "active"
    #: Its active runs (0 while it is deleted: its runs are deleted with it), and its latest run start or end (epoch ms).
    run_count: int = 0
    last_activity_at: Optional[int] = None
    #: Its deleted runs, restorable until purged (every run not purged, while the experiment is deleted).
    deleted_run_count: int = 0

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Experiment":
        return cls(
            experiment_id=data["experiment_id"],
            experiment_name=data["experiment_name"],
            tags=dict(data.get("tags") or {}),
            description=data.get("description"),
            created_at=data.get("created_at"),
            lifecycle_stage=data.get("lifecycle_stage", "active"),
            run_count=int(data.get("run_count") or 0),
            last_activity_at=data.get("last_activity_at"),
            deleted_run_count=int(data.get("deleted_run_count") or 0),
        )

    @property
    def name(self) -> str:
        return self.experiment_name


@dataclass
class Metric:
    """The latest point of a metric (highest step, then latest timestamp), or one point of its history."""

    value: float
    step: int
    timestamp: int
    #: In a run's ``latest_metrics`` only: the key's lowest step, equal to ``step`` when all its points
    #: are at one step (a value, not a curve). None on history points.
    min_step: Optional[int] = None

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Metric":
        min_step = data.get("min_step")
        return cls(
            decode_metric_value(data["value"]),
            int(data["step"]),
            int(data["timestamp"]),
            None if min_step is None else int(min_step),
        )


@dataclass
class Artifact:
    path: str
    artifact_type: str
    size_bytes: int
    content_type: Optional[str] = None
    sha256: Optional[str] = None
    status: str = "COMPLETE"
    created_time: Optional[int] = None
    updated_time: Optional[int] = None
    #: Where the tracker's storage_backend put its copy (see stratus.storage), if it has one.
    copy_uri: Optional[str] = None

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Artifact":
        return cls(
            path=data["path"],
            artifact_type=data.get("artifact_type", "other"),
            size_bytes=int(data.get("size_bytes", 0)),
            content_type=data.get("content_type"),
            sha256=data.get("sha256"),
            status=data.get("status", "COMPLETE"),
            created_time=data.get("created_time"),
            updated_time=data.get("updated_time"),
        )


@dataclass
class PipelineComponent:
    """One step of a run's pipeline (the second seed's ``pipeline_components`` row)."""

    name: str
    type: str
    stage: Optional[str] = None
    position: int = 0

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "PipelineComponent":
        return cls(data["name"], data["type"], data.get("stage"), int(data.get("position", 0)))


@dataclass
class LineageDataset:
    """A dataset a run used, as MLflow's ``log_input`` recorded it (``context``: its ``mlflow.data.context`` tag)."""

    name: str
    digest: str
    source_type: str
    source: str
    schema: Optional[str] = None
    profile: Optional[str] = None
    context: Optional[str] = None
    tags: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "LineageDataset":
        return cls(
            name=data["name"],
            digest=data["digest"],
            source_type=data["source_type"],
            source=data["source"],
            schema=data.get("schema"),
            profile=data.get("profile"),
            context=data.get("context"),
            tags=dict(data.get("tags") or {}),
        )


@dataclass
class LineageModel:
    """A logged model a run used, produced (at ``produced_at_step``), or both; ``name``, ``status`` and
    ``created_at`` are None for a model deleted since, or past the first ``models_looked_up``."""

    model_id: str
    used: bool = False
    produced_at_step: Optional[int] = None
    name: Optional[str] = None
    status: Optional[str] = None
    created_at: Optional[int] = None

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "LineageModel":
        return cls(
            model_id=data["model_id"],
            used=bool(data.get("used", False)),
            produced_at_step=data.get("produced_at_step"),
            name=data.get("name"),
            status=data.get("status"),
            created_at=data.get("created_at"),
        )


@dataclass
class LoggedModelMetric:
    """The latest point of a metric logged for a logged model (per dataset, when one was named)."""

    key: str
    value: float
    step: int
    timestamp: int
    run_id: str
    dataset_name: Optional[str] = None
    dataset_digest: Optional[str] = None

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "LoggedModelMetric":
        return cls(
            key=data["key"],
            value=decode_metric_value(data["value"]),
            step=int(data["step"]),
            timestamp=int(data["timestamp"]),
            run_id=data["run_id"],
            dataset_name=data.get("dataset_name"),
            dataset_digest=data.get("dataset_digest"),
        )


@dataclass
class LoggedModel:
    """A logged model (what MLflow 3's ``log_model`` makes): its files are its source run's
    artifacts under ``models/<model_id>/``; ``status`` is PENDING, READY or UPLOAD_FAILED."""

    model_id: str
    experiment_id: str
    name: str
    status: str
    source_run_id: str
    created_at: int
    updated_at: int
    model_type: Optional[str] = None
    params: Dict[str, str] = field(default_factory=dict)
    tags: Dict[str, str] = field(default_factory=dict)
    metrics: List[LoggedModelMetric] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "LoggedModel":
        return cls(
            model_id=data["model_id"],
            experiment_id=data["experiment_id"],
            name=data["name"],
            status=data["status"],
            source_run_id=data["source_run_id"],
            created_at=int(data["created_at"]),
            updated_at=int(data["updated_at"]),
            model_type=data.get("model_type"),
            params=dict(data.get("params") or {}),
            tags=dict(data.get("tags") or {}),
            metrics=[LoggedModelMetric.from_json(item) for item in data.get("metrics") or []],
        )


@dataclass
class RunLineage:
    """What a run trained on and the models it used and produced (``GET /runs/{id}/lineage``)."""

    run_id: str
    datasets: List[LineageDataset] = field(default_factory=list)
    models: List[LineageModel] = field(default_factory=list)
    #: How many of ``models`` were looked up for their name, status and creation time.
    models_looked_up: int = 0

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "RunLineage":
        return cls(
            run_id=data["run_id"],
            datasets=[LineageDataset.from_json(item) for item in data.get("datasets") or []],
            models=[LineageModel.from_json(item) for item in data.get("models") or []],
            models_looked_up=int(data.get("models_looked_up", 0)),
        )


@dataclass
class Run:
    """A run as the API describes it: `params` and `metrics` (latest value of each) are plain dicts."""

    run_id: str
    experiment_id: str
    run_name: str = ""
    status: str = "RUNNING"
    start_time: Optional[int] = None
    end_time: Optional[int] = None
    duration_ms: Optional[int] = None
    tags: Dict[str, str] = field(default_factory=dict)
    params: Dict[str, str] = field(default_factory=dict)
    metrics: Dict[str, float] = field(default_factory=dict)
    #: The latest point of each metric, with its step and timestamp.
    latest_metrics: Dict[str, Metric] = field(default_factory=dict)
    artifacts: List[Artifact] = field(default_factory=list)
    git_commit: Optional[str] = None
    code_version: Optional[str] = None
    parent_run_id: Optional[str] = None
    #: The second seed's pipeline: free-form config and ordered components (None when not given).
    pipeline_config: Optional[Dict[str, Any]] = None
    pipeline_components: List[PipelineComponent] = field(default_factory=list)
    #: "active", or "deleted" (soft-deleted: restorable until purged).
    lifecycle_stage: str = "active"

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Run":
        latest = {name: Metric.from_json(point) for name, point in (data.get("metrics") or {}).items()}
        pipeline = data.get("pipeline") or {}
        return cls(
            run_id=data["run_id"],
            experiment_id=data["experiment_id"],
            run_name=data.get("run_name", ""),
            status=data.get("status", "RUNNING"),
            lifecycle_stage=data.get("lifecycle_stage", "active"),
            start_time=data.get("start_time"),
            end_time=data.get("end_time"),
            duration_ms=data.get("duration_ms"),
            tags=dict(data.get("tags") or {}),
            params=dict(data.get("params") or {}),
            metrics={name: point.value for name, point in latest.items()},
            latest_metrics=latest,
            artifacts=[Artifact.from_json(item) for item in data.get("artifacts") or []],
            git_commit=data.get("git_commit"),
            code_version=data.get("code_version"),
            parent_run_id=data.get("parent_run_id"),
            pipeline_config=pipeline.get("pipeline_config"),
            pipeline_components=[PipelineComponent.from_json(c) for c in pipeline.get("pipeline_components") or []],
        )

    def _update_from(self, other: "Run") -> None:
        for name in other.__dataclass_fields__:
            setattr(self, name, getattr(other, name))
