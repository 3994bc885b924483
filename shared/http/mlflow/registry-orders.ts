import { ValidationError } from '../../errors.ts';

/**
 * MLflow's registry `order_by` (MLflow 3.17's SqlAlchemyStore,
 * `_parse_search_registered_models_order_by` and
 * `_parse_search_model_versions_order_by`): clauses `<key>` or
 * `<key> ASC|DESC`, a key at most once, ties broken by name ascending (and,
 * for versions, then by version number descending) unless the clauses order
 * by those. The keys are MLflow's, spelled as MLflow spells them.
 */

export interface OrderClause<K extends string> {
  key: K;
  ascending: boolean;
}

/** Registered models: `timestamp` is MLflow's other name for `last_updated_timestamp`. */
const modelKeys = new Map([
  ['name', 'name'],
  ['timestamp', 'last_updated_timestamp'],
  ['last_updated_timestamp', 'last_updated_timestamp'],
] as const);
const versionKeys = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'] as const;

export type ModelOrderKey = 'name' | 'last_updated_timestamp';
export type VersionOrderKey = (typeof versionKeys)[number];

function parseClauses<K extends string>(
  raw: string | undefined,
  keyOf: (token: string) => K | undefined,
  unknownKey: (token: string) => string,
): OrderClause<K>[] {
  const clauses: OrderClause<K>[] = [];
  // A GET query carries one clause per parameter; they arrive joined with commas.
  const given = (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const clause of given) {
    const match = /^(\S+)(?:\s+(\S+))?$/.exec(clause);
    if (!match) {
      throw new ValidationError(
        `order_by: Invalid order_by clause '${clause}'. Could not be parsed.`,
        'order_by.invalid',
      );
    }
    const direction = match[2]?.toUpperCase();
    if (direction !== undefined && direction !== 'ASC' && direction !== 'DESC') {
      throw new ValidationError(`order_by: Invalid ordering key in order_by clause '${clause}'.`, 'order_by.invalid');
    }
    const key = keyOf(match[1] as string);
    if (key === undefined) throw new ValidationError(`order_by: ${unknownKey(match[1] as string)}`, 'order_by.invalid');
    if (clauses.some((seen) => seen.key === key)) {
      // MLflow prints the clauses as a Python list.
      const list = given.map((part) => `'${part}'`).join(', ');
      throw new ValidationError(`order_by: \`order_by\` contains duplicate fields: [${list}]`, 'order_by.invalid');
    }
    clauses.push({ key, ascending: direction !== 'DESC' });
  }
  return clauses;
}

/**
 * A model search's order: by name, or by last change with ties by name
 * (ascending unless a later clause says otherwise). Name is unique, so what
 * follows a name clause changes nothing.
 */
export type ModelOrder =
  { by: 'name'; ascending: boolean } | { by: 'last_updated_timestamp'; ascending: boolean; nameAscending: boolean };

export function parseModelOrder(raw: string | undefined): ModelOrder {
  const clauses = parseClauses<ModelOrderKey>(
    raw,
    (token) => modelKeys.get(token as never),
    (token) =>
      `Invalid order by key '${token}' specified. Valid keys are 'name' and 'timestamp' (or 'last_updated_timestamp')`,
  );
  const [first] = clauses;
  if (!first) return { by: 'name', ascending: true };
  if (first.key === 'name') return { by: 'name', ascending: first.ascending };
  const name = clauses.find((clause) => clause.key === 'name');
  return { by: 'last_updated_timestamp', ascending: first.ascending, nameAscending: name?.ascending ?? true };
}

/** A version search's clauses with MLflow's default and tie-breaks added: always name and version_number. */
export function parseVersionOrder(raw: string | undefined): OrderClause<VersionOrderKey>[] {
  const given = parseClauses<VersionOrderKey>(
    raw,
    (token) => versionKeys.find((key) => key === token),
    (token) =>
      `Invalid attribute key '${token}' specified. Valid keys are ${versionKeys.map((key) => `'${key}'`).join(', ')}`,
  );
  const clauses: OrderClause<VersionOrderKey>[] = given.length
    ? given
    : [{ key: 'last_updated_timestamp', ascending: false }];
  if (!clauses.some((clause) => clause.key === 'name')) clauses.push({ key: 'name', ascending: true });
  if (!clauses.some((clause) => clause.key === 'version_number')) {
    clauses.push({ key: 'version_number', ascending: false });
  }
  return clauses;
}
