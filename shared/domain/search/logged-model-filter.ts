import { ValidationError } from '../../errors.ts';
import type { LoggedModel, LoggedModelMetric } from '../logged-models.ts';
import { ownValue } from '../own.ts';
import { compareCodePoints, comparesWith } from './evaluate.ts';
import { afterClause, skipAnds } from './experiment-filter.ts';

/**
 * MLflow's logged-model search: clauses joined by AND over
 *   metrics.<key> (numbers: = != < <= > >=),
 *   params.<key>, tags.<key> (strings: = != LIKE ILIKE),
 *   name, model_id, model_type, status, source_run_id (strings, `attributes.` optional;
 *     also IN and NOT IN a parenthesized list, as MLflow's server takes for attributes),
 *   creation_time|creation_timestamp, last_updated_time|last_updated_timestamp (numbers),
 * and order keys `{field_name, ascending}` over those attributes and `metrics.<key>`,
 * optionally measured on one dataset. A metric clause holds when the latest value
 * of the key on any of the model's datasets (or those `datasets` names) holds; with
 * `datasets` and no metric clause, a model holds when it has a metric on one of them.
 */
export type LoggedModelField =
  | { kind: 'metric'; key: string }
  | { kind: 'param'; key: string }
  | { kind: 'tag'; key: string }
  | { kind: 'attribute'; name: LoggedModelAttribute };

const stringAttributes = ['name', 'model_id', 'model_type', 'status', 'source_run_id'] as const;
const numberAttributes = {
  creation_time: 'createdAt',
  creation_timestamp: 'createdAt',
  last_updated_time: 'updatedAt',
  last_updated_timestamp: 'updatedAt',
} as const;
type LoggedModelAttribute = (typeof stringAttributes)[number] | keyof typeof numberAttributes;

export interface LoggedModelClause {
  field: LoggedModelField;
  op: string;
  /** A list for IN and NOT IN. */
  value: string | number | readonly string[];
}

/** A dataset metrics are read on (`datasets` of the search, `dataset_name` of an order key). */
export interface DatasetSelector {
  name: string;
  digest?: string | undefined;
}

export interface LoggedModelOrderKey {
  field: LoggedModelField;
  ascending: boolean;
  dataset?: DatasetSelector | undefined;
}

export const maxLoggedModelClauses = 20;

const clausePattern = new RegExp(
  [
    String.raw`^\s*(?:(metrics?|params?|parameters|tags?)\.(?:` + '`([^`]+)`' + String.raw`|"([^"]+)"|([\w.\-/:]+))`,
    String.raw`|(?:(?:attributes?|attr)\.)?(\w+))`,
    String.raw`\s*(!=|<=|>=|=|<|>|ILIKE\b|LIKE\b)\s*`,
    // A quoted string as sqlparse's lexer ends it (`''` and `\'` do not close it); its value is the text between.
    String.raw`(?:'((?:''|\\'|[^'])*)'|"((?:""|\\"|[^"])*)"|([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?))\s*`,
  ].join(''),
  'i',
);

// Literals rather than `new RegExp`: a call at the top level stays in every bundle importing the module.
const listPattern =
  /^\s*(?:(?:attributes?|attr)\.)?(\w+)\s+(NOT\s+IN|IN)\s*\(\s*((?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")(?:\s*,\s*(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"))*)\s*\)\s*/i;
const quotedItem = () => /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g;

/** Python's one-character escapes; any other backslash is kept, as Python keeps it (`'\_'` is `\_`). */
const pythonEscapes: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': '',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * An item of an IN list, read as MLflow's server reads the list (Python's `ast.literal_eval`):
 * Python's escapes are decoded and any other backslash kept. An escape Python refuses (`\x` without
 * two hex digits) is refused as MLflow refuses the list; `\N{name}` too, as Stratus has no table
 * of Unicode names.
 */
