"""Every CLI table rendered at 80 and 120 columns: lines fit, ids are whole, status is always there."""

from __future__ import annotations

import json
import re
import uuid

import click
import pytest
from support import cli_runner

from stratus import ExperimentTracker, ModelRegistry
from stratus.cli.commands import cli

WIDTHS = (80, 120)
HEX_ID = re.compile(r"\b[0-9a-f]{32}\b")
CUT_ID = re.compile(r"\b[0-9a-f]{6,31}…")
STATUSES = ("RUNNING", "FINISHED", "FAILED", "KILLED")


@pytest.fixture(scope="module")
def wide_data(stack, tmp_path_factory):
    """Runs whose names, params and metrics are too wide for 80 columns."""
    tracker = ExperimentTracker(stack.url, stack.token, flush_interval=0.2)
    name = f"a-rather-long-experiment-name-for-tables-{tmp_path_factory.mktemp('x').name[-6:]}"
    tracker.create_experiment(name, description="tables", tags={"project": "mental_health", "team": "risk"})
    runs = []
    for index in range(3):
        with tracker.run(
            name,
            run_name=f"xgboost_tuned_learning_rate_0.0{index + 1}_max_depth_{index + 6}",
            pipeline_components=[{"name": "tokenizer", "type": "preprocessor", "stage": "prep"}],
        ) as run:
            run.log_params({"learning_rate": 0.01 * (index + 1), "max_depth": index + 6, "objective": "binary:logistic"})
            for step in range(30):
                run.log_metrics({"validation_accuracy": 0.5 + step / 100 + index / 50, "training_loss": 1 / (step + 1)}, step=step)
        runs.append(run.run_id)
    folder = tmp_path_factory.mktemp("artifacts")
    (folder / "plots").mkdir()
    (folder / "plots" / "a_very_long_plot_name_for_receiver_operating_characteristic.png").write_bytes(b"png" * 100)
    tracker.log_artifacts(str(folder), run_id=runs[0])
    experiment_id = tracker.get_experiment(name).experiment_id
    tracker.close()
    model = f"a-rather-long-registered-model-name-for-tables-{tmp_path_factory.mktemp('m').name[-6:]}"
    registry = ModelRegistry(stack.url, stack.token)
    registry.register_model(model, "plots", run_id=runs[0], metadata={"accuracy": 0.93, "dataset": "v1.2"})
    registry.set_alias(model, "champion_with_a_long_alias_name", 1)
    return {"experiment": name, "experiment_id": experiment_id, "runs": runs, "folder": str(folder), "model": model}


def table_invocations(data):
    """One invocation per command that prints a table, and the ids each must show whole."""
    run = data["runs"][0]
    return {
        ("experiments", "list"): (["experiments", "list", "--tag", "team=risk"], [data["experiment_id"]]),
        ("experiments", "show"): (["experiments", "show", data["experiment"]], [data["experiment_id"], *data["runs"]]),
        ("runs", "list"): (["runs", "list", data["experiment"]], data["runs"]),
        ("runs", "show"): (["runs", "show", run], [run, data["experiment_id"]]),
        ("runs", "search"): (["runs", "search", data["experiment"], "--order-by", "metrics.validation_accuracy DESC"], data["runs"]),
        ("runs", "compare"): (["runs", "compare", *data["runs"]], data["runs"]),
        ("runs", "metrics"): (["runs", "metrics", run], []),
        ("artifacts", "list"): (["artifacts", "list", run], []),
        ("artifacts", "upload"): (["artifacts", "upload", data["runs"][1], data["folder"], "--path", "again"], []),
        ("models", "list"): (["models", "list", "--name", data["model"]], []),
        ("models", "show"): (["models", "show", data["model"]], [run]),
        ("models", "register"): (["models", "register", data["model"], run, "plots"], [run, data["experiment_id"]]),
    }


