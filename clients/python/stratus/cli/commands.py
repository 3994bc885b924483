"""`stratus` commands: experiments, runs and artifacts, over the Python SDK."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import re
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text

from .. import __version__, _artifacts
from ..errors import AuthenticationError, NotFoundError, StratusConnectionError, StratusError
from ..models import LineageModel, Run
from ..tracker import ExperimentTracker
from .output import (
    Column,
    column_for,
    emit_comparison,
    emit_fields,
    emit_json,
    emit_rows,
    formatted_cells,
    human_duration,
    human_size,
    human_time,
    message_width,
    note,
    output_options,
    shown_path,
    sparkline,
    table_width,
    truncation_note,
    wrapped,
)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


class RunIdType(click.ParamType):
    """A run id, checked before any request: a usage error that says what a run id looks like,
    rather than the API's `path.run_id: must be 32 lowercase hex characters`."""

    name = "run_id"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> str:
        text = str(value).strip()
        if re.fullmatch(r"[0-9a-f]{32}", text):
            return text
        self.fail(f"{value!r} is not a run id (32 lowercase hex characters, as `stratus runs list` shows them)", param, ctx)


RUN_ID = RunIdType()


def fail(message: str, *detail: str) -> None:
    """The error on stderr, broken between words at the terminal's width, then any `detail` lines as they are."""
    click.echo(wrapped(f"stratus: error: {message}", message_width()), err=True)
    for line in detail:
        click.echo(line, err=True)
    sys.exit(1)


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every failure is one message on stderr (one line, or wrapped between words at a terminal's width)
    and exit status 1 (usage errors: click's 2)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            # The reader went away (`stratus runs list x --csv | head`): stop quietly, as `ls | head` does,
            # not with "error: [Errno 32] Broken pipe"; 141 is a shell's status for a SIGPIPE death.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except StratusError as error:
            fail(error_text(error))
        except (ValueError, OSError) as error:
            fail(str(error))

    return wrapper


def error_text(error: StratusError) -> str:
    """The API's message, its code and status, and for a setup error what to check."""
    return f"{error.message} [{error.code}{'' if error.status is None else f', HTTP {error.status}'}]{_what_to_do(error)}"


def _what_to_do(error: StratusError) -> str:
    """For the errors of the setup rather than of the command, which setting to look at."""
    if isinstance(error, AuthenticationError):
        return "; check STRATUS_TOKEN (or --token): the token is unknown, revoked or mistyped"
    if isinstance(error, StratusConnectionError):
        return "; is the service running there? check STRATUS_ENDPOINT (or --endpoint)"
    return ""


def connection_from(context: click.Context) -> Tuple[str, str]:
    """The service's endpoint and token from the root options (or their variables); fails naming what is missing."""
    options = context.find_root().params
    endpoint, token = options.get("endpoint"), options.get("token")
    if not endpoint:
        fail("no endpoint: pass --endpoint or set STRATUS_ENDPOINT (e.g. http://127.0.0.1:8000)")
    if not token:
        fail("no token: pass --token or set STRATUS_TOKEN")
    return endpoint, token


def tracker_from(context: click.Context) -> ExperimentTracker:
    endpoint, token = connection_from(context)
    return ExperimentTracker(endpoint, token, capture_code=False)


def as_json(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


def run_row(run: Run) -> Dict[str, Any]:
    return {
        "run_id": run.run_id,
        "run_name": run.run_name,
        "status": run.status,
        "start_time": run.start_time,
        "started": human_time(run.start_time),
        "duration": human_duration(run.duration_ms),
        "duration_ms": run.duration_ms,
        **{f"metrics.{name}": value for name, value in run.metrics.items()},
        **{f"params.{name}": value for name, value in run.params.items()},
    }


def run_json(run: Run) -> Dict[str, Any]:
    data = dataclasses.asdict(run)
    data.pop("_tracker", None)
    data.pop("offline", None)
    return data


T = TypeVar("T")


def listing_options(default: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--limit N and --all. Tables stop at `default` rows (and say so); --json and --csv are complete
    unless --limit is given, because a script that reads them must not lose rows silently."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option("--all", "show_all", is_flag=True, help="Every row, however many.")(command)
        command = click.option(
            "--limit",
            "--max-results",
            "limit",
            type=click.IntRange(1),
            default=None,
            help=f"At most N rows [default: {default} in a table, all with --json/--csv].",
        )(command)
        return command

    return decorate


class Listing(List[T]):
    """Rows of a listing, and whether it stopped before the end (then `notice()` says so, after the table)."""

    more = False

    def notice(self) -> None:
        truncation_note(len(self), self.more)


def take(items: Iterator[T], limit: Optional[int], show_all: bool, output_format: str, default: int) -> "Listing[T]":
    """The rows to show: up to the limit, reading one more to know whether the listing was cut."""
    found: Listing[T] = Listing()
    if show_all or (limit is None and output_format != "table"):
        found.extend(items)
        return found
    wanted = limit or default
    for item in items:
        if len(found) == wanted:
            found.more = True
            break
        found.append(item)
    return found


@click.group(context_settings=CONTEXT)
@click.option("--endpoint", envvar="STRATUS_ENDPOINT", metavar="URL", help="API root, e.g. http://127.0.0.1:8000 [env STRATUS_ENDPOINT]")
@click.option("--token", envvar="STRATUS_TOKEN", metavar="TOKEN", help="Bearer token [env STRATUS_TOKEN]")
@click.version_option(__version__, prog_name="stratus")
def cli(endpoint: Optional[str], token: Optional[str]) -> None:
    """Stratus: browse experiments, runs and artifacts.

    Tables for people by default; --json or --csv for scripts.
    """


# `stratus models` (the registry) lives in its own module and joins the group here, once `cli` exists.
from . import models as _models  # noqa: E402,F401

# ----- experiments -----


@cli.group(context_settings=CONTEXT)
def experiments() -> None:
    """List and inspect experiments."""


@experiments.command("list", context_settings=CONTEXT)
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Only experiments with this tag (repeatable).")
@listing_options(50)
@output_options
@click.pass_context
@handle_errors
def experiments_list(
    context: click.Context, tags: Tuple[str, ...], limit: Optional[int], show_all: bool, output_format: str
) -> None:
    """Experiments, newest first."""
    wanted: Dict[str, str] = {}
    for tag in tags:
        key, sep, value = tag.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{tag!r} is not KEY=VALUE", param_hint="--tag")
        wanted[key] = value
    found = take(tracker_from(context).iter_experiments(wanted), limit, show_all, output_format, 50)
    rows = [
        {
            "experiment_id": e.experiment_id,
            "experiment_name": e.experiment_name,
            "created_at": e.created_at,
            "created": human_time(e.created_at),
            "description": e.description,
            "tags": e.tags,
            "runs": e.run_count,
            "run_count": e.run_count,
            "last_activity_at": e.last_activity_at,
            "active": human_time(e.last_activity_at),
        }
        for e in found
    ]
    columns: List[Any] = [
        "experiment_id",
        "experiment_name",
        "runs",
        Column("active", header="last activity", kind="time", optional=True),
        "tags",
    ]
    if output_format == "csv":
        columns = ["experiment_id", "experiment_name", "created_at", "description", "run_count", "last_activity_at"]
    emit_rows(rows, columns, output_format, json_rows=[as_json(e) for e in found])
    found.notice()


@experiments.command("show", context_settings=CONTEXT)
@click.argument("experiment", metavar="ID|NAME")
@click.option("--runs", "run_count", type=click.IntRange(0), default=10, show_default=True, help="Recent runs to list.")
@output_options
@click.pass_context
@handle_errors
def experiments_show(context: click.Context, experiment: str, run_count: int, output_format: str) -> None:
    """An experiment (by id or name) and its most recent runs."""
    tracker = tracker_from(context)
    found = tracker.get_experiment(experiment)
    runs = tracker.list_runs(found.experiment_id, max_results=run_count) if run_count else []
    if output_format == "json":
        emit_json({**as_json(found), "runs": [run_json(r) for r in runs]})
        return
    emit_fields(
        [
            ("experiment_id", found.experiment_id),
            ("experiment_name", found.experiment_name),
            ("description", found.description),
            ("created", human_time(found.created_at) if output_format == "table" else found.created_at),
            ("runs", found.run_count),
            ("last activity", human_time(found.last_activity_at) if output_format == "table" else found.last_activity_at),
            ("tags", found.tags),
        ],
        output_format,
        as_json(found),
    )
    if output_format == "table" and runs:
        click.echo()
        emit_rows([run_row(r) for r in runs], ["run_id", "run_name", "status", "started", "duration"], "table", title="recent runs")


# ----- runs -----


@cli.group(context_settings=CONTEXT)
def runs() -> None:
    """List, show, search and compare runs."""


@runs.command("list", context_settings=CONTEXT)
@click.argument("experiment", metavar="EXPERIMENT")
@click.option(
    "--status",
    type=click.Choice(["RUNNING", "FINISHED", "COMPLETED", "FAILED", "KILLED"], case_sensitive=False),
    help="Only runs with this status (COMPLETED is FINISHED).",
)
@listing_options(50)
@output_options
@click.pass_context
@handle_errors
def runs_list(
    context: click.Context,
    experiment: str,
    status: Optional[str],
    limit: Optional[int],
    show_all: bool,
    output_format: str,
) -> None:
    """An experiment's runs (experiment by id or name), newest first."""
    runs_found = tracker_from(context).iter_runs(experiment, status=status.upper() if status else None)
    found = take(runs_found, limit, show_all, output_format, 50)
    columns = ["run_id", "run_name", "status", "started", "duration"]
    if output_format == "csv":
        columns = ["run_id", "run_name", "status", "start_time", "duration_ms"]
    emit_rows([run_row(r) for r in found], columns, output_format, json_rows=[run_json(r) for r in found])
    found.notice()


@runs.command("show", context_settings=CONTEXT, short_help="A run: fields, tags, params, metrics, artifacts.")
@click.argument("run_id", type=RUN_ID)
@output_options
@click.pass_context
@handle_errors
def runs_show(context: click.Context, run_id: str, output_format: str) -> None:
    """A run: its fields, tags, params, latest metrics, pipeline, artifacts, datasets and logged models."""
    tracker = tracker_from(context)
    run = tracker.get_run(run_id)
    lineage = tracker.get_run_lineage(run_id)
    table = output_format == "table"
    fields = [
        ("run_id", run.run_id),
        ("run_name", run.run_name),
        ("experiment_id", run.experiment_id),
        ("status", run.status),
        ("started", human_time(run.start_time) if table else run.start_time),
        ("ended", human_time(run.end_time) if table else run.end_time),
        ("duration", human_duration(run.duration_ms) if table else run.duration_ms),
        ("parent_run_id", run.parent_run_id),
        ("git_commit", run.git_commit),
        ("code_version", run.code_version),
    ]
    if run.pipeline_config is not None:
        fields.append(("pipeline_config", json.dumps(run.pipeline_config, sort_keys=True)))
    if not table:
        fields += [(f"tags.{k}", v) for k, v in run.tags.items()]
        fields += [(f"params.{k}", v) for k, v in run.params.items()]
        fields += [(f"metrics.{k}", v) for k, v in run.metrics.items()]
        fields += [
            (f"pipeline_components.{c.position}", f"{c.name} ({c.type}{', ' + c.stage if c.stage else ''})")
            for c in run.pipeline_components
        ]
        fields += [(f"artifacts.{a.path}", a.size_bytes) for a in run.artifacts]
        fields += [(f"datasets.{d.name}", d.digest) for d in lineage.datasets]
        fields += [(f"models.{m.model_id}", model_role(m)) for m in lineage.models]
    whole = {**run_json(run), "datasets": [as_json(d) for d in lineage.datasets], "models": [as_json(m) for m in lineage.models]}
    emit_fields([(name, value) for name, value in fields if value is not None or not table], output_format, whole)
    if not table:
        return
    sections: List[Tuple[str, List[Dict[str, Any]], List[Any]]] = [
        ("tags", [{"tag": k, "value": v} for k, v in sorted(run.tags.items())], ["tag", Column("value", min_width=12, wrap=True)]),
        ("params", [{"param": k, "value": v} for k, v in sorted(run.params.items())], ["param", Column("value", min_width=12, wrap=True)]),
        (
            "metrics",
            [{"metric": k, "latest": m.value, "step": m.step} for k, m in sorted(run.latest_metrics.items())],
            ["metric", "latest", "step"],
        ),
        (
            "pipeline components",
            [{"position": c.position, "name": c.name, "type": c.type, "stage": c.stage} for c in run.pipeline_components],
            [Column("position", kind="value"), "name", Column("type", kind="text"), "stage"],
        ),
        (
            "artifacts",
            [{"path": a.path, "type": a.artifact_type, "size": human_size(a.size_bytes)} for a in run.artifacts],
            ["path", "type", "size"],
        ),
        (
            "datasets",
            [{"dataset": d.name, "digest": d.digest, "used for": d.context, "source": d.source_type} for d in lineage.datasets],
            ["dataset", "digest", "used for", "source"],
        ),
        (
            "logged models",
            [{"model": m.name or m.model_id, "model_id": m.model_id, "role": model_role(m), "status": m.status} for m in lineage.models],
            ["model", "model_id", "role", "status"],
        ),
    ]
    for title, rows, columns in sections:
        if rows:
            click.echo()
            emit_rows(rows, columns, "table", title=title)


def model_role(model: LineageModel) -> str:
    """What a logged model was to the run, in the web UI's words."""
    produced = None if model.produced_at_step is None else f"produced at step {model.produced_at_step}"
    return ", ".join(role for role in ("used" if model.used else None, produced) if role)


def metric_columns(rows: Sequence[Dict[str, Any]], prefix: str) -> List[str]:
    names: List[str] = []
    for row in rows:
        names.extend(name for name in row if name.startswith(prefix) and name not in names)
    return names


@runs.command("search", context_settings=CONTEXT, short_help="Runs matching a filter, in any order.")
@click.argument("experiments", metavar="EXPERIMENT...", nargs=-1, required=True)
@click.option("--filter", "filter_string", metavar="EXPR", help="e.g. \"metrics.accuracy > 0.9 AND params.model = 'xgb'\"")
@click.option("--order-by", multiple=True, metavar="KEY [ASC|DESC]", help="e.g. \"metrics.accuracy DESC\" (repeatable).")
@listing_options(50)
@output_options
@click.pass_context
@handle_errors
def runs_search(
    context: click.Context,
    experiments: Tuple[str, ...],
    filter_string: Optional[str],
    order_by: Tuple[str, ...],
    limit: Optional[int],
    show_all: bool,
    output_format: str,
) -> None:
    """Runs of one or more experiments (by name or id) matching a filter, in order.

    Filters use MLflow's syntax over metrics.<key>, params.<key>, tags.<key>,
    status (COMPLETED is FINISHED), run_name, start_time, end_time, run_id,
    parent_run_id and components.name / .type / .stage (pipeline components).
    """
    ids = [e for e in experiments if e == "0" or (len(e) == 32 and all(c in "0123456789abcdef" for c in e))]
    names = [e for e in experiments if e not in ids]
    pages = tracker_from(context).iter_search_runs(
        filter_string=filter_string,
        order_by=list(order_by) or None,
        experiment_ids=ids or None,
        experiment_names=names or None,
        page_size=min(limit or 1000, 1000) if not show_all else 1000,
    )
    try:
        found = take(pages, limit, show_all, output_format, 50)
    except StratusError as error:
        pointer = filter_pointer(filter_string or "", error)
        if not pointer:
            raise
        fail(error_text(error), *pointer)
    rows = [run_row(r) for r in found]
    metrics = metric_columns(rows, "metrics.")
    if output_format != "table":
        columns: List[Any] = ["run_id", "run_name", "status", "start_time", *metrics]
        columns += metric_columns(rows, "params.") if output_format == "csv" else []
    else:
        # The metrics the runs are ordered by, then those the filter names, come first and stay at any
        # width: at 80 columns they used to be the first thing dropped, so a search for accuracy > 0.9
        # showed no accuracy. Every metric is headed by its name alone; the start time gives way first.
        wanted = ordered_metrics(order_by) + filtered_metrics(filter_string or "")
        ordered = [key for key in dict.fromkeys(f"metrics.{name}" for name in wanted) if key in metrics]
        columns = ["run_id", "run_name", "status"]
        columns += [dataclasses.replace(column_for(key), important=True) for key in ordered]
        columns += [key for key in metrics if key not in ordered]
        columns.append(Column("started", kind="time", optional=True))
    emit_rows(rows, columns, output_format, json_rows=[run_json(r) for r in found])
    found.notice()


def filter_pointer(filter_string: str, error: StratusError) -> List[str]:
    """For a filter the API refused `at position N`, the filter and a caret under that character (as the
    web UI shows it), within the terminal's width; none for other errors."""
    match = re.search(r"at position (\d+)", error.message) if error.code == "filter.invalid" else None
    if not match or not filter_string:
        return []
    # The API counts UTF-16 code units, as JavaScript does; Python counts code points.
    units, at = int(match.group(1)), 0
    while at < len(filter_string) and units > 0:
        units -= 2 if ord(filter_string[at]) > 0xFFFF else 1
        at += 1
    indent = "  "
    room = max(20, (message_width() or 10**6) - len(indent))
    start = max(0, min(at - room // 2, len(filter_string) - room))
    shown = filter_string[start : start + room]
    return [f"{indent}{shown}", f"{indent}{' ' * (at - start)}^"]


_FILTERED_METRIC = re.compile(r"""metrics\.(?:`([^`]+)`|"([^"]+)"|([\w.:/-]+))""")


def filtered_metrics(filter_string: str) -> List[str]:
    """The metric names a filter compares (`metrics.acc > 0.9`, `metrics.`a b` < 1`), in order."""
    return [next(group for group in match.groups() if group) for match in _FILTERED_METRIC.finditer(filter_string)]


def ordered_metrics(order_by: Sequence[str]) -> List[str]:
    """The metric names of `--order-by` keys (`metrics.acc DESC`, `metrics.`a b` ASC`), in order."""
    names = []
    for key in order_by:
        text = key.strip()
        if not text.startswith("metrics."):
            continue
        rest = text[len("metrics."):]
        if rest[:1] in ("`", '"') and rest.find(rest[0], 1) > 0:
            names.append(rest[1 : rest.find(rest[0], 1)])
        else:
            names.append(rest.split()[0] if rest.split() else rest)
    return names


@runs.command("compare", context_settings=CONTEXT, short_help="Runs side by side: their metrics and params.")
@click.argument("run_ids", metavar="RUN_ID...", nargs=-1, required=True, type=RUN_ID)
@click.option("--metric", "metrics", multiple=True, metavar="NAME", help="Only these metrics (repeatable).")
@click.option("--param", "params", multiple=True, metavar="NAME", help="Only these params (repeatable).")
@click.option(
    "--all-params", is_flag=True, help="Every param; by default only those whose values differ between the runs."
)
@output_options
@click.pass_context
@handle_errors
def runs_compare(
    context: click.Context,
    run_ids: Tuple[str, ...],
    metrics: Tuple[str, ...],
    params: Tuple[str, ...],
    all_params: bool,
    output_format: str,
) -> None:
    """Runs side by side: a column per run, a line per metric and per param that differs (--json and --csv:
    a row per run)."""
    rows = tracker_from(context).compare_runs(
        list(run_ids),
        metric_names=list(metrics) or None,
        param_names=list(params) or None,
        only_differing_params=False if (all_params or params) else True,
        as_dataframe=False,
    )
    if output_format == "table":
        # Transposed, a column per run: a line per metric and param fits any number of them at 80 columns
        # (a column per metric and param showed two metrics there, and no param).
        keys = list(rows.columns)
        emit_comparison(rows, [k for k in keys if k.startswith("metrics.")], [k for k in keys if k.startswith("params.")])
        return
    emit_rows(rows, list(rows.columns), output_format)


@runs.command("metrics", context_settings=CONTEXT, short_help="A run's metrics: latest, min, max and a sparkline.")
@click.argument("run_id", type=RUN_ID)
@click.argument("keys", metavar="[KEY]...", nargs=-1)
@click.option("--points", type=click.IntRange(2, 5000), default=400, show_default=True, help="Points of the downsampled history to draw from.")
@output_options
@click.pass_context
@handle_errors
def runs_metrics(context: click.Context, run_id: str, keys: Tuple[str, ...], points: int, output_format: str) -> None:
    """A run's metrics: latest value, min, max, last step and a sparkline of the history.

    The history is the service's min/max downsampling (every spike kept), so min
    and max are exact. Without KEYs, every metric of the run.
    """
    tracker = tracker_from(context)
    run = tracker.get_run(run_id)
    wanted = list(keys) or sorted(run.latest_metrics)
    missing = [key for key in wanted if key not in run.latest_metrics]
    if missing:
        raise click.UsageError(f"run {run_id} has no metric {', '.join(map(repr, missing))}; it has {', '.join(sorted(run.latest_metrics)) or 'none'}")
    rows = []
    for key in wanted:
        history = tracker.get_metric_summary(run_id, key, max_points=points)
        values = [point.value for point in history]
        numbers = [value for value in values if not math.isnan(value)]
        latest = run.latest_metrics[key]
        points_json = [{"step": point.step, "value": point.value} for point in history]
        rows.append(
            {
                "metric": key,
                "latest": latest.value,
                "min": min(numbers) if numbers else math.nan,
                "max": max(numbers) if numbers else math.nan,
                "last_step": latest.step,
                "history": values,
                "downsampled_history": points_json,
            }
        )
    if output_format != "table":
        columns = ["metric", "latest", "min", "max", "last_step"]
        json_rows = [{k: v for k, v in row.items() if k != "history"} for row in rows]
        emit_rows(rows, columns, output_format, json_rows=json_rows)
        return
    # Each column's numbers share one precision (five significant digits of its largest), right-aligned:
    # a sparkline is for the shape, --json for the exact values.
    table_rows = [
        {"metric": row["metric"], "latest": row["latest"], "min": row["min"], "max": row["max"], "step": row["last_step"]}
        for row in rows
    ]
    columns: List[Any] = [
        Column("metric", min_width=12, comfort_width=40, cut="middle"),
        Column("latest", kind="number"),
        Column("min", kind="number"),
        Column("max", kind="number"),
        Column("step", kind="value", align="right"),
    ]
    # The sparkline takes what the other columns leave (10 to 60 cells).
    cells = formatted_cells(columns, table_rows)
    used = sum(max(len(c.header), *(len(line[i]) for line in cells)) + 2 for i, c in enumerate(columns))
    spark_width = max(10, min(60, (table_width() or 120) - used))
    for table_row, row in zip(table_rows, rows):
        table_row["history"] = sparkline(row["history"], spark_width)
    emit_rows(table_rows, columns + [Column("history", kind="value")], "table")


# ----- artifacts -----


@cli.group(context_settings=CONTEXT)
def artifacts() -> None:
    """List, upload and download a run's artifacts."""


class MebibyteSpeedColumn(ProgressColumn):
    """Transfer speed in MiB/s: binary units, as the sizes beside it and in the tables are."""

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed / 1024 / 1024:.1f} MiB/s", style="progress.data.speed")


class SizeColumn(ProgressColumn):
    """Bytes done of the total, written as the tables (and the web UI) write sizes: `12 KiB/48 KiB`."""

    def render(self, task: Any) -> Text:
        total = "?" if task.total is None else human_size(int(task.total))
        return Text(f"{human_size(int(task.completed))}/{total}", style="progress.download")


def progress_bar() -> Progress:
    """Bars on stderr, so stdout stays clean for scripts; none when stderr is not a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        SizeColumn(),
        MebibyteSpeedColumn(),
        TimeRemainingColumn(),
        transient=False,
        disable=not sys.stderr.isatty(),
        console=Console(stderr=True),
    )


@artifacts.command("list", context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@click.option("--prefix", help="Only paths starting with this.")
@listing_options(50)
@output_options
@click.pass_context
@handle_errors
def artifacts_list(
    context: click.Context, run_id: str, prefix: Optional[str], limit: Optional[int], show_all: bool, output_format: str
) -> None:
    """A run's artifacts, in path order."""
    found = take(tracker_from(context).iter_artifacts(run_id, prefix=prefix), limit, show_all, output_format, 50)
    rows = [{**as_json(a), "size": human_size(a.size_bytes), "created": human_time(a.created_time)} for a in found]
    columns: List[Any] = ["path", Column("artifact_type", header="type", kind="value"), "size", "status", "created"]
    if output_format == "csv":
        columns = ["path", "artifact_type", "size_bytes", "content_type", "sha256", "status", "created_time"]
    emit_rows(rows, columns, output_format, json_rows=[as_json(a) for a in found])
    found.notice()


ARTIFACT_TYPES = ["model", "plot", "data", "report", "other"]


@artifacts.command("upload", context_settings=CONTEXT, short_help="Upload files and folders to a run.")
@click.argument("run_id", type=RUN_ID)
@click.argument("files", metavar="FILE|FOLDER...", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--type", "artifact_type", type=click.Choice(ARTIFACT_TYPES), default="other", show_default=True)
@click.option(
    "--path",
    "artifact_path",
    help="Path in the run (one FILE or FOLDER only); default: the file's or folder's relative path.",
)
@output_options
@click.pass_context
@handle_errors
def artifacts_upload(
    context: click.Context,
    run_id: str,
    files: Tuple[str, ...],
    artifact_type: str,
    artifact_path: Optional[str],
    output_format: str,
) -> None:
    """Upload files and folders (everything in them, keeping their layout) as artifacts of a run,
    with a progress bar (large files in parallel parts)."""
    if artifact_path and len(files) > 1:
        raise click.UsageError("--path needs exactly one FILE or FOLDER")
    tracker = tracker_from(context)
    tracker.strict = True  # a CLI reports failures instead of shrugging them off
    uploaded = []
    with progress_bar() as bars:
        for local in files:
            if os.path.isdir(local):
                folder_path = artifact_path or _artifacts.artifact_path_for(local.rstrip("/\\") or ".")
                task = bars.add_task(os.path.basename(os.path.abspath(local)) + "/", total=None, visible=False)
                uploaded.extend(
                    tracker.log_artifacts(
                        local,
                        None if folder_path in (".", "") else folder_path,
                        artifact_type=artifact_type,
                        run_id=run_id,
                        progress=lambda done, total, task=task: bars.update(task, completed=done, total=total, visible=True),
                    )
                )
                continue
            task = bars.add_task(os.path.basename(local), total=os.path.getsize(local), visible=False)
            uploaded.append(
                tracker.log_artifact(
                    local,
                    artifact_type,
                    artifact_path=artifact_path,
                    run_id=run_id,
                    progress=lambda done, total, task=task: bars.update(task, completed=done, total=total, visible=True),
                )
            )
    rows = [{**as_json(a), "size": human_size(a.size_bytes)} for a in uploaded if a]
    emit_rows(rows, ["path", "artifact_type", "size", "status"], output_format, json_rows=rows)


@artifacts.command("download", context_settings=CONTEXT, short_help="Download a run's files, checking each SHA-256.")
@click.argument("run_id", type=RUN_ID)
@click.argument("paths", metavar="[PATH]...", nargs=-1)
@click.option(
    "-o",
    "--output",
    "destination",
    default=".",
    show_default=True,
    type=click.Path(),
    help="Directory to write into (created when missing); for one file, a file name also works.",
)
@click.option("--force", is_flag=True, help="Replace files that already exist (by default nothing is overwritten).")
@click.option("--workers", type=click.IntRange(1, 32), default=4, show_default=True, help="Files downloaded at once.")
@click.pass_context
@handle_errors
def artifacts_download(
    context: click.Context, run_id: str, paths: Tuple[str, ...], destination: str, force: bool, workers: int
) -> None:
    """Download files or folders of a run (no PATH: all of it) with one progress bar, checking each
    file's SHA-256; prints the files written.

    One PATH lands in -o as itself: a file by its name, a folder's files by their paths below it.
    Several PATHs keep the run's own layout under -o (plots/roc.png goes to OUT/plots/roc.png), so
    files of the same name in different folders never land on one another."""
    if len(paths) > 1 and os.path.isfile(destination):
        raise click.UsageError("several PATHs need -o to be a directory")
    tracker = tracker_from(context)
    planned = _plan_several(tracker, run_id, paths, destination) if len(paths) > 1 else []
    written: List[str] = []
    with progress_bar() as bars:
        # Shown once bytes are on their way: an error found first (a missing path, files already there)
        # used to follow an empty `0/? bytes` bar.
        task = bars.add_task("download", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            bars.update(task, completed=done, total=total or None, visible=True)

        try:
            if len(paths) > 1:
                bars.update(task, description=f"{len(paths)} paths")
                written = _artifacts.download_all(
                    tracker.transport, run_id, planned, workers=workers, overwrite=force, progress=progress
                )
            else:
                path = paths[0] if paths else ""
                bars.update(task, description=path or "all artifacts")
                written = tracker.download_artifacts(
                    run_id, path, destination, overwrite=force, workers=workers, progress=progress
                )
        except _artifacts.ArtifactExistsError as error:
            bars.stop()
            existing = _artifacts.ArtifactExistsError([shown_path(path, destination) for path in error.paths])  # as printed
            fail(f"{existing.describe()}; nothing was downloaded (--force replaces them)")
    for file in written:
        click.echo(shown_path(file, destination))


def _plan_several(
    tracker: ExperimentTracker, run_id: str, paths: Sequence[str], destination: str
) -> List[Tuple[Any, str]]:
    """Every file the PATHs name (a file itself, or the files under a folder), each once, at its
    run path under `destination`; a PATH that names nothing is an error before anything is fetched."""
    chosen: Dict[str, Any] = {}
    for path in paths:
        folder = path.strip("/")
        found = [
            artifact
            for artifact in tracker.iter_artifacts(run_id, prefix=folder or None)
            if not folder or artifact.path == folder or artifact.path.startswith(folder + "/")
        ]
        if not found:
            raise NotFoundError(404, "artifact.not_found", f"run {run_id} has no artifacts at {path!r}")
        for artifact in found:
            chosen.setdefault(artifact.path, artifact)
    return _artifacts.plan_downloads(sorted(chosen.values(), key=lambda a: a.path), "", destination)


# ----- export -----


@cli.command("export", context_settings=CONTEXT)
@click.option("--sqlite", "sqlite_file", metavar="FILE", type=click.Path(dir_okay=False), help="Write a SQLite file.")
@click.option("--parquet", "parquet_dir", metavar="DIR", type=click.Path(file_okay=False), help="Write DIR/<table>.parquet files.")
@click.option("--experiment", "experiments", multiple=True, metavar="NAME|ID", help="Only this experiment (repeatable); default: all.")
@click.pass_context
@handle_errors
def export(context: click.Context, sqlite_file: Optional[str], parquet_dir: Optional[str], experiments: Tuple[str, ...]) -> None:
    """Copy runs into SQLite or Parquet for SQL, pandas and DuckDB.

    The tables hold the second seed's `experiments` and `pipeline_components`
    (so its SQL runs as written) and fuller ones: stratus_experiments, runs,
    params, tags, metrics (every point) and artifacts. Runs stream a page at a
    time, so any number of metric points fits. An existing SQLite file keeps its
    other runs; the exported ones are replaced.
    """
    from ..export import ExportProgress, export_parquet, export_sqlite

    if (sqlite_file is None) == (parquet_dir is None):
        raise click.UsageError("give exactly one of --sqlite FILE and --parquet DIR")
    tracker = tracker_from(context)
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TextColumn("{task.fields[points]} points"),
        TimeRemainingColumn(),
        disable=not sys.stderr.isatty(),
        console=console,
    ) as bars:
        task = bars.add_task("export", total=None, points="0")

        def report(state: ExportProgress) -> None:
            bars.update(task, completed=state.runs_done, total=state.runs_total or None, points=f"{state.points:,}")

        if sqlite_file:
            state = export_sqlite(tracker, sqlite_file, list(experiments) or None, report)
        else:
            state = export_parquet(tracker, parquet_dir, list(experiments) or None, report)  # type: ignore[arg-type]
    runs_word = "run" if state.runs_done == 1 else "runs"
    note(f"exported {state.runs_done} {runs_word} and {state.points:,} metric points to {sqlite_file or parquet_dir}")


# Lifecycle: end, delete/restore, rename, purge. Each prints one line saying what changed.


@runs.command("end", context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@click.option(
    "--status",
    type=click.Choice(["FINISHED", "FAILED", "KILLED"], case_sensitive=False),
    default="FINISHED",
    show_default=True,
    help="KILLED for a run whose job died and left it RUNNING.",
)
@click.pass_context
@handle_errors
def runs_end(context: click.Context, run_id: str, status: str) -> None:
    """End a run that is still RUNNING (e.g. its job was killed)."""
    tracker = tracker_from(context)
    tracker.end_run(status=status.upper(), run_id=run_id)
    click.echo(f"run {run_id} is {tracker.get_run(run_id).status}")


@runs.command("delete", context_settings=CONTEXT, short_help="Soft-delete a run (restore brings it back).")
@click.argument("run_id", type=RUN_ID)
@click.pass_context
@handle_errors
def runs_delete(context: click.Context, run_id: str) -> None:
    """Soft-delete a run: it leaves lists and searches until restored (or purged)."""
    tracker_from(context).delete_run(run_id)
    click.echo(f"run {run_id} deleted (restore it with: stratus runs restore {run_id})")


@runs.command("restore", context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@click.pass_context
@handle_errors
def runs_restore(context: click.Context, run_id: str) -> None:
    """Restore a deleted run."""
    tracker_from(context).restore_run(run_id)
    click.echo(f"run {run_id} restored")


@runs.command("rename", context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@click.argument("new_name")
@click.pass_context
@handle_errors
def runs_rename(context: click.Context, run_id: str, new_name: str) -> None:
    """Give a run another name."""
    run = tracker_from(context).rename_run(run_id, new_name)
    click.echo(f"run {run_id} is now named {run.run_name!r}")


@runs.command("purge", context_settings=CONTEXT, short_help="Irreversibly remove a deleted run (admin).")
@click.argument("run_id", type=RUN_ID)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@handle_errors
def runs_purge(context: click.Context, run_id: str, yes: bool) -> None:
    """Irreversibly remove a deleted run, its data and its artifacts (admin token)."""
    if not yes:
        click.confirm(f"Purge run {run_id} and its artifacts for good?", abort=True, err=True)
    purged = tracker_from(context).purge_run(run_id)
    click.echo(f"run {run_id} purged: {purged['items']} records, {purged['objects']} artifact objects")


@experiments.command("delete", context_settings=CONTEXT, short_help="Soft-delete an experiment (restore brings it back).")
@click.argument("experiment", metavar="ID|NAME")
@click.pass_context
@handle_errors
def experiments_delete(context: click.Context, experiment: str) -> None:
    """Soft-delete an experiment: it leaves lists until restored; its name stays taken until purged."""
    deleted = tracker_from(context).delete_experiment(experiment)
    click.echo(f"experiment {deleted.experiment_id} ({deleted.name}) deleted")


@experiments.command("restore", context_settings=CONTEXT)
@click.argument("experiment_id")
@click.pass_context
@handle_errors
def experiments_restore(context: click.Context, experiment_id: str) -> None:
    """Restore a deleted experiment."""
    restored = tracker_from(context).restore_experiment(experiment_id)
    click.echo(f"experiment {restored.experiment_id} ({restored.name}) restored")


@experiments.command("rename", context_settings=CONTEXT)
@click.argument("experiment", metavar="ID|NAME")
@click.argument("new_name")
@click.pass_context
@handle_errors
def experiments_rename(context: click.Context, experiment: str, new_name: str) -> None:
    """Rename an experiment (the new name must be free)."""
    renamed = tracker_from(context).rename_experiment(experiment, new_name)
    click.echo(f"experiment {renamed.experiment_id} is now named {renamed.name!r}")


@experiments.command("purge", context_settings=CONTEXT, short_help="Irreversibly remove a deleted experiment (admin).")
@click.argument("experiment_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@handle_errors
def experiments_purge(context: click.Context, experiment_id: str, yes: bool) -> None:
    """Irreversibly remove a deleted experiment, all its runs and their artifacts (admin token)."""
    if not yes:
        click.confirm(f"Purge experiment {experiment_id}, all its runs and artifacts for good?", abort=True, err=True)
    purged = tracker_from(context).purge_experiment(experiment_id)
    click.echo(
        f"experiment {experiment_id} purged: {purged['runs']} runs, {purged['items']} records, "
        f"{purged['objects']} artifact objects"
    )
