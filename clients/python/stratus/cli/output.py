"""Rendering for people (tables that fit the terminal) and scripts (--json, --csv).

Tables are laid out here rather than by rich, because what gives way when a
terminal is narrow matters: **ids are never cut** (a cut id pasted into
``runs show`` is a 400), **status is always shown** and times keep their one
format. To fit, in order: free text (names, values) is shortened with ``…``,
and optional columns (durations, metrics, params) are dropped, the last first,
with a note on stderr naming them. Piped output is not fitted (scripts get
whole values) unless ``COLUMNS`` is set; a terminal's width comes from the
terminal (or ``COLUMNS``).

Every command writes values the same way: times as ``2026-12-02 12:53``
(:func:`human_time`), sizes as the web UI does (:func:`human_size`), a column of
numbers with one precision, right-aligned (:func:`number_column`), and a run's,
experiment's or model's name shortened by one rule (:func:`short_name`).
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import sys
import textwrap
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

import click

from .._wire import number_text

FORMATS = ("table", "json", "csv")
GAP = "  "
ELLIPSIS = "…"
#: The one way a time is written: to the minute, with the year (`12-02` alone reads as either day-month or month-day).
TIME_FORMAT = "%Y-%m-%d %H:%M"


def output_options(command: Any) -> Any:
    """Adds --json / --csv (and --table, the default) to a command."""
    command = click.option(
        "--csv", "output_format", flag_value="csv", help="Comma-separated values with a header row, for scripts."
    )(command)
    command = click.option("--json", "output_format", flag_value="json", help="JSON, for scripts.")(command)
    command = click.option(
        "--table", "output_format", flag_value="table", default=True, help="An aligned table (the default)."
    )(command)
    return command


def human_time(epoch_ms: Any) -> str:
    """A local time as `2026-12-02 12:53`; a time datetime cannot hold (past year 9999, as a client that sent
    microseconds wrote it) stays its number, so the rest of the listing still shows."""
    if epoch_ms is None:
        return ""
    try:
        moment = epoch_ms if isinstance(epoch_ms, datetime) else datetime.fromtimestamp(epoch_ms / 1000)
    except (ValueError, OverflowError, OSError):
        return f"{epoch_ms} ms"
    return moment.strftime(TIME_FORMAT)


def human_duration(ms: Optional[int]) -> str:
    if ms is None:
        return ""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


def human_size(size: Optional[int]) -> str:
    """Binary units as the web UI writes them (web/src/format.ts formatBytes): bytes whole, one decimal
    below 10 of a unit and none from 10 up (`8.0 KiB`, `40 KiB`), so a file reads the same on both."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    units = ("KiB", "MiB", "GiB", "TiB")
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    return f"{rounded(value, 1 if value < 10 else 0)} {units[unit]}"


