"""`stratus models`: the model registry (list, show, register, alias, download), over the Python SDK."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import click

from ..registry import AliasEvent, ModelRegistry, ModelVersion
from .commands import CONTEXT, RUN_ID, as_json, cli, connection_from, handle_errors
from .output import Column, emit_fields, emit_json, emit_rows, human_size, human_time, output_options, shown_path


def registry_from(context: click.Context) -> ModelRegistry:
    endpoint, token = connection_from(context)
    return ModelRegistry(endpoint, token)


# Where MLflow's prompt registry keeps a prompt version's template.
PROMPT_TEXT_TAG = "mlflow.prompt.text"


def version_row(version: ModelVersion) -> Dict[str, Any]:
    return {
        "version": version.version,
        "aliases": ", ".join(version.aliases),
        "run_id": version.run_id,
        "artifact_path": version.artifact_path,
        "files": len(version.files),
        "size": human_size(version.size_bytes),
        "size_bytes": version.size_bytes,
        "created": human_time(version.created_at),
        "created_at": version.created_at,
    }


def key_values(pairs: Tuple[str, ...], option: str) -> Dict[str, str]:
    found: Dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=option)
        found[key] = value
    return found


@cli.group(context_settings=CONTEXT)
def models() -> None:
    """Registered models, their versions and aliases."""


@models.command("list", context_settings=CONTEXT)
@click.option("--name", "name_contains", metavar="TEXT", help="Only models whose name contains this (any case).")
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Only models with this tag (repeatable).")
@click.option("--max-results", type=click.IntRange(1), default=100, show_default=True)
@output_options
@click.pass_context
@handle_errors
def models_list(
    context: click.Context, name_contains: Optional[str], tags: Tuple[str, ...], max_results: int, output_format: str
) -> None:
    """Registered models in name order."""
    found = registry_from(context).list_models(
        name_contains=name_contains, tags=key_values(tags, "--tag"), max_results=max_results
    )
    rows = [
        {
            "name": m.name,
            "latest": m.latest_version or "",
            "latest_version": m.latest_version,
            "aliases": alias_list(m.aliases),
            "updated": human_time(m.updated_at),
            "updated_at": m.updated_at,
            "description": m.description,
        }
        for m in found
    ]
    columns: List[Any] = ["name", Column("latest", kind="value", align="right"), "aliases", "updated"]
    if output_format == "csv":
        columns = ["name", "latest_version", "aliases", "updated_at", "description"]
    emit_rows(rows, columns, output_format, json_rows=[as_json(m) for m in found])


@models.command("show", context_settings=CONTEXT, short_help="A model's versions and alias history, or one version.")
@click.argument("name")
@click.argument("version", required=False, metavar="[VERSION|ALIAS]")
@click.option("--versions", "version_count", type=click.IntRange(0), default=10, show_default=True, help="Recent versions to list.")
@click.option("--history", "history_count", type=click.IntRange(0), default=10, show_default=True, help="Recent alias moves to list.")
@output_options
@click.pass_context
@handle_errors
def models_show(
    context: click.Context, name: str, version: Optional[str], version_count: int, history_count: int, output_format: str
) -> None:
    """A model with its recent versions and alias moves; or, with VERSION|ALIAS, one version and its files."""
    registry = registry_from(context)
    if version is not None:
        show_version(registry.get_model_version(name, version), output_format)
        return
    model = registry.get_model(name)
    versions = registry.list_model_versions(name, max_results=version_count) if version_count else []
    history = registry.alias_history(name, max_results=history_count) if history_count else []
    if output_format == "json":
        emit_json({**as_json(model), "versions": [as_json(v) for v in versions], "alias_history": [as_json(e) for e in history]})
        return
    emit_fields(
        [
            ("name", model.name),
            ("description", model.description),
            ("latest_version", model.latest_version),
            ("aliases", alias_list(model.aliases) if output_format == "table" else {a: str(v) for a, v in sorted(model.aliases.items())}),
            ("tags", model.tags),
            ("created", human_time(model.created_at) if output_format == "table" else model.created_at),
            ("updated", human_time(model.updated_at) if output_format == "table" else model.updated_at),
        ],
        output_format,
        as_json(model),
    )
    if output_format != "table":
        return
    if versions:
        click.echo()
        emit_rows([version_row(v) for v in versions], ["version", "aliases", "run_id", "size", "created"], "table", title="versions")
    if history:
        click.echo()
        rows = [{"when": human_time(e.at), "alias": e.alias, "change": alias_change(e), "token_id": e.by or ""} for e in history]
        emit_rows(rows, ["when", "alias", "change", "token_id"], "table", headers={"token_id": "by token"}, title="alias history")


def alias_list(aliases: Dict[str, int]) -> str:
    """A model's aliases, one way wherever they are listed: `challenger→3, champion→2`."""
    return ", ".join(f"{alias}→{version}" for alias, version in sorted(aliases.items()))


