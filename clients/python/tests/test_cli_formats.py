"""What a person reads in the CLI is written one way, and the way the web UI writes it: sizes, numbers,
times and shortened names. The UI's own module (web/src/format.ts) is run by node for the same inputs,
so the two cannot drift apart unnoticed."""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from stratus.cli.output import (
    Column,
    human_size,
    human_time,
    number_column,
    number_text_short,
    render_comparison,
    render_table,
    short_name,
)

REPO_ROOT = Path(__file__).resolve().parents[3]

UI_SCRIPT = """
import { columnFormat, formatBytes, formatNumber } from './web/src/format.ts';
const { sizes, numbers, columns } = JSON.parse(process.argv[1]);
console.log(JSON.stringify({
  sizes: sizes.map(formatBytes),
  numbers: numbers.map(formatNumber),
  columns: columns.map((column) => column.map(columnFormat(column))),
}));
"""


def sample_numbers():
    """Finite numbers of every magnitude the formats treat differently, with their edges and ties."""
    picked = random.Random(7)
    edges = [0, 1, -1, 40, 1990, 0.25, 1.25, 9.99995, -12.33, 0.0049505, 0.00497512, 0.005, 0.177527,
             1e-4, 9.9999e-5, 1e-3, 999999.4, 1e6, 123456.7, 12345.6, 71425.0, 0.92143, 2.5e7, 1e-5]
    random_ones = [picked.choice([-1, 1]) * 10 ** picked.uniform(-6, 8) for _ in range(300)]
    return edges + random_ones + [round(value, picked.randint(0, 6)) for value in random_ones[:100]]


SIZES = [0, 1, 69, 1023, 1024, 1280, 8192, 10188, 10189, 10239, 41164, 49357, 1048575, 1048576,
         5 * 1024**3, 3 * 1024**5, *random.Random(3).sample(range(1, 2**40), 200)]
NUMBERS = sample_numbers()
COLUMNS = [[0.0049505, 0.00497512, 0.005, 0.177527, 0.246261], [0.9214, -12.33, 0.8391, 0.3047], [0.92143, 0.915283]]
COLUMNS += [random.Random(11 + i).sample(NUMBERS, random.Random(i).randint(1, 8)) for i in range(150)]


