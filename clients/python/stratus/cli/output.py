"""Rendering for people (aligned tables) and scripts (--json, --csv)."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Sequence

import click
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "csv")


def print_table(table: Table) -> None:
    """Renders a table to stdout without the padding rich leaves at line ends."""
    if sys.stdout.isatty():
        Console(highlight=False).print(table)
        return
    # Piped output keeps whole ids and values (no terminal width to fit) and no colour codes.
    buffer = Console(file=io.StringIO(), width=100_000, highlight=False, soft_wrap=False, color_system=None)
    buffer.print(table)
    text = buffer.file.getvalue()  # type: ignore[attr-defined]
    click.echo("\n".join(line.rstrip() for line in text.splitlines()))


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


def human_time(epoch_ms: Optional[int]) -> str:
    if epoch_ms is None:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


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
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return f"{value:.6g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def json_safe(value: Any) -> Any:
    """JSON has no NaN or infinities: the API's spellings stand in for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return cell(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def emit_json(data: Any) -> None:
    click.echo(json.dumps(json_safe(data), indent=2, sort_keys=False))


def emit_rows(
    rows: Sequence[Dict[str, Any]],
    columns: Sequence[str],
    output_format: str,
    *,
    headers: Optional[Dict[str, str]] = None,
    json_rows: Optional[Iterable[Any]] = None,
    title: Optional[str] = None,
) -> None:
    """One list of records: a table (the `columns`, human-formatted), CSV (the same columns, raw)
    or JSON (`json_rows`, the full records, when given)."""
    if output_format == "json":
        emit_json(list(json_rows) if json_rows is not None else list(rows))
        return
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(column)) for column in columns])
        return
    table = Table(title=title, box=None, header_style="bold", pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column((headers or {}).get(column, column), no_wrap=True, overflow="fold")
    for row in rows:
        table.add_row(*[cell(row.get(column)) for column in columns])
    if not rows:
        click.echo("(none)", err=True)
        return
    print_table(table)


def emit_fields(fields: List[tuple], output_format: str, json_data: Any) -> None:
    """One record as `name  value` lines (table), or its JSON."""
    if output_format == "json":
        emit_json(json_data)
        return
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["field", "value"])
        for name, value in fields:
            writer.writerow([name, cell(value)])
        return
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(name, cell(value))
    print_table(table)
