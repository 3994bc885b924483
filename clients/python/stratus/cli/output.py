"""Rendering for people (tables that fit the terminal) and scripts (--json, --csv).

Tables are laid out here rather than by rich, because what gives way when a
terminal is narrow matters: **ids are never cut** (a cut id pasted into
``runs show`` is a 400) and **status is always shown**. To fit, in order:
times switch to a compact form, free text (names, values) is shortened with
``…``, and optional columns (durations, metrics, params) are dropped, the last
first, with a note on stderr naming them. Piped output is not fitted (scripts
get whole values) unless ``COLUMNS`` is set; a terminal's width comes from the
terminal (or ``COLUMNS``).
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
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

import click

from .._wire import number_text

FORMATS = ("table", "json", "csv")
GAP = "  "
ELLIPSIS = "…"


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
    """A local time to the second; a time datetime cannot hold (past year 9999, as a client that sent
    microseconds wrote it) stays its number, so the rest of the listing still shows."""
    if epoch_ms is None:
        return ""
    try:
        moment = epoch_ms if isinstance(epoch_ms, datetime) else datetime.fromtimestamp(epoch_ms / 1000)
    except (ValueError, OverflowError, OSError):
        return f"{epoch_ms} ms"
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def compact_time(text: str) -> str:
    """`2025-03-04 05:06:07` as `03-04 05:06`: what a narrow table keeps of a time."""
    return text[5:16] if len(text) == 19 else text


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
    """Binary units (KiB, MiB, GiB), the same the progress bars use."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    text = str(value)
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

    kind: ``id`` (never cut), ``status`` (never cut or dropped), ``time`` (may
    become compact), ``text`` (may be shortened with …), ``value`` (never cut,
    numbers and the like). To fit: text is shortened to `comfort_width`, then
    `optional` columns are dropped (the last first), then text is shortened to
    `min_width`, then `important` optional columns are dropped.
    """

    key: str
    header: str = ""
    kind: str = "text"
    optional: bool = False
    min_width: int = 8
    #: Text is shortened to this before optional columns are dropped, and to min_width after.
    comfort_width: int = 24
    #: Where shortened text loses characters: names keep both ends (they differ at either), values their start.
    cut: str = "end"
    #: An optional column that matters: dropped only after text is shortened to min_width.
    important: bool = False
    #: Text shown whole: when it is the last column, a long value wraps onto lines of its own under
    #: the column instead of being shortened (a `runs show` param value or tag).
    wrap: bool = False

    def __post_init__(self) -> None:
        self.header = self.header or self.key


def column_for(key: str) -> Column:
    """The usual behaviour of a column, from its name."""
    if key in ("run_id", "experiment_id", "parent_run_id", "token_id") or key.endswith("_id"):
        return Column(key, kind="id")
    if key == "status":
        return Column(key, kind="status")
    if key in ("started", "created", "ended", "updated"):
        return Column(key, kind="time", optional=key != "started")
    if key in ("duration", "size", "step", "last step", "latest", "min", "max", "points", "type", "artifact_type", "version"):
        return Column(key, kind="value", optional=key not in ("size", "latest"))
    if key.startswith(("metrics.", "params.")):
        return Column(key, kind="text", optional=True, min_width=max(6, min(len(key), 10)), comfort_width=12)
    if key in ("tags", "description"):
        return Column(key, kind="text", optional=True, min_width=10, comfort_width=30)
    if key == "path":  # an artifact's path matters more than when it was made
        return Column(key, kind="text", min_width=12, comfort_width=48, cut="middle")
    if key in ("run_name", "experiment_name", "name", "metric", "param", "tag"):
        return Column(key, kind="text", min_width=10, comfort_width=24, cut="middle")
    return Column(key, kind="text", min_width=8)


def table_width() -> Optional[int]:
    """The width to fit: the terminal's, or COLUMNS when set; None (no fitting) for piped output."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size((80, 24)).columns
    return None


