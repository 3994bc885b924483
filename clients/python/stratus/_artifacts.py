"""Artifact uploads and downloads through the presigned URLs the API hands out.

Small files go up in one PUT; large ones follow the service's multipart plan,
parts uploaded in parallel by a thread pool, each part retried on its own. The
bearer token never goes to the storage URLs: they carry their own signature.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, Callable, Dict, List, Optional

from ._http import Response, Transport, error_from_response, send
from .errors import StratusConnectionError
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


def download(
    transport: Transport,
    run_id: str,
    artifact_path: str,
    destination: str,
    progress: Optional[ProgressCallback],
) -> str:
    """Downloads to `destination` (a file, or a directory to put the file in); returns the file written."""
    link = transport.json("GET", f"/runs/{run_id}/artifacts/download", query={"path": artifact_path})
    if os.path.isdir(destination):
        destination = os.path.join(destination, os.path.basename(artifact_path))
    total = int(link.get("size_bytes") or 0)
    partial = destination + ".part"
    request = urllib.request.Request(link["url"], method="GET")
    done = 0
    if progress:
        progress(0, total)
    try:
        with urllib.request.urlopen(request, timeout=transport.timeout) as answer, open(partial, "wb") as out:
            for chunk in iter(lambda: answer.read(_CHUNK), b""):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except urllib.error.HTTPError as error:
        os.unlink(partial)
        raise error_from_response(Response(error.code, {}, error.read())) from None
    except (urllib.error.URLError, OSError) as error:
        if os.path.exists(partial):
            os.unlink(partial)
        raise StratusConnectionError(f"download of {artifact_path} failed: {error}") from None
    os.replace(partial, destination)
    return destination
