"""Artifact uploads and downloads through the presigned URLs the API hands out.

Small files go up in one PUT; large ones follow the service's multipart plan,
parts uploaded in parallel by a thread pool, each part retried on its own. The
bearer token never goes to the storage URLs: they carry their own signature.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

from ._http import Response, Transport, error_from_response, send
from .errors import StratusConnectionError, StratusError
from .models import Artifact

#: progress(bytes_done, total_bytes)
ProgressCallback = Callable[[int, int], None]

_CHUNK = 1024 * 1024


def file_sha256(local_path: str) -> str:
    digest = hashlib.sha256()
    with open(local_path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def artifact_path_for(local_path: str) -> str:
    """A relative local path keeps its folders (`plots/roc.png`); an absolute one or one leaving the
    working directory keeps only its file name."""
    normal = os.path.normpath(local_path).replace(os.sep, "/")
    if os.path.isabs(local_path) or normal.startswith("../") or normal == "..":
        return os.path.basename(normal)
    return normal


class _Progress:
    def __init__(self, total: int, callback: Optional[ProgressCallback]) -> None:
        self.total = total
        self.done = 0
        self._callback = callback
        self._lock = threading.Lock()

    def advance(self, count: int) -> None:
        if not self._callback or count <= 0:
            return
        # Called under the lock: parts advance from several threads, and a late call with an
        # older count would move a progress bar backwards.
        with self._lock:
            self.done += count
            self._callback(self.done, self.total)

    def rewind(self, count: int) -> None:
        """A retried part will be read again."""
        with self._lock:
            self.done -= count


class _CountingReader:
    """A file region that reports bytes as http.client reads them."""

    def __init__(self, handle: IO[bytes], limit: int, progress: _Progress) -> None:
        self._handle = handle
        self._left = limit
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(size)
        self._left -= len(data)
        self._progress.advance(len(data))
        return data


def _put_region(
    transport: Transport,
    url: str,
    local_path: str,
    offset: int,
    length: int,
    headers: Dict[str, str],
    progress: _Progress,
) -> Response:
    def attempt() -> Response:
        with open(local_path, "rb") as handle:
            handle.seek(offset)
            reader = _CountingReader(handle, length, progress)
            all_headers = {"content-length": str(length), **headers}
            try:
                response = send("PUT", url, reader, all_headers, transport.timeout)  # type: ignore[arg-type]
            except Exception:
                progress.rewind(length - reader._left)
                raise
            if response.status >= 400:
                progress.rewind(length - reader._left)
            return response

    response, _ = transport.with_retries(attempt)
    return response


def upload(
    transport: Transport,
    run_id: str,
    local_path: str,
    *,
    artifact_path: str,
    artifact_type: str,
    content_type: Optional[str],
    progress: Optional[ProgressCallback],
    workers: int,
) -> Artifact:
    size = os.path.getsize(local_path)
    body: Dict[str, Any] = {
        "path": artifact_path,
        "artifact_type": artifact_type,
        "size_bytes": size,
        "content_type": content_type or mimetypes.guess_type(local_path)[0] or "application/octet-stream",
        "sha256": file_sha256(local_path),
    }
    run_path = f"/runs/{run_id}/artifacts"
    plan = transport.json("POST", run_path, json_body=body)
    upload_plan = plan["upload"]
    tracker = _Progress(size, progress)
    if progress:
        progress(0, size)
    if upload_plan["kind"] == "single":
        _put_region(transport, upload_plan["url"], local_path, 0, size, dict(upload_plan.get("headers") or {}), tracker)
        complete = transport.json("POST", f"{run_path}/complete", json_body={"path": artifact_path})
        return Artifact.from_json(complete)

    upload_id = upload_plan["upload_id"]
    part_size = int(upload_plan["part_size_bytes"])

    def put_part(part: Dict[str, Any]) -> Dict[str, Any]:
        number = int(part["part_number"])
        offset = (number - 1) * part_size
        response = _put_region(transport, part["url"], local_path, offset, int(part["size_bytes"]), {}, tracker)
        etag = response.headers.get("etag")
        if not etag:
            raise error_from_response(Response(502, {}, b"storage answered a part upload without an ETag"))
        return {"part_number": number, "etag": etag}

    try:
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="stratus-upload") as pool:
            parts: List[Dict[str, Any]] = list(pool.map(put_part, upload_plan["parts"]))
        complete = transport.json(
            "POST",
            f"{run_path}/complete",
            json_body={"path": artifact_path, "upload_id": upload_id, "parts": sorted(parts, key=lambda p: p["part_number"])},
        )
    except BaseException:
        try:
            transport.request("POST", f"{run_path}/abort", json_body={"path": artifact_path, "upload_id": upload_id})
        except Exception:
            pass  # the original failure is what the caller needs to see
        raise
    return Artifact.from_json(complete)


class _SharedProgress(_Progress):
    """One bar for several files: `advance` always reports the sum over all of them."""

    def advance(self, count: int) -> None:
        if not self._callback or count == 0:
            return
        with self._lock:
            self.done += count
            self._callback(self.done, self.total)


def storage_error(status: int, body: bytes, what: str) -> StratusError:
    """A storage (S3) refusal with its real cause: S3 answers XML (`<Code>`, `<Message>`), not the API's JSON."""
    text = body[:2000].decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    cause = f"{code.group(1) if code else f'HTTP {status}'}" + (f": {message.group(1)}" if message else "")
    if status == 403 and ("expired" in text.lower() or (code and code.group(1) == "AccessDenied" and not message)):
        return StratusError(status, "storage.link_expired", f"the download link for {what} expired before it was used ({cause})")
    return StratusError(status, "storage.refused", f"storage refused {what}: {cause}")


