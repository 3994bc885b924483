"""Copies runs out of Stratus into a SQLite file or Parquet files, for SQL, pandas and DuckDB.

``stratus export --sqlite experiments.db`` (or :func:`export_sqlite`) writes the
second seed's two tables, so its SQL runs verbatim, next to fuller tables:

=======================  ==========================================================================
table                    one row per / columns
=======================  ==========================================================================
``experiments``          run, in the second seed's words (its "experiment" is a Stratus run):
                         ``id`` (run id), ``name`` (run name), ``start_time``, ``end_time`` (UTC,
                         ``YYYY-MM-DD HH:MM:SS.fff``), ``status`` (RUNNING, COMPLETED, FAILED,
                         KILLED), ``tags`` (JSON), ``pipeline_config`` (JSON), then
                         ``project_name`` (the Stratus experiment), ``experiment_id``,
                         ``duration_ms``, ``parent_run_id``
``pipeline_components``  pipeline component: ``id`` (``<run id>-<position>``), ``experiment_id``
                         (the run's id, as in the seed), ``name``, ``type``, ``stage``, ``position``
``stratus_experiments``  Stratus experiment: ``experiment_id``, ``name``, ``description``,
                         ``created_at`` (epoch ms), ``tags`` (JSON)
``runs``                 run, in Stratus's words: ``run_id``, ``experiment_id``, ``run_name``,
                         ``status`` (FINISHED for COMPLETED), ``start_time``, ``end_time`` (epoch
                         ms), ``duration_ms``, ``parent_run_id``, ``git_commit``, ``code_version``
``params``, ``tags``     ``run_id``, ``key``, ``value``
``metrics``              every point of every metric: ``run_id``, ``key``, ``step``, ``value``
                         (NaN is NULL: SQL has no NaN; ±Infinity stay), ``timestamp`` (epoch ms)
``artifacts``            ``run_id``, ``path``, ``artifact_type``, ``size_bytes``, ``content_type``,
                         ``sha256``, ``created_time``
=======================  ==========================================================================

``--parquet DIR`` writes the same tables as ``DIR/<table>.parquet`` (pyarrow,
the ``[parquet]`` extra). Both stream: runs are read a page at a time and each
metric's history 10,000 points a request, written as they arrive, so a run of
1,000,000 points never sits in memory. Writing a SQLite file that exists
refreshes the runs exported (their old rows are replaced) and keeps the others.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from .models import Experiment, Run

#: Columns of each table, in order (the Parquet schema and the SQLite DDL are built from them).
TABLES: Dict[str, List[Tuple[str, str]]] = {
    "experiments": [
        ("id", "TEXT PRIMARY KEY"),
        ("name", "TEXT"),
        ("start_time", "TEXT"),
        ("end_time", "TEXT"),
        ("status", "TEXT"),
        ("tags", "TEXT"),
        ("pipeline_config", "TEXT"),
        ("project_name", "TEXT"),
        ("experiment_id", "TEXT"),
        ("duration_ms", "INTEGER"),
        ("parent_run_id", "TEXT"),
    ],
    "pipeline_components": [
        ("id", "TEXT PRIMARY KEY"),
        ("experiment_id", "TEXT"),
        ("name", "TEXT"),
        ("type", "TEXT"),
        ("stage", "TEXT"),
        ("position", "INTEGER"),
    ],
    "stratus_experiments": [
        ("experiment_id", "TEXT PRIMARY KEY"),
        ("name", "TEXT"),
        ("description", "TEXT"),
        ("created_at", "INTEGER"),
        ("tags", "TEXT"),
    ],
    "runs": [
        ("run_id", "TEXT PRIMARY KEY"),
        ("experiment_id", "TEXT"),
        ("run_name", "TEXT"),
        ("status", "TEXT"),
        ("start_time", "INTEGER"),
        ("end_time", "INTEGER"),
        ("duration_ms", "INTEGER"),
        ("parent_run_id", "TEXT"),
        ("git_commit", "TEXT"),
        ("code_version", "TEXT"),
    ],
    "params": [("run_id", "TEXT"), ("key", "TEXT"), ("value", "TEXT")],
    "tags": [("run_id", "TEXT"), ("key", "TEXT"), ("value", "TEXT")],
    "metrics": [("run_id", "TEXT"), ("key", "TEXT"), ("step", "INTEGER"), ("value", "REAL"), ("timestamp", "INTEGER")],
    "artifacts": [
        ("run_id", "TEXT"),
        ("path", "TEXT"),
        ("artifact_type", "TEXT"),
        ("size_bytes", "INTEGER"),
        ("content_type", "TEXT"),
        ("sha256", "TEXT"),
        ("created_time", "INTEGER"),
    ],
}
#: The column that says which run a row belongs to (rows are replaced run by run).
RUN_COLUMN = {
    "experiments": "id",
    "pipeline_components": "experiment_id",
    "runs": "run_id",
    "params": "run_id",
    "tags": "run_id",
    "metrics": "run_id",
    "artifacts": "run_id",
}
INDEXES = [
    "CREATE INDEX IF NOT EXISTS metrics_by_run_key_step ON metrics (run_id, key, step)",
    "CREATE INDEX IF NOT EXISTS params_by_run ON params (run_id, key)",
    "CREATE INDEX IF NOT EXISTS tags_by_run ON tags (run_id, key)",
    "CREATE INDEX IF NOT EXISTS artifacts_by_run ON artifacts (run_id, path)",
    "CREATE INDEX IF NOT EXISTS components_by_experiment ON pipeline_components (experiment_id, position)",
    "CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs (experiment_id, start_time)",
]

HISTORY_PAGE = 10_000


@dataclass
class ExportProgress:
    """What an export has done so far (passed to the progress callback after every page)."""

    runs_total: int = 0
    runs_done: int = 0
    points: int = 0
    current_run: str = ""


ProgressCallback = Callable[[ExportProgress], None]


def seed_status(status: str) -> str:
    """The second seed's words: COMPLETED where Stratus says FINISHED."""
    return "COMPLETED" if status == "FINISHED" else status


