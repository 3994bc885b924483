"""`stratus` commands: experiments, runs and artifacts, over the Python SDK."""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from .. import __version__
from ..errors import StratusError
from ..models import Run
from ..tracker import ExperimentTracker
from .output import (
    emit_fields,
    emit_json,
    emit_rows,
    human_duration,
    human_size,
    human_time,
    output_options,
)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


def fail(message: str) -> None:
    click.echo(f"stratus: error: {message}", err=True)
    sys.exit(1)


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every failure is one line on stderr and exit status 1 (usage errors: click's 2)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StratusError as error:
            fail(f"{error.message} [{error.code}{'' if error.status is None else f', HTTP {error.status}'}]")
        except (ValueError, OSError) as error:
            fail(str(error))

    return wrapper


def tracker_from(context: click.Context) -> ExperimentTracker:
    options = context.find_root().params
    endpoint, token = options.get("endpoint"), options.get("token")
    if not endpoint:
        fail("no endpoint: pass --endpoint or set STRATUS_ENDPOINT (e.g. http://127.0.0.1:8000)")
    if not token:
        fail("no token: pass --token or set STRATUS_TOKEN")
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


@click.group(context_settings=CONTEXT)
@click.option("--endpoint", envvar="STRATUS_ENDPOINT", metavar="URL", help="API root, e.g. http://127.0.0.1:8000 [env STRATUS_ENDPOINT]")
@click.option("--token", envvar="STRATUS_TOKEN", metavar="TOKEN", help="Bearer token [env STRATUS_TOKEN]")
@click.version_option(__version__, prog_name="stratus")
def cli(endpoint: Optional[str], token: Optional[str]) -> None:
    """Stratus: browse experiments, runs and artifacts.

    Tables for people by default; --json or --csv for scripts.
    """


# ----- experiments -----


@cli.group(context_settings=CONTEXT)
def experiments() -> None:
    """List and inspect experiments."""


@experiments.command("list", context_settings=CONTEXT)
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Only experiments with this tag (repeatable).")
@click.option("--max-results", type=click.IntRange(1), default=100, show_default=True)
@output_options
@click.pass_context
@handle_errors
def experiments_list(context: click.Context, tags: Tuple[str, ...], max_results: int, output_format: str) -> None:
    """Experiments, newest first."""
    wanted: Dict[str, str] = {}
    for tag in tags:
        key, sep, value = tag.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{tag!r} is not KEY=VALUE", param_hint="--tag")
        wanted[key] = value
    found = tracker_from(context).list_experiments(tags=wanted, max_results=max_results)
    rows = [
        {
            "experiment_id": e.experiment_id,
            "experiment_name": e.experiment_name,
            "created_at": e.created_at,
            "created": human_time(e.created_at),
            "description": e.description,
            "tags": e.tags,
        }
        for e in found
    ]
    columns = ["experiment_id", "experiment_name", "created", "tags"]
    if output_format == "csv":
        columns = ["experiment_id", "experiment_name", "created_at", "description"]
    emit_rows(rows, columns, output_format, json_rows=[as_json(e) for e in found])


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
@click.option("--status", type=click.Choice(["RUNNING", "FINISHED", "FAILED", "KILLED"], case_sensitive=False))
@click.option("--max-results", type=click.IntRange(1), default=50, show_default=True)
@output_options
@click.pass_context
@handle_errors
def runs_list(context: click.Context, experiment: str, status: Optional[str], max_results: int, output_format: str) -> None:
    """An experiment's runs (experiment by id or name), newest first."""
    found = tracker_from(context).list_runs(experiment, status=status.upper() if status else None, max_results=max_results)
    columns = ["run_id", "run_name", "status", "started", "duration"]
    if output_format == "csv":
        columns = ["run_id", "run_name", "status", "start_time", "duration_ms"]
    emit_rows([run_row(r) for r in found], columns, output_format, json_rows=[run_json(r) for r in found])


@runs.command("show", context_settings=CONTEXT)
@click.argument("run_id")
@output_options
@click.pass_context
@handle_errors
def runs_show(context: click.Context, run_id: str, output_format: str) -> None:
    """A run: its fields, params, latest metrics and artifacts."""
    run = tracker_from(context).get_run(run_id)
    table = output_format == "table"
    fields = [
        ("run_id", run.run_id),
        ("run_name", run.run_name),
        ("experiment_id", run.experiment_id),
        ("status", run.status),
        ("started", human_time(run.start_time) if table else run.start_time),
        ("ended", human_time(run.end_time) if table else run.end_time),
        ("duration", human_duration(run.duration_ms) if table else run.duration_ms),
        ("git_commit", run.git_commit),
        ("code_version", run.code_version),
    ]
    if not table:
        fields += [(f"tags.{k}", v) for k, v in run.tags.items()]
        fields += [(f"params.{k}", v) for k, v in run.params.items()]
        fields += [(f"metrics.{k}", v) for k, v in run.metrics.items()]
        fields += [(f"artifacts.{a.path}", a.size_bytes) for a in run.artifacts]
    emit_fields(fields, output_format, run_json(run))
    if not table:
        return
    sections: List[Tuple[str, List[Dict[str, Any]], List[str]]] = [
        ("tags", [{"tag": k, "value": v} for k, v in sorted(run.tags.items())], ["tag", "value"]),
        ("params", [{"param": k, "value": v} for k, v in sorted(run.params.items())], ["param", "value"]),
        (
            "metrics",
            [{"metric": k, "value": m.value, "step": m.step} for k, m in sorted(run.latest_metrics.items())],
            ["metric", "value", "step"],
        ),
        (
            "artifacts",
            [{"path": a.path, "type": a.artifact_type, "size": human_size(a.size_bytes)} for a in run.artifacts],
            ["path", "type", "size"],
        ),
    ]
    for title, rows, columns in sections:
        if rows:
            click.echo()
            emit_rows(rows, columns, "table", title=title)


def metric_columns(rows: Sequence[Dict[str, Any]], prefix: str) -> List[str]:
    names: List[str] = []
    for row in rows:
        names.extend(name for name in row if name.startswith(prefix) and name not in names)
    return names


@runs.command("search", context_settings=CONTEXT)
@click.argument("experiments", metavar="EXPERIMENT...", nargs=-1, required=True)
@click.option("--filter", "filter_string", metavar="EXPR", help="e.g. \"metrics.accuracy > 0.9 AND params.model = 'xgb'\"")
@click.option("--order-by", multiple=True, metavar="KEY [ASC|DESC]", help="e.g. \"metrics.accuracy DESC\" (repeatable).")
@click.option("--max-results", type=click.IntRange(1, 10_000), default=100, show_default=True)
@output_options
@click.pass_context
@handle_errors
def runs_search(
    context: click.Context,
    experiments: Tuple[str, ...],
    filter_string: Optional[str],
    order_by: Tuple[str, ...],
    max_results: int,
    output_format: str,
) -> None:
    """Runs of one or more experiments (by name or id) matching a filter, in order."""
    ids = [e for e in experiments if len(e) == 32 and all(c in "0123456789abcdef" for c in e)]
    names = [e for e in experiments if e not in ids]
    found = tracker_from(context).search_runs(
        filter_string=filter_string,
        order_by=list(order_by) or None,
        max_results=max_results,
        experiment_ids=ids or None,
        experiment_names=names or None,
    )
    rows = [run_row(r) for r in found]
    base = ["run_id", "run_name", "status", "started"] if output_format == "table" else ["run_id", "run_name", "status", "start_time"]
    columns = base + metric_columns(rows, "metrics.") + (metric_columns(rows, "params.") if output_format == "csv" else [])
    emit_rows(rows, columns, output_format, json_rows=[run_json(r) for r in found])


@runs.command("compare", context_settings=CONTEXT)
@click.argument("run_ids", metavar="RUN_ID...", nargs=-1, required=True)
@click.option("--metric", "metrics", multiple=True, metavar="NAME", help="Only these metrics (repeatable).")
@click.option("--param", "params", multiple=True, metavar="NAME", help="Only these params (repeatable).")
@click.option("--only-differing", is_flag=True, help="Only params whose values differ between the runs.")
@output_options
@click.pass_context
@handle_errors
def runs_compare(
    context: click.Context,
    run_ids: Tuple[str, ...],
    metrics: Tuple[str, ...],
    params: Tuple[str, ...],
    only_differing: bool,
    output_format: str,
) -> None:
    """Runs side by side: one row per run, a column per metric and param."""
    rows = tracker_from(context).compare_runs(
        list(run_ids),
        metric_names=list(metrics) or None,
        param_names=list(params) or None,
        only_differing_params=only_differing,
        as_dataframe=False,
    )
    columns = list(rows[0].keys()) if rows else ["run_id"]
    if output_format == "table":
        for row in rows:
            row["started"] = human_time(row.get("start_time"))
        columns = ["run_id", "run_name", "status", "started"] + [c for c in columns if c.startswith(("metrics.", "params."))]
    emit_rows(rows, columns, output_format)


# ----- artifacts -----


@cli.group(context_settings=CONTEXT)
def artifacts() -> None:
    """List, upload and download a run's artifacts."""


def progress_bar() -> Progress:
    """Bars on stderr, so stdout stays clean for scripts; none when stderr is not a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        transient=False,
        disable=not sys.stderr.isatty(),
        console=Console(stderr=True),
    )


@artifacts.command("list", context_settings=CONTEXT)
@click.argument("run_id")
@click.option("--prefix", help="Only paths starting with this.")
@output_options
@click.pass_context
@handle_errors
def artifacts_list(context: click.Context, run_id: str, prefix: Optional[str], output_format: str) -> None:
    """A run's artifacts."""
    found = tracker_from(context).list_artifacts(run_id, prefix=prefix)
    rows = [{**as_json(a), "size": human_size(a.size_bytes), "created": human_time(a.created_time)} for a in found]
    columns = ["path", "artifact_type", "size", "status", "created"]
    if output_format == "csv":
        columns = ["path", "artifact_type", "size_bytes", "content_type", "sha256", "status", "created_time"]
    emit_rows(rows, columns, output_format, json_rows=[as_json(a) for a in found])


ARTIFACT_TYPES = ["model", "plot", "data", "report", "other"]


@artifacts.command("upload", context_settings=CONTEXT)
@click.argument("run_id")
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--type", "artifact_type", type=click.Choice(ARTIFACT_TYPES), default="other", show_default=True)
@click.option("--path", "artifact_path", help="Path in the run (one FILE only); default: the file's relative path.")
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
    """Upload files as artifacts of a run, with a progress bar (large files in parallel parts)."""
    if artifact_path and len(files) > 1:
        raise click.UsageError("--path needs exactly one FILE")
    tracker = tracker_from(context)
    tracker.strict = True  # a CLI reports failures instead of shrugging them off
    uploaded = []
    with progress_bar() as bars:
        for local in files:
            task = bars.add_task(os.path.basename(local), total=os.path.getsize(local))
            artifact = tracker.log_artifact(
                local,
                artifact_type,
                artifact_path=artifact_path,
                run_id=run_id,
                progress=lambda done, total, task=task: bars.update(task, completed=done, total=total),
            )
            uploaded.append(artifact)
    rows = [{**as_json(a), "size": human_size(a.size_bytes)} for a in uploaded if a]
    emit_rows(rows, ["path", "artifact_type", "size", "status"], output_format, json_rows=rows)


@artifacts.command("download", context_settings=CONTEXT)
@click.argument("run_id")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True)
@click.option("-o", "--output", "destination", default=".", show_default=True, type=click.Path(), help="File or directory to write to.")
@click.pass_context
@handle_errors
def artifacts_download(context: click.Context, run_id: str, paths: Tuple[str, ...], destination: str) -> None:
    """Download artifacts of a run, with a progress bar; prints the files written."""
    if len(paths) > 1 and not os.path.isdir(destination):
        raise click.UsageError("several PATHs need -o to be an existing directory")
    tracker = tracker_from(context)
    with progress_bar() as bars:
        written = []
        for path in paths:
            task = bars.add_task(os.path.basename(path), total=None)
            written.append(
                tracker.download_artifact(
                    path,
                    destination,
                    run_id=run_id,
                    progress=lambda done, total, task=task: bars.update(task, completed=done, total=total or None),
                )
            )
    for file in written:
        click.echo(file)