def _link_is_expired(error: StratusError) -> bool:
    return error.code == "storage.link_expired"


def _fetch_to(
    transport: Transport,
    run_id: str,
    artifact_path: str,
    target: str,
    expected_sha256: Optional[str],
    progress: _Progress,
) -> None:
    """Streams one artifact into `target` (through `target.part`), verifying its SHA-256 when it is known.

    A link that expired before it was used (a long queue of files) is asked for again, once.
    """
    for attempt in (1, 2):
        link = transport.json("GET", f"/runs/{run_id}/artifacts/download", query={"path": artifact_path})
        partial = target + ".part"
        digest = hashlib.sha256()
        received = 0
        try:
            request = urllib.request.Request(link["url"], method="GET")
            with urllib.request.urlopen(request, timeout=transport.timeout) as answer, open(partial, "wb") as out:
                for chunk in iter(lambda: answer.read(_CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    progress.advance(len(chunk))
        except urllib.error.HTTPError as error:
            progress.advance(-received)
            _remove(partial)
            failure = storage_error(error.code, error.read() if error.fp else b"", artifact_path)
            if attempt == 1 and _link_is_expired(failure):
                continue
            raise failure from None
        except (urllib.error.URLError, OSError) as error:
            progress.advance(-received)
            _remove(partial)
            if isinstance(error, OSError) and not isinstance(error, urllib.error.URLError) and error.filename:
                raise  # a local problem (disk full, permissions): the caller needs the real OSError
            raise StratusConnectionError(f"download of {artifact_path} failed: {error}") from None
        if expected_sha256 and digest.hexdigest() != expected_sha256:
            _remove(partial)
            raise StratusError(
                None,
                "artifact.checksum_mismatch",
                f"{artifact_path}: the downloaded bytes have SHA-256 {digest.hexdigest()}, "
                f"not the {expected_sha256} recorded at upload; nothing was written",
            )
        os.replace(partial, target)
        return


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class ArtifactExistsError(FileExistsError):
    """Downloads would replace existing files; nothing was fetched."""

    def __init__(self, paths: List[str]) -> None:
        self.paths = paths
        super().__init__(f"{self.describe()}; nothing was downloaded (overwrite=True replaces them)")

    def describe(self) -> str:
        if len(self.paths) == 1:
            return f"{self.paths[0]} already exists"
        others = len(self.paths) - 1
        return f"{self.paths[0]} and {others} more file{'s' if others > 1 else ''} already exist"


def plan_downloads(artifacts: List[Artifact], path: str, destination: str) -> List[Tuple[Artifact, str]]:
    """Where each artifact goes: the file `path` itself into `destination` (a directory, or a file name when
    it does not end with a separator and is not a directory), or each file under the folder `path` at its
    path relative to that folder."""
    exact = [artifact for artifact in artifacts if artifact.path == path]
    if exact:
        is_dir = os.path.isdir(destination) or destination.endswith(("/", os.sep))
        target = os.path.join(destination, os.path.basename(path)) if is_dir else destination
        return [(exact[0], target)]
    folder = path.rstrip("/")
    prefix = folder + "/" if folder else ""
    root = os.path.abspath(destination)
    planned = []
    for artifact in artifacts:
        if not artifact.path.startswith(prefix):
            continue
        target = os.path.join(root, *artifact.path[len(prefix) :].split("/"))
        if os.path.commonpath([os.path.abspath(target), root]) != root:  # pragma: no cover - paths are checked on upload
            raise ValueError(f"artifact path {artifact.path!r} would leave {destination!r}")
        planned.append((artifact, target))
    return planned


def download_all(
    transport: Transport,
    run_id: str,
    planned: List[Tuple[Artifact, str]],
    *,
    workers: int,
    overwrite: bool,
    progress: Optional[ProgressCallback],
) -> List[str]:
    """Downloads every (artifact, target) in parallel, one progress total for all; returns the files written.

    Nothing is overwritten without `overwrite`: existing targets are reported before anything is fetched.
    """
    if not overwrite:
        existing = [target for _, target in planned if os.path.exists(target)]
        if existing:
            raise ArtifactExistsError(existing)
    for _, target in planned:
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    shared = _SharedProgress(sum(artifact.size_bytes for artifact, _ in planned), progress)
    if progress:
        progress(0, shared.total)

    def fetch(item: Tuple[Artifact, str]) -> str:
        artifact, target = item
        _fetch_to(transport, run_id, artifact.path, target, artifact.sha256, shared)
        return target

    if not planned:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(planned))), thread_name_prefix="stratus-download") as pool:
        return list(pool.map(fetch, planned))
