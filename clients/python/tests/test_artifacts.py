"""Artifacts (SDK and CLI) against the artifacts API (branch `artifacts`) and its S3 server."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from support import cli_runner

from stratus import ExperimentTracker, NotFoundError
from stratus.cli.commands import cli

MiB = 1024 * 1024


def random_file(path, size: int) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return str(path)


def sha256(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_small_artifact_round_trip(tracker: ExperimentTracker, experiment_name, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    local = random_file(tmp_path / "models" / "model.pkl", 10_000)
    run = tracker.start_run(experiment_name)
    artifact = tracker.log_artifact("models/model.pkl", artifact_type="model")
    assert artifact.path == "models/model.pkl" and artifact.size_bytes == 10_000 and artifact.status == "COMPLETE"
    tracker.log_artifact(str(random_file(tmp_path / "roc.png", 500)), artifact_type="plot")
    tracker.end_run()

    stored = tracker.get_run(run.run_id)
    assert sorted(a.path for a in stored.artifacts) == ["models/model.pkl", "roc.png"]
    assert {a.path: a.artifact_type for a in stored.artifacts}["roc.png"] == "plot"
    assert [a.path for a in tracker.list_artifacts(run.run_id, prefix="models/")] == ["models/model.pkl"]

    written = tracker.download_artifact("models/model.pkl", str(tmp_path / "copy.pkl"), run_id=run.run_id)
    assert sha256(written) == sha256(local)
    with pytest.raises(NotFoundError):
        tracker.download_artifact("nope.bin", str(tmp_path), run_id=run.run_id)


def test_large_artifact_goes_up_in_parallel_parts(tracker: ExperimentTracker, experiment_name, tmp_path, monkeypatch) -> None:
    # The test stack plans multipart above 5 MiB with 5 MiB parts: this file is 3 parts.
    local = random_file(tmp_path / "big.bin", 12 * MiB + 123)
    from stratus import _artifacts

    puts = []
    real_put = _artifacts._put_region
    monkeypatch.setattr(_artifacts, "_put_region", lambda *args: puts.append(args[4]) or real_put(*args))
    progress = []
    run = tracker.start_run(experiment_name)
    artifact = tracker.log_artifact(local, artifact_type="data", progress=lambda done, total: progress.append((done, total)))
    tracker.end_run()
    assert artifact.size_bytes == 12 * MiB + 123 and artifact.status == "COMPLETE"
    assert progress[0] == (0, 12 * MiB + 123) and progress[-1] == (12 * MiB + 123, 12 * MiB + 123)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert sorted(puts) == [2 * MiB + 123, 5 * MiB, 5 * MiB]  # three part PUTs, by length
    (tmp_path / "out").mkdir()
    written = tracker.download_artifact("big.bin", str(tmp_path / "out"), run_id=run.run_id)
    assert written == str(tmp_path / "out" / "big.bin") and sha256(written) == sha256(local)


def test_cli_artifacts_upload_list_download(env, tracker: ExperimentTracker, experiment_name, tmp_path) -> None:
    run = tracker.start_run(experiment_name)
    report = random_file(tmp_path / "report.html", 2048)
    runner = cli_runner()

    def stratus(*args: str, expect: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == expect, result.output + result.stderr
        return result

    uploaded = json.loads(stratus("artifacts", "upload", run.run_id, report, "--type", "report", "--path", "docs/report.html", "--json").stdout)
    assert uploaded[0]["path"] == "docs/report.html" and uploaded[0]["artifact_type"] == "report"
    listed = stratus("artifacts", "list", run.run_id).stdout
    assert "docs/report.html" in listed and "2.0 KiB" in listed
    as_csv = stratus("artifacts", "list", run.run_id, "--csv").stdout.splitlines()
    assert as_csv[0].startswith("path,artifact_type,size_bytes") and as_csv[1].startswith("docs/report.html,report,2048")
    out = tmp_path / "downloads"
    out.mkdir()
    printed = stratus("artifacts", "download", run.run_id, "docs/report.html", "-o", str(out)).stdout.strip()
    assert printed == str(out / "report.html") and sha256(printed) == sha256(report)
    missing = stratus("artifacts", "download", run.run_id, "nope.txt", "-o", str(out), expect=1)
    assert missing.stderr.startswith("stratus: error:") and missing.stderr.count("\n") == 1
    tracker.end_run()