def rounded(value: float, decimals: int) -> Decimal:
    """`value` to `decimals` places as JavaScript's toFixed and Intl round it (a tie goes up: 1.25 KiB is
    `1.3 KiB`, where Python's own formatting rounds to even and writes `1.2`)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def short_name(name: str, width: int) -> str:
    """A run's, experiment's or model's name in `width` characters: the one rule every command uses.

    A long name keeps its end (`…0.0001-bs128-adam`). Names in a sweep share their start and differ
    further on, often in the middle and at the end at once (`resnet-lr0.001-bs128-adam`), so cutting
    the end or the middle makes runs of one sweep look alike; the shared start is what can go."""
    if len(name) <= width:
        return name
    if width <= 1:
        return ELLIPSIS[:width]
    return ELLIPSIS + name[len(name) - (width - 1) :]


def number_text_short(value: float) -> str:
    """One number as the web UI writes a metric (format.ts formatNumber): up to five significant digits,
    thousands grouped, scientific from 1e6 up and below 1e-4; NaN and the infinities as on the wire."""
    if not math.isfinite(value):
        return number_text(value)
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e6 or magnitude < 1e-4:
        mantissa, exponent = f"{value:.3e}".split("e")
        return f"{mantissa}e{int(exponent):+d}"
    if float(value).is_integer():
        return f"{int(value):,}"
    five = float(rounded(value, 4 - math.floor(math.log10(magnitude))))
    return f"{int(five)}" if five.is_integer() else repr(five)  # 123456.7 is `123460`, as JavaScript writes it


def _numeric(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def number_column(values: Iterable[Any]) -> Callable[[Any], str]:
    """How to write every number of one column (or of one row of a comparison), as the web UI does
    (format.ts columnFormat): as many decimals as give the largest value five significant digits, the
    same for each, so 0.005 reads 0.00500 under 0.17753 and the points line up when right-aligned.
    Whole numbers, columns from 1e6 up or all below 0.001, and NaN, the infinities or a value too small
    for the column's decimals, are written as :func:`number_text_short` does. Anything not a number is
    written as :func:`cell` does."""
    numbers = [number for number in map(_numeric, values) if number is not None and math.isfinite(number)]
    largest = max((abs(number) for number in numbers), default=0.0)
    whole = all(number.is_integer() for number in numbers)

    def one(value: Any) -> str:
        number = _numeric(value)
        return cell(value) if number is None else number_text_short(number)

    if whole or largest >= 1e6 or largest < 1e-3:
        return one
    decimals = min(6, max(0, 4 - math.floor(math.log10(largest))))
    smallest = 0.5 * 10**-decimals

    def fixed(value: Any) -> str:
        number = _numeric(value)
        if number is None or not math.isfinite(number) or abs(number) >= 1e6 or (number != 0 and abs(number) < smallest):
            return one(value)
        return f"{rounded(number, decimals):,f}"

    return fixed


def shown_path(path: str, destination: str) -> str:
    """A file written, as -o was given: relative to the working directory when -o is relative (as the
    default, ., is), else absolute. The SDK hands back some paths as given and some absolute."""
    return os.path.abspath(path) if os.path.isabs(destination) else os.path.relpath(path)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    # A tag's value may span lines, as a description may: a cell stays on one line either way.
    text = ", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else str(value)
    return text.replace("\n", " ").replace("\r", " ").replace("\t", " ")


def json_safe(value: Any) -> Any:
    """JSON has no NaN or infinities: the API's spellings stand in for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return cell(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def emit_json(data: Any) -> None:
    click.echo(json.dumps(json_safe(data), indent=2, sort_keys=False))


def note(message: str) -> None:
    """A remark for the person (stderr, so it never mixes with data on stdout)."""
    click.echo(click.style(message, dim=True) if sys.stderr.isatty() else message, err=True)


# ----- fitting tables to a width -----


@dataclass
class Column:
    """How a column behaves when the table must shrink.

    kind: ``id`` (never cut), ``status`` (never cut or dropped), ``time``
    (never cut: one format everywhere), ``text`` (may be shortened with …),
    ``value`` (never cut, sizes, durations and the like), ``number`` (raw
    numbers, written with one precision for the column by
    :func:`number_column`, never cut). To fit: text is shortened to
    `comfort_width`, then `optional` columns are dropped (the last first),
    then text is shortened to `min_width`, then `important` optional columns
    are dropped.
    """

    key: str
    header: str = ""
    kind: str = "text"
    optional: bool = False
    min_width: int = 8
    #: Text is shortened to this before optional columns are dropped, and to min_width after.
    comfort_width: int = 24
    #: Where shortened text loses characters: `name` by :func:`short_name` (names of runs, experiments,
    #: models), `middle` keeps both ends (paths, keys), `end` keeps the start (values, free text).
    cut: str = "end"
    #: An optional column that matters: dropped only after text is shortened to min_width.
    important: bool = False
    #: Text shown whole: when it is the last column, a long value wraps onto lines of its own under
    #: the column instead of being shortened (a `runs show` param value or tag).
    wrap: bool = False
    #: `right` for numbers and quantities, so digits line up by place; numbers default to it.
    align: str = ""

    def __post_init__(self) -> None:
        self.header = self.header or self.key
        self.align = self.align or ("right" if self.kind == "number" else "left")