def table_commands(group: click.Group, path=()):
    """Every command with a --table output (the ones this test must cover)."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from table_commands(command, path + (name,))
        elif any(param.name == "output_format" for param in command.params):
            yield path + (name,)


def test_every_table_command_is_covered(wide_data) -> None:
    assert set(table_commands(cli)) <= set(table_invocations(wide_data)), "add the new command to table_invocations"


@pytest.mark.parametrize("width", WIDTHS)
def test_tables_fit_with_whole_ids_and_status(env, wide_data, width) -> None:
    runner = cli_runner()
    for command, (args, ids) in table_invocations(wide_data).items():
        if command == ("artifacts", "upload"):
            args = args[:-1] + [f"again-{width}"]
        result = runner.invoke(cli, args, env={"COLUMNS": str(width)}, catch_exceptions=False)
        assert result.exit_code == 0, f"{command}: {result.output}{result.stderr}"
        lines = result.stdout.splitlines()
        assert lines, command
        too_wide = [line for line in lines if len(line) > width]
        assert not too_wide, f"{command} at {width}: {too_wide}"
        assert not CUT_ID.search(result.stdout), f"{command} cut an id at {width}:\n{result.stdout}"
        if command == ("runs", "compare"):
            # A column per run, headed by the start of its id (the whole ids are in --json); a line per metric
            # and param, so none is left out at 80 columns (it showed two metrics and no param).
            header = lines[0].split()
            assert header[0] == "run" and header[1:] == [run_id[:8] for run_id in ids], result.stdout
            labels = [line.split()[0] for line in lines if line.strip()]
            assert {"learning_rate", "max_depth", "validation_accuracy", "training_loss"} <= set(labels), result.stdout
            assert "learning_rate" not in result.stderr and "status" in labels
            assert lines[labels.index("status")].split()[1:] == ["FINISHED"] * 3
            continue
        for run_id in ids:
            assert run_id in result.stdout, f"{command} at {width} lost {run_id}:\n{result.stdout}"
        run_rows = [line for line in lines if HEX_ID.match(line) and HEX_ID.match(line).group(0) in wide_data["runs"]]
        if command in (("experiments", "show"), ("runs", "list"), ("runs", "search")):
            assert run_rows and all(any(status in line for status in STATUSES) for line in run_rows), (
                f"{command} at {width} lost the status:\n{result.stdout}"
            )
        if command == ("runs", "metrics"):
            assert "validation_accuracy" in result.stdout and re.search("[▁▂▃▄▅▆▇█]{10,}", result.stdout)
        if command == ("runs", "search"):
            # The metric the runs are ordered by is shown at any width (at 80 it used to be dropped first).
            assert lines[0].split()[3] == "validation_accuracy", f"at {width}:\n{result.stdout}"
        if width == 80 and command == ("runs", "list"):
            # What did not fit is named on stderr, not silently dropped.
            assert "not shown at this width" in " ".join(result.stderr.split())
            # ... in lines that fit the terminal, broken between words.
            assert max(map(len, result.stderr.splitlines())) <= width, result.stderr


def test_names_keep_their_end_and_are_whole_when_piped(env, wide_data) -> None:
    runner = cli_runner()
    narrow = runner.invoke(cli, ["runs", "list", wide_data["experiment"]], env={"COLUMNS": "80"}).stdout
    # Each shortened name is the end of exactly one run's name: the start the sweep shares is what goes.
    names = [f"xgboost_tuned_learning_rate_0.0{index + 1}_max_depth_{index + 6}" for index in range(3)]
    shown = [line.split()[1] for line in narrow.splitlines()[1:]]
    assert len(shown) == 3 and all(
        text.startswith("…") and sum(name.endswith(text[1:]) for name in names) == 1 for text in shown
    ), narrow
    piped = runner.invoke(cli, ["runs", "list", wide_data["experiment"]], env={"COLUMNS": ""}).stdout
    assert "xgboost_tuned_learning_rate_0.01_max_depth_6" in piped and "…" not in piped


def test_listings_say_when_they_stop_and_exports_are_complete(env, wide_data) -> None:
    runner = cli_runner()
    cut = runner.invoke(cli, ["runs", "list", wide_data["experiment"], "--limit", "2"])
    assert cut.stdout.count("xgboost_tuned") == 2
    assert "showing 2 of more; --all or --limit N" in cut.stderr
    whole = runner.invoke(cli, ["runs", "list", wide_data["experiment"], "--limit", "3"])
    assert "showing" not in whole.stderr
    as_csv = runner.invoke(cli, ["runs", "list", wide_data["experiment"], "--csv"]).stdout.splitlines()
    assert len(as_csv) == 1 + 3
    every = runner.invoke(cli, ["runs", "list", wide_data["experiment"], "--all"])
    assert every.stdout.count("xgboost_tuned") == 3 and "showing" not in every.stderr


def test_runs_metrics_gives_exact_extremes_and_the_downsampled_points(env, wide_data) -> None:
    runner = cli_runner()
    run = wide_data["runs"][2]
    result = runner.invoke(cli, ["runs", "metrics", run, "training_loss", "--json", "--points", "10"])
    assert result.exit_code == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["metric"] == "training_loss" and row["last_step"] == 29
    assert row["max"] == 1.0 and row["min"] == pytest.approx(1 / 30)  # min/max downsampling keeps both ends
    assert 2 <= len(row["downsampled_history"]) <= 10
    missing = runner.invoke(cli, ["runs", "metrics", run, "nope"])
    assert missing.exit_code == 2 and "has no metric 'nope'" in missing.stderr


def test_shortened_names_stay_apart() -> None:
    from stratus.cli.output import Column, render_table

    names = [f"lstm_128_units_dropout_0.{i}_with_attention" for i in range(4)]
    lines, _ = render_table([Column("run_id", kind="id"), Column("run_name", cut="name", min_width=10)],
                            [{"run_id": f"{i:032x}", "run_name": name} for i, name in enumerate(names)], 60)
    shown = [line.split()[1] for line in lines[1:]]
    assert len(set(shown)) == 4 and all("0." in name and "…" in name for name in shown)
    lines, _ = render_table([Column("run_name", cut="name", min_width=10)],
                            [{"run_name": f"xgboost_tuned_lr0.{i}5_depth{i}_final"} for i in range(4)], 20)
    assert len({line.strip() for line in lines[1:]}) == 4


def test_runs_show_wraps_long_values_whole_under_their_column(env, tracker, experiment_name) -> None:
    # A param or tag is shown to be read: at 80 columns a long value wraps under its column (it used to end in "…").
    value = "adamw(betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False, foreach=None, maximize=False)"
    with tracker.run(experiment_name, tags={"note": "n" * 150}) as run:
        run.log_params({"optimizer": value})
    shown = cli_runner().invoke(cli, ["runs", "show", run.run_id], env={"COLUMNS": "80"}).stdout
    lines = shown.splitlines()
    assert max(map(len, lines)) <= 80 and "…" not in shown, shown
    start = next(i for i, line in enumerate(lines) if line.startswith("optimizer "))
    column = lines[start].index("adamw")
    wrapped = [lines[start][column:]]
    for line in lines[start + 1 :]:  # continuation lines: blank up to the value column
        if not line.strip() or line[:column].strip():
            break
        wrapped.append(line[column:])
    assert len(wrapped) > 1 and " ".join(wrapped) == value, shown
    assert "n" * 150 in "".join(shown.split()), shown


def test_a_tag_of_several_lines_stays_on_its_row(env, stack) -> None:
    # A model's tag shown in one field: its newlines used to reach the terminal, the second line at column 0.
    name = f"multiline-tag-{uuid.uuid4().hex[:8]}"
    ModelRegistry(stack.url, stack.token).create_model(name, tags={"notes": "first line\nsecond line\r\nthird"})
    shown = cli_runner().invoke(cli, ["models", "show", name], env={"COLUMNS": "80"}).stdout
    assert not any(line.startswith(("second", "third")) for line in shown.splitlines()), shown
    assert "notes=firstlinesecondlinethird" in "".join(shown.split()), shown


@pytest.fixture(scope="module")
def sweep(stack, tmp_path_factory):
    """A grid sweep named as people name one: the learning rate in the middle, batch size and optimizer at the end."""
    tracker = ExperimentTracker(stack.url, stack.token, flush_interval=0.2)
    name = f"sweep-{tmp_path_factory.mktemp('s').name[-6:]}"
    runs = {}
    for lr in ("0.0001", "0.001", "0.01"):
        for batch in (32, 128):
            run_name = f"resnet-lr{lr}-bs{batch}-adam"
            with tracker.run(name, run_name=run_name) as run:
                run.log_params({"lr": lr, "batch_size": batch, "optimizer": "adam", "epochs": 4})
                loss = 0.005 if batch == 32 else 0.17 + float(lr)
                run.log_metrics({"loss": loss, "val/f1": 0.9 - float(lr), "train/loss": loss * 2}, step=1)
            runs[run_name] = run.run_id
    tracker.close()
    return {"experiment": name, "runs": runs}


def shown_names(command, stdout):
    """The run names a table shows: the column after a run id, or a comparison's `name` lines."""
    if command == "compare":
        return [text for line in stdout.splitlines() if line.startswith("name ") for text in line.split()[1:]]
    return [line.split()[1] for line in stdout.splitlines() if HEX_ID.match(line)]


