"""The model registry: registered models, immutable numbered versions, aliases and their history.

    from stratus import ModelRegistry
    registry = ModelRegistry()                  # STRATUS_ENDPOINT, STRATUS_TOKEN
    version = registry.register_model(model_name="risk", model_path="model.pkl",
                                      metadata={"run_id": run.run_id, "accuracy": 0.93})
    registry.set_alias("risk", "champion", version.version)
    model = registry.load("risk", "champion")    # downloads, checks every SHA-256, unpickles

A version points at a run's artifacts (one file, or a folder of them) and
records each file's size and SHA-256; those artifacts can no longer be deleted
while the version exists. Downloads are checked against the recorded checksums.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Union

from . import _artifacts
from ._http import Response, RetryPolicy, Transport, error_from_response
from .errors import NotFoundError, StratusConnectionError, StratusError
from .storage import check_db_connection

VersionRef = Union[int, str]

_CHUNK = 1024 * 1024


@dataclass
class ModelVersionFile:
    """One file of a version: its place under the version, its run artifact path and its fingerprint."""

    path: str
    artifact_path: str
    size_bytes: int
    sha256: str
    sha256_source: str

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "ModelVersionFile":
        return cls(data["path"], data["artifact_path"], int(data["size_bytes"]), data["sha256"], data["sha256_source"])


@dataclass
class ModelVersion:
    name: str
    version: int
    # None for a prompt's version (MLflow's prompt registry): it has no run and no files.
    run_id: Optional[str]
    experiment_id: Optional[str]
    artifact_path: Optional[str]
    # "file", "folder" or "prompt"
    source_kind: str
    status: str
    files: List[ModelVersionFile] = field(default_factory=list)
    aliases: List[str] = field(default_factory=list)
    tags: Dict[str, str] = field(default_factory=dict)
    metadata: Optional[Dict[str, Any]] = None
    description: Optional[str] = None
    created_at: Optional[int] = None
    updated_at: Optional[int] = None
    created_by: Optional[str] = None

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "ModelVersion":
        source = data["source"]
        return cls(
            name=data["name"],
            version=int(data["version"]),
            run_id=source.get("run_id"),
            experiment_id=source.get("experiment_id"),
            artifact_path=source.get("artifact_path"),
            source_kind=source["kind"],
            status=data["status"],
            files=[ModelVersionFile.from_json(item) for item in data.get("files") or []],
            aliases=list(data.get("aliases") or []),
            tags=dict(data.get("tags") or {}),
            metadata=data.get("metadata"),
            description=data.get("description"),
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
            created_by=(data.get("created_by") or {}).get("token_id"),
        )

    @property
    def size_bytes(self) -> int:
        return sum(file.size_bytes for file in self.files)

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


@dataclass
class RegisteredModel:
    name: str
    latest_version: int
    aliases: Dict[str, int] = field(default_factory=dict)
    tags: Dict[str, str] = field(default_factory=dict)
    description: Optional[str] = None
    created_at: Optional[int] = None
    updated_at: Optional[int] = None

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "RegisteredModel":
        return cls(
            name=data["name"],
            latest_version=int(data.get("latest_version") or 0),
            aliases={item["alias"]: int(item["version"]) for item in data.get("aliases") or []},
            tags=dict(data.get("tags") or {}),
            description=data.get("description"),
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
        )


@dataclass
class AliasEvent:
    """One move of an alias: ``change`` is ``set``, ``deleted`` or ``version_deleted``."""

    alias: str
    change: str
    from_version: Optional[int]
    to_version: Optional[int]
    at: int
    by: Optional[str]

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "AliasEvent":
        return cls(
            alias=data["alias"],
            change=data["change"],
            from_version=data.get("from_version"),
            to_version=data.get("to_version"),
            at=int(data["at"]),
            by=(data.get("by") or {}).get("token_id"),
        )


class ChecksumMismatchError(StratusError):
    """A downloaded file does not have the size or SHA-256 its version recorded."""

    def __init__(self, message: str) -> None:
        super().__init__(None, "model_version.checksum_mismatch", message)


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


class ModelRegistry:
    """A client for the registry of one Stratus workspace.

    ``endpoint`` and ``token`` fall back to the seed's ``db_connection``
    (``stratus.get_db_connection()``), then to ``STRATUS_ENDPOINT`` and ``STRATUS_TOKEN``.
    Pass ``tracker`` to register from its active run when no ``run_id`` is given.
    Unlike metric logging, every registry call raises on failure: a registration
    that did not happen must not look as if it did.
    """

    def __init__(
        self,
        endpoint: Optional[str] = None,
        token: Optional[str] = None,
        *,
        tracker: Any = None,
        db_connection: Any = None,
        timeout: float = 30.0,
        retry: Optional[RetryPolicy] = None,
        upload_workers: int = 4,
    ) -> None:
        connection = check_db_connection(db_connection)
        if tracker is not None and endpoint is None and token is None and connection is None:
            self.transport: Transport = tracker.transport
        else:
            endpoint = endpoint or (connection.endpoint if connection else None) or os.environ.get("STRATUS_ENDPOINT")
            token = token or (connection.token if connection else None) or os.environ.get("STRATUS_TOKEN")
            if not endpoint:
                raise ValueError("no endpoint: pass endpoint=... or set STRATUS_ENDPOINT")
            if not token:
                raise ValueError("no token: pass token=... or set STRATUS_TOKEN")
            self.transport = Transport(endpoint, token, timeout=timeout, retry=retry)
        self.tracker = tracker
        self.upload_workers = upload_workers

    # ----- registered models -----

    def create_model(
        self, name: str, description: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None
    ) -> RegisteredModel:
        """Creates a registered model; a taken name raises ConflictError."""
        body: Dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        if tags:
            body["tags"] = {key: str(value) for key, value in tags.items()}
        return RegisteredModel.from_json(self.transport.json("POST", "/models", json_body=body, idempotent=False))

    def get_model(self, name: str) -> RegisteredModel:
        return RegisteredModel.from_json(self.transport.json("GET", f"/models/{_quote(name)}"))

    def iter_models(
        self,
        name_prefix: Optional[str] = None,
        name_contains: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        page_size: int = 100,
    ) -> Iterator[RegisteredModel]:
        query: Dict[str, Any] = {"name_prefix": name_prefix, "name_contains": name_contains, "max_results": page_size}
        for key, value in (tags or {}).items():
            query[f"tag.{key}"] = str(value)
        for item in self._pages("/models", "models", query):
            yield RegisteredModel.from_json(item)

    def list_models(
        self,
        name_prefix: Optional[str] = None,
        name_contains: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        max_results: Optional[int] = None,
    ) -> List[RegisteredModel]:
        """Models in name order; ``name_contains`` ignores case, ``tags`` must all match."""
        models = self.iter_models(name_prefix, name_contains, tags)
        return [model for _, model in zip(range(max_results), models)] if max_results else list(models)

    def update_model(
        self,
        name: str,
        *,
        description: Optional[str] = None,
        tags: Optional[Mapping[str, Optional[str]]] = None,
        new_name: Optional[str] = None,
    ) -> RegisteredModel:
        """Changes the description, sets tags (a value of None deletes that tag) and renames."""
        body: Dict[str, Any] = {}
        if description is not None:
            body["description"] = description
        if tags:
            body["tags"] = {key: (None if value is None else str(value)) for key, value in tags.items()}
        if new_name is not None:
            body["new_name"] = new_name
        return RegisteredModel.from_json(self.transport.json("PATCH", f"/models/{_quote(name)}", json_body=body))

    def delete_model(self, name: str) -> None:
        """Deletes the model, all its versions and its alias history (needs an admin token)."""
        self.transport.request("DELETE", f"/models/{_quote(name)}")

    # ----- versions -----

    def register_model(
        self,
        model_name: str,
        model_path: str,
        metadata: Optional[Mapping[str, Any]] = None,
        *,
        run_id: Optional[str] = None,
        description: Optional[str] = None,
        tags: Optional[Mapping[str, Any]] = None,
        artifact_type: str = "model",
    ) -> ModelVersion:
        """Registers the next version of ``model_name`` (created if needed) from a run's artifact.

        ``model_path`` is a run artifact path: one file, or a folder of them. If the
        run has nothing there but ``model_path`` is a local file or directory, it is
        uploaded to the run first (under that path) and then registered. The run is
        ``run_id``, else ``metadata["run_id"]``, else the tracker's active run.
        ``metadata`` (e.g. the seed's experiment id, run id and accuracy) is kept
        with the version as it is.
        """
        target_run = run_id or (metadata or {}).get("run_id") or self._active_run_id()
        if not target_run:
            raise ValueError("no run: pass run_id=..., metadata={'run_id': ...} or a tracker with an active run")
        self._ensure_model(model_name)
        body: Dict[str, Any] = {"run_id": target_run, "artifact_path": self._artifact_path(model_path)}
        if metadata is not None:
            body["metadata"] = dict(metadata)
        if description is not None:
            body["description"] = description
        if tags:
            body["tags"] = {key: str(value) for key, value in tags.items()}
        path = f"/models/{_quote(model_name)}/versions"
        try:
            created = self.transport.json("POST", path, json_body=body, idempotent=False)
        except NotFoundError as error:
            if error.code != "artifact.not_found" or not os.path.exists(model_path):
                raise
            self._upload(target_run, model_path, body["artifact_path"], artifact_type)
            created = self.transport.json("POST", path, json_body=body, idempotent=False)
        return ModelVersion.from_json(created)

    def get_model_version(self, name: str, version: VersionRef) -> ModelVersion:
        """A version by number, by alias (``"champion"``) or ``"latest"``."""
        return ModelVersion.from_json(self.transport.json("GET", self._version_path(name, version)))

    def iter_model_versions(self, name: str, page_size: int = 100) -> Iterator[ModelVersion]:
        for item in self._pages(f"/models/{_quote(name)}/versions", "versions", {"max_results": page_size}):
            yield ModelVersion.from_json(item)

    def list_model_versions(self, name: str, max_results: Optional[int] = None) -> List[ModelVersion]:
        """Newest first."""
        versions = self.iter_model_versions(name)
        return [v for _, v in zip(range(max_results), versions)] if max_results else list(versions)

    def update_model_version(
        self,
        name: str,
        version: int,
        *,
        description: Optional[str] = None,
        tags: Optional[Mapping[str, Optional[str]]] = None,
    ) -> ModelVersion:
        """Changes description and tags; a version's files never change."""
        body: Dict[str, Any] = {}
        if description is not None:
            body["description"] = description
        if tags:
            body["tags"] = {key: (None if value is None else str(value)) for key, value in tags.items()}
        path = f"/models/{_quote(name)}/versions/{int(version)}"
        return ModelVersion.from_json(self.transport.json("PATCH", path, json_body=body))

    def delete_model_version(self, name: str, version: int) -> None:
        """Deletes a version (needs an admin token); aliases on it are removed and its number is never reused."""
        self.transport.request("DELETE", f"/models/{_quote(name)}/versions/{int(version)}")

    # ----- aliases -----

    def set_alias(self, name: str, alias: str, version: int) -> RegisteredModel:
        """Points ``alias`` at ``version``, moving it if it pointed elsewhere; the move is recorded."""
        path = f"/models/{_quote(name)}/aliases/{_quote(alias)}"
        return RegisteredModel.from_json(self.transport.json("PUT", path, json_body={"version": int(version)}))

    def delete_alias(self, name: str, alias: str) -> None:
        self.transport.request("DELETE", f"/models/{_quote(name)}/aliases/{_quote(alias)}")

    def alias_history(
        self, name: str, alias: Optional[str] = None, until: Optional[int] = None, max_results: Optional[int] = None
    ) -> List[AliasEvent]:
        """Alias moves, newest first; ``until`` (epoch ms) keeps only moves up to then, so the first
        event for an alias says where it stood at that time."""
        query = {"alias": alias, "until": until, "max_results": 100}
        events = (AliasEvent.from_json(item) for item in self._pages(f"/models/{_quote(name)}/alias-history", "events", query))
        return [e for _, e in zip(range(max_results), events)] if max_results else list(events)

    # ----- files -----

    def download(self, name: str, alias_or_version: VersionRef = "latest", dest: str = ".") -> str:
        """Downloads a version's files into the directory ``dest`` and checks each one's size and
        SHA-256 against the version; returns the file (one-file versions) or ``dest`` (folders)."""
        ref = self._version_path(name, alias_or_version)
        version = ModelVersion.from_json(self.transport.json("GET", ref))
        links = self.transport.json("GET", f"/models/{_quote(name)}/versions/{version.version}/download")
        os.makedirs(dest, exist_ok=True)
        root = os.path.realpath(dest)
        written = []
        for item in links["files"]:
            target = os.path.realpath(os.path.join(root, *item["path"].split("/")))
            if os.path.commonpath([root, target]) != root:
                raise StratusError(None, "model_version.invalid_path", f"refusing to write {item['path']!r} outside {dest}")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _fetch_verified(self.transport, item["url"], target, int(item["size_bytes"]), item["sha256"])
            written.append(target)
        if version.source_kind == "file" and len(written) == 1:
            return written[0]
        return root

    def load(self, name: str, alias_or_version: VersionRef = "latest", *, dest: Optional[str] = None) -> Any:
        """Downloads a version (checked) and loads it: an MLflow model folder with ``mlflow.pyfunc``,
        a ``.pkl``/``.pickle`` file with pickle, ``.joblib`` with joblib, ``.json`` as JSON; anything
        else is returned as its local path. Unpickling runs code: load only models you trust."""
        path = self.download(name, alias_or_version, dest or tempfile.mkdtemp(prefix="stratus-model-"))
        if os.path.isdir(path):
            if os.path.exists(os.path.join(path, "MLmodel")):
                import mlflow.pyfunc  # type: ignore[import-not-found]

                return mlflow.pyfunc.load_model(path)
            return path
        lower = path.lower()
        if lower.endswith((".pkl", ".pickle")):
            with open(path, "rb") as handle:
                return pickle.load(handle)
        if lower.endswith(".joblib"):
            import joblib  # type: ignore[import-not-found]

            return joblib.load(path)
        if lower.endswith(".json"):
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        return path

    # ----- helpers -----

    def _version_path(self, name: str, ref: VersionRef) -> str:
        base = f"/models/{_quote(name)}"
        if isinstance(ref, int) or (isinstance(ref, str) and re.fullmatch(r"[1-9]\d*", ref)):
            return f"{base}/versions/{int(ref)}"
        if ref == "latest":
            latest = self.get_model(name).latest_version
            newest = self.list_model_versions(name, max_results=1) if latest else []
            if not newest:
                raise NotFoundError(404, "model_version.not_found", f"registered model '{name}' has no versions")
            return f"{base}/versions/{newest[0].version}"
        return f"{base}/aliases/{_quote(ref)}"

    def _ensure_model(self, name: str) -> None:
        try:
            self.get_model(name)
        except NotFoundError:
            try:
                self.create_model(name)
            except StratusError as error:
                if error.code != "registered_model.exists":  # created by someone else meanwhile
                    raise

    def _active_run_id(self) -> Optional[str]:
        active = getattr(self.tracker, "active_run", None) if self.tracker is not None else None
        run = active() if callable(active) else active
        return getattr(run, "run_id", None)

    @staticmethod
    def _artifact_path(model_path: str) -> str:
        return _artifacts.artifact_path_for(model_path) if os.path.exists(model_path) else model_path.strip("/")

    def _upload(self, run_id: str, local_path: str, artifact_path: str, artifact_type: str) -> None:
        if os.path.isfile(local_path):
            files = [(local_path, artifact_path)]
        else:
            files = []
            for folder, _, names in os.walk(local_path):
                for file_name in sorted(names):
                    full = os.path.join(folder, file_name)
                    relative = os.path.relpath(full, local_path).replace(os.sep, "/")
                    files.append((full, f"{artifact_path}/{relative}"))
        for full, path in files:
            _artifacts.upload(
                self.transport,
                run_id,
                full,
                artifact_path=path,
                artifact_type=artifact_type,
                content_type=None,
                progress=None,
                workers=self.upload_workers,
            )

    def _pages(self, path: str, items: str, query: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        query = dict(query)
        while True:
            page = self.transport.json("GET", path, query=query)
            yield from page.get(items) or []
            token = page.get("next_page_token")
            if not token:
                return
            query["page_token"] = token


def _fetch_verified(transport: Transport, url: str, target: str, size: int, sha256: str) -> None:
    """GETs a presigned URL into ``target`` through a ``.part`` file, which becomes the file only if
    its size and SHA-256 are the recorded ones."""
    partial = target + ".part"
    digest = hashlib.sha256()
    count = 0
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=transport.timeout) as answer:
            with open(partial, "wb") as out:
                for chunk in iter(lambda: answer.read(_CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    count += len(chunk)
    except urllib.error.HTTPError as error:
        _remove(partial)
        raise error_from_response(Response(error.code, {}, error.read())) from None
    except (urllib.error.URLError, OSError) as error:
        _remove(partial)
        raise StratusConnectionError(f"download of {os.path.basename(target)} failed: {error}") from None
    if count != size or digest.hexdigest() != sha256:
        _remove(partial)
        raise ChecksumMismatchError(
            f"{os.path.basename(target)}: got {count} bytes with SHA-256 {digest.hexdigest()}, "
            f"the version recorded {size} bytes with SHA-256 {sha256}"
        )
    os.replace(partial, target)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
