"""The first seed's storage and database arguments, and what they mean with Stratus.

The seed builds its tracker from a storage backend and a database connection::

    storage = FileSystemStorage(base_path="experiments/artifacts")
    db = get_db_connection()
    tracker = ExperimentTracker(storage_backend=storage, db_connection=db)

With Stratus the service is the database and its S3 bucket the artifact store,
so both arguments map as follows:

- ``db_connection``: :func:`get_db_connection` returns the service's endpoint
  and token (``STRATUS_ENDPOINT`` / ``STRATUS_TOKEN`` by default); the tracker
  (and the model registry) talk to that service. Any other object (a sqlite3 or
  SQLAlchemy connection) is refused with a TypeError that says so: runs are not
  written to your database. For SQL over your runs use ``stratus export --sqlite``.
- ``storage_backend``: every artifact still goes to the service (that is what
  ``download_artifact`` and the CLI read), and the backend receives **a copy**:
  ``FileSystemStorage`` writes it under ``base_path/<run_id>/<artifact path>``,
  a custom :class:`StorageBackend` gets ``save_artifact(bytes, path)`` with the
  same path and returns a URI; ``log_artifact`` returns it as ``copy_uri`` of
  the :class:`~stratus.Artifact`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Optional


class StorageBackend:
    """The seed's storage interface. Subclass it to receive a copy of every artifact logged.

    Keyword arguments become attributes (``S3Storage(bucket="my-experiments").bucket``), as the
    seed's ``S3Storage(bucket=...)`` expects of its base class.
    """

    def __init__(self, **options: object) -> None:
        for name, value in options.items():
            setattr(self, name, value)

    def save_artifact(self, artifact: bytes, path: str) -> str:
        """Stores `artifact` under `path` (``<run_id>/<artifact path>``); returns where it went."""
        raise NotImplementedError

    def load_artifact(self, uri: str) -> bytes:
        """The bytes stored at `uri` (a value ``save_artifact`` returned)."""
        raise NotImplementedError

    def save_file(self, local_path: str, path: str) -> str:
        """Stores a local file; by default reads it and calls :meth:`save_artifact`."""
        with open(local_path, "rb") as handle:
            return self.save_artifact(handle.read(), path)


class FileSystemStorage(StorageBackend):
    """Copies artifacts under `base_path` (created when missing), keeping each run's folders."""

    def __init__(self, base_path: str = "experiments/artifacts") -> None:
        super().__init__()
        self.base_path = base_path

    def _target(self, path: str) -> str:
        target = os.path.normpath(os.path.join(self.base_path, *path.split("/")))
        if os.path.commonpath([os.path.abspath(target), os.path.abspath(self.base_path)]) != os.path.abspath(self.base_path):
            raise ValueError(f"artifact path {path!r} leaves {self.base_path!r}")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        return target

    def save_artifact(self, artifact: bytes, path: str) -> str:
        target = self._target(path)
        with open(target, "wb") as handle:
            handle.write(artifact)
        return target

    def save_file(self, local_path: str, path: str) -> str:
        target = self._target(path)
        shutil.copyfile(local_path, target)
        return target

    def load_artifact(self, uri: str) -> bytes:
        with open(uri, "rb") as handle:
            return handle.read()


@dataclass(frozen=True)
class ServiceConnection:
    """Where the Stratus service is: what the seed's ``db_connection`` stands for."""

    endpoint: Optional[str]
    token: Optional[str]


def get_db_connection(endpoint: Optional[str] = None, token: Optional[str] = None) -> ServiceConnection:
    """The seed's ``get_db_connection()``: the service's endpoint and token (default: the environment)."""
    return ServiceConnection(endpoint or os.environ.get("STRATUS_ENDPOINT"), token or os.environ.get("STRATUS_TOKEN"))


def check_db_connection(db_connection: object) -> Optional[ServiceConnection]:
    if db_connection is None or isinstance(db_connection, ServiceConnection):
        return db_connection
    raise TypeError(
        f"db_connection={type(db_connection).__name__}(...) is not used by Stratus: runs live in the Stratus "
        "service, not in your database. Pass stratus.get_db_connection() (the service's endpoint and token) "
        "or nothing; for SQL over your runs, run `stratus export --sqlite FILE`."
    )


def check_storage_backend(storage_backend: object) -> Optional[StorageBackend]:
    if storage_backend is None or isinstance(storage_backend, StorageBackend):
        return storage_backend
    raise TypeError(
        f"storage_backend={type(storage_backend).__name__}(...) is not a stratus.storage.StorageBackend: "
        "artifacts always go to the Stratus service's bucket; a backend only receives a copy. Subclass "
        "stratus.storage.StorageBackend (save_artifact, load_artifact) or use FileSystemStorage(base_path=...)."
    )