#: Columns of metric values: one precision per column, right-aligned.
_NUMBERS = ("latest", "min", "max")
#: Columns of counts (whole, never grouped: step 1990, not 1,990), right-aligned.
_COUNTS = ("step", "last step", "points", "version", "runs")


def column_for(key: str) -> Column:
    """The usual behaviour of a column, from its name."""
    if key in ("run_id", "experiment_id", "parent_run_id", "token_id") or key.endswith("_id"):
        return Column(key, kind="id")
    if key == "status":
        return Column(key, kind="status")
    if key in ("started", "created", "ended", "updated", "when"):
        return Column(key, kind="time", optional=key not in ("started", "when"))
    if key in _NUMBERS:
        return Column(key, kind="number", optional=key != "latest")
    if key in _COUNTS:
        return Column(key, kind="value", optional=key in ("step", "last step", "points"), align="right")
    if key in ("duration", "size"):  # quantities: whole and right-aligned
        return Column(key, kind="value", optional=key == "duration", align="right")
    if key in ("type", "artifact_type"):
        return Column(key, kind="value", optional=True)
    if key.startswith("metrics."):
        return Column(key, header=key[len("metrics.") :], kind="number", optional=True)
    if key.startswith("params."):
        return Column(key, kind="text", optional=True, min_width=max(6, min(len(key), 10)), comfort_width=12)
    if key in ("tags", "description"):
        return Column(key, kind="text", optional=True, min_width=10, comfort_width=30)
    if key == "path":  # an artifact's path matters more than when it was made
        return Column(key, kind="text", min_width=12, comfort_width=48, cut="middle")
    if key in ("run_name", "experiment_name", "name"):  # 20: an experiment list keeps its last-activity time at 80 columns
        return Column(key, kind="text", min_width=10, comfort_width=20, cut="name")
    if key in ("metric", "param", "tag"):
        return Column(key, kind="text", min_width=10, comfort_width=24, cut="middle")
    return Column(key, kind="text", min_width=8)