@pytest.mark.parametrize("width", [70, 80])
def test_every_command_shortens_a_run_name_by_one_rule(env, sweep, width) -> None:
    # `runs list` cut names at the start, `runs search` in the middle, `runs compare` at the end.
    names = list(sweep["runs"])
    commands = {
        "list": ["runs", "list", sweep["experiment"]],
        "search": ["runs", "search", sweep["experiment"], "--order-by", "metrics.loss ASC"],
        "compare": ["runs", "compare", *sweep["runs"].values()],
        "show": ["experiments", "show", sweep["experiment"]],
    }
    cut = 0
    for command, args in commands.items():
        result = cli_runner().invoke(cli, args, env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.stderr
        shown = shown_names(command, result.stdout)
        assert len(shown) == len(names), f"{command}:\n{result.stdout}"
        for text in shown:
            assert text in names or (text.startswith("…") and any(name.endswith(text[1:]) for name in names)), (
                f"{command} at {width} cut {text!r} another way:\n{result.stdout}"
            )
        if width == 80 and command != "compare":  # beside whole run ids at 80 columns, the names still read apart
            assert len(set(shown)) == len(shown), f"{command} at {width}:\n{result.stdout}"
        cut += sum(text.startswith("…") for text in shown)
    assert cut, "no name was shortened: the test shows nothing"


def test_search_heads_every_metric_alike_and_aligns_its_numbers(env, sweep) -> None:
    # `metrics.train/loss` next to `val/f1`; `0.005` next to `0.1701`, left-aligned.
    args = ["runs", "search", sweep["experiment"], "--order-by", "metrics.val/f1 DESC"]
    result = cli_runner().invoke(cli, args, env={"COLUMNS": "200"})
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["run_id", "run_name", "status", "val/f1", "loss", "train/loss", "started"], lines[0]
    end = lines[0].index(" loss") + len(" loss")
    cells = [line[:end].split()[-1] for line in lines[1:]]
    assert sorted(cells) == ["0.00500", "0.00500", "0.00500", "0.17010", "0.17100", "0.18000"], result.stdout
    assert all(len(line) > end and line[end] == " " and line[end - 1] == "0" for line in lines[1:]), result.stdout
    # Scripts still get the values and keys as they were.
    as_csv = cli_runner().invoke(cli, [*args, "--csv"]).stdout.splitlines()
    assert as_csv[0].split(",")[:5] == ["run_id", "run_name", "status", "start_time", "metrics.loss"]
    assert {row.split(",")[4] for row in as_csv[1:]} == {"0.005", "0.1701", "0.171", "0.18"}


def test_compare_at_80_columns_shows_every_param_and_metric(env, sweep) -> None:
    ids = list(sweep["runs"].values())
    result = cli_runner().invoke(cli, ["runs", "compare", *ids, "--all-params"], env={"COLUMNS": "80"})
    assert result.exit_code == 0 and max(map(len, result.stdout.splitlines())) <= 80, result.stdout
    labels = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert {"lr", "batch_size", "optimizer", "epochs", "loss", "val/f1", "train/loss"} <= labels, result.stdout
    assert "params." not in result.stderr and "metrics." not in result.stderr
    shown_ids = [run_id for line in result.stdout.splitlines() if line.startswith("run ") for run_id in line.split()[1:]]
    assert shown_ids == [run_id[:8] for run_id in ids]
    # --json is a row per run, as before.
    rows = json.loads(cli_runner().invoke(cli, ["runs", "compare", *ids, "--json"]).stdout)
    assert [row["run_id"] for row in rows] == ids and {"metrics.loss", "params.lr"} <= set(rows[0])
