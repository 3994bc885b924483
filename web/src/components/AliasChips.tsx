import { Link, paths } from '../router.ts';

/** `@champion`; given the version it points at, a link to that version with its number beside the name. */
export function AliasChip(props: { model: string; alias: string; version?: number }) {
  const label = `@${props.alias}`;
  return props.version === undefined ? (
    <span class="alias-chip">{label}</span>
  ) : (
    <Link
      class="alias-chip"
      href={paths.modelVersion(props.model, props.version)}
      title={`${label} points at version ${props.version}`}
    >
      {label}
      <span class="alias-version">v{props.version}</span>
    </Link>
  );
}

/**
 * A table cell's aliases: chips, or a muted "—" when there are none. Plain names
 * (a version's own aliases: the row already is that version) give plain chips;
 * aliases with the version each points at (a model's) give chips linking to it.
 */
export function AliasChips(props: {
  model: string;
  aliases: readonly string[] | readonly { alias: string; version: number }[];
}) {
  if (props.aliases.length === 0) return <span class="muted">—</span>;
  return (
    <span class="tags">
      {props.aliases.map((entry) =>
        typeof entry === 'string' ? (
          <AliasChip key={entry} model={props.model} alias={entry} />
        ) : (
          <AliasChip key={entry.alias} model={props.model} alias={entry.alias} version={entry.version} />
        ),
      )}
    </span>
  );
}
