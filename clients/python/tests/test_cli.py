"""The `stratus` CLI end to end against the local stack (core commands)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from support import cli_runner, mlflow_post

from stratus import ExperimentTracker
from stratus.cli.commands import cli

from conftest import REPO_ROOT


@pytest.fixture
def stratus(env):
    runner = cli_runner()

    def invoke(*args: str, expect: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}{result.stderr}"
        return result

    return invoke


@pytest.fixture
def finished_runs(tracker: ExperimentTracker, experiment_name: str):
    tracker.create_experiment(experiment_name, description="cli test", tags={"team": "cli"})
    ids = []
    for index, accuracy in enumerate([0.81, 0.93]):
        with tracker.run(experiment_name, run_name=f"run-{index}", tags={"i": str(index)}) as run:
            run.log_params({"max_depth": 4 + index, "model": "xgb"})
            run.log_metrics({"accuracy": accuracy, "loss": float("nan")}, step=3)
        ids.append(run.run_id)
    return ids


def test_experiments_list_and_show(stratus, finished_runs, experiment_name) -> None:
    table = stratus("experiments", "list", "--tag", "team=cli").stdout
    assert experiment_name in table and "experiment_id" in table
    rows = json.loads(stratus("experiments", "list", "--json").stdout)
    mine = [row for row in rows if row["experiment_name"] == experiment_name]
    assert len(mine) == 1 and mine[0]["tags"] == {"team": "cli"}
    assert mine[0]["run_count"] == 2 and mine[0]["last_activity_at"] >= mine[0]["created_at"]
    assert "runs" in table.splitlines()[0]
    exp_id = mine[0]["experiment_id"]

    shown = stratus("experiments", "show", experiment_name).stdout
    assert exp_id in shown and "run-0" in shown and "run-1" in shown
    by_id = json.loads(stratus("experiments", "show", exp_id, "--json").stdout)
    assert by_id["experiment_name"] == experiment_name
    assert [run["run_name"] for run in by_id["runs"]] == ["run-1", "run-0"]

    parsed = list(csv.DictReader(io.StringIO(stratus("experiments", "list", "--csv", "--tag", "team=cli").stdout)))
    assert any(row["experiment_id"] == exp_id and row["description"] == "cli test" for row in parsed)


def test_the_default_experiment_is_reached_by_the_id_the_list_shows(stratus, tracker, tmp_path) -> None:
    # `experiments list` shows the default experiment as 0; every command that takes an id takes that one
    # (before, "0" was read as a name: "experiment '0' does not exist", and `stratus export` of
    # every experiment stopped there).
    with tracker.run(experiment_id="0", run_name="in-default") as run:
        pass
    assert json.loads(stratus("experiments", "show", "0", "--json").stdout)["experiment_name"] == "Default"
    assert run.run_id in [row["run_id"] for row in json.loads(stratus("runs", "list", "0", "--all", "--json").stdout)]
    assert run.run_id in [r.run_id for r in tracker.list_runs("0")]
    path = tmp_path / "default.db"
    exported = stratus("export", "--sqlite", str(path), "--experiment", "0")
    assert "exported" in exported.stderr
    with sqlite3.connect(str(path)) as db:
        assert (run.run_id,) in db.execute("SELECT id FROM experiments").fetchall()


def test_runs_list_and_show(stratus, finished_runs, experiment_name) -> None:
    listed = stratus("runs", "list", experiment_name).stdout
    assert all(run_id in listed for run_id in finished_runs) and "FINISHED" in listed
    parsed = list(csv.DictReader(io.StringIO(stratus("runs", "list", experiment_name, "--csv").stdout)))
    assert [row["run_id"] for row in parsed] == list(reversed(finished_runs))
    assert {row["status"] for row in parsed} == {"FINISHED"}
    assert json.loads(stratus("runs", "list", experiment_name, "--status", "failed", "--json").stdout) == []

    shown = stratus("runs", "show", finished_runs[1]).stdout
    assert "max_depth" in shown and "accuracy" in shown and "0.93" in shown and "NaN" in shown
    data = json.loads(stratus("runs", "show", finished_runs[1], "--json").stdout)
    assert data["params"] == {"max_depth": "5", "model": "xgb"}
    assert data["metrics"]["accuracy"] == 0.93 and data["metrics"]["loss"] == "NaN"
    fields = dict(csv.reader(io.StringIO(stratus("runs", "show", finished_runs[0], "--csv").stdout)))
    assert fields["params.max_depth"] == "4" and fields["status"] == "FINISHED"


def test_runs_show_lists_the_datasets_and_models_mlflow_logged(stratus, stack, tracker, experiment_name) -> None:
    run = tracker.start_run(experiment_name, run_name="fitted")
    tracker.end_run()
    dataset = {"name": "holdout", "digest": "c0ffee12", "source_type": "s3", "source": '{"uri": "s3://b/h"}'}
    tags = [{"key": "mlflow.data.context", "value": "evaluation"}]
    mlflow_post(stack, "runs/log-inputs", {"run_id": run.run_id, "datasets": [{"dataset": dataset, "tags": tags}]})
    created = mlflow_post(stack, "logged-models", {"experiment_id": run.experiment_id, "name": "clf", "source_run_id": run.run_id})
    model_id = created["model"]["info"]["model_id"]
    mlflow_post(stack, "runs/outputs", {"run_id": run.run_id, "models": [{"model_id": model_id, "step": 7}]})
    mlflow_post(stack, "runs/log-inputs", {"run_id": run.run_id, "models": [{"model_id": model_id}]})

    shown = stratus("runs", "show", run.run_id).stdout
    datasets = shown.split("datasets:\n", 1)[1].splitlines()
    assert datasets[0].split() == ["dataset", "digest", "used", "for", "source"]
    assert datasets[1].split() == ["holdout", "c0ffee12", "evaluation", "s3"]
    models = shown.split("logged models:\n", 1)[1].splitlines()
    assert models[1].split() == ["clf", model_id, "used,", "produced", "at", "step", "7", "PENDING"]
    data = json.loads(stratus("runs", "show", run.run_id, "--json").stdout)
    assert [(d["name"], d["context"]) for d in data["datasets"]] == [("holdout", "evaluation")]
    assert [(m["model_id"], m["used"], m["produced_at_step"]) for m in data["models"]] == [(model_id, True, 7)]
    fields = dict(csv.reader(io.StringIO(stratus("runs", "show", run.run_id, "--csv").stdout)))
    assert fields["datasets.holdout"] == "c0ffee12" and fields[f"models.{model_id}"] == "used, produced at step 7"
    assert "datasets:" not in stratus("runs", "show", tracker.start_run(experiment_name).run_id).stdout

def test_errors_are_one_line_with_a_non_zero_exit(stratus, monkeypatch) -> None:
    missing = stratus("runs", "show", "0" * 32, expect=1)
    assert missing.stdout == ""
    assert missing.stderr.count("\n") == 1 and "stratus: error:" in missing.stderr and "404" in missing.stderr
    assert "not_found" in stratus("experiments", "show", "no-such-experiment-here", expect=1).stderr
    bad_token = stratus("--token", "stratus_0000000000000000_" + "A" * 43, "experiments", "list", expect=1)
    assert "401" in bad_token.stderr and bad_token.stderr.count("\n") == 1
    # Errors of the setup say which setting to look at.
    assert "check STRATUS_TOKEN (or --token)" in bad_token.stderr
    down = stratus("--endpoint", "http://127.0.0.1:9", "experiments", "list", expect=1).stderr
    assert "cannot reach http://127.0.0.1:9" in down and "check STRATUS_ENDPOINT (or --endpoint)" in down
    # An address where something else answers (here the web UI's page), not "Expecting value: line 1 column 1".
    elsewhere = stratus("--endpoint", os.environ["STRATUS_ENDPOINT"] + "/somewhere", "experiments", "list", expect=1).stderr
    assert "not the Stratus API's JSON: is the endpoint the API's address?" in elsewhere, elsewhere
    monkeypatch.delenv("STRATUS_TOKEN")
    assert "STRATUS_TOKEN" in stratus("experiments", "list", expect=1).stderr
    assert "STRATUS_TOKEN" in stratus("models", "list", expect=1).stderr
    monkeypatch.delenv("STRATUS_ENDPOINT")
    assert "STRATUS_ENDPOINT" in stratus("models", "list", expect=1).stderr
    assert "STRATUS_ENDPOINT" in stratus("runs", "list", "some-experiment", expect=1).stderr
    assert stratus("runs", "compare", expect=2).exit_code == 2  # usage error: click's own status
    # A mistyped run id is a usage error saying what one looks like, not the API's "path.run_id: ...".
    mistyped = stratus("runs", "show", "baseline_v1", expect=2).stderr
    assert "'baseline_v1' is not a run id (32 lowercase hex characters" in mistyped and "path.run_id" not in mistyped


def test_errors_break_between_words_at_the_terminal_width(stratus, tmp_path) -> None:
    # The terminal broke them mid-word: `[run.not_f` / `ound, HTTP 404]`.
    runner = cli_runner()
    missing = runner.invoke(cli, ["runs", "show", "0" * 32], env={"COLUMNS": "80"})
    lines = missing.stderr.splitlines()
    assert missing.exit_code == 1 and len(lines) == 2 and max(map(len, lines)) <= 80, missing.stderr
    assert " ".join(lines) == f"stratus: error: run '{'0' * 32}' does not exist [run.not_found, HTTP 404]"
    # A filter the API refuses is shown with a caret under the character it names, as the web UI does,
    # counting as the API does (UTF-16: an emoji is two) and within the width however long the filter.
    prefix = "params.note = '😀' and " * 8
    bad = runner.invoke(cli, ["runs", "search", "0", "--filter", prefix + "metrics.loss >> 0.3"], env={"COLUMNS": "80"})
    assert bad.exit_code == 1, bad.stderr
    *message, shown, caret = bad.stderr.splitlines()
    assert "at position" in " ".join(message) and max(map(len, bad.stderr.splitlines())) <= 80, bad.stderr
    assert caret.strip() == "^" and shown[caret.index("^") :].startswith("> 0.3"), bad.stderr
    # Piped (no terminal, no COLUMNS): one line, as scripts read it.
    assert stratus("runs", "show", "0" * 32, expect=1).stderr.count("\n") == 1


def test_times_are_written_one_way_with_the_year(stratus, finished_runs, experiment_name) -> None:
    # At 80 columns times became `12-02 12:53` (day-month or month-day?); `runs show` wrote seconds.
    runner = cli_runner()
    listed = runner.invoke(cli, ["runs", "list", experiment_name], env={"COLUMNS": "80"}).stdout
    rows = [line for line in listed.splitlines()[1:] if line.strip()]
    assert rows and all(re.search(r"  \d{4}-\d{2}-\d{2} \d{2}:\d{2}( |$)", line) for line in rows), listed
    shown = stratus("runs", "show", finished_runs[0]).stdout
    started = next(line for line in shown.splitlines() if line.startswith("started"))
    assert re.fullmatch(r"started\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}", started), started


def all_commands(group: click.Group, path=()):
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from all_commands(command, path + (name,))
        else:
            yield path + (name,)


def test_every_command_has_help(stratus) -> None:
    paths = list(all_commands(cli))
    assert ("artifacts", "upload") in paths and ("runs", "search") in paths and len(paths) >= 13
    for path in paths:
        text = stratus(*path, "--help").stdout
        assert "Usage: " in text and "--help" in text
    # In an 80-column terminal a group's list of commands says each one whole, not "a column per metric and...".
    for path in {path[:-1] for path in paths}:
        shown = cli_runner().invoke(cli, [*path, "--help"], terminal_width=80).stdout
        commands = shown.split("Commands:\n", 1)[1]
        assert "..." not in commands and max(map(len, commands.splitlines())) <= 80, shown


def documented_commands() -> set:
    """Every `stratus <command> [<subcommand>]` the README and docs/ name: lines of shell blocks, and code spans."""
    texts = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    found = set()
    for text in (path.read_text() for path in texts):
        for match in re.finditer(r"(?:^|`)stratus ([a-z]+)(?: ([a-z]+)\b)?", text, re.M):
            found.add(tuple(word for word in match.groups() if word))
    return found


def test_the_docs_name_only_commands_that_exist_and_the_readme_names_every_command() -> None:
    commands = {path for path in all_commands(cli) if path}
    for path in documented_commands():
        # `stratus export --sqlite` is a command with options; `stratus runs show` a group's command.
        named = path if path in commands else path[:1]
        assert named in commands, f"the docs name `stratus {' '.join(path)}`, which the CLI does not have"
    readme = (REPO_ROOT / "README.md").read_text()
    leaves = {path for path in commands if not isinstance(cli.get_command(None, path[0]), click.Group) or len(path) > 1}
    missing = [" ".join(path) for path in sorted(leaves) if not re.search(rf"(?:^|`)stratus {' '.join(path)}\b", readme, re.M)]
    assert not missing, f"README does not show these commands: {missing}"


def test_console_script_and_missing_extra_hint(env) -> None:
    stratus_bin = Path(sys.executable).with_name("stratus")
    assert stratus_bin.exists(), "pip install -e clients/python[cli] installs the console script"
    done = subprocess.run([str(stratus_bin), "experiments", "list", "--json"], capture_output=True, text=True, env=os.environ)
    assert done.returncode == 0 and isinstance(json.loads(done.stdout), list)
    # Without the [cli] extra the command explains itself in one line and exits 1.
    hide_click = "import sys; sys.modules['click'] = None; from stratus.cli import main; main(['--help'])"
    done = subprocess.run([sys.executable, "-c", hide_click], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == 'stratus: the CLI needs its extra libraries: pip install "stratus-tracker[cli]"'


def test_a_time_past_year_9999_stays_a_number() -> None:
    # MLflow's API stores a client's own start and end times: one sent in microseconds (year 55,000) made
    # `runs list`, `runs show` and export of the whole experiment fail with "year is out of range".
    from stratus._compare import readable_time
    from stratus.cli.output import human_time
    from stratus.export import utc_text

    micro = 1_700_000_000_000_000
    assert human_time(micro) == f"{micro} ms"
    assert readable_time(micro) is None and utc_text(micro) is None
    assert human_time(1_700_000_000_000).startswith("2023-11-")


def test_a_reader_that_goes_away_ends_the_command_quietly(env, tmp_path) -> None:
    # `stratus ... --csv | head -c 10`: the rest of the output had nowhere to go, and the CLI printed
    # "stratus: error: [Errno 32] Broken pipe" and exited 1, as if the command had failed.
    script = "import sys; from stratus.cli import main; sys.argv = ['stratus', 'experiments', 'list', '--csv', '--all']; main()"
    many = ExperimentTracker(env.url, env.token, capture_code=False)
    for index in range(30):
        many.create_experiment(f"pipe-{tmp_path.name[-6:]}-{index}", description="x" * 4000)
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    command = subprocess.run(
        [sys.executable, "-c", script], stdout=reader.stdin, stderr=subprocess.PIPE, env=dict(os.environ), timeout=60
    )
    reader.stdin.close()
    reader.wait(timeout=10)
    assert command.stderr.decode() == "" and command.returncode == 141
