"""`stratus export`: the second seed's SQL verbatim on a SQLite export, Parquet with the same rows,
every metric point, and streaming (a page of history in memory at a time)."""

from __future__ import annotations

import json
import math
import sqlite3
import tracemalloc

import pytest
from support import cli_runner

from stratus import ExperimentTracker, export
from stratus.cli.commands import cli

POINTS = 25_000


@pytest.fixture(scope="module")
def exported_runs(stack, tmp_path_factory):
    """An experiment with a long run (25,000 points of one metric), a short one with a pipeline, and a child."""
    tracker = ExperimentTracker(stack.url, stack.token, flush_interval=0.2)
    name = f"export-{tmp_path_factory.mktemp('e').name[-8:]}"
    tracker.create_experiment(name, description="to SQL", tags={"project": "mental_health"})
    long = tracker.start_run(name, run_name="long", tags={"environment": "production"})
    tracker.log_params({"lr": 0.01, "model": "xgboost"})
    for start in range(0, POINTS, 1000):
        tracker.transport.json(
            "POST",
            f"/runs/{long.run_id}/metrics",
            json_body={"metrics": [{"key": "loss", "value": 1 / (step + 1), "step": step} for step in range(start, start + 1000)]},
        )
    tracker.log_metrics({"odd": float("nan")}, step=0)
    tracker.log_metrics({"odd": float("inf")}, step=1)
    artifact_file = tmp_path_factory.mktemp("a") / "model.pkl"
    artifact_file.write_bytes(b"weights")
    tracker.log_artifact(str(artifact_file), artifact_type="model")
    tracker.end_run(status="COMPLETED")
    short = tracker.start_run(
        name,
        run_name="summarizer",
        tags={"environment": "staging"},
        pipeline_config={"model": "zephyr-7b"},
        pipeline_components=[
            {"name": "tokenizer", "type": "preprocessor", "stage": "prep"},
            {"name": "summarizer", "type": "llm", "stage": "inference"},
        ],
    )
    child = tracker.start_run(name, run_name="child", nested=True)
    tracker.end_run(status="FAILED")
    tracker.close()
    return {"name": name, "long": long.run_id, "short": short.run_id, "child": child.run_id, "tracker": tracker}


def test_the_seeds_sql_runs_verbatim_on_a_sqlite_export(exported_runs, tmp_path) -> None:
    path = tmp_path / "experiments.db"
    seen = []
    state = export.export_sqlite(exported_runs["tracker"], str(path), [exported_runs["name"]], lambda s: seen.append((s.runs_done, s.points)))
    assert state.runs_total == state.runs_done == 3 and state.points == POINTS + 2
    assert seen[-1] == (3, POINTS + 2) and [done for done, _ in seen] == sorted(done for done, _ in seen)
    experiment_id = exported_runs["short"]

    # The second seed's "Querying the Database Directly", verbatim.
    conn = sqlite3.connect(str(path))
    cursor = conn.cursor()

    # View recent experiments
    cursor.execute("""
        SELECT id, name, start_time, status, tags
        FROM experiments
        ORDER BY start_time DESC
        LIMIT 5;
    """)
    recent_experiments = cursor.fetchall()

    # View experiments with a specific tag
    cursor.execute("""
        SELECT id, name, start_time, status
        FROM experiments
        WHERE json_extract(tags, '$.environment') = 'production';
    """)
    prod_experiments = cursor.fetchall()

    # Get component details for an experiment
    cursor.execute("""
        SELECT name, type, stage
        FROM pipeline_components
        WHERE experiment_id = ?;
    """, (experiment_id,))
    components = cursor.fetchall()

    conn.close()

    assert [row[1] for row in recent_experiments] == ["child", "summarizer", "long"]
    assert {row[1]: row[3] for row in recent_experiments} == {"child": "FAILED", "summarizer": "RUNNING", "long": "COMPLETED"}
    assert json.loads(recent_experiments[2][4])["environment"] == "production"
    assert [(row[0], row[1]) for row in prod_experiments] == [(exported_runs["long"], "long")]
    assert components == [("tokenizer", "preprocessor", "prep"), ("summarizer", "llm", "inference")]

    with sqlite3.connect(str(path)) as db:
        assert db.execute("SELECT count(*), min(step), max(step) FROM metrics WHERE key = 'loss'").fetchone() == (POINTS, 0, POINTS - 1)
        assert db.execute("SELECT value FROM metrics WHERE key = 'loss' AND step = 3").fetchone()[0] == pytest.approx(0.25)
        assert db.execute("SELECT step, value FROM metrics WHERE key = 'odd' ORDER BY step").fetchall() == [(0, None), (1, math.inf)]
        assert dict(db.execute("SELECT key, value FROM params WHERE run_id = ?", (exported_runs["long"],)).fetchall()) == {"lr": "0.01", "model": "xgboost"}
        assert db.execute("SELECT path, artifact_type, size_bytes FROM artifacts").fetchall() == [("model.pkl", "model", 7)]
        assert db.execute("SELECT status FROM runs WHERE run_id = ?", (exported_runs["long"],)).fetchone() == ("FINISHED",)
        assert db.execute("SELECT parent_run_id FROM experiments WHERE id = ?", (exported_runs["child"],)).fetchone() == (exported_runs["short"],)
        assert db.execute("SELECT name, description, tags FROM stratus_experiments").fetchall() == [
            (exported_runs["name"], "to SQL", '{"project": "mental_health"}')
        ]
        # Exporting again refreshes the runs instead of doubling them.
    export.export_sqlite(exported_runs["tracker"], str(path), [exported_runs["name"]])
    with sqlite3.connect(str(path)) as db:
        assert db.execute("SELECT count(*) FROM metrics").fetchone() == (POINTS + 2,)
        assert db.execute("SELECT count(*) FROM pipeline_components").fetchone() == (2,)


