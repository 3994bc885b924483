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


def test_folders_up_and_down(tracker: ExperimentTracker, experiment_name, tmp_path) -> None:
    folder = tmp_path / "results"
    files = {"metrics.json": 100, "plots/roc.png": 2000, "plots/deep/pr.png": 3000, "model.bin": 6 * MiB + 5}
    for relative, size in files.items():
        random_file(folder / relative, size)
    run = tracker.start_run(experiment_name)
    seen = []
    uploaded = tracker.log_artifacts(str(folder), artifact_path="results", progress=lambda d, t: seen.append((d, t)))
    tracker.end_run()
    assert sorted(a.path for a in uploaded) == sorted(f"results/{name}" for name in files)
    assert seen[-1] == (sum(files.values()), sum(files.values()))

    progress = []
    out = tmp_path / "new" / "place"  # does not exist yet: it is created
    written = tracker.download_artifacts(run.run_id, dest=str(out), progress=lambda d, t: progress.append((d, t)))
    assert sorted(written) == sorted(str(out / "results" / name) for name in files)
    for name in files:
        assert sha256(str(out / "results" / name)) == sha256(str(folder / name))
    assert progress[-1] == (sum(files.values()), sum(files.values()))
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)

    plots = tracker.download_artifacts(run.run_id, "results/plots", str(tmp_path / "plots-only"))
    assert sorted(plots) == sorted([str(tmp_path / "plots-only" / "roc.png"), str(tmp_path / "plots-only" / "deep" / "pr.png")])
    with pytest.raises(FileExistsError, match="already exist"):
        tracker.download_artifacts(run.run_id, "results/plots", str(tmp_path / "plots-only"))
    (tmp_path / "plots-only" / "roc.png").write_bytes(b"local edit")
    tracker.download_artifacts(run.run_id, "results/plots", str(tmp_path / "plots-only"), overwrite=True)
    assert sha256(str(tmp_path / "plots-only" / "roc.png")) == sha256(str(folder / "plots" / "roc.png"))
    with pytest.raises(NotFoundError):
        tracker.download_artifacts(run.run_id, "nothing/here", str(tmp_path / "x"))


def test_a_corrupted_download_leaves_nothing_behind(tracker: ExperimentTracker, experiment_name, tmp_path, monkeypatch) -> None:
    from stratus import StratusError, _artifacts

    run = tracker.start_run(experiment_name)
    tracker.log_artifact(random_file(tmp_path / "weights.bin", 5000), artifact_path="weights.bin")
    tracker.end_run()
    real = _artifacts.Artifact.from_json

    def wrong_checksum(data):
        artifact = real(data)
        artifact.sha256 = "0" * 64
        return artifact

    monkeypatch.setattr(_artifacts.Artifact, "from_json", staticmethod(wrong_checksum))
    with pytest.raises(StratusError, match="not the 0{64} recorded at upload; nothing was written"):
        tracker.download_artifacts(run.run_id, "weights.bin", str(tmp_path / "out"))  # a file name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.bin"]  # neither out nor out.part


class ExpiredStorage:
    """Answers every GET as the local S3 server answers an expired presigned URL (measured: docs/artifacts.md)."""

    BODY = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'

    def __init__(self) -> None:
        import http.server
        import threading

        body = self.BODY

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(403)
                self.send_header("content-type", "application/xml")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bucket/object?X-Amz-Expires=1"