@pytest.fixture(scope="module")
def ui():
    """web/src/format.ts's answers for SIZES, NUMBERS and COLUMNS (node runs the UI's module as it is)."""
    if shutil.which("node") is None:
        pytest.skip("node runs the web UI's formatter")
    done = subprocess.run(
        ["node", "--import", "tsx", "--input-type=module", "-e", UI_SCRIPT,
         json.dumps({"sizes": SIZES, "numbers": NUMBERS, "columns": COLUMNS})],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sizes_read_as_the_web_ui_writes_them(ui) -> None:
    # P14: the UI said "40 KiB" where the CLI said "40.2 KiB" for the same file.
    assert [human_size(size) for size in SIZES] == ui["sizes"]
    assert (human_size(41164), human_size(8192), human_size(1280)) == ("40 KiB", "8.0 KiB", "1.3 KiB")


def test_a_number_reads_as_the_web_ui_writes_a_metric(ui) -> None:
    assert [number_text_short(value) for value in NUMBERS] == ui["numbers"]


def test_a_column_of_numbers_has_one_precision_as_in_the_web_ui(ui) -> None:
    ours = [[number_column(column)(value) for value in column] for column in COLUMNS]
    assert ours == ui["columns"]
    # The reviewed search (cli/05): 0.0049505 / 0.00497512 / 0.005 next to 0.177527.
    assert ours[0] == ["0.00495", "0.00498", "0.00500", "0.17753", "0.24626"]


def test_number_columns_are_right_aligned_with_one_precision() -> None:
    rows = [{"name": "a", "loss": 0.0049505}, {"name": "b", "loss": 0.005}, {"name": "c", "loss": 12.5}, {"name": "d"}]
    lines, _ = render_table([Column("name"), Column("loss", kind="number")], rows, 80)
    assert lines == ["name    loss", "a      0.005", "b      0.005", "c     12.500", "d"]


def test_times_have_one_format_with_the_year() -> None:
    # `12-02 12:53` (no year: day-month or month-day?) in narrow tables, `2026-12-02 12:53:34` elsewhere.
    moment = datetime(2026, 12, 2, 12, 53, 34)
    assert human_time(moment) == "2026-12-02 12:53"
    assert human_time(moment.timestamp() * 1000) == "2026-12-02 12:53"
    rows = [{"run_id": "a" * 32, "run_name": "r" * 60, "status": "FINISHED", "started": human_time(moment)}]
    columns = [Column("run_id", kind="id"), Column("run_name", cut="name"), Column("status", kind="status"),
               Column("started", kind="time")]
    lines, _ = render_table(columns, rows, 70)
    assert lines[1].endswith("FINISHED  2026-12-02 12:53") and max(map(len, lines)) <= 70


def test_a_name_keeps_its_end_whatever_the_column() -> None:
    # A sweep's names differ in the middle (lr) and at the end (batch size, optimizer): the shared start goes.
    names = [f"resnet-lr{lr}-bs{bs}-{opt}" for lr in ("0.0001", "0.0003", "0.001", "0.003", "0.01")
             for bs in (32, 128) for opt in ("adam", "sgd")]
    for width in (18, 20, 24):
        shown = [short_name(name, width) for name in names]
        assert len(set(shown)) == len(names), shown
        assert all(len(text) <= width and (text == name or (text[0] == "…" and name.endswith(text[1:])))
                   for text, name in zip(shown, names))
    # The same name in the same width is shortened the same, whichever other names share the column.
    alone, _ = render_table([Column("run_name", cut="name", min_width=10)], [{"run_name": names[0]}], 18)
    among, _ = render_table([Column("run_name", cut="name", min_width=10)],
                            [{"run_name": name} for name in names + ["trial-0", "hpo-parent"]], 18)
    assert alone[1] == among[1] == short_name(names[0], 18)


def comparison_rows(count):
    return [
        {
            "run_id": (f"{index:x}" * 32)[:32],
            "run_name": f"resnet-lr0.000{index + 1}-bs128-adam",
            "status": "FINISHED",
            "start_time": datetime(2026, 12, 2, 12, 53),
            "metrics.accuracy": 0.92143 - index / 100,
            "metrics.loss": 0.26 + index / 7,
            "params.lr": f"0.000{index + 1}",
            "params.optimizer": "adam" if index % 2 else "sgd",
            "params.schedule": "cosine-with-warmup-and-restarts-every-10-epochs",
        }
        for index in range(count)
    ]


@pytest.mark.parametrize("width", [60, 80, 120])
def test_a_comparison_shows_every_param_and_metric_at_any_width(width) -> None:
    # At 80 columns compare showed two metrics and no param ("not shown at this width: params.lr, ...").
    rows = comparison_rows(7)
    metrics, params = ["metrics.accuracy", "metrics.loss"], ["params.lr", "params.optimizer", "params.schedule"]
    lines, dropped = render_comparison(rows, metrics, params, width)
    assert max(map(len, lines)) <= width
    assert not [label for label in dropped if label != "started"]
    for key in metrics + params:
        label = key.split(".", 1)[1]
        assert sum(1 for line in lines if line.split()[:1] == [label]) >= 1, f"{label} at {width}:\n" + "\n".join(lines)
    headers = [line for line in lines if line.startswith("run ")]
    assert sorted(run_id for line in headers for run_id in line.split()[1:]) == sorted(r["run_id"][:8] for r in rows)
    # Each block's values sit under their run's id, and a metric's values share one precision.
    for line in (line for line in lines if line.startswith("  accuracy")):
        assert {len(value.split(".")[1]) for value in line.split()[1:]} == {5}


def test_a_comparison_is_one_block_where_it_fits_and_keeps_whole_names_when_wide() -> None:
    rows = comparison_rows(4)
    lines, dropped = render_comparison(rows, ["metrics.accuracy"], ["params.lr"], 80)
    assert sum(1 for line in lines if line.startswith("run ")) == 1
    wide, dropped = render_comparison(rows, ["metrics.accuracy"], ["params.lr"], 200)
    assert dropped == [] and all(row["run_name"] in wide[1] for row in rows)
    assert any(line.startswith("started ") and "2026-12-02 12:53" in line for line in wide)
    piped, _ = render_comparison(rows, ["metrics.accuracy"], ["params.schedule"], None)
    assert "cosine-with-warmup-and-restarts-every-10-epochs" in "\n".join(piped)
    assert piped[0].split() == ["run", *(row["run_id"] for row in rows)]  # not fitted: ids whole


def test_numbers_in_a_comparison_are_never_cut() -> None:
    rows = comparison_rows(3)
    for row in rows:
        row["metrics.loss"] = -math.pi * 1e5
    lines, _ = render_comparison(rows, ["metrics.loss"], [], 40)
    assert all(line.split()[1:] == ["-314,159"] * len(line.split()[1:]) for line in lines if line.startswith("  loss"))
    assert not any(re.search(r"-31415…", line) for line in lines)