function unquote(text: string): string {
  return text
    .slice(1, -1)
    .replace(
      /\\(?:([0-7]{1,3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([\s\S]))/g,
      (whole, octal?: string, hex2?: string, hex4?: string, hex8?: string, char?: string) => {
        const code = octal ? parseInt(octal, 8) : parseInt(hex2 ?? hex4 ?? hex8 ?? 'NaN', 16);
        if (!Number.isNaN(code) && code <= 0x10ffff) return String.fromCodePoint(code);
        if (char !== undefined && Object.hasOwn(pythonEscapes, char)) return pythonEscapes[char] as string;
        if (char !== undefined && !'xuUN'.includes(char)) return whole;
        throw new ValidationError(`filter: cannot read the escape '${whole}' in an IN list`, 'filter.invalid');
      },
    );
}

const numberOperators = new Set(['=', '!=', '<', '<=', '>', '>=']);
const stringOperators = new Set(['=', '!=', 'LIKE', 'ILIKE']);

/** The field a filter clause or an order key names; `where` is the request field it was read from, for the refusal. */
function fieldOf(
  prefix: string | undefined,
  key: string | undefined,
  attribute: string | undefined,
  where: 'filter' | 'order_by' = 'filter',
): LoggedModelField {
  if (prefix !== undefined) {
    const kind = prefix.toLowerCase().startsWith('metric')
      ? 'metric'
      : prefix.toLowerCase().startsWith('tag')
        ? 'tag'
        : 'param';
    return { kind, key: key as string };
  }
  const name = (attribute ?? '').toLowerCase();
  if ((stringAttributes as readonly string[]).includes(name) || Object.hasOwn(numberAttributes, name)) {
    return { kind: 'attribute', name: name as LoggedModelAttribute };
  }
  throw new ValidationError(
    `${where}: unknown field '${attribute}' (expected ${where === 'filter' ? 'metrics.<key>, params.<key>, tags.<key>' : 'metrics.<key>'} or one of ` +
      `${[...stringAttributes, ...Object.keys(numberAttributes)].join(', ')})`,
    `${where}.invalid`,
  );
}

const isNumeric = (field: LoggedModelField) =>
  field.kind === 'metric' || (field.kind === 'attribute' && Object.hasOwn(numberAttributes, field.name));

export function parseLoggedModelFilter(filter: string): LoggedModelClause[] {
  const clauses: LoggedModelClause[] = [];
  let rest = skipAnds(filter.trim());
  while (rest) {
    const list = listPattern.exec(rest);
    if (list) {
      const [whole, attribute, opText = '', items = ''] = list;
      const field = fieldOf(undefined, undefined, attribute);
      if (isNumeric(field)) {
        throw new ValidationError(`filter: ${describe(field)} compares with a number, not a list`, 'filter.invalid');
      }
      const values = (items.match(quotedItem()) ?? []).map(unquote);
      clauses.push({ field, op: opText.toUpperCase().replace(/\s+/, ' '), value: values });
      if (clauses.length > maxLoggedModelClauses) {
        throw new ValidationError(`filter: at most ${maxLoggedModelClauses} clauses`, 'filter.invalid');
      }
      rest = afterClause(rest.slice(whole.length));
      continue;
    }
    const match = clausePattern.exec(rest);
    if (!match) throw new ValidationError(`filter: cannot parse '${rest.slice(0, 80)}'`, 'filter.invalid');
    const [whole, prefix, backticked, doubleQuoted, bare, attribute, opText = '', single, double, number] = match;
    const field = fieldOf(prefix, backticked ?? doubleQuoted ?? bare, attribute);
    const op = opText.toUpperCase();
    const text = single ?? double;
    if (isNumeric(field)) {
      if (number === undefined || !numberOperators.has(op)) {
        throw new ValidationError(
          `filter: ${describe(field)} compares with a number using =, !=, <, <=, > or >=`,
          'filter.invalid',
        );
      }
      clauses.push({ field, op, value: Number(number) });
    } else {
      if (text === undefined || !stringOperators.has(op)) {
        throw new ValidationError(
          `filter: ${describe(field)} compares with a quoted string using =, !=, LIKE or ILIKE`,
          'filter.invalid',
        );
      }
      clauses.push({ field, op, value: text });
    }
    if (clauses.length > maxLoggedModelClauses) {
      throw new ValidationError(`filter: at most ${maxLoggedModelClauses} clauses`, 'filter.invalid');
    }
    rest = afterClause(rest.slice(whole.length));
  }
  return clauses;
}

const describe = (field: LoggedModelField) => (field.kind === 'attribute' ? field.name : `${field.kind}s.${field.key}`);

/** Order keys as MLflow sends them; MLflow orders by attributes and metrics only. */
export function parseLoggedModelOrder(
  keys: readonly {
    field_name: string;
    ascending?: boolean | undefined;
    dataset_name?: string | undefined;
    dataset_digest?: string | undefined;
  }[],
): LoggedModelOrderKey[] {
  return keys.map((key) => {
    const metric = /^metrics?\.(.+)$/i.exec(key.field_name);
    let field: LoggedModelField;
    if (metric) field = { kind: 'metric', key: metric[1] as string };
    else {
      const attribute = /^(?:(?:attributes?|attr)\.)?(\w+)$/i.exec(key.field_name)?.[1];
      if (attribute === undefined) {
        throw new ValidationError(
          `order_by: '${key.field_name}' must be metrics.<key> or an attribute of the model`,
          'order_by.invalid',
        );
      }
      field = fieldOf(undefined, undefined, attribute, 'order_by');
    }
    const dataset = key.dataset_name === undefined ? undefined : { name: key.dataset_name, digest: key.dataset_digest };
    return { field, ascending: key.ascending ?? true, dataset };
  });
}

const onDatasets = (metric: LoggedModelMetric, datasets: readonly DatasetSelector[]) =>
  datasets.length === 0 ||
  datasets.some(
    (dataset) =>
      metric.datasetName === dataset.name && (dataset.digest === undefined || metric.datasetDigest === dataset.digest),
  );

/** MLflow's status names are LOGGED_MODEL_<status>; either form compares. */
const statusName = (status: string) => status.replace(/^LOGGED_MODEL_/i, '').toUpperCase();

function attributeValue(model: LoggedModel, name: LoggedModelAttribute): string | number | undefined {
  switch (name) {
    case 'name':
      return model.name;
    case 'model_id':
      return model.modelId;
    case 'model_type':
      // MLflow's server stores a model sent without a type as '', which `model_type = ''` finds.
      return model.modelType ?? '';
    case 'status':
      return model.status;
    case 'source_run_id':
      return model.sourceRunId;
    default:
      return model[numberAttributes[name]];
  }
}

/** Whether a model holds every clause; a model without the field holds none on it. */
export function loggedModelMatches(
  model: LoggedModel,
  clauses: readonly LoggedModelClause[],
  datasets: readonly DatasetSelector[] = [],
): boolean {
  // As MLflow's server: `datasets` without a metric clause still narrows the search, to the
  // models measured on those datasets (an evaluation's models), not every model of the experiments.
  if (
    datasets.length > 0 &&
    !clauses.some(({ field }) => field.kind === 'metric') &&
    !model.metrics.some((metric) => onDatasets(metric, datasets))
  ) {
    return false;
  }
  return clauses.every(({ field, op, value }) => {
    if (typeof value === 'object') {
      // IN or NOT IN, over an attribute (parseLoggedModelFilter reads no other).
      const actual = field.kind === 'attribute' ? attributeValue(model, field.name) : undefined;
      if (actual === undefined) return false;
      const comparable = (text: string) =>
        field.kind === 'attribute' && field.name === 'status' ? statusName(text) : text;
      return value.map(comparable).includes(comparable(String(actual))) === (op === 'IN');
    }
    switch (field.kind) {
      case 'metric':
        return model.metrics.some(
          (metric) => metric.key === field.key && onDatasets(metric, datasets) && comparesWith(metric.value, op, value),
        );
      case 'param': {
        const actual = ownValue(model.params, field.key);
        return actual !== undefined && comparesWith(actual, op, value);
      }
      case 'tag': {
        const actual = ownValue(model.tags, field.key);
        return actual !== undefined && comparesWith(actual, op, value);
      }
      default: {
        const actual = attributeValue(model, field.name);
        if (actual === undefined) return false;
        return field.name === 'status'
          ? comparesWith(statusName(String(actual)), op, statusName(String(value)))
          : comparesWith(actual, op, value);
      }
    }
  });
}

/** The value a model is ordered by: the latest of a metric's slots (on the key's dataset when named). */
function orderValue(model: LoggedModel, key: LoggedModelOrderKey): string | number | undefined {
  if (key.field.kind === 'metric') {
    const slots = model.metrics.filter(
      (metric) =>
        metric.key === (key.field as { key: string }).key && onDatasets(metric, key.dataset ? [key.dataset] : []),
    );
    slots.sort((a, b) => b.timestamp - a.timestamp || b.step - a.step);
    return slots[0]?.value;
  }
  if (key.field.kind === 'attribute') return attributeValue(model, key.field.name);
  return undefined;
}

/**
 * MLflow's order: each key with missing values last, then newest first
 * (unless a key already orders by creation), then model id.
 */
export function loggedModelComparator(keys: readonly LoggedModelOrderKey[]) {
  const byCreation = keys.some(
    (key) =>
      key.field.kind === 'attribute' &&
      numberAttributes[key.field.name as keyof typeof numberAttributes] === 'createdAt',
  );
  return (a: LoggedModel, b: LoggedModel): number => {
    for (const key of keys) {
      const [x, y] = [orderValue(a, key), orderValue(b, key)];
      if (x === undefined || y === undefined) {
        if (x !== y) return x === undefined ? 1 : -1;
        continue;
      }
      const order =
        typeof x === 'string' && typeof y === 'string' ? compareCodePoints(x, y) : x < y ? -1 : x > y ? 1 : 0;
      if (order !== 0) return key.ascending ? order : -order;
    }
    if (!byCreation && a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
    return compareCodePoints(a.modelId, b.modelId);
  };
}