def _width_of(stream: Any) -> Optional[int]:
    """COLUMNS when set, else the terminal's width when `stream` is one; None (no fitting) when piped."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if stream.isatty():
        return shutil.get_terminal_size((80, 24)).columns
    return None


def table_width() -> Optional[int]:
    """The width to fit tables on stdout to."""
    return _width_of(sys.stdout)


def shorten(text: str, width: int, cut: str = "end") -> str:
    """`text` in `width` characters: `name` as :func:`short_name` does, `middle` keeps both ends, `end` the start."""
    if len(text) <= width:
        return text
    if cut == "name":
        return short_name(text, width)
    if cut == "middle" and width >= 5:
        head = (width - 1) // 2
        return text[:head] + ELLIPSIS + text[len(text) - (width - 1 - head) :]
    return text[: max(0, width - 1)] + ELLIPSIS


def formatted_cells(columns: Sequence[Column], rows: Sequence[Dict[str, Any]]) -> List[List[str]]:
    """Each row's cells as text: numbers by their column's one format, the rest as :func:`cell` writes them."""
    writers = [
        number_column(row.get(column.key) for row in rows) if column.kind == "number" else cell for column in columns
    ]
    return [[write(row.get(column.key)) for column, write in zip(columns, writers)] for row in rows]


def fit_columns(columns: List[Column], cells: List[List[str]], width: Optional[int]) -> tuple:
    """Chooses the columns to show and their widths; see the module docstring."""
    shown = list(range(len(columns)))

    def natural(index: int) -> int:
        return max([len(columns[index].header)] + [len(row[index]) for row in cells])

    widths = {index: natural(index) for index in shown}

    def total() -> int:
        return sum(widths[index] for index in shown) + len(GAP) * (len(shown) - 1)

    if width is None or total() <= width:
        return shown, widths, []
    dropped: List[str] = []

    def shrink_text(floor_of: Callable[[Column], int]) -> bool:
        """Takes the excess from the text column with the most room above its floor; False if none has any."""
        floors = {i: max(floor_of(columns[i]), len(columns[i].header)) for i in shown if columns[i].kind == "text"}
        roomy = [i for i, floor in floors.items() if widths[i] > floor]
        if not roomy:
            return False
        widest = max(roomy, key=lambda i: widths[i] - floors[i])
        widths[widest] = max(floors[widest], widths[widest] - (total() - width))
        return True

    def drop_last(important: bool) -> bool:
        candidates = [i for i in shown if columns[i].optional and columns[i].important == important]
        if not candidates:
            return False
        shown.remove(candidates[-1])
        dropped.append(columns[candidates[-1]].header)
        return True

    while total() > width:
        if shrink_text(lambda column: column.comfort_width) or drop_last(important=False):
            continue
        if shrink_text(lambda column: column.min_width) or drop_last(important=True):
            continue
        break  # ids and status alone are wider than the terminal: let the terminal wrap
    # Dropping a column may have freed more than was needed: give it back to the shortened text.
    for index in shown:
        spare = width - total()
        if spare <= 0:
            break
        widths[index] = min(natural(index), widths[index] + spare)
    return shown, widths, list(reversed(dropped))


def _pad(value: str, width: int, align: str, last: bool) -> str:
    if align == "right":
        return value.rjust(width)
    return value if last else value.ljust(width)


def render_table(
    columns: Sequence[Column],
    rows: Sequence[Dict[str, Any]],
    width: Optional[int],
    *,
    style: bool = False,
    title: Optional[str] = None,
) -> tuple:
    """The lines of a table fitted to `width`, and the headers of the columns left out."""
    columns = list(columns)
    cells = formatted_cells(columns, rows)
    shown, widths, dropped = fit_columns(columns, cells, width)
    last = shown[-1] if shown else None

    def line(values: List[str], header: bool = False) -> str:
        parts = []
        for index in shown:
            value = values[index]
            column = columns[index]
            if column.wrap and index == last and not header and len(value) > widths[index]:
                indent = " " * (sum(widths[i] for i in shown[:-1]) + len(GAP) * (len(shown) - 1))
                parts.append(("\n" + indent).join(textwrap.wrap(value, widths[index], break_on_hyphens=False) or [""]))
                continue
            if column.kind == "text":
                value = shorten(value, widths[index], column.cut)
            padded = _pad(value, widths[index], column.align, index == last)
            if style and header:
                padded = click.style(padded, bold=True)
            elif style and column.kind == "status":
                padded = click.style(padded, fg=STATUS_COLOURS.get(value.strip(), None))
            parts.append(padded)
        return GAP.join(parts).rstrip()

    lines = []
    if title:
        lines.append(click.style(title, bold=True, underline=True) if style else f"{title}:")
    lines.append(line([column.header for column in columns], header=True))
    lines.extend(line(values) for values in cells)
    return lines, dropped


# ----- a comparison: a column per run -----

#: A run's column in a fitted comparison is headed by the start of its id, as the web UI shows ids
#: (the ids were given on the command line; piped output and --json have them whole).
SHORT_ID = 8
#: What a run's name is shortened to, at the least, before its column goes to the next block of runs.
NAME_FLOOR = 12
#: Param values longer than this are shortened (keeping their start); --json has them whole.
VALUE_CAP = 24


def render_comparison(
    rows: Sequence[Dict[str, Any]],
    metric_keys: Sequence[str],
    param_keys: Sequence[str],
    width: Optional[int],
    *,
    style: bool = False,
) -> tuple:
    """Runs side by side, transposed: a column per run (headed by its short id and its name), a line per
    field, metric and param, so a narrow terminal still shows every param and metric. The runs that do not
    fit beside one another go on to further blocks below, each with the labels again. Each metric's values
    share one precision (:func:`number_column`), so a line reads across at one width; cells are left-aligned
    under their run's id (a column holds different metrics, so there is no place to line up). Returns the
    lines and the labels of lines left out (the start time, when the columns are too narrow for it)."""
    label_rows: List[tuple] = [("status", "status", [row.get("status") or "" for row in rows])]
    started = [human_time(row.get("start_time")) for row in rows]
    metric_lines = []
    for key in metric_keys:
        write = number_column(row.get(key) for row in rows)
        metric_lines.append(("  " + key[len("metrics.") :], "number", [write(row.get(key)) for row in rows]))
    param_lines = [("  " + key[len("params.") :], "text", [cell(row.get(key)) for row in rows]) for key in param_keys]
    body = [*label_rows]
    if metric_lines:
        body += [("metrics", "heading", [""] * len(rows)), *metric_lines]
    if param_lines:
        body += [("params", "heading", [""] * len(rows)), *param_lines]
    ids = [str(row.get("run_id") or "")[: SHORT_ID if width is not None else None] for row in rows]  # piped: whole
    names = [str(row.get("run_name") or "") for row in rows]

    labels = ["run", "name", "started", *(label for label, _, _ in body)]
    label_width = max(map(len, labels))
    if width is not None:
        label_width = min(label_width, max(12, width // 3))

    cap = VALUE_CAP if width is not None else None  # piped output is not fitted: values whole

    def value_width(index: int) -> int:
        return max(
            [len(ids[index])]
            + [min(len(values[index]), cap or len(values[index])) if kind == "text" else len(values[index]) for _, kind, values in body]
        )

    floors = [max(value_width(i), min(len(names[i]), NAME_FLOOR)) for i in range(len(rows))]
    naturals = [max(value_width(i), len(names[i]), len(started[i])) for i in range(len(rows))]
    blocks: List[List[int]] = [[]]
    widths = list(naturals)
    if width is not None:
        room = max(SHORT_ID, width - label_width - len(GAP))
        floors = [min(floor, room) for floor in floors]
        used = label_width
        for index in range(len(rows)):
            if blocks[-1] and used + len(GAP) + floors[index] > width:
                blocks.append([])
                used = label_width
            blocks[-1].append(index)
            used += len(GAP) + floors[index]
        widths = list(floors)
        for block in blocks:  # the room a block leaves goes to its names, a character at a time
            spare = width - label_width - sum(len(GAP) + widths[i] for i in block)
            while spare > 0 and any(widths[i] < naturals[i] for i in block):
                for i in block:
                    if spare > 0 and widths[i] < naturals[i]:
                        widths[i] += 1
                        spare -= 1
    else:
        blocks = [list(range(len(rows)))]
    show_started = all(widths[i] >= len(started[i]) for i in range(len(rows)))
    lines_before = [("started", "time", started)] if show_started else []

    def line(label: str, kind: str, values: Sequence[str], block: List[int]) -> str:
        text = shorten(label, label_width, "middle").ljust(label_width)
        parts = [click.style(text, bold=True) if style and (kind in ("heading", "header")) else text]
        for i in block:
            value = values[i]
            if kind in ("text", "name"):
                value = shorten(value, widths[i], "name" if kind == "name" else "end")
            padded = value.ljust(widths[i])
            if style and kind == "header":
                padded = click.style(padded, bold=True)
            elif style and kind == "status":
                padded = click.style(padded, fg=STATUS_COLOURS.get(value, None))
            parts.append(padded)
        return GAP.join(parts).rstrip()

    lines: List[str] = []
    for number, block in enumerate(blocks):
        if number:
            lines.append("")
        lines.append(line("run", "header", ids, block))
        lines.append(line("name", "name", names, block))
        for label, kind, values in [body[0], *lines_before, *body[1:]]:
            lines.append(line(label, kind, values, block))
    return lines, [] if show_started or not rows else ["started"]


STATUS_COLOURS = {"RUNNING": "cyan", "FINISHED": "green", "FAILED": "red", "KILLED": "yellow"}


def emit_rows(
    rows: Sequence[Dict[str, Any]],
    columns: Sequence[Any],
    output_format: str,
    *,
    headers: Optional[Dict[str, str]] = None,
    json_rows: Optional[Iterable[Any]] = None,
    title: Optional[str] = None,
) -> None:
    """One list of records: a table (the `columns`, human-formatted, fitted to the terminal), CSV
    (the same columns, raw) or JSON (`json_rows`, the full records, when given).

    `columns` are column names (behaviour from :func:`column_for`) or :class:`Column` objects.
    """
    if output_format == "json":
        emit_json(list(json_rows) if json_rows is not None else list(rows))
        return
    specs = [c if isinstance(c, Column) else column_for(c) for c in columns]
    for spec in specs:
        if headers and spec.key in headers:
            spec.header = headers[spec.key]
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([spec.key for spec in specs])
        for row in rows:
            writer.writerow([csv_cell(row.get(spec.key)) for spec in specs])
        return
    if not rows:
        note("(none)" if not title else f"({title}: none)")
        return
    lines, dropped = render_table(specs, rows, table_width(), style=sys.stdout.isatty(), title=title)
    click.echo("\n".join(lines))
    dropped_note(dropped)


def emit_comparison(rows: Sequence[Dict[str, Any]], metric_keys: Sequence[str], param_keys: Sequence[str]) -> None:
    """A comparison as a table: a column per run (see :func:`render_comparison`)."""
    lines, dropped = render_comparison(rows, metric_keys, param_keys, table_width(), style=sys.stdout.isatty())
    click.echo("\n".join(lines))
    dropped_note(dropped)


def dropped_note(dropped: Sequence[str]) -> None:
    if dropped:
        note(wrapped(f"(not shown at this width: {', '.join(dropped)}; widen the terminal, or --json)", table_width()))


def message_width() -> Optional[int]:
    """The width to wrap a message on stderr to."""
    return _width_of(sys.stderr)


def wrapped(text: str, width: Optional[int]) -> str:
    """`text` broken between words into lines of `width` (as the tables are), rather than mid-word by the
    terminal; a word longer than the line (an id, a path) is left whole. Unchanged when `width` is None."""
    if not width:
        return text
    return "\n".join(
        "\n".join(textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False)) or paragraph
        for paragraph in text.split("\n")
    )


def csv_cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return cell(value)


def emit_fields(fields: List[tuple], output_format: str, json_data: Any) -> None:
    """One record as `name  value` lines (table; long values wrap under their column), or its JSON."""
    if output_format == "json":
        emit_json(json_data)
        return
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["field", "value"])
        for name, value in fields:
            writer.writerow([name, csv_cell(value)])
        return
    width = table_width()
    name_width = max(len(name) for name, _ in fields)
    room = None if width is None else max(20, width - name_width - len(GAP))
    style = sys.stdout.isatty()
    for name, value in fields:
        text = cell(value)
        pieces = [text[i : i + room] for i in range(0, len(text), room)] if room and text else [text]
        label = name.ljust(name_width)
        click.echo(f"{click.style(label, bold=True) if style else label}{GAP}{pieces[0]}".rstrip())
        for piece in pieces[1:]:
            click.echo(f"{' ' * name_width}{GAP}{piece}".rstrip())


def truncation_note(shown: int, more: bool, what: str = "rows") -> None:
    """Says that a listing stopped before the end, and how to see the rest."""
    if more:
        note(f"showing {shown} of more; --all or --limit N")


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int) -> str:
    """`values` (in step order) as `width` block characters, each the mean of its share of the values.
    NaN is skipped; ±Infinity is drawn at the edges; a flat series is a flat line."""
    finite = [v for v in values if not math.isnan(v)]
    if not finite or width <= 0:
        return ""
    cells: List[Optional[float]] = []
    count = len(values)
    buckets = min(width, count)
    for b in range(buckets):
        part = [v for v in values[b * count // buckets : (b + 1) * count // buckets] if not math.isnan(v)]
        cells.append(sum(part) / len(part) if part and all(math.isfinite(v) for v in part) else (part[0] if part else None))
    numbers = [c for c in cells if c is not None and math.isfinite(c)]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 0.0)

    def glyph(value: Optional[float]) -> str:
        if value is None:
            return " "
        if value == math.inf:
            return SPARK[-1]
        if value == -math.inf or high == low:
            return SPARK[0] if value == -math.inf else SPARK[len(SPARK) // 2]
        return SPARK[round((value - low) / (high - low) * (len(SPARK) - 1))]

    return "".join(glyph(c) for c in cells)