def test_an_expired_link_is_asked_for_again_then_reported_as_expired(env, tracker: ExperimentTracker, experiment_name, tmp_path, monkeypatch) -> None:
    from stratus import StratusError

    run = tracker.start_run(experiment_name)
    local = random_file(tmp_path / "report.html", 3000)
    tracker.log_artifact(local, artifact_path="report.html")
    tracker.end_run()
    expired = ExpiredStorage()
    real_json = tracker.transport.json
    links = []

    def link_that_expired(method, path, **kwargs):
        answer = real_json(method, path, **kwargs)
        if path.endswith("/artifacts/download"):
            links.append(answer["url"])
            if len(links) <= expire_first:
                answer = {**answer, "url": expired.url}
        return answer

    monkeypatch.setattr(tracker.transport, "json", link_that_expired)
    expire_first = 1  # the first link expired in a queue: a fresh one is asked for and works
    written = tracker.download_artifacts(run.run_id, "report.html", str(tmp_path / "a") + "/")
    assert len(links) == 2 and sha256(written[0]) == sha256(local)

    links.clear()
    expire_first = 2  # every link expired (a clock far off, say): the cause is said, no ".part" is left
    with pytest.raises(StratusError) as raised:
        tracker.download_artifacts(run.run_id, "report.html", str(tmp_path / "b") + "/")
    assert raised.value.code == "storage.link_expired" and raised.value.status == 403
    assert "the download link for report.html expired before it was used (AccessDenied: Request has expired)" in str(raised.value)
    assert ".part" not in str(raised.value) and list((tmp_path / "b").iterdir()) == []

    links.clear()
    monkeypatch.setattr("stratus.cli.commands.ExperimentTracker", lambda *a, **k: tracker)
    result = cli_runner().invoke(cli, ["artifacts", "download", run.run_id, "report.html", "-o", str(tmp_path / "c") + "/"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "stratus: error: the download link for report.html expired before it was used "
        "(AccessDenied: Request has expired) [storage.link_expired, HTTP 403]"
    )


def test_cli_downloads_create_folders_and_never_overwrite_without_force(env, tracker: ExperimentTracker, experiment_name, tmp_path) -> None:
    run = tracker.start_run(experiment_name)
    folder = tmp_path / "plots"
    random_file(folder / "roc.png", 1000)
    random_file(folder / "pr.png", 1000)
    tracker.end_run()
    runner = cli_runner()
    uploaded = runner.invoke(cli, ["artifacts", "upload", run.run_id, str(folder), "--type", "plot", "--json"])
    assert uploaded.exit_code == 0, uploaded.stderr
    assert sorted(a["path"] for a in json.loads(uploaded.stdout)) == ["plots/pr.png", "plots/roc.png"]

    out = tmp_path / "out" / "deeper"
    first = runner.invoke(cli, ["artifacts", "download", run.run_id, "plots/roc.png", "-o", f"{out}/"])
    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip() == str(out / "roc.png")
    again = runner.invoke(cli, ["artifacts", "download", run.run_id, "plots/roc.png", "-o", f"{out}/"])
    assert again.exit_code == 1
    assert again.stderr.strip() == f"stratus: error: {out / 'roc.png'} already exists; nothing was downloaded (--force replaces them)"
    (out / "roc.png").write_bytes(b"mine")
    forced = runner.invoke(cli, ["artifacts", "download", run.run_id, "plots/roc.png", "-o", f"{out}/", "--force"])
    assert forced.exit_code == 0 and sha256(str(out / "roc.png")) == sha256(str(folder / "roc.png"))
    whole = runner.invoke(cli, ["artifacts", "download", run.run_id, "-o", str(tmp_path / "all")])
    assert whole.exit_code == 0 and sorted(whole.stdout.split()) == sorted(
        [str(tmp_path / "all" / "plots" / "pr.png"), str(tmp_path / "all" / "plots" / "roc.png")]
    )


def test_cli_download_of_several_paths_keeps_the_runs_layout(env, tracker: ExperimentTracker, experiment_name, tmp_path) -> None:
    """Files of one name in two folders both land (under their run paths), and a refusal downloads nothing."""
    run = tracker.start_run(experiment_name)
    for folder in ("a", "b"):
        random_file(tmp_path / "src" / "out" / folder / "x.txt", 500)
    random_file(tmp_path / "src" / "notes.txt", 10)
    tracker.log_artifacts(str(tmp_path / "src"))
    tracker.end_run()
    runner = cli_runner()

    out = tmp_path / "dl"
    several = ["out/a", "out/b/", "out/a/x.txt", "notes.txt"]  # overlapping PATHs: each file once
    both = runner.invoke(cli, ["artifacts", "download", run.run_id, *several, "-o", str(out)])
    assert both.exit_code == 0, both.stderr
    expected = [out / "notes.txt", out / "out" / "a" / "x.txt", out / "out" / "b" / "x.txt"]
    assert sorted(both.stdout.split()) == sorted(str(path) for path in expected)
    for folder in ("a", "b"):
        assert sha256(str(out / "out" / folder / "x.txt")) == sha256(str(tmp_path / "src" / "out" / folder / "x.txt"))

    (out / "out" / "b" / "x.txt").write_bytes(b"mine")
    again = runner.invoke(cli, ["artifacts", "download", run.run_id, "out/a", "out/b", "-o", str(out)])
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        f"stratus: error: {out / 'out' / 'a' / 'x.txt'} and 1 more file already exist; "
        "nothing was downloaded (--force replaces them)"
    )
    assert (out / "out" / "b" / "x.txt").read_bytes() == b"mine"

    fresh = tmp_path / "fresh"
    missing = runner.invoke(cli, ["artifacts", "download", run.run_id, "out/a", "nothing/here", "-o", str(fresh)])
    assert missing.exit_code == 1
    assert "has no artifacts at 'nothing/here'" in missing.stderr
    assert not fresh.exists()