def shorten(text: str, width: int, cut: str = "end", common_prefix: int = 0) -> str:
    """`text` in `width` characters: `end` keeps the start, `middle` both ends, `start` the end, and
    `after-prefix` drops a prefix shared by the column's values (keeping 3 characters before the first
    difference) and then keeps the start."""
    if len(text) <= width:
        return text
    if cut == "middle" and width >= 5:
        head = (width - 1) // 2
        return text[:head] + ELLIPSIS + text[len(text) - (width - 1 - head) :]
    if cut == "start":
        return ELLIPSIS + text[len(text) - (width - 1) :]
    if cut == "after-prefix":
        # Start at most 3 characters before the first difference, earlier if the rest leaves room.
        begin = min(max(0, common_prefix - 3), max(0, len(text) - (width - 1)))
        rest = ELLIPSIS + text[begin:]
        return rest if len(rest) <= width else rest[: max(0, width - 1)] + ELLIPSIS
    return text[: max(0, width - 1)] + ELLIPSIS


def best_cut(values: Sequence[str], width: int, preferred: str) -> tuple:
    """The cut that keeps the most values of a column apart at `width` (a person must tell rows apart:
    names that differ only in the middle all look alike when cut in the middle), and the common prefix."""
    longer = [value for value in values if len(value) > width]
    if len(set(longer)) < 2:
        return preferred, 0
    prefix = os.path.commonprefix(longer)
    modes = [preferred] + [mode for mode in ("middle", "end", "after-prefix", "start") if mode != preferred]
    distinct = {mode: len({shorten(value, width, mode, len(prefix)) for value in longer}) for mode in modes}
    return max(modes, key=lambda mode: (distinct[mode], -modes.index(mode))), len(prefix)


def fit_columns(columns: List[Column], cells: List[List[str]], width: Optional[int]) -> tuple:
    """Chooses the columns to show, their widths and whether times are compact; see the module docstring."""
    shown = list(range(len(columns)))
    compact = False

    def natural(index: int) -> int:
        values = [row[index] for row in cells]
        if compact and columns[index].kind == "time":
            values = [compact_time(value) for value in values]
        return max([len(columns[index].header)] + [len(value) for value in values])

    widths = {index: natural(index) for index in shown}

    def total() -> int:
        return sum(widths[index] for index in shown) + len(GAP) * (len(shown) - 1)

    if width is None or total() <= width:
        return shown, widths, compact, []
    compact = True
    widths = {index: natural(index) for index in shown}
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
    natural_widths = {index: natural(index) for index in shown}
    for index in shown:
        spare = width - total()
        if spare <= 0:
            break
        widths[index] = min(natural_widths[index], widths[index] + spare)
    return shown, widths, compact, list(reversed(dropped))


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
    cells = [[cell(row.get(column.key)) for column in columns] for row in rows]
    shown, widths, compact, dropped = fit_columns(columns, cells, width)
    last = shown[-1] if shown else None

    def line(values: List[str], header: bool = False) -> str:
        parts = []
        for index in shown:
            value = values[index]
            column = columns[index]
            if compact and column.kind == "time" and not header:
                value = compact_time(value)
            if column.wrap and index == last and not header and len(value) > widths[index]:
                indent = " " * (sum(widths[i] for i in shown[:-1]) + len(GAP) * (len(shown) - 1))
                parts.append(("\n" + indent).join(textwrap.wrap(value, widths[index], break_on_hyphens=False) or [""]))
                continue
            if column.kind == "text":
                cut, prefix = cuts[index] if not header else (column.cut, 0)
                value = shorten(value, widths[index], cut, prefix)
            padded = value if index == last else value.ljust(widths[index])
            if style and header:
                padded = click.style(padded, bold=True)
            elif style and column.kind == "status":
                padded = click.style(padded, fg=STATUS_COLOURS.get(value.strip(), None))
            parts.append(padded)
        return GAP.join(parts).rstrip()

    cuts = {
        index: best_cut([row[index] for row in cells], widths[index], columns[index].cut)
        for index in shown
        if columns[index].kind == "text"
    }
    lines = []
    if title:
        lines.append(click.style(title, bold=True, underline=True) if style else f"{title}:")
    lines.append(line([column.header for column in columns], header=True))
    lines.extend(line(values) for values in cells)
    return lines, dropped


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
    if dropped:
        # Wrapped between words at the table's width, as the table is, rather than mid-word by the terminal.
        text = f"(not shown at this width: {', '.join(dropped)}; widen the terminal, or --json)"
        note("\n".join(textwrap.wrap(text, table_width() or len(text), break_long_words=False)))


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

