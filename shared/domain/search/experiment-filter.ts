import { ValidationError } from '../../errors.ts';
import type { Experiment } from '../types.ts';
import { comparesWith } from './evaluate.ts';

/**
 * MLflow's experiment search grammar: clauses joined by AND, each
 * `name|tags.<key>|creation_time|last_update_time <op> <value>`,
 * `experiment_id =|!= '<id>'`, `experiment_id [NOT] IN ('<id>', ...)` or
 * `tags.<key> IS [NOT] NULL`, an attribute optionally prefixed `attribute.`, and order keys
 * `name|creation_time|last_update_time|experiment_id [ASC|DESC]`. A quoted value is the text
 * between its quotes, as MLflow's server reads it (sqlparse finds the closing quote, and MLflow
 * strips only the outer quotes): `'it''s'` is `it''s`, `'it\'s'` is `it\'s` and `'a\\b'` keeps
 * both backslashes. Keys and
 * their prefixes are read as MLflow's SearchExperimentsUtils reads them, case and all:
 * `attributes.name`, `attr.name` (which its run search takes), `Tags.k` and `NAME` are refused
 * in its words (unknownKey); operators and `ASC`/`DESC` may be in any case.
 */
type Field =
  { kind: 'name' } | { kind: 'id' } | { kind: 'tag'; key: string } | { kind: 'time'; name: 'createdAt' | 'updatedAt' };
interface Clause {
  field: Field;
  op: string;
  value: string | number | readonly string[];
}

/** A quoted string as sqlparse's lexer ends it: `''` and `\'` do not close it (likewise in double quotes). */
const clausePattern =
  /^\s*(?:(attribute)\.)?(name|creation_time|last_update_time|(tags?)\.(?:`([^`]+)`|"([^"]+)"|([\w.\-/:]+)))\s*(!=|<=|>=|=|<|>|NOT\s+LIKE|ILIKE|LIKE)\s*(?:'((?:''|\\'|[^'])*)'|"((?:""|\\"|[^"])*)"|(-?\d+))\s*/i;

/** MLflow's experiment_id clause: equal or not to one id, or in a list of them; ids are quoted. */
const idPattern =
  /^\s*(?:(attribute)\.)?(experiment_id)\s*(?:(!=|=)\s*(?:'([^']*)'|"([^"]*)")|(NOT\s+IN|IN)\s*\(([^)]*)\))\s*/i;
const quotedIds = /^\s*(?:'([^']*)'|"([^"]*)")\s*(?:,|$)/;

function parseIdList(text: string): string[] {
  const ids: string[] = [];
  let rest = text;
  while (rest.trim()) {
    const item = quotedIds.exec(rest);
    if (!item) {
      throw new ValidationError(
        `filter: experiment_id IN takes quoted ids, as ('1', '2'); got (${text.slice(0, 80)})`,
        'filter.invalid',
      );
    }
    ids.push((item[1] ?? item[2]) as string);
    rest = rest.slice(item[0].length);
  }
  if (ids.length === 0) throw new ValidationError('filter: experiment_id IN () names no id', 'filter.invalid');
  return ids;
}

/** MLflow's tag presence test (SearchExperimentsUtils.VALID_TAG_COMPARATORS): a tag only. */
const tagPresencePattern = /^\s*(tags?)\.(?:`([^`]+)`|"([^"]+)"|([\w.\-/:]+))\s+IS\s+(NOT\s+)?NULL\b\s*/i;

/**
 * MLflow's words for a key it does not know (SearchExperimentsUtils, whose checks scripts see): an
 * entity other than an attribute or a tag, or an attribute other than these four. Undefined for a
 * key it knows, whose clause is wrong some other way. (MLflow prints the keys as a Python set, in
 * an order that changes with every server process; this is one of them.)
 */
function unknownKey(entity: string | undefined, name: string): string | undefined {
  if (entity !== undefined && !['attribute', 'tag', 'tags'].includes(entity)) {
    return `Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`;
  }
  if (entity === 'tag' || entity === 'tags' || Object.hasOwn(orderFields, name)) return undefined;
  return `Invalid attribute key '${name}' specified. Valid keys are '{'last_update_time', 'creation_time', 'experiment_id', 'name'}'`;
}

/**
 * Refuses a key the patterns took only because they ignore case (they must, for operators):
 * MLflow's server reads entities and attribute names case and all.
 */
function refuseMisspelt(entity: string | undefined, name: string): void {
  const words = unknownKey(entity, name);
  if (words) throw new ValidationError(words, 'filter.invalid');
}

/**
 * Stray ANDs, as MLflow's sqlparse-based parsers drop them: every AND keyword there is skipped
 * wherever it stands, so `AND name = 'a'`, `name = 'a' AND` and `name = 'a' AND AND name = 'b'`
 * are `name = 'a'` (and `name = 'b'`). A run of ANDs at the head of a filter is skipped here.
 */