def utc_text(epoch_ms: Optional[int]) -> Optional[str]:
    if epoch_ms is None:
        return None
    try:
        moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None  # past year 9999 (a client that sent microseconds): no time a database reads
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{epoch_ms % 1000:03d}"


def _json(value: Any) -> Optional[str]:
    return None if value is None else json.dumps(value, sort_keys=True)


def _sql_number(value: float) -> Optional[float]:
    return None if math.isnan(value) else value


class Sink:
    """Where rows go: SQLite or Parquet. `begin_run` drops what an earlier export wrote for the run."""

    def begin_run(self, run_id: str) -> None:
        pass

    def write(self, table: str, rows: Sequence[Tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def replace_experiment(self, row: Tuple[Any, ...]) -> None:
        self.write("stratus_experiments", [row])

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass


class SqliteSink(Sink):
    def __init__(self, path: str) -> None:
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        self.connection = sqlite3.connect(path)
        for table, columns in TABLES.items():
            ddl = ", ".join(f"{name} {kind}" for name, kind in columns)
            self.connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({ddl})")
        for statement in INDEXES:
            self.connection.execute(statement)

    def begin_run(self, run_id: str) -> None:
        for table, column in RUN_COLUMN.items():
            self.connection.execute(f"DELETE FROM {table} WHERE {column} = ?", (run_id,))

    def write(self, table: str, rows: Sequence[Tuple[Any, ...]]) -> None:
        if rows:
            marks = ", ".join("?" for _ in TABLES[table])
            self.connection.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows)

    def commit(self) -> None:
        self.connection.commit()

    def close(self) -> None:
        self.connection.commit()
        self.connection.close()


class ParquetSink(Sink):
    """One ``<table>.parquet`` per table, written a row group at a time (at most `group_rows` rows held)."""

    TYPES = {"TEXT": "string", "INTEGER": "int64", "REAL": "float64"}

    def __init__(self, folder: str, group_rows: int = 50_000) -> None:
        try:
            import pyarrow  # type: ignore[import-not-found]
            import pyarrow.parquet  # type: ignore[import-not-found]
        except ImportError:
            raise RuntimeError('--parquet needs pyarrow: pip install "stratus-tracker[parquet]"') from None
        self.pa = pyarrow
        self.pq = pyarrow.parquet
        os.makedirs(folder, exist_ok=True)
        self.folder = folder
        self.group_rows = group_rows
        self.buffers: Dict[str, List[Tuple[Any, ...]]] = {table: [] for table in TABLES}
        self.schemas = {
            table: pyarrow.schema(
                [(name, getattr(pyarrow, self.TYPES[kind.split()[0]])()) for name, kind in columns]
            )
            for table, columns in TABLES.items()
        }
        self.writers = {
            table: self.pq.ParquetWriter(os.path.join(folder, f"{table}.parquet"), self.schemas[table])
            for table in TABLES
        }

    def write(self, table: str, rows: Sequence[Tuple[Any, ...]]) -> None:
        buffer = self.buffers[table]
        buffer.extend(rows)
        if len(buffer) >= self.group_rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        buffer = self.buffers[table]
        if not buffer:
            return
        columns = list(zip(*buffer))
        arrays = [self.pa.array(list(values), type=field.type) for values, field in zip(columns, self.schemas[table])]
        self.writers[table].write_table(self.pa.Table.from_arrays(arrays, schema=self.schemas[table]))
        buffer.clear()

    def close(self) -> None:
        for table, writer in self.writers.items():
            self._flush(table)
            writer.close()


def _experiment_row(experiment: Experiment) -> Tuple[Any, ...]:
    return (
        experiment.experiment_id,
        experiment.experiment_name,
        experiment.description,
        experiment.created_at,
        _json(experiment.tags),
    )


def write_run(tracker: Any, sink: Sink, run: Run, project_name: str, progress: Optional[Callable[[int], None]] = None) -> int:
    """Writes one run, all its tables; returns the metric points written."""
    sink.begin_run(run.run_id)
    sink.write(
        "experiments",
        [
            (
                run.run_id,
                run.run_name,
                utc_text(run.start_time),
                utc_text(run.end_time),
                seed_status(run.status),
                _json(run.tags),
                _json(run.pipeline_config),
                project_name,
                run.experiment_id,
                run.duration_ms,
                run.parent_run_id,
            )
        ],
    )
    sink.write(
        "pipeline_components",
        [
            (f"{run.run_id}-{c.position}", run.run_id, c.name, c.type, c.stage, c.position)
            for c in run.pipeline_components
        ],
    )
    sink.write(
        "runs",
        [
            (
                run.run_id,
                run.experiment_id,
                run.run_name,
                run.status,
                run.start_time,
                run.end_time,
                run.duration_ms,
                run.parent_run_id,
                run.git_commit,
                run.code_version,
            )
        ],
    )
    sink.write("params", [(run.run_id, key, value) for key, value in sorted(run.params.items())])
    sink.write("tags", [(run.run_id, key, value) for key, value in sorted(run.tags.items())])
    sink.write(
        "artifacts",
        [
            (run.run_id, a.path, a.artifact_type, a.size_bytes, a.content_type, a.sha256, a.created_time)
            for a in tracker.iter_artifacts(run.run_id)
        ],
    )
    points = 0
    for key in sorted(run.metrics):
        for page in tracker.iter_metric_history_pages(run.run_id, key, page_size=HISTORY_PAGE):
            sink.write("metrics", [(run.run_id, key, p.step, _sql_number(p.value), p.timestamp) for p in page])
            points += len(page)
            if progress:
                progress(len(page))
    sink.commit()
    return points


def _selected_experiments(tracker: Any, names: Optional[Sequence[str]]) -> Iterator[Experiment]:
    if names:
        for name in names:
            yield tracker.get_experiment(name)
    else:
        yield from tracker.iter_experiments()


def export_runs(
    tracker: Any,
    sink: Sink,
    experiments: Optional[Sequence[str]] = None,
    progress: Optional[ProgressCallback] = None,
) -> ExportProgress:
    """Writes the chosen experiments (by name or id; default: all) and all their runs into `sink`."""
    state = ExportProgress()
    chosen = list(_selected_experiments(tracker, experiments))
    # A first pass over the run listings (ids only) gives the progress bar its total.
    run_ids: List[Tuple[Experiment, str]] = []
    for experiment in chosen:
        sink.replace_experiment(_experiment_row(experiment))
        run_ids.extend((experiment, run.run_id) for run in tracker.iter_runs(experiment.experiment_id, page_size=1000))
    sink.commit()
    state.runs_total = len(run_ids)
    if progress:
        progress(state)

    def advance(count: int) -> None:
        state.points += count
        if progress:
            progress(state)

    for experiment, run_id in run_ids:
        state.current_run = run_id
        write_run(tracker, sink, tracker.get_run(run_id), experiment.experiment_name, advance)
        state.runs_done += 1
        if progress:
            progress(state)
    return state


def export_sqlite(
    tracker: Any, path: str, experiments: Optional[Sequence[str]] = None, progress: Optional[ProgressCallback] = None
) -> ExportProgress:
    sink = SqliteSink(path)
    try:
        return export_runs(tracker, sink, experiments, progress)
    finally:
        sink.close()


def export_parquet(
    tracker: Any, folder: str, experiments: Optional[Sequence[str]] = None, progress: Optional[ProgressCallback] = None
) -> ExportProgress:
    sink = ParquetSink(folder)
    try:
        return export_runs(tracker, sink, experiments, progress)
    finally:
        sink.close()


def mirror_run(tracker: Any, path: str, run_id: str) -> None:
    """Writes (or refreshes) one run in a SQLite file: what the sandbox's ``storage_uri`` does."""
    run = tracker.get_run(run_id)
    experiment = tracker.get_experiment(run.experiment_id)
    sink = SqliteSink(path)
    try:
        sink.replace_experiment(_experiment_row(experiment))
        write_run(tracker, sink, run, experiment.experiment_name)
    finally:
        sink.close()