def test_an_export_holds_one_page_of_history_at_a_time(exported_runs, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(export, "HISTORY_PAGE", 1000)
    tracemalloc.start()
    try:
        export.export_sqlite(exported_runs["tracker"], str(tmp_path / "small.db"), [exported_runs["name"]])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The 25,000 points as Python objects would take several MiB; a page of 1,000 a few hundred KiB.
    everything = exported_runs["tracker"].get_metric_history(exported_runs["long"], "loss")
    tracemalloc.start()
    try:
        kept = [(p.step, p.value, p.timestamp) for p in exported_runs["tracker"].get_metric_history(exported_runs["long"], "loss")]
        _, whole = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(everything) == len(kept) == POINTS
    assert peak < whole / 4, f"export peaked at {peak} bytes, reading the history whole takes {whole}"


def test_parquet_has_the_same_tables(exported_runs, tmp_path) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "parquet"
    export.export_parquet(exported_runs["tracker"], str(folder), [exported_runs["name"]])
    tables = {name: pq.read_table(folder / f"{name}.parquet") for name in export.TABLES}
    assert tables["metrics"].num_rows == POINTS + 2
    assert tables["experiments"].column_names[:7] == ["id", "name", "start_time", "end_time", "status", "tags", "pipeline_config"]
    assert sorted(tables["experiments"].column("status").to_pylist()) == ["COMPLETED", "FAILED", "RUNNING"]
    assert tables["pipeline_components"].column("name").to_pylist() == ["tokenizer", "summarizer"]
    assert str(tables["metrics"].schema.field("value").type) == "double"
    frame = tables["metrics"].to_pandas()
    assert frame[frame.key == "loss"].step.max() == POINTS - 1


def test_cli_export(env, exported_runs, tmp_path) -> None:
    runner = cli_runner()
    path = tmp_path / "out" / "experiments.db"
    result = runner.invoke(cli, ["export", "--sqlite", str(path), "--experiment", exported_runs["name"]])
    assert result.exit_code == 0, result.output + result.stderr
    assert f"exported 3 runs and {POINTS + 2:,} metric points to {path}" in result.stderr
    with sqlite3.connect(str(path)) as db:
        assert db.execute("SELECT count(*) FROM experiments").fetchone() == (3,)
    both = runner.invoke(cli, ["export", "--sqlite", str(path), "--parquet", str(tmp_path)])
    assert both.exit_code == 2 and "exactly one of --sqlite FILE and --parquet DIR" in both.stderr
    missing = runner.invoke(cli, ["export", "--sqlite", str(path), "--experiment", "no-such-experiment-anywhere"])
    assert missing.exit_code == 1 and "not_found" in missing.stderr
