"""What ``compare_runs`` returns: runs as rows, readable times, and a print() that shows every column.

With pandas importable it is a :class:`pandas.DataFrame` (indexed by run_id)
whose ``repr`` wraps its columns to the terminal instead of eliding the middle
ones with ``...``, so ``print(comparison)`` shows the metrics the seed asks for.
Without pandas it is a list of dicts whose ``str`` is an aligned text table.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Sequence

from ._wire import number_text

#: Runs the service compares in one request (its ``run_ids`` limit); more are asked for in slices.
RUNS_PER_REQUEST = 100


def readable_time(epoch_ms: Any) -> Any:
    """Epoch milliseconds as a local datetime (seconds precision), the way a person reads a start time."""
    if epoch_ms is None:
        return None
    try:
        return datetime.fromtimestamp(int(epoch_ms) // 1000)
    except (ValueError, OverflowError, OSError):
        return None  # past year 9999: no datetime holds it


def merged(
    answers: Sequence[Dict[str, Any]],
    metric_names: Optional[Sequence[str]],
    param_names: Optional[Sequence[str]],
    only_differing_params: bool,
) -> Dict[str, Any]:
    """The service's answer for all the runs, from its answers for consecutive slices of them
    (each asked for without ``only_differing_params``): the columns asked for, or else every
    metric and param any run has, in the service's order; params that differ are found over
    all the runs, as the service finds them over one request's (an absent param is a value)."""
    runs = [run for answer in answers for run in answer.get("runs") or []]

    def every(field: str) -> List[str]:
        return _sorted_names(name for answer in answers for name in answer.get(field) or [])

    metrics = list(dict.fromkeys(metric_names)) if metric_names is not None else every("metric_names")
    params = list(dict.fromkeys(param_names)) if param_names is not None else every("param_names")
    if only_differing_params:
        params = _differing(params, runs)
    return {"metric_names": metrics, "param_names": params, "runs": runs}


def _differing(names: Sequence[str], runs: Sequence[Dict[str, Any]]) -> List[str]:
    """The names whose value (an absent param is one) is not the same in every run."""
    return [name for name in names if len({(run.get("params") or {}).get(name) for run in runs}) > 1]


def _sorted_names(names: Iterable[str]) -> List[str]:
    """Each name once, sorted as the service sorts them (as JavaScript does, by UTF-16 code units)."""
    return sorted(set(names), key=lambda name: name.encode("utf-16-be", "surrogatepass"))


def completed(
    answer: Dict[str, Any],
    params: Dict[str, Dict[str, str]],
    metrics: Dict[str, Dict[str, Any]],
    metric_names: Optional[Sequence[str]],
    param_names: Optional[Sequence[str]],
    only_differing_params: bool,
) -> Dict[str, Any]:
    """The answer with the runs read whole put in (``params``, ``metrics``: latest values, by run id),
    flags cleared, and its columns found again: those asked for, or else every key any run has; with
    ``only_differing_params`` the params whose value differs over all the runs (a run not read whole has
    no value past the answer's columns)."""
    runs = []
    for run in answer.get("runs") or []:
        run_id = run["run_id"]
        if run_id in params:
            run = {**run, "params": params[run_id], "params_truncated": None}
        if run_id in metrics:
            run = {**run, "metrics": metrics[run_id], "metrics_truncated": None}
        runs.append(run)

    def columns(asked: Optional[Sequence[str]], field: str, read: Dict[str, Dict[str, Any]]) -> List[str]:
        if asked is not None:
            return list(dict.fromkeys(asked))
        return _sorted_names([*(answer.get(f"{field}_names") or []), *(key for run in read.values() for key in run)])

    metric_columns = columns(metric_names, "metric", metrics)
    param_columns = columns(param_names, "param", params)
    if only_differing_params:
        param_columns = _differing(param_columns, runs)
    return {**answer, "metric_names": metric_columns, "param_names": param_columns, "runs": runs}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def render_table(rows: Sequence[Dict[str, Any]], columns: Sequence[str]) -> str:
    """An aligned plain-text table: a header, then one line per row."""
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column)] + [len(line[i]) for line in cells]) for i, column in enumerate(columns)]
    lines = ["  ".join(column.ljust(widths[i]) for i, column in enumerate(columns)).rstrip()]
    lines += ["  ".join(value.ljust(widths[i]) for i, value in enumerate(line)).rstrip() for line in cells]
    return "\n".join(lines)


class ComparisonRows(List[Dict[str, Any]]):
    """The comparison without pandas: a list of row dicts that prints as a table."""

    def __init__(self, rows: Sequence[Dict[str, Any]], columns: Sequence[str]) -> None:
        super().__init__(rows)
        self.columns = list(columns)

    def __str__(self) -> str:
        if not self:
            return "(no runs)"
        return render_table(self, self.columns)


def as_dataframe(rows: List[Dict[str, Any]], columns: List[str]) -> Any:
    import pandas  # type: ignore[import-not-found]

    class DataFrame(pandas.DataFrame):  # type: ignore[misc]
        """A DataFrame whose text form shows every column, wrapped to the terminal's width."""

        @property
        def _constructor(self) -> Any:
            return DataFrame

        def __repr__(self) -> str:
            width = shutil.get_terminal_size((120, 24)).columns
            return self.to_string(line_width=width)

    frame = DataFrame(rows, columns=columns)
    if "start_time" in frame.columns:
        frame["start_time"] = pandas.to_datetime(frame["start_time"])
    return frame.set_index("run_id")