def test_cli_download_prints_every_path_as_o_was_given(env, tracker: ExperimentTracker, experiment_name, tmp_path, monkeypatch) -> None:
    # `-o dl2` printed `dl2/confusion.png` for one file and `/abs/.../dl2/README.md` for a folder's.
    run = tracker.start_run(experiment_name)
    random_file(tmp_path / "src" / "plots" / "roc.png", 300)
    random_file(tmp_path / "src" / "data" / "art" / "notes.txt", 200)
    tracker.log_artifacts(str(tmp_path / "src"))
    tracker.end_run()
    monkeypatch.chdir(tmp_path)
    runner = cli_runner()

    def printed(*args: str) -> list:
        result = runner.invoke(cli, ["artifacts", "download", run.run_id, *args])
        assert result.exit_code == 0, result.stderr
        return result.stdout.split()

    assert printed("plots/roc.png", "-o", "one/") == [os.path.join("one", "roc.png")]
    assert printed("data", "-o", "folder") == [os.path.join("folder", "art", "notes.txt")]
    assert sorted(printed("plots", "data/art", "-o", "several")) == [
        os.path.join("several", "data", "art", "notes.txt"),
        os.path.join("several", "plots", "roc.png"),
    ]
    assert sorted(printed("-o", "all")) == [os.path.join("all", "data", "art", "notes.txt"), os.path.join("all", "plots", "roc.png")]
    assert printed("plots/roc.png") == ["roc.png"]  # the default, ., the working directory
    absolute = printed("data", "-o", str(tmp_path / "abs"))
    assert absolute == [str(tmp_path / "abs" / "art" / "notes.txt")]
    again = runner.invoke(cli, ["artifacts", "download", run.run_id, "data", "-o", "folder"])
    assert again.stderr.startswith(f"stratus: error: {os.path.join('folder', 'art', 'notes.txt')} already exists")


def on_a_terminal(args, env) -> str:
    """What `stratus ARGS` writes to stderr when stderr is a terminal (where progress bars are drawn)."""
    import pty
    import subprocess
    import sys

    main, secondary = pty.openpty()
    script = f"from stratus.cli import main; main({list(args)!r})"
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=secondary, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode(errors="replace")


def test_cli_download_draws_no_bar_before_an_error(env, tracker: ExperimentTracker, experiment_name, tmp_path) -> None:
    # An empty `nope/x.txt ━━━━ 0/? bytes` bar came before "has no artifacts" and "already exist" errors.
    run = tracker.start_run(experiment_name)
    random_file(tmp_path / "src" / "x.bin", 3000)
    tracker.log_artifacts(str(tmp_path / "src"))
    tracker.end_run()
    variables = {**os.environ, "COLUMNS": "80"}
    fetched = on_a_terminal(["artifacts", "download", run.run_id, "x.bin", "-o", str(tmp_path / "dl") + "/"], variables)
    assert "━" in fetched and "2.9 KiB/2.9 KiB" in fetched, fetched  # a bar, sizes written as the tables write them
    missing = on_a_terminal(["artifacts", "download", run.run_id, "nope/x.txt"], variables)
    assert "has no artifacts at" in " ".join(missing.split()) and "━" not in missing and "bytes" not in missing, missing
    again = on_a_terminal(["artifacts", "download", run.run_id, "x.bin", "-o", str(tmp_path / "dl") + "/"], variables)
    assert "already exists" in " ".join(again.split()) and "━" not in again, again