def alias_change(event: AliasEvent) -> str:
    """One alias event in the web UI's words (models/common.tsx describeChange), versions as the CLI writes them."""
    if event.change == "set":
        return f"set to {event.to_version}" if event.from_version is None else f"moved {event.from_version} → {event.to_version}"
    if event.change == "deleted":
        return f"removed (was {event.from_version})"
    return f"removed with version {event.from_version}"


def show_version(version: ModelVersion, output_format: str) -> None:
    if output_format == "json":
        emit_json(as_json(version))
        return
    if version.source_kind == "prompt":
        # A prompt's version (MLflow's prompt registry) has no run and no files: its template is what it holds.
        source = [("kind", "prompt"), ("template", version.tags.get(PROMPT_TEXT_TAG, ""))]
        tags = {key: value for key, value in version.tags.items() if key != PROMPT_TEXT_TAG}
    else:
        source = [
            ("run_id", version.run_id),
            ("experiment_id", version.experiment_id),
            ("artifact_path", f"{version.artifact_path} ({version.source_kind})"),
            ("size", human_size(version.size_bytes) if output_format == "table" else version.size_bytes),
        ]
        tags = version.tags
    emit_fields(
        [
            ("name", version.name),
            ("version", version.version),
            ("aliases", ", ".join(version.aliases)),
            *source,
            ("metadata", version.metadata),
            ("tags", tags),
            ("description", version.description),
            ("created", human_time(version.created_at) if output_format == "table" else version.created_at),
            ("created_by", version.created_by),
        ],
        output_format,
        as_json(version),
    )
    if output_format == "table" and version.files:
        click.echo()
        rows = [{"path": f.path, "size": human_size(f.size_bytes), "sha256": f.sha256, "checked": f.sha256_source} for f in version.files]
        # A checksum is whole or not shown: narrow terminals drop the column (and say so) rather than cut it.
        columns = ["path", "size", "checked", Column("sha256", kind="id", optional=True)]
        emit_rows(rows, columns, "table", title="files")


@models.command("register", context_settings=CONTEXT, short_help="Register a run's artifact as the model's next version.")
@click.argument("name")
@click.argument("run_id", type=RUN_ID)
@click.argument("artifact_path")
@click.option("--description")
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Tag the version (repeatable).")
@click.option("--metadata", "metadata_pairs", multiple=True, metavar="KEY=VALUE", help="Metadata kept with the version (repeatable).")
@output_options
@click.pass_context
@handle_errors
def models_register(
    context: click.Context,
    name: str,
    run_id: str,
    artifact_path: str,
    description: Optional[str],
    tags: Tuple[str, ...],
    metadata_pairs: Tuple[str, ...],
    output_format: str,
) -> None:
    """Register the next version of NAME (created if needed) from a run's artifact or folder.

    A local file or directory at ARTIFACT_PATH that the run does not have yet is uploaded to it first."""
    metadata = key_values(metadata_pairs, "--metadata") or None
    version = registry_from(context).register_model(
        name, artifact_path, metadata, run_id=run_id, description=description, tags=key_values(tags, "--tag")
    )
    show_version(version, output_format)


@models.command("alias", context_settings=CONTEXT, short_help="Point an alias at a version, or remove it.")
@click.argument("name")
@click.argument("alias")
@click.argument("version", required=False, type=click.IntRange(1))
@click.option("--delete", "delete", is_flag=True, help="Remove the alias instead.")
@click.pass_context
@handle_errors
def models_alias(context: click.Context, name: str, alias: str, version: Optional[int], delete: bool) -> None:
    """Point ALIAS at VERSION (moving it if set), or remove it with --delete. Every move is recorded."""
    registry = registry_from(context)
    if delete:
        if version is not None:
            raise click.UsageError("--delete takes no VERSION")
        registry.delete_alias(name, alias)
        click.echo(f"{name}@{alias} removed")
        return
    if version is None:
        raise click.UsageError("VERSION is required (or --delete)")
    before = registry.get_model(name).aliases.get(alias)
    registry.set_alias(name, alias, version)
    moved = f" (was {before})" if before is not None and before != version else ""
    click.echo(f"{name}@{alias} → version {version}{moved}")


@models.command("download", context_settings=CONTEXT, short_help="Download a version's files, checking each SHA-256.")
@click.argument("name")
@click.argument("version", default="latest", metavar="[VERSION|ALIAS]")
@click.option("-o", "--output", "destination", default=".", show_default=True, type=click.Path(file_okay=False), help="Directory to write to.")
@click.pass_context
@handle_errors
def models_download(context: click.Context, name: str, version: str, destination: str) -> None:
    """Download a version's files (default: the latest), checking each one's size and SHA-256; prints the path."""
    click.echo(shown_path(registry_from(context).download(name, version, destination), destination))