export const skipAnds = (text: string) => text.replace(/^(?:AND(?![\w.`'"])\s*)+/i, '');

/** The text after a clause of the simpler grammars: '' at the end, else what follows its ANDs (one required). */
export function afterClause(rest: string): string {
  if (!rest) return rest;
  const next = skipAnds(rest);
  if (next === rest) throw new ValidationError(`filter: expected AND before '${rest.slice(0, 40)}'`, 'filter.invalid');
  return next;
}

export function parseExperimentFilter(filter: string): Clause[] {
  const clauses: Clause[] = [];
  let rest = skipAnds(filter.trim());
  while (rest) {
    const presence = tagPresencePattern.exec(rest);
    if (presence) {
      const [whole, entity, quotedKey, doubleKey, bareKey, not] = presence;
      const key = (quotedKey ?? doubleKey ?? bareKey) as string;
      refuseMisspelt(entity, key);
      clauses.push({ field: { kind: 'tag', key }, op: not ? 'IS NOT NULL' : 'IS NULL', value: '' });
      rest = afterClause(rest.slice(whole.length));
      continue;
    }
    const id = idPattern.exec(rest);
    if (id) {
      const [whole, entity, name = '', equality, single, double, membership, list = ''] = id;
      refuseMisspelt(entity, name);
      const op = (equality ?? membership ?? '').toUpperCase().replace(/\s+/g, ' ');
      const value = equality ? ((single ?? double) as string) : parseIdList(list);
      clauses.push({ field: { kind: 'id' }, op, value });
      rest = afterClause(rest.slice(whole.length));
      continue;
    }
    const match = clausePattern.exec(rest);
    if (!match) {
      // A key, whole (not a word cut out of `tags.`), then an operator.
      const key = /^\s*(?:(\w+)\.)?(\w+)(?![\w.`"])\s*[!=<>A-Za-z]/.exec(rest);
      throw new ValidationError(
        (key && unknownKey(key[1], key[2] as string)) ?? `filter: cannot parse '${rest.slice(0, 80)}'`,
        'filter.invalid',
      );
    }
    const [
      whole,
      entity,
      fieldText = '',
      tagEntity,
      quotedKey,
      doubleKey,
      bareKey,
      opText = '',
      single,
      double,
      number,
    ] = match;
    // `attribute.tags.k` names an attribute `tags.k`, as MLflow splits a key at its first dot.
    if (entity === undefined && tagEntity !== undefined) refuseMisspelt(tagEntity, '');
    else refuseMisspelt(entity, fieldText);
    const field: Field =
      fieldText === 'name'
        ? { kind: 'name' }
        : fieldText === 'creation_time'
          ? { kind: 'time', name: 'createdAt' }
          : fieldText === 'last_update_time'
            ? { kind: 'time', name: 'updatedAt' }
            : { kind: 'tag', key: (quotedKey ?? doubleKey ?? bareKey) as string };
    const op = opText.toUpperCase().replace(/\s+/g, ' ');
    const value = number !== undefined ? Number(number) : ((single ?? double ?? '') as string);
    if (field.kind === 'time' && typeof value !== 'number') {
      throw new ValidationError(`filter: ${fieldText} compares with a number`, 'filter.invalid');
    }
    if (field.kind !== 'time' && (typeof value === 'number' || ['<', '<=', '>', '>='].includes(op))) {
      throw new ValidationError(
        `filter: ${fieldText} compares with a quoted string using =, !=, LIKE or ILIKE`,
        'filter.invalid',
      );
    }
    clauses.push({ field, op, value });
    rest = afterClause(rest.slice(whole.length));
  }
  return clauses;
}

function valueOf(experiment: Experiment, field: Field): string | number | undefined {
  if (field.kind === 'name') return experiment.name;
  if (field.kind === 'id') return experiment.experimentId;
  if (field.kind === 'time') return experiment[field.name];
  return Object.hasOwn(experiment.tags, field.key) ? experiment.tags[field.key] : undefined;
}

export function experimentMatches(experiment: Experiment, clauses: readonly Clause[]): boolean {
  return clauses.every(({ field, op, value }) => {
    const actual = valueOf(experiment, field);
    if (op === 'IS NULL') return actual === undefined;
    if (op === 'IS NOT NULL') return actual !== undefined;
    if (actual === undefined) return false;
    if (Array.isArray(value)) return value.includes(actual as string) === (op === 'IN');
    return comparesWith(actual, op, value as string | number);
  });
}

const orderFields = {
  name: (e: Experiment) => e.name,
  creation_time: (e: Experiment) => e.createdAt,
  last_update_time: (e: Experiment) => e.updatedAt,
  experiment_id: (e: Experiment) => e.experimentId,
} as const;

/** MLflow's default: newest first, then by id. */
export function experimentComparator(orderBy: readonly string[]) {
  const keys = (orderBy.length ? orderBy : ['creation_time DESC']).map((text) => {
    const match = /^\s*(?:(attribute)\.)?(\w+)\s*(ASC|DESC)?\s*$/i.exec(text);
    const name = match?.[2] as keyof typeof orderFields | undefined;
    if (!match || !name || (match[1] ?? 'attribute') !== 'attribute' || !Object.hasOwn(orderFields, name)) {
      // MLflow orders experiments by attributes only, and says so in these words.
      const key = /^\s*(?:(\w+)\.)?(\w+)(?![\w.`"])(?:\s+\w+)?\s*$/.exec(text);
      const entity = key?.[1];
      const words = !key
        ? undefined
        : entity === 'tag' || entity === 'tags'
          ? 'Invalid order_by entity: tag'
          : unknownKey(entity, key[2] as string);
      throw new ValidationError(
        words ?? `order_by: '${text}' must be one of ${Object.keys(orderFields).join(', ')}, with ASC or DESC`,
        'order_by.invalid',
      );
    }
    return { get: orderFields[name], descending: match[3]?.toUpperCase() === 'DESC' };
  });
  keys.push({ get: orderFields.experiment_id, descending: false });
  return (a: Experiment, b: Experiment) => {
    for (const key of keys) {
      const x = key.get(a);
      const y = key.get(b);
      if (x !== y) return (x < y ? -1 : 1) * (key.descending ? -1 : 1);
    }
    return 0;
  };
}
